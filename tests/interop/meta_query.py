"""Data indexing (meta query) through the official SDK: before the index is opened (404), open, a second
open refused, GetMetaQueryStatus, DoMetaQuery (scalar conditions, and/or/not, sorting, MaxResults
pages with NextToken, tag and user-metadata fields, aggregations), CloseMetaQuery, and data pipeline
rules through DoDataPipelineAction (put, get, list, delete, errors).
Every expected result is computed in the script from the objects it put."""

import json

import alibabacloud_oss_v2 as oss

from _common import (Suite, crc64, empty_and_delete_bucket, eq, expect_error, make_client, md5_etag,
                     payload, true, unique_bucket)

suite = Suite("meta_query")
client = make_client()
BUCKET = unique_bucket("mq")

# key: (size, content type, tags, user metadata)
OBJECTS = {
    "docs/a-report.txt": (120, "text/plain", {"team": "red"}, {"owner": "ann"}),
    "docs/b-summary.txt": (2048, "text/plain", {"team": "blue"}, {"owner": "bob"}),
    "docs/c-notes.md": (640, "text/markdown", {}, {"owner": "ann"}),
    "images/cat.png": (4096, "image/png", {"team": "red", "kind": "pet"}, {}),
    "images/dog.jpg": (3000, "image/jpeg", {"kind": "pet"}, {"owner": "cy"}),
    "logs/2025-01-01.log": (10, "text/plain", {}, {}),
    "logs/2025-01-02.log": (999, "text/plain", {}, {}),
}
DATA = {k: payload(size, seed=i) for i, (k, (size, *_)) in enumerate(sorted(OBJECTS.items()))}


def do(query=None, **fields):
    mq = oss.MetaQuery(query=json.dumps(query) if isinstance(query, dict) else query, **fields)
    return client.do_meta_query(oss.DoMetaQueryRequest(bucket=BUCKET, meta_query=mq))


def names(result):
    return [f.filename for f in (result.files.file if result.files else None) or []]


def cond(field, value, op):
    return {"Field": field, "Value": str(value), "Operation": op}


def size(key):
    return OBJECTS[key][0]


@suite.check("setup: a bucket and seven objects with sizes, types, tags and user metadata")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    for key, (_, ctype, tags, meta) in OBJECTS.items():
        tagging = "&".join(f"{k}={v}" for k, v in tags.items()) or None
        client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=DATA[key], content_type=ctype,
                                               tagging=tagging, metadata=meta or None))


@suite.check("before open: status, query and close are 404 MetaQueryNotExist")
def _():
    expect_error(lambda: client.get_meta_query_status(oss.GetMetaQueryStatusRequest(bucket=BUCKET)),
                 404, "MetaQueryNotExist", "status")
    expect_error(lambda: do(cond("Size", 1, "gt")), 404, "MetaQueryNotExist", "query")
    expect_error(lambda: client.close_meta_query(oss.CloseMetaQueryRequest(bucket=BUCKET)),
                 404, "MetaQueryNotExist", "close")


@suite.check("open: 200; a second open is 409 MetaQueryAlreadyExist; status is Running")
def _():
    eq(client.open_meta_query(oss.OpenMetaQueryRequest(bucket=BUCKET)).status_code, 200, "open")
    expect_error(lambda: client.open_meta_query(oss.OpenMetaQueryRequest(bucket=BUCKET)),
                 409, "MetaQueryAlreadyExist", "second open")
    status = client.get_meta_query_status(oss.GetMetaQueryStatusRequest(bucket=BUCKET)).meta_query_status
    eq(status.state, "Running", "State")
    true(status.phase, "a Phase")
    true(status.create_time and status.update_time, "CreateTime and UpdateTime")


@suite.check("query: Size gt 1000 gives the larger objects by name, with their size, ETag and CRC-64")
def _():
    result = do(cond("Size", 1000, "gt"))
    expected = sorted(k for k in OBJECTS if size(k) > 1000)
    eq(names(result), expected, "names (Filename ascending without Sort)")
    for f in result.files.file:
        eq(f.size, size(f.filename), f"{f.filename}: Size")
        eq(f.etag, md5_etag(DATA[f.filename]), f"{f.filename}: ETag")
        eq(str(f.oss_crc64), crc64(DATA[f.filename]), f"{f.filename}: OSSCRC64")
        eq(f.oss_object_type, "Normal", f"{f.filename}: OSSObjectType")
        eq(f.oss_storage_class, "Standard", f"{f.filename}: OSSStorageClass")
        eq(f.content_type, OBJECTS[f.filename][1], f"{f.filename}: ContentType")
    eq(result.next_token or "", "", "no NextToken")


@suite.check("query: and / or / not over prefix, size and content type")
def _():
    q = {"Operation": "and", "SubQueries": [cond("Filename", "docs/", "prefix"), cond("Size", 1000, "lt")]}
    eq(names(do(q)), sorted(k for k in OBJECTS if k.startswith("docs/") and size(k) < 1000), "and")
    q = {"Operation": "or", "SubQueries": [cond("ContentType", "image/png", "eq"),
                                           cond("Filename", "logs/", "prefix")]}
    eq(names(do(q)), sorted(k for k in OBJECTS if OBJECTS[k][1] == "image/png" or k.startswith("logs/")), "or")
    q = {"Operation": "not", "SubQueries": [cond("ContentType", "text/plain", "eq")]}
    eq(names(do(q)), sorted(k for k in OBJECTS if OBJECTS[k][1] != "text/plain"), "not")
    eq(names(do(cond("Filename", "summary", "match"))), ["docs/b-summary.txt"], "match (substring)")
    eq(names(do(cond("Size", 999, "gte"))), sorted(k for k in OBJECTS if size(k) >= 999), "gte")
    eq(names(do(cond("Size", 640, "lte"))), sorted(k for k in OBJECTS if size(k) <= 640), "lte")


@suite.check("query: tag and user-metadata fields")
def _():
    eq(names(do(cond("OSSTagging.team", "red", "eq"))),
       sorted(k for k in OBJECTS if OBJECTS[k][2].get("team") == "red"), "OSSTagging.team = red")
    eq(names(do(cond("OSSUserMeta.owner", "ann", "eq"))),
       sorted(k for k in OBJECTS if OBJECTS[k][3].get("owner") == "ann"), "OSSUserMeta.owner = ann")
    result = do(cond("OSSTagging.kind", "pet", "eq"))
    eq({f.filename: f.oss_tagging_count for f in result.files.file},
       {k: len(OBJECTS[k][2]) for k in OBJECTS if OBJECTS[k][2].get("kind") == "pet"}, "OSSTaggingCount")


@suite.check("query: Sort=Size desc in pages of MaxResults=3 with NextToken gives every match once")
def _():
    expected = [k for k, _ in sorted(OBJECTS.items(), key=lambda kv: -kv[1][0])]
    pages, token = [], None
    while True:
        result = do(cond("Size", 0, "gt"), sort="Size", order="desc", max_results=3, next_token=token)
        pages.append(names(result))
        token = result.next_token
        if not token:
            break
        true(len(pages) < 10, "pagination ends")
    eq([len(p) for p in pages], [3, 3, 1], "page sizes")
    eq(sum(pages, []), expected, "all matches by size, largest first")
    asc = do(cond("Size", 0, "gt"), sort="Size", order="asc")
    eq(names(asc), list(reversed(expected)), "ascending")


@suite.check("query: aggregations sum, max, min, average, count, distinct and group over the matches")
def _():
    matches = [k for k in OBJECTS if k.startswith("docs/") or k.startswith("logs/")]
    aggs = [oss.MetaQueryAggregation(field="Size", operation=op) for op in ("sum", "max", "min", "average")]
    aggs += [oss.MetaQueryAggregation(field="Filename", operation="count"),
             oss.MetaQueryAggregation(field="ContentType", operation="distinct"),
             oss.MetaQueryAggregation(field="ContentType", operation="group")]
    q = {"Operation": "or", "SubQueries": [cond("Filename", "docs/", "prefix"), cond("Filename", "logs/", "prefix")]}
    result = do(q, aggregations=oss.MetaQueryAggregations(aggregations=aggs))
    got = {(a.field, a.operation): a for a in result.aggregations.aggregations}
    sizes = [size(k) for k in matches]
    eq(float(got[("Size", "sum")].value), float(sum(sizes)), "sum")
    eq(float(got[("Size", "max")].value), float(max(sizes)), "max")
    eq(float(got[("Size", "min")].value), float(min(sizes)), "min")
    true(abs(float(got[("Size", "average")].value) - sum(sizes) / len(sizes)) < 0.01, "average")
    eq(float(got[("Filename", "count")].value), float(len(matches)), "count")
    types = [OBJECTS[k][1] for k in matches]
    eq(float(got[("ContentType", "distinct")].value), float(len(set(types))), "distinct")
    groups = {g.value: g.count for g in got[("ContentType", "group")].groups.groups}
    eq(groups, {t: types.count(t) for t in set(types)}, "group counts")


@suite.check("query: an unknown operation and an aggregation of a text field by sum are 400")
def _():
    expect_error(lambda: do(cond("Size", 1, "between")), 400, None, "operation between")
    expect_error(lambda: do(cond("Size", 1, "gt"), aggregations=oss.MetaQueryAggregations(
        aggregations=[oss.MetaQueryAggregation(field="Filename", operation="sum")])), 400, None, "sum of text")


@suite.check("query: an object put after open is found, a deleted one is gone")
def _():
    data = payload(5000, seed=99)
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="late/new.bin", body=data))
    client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="images/cat.png"))
    expected = sorted([k for k in OBJECTS if size(k) > 2500 and k != "images/cat.png"] + ["late/new.bin"])
    eq(names(do(cond("Size", 2500, "gt"))), expected, "after put and delete")


@suite.check("close: 200; status is 404 MetaQueryNotExist again; it can be opened again")
def _():
    eq(client.close_meta_query(oss.CloseMetaQueryRequest(bucket=BUCKET)).status_code, 200, "close")
    expect_error(lambda: client.get_meta_query_status(oss.GetMetaQueryStatusRequest(bucket=BUCKET)),
                 404, "MetaQueryNotExist", "status after close")
    client.open_meta_query(oss.OpenMetaQueryRequest(bucket=BUCKET, mode="semantic"))
    status = client.get_meta_query_status(oss.GetMetaQueryStatusRequest(bucket=BUCKET)).meta_query_status
    eq(status.state, "Running", "reopened")
    client.close_meta_query(oss.CloseMetaQueryRequest(bucket=BUCKET))


PIPELINE = ("<DataPipelineConfiguration><Sources><InputBucket>src-bucket</InputBucket>"
            "<InputDataScope>All</InputDataScope></Sources><Destination><VectorBucketName>vec-bucket"
            "</VectorBucketName><VectorIndexNames>idx</VectorIndexNames></Destination></DataPipelineConfiguration>")


def pipeline(action, name=None, body=None):
    """DoDataPipelineAction; its parameters travel in the query (the SDK's `parameters`)."""
    params = {"dataPipelineName": name} if name is not None else {}
    return client.do_data_pipeline_action(oss.DoDataPipelineActionRequest(
        action=action, body=body, parameters=params))


@suite.check("data pipeline: get absent is 404 NoSuchDataPipeline; put; get and list succeed; delete; 404")
def _():
    # The SDK's result keeps no body, so what is stored shows as get succeeding or failing.
    expect_error(lambda: pipeline("getDataPipelineConfiguration", "rule-1"), 404, "NoSuchDataPipeline",
                 "get before put")
    eq(pipeline("putDataPipelineConfiguration", "rule-1", PIPELINE.encode()).status_code, 200, "put")
    eq(pipeline("getDataPipelineConfiguration", "rule-1").status_code, 200, "get after put")
    eq(pipeline("listDataPipelineConfigurations").status_code, 200, "list")
    expect_error(lambda: pipeline("getDataPipelineConfiguration", "rule-2"), 404, "NoSuchDataPipeline",
                 "another name")
    eq(pipeline("deleteDataPipelineConfiguration", "rule-1").status_code, 200, "delete")
    expect_error(lambda: pipeline("getDataPipelineConfiguration", "rule-1"), 404, "NoSuchDataPipeline",
                 "get after delete")


@suite.check("data pipeline: an unknown action and a bad name are 400 InvalidArgument")
def _():
    expect_error(lambda: pipeline("frobnicate"), 400, "InvalidArgument", "unknown action")
    expect_error(lambda: pipeline("putDataPipelineConfiguration", "bad name!", PIPELINE.encode()), 400,
                 "InvalidArgument", "bad name")


@suite.check("absent bucket: open is 404 NoSuchBucket")
def _():
    expect_error(lambda: client.open_meta_query(oss.OpenMetaQueryRequest(bucket=unique_bucket("mq-ghost"))),
                 404, "NoSuchBucket", "open")


@suite.cleanup
def _():
    try:
        client.close_meta_query(oss.CloseMetaQueryRequest(bucket=BUCKET))
    except Exception:
        pass
    empty_and_delete_bucket(client, BUCKET)


suite.run()
