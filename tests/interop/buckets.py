"""Buckets through the official SDK: create, list (prefix, marker, max-keys, paginator), info, location,
stat, ACL, versioning, tags, CORS with OPTIONS preflight, delete; and signature rejection."""

import base64
import email.utils
import hashlib
import hmac
import time

import alibabacloud_oss_v2 as oss

from _common import (ACCESS_KEY_ID, ACCESS_KEY_SECRET, ENDPOINT, LOCATION, http, read_body, Suite, empty_and_delete_bucket, eq, expect_error, make_client, true,
                     unique_bucket)

suite = Suite("buckets")


def http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


client = make_client()
BUCKET = unique_bucket("bk")
# Three buckets sharing a prefix nothing else uses, in the order ListBuckets must return them.
LIST_PREFIX = unique_bucket("lst")
LISTED = [f"{LIST_PREFIX}-a", f"{LIST_PREFIX}-b", f"{LIST_PREFIX}-c"]
ORIGIN = "https://www.example.com"
DELETED = unique_bucket("del")


@suite.check("put_bucket creates a bucket (200)")
def _():
    result = client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    eq(result.status_code, 200, "status")
    true(result.request_id, "x-oss-request-id is set")


@suite.check("put_bucket on an existing bucket of ours: 409 BucketAlreadyExists")
def _():
    expect_error(lambda: client.put_bucket(oss.PutBucketRequest(bucket=BUCKET)), 409, "BucketAlreadyExists")


@suite.check("put_bucket with x-oss-acl and CreateBucketConfiguration")
def _():
    for name in LISTED:
        client.put_bucket(oss.PutBucketRequest(
            bucket=name, acl="public-read",
            create_bucket_configuration=oss.CreateBucketConfiguration(storage_class="IA")))
    info = client.get_bucket_info(oss.GetBucketInfoRequest(bucket=LISTED[0])).bucket_info
    eq(info.acl, "public-read", "ACL given at creation")
    eq(info.storage_class, "IA", "storage class given at creation")


@suite.check("get_bucket_info: name, location, default ACL and storage class, creation date, owner")
def _():
    info = client.get_bucket_info(oss.GetBucketInfoRequest(bucket=BUCKET)).bucket_info
    eq(info.name, BUCKET, "Name")
    eq(info.location, LOCATION, "Location")
    eq(info.acl, "private", "AccessControlList/Grant of a new bucket")
    eq(info.storage_class, "Standard", "StorageClass of a new bucket")
    true(info.creation_date is not None, "CreationDate is present")
    true(info.owner is not None and info.owner.id, "Owner/ID is present")
    true(info.extranet_endpoint, "ExtranetEndpoint is present")


@suite.check("get_bucket_info on a missing bucket: 404 NoSuchBucket")
def _():
    expect_error(lambda: client.get_bucket_info(oss.GetBucketInfoRequest(bucket=unique_bucket("nope"))),
                 404, "NoSuchBucket")


@suite.check("get_bucket_location is the region's location")
def _():
    result = client.get_bucket_location(oss.GetBucketLocationRequest(bucket=BUCKET))
    eq(result.location, LOCATION, "LocationConstraint")


@suite.check("get_bucket_stat counts objects, bytes and multipart uploads")
def _():
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="stat/one", body=b"x" * 10))
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="stat/two", body=b"y" * 20))
    init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket=BUCKET, key="stat/mpu"))
    try:
        stat = client.get_bucket_stat(oss.GetBucketStatRequest(bucket=BUCKET))
        eq(stat.object_count, 2, "ObjectCount")
        eq(stat.storage, 30, "Storage (bytes)")
        eq(stat.multi_part_upload_count, 1, "MultipartUploadCount")
        eq(stat.standard_object_count, 2, "StandardObjectCount")
        eq(stat.standard_storage, 30, "StandardStorage")
    finally:
        client.abort_multipart_upload(oss.AbortMultipartUploadRequest(
            bucket=BUCKET, key="stat/mpu", upload_id=init.upload_id))
        client.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(
            bucket=BUCKET, objects=[oss.DeleteObject(key="stat/one"), oss.DeleteObject(key="stat/two")]))


@suite.check("list_buckets with prefix returns exactly our buckets, sorted, with location and date")
def _():
    result = client.list_buckets(oss.ListBucketsRequest(prefix=LIST_PREFIX))
    eq([b.name for b in result.buckets or []], LISTED, "bucket names")
    eq(result.is_truncated, False, "IsTruncated")
    eq(result.prefix, LIST_PREFIX, "Prefix echoed")
    for b in result.buckets:
        eq(b.location, LOCATION, f"{b.name} Location")
        eq(b.storage_class, "IA", f"{b.name} StorageClass")
        true(b.creation_date is not None, f"{b.name} CreationDate present")
    true(result.owner is not None and result.owner.id, "Owner/ID present")


@suite.check("list_buckets max-keys=2 truncates; marker continues after the last name")
def _():
    first = client.list_buckets(oss.ListBucketsRequest(prefix=LIST_PREFIX, max_keys=2))
    eq([b.name for b in first.buckets or []], LISTED[:2], "first page")
    eq(first.is_truncated, True, "IsTruncated")
    eq(first.next_marker, LISTED[1], "NextMarker")
    eq(first.max_keys, 2, "MaxKeys echoed")
    second = client.list_buckets(oss.ListBucketsRequest(prefix=LIST_PREFIX, marker=LISTED[1]))
    eq([b.name for b in second.buckets or []], LISTED[2:], "after marker")
    eq(second.marker, LISTED[1], "Marker echoed")
    eq(second.is_truncated, False, "IsTruncated on the last page")


@suite.check("list_buckets_paginator with limit 1 walks all pages")
def _():
    pages = list(client.list_buckets_paginator(limit=1).iter_page(oss.ListBucketsRequest(prefix=LIST_PREFIX)))
    eq([[b.name for b in p.buckets or []] for p in pages], [[n] for n in LISTED], "pages")


@suite.check("put_bucket_acl / get_bucket_acl round trip")
def _():
    for acl in ["public-read-write", "public-read", "private"]:
        client.put_bucket_acl(oss.PutBucketAclRequest(bucket=BUCKET, acl=acl))
        result = client.get_bucket_acl(oss.GetBucketAclRequest(bucket=BUCKET))
        eq(result.acl, acl, "Grant after put")
        true(result.owner is not None and result.owner.id, "Owner/ID present")


@suite.check("put_bucket_acl with an invalid ACL: 400 InvalidArgument")
def _():
    expect_error(lambda: client.put_bucket_acl(oss.PutBucketAclRequest(bucket=BUCKET, acl="world-writable")),
                 400, "InvalidArgument")


@suite.check("bucket ACL governs anonymous access to objects with the default ACL")
def _():
    readable, writable = LISTED[0], LISTED[1]  # both created public-read above
    client.put_bucket_acl(oss.PutBucketAclRequest(bucket=writable, acl="public-read-write"))
    client.put_object(oss.PutObjectRequest(bucket=readable, key="open", body=b"open data"))
    client.put_object(oss.PutObjectRequest(bucket=readable, key="closed", body=b"closed", acl="private"))
    status, _, body = http("GET", f"{ENDPOINT}/{readable}/open")
    eq((status, body), (200, b"open data"), "anonymous GET in a public-read bucket")
    status, _, body = http("GET", f"{ENDPOINT}/{readable}/?prefix=op")
    eq(status, 200, "anonymous ListObjects in a public-read bucket")
    true(b"<Key>open</Key>" in body, f"the listing names the object: {body[:300]!r}")
    status, _, _ = http("GET", f"{ENDPOINT}/{readable}/closed")
    eq(status, 403, "anonymous GET of a private object in a public-read bucket")
    status, _, _ = http("PUT", f"{ENDPOINT}/{readable}/anon", data=b"x")
    eq(status, 403, "anonymous PUT in a public-read bucket")
    status, _, body = http("PUT", f"{ENDPOINT}/{writable}/anon", data=b"anonymous write")
    eq(status, 200, f"anonymous PUT in a public-read-write bucket ({body[:200]!r})")
    eq(read_body(client.get_object(oss.GetObjectRequest(bucket=writable, key="anon"))), b"anonymous write",
       "the anonymous write")
    status, _, _ = http("GET", f"{ENDPOINT}/{BUCKET}/?prefix=x")
    eq(status, 403, "anonymous ListObjects in a private bucket")
    for bucket, key in [(readable, "open"), (readable, "closed"), (writable, "anon")]:
        client.delete_object(oss.DeleteObjectRequest(bucket=bucket, key=key))


def v1_signed(method: str, path: str, date: str) -> dict:
    """Headers for a V1-signed request, computed here from the V1 rules (not by the SDK)."""
    string_to_sign = f"{method}\n\n\n{date}\n{path}"
    digest = hmac.new(ACCESS_KEY_SECRET.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return {"Date": date, "Authorization": f"OSS {ACCESS_KEY_ID}:{base64.b64encode(digest).decode()}"}


@suite.check("a V1 signature computed independently of the SDK is accepted")
def _():
    path = f"/{BUCKET}/?acl"
    status, _, body = http("GET", f"{ENDPOINT}{path}", headers=v1_signed("GET", path, http_date(time.time())))
    eq(status, 200, f"status ({body[:300]!r})")
    true(b"<Grant>" in body, f"AccessControlPolicy document: {body[:300]!r}")


@suite.check("a request dated 20 minutes ago: 403 RequestTimeTooSkewed")
def _():
    path = f"/{BUCKET}/?acl"
    status, _, body = http("GET", f"{ENDPOINT}{path}",
                           headers=v1_signed("GET", path, http_date(time.time() - 20 * 60)))
    eq(status, 403, "status")
    true(b"<Code>RequestTimeTooSkewed</Code>" in body, f"Code RequestTimeTooSkewed: {body[:300]!r}")


@suite.check("versioning: unset, Enabled, Suspended")
def _():
    result = client.get_bucket_versioning(oss.GetBucketVersioningRequest(bucket=BUCKET))
    eq(result.version_status, None, "Status of a never-versioned bucket")
    for status in ["Enabled", "Suspended"]:
        client.put_bucket_versioning(oss.PutBucketVersioningRequest(
            bucket=BUCKET, versioning_configuration=oss.VersioningConfiguration(status=status)))
        result = client.get_bucket_versioning(oss.GetBucketVersioningRequest(bucket=BUCKET))
        eq(result.version_status, status, "Status after put")
    info = client.get_bucket_info(oss.GetBucketInfoRequest(bucket=BUCKET)).bucket_info
    eq(info.versioning, "Suspended", "BucketInfo Versioning")


@suite.check("bucket tags: none, put, get, replace, delete")
def _():
    none = client.get_bucket_tags(oss.GetBucketTagsRequest(bucket=BUCKET))
    tags = none.tagging.tag_set.tags if none.tagging and none.tagging.tag_set else None
    eq(tags or [], [], "tags of an untagged bucket")

    def put(pairs):
        client.put_bucket_tags(oss.PutBucketTagsRequest(bucket=BUCKET, tagging=oss.Tagging(
            tag_set=oss.TagSet(tags=[oss.Tag(key=k, value=v) for k, v in pairs]))))

    def get():
        t = client.get_bucket_tags(oss.GetBucketTagsRequest(bucket=BUCKET)).tagging
        return sorted((x.key, x.value) for x in (t.tag_set.tags or [])) if t and t.tag_set else []

    put([("team", "storage"), ("env", "test one")])
    eq(get(), [("env", "test one"), ("team", "storage")], "tags after put")
    put([("only", "this")])
    eq(get(), [("only", "this")], "tags after replacing put")
    client.delete_bucket_tags(oss.DeleteBucketTagsRequest(bucket=BUCKET))
    eq(get(), [], "tags after delete")


CORS_RULE = dict(allowed_origins=[ORIGIN], allowed_methods=["GET", "PUT"],
                 allowed_headers=["x-oss-meta-author"], expose_headers=["ETag", "x-oss-request-id"],
                 max_age_seconds=100)


@suite.check("CORS: get before put is 404 NoSuchCORSConfiguration")
def _():
    expect_error(lambda: client.get_bucket_cors(oss.GetBucketCorsRequest(bucket=BUCKET)),
                 404, "NoSuchCORSConfiguration")


@suite.check("CORS: put_bucket_cors / get_bucket_cors round trip")
def _():
    client.put_bucket_cors(oss.PutBucketCorsRequest(bucket=BUCKET, cors_configuration=oss.CORSConfiguration(
        cors_rules=[oss.CORSRule(**CORS_RULE),
                    oss.CORSRule(allowed_origins=["*"], allowed_methods=["HEAD"])],
        response_vary=False)))
    rules = client.get_bucket_cors(oss.GetBucketCorsRequest(bucket=BUCKET)).cors_configuration.cors_rules
    eq(len(rules), 2, "rule count")
    r = rules[0]
    eq(r.allowed_origins, [ORIGIN], "AllowedOrigin")
    eq(r.allowed_methods, ["GET", "PUT"], "AllowedMethod")
    eq([h.lower() for h in r.allowed_headers], ["x-oss-meta-author"], "AllowedHeader")
    eq(r.expose_headers, ["ETag", "x-oss-request-id"], "ExposeHeader")
    eq(r.max_age_seconds, 100, "MaxAgeSeconds")
    eq(rules[1].allowed_origins, ["*"], "second rule AllowedOrigin")
    eq(rules[1].allowed_methods, ["HEAD"], "second rule AllowedMethod")


@suite.check("CORS: option_object preflight matching a rule is allowed")
def _():
    result = client.option_object(oss.OptionObjectRequest(
        bucket=BUCKET, key="any/key.txt", origin=ORIGIN, access_control_request_method="PUT",
        access_control_request_headers="x-oss-meta-author"))
    eq(result.status_code, 200, "status")
    eq(result.access_control_allow_origin, ORIGIN, "Access-Control-Allow-Origin")
    methods = {m.strip() for m in (result.access_control_allow_methods or "").split(",")}
    true({"GET", "PUT"} <= methods, f"Access-Control-Allow-Methods has GET and PUT: {methods}")
    eq((result.access_control_allow_headers or "").lower(), "x-oss-meta-author", "Access-Control-Allow-Headers")
    exposed = {h.strip() for h in (result.access_control_expose_headers or "").split(",")}
    eq(exposed, {"ETag", "x-oss-request-id"}, "Access-Control-Expose-Headers")
    eq(result.access_control_max_age, 100, "Access-Control-Max-Age")


@suite.check("CORS: option_object with an unlisted origin, method or header is 403")
def _():
    expect_error(lambda: client.option_object(oss.OptionObjectRequest(
        bucket=BUCKET, key="k", origin="https://evil.example.org", access_control_request_method="PUT")),
        403, None, "unlisted origin")
    expect_error(lambda: client.option_object(oss.OptionObjectRequest(
        bucket=BUCKET, key="k", origin=ORIGIN, access_control_request_method="DELETE")),
        403, None, "unlisted method")
    expect_error(lambda: client.option_object(oss.OptionObjectRequest(
        bucket=BUCKET, key="k", origin=ORIGIN, access_control_request_method="GET",
        access_control_request_headers="x-oss-meta-other")), 403, None, "unlisted header")


@suite.check("CORS: the wildcard rule allows any origin for HEAD")
def _():
    result = client.option_object(oss.OptionObjectRequest(
        bucket=BUCKET, key="k", origin="https://other.example.net", access_control_request_method="HEAD"))
    eq(result.status_code, 200, "status")
    true(result.access_control_allow_origin in ("*", "https://other.example.net"),
         f"Access-Control-Allow-Origin is * or the origin: {result.access_control_allow_origin!r}")


@suite.check("CORS: delete_bucket_cors removes the rules")
def _():
    client.delete_bucket_cors(oss.DeleteBucketCorsRequest(bucket=BUCKET))
    expect_error(lambda: client.get_bucket_cors(oss.GetBucketCorsRequest(bucket=BUCKET)),
                 404, "NoSuchCORSConfiguration")
    expect_error(lambda: client.option_object(oss.OptionObjectRequest(
        bucket=BUCKET, key="k", origin=ORIGIN, access_control_request_method="GET")),
        403, None, "preflight after delete")


@suite.check("is_bucket_exist: true for ours, false for a missing one")
def _():
    eq(client.is_bucket_exist(BUCKET), True, "existing bucket")
    eq(client.is_bucket_exist(unique_bucket("absent")), False, "missing bucket")


@suite.check("requests carrying an STS security token are signed with it and accepted")
def _():
    # The interop emulator is started without a token list, so any token is accepted; what is checked is
    # that the token header (V4: also signed) does not break the signature.
    sts = make_client(credentials_provider=oss.credentials.StaticCredentialsProvider(
        ACCESS_KEY_ID, ACCESS_KEY_SECRET, security_token="interop-sts-token"))
    eq(sts.get_bucket_info(oss.GetBucketInfoRequest(bucket=BUCKET)).bucket_info.name, BUCKET, "Name")
    sts.put_object(oss.PutObjectRequest(bucket=BUCKET, key="sts", body=b"token"))
    eq(read_body(sts.get_object(oss.GetObjectRequest(bucket=BUCKET, key="sts"))), b"token", "body")
    sts.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="sts"))


@suite.check("V4 additional signed headers (x-oss-additional-headers: host) are verified")
def _():
    # V1 has no additional headers; the SDK then signs as usual, which must work too.
    extra = make_client(additional_headers=["host"])
    eq(extra.get_bucket_info(oss.GetBucketInfoRequest(bucket=BUCKET)).bucket_info.name, BUCKET, "Name")
    extra.put_object(oss.PutObjectRequest(bucket=BUCKET, key="extra", body=b"signed host"))
    eq(read_body(extra.get_object(oss.GetObjectRequest(bucket=BUCKET, key="extra"))), b"signed host", "body")
    extra.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="extra"))


@suite.check("a wrong secret is refused: 403 SignatureDoesNotMatch")
def _():
    bad = make_client(credentials_provider=oss.credentials.StaticCredentialsProvider(
        ACCESS_KEY_ID, "not-the-secret"))
    expect_error(lambda: bad.get_bucket_info(oss.GetBucketInfoRequest(bucket=BUCKET)),
                 403, "SignatureDoesNotMatch")


@suite.check("an unknown access key id is refused: 403 InvalidAccessKeyId")
def _():
    bad = make_client(credentials_provider=oss.credentials.StaticCredentialsProvider(
        "LTAIunknownKeyId", "whatever"))
    expect_error(lambda: bad.list_buckets(oss.ListBucketsRequest()), 403, "InvalidAccessKeyId")


@suite.check("delete_bucket: 409 BucketNotEmpty while it holds an object, then 204, then 404")
def _():
    # A never-versioned bucket: in BUCKET (versioning suspended above) a delete leaves a delete marker.
    bucket = DELETED
    client.put_bucket(oss.PutBucketRequest(bucket=bucket))
    client.put_object(oss.PutObjectRequest(bucket=bucket, key="keep", body=b"data"))
    expect_error(lambda: client.delete_bucket(oss.DeleteBucketRequest(bucket=bucket)), 409, "BucketNotEmpty")
    client.delete_object(oss.DeleteObjectRequest(bucket=bucket, key="keep"))
    result = client.delete_bucket(oss.DeleteBucketRequest(bucket=bucket))
    eq(result.status_code, 204, "status")
    expect_error(lambda: client.get_bucket_info(oss.GetBucketInfoRequest(bucket=bucket)), 404, "NoSuchBucket")
    expect_error(lambda: client.delete_bucket(oss.DeleteBucketRequest(bucket=bucket)), 404, "NoSuchBucket")
    eq(client.is_bucket_exist(bucket), False, "is_bucket_exist after delete")


@suite.cleanup
def _():
    for name in [BUCKET, DELETED] + LISTED:
        empty_and_delete_bucket(client, name)


suite.run()
