"""Vector buckets through the official SDK's vectors client (`alibabacloud_oss_v2.vectors`): every
operation it has (buckets, bucket policy, bucket logging, indexes, fusion indexes, vectors, QueryVectors,
QueryVectorsFusion, the three paginators), error codes as JSON, and QueryVectors results checked against a
brute-force search computed here.

The vectors client always addresses `{bucket}-{account}.{endpoint host}` (V4 only, signed over the
`acs:ossvector:` resource), so the script gives it the host `vectors.emulator.test` and resolves every
name under it to loopback (socket.getaddrinfo), where the emulator's vector listener reads the bucket back
from the Host header."""

import math
import os
import random
import socket
import urllib.parse

import alibabacloud_oss_v2 as oss
from alibabacloud_oss_v2 import vectors as ossv

from _common import (ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, Suite, eq, expect_error, make_client, true)

VECTOR_ENDPOINT = os.environ.get("OSS_RS_VECTOR_ENDPOINT", "http://127.0.0.1:8081")
ACCOUNT_ID = os.environ.get("OSS_RS_ACCOUNT_ID", "1234567890123456")
FAKE_HOST = "vectors.emulator.test"
PORT = urllib.parse.urlsplit(VECTOR_ENDPOINT).port

_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and (host == FAKE_HOST or host.endswith("." + FAKE_HOST)):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_getaddrinfo


def make_vectors_client() -> ossv.Client:
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    cfg.region = REGION
    cfg.endpoint = f"http://{FAKE_HOST}:{PORT}"
    cfg.account_id = ACCOUNT_ID
    cfg.retryer = oss.retry.NopRetryer()
    cfg.retry_max_attempts = 1
    return ossv.Client(cfg)


suite = Suite("vectors")
client = make_vectors_client()
oss_client = make_client()
SUFFIX = os.urandom(3).hex()
BUCKET = f"pyvb-{SUFFIX}"
OTHER = f"pyvc-{SUFFIX}"
LOG_TARGET = f"pylog-{SUFFIX}"
DIM = 16


def index_request(name, dimension=DIM, metric="euclidean", **kw):
    return ossv.models.PutVectorIndexRequest(bucket=BUCKET, index_name=name, data_type="float32",
                                              dimension=dimension, distance_metric=metric, **kw)


@suite.check("put, get and list vector buckets")
def buckets():
    client.put_vector_bucket(ossv.models.PutVectorBucketRequest(bucket=BUCKET))
    client.put_vector_bucket(ossv.models.PutVectorBucketRequest(bucket=OTHER))
    expect_error(lambda: client.put_vector_bucket(ossv.models.PutVectorBucketRequest(bucket=BUCKET)),
                 409, "BucketAlreadyExists", "a second PutVectorBucket")
    info = client.get_vector_bucket(ossv.models.GetVectorBucketRequest(bucket=BUCKET)).bucket_info
    eq(info.name, BUCKET, "BucketInfo.Name")
    eq(info.location, "oss-" + REGION, "BucketInfo.Location")
    true(info.creation_date is not None, "BucketInfo.CreationDate is set")
    err = expect_error(lambda: client.get_vector_bucket(ossv.models.GetVectorBucketRequest(bucket="pyvb-none")),
                       404, "NoSuchBucket", "GetVectorBucket of a missing bucket")
    eq(err.ec, "0015-00000101", "the EC of NoSuchBucket")
    names = []
    pages = 0
    for page in client.list_vector_buckets_paginator().iter_page(
            ossv.models.ListVectorBucketsRequest(prefix=f"pyv", max_keys=1)):
        pages += 1
        names.extend(b.name for b in page.buckets or [])
    eq(sorted(n for n in names if n.endswith(SUFFIX)), sorted([BUCKET, OTHER]), "listed buckets")
    true(pages >= 2, f"max-keys=1 pages the listing ({pages} pages)")


@suite.check("bucket policy")
def policy():
    expect_error(lambda: client.get_bucket_policy(ossv.models.GetBucketPolicyRequest(bucket=BUCKET)),
                 404, "NoSuchBucketPolicy", "GetBucketPolicy before any")
    doc = ('{"Version":"1","Statement":[{"Effect":"Allow","Action":["ossvector:QueryVectors"],'
           '"Principal":["*"],"Resource":["acs:ossvector:*:*:' + BUCKET + '"]}]}')
    client.put_bucket_policy(ossv.models.PutBucketPolicyRequest(bucket=BUCKET, body=doc))
    got = client.get_bucket_policy(ossv.models.GetBucketPolicyRequest(bucket=BUCKET))
    eq(got.body, doc, "the policy read back")
    client.delete_bucket_policy(ossv.models.DeleteBucketPolicyRequest(bucket=BUCKET))
    expect_error(lambda: client.get_bucket_policy(ossv.models.GetBucketPolicyRequest(bucket=BUCKET)),
                 404, "NoSuchBucketPolicy", "GetBucketPolicy after delete")


@suite.check("bucket logging")
def logging():
    oss_client.put_bucket(oss.PutBucketRequest(bucket=LOG_TARGET))
    status = ossv.models.BucketLoggingStatus(logging_enabled=ossv.models.LoggingEnabled(
        target_bucket=LOG_TARGET, target_prefix="vlog/", logging_role="AliyunOSSLoggingDefaultRole"))
    client.put_bucket_logging(ossv.models.PutBucketLoggingRequest(bucket=BUCKET, bucket_logging_status=status))
    got = client.get_bucket_logging(ossv.models.GetBucketLoggingRequest(bucket=BUCKET))
    enabled = got.bucket_logging_status.logging_enabled
    eq((enabled.target_bucket, enabled.target_prefix, enabled.logging_role),
       (LOG_TARGET, "vlog/", "AliyunOSSLoggingDefaultRole"), "the logging setting read back")
    client.delete_bucket_logging(ossv.models.DeleteBucketLoggingRequest(bucket=BUCKET))
    got = client.get_bucket_logging(ossv.models.GetBucketLoggingRequest(bucket=BUCKET))
    true(got.bucket_logging_status is None or got.bucket_logging_status.logging_enabled is None,
         "logging is off after delete")


@suite.check("vector indexes")
def indexes():
    client.put_vector_index(index_request("euc", metadata={"nonFilterableMetadataKeys": ["note"]}))
    client.put_vector_index(index_request("cos", metric="cosine"))
    for n in range(3):
        client.put_vector_index(index_request(f"extra{n}", dimension=4))
    expect_error(lambda: client.put_vector_index(index_request("euc")), 409, "VectorIndexAlreadyExists",
                 "a second PutVectorIndex")
    expect_error(lambda: client.put_vector_index(index_request("bad-name")), 400, "InvalidArgument",
                 "an index name with a hyphen")
    expect_error(lambda: client.put_vector_index(index_request("big", dimension=5000)), 400, "InvalidArgument",
                 "a dimension over 4096")
    got = client.get_vector_index(ossv.models.GetVectorIndexRequest(bucket=BUCKET, index_name="euc")).index
    eq((got["indexName"], got["dimension"], got["distanceMetric"], got["dataType"]),
       ("euc", DIM, "euclidean", "float32"), "GetVectorIndex")
    eq(got["metadata"]["nonFilterableMetadataKeys"], ["note"], "the non-filterable keys")
    expect_error(lambda: client.get_vector_index(ossv.models.GetVectorIndexRequest(bucket=BUCKET, index_name="nope")),
                 404, "NoSuchVectorIndex", "GetVectorIndex of a missing index")
    names, pages = [], 0
    for page in client.list_vector_indexes_paginator().iter_page(
            ossv.models.ListVectorIndexesRequest(bucket=BUCKET, max_results=2, prefix="extra")):
        pages += 1
        names.extend(i["indexName"] for i in page.indexes or [])
    eq(names, ["extra0", "extra1", "extra2"], "ListVectorIndexes by prefix")
    eq(pages, 2, "pages of two")
    client.delete_vector_index(ossv.models.DeleteVectorIndexRequest(bucket=BUCKET, index_name="extra2"))
    expect_error(lambda: client.delete_vector_index(ossv.models.DeleteVectorIndexRequest(bucket=BUCKET, index_name="extra2")),
                 404, "NoSuchVectorIndex", "deleting it twice")


rng = random.Random(20251201)
ITEMS = [(f"k{n:04d}", [rng.uniform(-1, 1) for _ in range(DIM)], {"genre": rng.choice(["a", "b", "c"]), "n": n % 10})
         for n in range(600)]


def f32(x: float) -> float:
    """x rounded to float32, as the index stores it."""
    import struct
    return struct.unpack("f", struct.pack("f", x))[0]


def reference(metric, query, k, keep=lambda m: True):
    out = []
    for key, v, meta in ITEMS:
        if not keep(meta):
            continue
        a = [f32(x) for x in v]
        q = [f32(x) for x in query]
        if metric == "cosine":
            dot = sum(x * y for x, y in zip(a, q))
            d = 1 - dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in q)))
        else:
            d = math.sqrt(sum((x - y) ** 2 for x, y in zip(a, q)))
        out.append((d, key))
    out.sort()
    return out[:k]


@suite.check("put, get, list and delete vectors")
def vectors():
    for index in ("euc", "cos"):
        for start in range(0, len(ITEMS), 300):
            client.put_vectors(ossv.models.PutVectorsRequest(bucket=BUCKET, index_name=index, vectors=[
                {"key": key, "data": {"float32": v}, "metadata": meta} for key, v, meta in ITEMS[start:start + 300]]))
    client.put_vectors(ossv.models.PutVectorsRequest(bucket=BUCKET, index_name="euc", vectors=[
        {"key": "extra", "data": {"float32": [0.5] * DIM}, "metadata": {"note": "x", "genre": "z"}}]))
    got = client.get_vectors(ossv.models.GetVectorsRequest(bucket=BUCKET, index_name="euc", keys=["extra", "k0001", "none"],
                                                           return_data=True, return_metadata=True))
    by_key = {v["key"]: v for v in got.vectors}
    eq(sorted(by_key), ["extra", "k0001"], "GetVectors finds the stored keys only")
    eq(by_key["extra"]["data"]["float32"], [0.5] * DIM, "the data read back")
    eq(by_key["k0001"]["metadata"], ITEMS[1][2], "the metadata read back")
    keys, pages = [], 0
    for page in client.list_vectors_paginator().iter_page(
            ossv.models.ListVectorsRequest(bucket=BUCKET, index_name="euc", max_results=250)):
        pages += 1
        keys.extend(v["key"] for v in page.vectors or [])
    eq(keys, sorted([k for k, _, _ in ITEMS] + ["extra"]), "ListVectors lists every key in order")
    eq(pages, 3, "pages of 250")
    segs = []
    for segment in range(3):
        page = client.list_vectors(ossv.models.ListVectorsRequest(bucket=BUCKET, index_name="euc", max_results=1000,
                                                                  segment_count=3, segment_index=segment))
        segs.extend(v["key"] for v in page.vectors)
    eq(sorted(segs), sorted(keys), "three segments cover the index once")
    client.delete_vectors(ossv.models.DeleteVectorsRequest(bucket=BUCKET, index_name="euc", keys=["extra"]))
    got = client.get_vectors(ossv.models.GetVectorsRequest(bucket=BUCKET, index_name="euc", keys=["extra"]))
    true(not got.vectors, f"a deleted vector is gone (got {got.vectors!r})")


@suite.check("bad PutVectors requests store nothing")
def bad_puts():
    def count():
        return sum(len(p.vectors or []) for p in client.list_vectors_paginator().iter_page(
            ossv.models.ListVectorsRequest(bucket=BUCKET, index_name="euc", max_results=1000)))
    before = count()
    good = {"key": "new-one", "data": {"float32": [0.1] * DIM}}
    for what, vs in [
        ("wrong dimension", [good, {"key": "b", "data": {"float32": [0.1] * (DIM - 1)}}]),
        ("duplicate key", [good, dict(good)]),
        ("too many", [{"key": f"t{n}", "data": {"float32": [0.1] * DIM}} for n in range(501)]),
        ("no data", [good, {"key": "nodata"}]),
    ]:
        expect_error(lambda: client.put_vectors(ossv.models.PutVectorsRequest(bucket=BUCKET, index_name="euc", vectors=vs)),
                     400, "InvalidArgument", what)
    eq(count(), before, "nothing was stored")


@suite.check("QueryVectors equals a brute-force search")
def query():
    for index, metric in (("euc", "euclidean"), ("cos", "cosine")):
        for filt, keep in [
            (None, lambda m: True),
            ({"genre": {"$eq": "a"}}, lambda m: m["genre"] == "a"),
            ({"$and": [{"genre": {"$in": ["b", "c"]}}, {"n": {"$nin": [1, 2]}}]},
             lambda m: m["genre"] in ("b", "c") and m["n"] not in (1, 2)),
            ({"$or": [{"genre": {"$ne": "a"}}, {"n": {"$exists": False}}]}, lambda m: m["genre"] != "a"),
        ]:
            q = [rng.uniform(-1, 1) for _ in range(DIM)]
            r = client.query_vectors(ossv.models.QueryVectorsRequest(
                bucket=BUCKET, index_name=index, query_vector={"float32": q}, top_k=10, filter=filt,
                return_distance=True, return_metadata=True))
            want = reference(metric, q, 10, keep)
            eq([v["key"] for v in r.vectors], [k for _, k in want], f"{metric} {filt}: keys")
            for v, (d, _) in zip(r.vectors, want):
                true(abs(v["distance"] - d) < 1e-5, f"{metric}: distance {v['distance']} vs {d}")
                true(keep(v["metadata"]), f"{metric}: metadata passes the filter")
    for top_k in (0, 101):
        expect_error(lambda: client.query_vectors(ossv.models.QueryVectorsRequest(
            bucket=BUCKET, index_name="euc", query_vector={"float32": [0.0] * DIM}, top_k=top_k)),
            400, "InvalidArgument", f"topK {top_k}")
    expect_error(lambda: client.query_vectors(ossv.models.QueryVectorsRequest(
        bucket=BUCKET, index_name="euc", query_vector={"float32": [0.0] * DIM}, top_k=1, filter={"note": "x"})),
        400, "InvalidArgument", "a filter on a non-filterable key")


@suite.check("fusion index and QueryVectorsFusion")
def fusion():
    client.put_vector_index_fusion(ossv.models.PutVectorIndexFusionRequest(
        bucket=BUCKET, index_name="shop", mode="fusion", schema_configuration={"fields": [
            {"name": "float32", "type": "vector", "dataType": "float32", "dimension": 2, "distanceMetric": "euclidean"},
            {"name": "title", "type": "string", "exactMatch": True, "text": {"enabled": True, "analyzer": "standard"}},
            {"name": "price", "type": "double"},
        ]}))
    client.put_vectors(ossv.models.PutVectorsRequest(bucket=BUCKET, index_name="shop", vectors=[
        {"key": "phone", "data": {"float32": [0.0, 0.0]}, "metadata": {"title": "Cloud phone", "price": 99.0}},
        {"key": "speaker", "data": {"float32": [1.0, 0.0]}, "metadata": {"title": "cloud speaker", "price": 49.0}},
        {"key": "desk", "data": {"float32": [3.0, 4.0]}, "metadata": {"title": "Desk", "price": 10.0}},
    ]))
    r = client.query_vectors_fusion(ossv.models.QueryVectorsFusionRequest(
        bucket=BUCKET, index_name="shop", knn={"field": "float32", "queryVector": [0.0, 0.0], "topK": 3},
        query={"title": {"$textMatch": {"value": "Cloud"}}}, return_metadata=True))
    eq([v["key"] for v in r.vectors], ["phone", "speaker"], "knn + text match, best score first")
    eq([v["score"] for v in r.vectors], [1.0, 0.5], "scores 1 / (1 + distance)")
    eq(r.vectors[1]["metadata"], {"title": "cloud speaker", "price": 49.0}, "metadata of a hit")


@suite.check("delete vector buckets")
def delete_buckets():
    expect_error(lambda: client.delete_vector_bucket(ossv.models.DeleteVectorBucketRequest(bucket=BUCKET)),
                 409, "BucketNotEmpty", "deleting a bucket with indexes")
    client.delete_vector_bucket(ossv.models.DeleteVectorBucketRequest(bucket=OTHER))
    expect_error(lambda: client.get_vector_bucket(ossv.models.GetVectorBucketRequest(bucket=OTHER)),
                 404, "NoSuchBucket", "GetVectorBucket after delete")


@suite.cleanup
def cleanup():
    try:
        page = client.list_vector_indexes(ossv.models.ListVectorIndexesRequest(bucket=BUCKET))
        for i in page.indexes or []:
            client.delete_vector_index(ossv.models.DeleteVectorIndexRequest(bucket=BUCKET, index_name=i["indexName"]))
        client.delete_vector_bucket(ossv.models.DeleteVectorBucketRequest(bucket=BUCKET))
        oss_client.delete_bucket(oss.DeleteBucketRequest(bucket=LOG_TARGET))
    except Exception:
        pass


if __name__ == "__main__":
    suite.run()
