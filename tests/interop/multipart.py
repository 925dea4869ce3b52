"""Multipart uploads through the official SDK: initiate, upload_part, upload_part_copy, list_parts (markers,
max-parts, paginator), complete (explicit list and complete-all), abort, the errors OSS gives for bad part
lists, and list_multipart_uploads (prefix, delimiter, key/upload-id markers, max-uploads, encoding-type=url,
paginator). CRC-64 is checked on every part and on the completed object."""

import io
import xml.etree.ElementTree as ET

import alibabacloud_oss_v2 as oss
from alibabacloud_oss_v2.types import OperationInput

from _common import (CheckFailed, Suite, crc64, empty_and_delete_bucket, eq, expect_crc, expect_error, make_client, md5_etag,
                     multipart_etag, payload, read_body, service_error, true, unique_bucket)

suite = Suite("multipart")
client = make_client()
BUCKET = unique_bucket("mpu")
KEY = "big/object.bin"
PART = 100 * 1024  # OSS's minimum size for every part but the last
PARTS = [payload(PART, seed=11), payload(PART, seed=12), payload(1234, seed=13)]
SOURCE = payload(3 * PART, seed=14)  # upload_part_copy's source object
state = {}


@suite.check("setup: bucket and a source object for upload_part_copy")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="source.bin", body=SOURCE))


@suite.check("initiate_multipart_upload echoes bucket and key, returns an upload id")
def _():
    result = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(
        bucket=BUCKET, key=KEY, metadata={"origin": "interop"}, content_type="application/x-big"))
    eq(result.status_code, 200, "status")
    eq(result.bucket, BUCKET, "Bucket")
    eq(result.key, KEY, "Key")
    true(result.upload_id, "UploadId is set")
    state["upload_id"] = result.upload_id


@suite.check("upload_part: ETag is the part's MD5, CRC-64 is the part's")
def _():
    for number, data in enumerate(PARTS, start=1):
        result = client.upload_part(oss.UploadPartRequest(bucket=BUCKET, key=KEY, upload_id=state["upload_id"],
                                                          part_number=number, body=data))
        eq(result.etag, md5_etag(data), f"part {number} ETag")
        expect_crc(result, data, f"part {number}")


@suite.check("upload_part again with the same number replaces the part")
def _():
    client.upload_part(oss.UploadPartRequest(bucket=BUCKET, key=KEY, upload_id=state["upload_id"],
                                             part_number=3, body=b"placeholder"))
    result = client.upload_part(oss.UploadPartRequest(bucket=BUCKET, key=KEY, upload_id=state["upload_id"],
                                                      part_number=3, body=PARTS[2]))
    eq(result.etag, md5_etag(PARTS[2]), "replacing part ETag")


@suite.check("upload_part_copy with x-oss-copy-source-range: ETag of the copied slice")
def _():
    lo, hi = 1000, 1000 + PART - 1
    result = client.upload_part_copy(oss.UploadPartCopyRequest(
        bucket=BUCKET, key=KEY, upload_id=state["upload_id"], part_number=4, source_bucket=BUCKET,
        source_key="source.bin", source_range=f"bytes={lo}-{hi}"))
    eq(result.etag, md5_etag(SOURCE[lo:hi + 1]), "CopyPartResult ETag")
    true(result.last_modified is not None, "LastModified present")
    state["copied"] = SOURCE[lo:hi + 1]


@suite.check("upload_part_copy from a missing source: 404 NoSuchKey")
def _():
    # A separate upload, so a wrongly accepted copy cannot disturb the main upload's part list.
    init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket=BUCKET, key="copy-errors"))
    try:
        expect_error(lambda: client.upload_part_copy(oss.UploadPartCopyRequest(
            bucket=BUCKET, key="copy-errors", upload_id=init.upload_id, part_number=1, source_bucket=BUCKET,
            source_key="no-such-source")), 404, "NoSuchKey")
    finally:
        client.abort_multipart_upload(oss.AbortMultipartUploadRequest(bucket=BUCKET, key="copy-errors",
                                                                      upload_id=init.upload_id))


@suite.check("upload_part_copy with x-oss-copy-source-if-match / -if-none-match")
def _():
    init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket=BUCKET, key="copy-if"))
    try:
        expect_error(lambda: client.upload_part_copy(oss.UploadPartCopyRequest(
            bucket=BUCKET, key="copy-if", upload_id=init.upload_id, part_number=1, source_bucket=BUCKET,
            source_key="source.bin", if_match='"0123456789ABCDEF0123456789ABCDEF"')), 412, "PreconditionFailed",
            "if-match with another ETag")
        # The UploadPartCopy reference says 412 for a failed if-none-match, ossutil's page says 304: take either.
        try:
            client.upload_part_copy(oss.UploadPartCopyRequest(
                bucket=BUCKET, key="copy-if", upload_id=init.upload_id, part_number=1, source_bucket=BUCKET,
                source_key="source.bin", if_none_match=md5_etag(SOURCE)))
        except Exception as exc:
            err = service_error(exc)
            true(err is not None and err.status_code in (304, 412),
                 f"if-none-match with the ETag: 304 or 412, got {(err.status_code, err.code) if err else exc!r}")
        else:
            raise CheckFailed("if-none-match with the ETag: the copy succeeded")
        result = client.upload_part_copy(oss.UploadPartCopyRequest(
            bucket=BUCKET, key="copy-if", upload_id=init.upload_id, part_number=1, source_bucket=BUCKET,
            source_key="source.bin", if_match=md5_etag(SOURCE)))
        eq(result.etag, md5_etag(SOURCE), "if-match with the ETag copies the whole source")
    finally:
        client.abort_multipart_upload(oss.AbortMultipartUploadRequest(bucket=BUCKET, key="copy-if",
                                                                      upload_id=init.upload_id))


@suite.check("list_parts: numbers, sizes, ETags in order")
def _():
    result = client.list_parts(oss.ListPartsRequest(bucket=BUCKET, key=KEY, upload_id=state["upload_id"]))
    expected = [PARTS[0], PARTS[1], PARTS[2], state["copied"]]
    eq([p.part_number for p in result.parts or []], [1, 2, 3, 4], "PartNumber")
    eq([p.size for p in result.parts or []], [len(d) for d in expected], "Size")
    eq([p.etag for p in result.parts or []], [md5_etag(d) for d in expected], "ETag")
    eq(result.is_truncated, False, "IsTruncated")
    eq(result.upload_id, state["upload_id"], "UploadId echoed")
    eq(result.key, KEY, "Key echoed")


@suite.check("list_parts with max-parts and part-number-marker")
def _():
    first = client.list_parts(oss.ListPartsRequest(bucket=BUCKET, key=KEY, upload_id=state["upload_id"],
                                                   max_parts=2))
    eq([p.part_number for p in first.parts or []], [1, 2], "first page")
    eq(first.is_truncated, True, "IsTruncated")
    eq(first.next_part_number_marker, 2, "NextPartNumberMarker")
    eq(first.max_parts, 2, "MaxParts echoed")
    rest = client.list_parts(oss.ListPartsRequest(bucket=BUCKET, key=KEY, upload_id=state["upload_id"],
                                                  part_number_marker=2))
    eq([p.part_number for p in rest.parts or []], [3, 4], "after marker 2")
    eq(rest.is_truncated, False, "IsTruncated on the last page")


@suite.check("list_parts_paginator with limit 1 walks all parts")
def _():
    pages = client.list_parts_paginator(limit=1).iter_page(
        oss.ListPartsRequest(bucket=BUCKET, key=KEY, upload_id=state["upload_id"]))
    eq([[p.part_number for p in page.parts or []] for page in pages], [[1], [2], [3], [4]], "pages")


@suite.check("complete_multipart_upload with out-of-order parts: 400 InvalidPartOrder")
def _():
    expect_error(lambda: client.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
        bucket=BUCKET, key=KEY, upload_id=state["upload_id"],
        complete_multipart_upload=oss.CompleteMultipartUpload(parts=[
            oss.UploadPart(part_number=2, etag=md5_etag(PARTS[1])),
            oss.UploadPart(part_number=1, etag=md5_etag(PARTS[0]))]))), 400, "InvalidPartOrder")


@suite.check("complete_multipart_upload with a wrong ETag: 400 InvalidPart")
def _():
    expect_error(lambda: client.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
        bucket=BUCKET, key=KEY, upload_id=state["upload_id"],
        complete_multipart_upload=oss.CompleteMultipartUpload(parts=[
            oss.UploadPart(part_number=1, etag='"0123456789ABCDEF0123456789ABCDEF"')]))), 400, "InvalidPart")


@suite.check("complete_multipart_upload: ETag, CRC-64 of the whole, data and metadata")
def _():
    # Part 3 is small, so it may only be last: complete with 1, 2, 4 (copied) and a new last part 5 holding the
    # same small data; the unlisted part 3 is dropped.
    last = PARTS[2]
    client.upload_part(oss.UploadPartRequest(bucket=BUCKET, key=KEY, upload_id=state["upload_id"],
                                             part_number=5, body=last))
    chosen = [(1, PARTS[0]), (2, PARTS[1]), (4, state["copied"]), (5, last)]
    result = client.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
        bucket=BUCKET, key=KEY, upload_id=state["upload_id"],
        complete_multipart_upload=oss.CompleteMultipartUpload(parts=[
            oss.UploadPart(part_number=n, etag=md5_etag(d)) for n, d in chosen])))
    whole = b"".join(d for _, d in chosen)
    eq(result.status_code, 200, "status")
    eq(result.bucket, BUCKET, "Bucket")
    eq(result.key, KEY, "Key")
    eq(result.etag, multipart_etag([d for _, d in chosen]), "ETag")
    expect_crc(result, whole, "CompleteMultipartUpload")
    got = client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=KEY))
    eq(read_body(got), whole, "body")
    expect_crc(got, whole, "GetObject of the completed object")
    eq(got.metadata, {"origin": "interop"}, "metadata from initiate")
    eq(got.content_type, "application/x-big", "Content-Type from initiate")
    eq(got.object_type, "Multipart", "x-oss-object-type")
    eq(got.etag, multipart_etag([d for _, d in chosen]), "ETag on GET")


@suite.check("after completion the upload is gone: list_parts 404 NoSuchUpload")
def _():
    expect_error(lambda: client.list_parts(oss.ListPartsRequest(bucket=BUCKET, key=KEY,
                                                                upload_id=state["upload_id"])),
                 404, "NoSuchUpload")


@suite.check("a non-last part under 100 KiB: complete fails with 400 EntityTooSmall")
def _():
    init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket=BUCKET, key="small"))
    small = [b"a" * 10, b"b" * 10]
    for n, d in enumerate(small, start=1):
        client.upload_part(oss.UploadPartRequest(bucket=BUCKET, key="small", upload_id=init.upload_id,
                                                 part_number=n, body=d))
    try:
        expect_error(lambda: client.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
            bucket=BUCKET, key="small", upload_id=init.upload_id,
            complete_multipart_upload=oss.CompleteMultipartUpload(parts=[
                oss.UploadPart(part_number=n, etag=md5_etag(d)) for n, d in enumerate(small, start=1)]))),
            400, "EntityTooSmall")
    finally:
        client.abort_multipart_upload(oss.AbortMultipartUploadRequest(bucket=BUCKET, key="small",
                                                                      upload_id=init.upload_id))


@suite.check("complete with x-oss-complete-all: yes joins every uploaded part in order")
def _():
    key = "complete-all.bin"
    init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket=BUCKET, key=key))
    for n, d in [(2, PARTS[1]), (1, PARTS[0]), (3, PARTS[2])]:
        client.upload_part(oss.UploadPartRequest(bucket=BUCKET, key=key, upload_id=init.upload_id,
                                                 part_number=n, body=d))
    result = client.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
        bucket=BUCKET, key=key, upload_id=init.upload_id, complete_all="yes"))
    whole = b"".join(PARTS)
    eq(result.etag, multipart_etag(PARTS), "ETag")
    expect_crc(result, whole, "CompleteMultipartUpload (complete-all)")
    eq(read_body(client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=key))), whole, "body")


@suite.check("upload_part with a part number outside 1..10000: 400 InvalidArgument")
def _():
    init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket=BUCKET, key="numbers"))
    try:
        for number in [0, 10001]:
            expect_error(lambda: client.upload_part(oss.UploadPartRequest(
                bucket=BUCKET, key="numbers", upload_id=init.upload_id, part_number=number, body=b"x")),
                400, "InvalidArgument", f"part number {number}")
        result = client.upload_part(oss.UploadPartRequest(bucket=BUCKET, key="numbers", upload_id=init.upload_id,
                                                          part_number=10000, body=b"x"))
        eq(result.etag, md5_etag(b"x"), "part 10000 is fine")
    finally:
        client.abort_multipart_upload(oss.AbortMultipartUploadRequest(bucket=BUCKET, key="numbers",
                                                                      upload_id=init.upload_id))


@suite.check("abort_multipart_upload: 204, then the upload is gone (404 NoSuchUpload)")
def _():
    init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket=BUCKET, key="aborted"))
    client.upload_part(oss.UploadPartRequest(bucket=BUCKET, key="aborted", upload_id=init.upload_id,
                                             part_number=1, body=b"x"))
    result = client.abort_multipart_upload(oss.AbortMultipartUploadRequest(bucket=BUCKET, key="aborted",
                                                                           upload_id=init.upload_id))
    eq(result.status_code, 204, "status")
    expect_error(lambda: client.list_parts(oss.ListPartsRequest(bucket=BUCKET, key="aborted",
                                                                upload_id=init.upload_id)), 404, "NoSuchUpload")
    expect_error(lambda: client.upload_part(oss.UploadPartRequest(
        bucket=BUCKET, key="aborted", upload_id=init.upload_id, part_number=2, body=b"y")), 404, "NoSuchUpload")
    expect_error(lambda: client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="aborted")), 404)


# ---- list_multipart_uploads -------------------------------------------------------------------------------

LISTED_KEYS = ["up/a/1", "up/a/2", "up/b/1", "up/c", "up/same", "up/same"]
ENCODED_KEY = "enc/ctl\x01key with space+plus"


@suite.check("list_multipart_uploads setup: uploads to list")
def _():
    ids = []
    for key in LISTED_KEYS + [ENCODED_KEY]:
        ids.append(client.initiate_multipart_upload(
            oss.InitiateMultipartUploadRequest(bucket=BUCKET, key=key)).upload_id)
    state["same_ids"] = sorted(ids[4:6])
    state["encoded_id"] = ids[6]


def uploads(**kw):
    return client.list_multipart_uploads(oss.ListMultipartUploadsRequest(bucket=BUCKET, **kw))


@suite.check("list_multipart_uploads with prefix: keys in order, same key by upload id")
def _():
    result = uploads(prefix="up/")
    eq([u.key for u in result.uploads or []], LISTED_KEYS, "Key")
    eq([u.upload_id for u in result.uploads or []][4:], state["same_ids"], "UploadId order for one key")
    eq(result.is_truncated, False, "IsTruncated")
    true(all(u.initiated is not None for u in result.uploads), "Initiated present")


@suite.check("list_multipart_uploads with delimiter: common prefixes and direct uploads (raw XML)")
def _():
    # The SDK's ListMultipartUploadsResult has no CommonPrefixes member, so the document is read raw.
    out = client.invoke_operation(OperationInput(
        op_name="ListMultipartUploads", method="GET", bucket=BUCKET,
        parameters={"uploads": "", "prefix": "up/", "delimiter": "/"}))
    root = ET.fromstring(out.http_response.content)
    eq(root.tag, "ListMultipartUploadsResult", "root element")
    eq([e.text for e in root.findall("CommonPrefixes/Prefix")], ["up/a/", "up/b/"], "CommonPrefixes")
    eq([e.text for e in root.findall("Upload/Key")], ["up/c", "up/same", "up/same"], "Upload keys")
    eq(root.findtext("Delimiter"), "/", "Delimiter echoed")


@suite.check("list_multipart_uploads with max-uploads and key/upload-id markers")
def _():
    first = uploads(prefix="up/", max_uploads=2)
    eq([u.key for u in first.uploads or []], ["up/a/1", "up/a/2"], "first page")
    eq(first.is_truncated, True, "IsTruncated")
    eq(first.next_key_marker, "up/a/2", "NextKeyMarker")
    after_key = uploads(prefix="up/", key_marker="up/c")
    eq([u.key for u in after_key.uploads or []], ["up/same", "up/same"], "after key-marker up/c")
    after_id = uploads(prefix="up/", key_marker="up/same", upload_id_marker=state["same_ids"][0])
    eq([(u.key, u.upload_id) for u in after_id.uploads or []], [("up/same", state["same_ids"][1])],
       "after key-marker up/same and the first of its upload ids")


@suite.check("list_multipart_uploads_paginator with limit 2 walks every upload")
def _():
    pages = list(client.list_multipart_uploads_paginator(limit=2).iter_page(
        oss.ListMultipartUploadsRequest(bucket=BUCKET, prefix="up/")))
    eq([len(p.uploads or []) for p in pages], [2, 2, 2], "page sizes")
    eq([u.key for p in pages for u in p.uploads or []], LISTED_KEYS, "keys over all pages")


@suite.check("list_multipart_uploads with encoding-type=url decodes a key with a control character")
def _():
    result = uploads(prefix="enc/")
    eq(result.encoding_type, "url", "EncodingType")
    eq([u.key for u in result.uploads or []], [ENCODED_KEY], "decoded Key")
    parts = client.list_parts(oss.ListPartsRequest(bucket=BUCKET, key=ENCODED_KEY, upload_id=state["encoded_id"]))
    eq(parts.key, ENCODED_KEY, "ListParts decoded Key")


@suite.check("the SDK's uploader (multipart, parallel) round-trips a 1 MiB object")
def _():
    data = payload(1024 * 1024 + 17, seed=15)
    uploader = client.uploader(part_size=256 * 1024, parallel_num=2)
    result = uploader.upload_from(oss.PutObjectRequest(bucket=BUCKET, key="uploaded.bin"), io.BytesIO(data))
    true(result.upload_id, "uploaded in parts (an upload id)")
    eq(result.hash_crc64, crc64(data), "CRC-64 the uploader checked against the server's")
    got = client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="uploaded.bin"))
    eq(read_body(got), data, "body")
    expect_crc(got, data, "GetObject of the uploaded object")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)


suite.run()
