"""Presigned URLs made by the official SDK (`client.presign`) and fetched with plain urllib: GET (with a
response-* override), HEAD, PUT (signed Content-Type and metadata), a multipart upload driven through
presigned InitiateMultipartUpload / UploadPart / CompleteMultipartUpload, expiry, and tampering."""

import datetime
import time
import urllib.parse
import xml.etree.ElementTree as ET

import alibabacloud_oss_v2 as oss

from _common import (ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGNATURE_VERSION, Suite, crc64, empty_and_delete_bucket, eq, http, make_client, md5_etag,
                     multipart_etag, payload, read_body, true, unique_bucket)

suite = Suite("presign")
client = make_client()
BUCKET = unique_bucket("pre")
DATA = payload(2048, seed=21)
KEY = "shared/file.bin"


def error_code(body: bytes) -> str:
    try:
        return ET.fromstring(body).findtext("Code") or ""
    except ET.ParseError:
        return ""


def lower_headers(headers: dict) -> dict:
    return {k.lower(): v for k, v in headers.items()}


@suite.check("setup: bucket and a private object")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=KEY, body=DATA, content_type="application/x-data"))


@suite.check("the presigned URL has the requested signature version's form")
def _():
    url = client.presign(oss.GetObjectRequest(bucket=BUCKET, key=KEY)).url
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    if SIGNATURE_VERSION == "v1":
        true({"OSSAccessKeyId", "Expires", "Signature"} <= set(query), f"V1 query parameters in {sorted(query)}")
    else:
        eq(query.get("x-oss-signature-version"), ["OSS4-HMAC-SHA256"], "x-oss-signature-version")
        true({"x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-signature"} <= set(query),
             f"V4 query parameters in {sorted(query)}")


@suite.check("presigned GET fetched with urllib: 200, the data, its CRC-64")
def _():
    result = client.presign(oss.GetObjectRequest(bucket=BUCKET, key=KEY))
    eq(result.method, "GET", "method")
    true(result.expiration is not None, "expiration is set")
    status, headers, body = http("GET", result.url, headers=result.signed_headers)
    eq(status, 200, f"status (body {body[:300]!r})")
    eq(body, DATA, "body")
    headers = lower_headers(headers)
    eq(headers.get("content-type"), "application/x-data", "Content-Type")
    eq(headers.get("etag"), md5_etag(DATA), "ETag")
    eq(headers.get("x-oss-hash-crc64ecma"), crc64(DATA), "x-oss-hash-crc64ecma")


@suite.check("presigned GET with a response-content-disposition override")
def _():
    result = client.presign(oss.GetObjectRequest(bucket=BUCKET, key=KEY,
                                                 response_content_disposition='attachment; filename="f.bin"'))
    status, headers, body = http("GET", result.url, headers=result.signed_headers)
    eq(status, 200, f"status (body {body[:300]!r})")
    eq(lower_headers(headers).get("content-disposition"), 'attachment; filename="f.bin"', "Content-Disposition")


@suite.check("presigned HEAD fetched with urllib")
def _():
    result = client.presign(oss.HeadObjectRequest(bucket=BUCKET, key=KEY))
    eq(result.method, "HEAD", "method")
    status, headers, _ = http("HEAD", result.url, headers=result.signed_headers)
    eq(status, 200, "status")
    eq(lower_headers(headers).get("content-length"), str(len(DATA)), "Content-Length")


@suite.check("presigned GET made with an STS security token")
def _():
    sts = make_client(credentials_provider=oss.credentials.StaticCredentialsProvider(
        ACCESS_KEY_ID, ACCESS_KEY_SECRET, security_token="interop-sts-token"))
    result = sts.presign(oss.GetObjectRequest(bucket=BUCKET, key=KEY))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(result.url).query)
    token_param = "security-token" if SIGNATURE_VERSION == "v1" else "x-oss-security-token"
    eq(query.get(token_param), ["interop-sts-token"], f"{token_param} in the URL")
    status, _, body = http("GET", result.url, headers=result.signed_headers)
    eq(status, 200, f"status (body {body[:300]!r})")
    eq(body, DATA, "body")


@suite.check("presigned GET of a missing key: 404 NoSuchKey")
def _():
    result = client.presign(oss.GetObjectRequest(bucket=BUCKET, key="nothing-here"))
    status, _, body = http("GET", result.url, headers=result.signed_headers)
    eq(status, 404, "status")
    eq(error_code(body), "NoSuchKey", "Code")


@suite.check("presigned PUT with signed Content-Type and metadata, uploaded with urllib")
def _():
    data = payload(777, seed=22)
    result = client.presign(oss.PutObjectRequest(bucket=BUCKET, key="uploads/via-url.bin",
                                                 content_type="text/x-upload", metadata={"source": "presigned"}))
    eq(result.method, "PUT", "method")
    signed = lower_headers(result.signed_headers or {})
    eq(signed.get("content-type"), "text/x-upload", "Content-Type among the signed headers")
    eq(signed.get("x-oss-meta-source"), "presigned", "x-oss-meta-source among the signed headers")
    status, headers, body = http("PUT", result.url, data=data, headers=result.signed_headers)
    eq(status, 200, f"status (body {body[:300]!r})")
    headers = lower_headers(headers)
    eq(headers.get("etag"), md5_etag(data), "ETag")
    eq(headers.get("x-oss-hash-crc64ecma"), crc64(data), "x-oss-hash-crc64ecma")
    got = client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="uploads/via-url.bin"))
    eq(read_body(got), data, "body read back with the SDK")
    eq(got.content_type, "text/x-upload", "Content-Type read back")
    eq(got.metadata, {"source": "presigned"}, "metadata read back")


@suite.check("presigned PUT sent with another Content-Type: 403 SignatureDoesNotMatch")
def _():
    result = client.presign(oss.PutObjectRequest(bucket=BUCKET, key="uploads/mismatch", content_type="text/plain"))
    headers = dict(result.signed_headers or {})
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    headers["Content-Type"] = "application/octet-stream"
    status, _, body = http("PUT", result.url, data=b"x", headers=headers)
    eq(status, 403, "status")
    eq(error_code(body), "SignatureDoesNotMatch", "Code")


@suite.check("a presigned URL used for another key: 403 SignatureDoesNotMatch")
def _():
    result = client.presign(oss.GetObjectRequest(bucket=BUCKET, key=KEY))
    parts = urllib.parse.urlsplit(result.url)
    tampered = urllib.parse.urlunsplit(parts._replace(path=parts.path + "-other"))
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key=KEY + "-other", body=b"other"))
    status, _, body = http("GET", tampered, headers=result.signed_headers)
    eq(status, 403, "status")
    eq(error_code(body), "SignatureDoesNotMatch", "Code")


@suite.check("a presigned URL used with another method: 403 SignatureDoesNotMatch")
def _():
    result = client.presign(oss.GetObjectRequest(bucket=BUCKET, key=KEY))
    status, _, body = http("DELETE", result.url, headers=result.signed_headers)
    eq(status, 403, "status")
    eq(error_code(body), "SignatureDoesNotMatch", "Code")
    eq(read_body(client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=KEY))), DATA, "object still there")


@suite.check("an expired presigned URL: 403 AccessDenied")
def _():
    # The SDK truncates the remaining seconds, so 1 s would sign x-oss-expires=0, an invalid value.
    result = client.presign(oss.GetObjectRequest(bucket=BUCKET, key=KEY), expires=datetime.timedelta(seconds=3))
    time.sleep(4.5)
    status, _, body = http("GET", result.url, headers=result.signed_headers)
    eq(status, 403, "status")
    eq(error_code(body), "AccessDenied", "Code")


@suite.check("multipart upload through presigned Initiate, UploadPart and Complete URLs")
def _():
    key = "uploads/multipart-via-url.bin"
    parts = [payload(100 * 1024, seed=23), payload(500, seed=24)]
    init = client.presign(oss.InitiateMultipartUploadRequest(bucket=BUCKET, key=key))
    status, _, body = http("POST", init.url, data=b"", headers=init.signed_headers)
    eq(status, 200, f"initiate status (body {body[:300]!r})")
    upload_id = ET.fromstring(body).findtext("UploadId")
    true(upload_id, "UploadId in InitiateMultipartUploadResult")
    etags = []
    for number, data in enumerate(parts, start=1):
        url = client.presign(oss.UploadPartRequest(bucket=BUCKET, key=key, upload_id=upload_id,
                                                   part_number=number))
        status, headers, body = http("PUT", url.url, data=data, headers=url.signed_headers)
        eq(status, 200, f"part {number} status (body {body[:300]!r})")
        etag = lower_headers(headers).get("etag")
        eq(etag, md5_etag(data), f"part {number} ETag")
        etags.append(etag)
    xml = "<CompleteMultipartUpload>" + "".join(
        f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in enumerate(etags, start=1)
    ) + "</CompleteMultipartUpload>"
    done = client.presign(oss.CompleteMultipartUploadRequest(bucket=BUCKET, key=key, upload_id=upload_id))
    status, headers, body = http("POST", done.url, data=xml.encode(), headers=done.signed_headers)
    eq(status, 200, f"complete status (body {body[:300]!r})")
    eq(ET.fromstring(body).findtext("ETag"), multipart_etag(parts), "ETag in CompleteMultipartUploadResult")
    eq(lower_headers(headers).get("x-oss-hash-crc64ecma"), crc64(b"".join(parts)), "x-oss-hash-crc64ecma")
    got = client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=key))
    eq(read_body(got), b"".join(parts), "body read back with the SDK")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)


suite.run()
