"""State that must survive the emulator being killed (SIGKILL) and restarted on the same --data-dir.

Run twice by tests/tests/interop.rs: OSS_RS_PHASE=write against the first emulator, then OSS_RS_PHASE=read
against a second one started on the same data directory after the first was killed. Every write was
acknowledged before the kill, so every one of them must be readable after it: bucket settings (ACL,
versioning, tags, CORS), objects with their metadata, versions and delete markers, appendable objects,
symlinks, object tags and ACLs, and a multipart upload in progress with its parts.
"""

import os

import alibabacloud_oss_v2 as oss

from _common import (SIGNATURE_VERSION, Suite, eq, expect_crc, expect_error, make_client, md5_etag, payload,
                     read_body, true)

PHASE = os.environ.get("OSS_RS_PHASE", "write")
suite = Suite(f"restart-{PHASE}")
client = make_client()
# Fixed names: the read phase must find what the write phase made (each test has its own emulator).
BUCKET = f"restart-{SIGNATURE_VERSION}"
DATA = payload(4096, seed=31)
V1, V2 = b"version one", b"version two, after restart too"
PART1, PART2 = payload(100 * 1024, seed=32), payload(77, seed=33)
ORIGIN = "https://restart.example.com"


def get(key, **kw):
    return client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=key, **kw))


if PHASE == "write":
    @suite.check("write: bucket with ACL, versioning, tags and CORS")
    def _():
        client.put_bucket(oss.PutBucketRequest(bucket=BUCKET, acl="public-read"))
        client.put_bucket_versioning(oss.PutBucketVersioningRequest(
            bucket=BUCKET, versioning_configuration=oss.VersioningConfiguration(status="Enabled")))
        client.put_bucket_tags(oss.PutBucketTagsRequest(bucket=BUCKET, tagging=oss.Tagging(
            tag_set=oss.TagSet(tags=[oss.Tag(key="survives", value="restart")]))))
        client.put_bucket_cors(oss.PutBucketCorsRequest(bucket=BUCKET, cors_configuration=oss.CORSConfiguration(
            cors_rules=[oss.CORSRule(allowed_origins=[ORIGIN], allowed_methods=["GET"], max_age_seconds=60)])))

    @suite.check("write: objects, versions, a delete marker, an appendable object, a symlink")
    def _():
        client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="plain.bin", body=DATA,
                                               content_type="application/x-restart", metadata={"k": "v"},
                                               tagging="t=1", acl="private"))
        client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="versioned", body=V1))
        client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="versioned", body=V2))
        client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="deleted", body=b"gone"))
        client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="deleted"))
        first = client.append_object(oss.AppendObjectRequest(bucket=BUCKET, key="append.log", position=0,
                                                              body=b"one,"))
        client.append_object(oss.AppendObjectRequest(bucket=BUCKET, key="append.log",
                                                     position=first.next_position, body=b"two"))
        client.put_symlink(oss.PutSymlinkRequest(bucket=BUCKET, key="link", target="plain.bin"))

    @suite.check("write: a multipart upload in progress with two parts")
    def _():
        init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket=BUCKET, key="mpu.bin"))
        for number, data in [(1, PART1), (2, PART2)]:
            client.upload_part(oss.UploadPartRequest(bucket=BUCKET, key="mpu.bin", upload_id=init.upload_id,
                                                     part_number=number, body=data))
else:
    @suite.check("read: the bucket and its ACL, versioning, tags and CORS rules")
    def _():
        info = client.get_bucket_info(oss.GetBucketInfoRequest(bucket=BUCKET)).bucket_info
        eq(info.name, BUCKET, "Name")
        eq(info.acl, "public-read", "ACL")
        eq(client.get_bucket_versioning(oss.GetBucketVersioningRequest(bucket=BUCKET)).version_status,
           "Enabled", "versioning")
        tags = client.get_bucket_tags(oss.GetBucketTagsRequest(bucket=BUCKET)).tagging.tag_set.tags
        eq([(t.key, t.value) for t in tags or []], [("survives", "restart")], "tags")
        rules = client.get_bucket_cors(oss.GetBucketCorsRequest(bucket=BUCKET)).cors_configuration.cors_rules
        eq([(r.allowed_origins, r.allowed_methods, r.max_age_seconds) for r in rules],
           [([ORIGIN], ["GET"], 60)], "CORS rules")
        names = [b.name for b in client.list_buckets(oss.ListBucketsRequest(prefix="restart-")).buckets or []]
        eq(names, [BUCKET], "ListBuckets")

    @suite.check("read: an object with its data, type, metadata, tags, ACL and CRC-64")
    def _():
        result = get("plain.bin")
        eq(read_body(result), DATA, "body")
        expect_crc(result, DATA, "GetObject after restart")
        eq(result.etag, md5_etag(DATA), "ETag")
        eq(result.content_type, "application/x-restart", "Content-Type")
        eq(result.metadata, {"k": "v"}, "metadata")
        tags = client.get_object_tagging(oss.GetObjectTaggingRequest(bucket=BUCKET, key="plain.bin")).tag_set
        eq([(t.key, t.value) for t in tags.tags or []], [("t", "1")], "object tags")
        eq(client.get_object_acl(oss.GetObjectAclRequest(bucket=BUCKET, key="plain.bin")).acl, "private", "ACL")

    @suite.check("read: versions and the delete marker")
    def _():
        listed = client.list_object_versions(oss.ListObjectVersionsRequest(bucket=BUCKET))
        by_key = {}
        for v in listed.version or []:
            by_key.setdefault(v.key, []).append((v.size, v.is_latest))
        eq(by_key.get("versioned"), [(len(V2), True), (len(V1), False)], "versions of 'versioned'")
        eq(by_key.get("deleted"), [(4, False)], "the version under the delete marker")
        eq([(d.key, d.is_latest) for d in listed.delete_marker or []], [("deleted", True)], "delete markers")
        eq(read_body(get("versioned")), V2, "latest version")
        older = [v.version_id for v in listed.version if v.key == "versioned" and not v.is_latest]
        eq(read_body(get("versioned", version_id=older[0])), V1, "older version by id")
        expect_error(lambda: get("deleted"), 404, "NoSuchKey", "GET of the deleted key")

    @suite.check("read: the appendable object continues at its length")
    def _():
        head = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="append.log"))
        eq(head.object_type, "Appendable", "x-oss-object-type")
        eq(head.next_append_position, 7, "x-oss-next-append-position")
        client.append_object(oss.AppendObjectRequest(bucket=BUCKET, key="append.log", position=7, body=b",three"))
        eq(read_body(get("append.log")), b"one,two,three", "body after one more append")

    @suite.check("read: the symlink still resolves")
    def _():
        eq(read_body(get("link")), DATA, "GET through the link")

    @suite.check("read: the multipart upload and its parts, then completing it")
    def _():
        uploads = client.list_multipart_uploads(oss.ListMultipartUploadsRequest(bucket=BUCKET)).uploads or []
        eq([u.key for u in uploads], ["mpu.bin"], "uploads in progress")
        upload_id = uploads[0].upload_id
        parts = client.list_parts(oss.ListPartsRequest(bucket=BUCKET, key="mpu.bin", upload_id=upload_id)).parts
        eq([(p.part_number, p.size, p.etag) for p in parts or []],
           [(1, len(PART1), md5_etag(PART1)), (2, len(PART2), md5_etag(PART2))], "parts")
        client.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
            bucket=BUCKET, key="mpu.bin", upload_id=upload_id, complete_all="yes"))
        result = get("mpu.bin")
        eq(read_body(result), PART1 + PART2, "completed body")
        expect_crc(result, PART1 + PART2, "GetObject of the completed upload")
        true(result.object_type == "Multipart", f"x-oss-object-type: {result.object_type!r}")

suite.run()
