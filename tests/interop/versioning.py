"""Versioning through the official SDK: version ids on put, get/head/copy/tag by version, delete markers,
removing a delete marker, permanent deletes, list_object_versions (markers, max-keys, delimiter,
encoding-type=url, paginator), delete_multiple_objects with version ids, and the suspended state's "null"
version."""

import alibabacloud_oss_v2 as oss

from _common import (CheckFailed, Suite, empty_and_delete_bucket, eq, expect_error, header, make_client, md5_etag,
                     read_body, service_error, true, unique_bucket)

suite = Suite("versioning")
client = make_client()
BUCKET = unique_bucket("ver")
DATA1, DATA2 = b"first version", b"second version, longer"
state = {}


def get(key, **kw):
    return client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=key, **kw))


def versions(**kw):
    return client.list_object_versions(oss.ListObjectVersionsRequest(bucket=BUCKET, **kw))


def set_versioning(status):
    client.put_bucket_versioning(oss.PutBucketVersioningRequest(
        bucket=BUCKET, versioning_configuration=oss.VersioningConfiguration(status=status)))


@suite.check("setup: bucket with versioning Enabled")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    set_versioning("Enabled")
    eq(client.get_bucket_versioning(oss.GetBucketVersioningRequest(bucket=BUCKET)).version_status, "Enabled",
       "Status")


@suite.check("put_object twice: two distinct version ids")
def _():
    r1 = client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="doc", body=DATA1))
    r2 = client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="doc", body=DATA2))
    true(r1.version_id and r1.version_id != "null", f"first x-oss-version-id: {r1.version_id!r}")
    true(r2.version_id and r2.version_id != "null", f"second x-oss-version-id: {r2.version_id!r}")
    true(r1.version_id != r2.version_id, "version ids differ")
    state["v1"], state["v2"] = r1.version_id, r2.version_id


@suite.check("get_object: latest by default, older by version id; head by version id")
def _():
    latest = get("doc")
    eq(read_body(latest), DATA2, "latest body")
    eq(latest.version_id, state["v2"], "latest x-oss-version-id")
    older = get("doc", version_id=state["v1"])
    eq(read_body(older), DATA1, "body of the first version")
    eq(older.version_id, state["v1"], "x-oss-version-id of the first version")
    head = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="doc", version_id=state["v1"]))
    eq(head.etag, md5_etag(DATA1), "ETag of the first version")
    eq(head.content_length, len(DATA1), "Content-Length of the first version")
    meta = client.get_object_meta(oss.GetObjectMetaRequest(bucket=BUCKET, key="doc", version_id=state["v1"]))
    eq(meta.content_length, len(DATA1), "GetObjectMeta Content-Length of the first version")


@suite.check("list_object_versions: newest first, IsLatest only on the newest")
def _():
    result = versions(prefix="doc")
    eq([(v.key, v.version_id, v.is_latest) for v in result.version or []],
       [("doc", state["v2"], True), ("doc", state["v1"], False)], "Version entries")
    eq([v.size for v in result.version], [len(DATA2), len(DATA1)], "Size")
    eq([v.etag for v in result.version], [md5_etag(DATA2), md5_etag(DATA1)], "ETag")
    eq(result.delete_marker or [], [], "no DeleteMarker yet")


@suite.check("tagging and ACL by version id touch only that version")
def _():
    client.put_object_tagging(oss.PutObjectTaggingRequest(
        bucket=BUCKET, key="doc", version_id=state["v1"],
        tagging=oss.Tagging(tag_set=oss.TagSet(tags=[oss.Tag(key="old", value="yes")]))))
    tags_v1 = client.get_object_tagging(oss.GetObjectTaggingRequest(bucket=BUCKET, key="doc",
                                                                    version_id=state["v1"]))
    eq([(t.key, t.value) for t in tags_v1.tag_set.tags or []], [("old", "yes")], "tags of the first version")
    tags_v2 = client.get_object_tagging(oss.GetObjectTaggingRequest(bucket=BUCKET, key="doc"))
    eq([(t.key, t.value) for t in (tags_v2.tag_set.tags if tags_v2.tag_set else None) or []], [],
       "tags of the latest version")
    client.put_object_acl(oss.PutObjectAclRequest(bucket=BUCKET, key="doc", version_id=state["v1"],
                                                  acl="public-read"))
    eq(client.get_object_acl(oss.GetObjectAclRequest(bucket=BUCKET, key="doc", version_id=state["v1"])).acl,
       "public-read", "ACL of the first version")
    eq(client.get_object_acl(oss.GetObjectAclRequest(bucket=BUCKET, key="doc")).acl, "default",
       "ACL of the latest version")


@suite.check("copy_object from an older version (x-oss-copy-source versionId)")
def _():
    result = client.copy_object(oss.CopyObjectRequest(bucket=BUCKET, key="doc-copy", source_bucket=BUCKET,
                                                      source_key="doc", source_version_id=state["v1"]))
    eq(result.source_version_id, state["v1"], "x-oss-copy-source-version-id")
    true(result.version_id, "the copy has its own version id")
    eq(read_body(get("doc-copy")), DATA1, "copied body")


@suite.check("delete_object without version id adds a delete marker")
def _():
    result = client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="doc"))
    eq(result.status_code, 204, "status")
    eq(result.delete_marker, True, "x-oss-delete-marker")
    true(result.version_id and result.version_id not in (state["v1"], state["v2"]),
         f"the delete marker's version id: {result.version_id!r}")
    state["marker"] = result.version_id
    err = expect_error(lambda: get("doc"), 404, "NoSuchKey", "GET after the delete marker")
    eq(header(err, "x-oss-delete-marker"), "true", "x-oss-delete-marker on the 404")
    eq(read_body(get("doc", version_id=state["v2"])), DATA2, "older versions are still readable")
    listed = client.list_objects(oss.ListObjectsRequest(bucket=BUCKET, prefix="doc"))
    eq([o.key for o in listed.contents or []], ["doc-copy"], "ListObjects hides the deleted key")


@suite.check("list_object_versions shows the delete marker as latest")
def _():
    result = versions(prefix="doc", delimiter="-")
    eq([(d.key, d.version_id, d.is_latest) for d in result.delete_marker or []],
       [("doc", state["marker"], True)], "DeleteMarker entries")
    eq([(v.key, v.version_id, v.is_latest) for v in result.version or []],
       [("doc", state["v2"], False), ("doc", state["v1"], False)], "Version entries")
    eq([p.prefix for p in result.common_prefixes or []], ["doc-"], "CommonPrefixes with delimiter '-'")


@suite.check("deleting the delete marker by version id brings the object back")
def _():
    result = client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="doc", version_id=state["marker"]))
    eq(result.delete_marker, True, "x-oss-delete-marker (a marker was removed)")
    eq(result.version_id, state["marker"], "x-oss-version-id of the removed marker")
    eq(read_body(get("doc")), DATA2, "latest body again")


@suite.check("deleting a version by id removes it permanently")
def _():
    result = client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="doc", version_id=state["v2"]))
    eq(result.version_id, state["v2"], "x-oss-version-id of the removed version")
    true(not result.delete_marker, "x-oss-delete-marker absent or false")
    eq(read_body(get("doc")), DATA1, "the first version is latest now")
    expect_error(lambda: get("doc", version_id=state["v2"]), 404, "NoSuchVersion")
    eq([v.version_id for v in versions(prefix="doc", delimiter="-").version or []], [state["v1"]],
       "remaining versions")


@suite.check("list_object_versions with max-keys, key-marker and version-id-marker")
def _():
    ids = [client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="page", body=str(i).encode())).version_id
           for i in range(3)]
    newest_first = list(reversed(ids))
    first = versions(prefix="page", max_keys=2)
    eq([v.version_id for v in first.version or []], newest_first[:2], "first page")
    eq(first.is_truncated, True, "IsTruncated")
    eq(first.next_key_marker, "page", "NextKeyMarker")
    eq(first.next_version_id_marker, newest_first[1], "NextVersionIdMarker")
    rest = versions(prefix="page", key_marker="page", version_id_marker=newest_first[1])
    eq([v.version_id for v in rest.version or []], newest_first[2:], "after the markers")
    eq(rest.is_truncated, False, "IsTruncated on the last page")
    after_key = versions(key_marker="page")
    true(all(v.key > "page" for v in after_key.version or []), "key-marker alone skips every version of it")
    state["page_ids"] = newest_first


@suite.check("list_object_versions_paginator with limit 1")
def _():
    pages = list(client.list_object_versions_paginator(limit=1).iter_page(
        oss.ListObjectVersionsRequest(bucket=BUCKET, prefix="page")))
    eq([[v.version_id for v in p.version or []] for p in pages], [[i] for i in state["page_ids"]], "pages")


@suite.check("list_object_versions with encoding-type=url decodes keys")
def _():
    key = "enc/ver\x01sion key+"
    vid = client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=b"e")).version_id
    result = versions(prefix="enc/")
    eq(result.encoding_type, "url", "EncodingType")
    eq([(v.key, v.version_id) for v in result.version or []], [(key, vid)], "decoded Key")


@suite.check("delete_multiple_objects with version ids and a new delete marker")
def _():
    a1 = client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="multi/a", body=b"a1")).version_id
    b1 = client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="multi/b", body=b"b1")).version_id
    result = client.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(bucket=BUCKET, objects=[
        oss.DeleteObject(key="multi/a", version_id=a1), oss.DeleteObject(key="multi/b")]))
    by_key = {d.key: d for d in result.deleted_objects or []}
    eq(sorted(by_key), ["multi/a", "multi/b"], "Deleted keys")
    eq(by_key["multi/a"].version_id, a1, "VersionId of the permanently deleted version")
    eq(by_key["multi/b"].delete_marker, True, "DeleteMarker for the unversioned delete")
    true(by_key["multi/b"].delete_marker_version_id, "DeleteMarkerVersionId is set")
    listed = versions(prefix="multi/")
    eq([(v.key, v.version_id) for v in listed.version or []], [("multi/b", b1)], "remaining versions")
    eq([(d.key, d.version_id) for d in listed.delete_marker or []],
       [("multi/b", by_key["multi/b"].delete_marker_version_id)], "delete markers")


@suite.check("suspended versioning writes the 'null' version, overwriting it in place")
def _():
    set_versioning("Suspended")
    r1 = client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="sus", body=b"one"))
    true(r1.version_id in (None, "null"), f"x-oss-version-id while suspended is absent or null: {r1.version_id!r}")
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="sus", body=b"two"))
    result = versions(prefix="sus")
    eq([(v.version_id, v.is_latest, v.size) for v in result.version or []], [("null", True, 3)],
       "one null version holding the last write")
    eq(read_body(get("sus", version_id="null")), b"two", "GET versionId=null")
    # Versions written while enabled survive suspension.
    eq(read_body(get("doc", version_id=state["v1"])), DATA1, "an enabled-era version")


@suite.check("get_object with an unknown version id: 404 NoSuchVersion (or 400 InvalidArgument)")
def _():
    try:
        get("doc", version_id="CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjY1MTg1OT00")
    except Exception as exc:
        err = service_error(exc)
        true(err is not None and (err.status_code, err.code) in [(404, "NoSuchVersion"), (400, "InvalidArgument")],
             f"expected 404 NoSuchVersion or 400 InvalidArgument, got "
             f"{(err.status_code, err.code) if err else exc!r}")
    else:
        raise CheckFailed("GET with an unknown version id succeeded")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)


suite.run()
