"""Access points through the official SDK: create (internet and VPC, bad names and origins refused,
duplicates refused), get (the documented ARN and endpoint forms), list (account and bucket, max-keys
and continuation token, paginator-free by hand), data access through the alias, access point policy
(absent, put, get the same JSON, a Deny honoured through the alias, delete), public access block on an
access point (default, put, get, delete), delete and the absent answers."""

import json
import os

import alibabacloud_oss_v2 as oss

from _common import (REGION, Suite, empty_and_delete_bucket, eq, expect_error, make_client, read_body,
                     true, unique_bucket)

suite = Suite("access_points")
client = make_client()
BUCKET = unique_bucket("ap")
OTHER = unique_bucket("ap2")
ACCOUNT_ID = os.environ.get("OSS_RS_ACCOUNT_ID", "")
# Names the script chooses; 3 to 19 characters of a-z, 0-9 and '-'.
NAMES = ["ap-internet", "ap-vpc", "ap-third"]
ALIAS = {}


def create(name, origin="internet", vpc_id=None, bucket=BUCKET):
    conf = oss.CreateAccessPointConfiguration(
        access_point_name=name, network_origin=origin,
        vpc_configuration=oss.AccessPointVpcConfiguration(vpc_id=vpc_id) if vpc_id else None)
    return client.create_access_point(oss.CreateAccessPointRequest(
        bucket=bucket, create_access_point_configuration=conf))


def get(name, bucket=BUCKET):
    return client.get_access_point(oss.GetAccessPointRequest(bucket=bucket, access_point_name=name))


def arn(name):
    """The documented ARN form of an access point."""
    return f"acs:oss:{REGION}:{ACCOUNT_ID}:accesspoint/{name}"


@suite.check("setup: two buckets")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    client.put_bucket(oss.PutBucketRequest(bucket=OTHER))


@suite.check("create: internet and VPC access points answer the ARN and an alias ending -ossalias")
def _():
    for name, origin, vpc in [(NAMES[0], "internet", None), (NAMES[1], "vpc", "vpc-t4nlw426y44rd3iq4"),
                              (NAMES[2], "internet", None)]:
        result = create(name, origin, vpc)
        eq(result.status_code, 200, f"{name}: status")
        eq(result.access_point_arn, arn(name), f"{name}: AccessPointArn")
        true(result.alias and result.alias.startswith(name + "-") and result.alias.endswith("-ossalias"),
             f"{name}: alias {result.alias!r} is <name>-...-ossalias")
        ALIAS[name] = result.alias
    eq(len(set(ALIAS.values())), 3, "three distinct aliases")


@suite.check("create: a taken name is 409 AccessPointAlreadyExists, also on another bucket")
def _():
    expect_error(lambda: create(NAMES[0]), 409, "AccessPointAlreadyExists", "same bucket")
    expect_error(lambda: create(NAMES[0], bucket=OTHER), 409, "AccessPointAlreadyExists", "other bucket")


@suite.check("create: bad names, a bad network origin and a VPC origin without VPC id are 400")
def _():
    for bad in ["ab", "a" * 20, "-ap", "ap-", "Ap-upper", "ap_under", "x-ossalias"]:
        expect_error(lambda: create(bad), 400, "InvalidArgument", f"name {bad!r}")
    expect_error(lambda: create("ap-bad-origin", origin="satellite"), 400, "InvalidArgument", "origin")
    expect_error(lambda: create("ap-no-vpc", origin="vpc"), 400, "InvalidArgument", "vpc without id")
    expect_error(lambda: get("ap-bad-origin"), 404, "NoSuchAccessPoint", "nothing was created")


@suite.check("get: what was created, the documented endpoints, block public access off")
def _():
    got = get(NAMES[1])
    eq(got.access_point_name, NAMES[1], "AccessPointName")
    eq(got.bucket, BUCKET, "Bucket")
    eq(got.account_id, ACCOUNT_ID, "AccountId")
    eq(got.network_origin, "vpc", "NetworkOrigin")
    eq(got.vpc_configuration.vpc_id, "vpc-t4nlw426y44rd3iq4", "VpcConfiguration/VpcId")
    eq(got.access_point_arn, arn(NAMES[1]), "AccessPointArn")
    eq(got.alias, ALIAS[NAMES[1]], "Alias as created")
    eq(got.status, "enable", "Status")
    eq(got.endpoints.public_endpoint,
       f"{NAMES[1]}-{ACCOUNT_ID}.oss-{REGION}.oss-accesspoint.aliyuncs.com", "PublicEndpoint")
    eq(got.endpoints.internal_endpoint,
       f"{NAMES[1]}-{ACCOUNT_ID}.oss-{REGION}-internal.oss-accesspoint.aliyuncs.com", "InternalEndpoint")
    eq(got.public_access_block_configuration.block_public_access, False, "BlockPublicAccess default")
    internet = get(NAMES[0])
    eq(internet.network_origin, "internet", "internet NetworkOrigin")
    true(internet.vpc_configuration is None or internet.vpc_configuration.vpc_id in (None, ""),
         "no VPC id on an internet access point")


@suite.check("get: an unknown name, and a known one asked of another bucket, are 404 NoSuchAccessPoint")
def _():
    expect_error(lambda: get("ap-unknown"), 404, "NoSuchAccessPoint", "unknown")
    expect_error(lambda: get(NAMES[0], bucket=OTHER), 404, "NoSuchAccessPoint", "other bucket")


@suite.check("list: the account's access points in name order; max-keys and continuation-token page")
def _():
    everything = client.list_access_points(oss.ListAccessPointsRequest())
    eq([a.access_point_name for a in everything.access_points], sorted(NAMES), "names in order")
    eq(everything.is_truncated, False, "IsTruncated")
    eq(everything.account_id, ACCOUNT_ID, "AccountId")
    eq({a.access_point_name: a.alias for a in everything.access_points}, ALIAS, "aliases")
    eq({a.access_point_name: a.bucket for a in everything.access_points}, {n: BUCKET for n in NAMES},
       "buckets")
    pages, token = [], None
    while True:
        page = client.list_access_points(oss.ListAccessPointsRequest(max_keys=2, continuation_token=token))
        eq(page.max_keys, 2, "MaxKeys echoed")
        pages.append([a.access_point_name for a in page.access_points])
        if not page.is_truncated:
            break
        token = page.next_continuation_token
        true(token, "a truncated page names its continuation token")
    eq(pages, [sorted(NAMES)[:2], sorted(NAMES)[2:]], "pages of two")


@suite.check("list: sent to a bucket, only that bucket's access points")
def _():
    create("ap-other", bucket=OTHER)
    try:
        mine = client.list_access_points(oss.ListAccessPointsRequest(bucket=BUCKET))
        eq([a.access_point_name for a in mine.access_points], sorted(NAMES), "this bucket")
        theirs = client.list_access_points(oss.ListAccessPointsRequest(bucket=OTHER))
        eq([a.access_point_name for a in theirs.access_points], ["ap-other"], "the other bucket")
    finally:
        client.delete_access_point(oss.DeleteAccessPointRequest(bucket=OTHER, access_point_name="ap-other"))


@suite.check("alias: an object put through the alias is in the bucket, and read back through both")
def _():
    alias = ALIAS[NAMES[0]]
    data = b"through the access point\n" * 10
    client.put_object(oss.PutObjectRequest(bucket=alias, key="via-ap.txt", body=data))
    eq(read_body(client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="via-ap.txt"))), data,
       "read through the bucket name")
    eq(read_body(client.get_object(oss.GetObjectRequest(bucket=alias, key="via-ap.txt"))), data,
       "read through the alias")
    listed = client.list_objects_v2(oss.ListObjectsV2Request(bucket=alias))
    eq([o.key for o in listed.contents or []], ["via-ap.txt"], "listing through the alias")


def policy_for(name, effect, actions):
    return {
        "Version": "1",
        "Statement": [{"Effect": effect, "Action": actions, "Principal": ["*"],
                       "Resource": [arn(name), arn(name) + "/object/*"]}],
    }


@suite.check("policy: 404 NoSuchAccessPointPolicy, put, get the same JSON, a Deny refuses through the alias")
def _():
    name = NAMES[0]
    get_policy = lambda: client.get_access_point_policy(oss.GetAccessPointPolicyRequest(
        bucket=BUCKET, access_point_name=name))
    expect_error(get_policy, 404, "NoSuchAccessPointPolicy", "before put")
    policy = policy_for(name, "Deny", ["oss:GetObject"])
    client.put_access_point_policy(oss.PutAccessPointPolicyRequest(
        bucket=BUCKET, access_point_name=name, body=json.dumps(policy)))
    eq(json.loads(get_policy().body), policy, "policy as put")
    expect_error(lambda: client.get_object(oss.GetObjectRequest(bucket=ALIAS[name], key="via-ap.txt")),
                 403, "AccessDenied", "GetObject through the alias is denied")
    # The bucket name is not governed by the access point's policy.
    eq(client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="via-ap.txt")).status_code, 200,
       "GetObject through the bucket name")
    # Another action than the denied one still goes through (HeadObject is oss:GetObject too).
    eq(client.put_object(oss.PutObjectRequest(bucket=ALIAS[name], key="put-while-denied.txt",
                                              body=b"x")).status_code, 200, "PutObject through the alias")
    expect_error(lambda: client.head_object(oss.HeadObjectRequest(bucket=ALIAS[name], key="via-ap.txt")),
                 403, None, "HeadObject (oss:GetObject) through the alias is denied")


@suite.check("policy: a document without Statement is 400 and the stored one stays")
def _():
    name = NAMES[0]
    expect_error(lambda: client.put_access_point_policy(oss.PutAccessPointPolicyRequest(
        bucket=BUCKET, access_point_name=name, body=json.dumps({"Version": "1"}))), 400, None, "no Statement")
    got = client.get_access_point_policy(oss.GetAccessPointPolicyRequest(bucket=BUCKET, access_point_name=name))
    eq(json.loads(got.body)["Statement"][0]["Effect"], "Deny", "the earlier policy remains")


@suite.check("policy: delete; 404 again; the alias reads again")
def _():
    name = NAMES[0]
    result = client.delete_access_point_policy(oss.DeleteAccessPointPolicyRequest(
        bucket=BUCKET, access_point_name=name))
    eq(result.status_code, 204, "delete status")
    expect_error(lambda: client.get_access_point_policy(oss.GetAccessPointPolicyRequest(
        bucket=BUCKET, access_point_name=name)), 404, "NoSuchAccessPointPolicy", "after delete")
    eq(client.get_object(oss.GetObjectRequest(bucket=ALIAS[name], key="via-ap.txt")).status_code, 200,
       "GetObject through the alias")


@suite.check("public access block: false by default, put true, get, GetAccessPoint shows it, delete")
def _():
    name = NAMES[2]
    get_pab = lambda: client.get_access_point_public_access_block(
        oss.GetAccessPointPublicAccessBlockRequest(bucket=BUCKET, access_point_name=name))
    eq(get_pab().public_access_block_configuration.block_public_access, False, "default")
    client.put_access_point_public_access_block(oss.PutAccessPointPublicAccessBlockRequest(
        bucket=BUCKET, access_point_name=name,
        public_access_block_configuration=oss.PublicAccessBlockConfiguration(block_public_access=True)))
    eq(get_pab().public_access_block_configuration.block_public_access, True, "after put")
    eq(get(name).public_access_block_configuration.block_public_access, True, "GetAccessPoint")
    eq(get(NAMES[0]).public_access_block_configuration.block_public_access, False,
       "another access point is untouched")
    result = client.delete_access_point_public_access_block(
        oss.DeleteAccessPointPublicAccessBlockRequest(bucket=BUCKET, access_point_name=name))
    eq(result.status_code, 204, "delete status")
    eq(get_pab().public_access_block_configuration.block_public_access, False, "after delete")


@suite.check("public access block and policy of an unknown access point are 404 NoSuchAccessPoint")
def _():
    expect_error(lambda: client.get_access_point_public_access_block(
        oss.GetAccessPointPublicAccessBlockRequest(bucket=BUCKET, access_point_name="ap-unknown")),
        404, "NoSuchAccessPoint", "get public access block")
    expect_error(lambda: client.put_access_point_policy(oss.PutAccessPointPolicyRequest(
        bucket=BUCKET, access_point_name="ap-unknown", body=json.dumps(policy_for("ap-unknown", "Deny", ["oss:*"])))),
        404, "NoSuchAccessPoint", "put policy")


@suite.check("delete: 204; get and the alias are gone; the others remain")
def _():
    result = client.delete_access_point(oss.DeleteAccessPointRequest(bucket=BUCKET, access_point_name=NAMES[1]))
    eq(result.status_code, 204, "delete status")
    expect_error(lambda: get(NAMES[1]), 404, "NoSuchAccessPoint", "get after delete")
    expect_error(lambda: client.delete_access_point(oss.DeleteAccessPointRequest(
        bucket=BUCKET, access_point_name=NAMES[1])), 404, "NoSuchAccessPoint", "delete again")
    left = client.list_access_points(oss.ListAccessPointsRequest(bucket=BUCKET))
    eq([a.access_point_name for a in left.access_points], [NAMES[2], NAMES[0]] if NAMES[2] < NAMES[0]
       else [NAMES[0], NAMES[2]], "the others remain")


@suite.check("absent bucket: create and list are 404 NoSuchBucket")
def _():
    ghost = unique_bucket("ap-ghost")
    expect_error(lambda: create("ap-ghost", bucket=ghost), 404, "NoSuchBucket", "create")
    expect_error(lambda: client.list_access_points(oss.ListAccessPointsRequest(bucket=ghost)),
                 404, "NoSuchBucket", "list")


@suite.cleanup
def _():
    for name in NAMES:
        try:
            client.delete_access_point(oss.DeleteAccessPointRequest(bucket=BUCKET, access_point_name=name))
        except Exception:
            pass
    empty_and_delete_bucket(client, BUCKET)
    empty_and_delete_bucket(client, OTHER)


suite.run()
