"""The SDK's own file and transfer helpers against the emulator: put_object_from_file, open_file (a
read-only, seekable file over ranged GETs) and the copier (single CopyObject below its threshold, a
shallow CopyObject above it in one bucket, UploadPartCopy otherwise; metadata carried over)."""

import io
import os
import tempfile

import alibabacloud_oss_v2 as oss

from _common import (Suite, empty_and_delete_bucket, eq, expect_crc, expect_error, make_client, md5_etag,
                     multipart_etag, payload, read_body, unique_bucket)

suite = Suite("helpers")
client = make_client()
BUCKET = unique_bucket("help")
DATA = payload(300 * 1024, seed=7)
PART = 100 * 1024


@suite.check("setup: a bucket")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))


@suite.check("put_object_from_file: the file's bytes, MD5 ETag and CRC-64")
def _():
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(DATA)
        path = f.name
    try:
        result = client.put_object_from_file(oss.PutObjectRequest(bucket=BUCKET, key="from-file",
                                                                  metadata={"origin": "file"}), path)
    finally:
        os.unlink(path)
    eq(result.etag, md5_etag(DATA), "ETag")
    expect_crc(result, DATA, "put")
    got = client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="from-file"))
    eq(read_body(got), DATA, "body")
    eq(got.metadata.get("origin"), "file", "x-oss-meta-origin")


@suite.check("open_file: size, read all, seek and read a slice, tell")
def _():
    with client.open_file(BUCKET, "from-file") as f:
        eq(f.seek(0, io.SEEK_END), len(DATA), "size by SEEK_END")
        f.seek(0)
        eq(f.read(), DATA, "read all")
        f.seek(12345)
        eq(f.read(1000), DATA[12345:13345], "read 1000 at 12345")
        eq(f.tell(), 13345, "tell")
        f.seek(-10, io.SEEK_END)
        eq(f.read(), DATA[-10:], "the last 10 bytes")


@suite.check("open_file: an absent key is 404 NoSuchKey")
def _():
    expect_error(lambda: client.open_file(BUCKET, "absent"), 404, "NoSuchKey")


@suite.check("copier: below the threshold, one CopyObject; body, ETag and metadata carried over")
def _():
    copier = client.copier()
    result = copier.copy(oss.CopyObjectRequest(bucket=BUCKET, key="copy-small", source_bucket=BUCKET,
                                               source_key="from-file"))
    eq(result.etag, md5_etag(DATA), "ETag")
    got = client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="copy-small"))
    eq(read_body(got), DATA, "body")
    eq(got.metadata.get("origin"), "file", "x-oss-meta-origin")


@suite.check("copier: above the threshold, UploadPartCopy in 100 KiB parts; multipart ETag, metadata kept")
def _():
    copier = client.copier(part_size=PART, multipart_copy_threshold=PART, parallel_num=2,
                           disable_shallow_copy=True)
    copier.copy(oss.CopyObjectRequest(bucket=BUCKET, key="copy-parts", source_bucket=BUCKET,
                                      source_key="from-file"))
    head = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="copy-parts"))
    parts = [DATA[i:i + PART] for i in range(0, len(DATA), PART)]
    eq(head.etag, multipart_etag(parts), "ETag of a 3-part upload")
    eq(head.content_length, len(DATA), "Content-Length")
    eq(head.metadata.get("origin"), "file", "x-oss-meta-origin")
    got = client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="copy-parts"))
    eq(read_body(got), DATA, "body")
    eq(client.list_multipart_uploads(oss.ListMultipartUploadsRequest(bucket=BUCKET)).uploads or [], [],
       "no upload left behind")


@suite.check("copier: above the threshold in the same bucket, a shallow copy (one CopyObject): MD5 ETag")
def _():
    copier = client.copier(part_size=PART, multipart_copy_threshold=PART)
    copier.copy(oss.CopyObjectRequest(bucket=BUCKET, key="copy-shallow", source_bucket=BUCKET,
                                      source_key="from-file"))
    head = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="copy-shallow"))
    eq(head.etag, md5_etag(DATA), "ETag of a single copy")
    eq(read_body(client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="copy-shallow"))), DATA, "body")


@suite.check("copier: an absent source is 404 NoSuchKey")
def _():
    expect_error(lambda: client.copier().copy(oss.CopyObjectRequest(
        bucket=BUCKET, key="copy-none", source_bucket=BUCKET, source_key="absent")), 404, "NoSuchKey")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)


suite.run()
