"""Objects through the official SDK: put (metadata, Content-MD5), get (range, response-* overrides, If-*
conditions), head, get meta, delete, delete multiple, copy (metadata directive), append, ACL (and what an
anonymous reader sees), tagging, symlinks, and keys that need escaping. CRC-64 is checked on every upload
and download."""

import email.utils
import os
import tempfile
import time
import urllib.parse

import alibabacloud_oss_v2 as oss

from _common import (ENDPOINT, Suite, crc64, empty_and_delete_bucket, eq, expect_crc, expect_error, header,
                     http, make_client, md5_base64, md5_etag, payload, read_body, true, unique_bucket)

suite = Suite("objects")
client = make_client()
BUCKET = unique_bucket("obj")
OTHER_BUCKET = unique_bucket("obj2")
DATA = payload(300, seed=1)
KEY = "docs/report.txt"
META = {"author": "alice", "project": "oss-rs"}


def http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


def get(key, **kw):
    return client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=key, **kw))


def anonymous_url(key: str) -> str:
    return f"{ENDPOINT}/{BUCKET}/{urllib.parse.quote(key, safe='/')}"


@suite.check("setup: put_bucket")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    client.put_bucket(oss.PutBucketRequest(bucket=OTHER_BUCKET))


@suite.check("put_object with metadata, headers and a correct Content-MD5: ETag and CRC-64 of the data")
def _():
    result = client.put_object(oss.PutObjectRequest(
        bucket=BUCKET, key=KEY, body=DATA, metadata=META, content_type="text/plain",
        cache_control="max-age=60", content_disposition='inline; filename="report.txt"',
        content_md5=md5_base64(DATA)))
    eq(result.status_code, 200, "status")
    eq(result.etag, md5_etag(DATA), "ETag")
    expect_crc(result, DATA, "PutObject")
    eq(result.content_md5, md5_base64(DATA), "Content-MD5 response header")


@suite.check("put_object with a Content-MD5 of other data: 400 InvalidDigest, nothing stored")
def _():
    expect_error(lambda: client.put_object(oss.PutObjectRequest(
        bucket=BUCKET, key="bad-digest", body=DATA, content_md5=md5_base64(b"something else"))),
        400, "InvalidDigest")  # OSS answers a mismatch with InvalidDigest (EC 0017-00000503), not S3's BadDigest
    expect_error(lambda: client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="bad-digest")), 404)


@suite.check("put_object with a malformed Content-MD5: 400 InvalidDigest")
def _():
    expect_error(lambda: client.put_object(oss.PutObjectRequest(
        bucket=BUCKET, key="bad-digest", body=DATA, content_md5="not-an-md5")), 400, "InvalidDigest")


@suite.check("get_object: body, length, type, ETag, metadata, headers, CRC-64")
def _():
    result = get(KEY)
    body = read_body(result)
    eq(body, DATA, "body")
    eq(result.status_code, 200, "status")
    eq(result.content_length, len(DATA), "Content-Length")
    eq(result.content_type, "text/plain", "Content-Type")
    eq(result.etag, md5_etag(DATA), "ETag")
    eq(result.metadata, META, "x-oss-meta-*")
    eq(result.cache_control, "max-age=60", "Cache-Control")
    eq(result.content_disposition, 'inline; filename="report.txt"', "Content-Disposition")
    eq(result.object_type, "Normal", "x-oss-object-type")
    eq(result.storage_class, "Standard", "x-oss-storage-class")
    true(result.last_modified is not None, "Last-Modified present")
    expect_crc(result, DATA, "GetObject")


@suite.check("get_object_to_file: the SDK's own download CRC-64 check passes")
def _():
    # get_object_to_file makes attempts-1 tries (range(1, attempts)), so it needs 2 for one try.
    retrying = make_client(retryer=oss.retry.StandardRetryer(max_attempts=2), retry_max_attempts=2)
    fd, path = tempfile.mkstemp()
    os.close(fd)
    try:
        result = retrying.get_object_to_file(oss.GetObjectRequest(bucket=BUCKET, key=KEY), path)
        true(result is not None, "a result")
        expect_crc(result, DATA, "GetObject to file")
        with open(path, "rb") as f:
            eq(f.read(), DATA, "file contents")
    finally:
        os.remove(path)


@suite.check("downloader (parallel ranged GETs) reassembles the object; its CRC-64 check passes")
def _():
    data = payload(700 * 1024 + 5, seed=9)
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="big/download.bin", body=data))
    fd, path = tempfile.mkstemp()
    os.close(fd)
    try:
        downloader = client.downloader(part_size=200 * 1024, parallel_num=2)
        result = downloader.download_file(oss.GetObjectRequest(bucket=BUCKET, key="big/download.bin"), path)
        eq(result.written, len(data), "bytes written")
        with open(path, "rb") as f:
            eq(f.read(), data, "file contents")
    finally:
        os.remove(path)


@suite.check("get_object with Range: 206, Content-Range, the slice")
def _():
    n = len(DATA)
    for spec, lo, hi in [("bytes=10-19", 10, 19), ("bytes=-5", n - 5, n - 1), (f"bytes={n - 3}-", n - 3, n - 1)]:
        result = get(KEY, range_header=spec)
        eq(read_body(result), DATA[lo:hi + 1], f"{spec} body")
        eq(result.status_code, 206, f"{spec} status")
        eq(result.content_range, f"bytes {lo}-{hi}/{n}", f"{spec} Content-Range")
        eq(result.content_length, hi - lo + 1, f"{spec} Content-Length")


@suite.check("get_object with an unsatisfiable Range: whole object by default, 416 with standard behavior")
def _():
    n = len(DATA)
    result = get(KEY, range_header=f"bytes={n + 10}-{n + 20}")
    eq(result.status_code, 200, "status (OSS ignores an invalid range)")
    eq(read_body(result), DATA, "whole body")
    expect_error(lambda: get(KEY, range_header=f"bytes={n + 10}-{n + 20}", range_behavior="standard"),
                 416, "InvalidRange")


@suite.check("get_object with response-* overrides sets those response headers")
def _():
    result = get(KEY, response_content_type="application/json", response_content_language="de-DE",
                 response_cache_control="no-cache", response_content_disposition='attachment; filename="x.json"',
                 response_expires="Thu, 01 Dec 2094 16:00:00 GMT")
    eq(read_body(result), DATA, "body")
    eq(result.content_type, "application/json", "Content-Type")
    eq(header(result, "Content-Language"), "de-DE", "Content-Language")
    eq(result.cache_control, "no-cache", "Cache-Control")
    eq(result.content_disposition, 'attachment; filename="x.json"', "Content-Disposition")
    eq(header(result, "Expires"), "Thu, 01 Dec 2094 16:00:00 GMT", "Expires")


@suite.check("get_object If-Match / If-None-Match: 200, 412 PreconditionFailed, 304")
def _():
    etag = md5_etag(DATA)
    eq(read_body(get(KEY, if_match=etag)), DATA, "If-Match with the ETag")
    expect_error(lambda: get(KEY, if_match='"0123456789ABCDEF0123456789ABCDEF"'), 412, "PreconditionFailed",
                 "If-Match with another ETag")
    expect_error(lambda: get(KEY, if_none_match=etag), 304, None, "If-None-Match with the ETag")
    eq(read_body(get(KEY, if_none_match='"0123456789ABCDEF0123456789ABCDEF"')), DATA,
       "If-None-Match with another ETag")


@suite.check("get_object If-Modified-Since / If-Unmodified-Since: 304, 200, 412")
def _():
    now = int(time.time())
    day_ago = now - 86400
    expect_error(lambda: get(KEY, if_modified_since=http_date(now)), 304, None, "If-Modified-Since now")
    eq(read_body(get(KEY, if_modified_since=http_date(day_ago))), DATA, "If-Modified-Since a day ago")
    eq(read_body(get(KEY, if_unmodified_since=http_date(now))), DATA, "If-Unmodified-Since now")
    expect_error(lambda: get(KEY, if_unmodified_since=http_date(day_ago)), 412, "PreconditionFailed",
                 "If-Unmodified-Since a day ago")


@suite.check("head_object: length, type, ETag, metadata, CRC-64; conditions apply")
def _():
    result = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key=KEY))
    eq(result.status_code, 200, "status")
    eq(result.content_length, len(DATA), "Content-Length")
    eq(result.content_type, "text/plain", "Content-Type")
    eq(result.etag, md5_etag(DATA), "ETag")
    eq(result.metadata, META, "x-oss-meta-*")
    eq(result.object_type, "Normal", "x-oss-object-type")
    expect_crc(result, DATA, "HeadObject")
    expect_error(lambda: client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key=KEY, if_none_match=md5_etag(DATA))),
                 304, None, "HEAD If-None-Match")
    expect_error(lambda: client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key=KEY, if_match='"00"')),
                 412, None, "HEAD If-Match")


@suite.check("head_object / get_object on a missing key: 404 (NoSuchKey)")
def _():
    expect_error(lambda: client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="missing")), 404)
    expect_error(lambda: get("missing"), 404, "NoSuchKey")
    eq(client.is_object_exist(BUCKET, "missing"), False, "is_object_exist(missing)")
    eq(client.is_object_exist(BUCKET, KEY), True, "is_object_exist(existing)")


@suite.check("an error carries its request id (header and body agree) and an EC")
def _():
    err = expect_error(lambda: get("missing"), 404, "NoSuchKey")
    true(err.request_id, "RequestId in the error document")
    eq(err.request_id, header(err, "x-oss-request-id"), "RequestId equals the x-oss-request-id header")
    true(err.ec, f"EC in the error document or x-oss-ec: {err.ec!r}")
    true(err.message, "Message in the error document")


@suite.check("get_object_meta: length and ETag")
def _():
    result = client.get_object_meta(oss.GetObjectMetaRequest(bucket=BUCKET, key=KEY))
    eq(result.content_length, len(DATA), "Content-Length")
    eq(result.etag, md5_etag(DATA), "ETag")
    true(result.last_modified is not None, "Last-Modified present")


@suite.check("keys that need escaping round-trip (spaces, unicode, ?#&+=%, //)")
def _():
    # No "." or ".." segments: the SDK's transport (requests/urllib3) removes them from the path after
    # signing, so such keys fail against any server.
    keys = ["dir/with space.txt", "ünïcödé/ключ/鍵.bin", "q?x#y&z+w=v%25.txt", "a//b/c", "t~!*()'"]
    for i, key in enumerate(keys):
        data = payload(50 + i, seed=100 + i)
        result = client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=data))
        expect_crc(result, data, f"put {key!r}")
        eq(read_body(get(key)), data, f"get {key!r}")
    listed = client.list_objects(oss.ListObjectsRequest(bucket=BUCKET, prefix="q?"))
    eq([o.key for o in listed.contents or []], ["q?x#y&z+w=v%25.txt"], "listed key")


@suite.check("invalid object names: leading '/' or '\\', 1024 bytes: 400 InvalidObjectName")
def _():
    # OSS object names are 1-1023 bytes of UTF-8 and do not start with '/' or '\'.
    for key in ["/leading-slash", "\\leading-backslash", "k" * 1024]:
        expect_error(lambda: client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=b"x")),
                     400, "InvalidObjectName", f"put {key[:20]!r}")
    result = client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="k" * 1023, body=b"x"))
    eq(result.status_code, 200, "a 1023-byte name is fine")


@suite.check("delete_object: 204; deleting a missing key is 204 too")
def _():
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="to-delete", body=b"bye"))
    result = client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="to-delete"))
    eq(result.status_code, 204, "status")
    expect_error(lambda: get("to-delete"), 404, "NoSuchKey")
    result = client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="never-existed"))
    eq(result.status_code, 204, "status for a missing key")


@suite.check("delete_multiple_objects: verbose lists every key, quiet lists none")
def _():
    keys = ["multi/a", "multi/b", "multi/c d", "multi/e"]
    for key in keys:
        client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=key.encode()))
    result = client.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(
        bucket=BUCKET, objects=[oss.DeleteObject(key=k) for k in ["multi/a", "multi/c d", "multi/missing"]]))
    eq(sorted(d.key for d in result.deleted_objects or []), ["multi/a", "multi/c d", "multi/missing"],
       "Deleted keys")
    quiet = client.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(
        bucket=BUCKET, objects=[oss.DeleteObject(key="multi/b")], quiet=True))
    eq(quiet.deleted_objects or [], [], "Deleted in quiet mode")
    left = client.list_objects(oss.ListObjectsRequest(bucket=BUCKET, prefix="multi/"))
    eq([o.key for o in left.contents or []], ["multi/e"], "what is left")


@suite.check("delete_multiple_objects with keys the SDK writes as XML character references")
def _():
    # The SDK escapes & < > " and writes control characters as `&#NN;` in the Delete document, and asks for
    # encoding-type=url in the answer.
    keys = ["refs/ctl\x01one", "refs/new\nline\ttab\rcr", "refs/a&b<c>d\"e"]
    for key in keys:
        client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=b"r"))
    result = client.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(
        bucket=BUCKET, objects=[oss.DeleteObject(key=k) for k in keys]))
    eq(sorted(d.key for d in result.deleted_objects or []), sorted(keys), "Deleted keys, decoded")
    eq(result.encoding_type, "url", "EncodingType")
    left = client.list_objects(oss.ListObjectsRequest(bucket=BUCKET, prefix="refs/"))
    eq([o.key for o in left.contents or []], [], "nothing left under refs/")


@suite.check("storage class given at upload is kept (head, listing)")
def _():
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="classes/ia", body=b"ia", storage_class="IA"))
    eq(client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="classes/ia")).storage_class, "IA",
       "x-oss-storage-class")
    listed = client.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, prefix="classes/"))
    eq([(o.key, o.storage_class) for o in listed.contents or []], [("classes/ia", "IA")], "StorageClass listed")


@suite.check("an unknown storage class is refused: 400")
def _():
    expect_error(lambda: client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="classes/bad", body=b"x",
                                                                storage_class="Platinum")),
                 400, None, "an unknown storage class (EC 0013-00000101)")


@suite.check("copy_object with the COPY directive keeps data, type and metadata")
def _():
    result = client.copy_object(oss.CopyObjectRequest(bucket=BUCKET, key="copies/same", source_bucket=BUCKET,
                                                      source_key=KEY))
    eq(result.status_code, 200, "status")
    eq(result.etag, md5_etag(DATA), "ETag in CopyObjectResult")
    expect_crc(result, DATA, "CopyObject")
    copied = get("copies/same")
    eq(read_body(copied), DATA, "body")
    eq(copied.metadata, META, "metadata")
    eq(copied.content_type, "text/plain", "Content-Type")


@suite.check("copy_object with the REPLACE directive takes the request's metadata only")
def _():
    client.copy_object(oss.CopyObjectRequest(bucket=BUCKET, key="copies/replaced", source_bucket=BUCKET,
                                             source_key=KEY, metadata_directive="REPLACE",
                                             metadata={"reviewer": "bob"}, content_type="application/x-report"))
    copied = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="copies/replaced"))
    eq(copied.metadata, {"reviewer": "bob"}, "metadata")
    eq(copied.content_type, "application/x-report", "Content-Type")
    eq(copied.content_length, len(DATA), "Content-Length")


@suite.check("copy_object tagging directive: Copy keeps the source's tags, Replace takes x-oss-tagging")
def _():
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="copies/tagged-src", body=b"t", tagging="a=1&b=2"))

    def tags(key):
        ts = client.get_object_tagging(oss.GetObjectTaggingRequest(bucket=BUCKET, key=key)).tag_set
        return sorted((t.key, t.value) for t in (ts.tags if ts else None) or [])

    client.copy_object(oss.CopyObjectRequest(bucket=BUCKET, key="copies/tags-kept", source_bucket=BUCKET,
                                             source_key="copies/tagged-src"))
    eq(tags("copies/tags-kept"), [("a", "1"), ("b", "2")], "tags with the default (Copy) directive")
    client.copy_object(oss.CopyObjectRequest(bucket=BUCKET, key="copies/tags-replaced", source_bucket=BUCKET,
                                             source_key="copies/tagged-src", tagging="c=3",
                                             tagging_directive="Replace"))
    eq(tags("copies/tags-replaced"), [("c", "3")], "tags with the Replace directive")


@suite.check("copy_object onto itself with REPLACE updates metadata in place")
def _():
    key = "copies/self"
    data = b"self copy"
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=data, metadata={"v": "1"}))
    client.copy_object(oss.CopyObjectRequest(bucket=BUCKET, key=key, source_bucket=BUCKET, source_key=key,
                                             metadata_directive="REPLACE", metadata={"v": "2"}))
    result = get(key)
    eq(read_body(result), data, "body")
    eq(result.metadata, {"v": "2"}, "metadata")


@suite.check("copy_object to another bucket; missing source 404 NoSuchKey; failed condition 412")
def _():
    client.copy_object(oss.CopyObjectRequest(bucket=OTHER_BUCKET, key="from-other", source_bucket=BUCKET,
                                             source_key=KEY))
    eq(read_body(client.get_object(oss.GetObjectRequest(bucket=OTHER_BUCKET, key="from-other"))), DATA,
       "body in the other bucket")
    expect_error(lambda: client.copy_object(oss.CopyObjectRequest(
        bucket=BUCKET, key="copies/none", source_bucket=BUCKET, source_key="no-such-source")), 404, "NoSuchKey")
    expect_error(lambda: client.copy_object(oss.CopyObjectRequest(
        bucket=BUCKET, key="copies/none", source_bucket=BUCKET, source_key=KEY,
        if_match='"0123456789ABCDEF0123456789ABCDEF"')), 412, "PreconditionFailed")


@suite.check("append_object: positions advance, CRC-64 covers the whole object, wrong position is 409")
def _():
    key = "logs/app.log"
    first, second = b"hello ", b"appendable world"
    r1 = client.append_object(oss.AppendObjectRequest(bucket=BUCKET, key=key, position=0, body=first,
                                                      content_type="text/plain"))
    eq(r1.next_position, len(first), "x-oss-next-append-position after the first append")
    expect_crc(r1, first, "first append")
    r2 = client.append_object(oss.AppendObjectRequest(bucket=BUCKET, key=key, position=len(first), body=second))
    eq(r2.next_position, len(first) + len(second), "x-oss-next-append-position after the second append")
    expect_crc(r2, first + second, "second append")
    err = expect_error(lambda: client.append_object(oss.AppendObjectRequest(
        bucket=BUCKET, key=key, position=3, body=b"x")), 409, "PositionNotEqualToLength")
    eq(header(err, "x-oss-next-append-position"), str(len(first) + len(second)),
       "x-oss-next-append-position on the error")
    head = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key=key))
    eq(head.object_type, "Appendable", "x-oss-object-type")
    eq(head.next_append_position, len(first) + len(second), "x-oss-next-append-position on HEAD")
    result = get(key)
    eq(read_body(result), first + second, "body")
    expect_crc(result, first + second, "GetObject of the appended object")


@suite.check("append_file (the SDK's appendable file): writes continue where the object ends")
def _():
    key = "logs/file.log"
    parts = [b"line one\n", b"line two\n", payload(1000, seed=7)]
    f = client.append_file(BUCKET, key)
    for part in parts:
        eq(f.write(part), len(part), "bytes written")
    f.close()
    again = client.append_file(BUCKET, key)
    again.write(b"reopened\n")
    again.close()
    whole = b"".join(parts) + b"reopened\n"
    result = get(key)
    eq(read_body(result), whole, "body")
    expect_crc(result, whole, "GetObject of the appended file")


@suite.check("append_object to a missing key at a non-zero position: 409 PositionNotEqualToLength")
def _():
    err = expect_error(lambda: client.append_object(oss.AppendObjectRequest(
        bucket=BUCKET, key="logs/never", position=5, body=b"x")), 409, "PositionNotEqualToLength")
    eq(header(err, "x-oss-next-append-position"), "0", "x-oss-next-append-position")
    expect_error(lambda: client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="logs/never")), 404)


@suite.check("append_object onto a Normal object: 409 ObjectNotAppendable")
def _():
    expect_error(lambda: client.append_object(oss.AppendObjectRequest(
        bucket=BUCKET, key=KEY, position=len(DATA), body=b"more")), 409, "ObjectNotAppendable")


@suite.check("object ACL: default, then public-read and private; anonymous GET follows it")
def _():
    eq(client.get_object_acl(oss.GetObjectAclRequest(bucket=BUCKET, key=KEY)).acl, "default", "initial ACL")
    status, _, body = http("GET", anonymous_url(KEY))
    eq(status, 403, "anonymous GET of a private object")
    true(b"AccessDenied" in body, f"anonymous GET error code AccessDenied: {body[:200]!r}")
    client.put_object_acl(oss.PutObjectAclRequest(bucket=BUCKET, key=KEY, acl="public-read"))
    eq(client.get_object_acl(oss.GetObjectAclRequest(bucket=BUCKET, key=KEY)).acl, "public-read", "ACL after put")
    status, headers, body = http("GET", anonymous_url(KEY))
    eq(status, 200, "anonymous GET of a public-read object")
    eq(body, DATA, "anonymous GET body")
    status, _, _ = http("PUT", anonymous_url(KEY), data=b"overwrite")
    eq(status, 403, "anonymous PUT onto a public-read object")
    client.put_object_acl(oss.PutObjectAclRequest(bucket=BUCKET, key=KEY, acl="private"))
    eq(client.get_object_acl(oss.GetObjectAclRequest(bucket=BUCKET, key=KEY)).acl, "private", "ACL after put")
    status, _, _ = http("GET", anonymous_url(KEY))
    eq(status, 403, "anonymous GET after private")


@suite.check("put_object with x-oss-object-acl sets the object's ACL")
def _():
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="acl-at-put", body=b"a", acl="public-read"))
    eq(client.get_object_acl(oss.GetObjectAclRequest(bucket=BUCKET, key="acl-at-put")).acl, "public-read", "ACL")


@suite.check("tagging: x-oss-tagging at put, get, replace, count header, delete")
def _():
    key = "tagged"
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=b"t", tagging="k1=v1&k2=v%202"))

    def tags():
        result = client.get_object_tagging(oss.GetObjectTaggingRequest(bucket=BUCKET, key=key))
        ts = result.tag_set.tags if result.tag_set else None
        return sorted((t.key, t.value) for t in ts or [])

    eq(tags(), [("k1", "v1"), ("k2", "v 2")], "tags from x-oss-tagging")
    eq(get(key).tagging_count, 2, "x-oss-tagging-count")
    client.put_object_tagging(oss.PutObjectTaggingRequest(bucket=BUCKET, key=key, tagging=oss.Tagging(
        tag_set=oss.TagSet(tags=[oss.Tag(key="owner", value="team a")]))))
    eq(tags(), [("owner", "team a")], "tags after put_object_tagging")
    client.delete_object_tagging(oss.DeleteObjectTaggingRequest(bucket=BUCKET, key=key))
    eq(tags(), [], "tags after delete_object_tagging")


@suite.check("symlink: put_symlink, get_symlink target and metadata")
def _():
    result = client.put_symlink(oss.PutSymlinkRequest(bucket=BUCKET, key="links/report", target=KEY,
                                                      metadata={"kind": "link"}))
    eq(result.status_code, 200, "status")
    link = client.get_symlink(oss.GetSymlinkRequest(bucket=BUCKET, key="links/report"))
    # OSS returns the target URL-encoded (older official SDKs url-decode it; v2 hands the raw header over).
    eq(urllib.parse.unquote(link.target), KEY, "x-oss-symlink-target, URL-decoded")
    eq(link.metadata, {"kind": "link"}, "symlink metadata")


@suite.check("symlink: GET through the link returns the target's data and CRC-64")
def _():
    through = get("links/report")
    eq(read_body(through), DATA, "GET through the link")
    expect_crc(through, DATA, "GET through the link")


@suite.check("symlink: HEAD through the link has the target's length and ETag")
def _():
    head = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="links/report"))
    eq(head.content_length, len(DATA), "Content-Length through the link")
    eq(head.etag, md5_etag(DATA), "ETag through the link")


@suite.check("symlink: HEAD through the link has the link's own type and metadata")
def _():
    # Through a link, Content-Length, ETag and Content-MD5 are the target's; every other header (object
    # type, user metadata) is the link's own.
    head = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="links/report"))
    eq(head.object_type, "Symlink", "x-oss-object-type through the link")
    eq(head.metadata, {"kind": "link"}, "x-oss-meta-* through the link")


@suite.check("symlink: a dangling link is 404 SymlinkTargetNotExist; get_symlink of a plain object 400")
def _():
    client.put_symlink(oss.PutSymlinkRequest(bucket=BUCKET, key="links/dangling", target="nowhere"))
    expect_error(lambda: get("links/dangling"), 404, "SymlinkTargetNotExist")
    expect_error(lambda: client.get_symlink(oss.GetSymlinkRequest(bucket=BUCKET, key=KEY)), 400, "NotSymlink")


@suite.check("put_object overwrites; x-oss-forbid-overwrite refuses with 409 FileAlreadyExists")
def _():
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="over", body=b"one"))
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="over", body=b"two"))
    eq(read_body(get("over")), b"two", "body after overwrite")
    expect_error(lambda: client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="over", body=b"three",
                                                                forbid_overwrite=True)), 409, "FileAlreadyExists")
    eq(read_body(get("over")), b"two", "body after the refused overwrite")


@suite.check("an empty object: length 0, MD5 ETag of nothing, CRC-64 0")
def _():
    result = client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="empty", body=b""))
    eq(result.etag, md5_etag(b""), "ETag")
    expect_crc(result, b"", "PutObject of nothing")
    got = get("empty")
    eq(read_body(got), b"", "body")
    eq(got.content_length, 0, "Content-Length")
    eq(crc64(b""), "0", "CRC-64 of nothing (self-check of the expected-value helper)")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)
    empty_and_delete_bucket(client, OTHER_BUCKET)


suite.run()
