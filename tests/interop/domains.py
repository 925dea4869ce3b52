"""Custom domains, image styles and the account's service-level listings through the official SDK:
CNAME tokens (create, get, absent), CNAME binding (ownership, put, list, delete, absent), image styles
(put, get, list, overwrite, delete, absent), DescribeRegions (all, one, absent) and ListCloudBoxes."""

import alibabacloud_oss_v2 as oss

from _common import REGION, Suite, empty_and_delete_bucket, eq, expect_error, make_client, true, unique_bucket

suite = Suite("domains")
client = make_client()
BUCKET = unique_bucket("dom")
OTHER = unique_bucket("dom2")
DOMAIN = f"img-{BUCKET}.example.com"
state = {}


def cname_config(domain):
    return oss.BucketCnameConfiguration(cname=oss.Cname(domain=domain))


def list_domains(bucket):
    return [c.domain for c in client.list_cname(oss.ListCnameRequest(bucket=bucket)).cnames or []]


@suite.check("setup: buckets")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    client.put_bucket(oss.PutBucketRequest(bucket=OTHER))


@suite.check("cname token: 404 NoSuchCnameToken before create")
def _():
    expect_error(lambda: client.get_cname_token(oss.GetCnameTokenRequest(bucket=BUCKET, cname=DOMAIN)),
                 404, "NoSuchCnameToken")


@suite.check("cname token: create names the bucket and domain; get returns the same token")
def _():
    created = client.create_cname_token(oss.CreateCnameTokenRequest(
        bucket=BUCKET, bucket_cname_configuration=cname_config(DOMAIN))).cname_token
    eq((created.bucket, created.cname), (BUCKET, DOMAIN), "Bucket, Cname")
    true(created.token, "Token is set")
    true(created.expire_time, "ExpireTime is set")
    got = client.get_cname_token(oss.GetCnameTokenRequest(bucket=BUCKET, cname=DOMAIN)).cname_token
    eq((got.bucket, got.cname, got.token), (BUCKET, DOMAIN, created.token), "token from get")


@suite.check("cname: an empty list before any binding")
def _():
    result = client.list_cname(oss.ListCnameRequest(bucket=OTHER))
    eq(result.bucket, OTHER, "Bucket")
    eq(result.cnames or [], [], "Cname list")


@suite.check("cname: binding a domain without a token is refused (400 NeedVerifyDomainOwnership)")
def _():
    expect_error(lambda: client.put_cname(oss.PutCnameRequest(
        bucket=OTHER, bucket_cname_configuration=cname_config(f"nothing-{OTHER}.example.com"))),
        400, "NeedVerifyDomainOwnership")


@suite.check("cname: an invalid domain is refused (400 InvalidArgument)")
def _():
    expect_error(lambda: client.create_cname_token(oss.CreateCnameTokenRequest(
        bucket=BUCKET, bucket_cname_configuration=cname_config("not_a_domain"))), 400, "InvalidArgument")


@suite.check("cname: put after the token; list shows the domain Enabled")
def _():
    client.put_cname(oss.PutCnameRequest(bucket=BUCKET, bucket_cname_configuration=cname_config(DOMAIN)))
    result = client.list_cname(oss.ListCnameRequest(bucket=BUCKET))
    eq(result.bucket, BUCKET, "Bucket")
    eq([(c.domain, c.status) for c in result.cnames], [(DOMAIN, "Enabled")], "Cname list")
    true(result.cnames[0].last_modified, "LastModified is set")


@suite.check("cname: the same domain on another bucket is refused (409 CnameAlreadyExists)")
def _():
    client.create_cname_token(oss.CreateCnameTokenRequest(
        bucket=OTHER, bucket_cname_configuration=cname_config(DOMAIN)))
    expect_error(lambda: client.put_cname(oss.PutCnameRequest(
        bucket=OTHER, bucket_cname_configuration=cname_config(DOMAIN))), 409, "CnameAlreadyExists")


@suite.check("cname: delete; the list is empty; deleting again is 404 NoSuchCname")
def _():
    client.delete_cname(oss.DeleteCnameRequest(bucket=BUCKET, bucket_cname_configuration=cname_config(DOMAIN)))
    eq(list_domains(BUCKET), [], "domains after delete")
    expect_error(lambda: client.delete_cname(oss.DeleteCnameRequest(
        bucket=BUCKET, bucket_cname_configuration=cname_config(DOMAIN))), 404, "NoSuchCname")


STYLE = "image/resize,p_50"
STYLE2 = "image/resize,w_200/rotate,90"


@suite.check("style: 404 NoSuchStyle before put; an empty list")
def _():
    expect_error(lambda: client.get_style(oss.GetStyleRequest(bucket=BUCKET, style_name="half")),
                 404, "NoSuchStyle")
    eq(client.list_style(oss.ListStyleRequest(bucket=BUCKET)).style_list.styles or [], [], "styles")


@suite.check("style: put two; get equal; list both")
def _():
    client.put_style(oss.PutStyleRequest(bucket=BUCKET, style_name="half",
                                         style=oss.StyleContent(content=STYLE)))
    client.put_style(oss.PutStyleRequest(bucket=BUCKET, style_name="thumb", category="image",
                                         style=oss.StyleContent(content=STYLE2)))
    got = client.get_style(oss.GetStyleRequest(bucket=BUCKET, style_name="half")).style
    eq((got.name, got.content), ("half", STYLE), "Name, Content")
    true(got.create_time and got.last_modify_time, "CreateTime and LastModifyTime are set")
    styles = client.list_style(oss.ListStyleRequest(bucket=BUCKET)).style_list.styles
    eq(sorted((s.name, s.content) for s in styles), [("half", STYLE), ("thumb", STYLE2)], "list")


@suite.check("style: put again overwrites the content")
def _():
    client.put_style(oss.PutStyleRequest(bucket=BUCKET, style_name="half",
                                         style=oss.StyleContent(content=STYLE2)))
    eq(client.get_style(oss.GetStyleRequest(bucket=BUCKET, style_name="half")).style.content, STYLE2,
       "Content after overwrite")


@suite.check("style: delete one; get is 404 NoSuchStyle; the other remains")
def _():
    client.delete_style(oss.DeleteStyleRequest(bucket=BUCKET, style_name="half"))
    expect_error(lambda: client.get_style(oss.GetStyleRequest(bucket=BUCKET, style_name="half")),
                 404, "NoSuchStyle")
    eq([s.name for s in client.list_style(oss.ListStyleRequest(bucket=BUCKET)).style_list.styles],
       ["thumb"], "remaining styles")


@suite.check("describe regions: all include this region with its documented endpoints")
def _():
    infos = client.describe_regions(oss.DescribeRegionsRequest()).region_info
    by_region = {i.region: i for i in infos}
    own = by_region.get("oss-" + REGION)
    true(own is not None, f"oss-{REGION} is listed (got {sorted(by_region)[:5]}...)")
    eq(own.internet_endpoint, f"oss-{REGION}.aliyuncs.com", "InternetEndpoint")
    eq(own.internal_endpoint, f"oss-{REGION}-internal.aliyuncs.com", "InternalEndpoint")
    eq(own.accelerate_endpoint, "oss-accelerate.aliyuncs.com", "AccelerateEndpoint")


@suite.check("describe regions: one region asked for; an unknown one is 404 NoSuchRegion")
def _():
    infos = client.describe_regions(oss.DescribeRegionsRequest(regions="oss-" + REGION)).region_info
    eq([i.region for i in infos], ["oss-" + REGION], "regions")
    expect_error(lambda: client.describe_regions(oss.DescribeRegionsRequest(regions="oss-xx-nowhere-9")),
                 404, "NoSuchRegion")


@suite.check("list cloud boxes: none; the owner and max-keys echo")
def _():
    result = client.list_cloud_boxes(oss.ListCloudBoxesRequest())
    eq(result.cloud_boxes or [], [], "CloudBoxes")
    eq(result.is_truncated, False, "IsTruncated")
    true(result.owner is not None and result.owner.id, "Owner/ID is set")


@suite.check("list cloud boxes: prefix and max-keys are echoed")
def _():
    result = client.list_cloud_boxes(oss.ListCloudBoxesRequest(prefix="cb-", max_keys=10))
    eq((result.prefix, str(result.max_keys)), ("cb-", "10"), "Prefix, MaxKeys")
    eq(result.cloud_boxes or [], [], "CloudBoxes")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)
    empty_and_delete_bucket(client, OTHER)


suite.run()
