"""Object listings through the official SDK: list_objects (V1) and list_objects_v2 with prefix, delimiter,
marker / start-after / continuation token, max-keys, fetch-owner, encoding-type=url, and the paginators; plus
the raw XML of a listing (the SDK always asks for encoding-type=url, so the plain form is read raw)."""

import xml.etree.ElementTree as ET

import alibabacloud_oss_v2 as oss
from alibabacloud_oss_v2.types import OperationInput

from _common import (Suite, empty_and_delete_bucket, eq, expect_error, make_client, md5_etag, true,
                     unique_bucket)

suite = Suite("listing")
client = make_client()
BUCKET = unique_bucket("lst")
EMPTY_BUCKET = unique_bucket("empty")

# Every key holds its own name as data; listed in byte order.
TREE = ["tree/a", "tree/b/1", "tree/b/2", "tree/b/c/3", "tree/c", "tree/d/", "tree/e+f g"]
ENCODED = ["enc/ctl\x01a", "enc/plus+sign", "enc/space key", "enc/ünï/κλειδί"]
OUTSIDE = ["other/x", "top"]


def v1(**kw):
    return client.list_objects(oss.ListObjectsRequest(bucket=BUCKET, **kw))


def v2(**kw):
    return client.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, **kw))


def keys(result):
    return [o.key for o in result.contents or []]


def prefixes(result):
    return [p.prefix for p in result.common_prefixes or []]


def raw_list(params: dict) -> ET.Element:
    out = client.invoke_operation(OperationInput(op_name="ListObjects", method="GET", bucket=BUCKET,
                                                 parameters=params))
    body = out.http_response.content if out.http_response is not None else out.body
    return ET.fromstring(body)


@suite.check("setup: bucket with a key tree")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    client.put_bucket(oss.PutBucketRequest(bucket=EMPTY_BUCKET))
    for key in TREE + ENCODED + OUTSIDE:
        client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=key.encode()))


@suite.check("list_objects with prefix: keys in order with size, ETag, class, owner, date")
def _():
    result = v1(prefix="tree/")
    eq(keys(result), TREE, "Contents/Key")
    eq([o.size for o in result.contents], [len(k.encode()) for k in TREE], "Size")
    eq([o.etag for o in result.contents], [md5_etag(k.encode()) for k in TREE], "ETag")
    eq({o.storage_class for o in result.contents}, {"Standard"}, "StorageClass")
    eq({o.object_type for o in result.contents}, {"Normal"}, "Type")
    true(all(o.owner is not None and o.owner.id for o in result.contents), "Owner/ID on every entry")
    true(all(o.last_modified is not None for o in result.contents), "LastModified on every entry")
    eq(result.is_truncated, False, "IsTruncated")
    eq(result.prefix, "tree/", "Prefix echoed")
    eq(result.name, BUCKET, "Name")


@suite.check("list_objects without prefix lists the whole bucket in byte order")
def _():
    eq(keys(v1()), sorted(TREE + ENCODED + OUTSIDE, key=lambda k: k.encode()), "all keys")


@suite.check("list_objects with delimiter: direct keys and common prefixes")
def _():
    result = v1(prefix="tree/", delimiter="/")
    eq(keys(result), ["tree/a", "tree/c", "tree/e+f g"], "Contents")
    eq(prefixes(result), ["tree/b/", "tree/d/"], "CommonPrefixes")
    eq(result.delimiter, "/", "Delimiter echoed")
    nested = v1(prefix="tree/b/", delimiter="/")
    eq(keys(nested), ["tree/b/1", "tree/b/2"], "Contents under tree/b/")
    eq(prefixes(nested), ["tree/b/c/"], "CommonPrefixes under tree/b/")
    top = v1(delimiter="/")
    eq(keys(top), ["top"], "top-level keys")
    eq(prefixes(top), ["enc/", "other/", "tree/"], "top-level prefixes")


@suite.check("list_objects with max-keys and marker")
def _():
    first = v1(prefix="tree/", max_keys=3)
    eq(keys(first), TREE[:3], "first page")
    eq(first.is_truncated, True, "IsTruncated")
    eq(first.next_marker, TREE[2], "NextMarker")
    eq(first.max_keys, 3, "MaxKeys echoed")
    rest = v1(prefix="tree/", marker=TREE[2])
    eq(keys(rest), TREE[3:], "after the marker")
    eq(rest.marker, TREE[2], "Marker echoed")
    eq(rest.is_truncated, False, "IsTruncated on the last page")
    eq(keys(v1(prefix="tree/", marker="tree/b")), TREE[1:], "a marker that is not a key")


@suite.check("list_objects with delimiter and max-keys pages through without repeating a prefix")
def _():
    seen_keys, seen_prefixes, marker, pages = [], [], "", 0
    while True:
        result = v1(prefix="tree/", delimiter="/", max_keys=1, marker=marker)
        pages += 1
        seen_keys += keys(result)
        seen_prefixes += prefixes(result)
        true(len(keys(result)) + len(prefixes(result)) <= 1, "at most max-keys entries per page")
        if not result.is_truncated:
            break
        marker = result.next_marker
        true(pages < 20, "pagination ends")
    eq(seen_keys, ["tree/a", "tree/c", "tree/e+f g"], "keys over all pages")
    eq(seen_prefixes, ["tree/b/", "tree/d/"], "prefixes over all pages")


@suite.check("list_objects_paginator with limit 2")
def _():
    pages = list(client.list_objects_paginator(limit=2).iter_page(oss.ListObjectsRequest(bucket=BUCKET,
                                                                                        prefix="tree/")))
    eq([keys(p) for p in pages], [TREE[0:2], TREE[2:4], TREE[4:6], TREE[6:]], "pages")


@suite.check("list_objects with encoding-type=url: control characters, spaces, '+' and unicode decode")
def _():
    result = v1(prefix="enc/")
    eq(result.encoding_type, "url", "EncodingType")
    eq(keys(result), ENCODED, "decoded keys")
    result = v1(prefix="enc/", delimiter="/", max_keys=1)
    eq(keys(result), [ENCODED[0]], "first decoded key")
    eq(result.next_marker, ENCODED[0], "decoded NextMarker")
    rest = v1(prefix="enc/", marker=ENCODED[0])
    eq(keys(rest), ENCODED[1:], "after a marker with a control character")


@suite.check("raw ListObjects without encoding-type: plain XML, plain keys")
def _():
    root = raw_list({"prefix": "tree/"})
    eq(root.tag, "ListBucketResult", "root element")
    eq([e.text for e in root.findall("Contents/Key")], TREE, "Key elements")
    eq(root.findtext("IsTruncated"), "false", "IsTruncated text")
    eq(root.findtext("MaxKeys"), "100", "default MaxKeys")
    true(root.find("EncodingType") is None, "no EncodingType element when not asked")


@suite.check("raw ListObjects with encoding-type=url: Key text is percent-encoded")
def _():
    root = raw_list({"prefix": "enc/", "encoding-type": "url"})
    eq(root.findtext("EncodingType"), "url", "EncodingType")
    raw = [e.text for e in root.findall("Contents/Key")]
    eq(len(raw), len(ENCODED), "key count")
    true(raw[0].startswith("enc%2F"), f"'/' percent-encoded as in OSS's own responses: {raw[0]!r}")
    true("%01" in raw[0], f"control character percent-encoded: {raw[0]!r}")
    true(" " not in raw[2] and ("%20" in raw[2] or "+" in raw[2]), f"space encoded: {raw[2]!r}")
    true("%2B" in raw[1].upper(), f"'+' percent-encoded: {raw[1]!r}")
    # OSS encodes Prefix (and markers, delimiter) too, '/' included: `<Prefix>demo%2Fgp-</Prefix>` in the
    # real responses the official Go SDK's tests replay.
    eq(root.findtext("Prefix"), "enc%2F", "Prefix")


@suite.check("list_objects_v2 with prefix: keys, KeyCount, no Owner unless fetch-owner")
def _():
    result = v2(prefix="tree/")
    eq(keys(result), TREE, "Contents/Key")
    eq(result.key_count, len(TREE), "KeyCount")
    eq(result.is_truncated, False, "IsTruncated")
    true(all(o.owner is None for o in result.contents), "no Owner without fetch-owner")
    owned = v2(prefix="tree/", fetch_owner=True)
    true(all(o.owner is not None and o.owner.id for o in owned.contents), "Owner with fetch-owner=true")


@suite.check("list_objects_v2 with delimiter: KeyCount counts keys and prefixes")
def _():
    result = v2(prefix="tree/", delimiter="/")
    eq(keys(result), ["tree/a", "tree/c", "tree/e+f g"], "Contents")
    eq(prefixes(result), ["tree/b/", "tree/d/"], "CommonPrefixes")
    eq(result.key_count, 5, "KeyCount")


@suite.check("list_objects_v2 with max-keys and continuation-token")
def _():
    first = v2(prefix="tree/", max_keys=3)
    eq(keys(first), TREE[:3], "first page")
    eq(first.is_truncated, True, "IsTruncated")
    true(first.next_continuation_token, "NextContinuationToken is set")
    rest = v2(prefix="tree/", continuation_token=first.next_continuation_token)
    eq(keys(rest), TREE[3:], "after the token")
    eq(rest.continuation_token, first.next_continuation_token, "ContinuationToken echoed")
    eq(rest.is_truncated, False, "IsTruncated on the last page")


@suite.check("list_objects_v2 with start-after")
def _():
    result = v2(prefix="tree/", start_after="tree/b/2")
    eq(keys(result), TREE[3:], "after tree/b/2")
    eq(result.start_after, "tree/b/2", "StartAfter echoed")


@suite.check("list_objects_v2_paginator with limit 3, also with delimiter")
def _():
    pages = list(client.list_objects_v2_paginator(limit=3).iter_page(
        oss.ListObjectsV2Request(bucket=BUCKET, prefix="tree/")))
    eq([keys(p) for p in pages], [TREE[0:3], TREE[3:6], TREE[6:]], "pages")
    pages = list(client.list_objects_v2_paginator(limit=1).iter_page(
        oss.ListObjectsV2Request(bucket=BUCKET, prefix="tree/", delimiter="/")))
    eq([k for p in pages for k in keys(p)], ["tree/a", "tree/c", "tree/e+f g"], "keys over all pages")
    eq([x for p in pages for x in prefixes(p)], ["tree/b/", "tree/d/"], "prefixes over all pages")


@suite.check("list_objects_v2 with encoding-type=url decodes keys and start-after")
def _():
    result = v2(prefix="enc/", start_after=ENCODED[0])
    eq(result.encoding_type, "url", "EncodingType")
    eq(keys(result), ENCODED[1:], "decoded keys after a start-after with a control character")
    eq(result.start_after, ENCODED[0], "decoded StartAfter")


@suite.check("listing an empty bucket; listing a missing bucket is 404 NoSuchBucket")
def _():
    empty = client.list_objects_v2(oss.ListObjectsV2Request(bucket=EMPTY_BUCKET))
    eq(keys(empty), [], "no keys")
    eq(empty.key_count, 0, "KeyCount")
    eq(empty.is_truncated, False, "IsTruncated")
    empty = client.list_objects(oss.ListObjectsRequest(bucket=EMPTY_BUCKET))
    eq(keys(empty), [], "no keys (V1)")
    expect_error(lambda: client.list_objects(oss.ListObjectsRequest(bucket=unique_bucket("missing"))),
                 404, "NoSuchBucket")
    expect_error(lambda: client.list_objects_v2(oss.ListObjectsV2Request(bucket=unique_bucket("missing"))),
                 404, "NoSuchBucket")


@suite.check("max-keys out of range: 400 InvalidArgument")
def _():
    expect_error(lambda: v1(max_keys=1001), 400, "InvalidArgument")
    expect_error(lambda: v2(max_keys=1001), 400, "InvalidArgument")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)
    empty_and_delete_bucket(client, EMPTY_BUCKET)


suite.run()
