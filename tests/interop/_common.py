"""Shared helpers for the interop scripts: the official SDK client, checks, expected-value helpers.

Every script reads its peer from the environment that `tests/tests/interop.rs` sets:

    OSS_RS_ENDPOINT            http://127.0.0.1:PORT (the emulator)
    OSS_RS_REGION              cn-hangzhou
    OSS_RS_ACCESS_KEY_ID       the emulator's access key id
    OSS_RS_ACCESS_KEY_SECRET   the emulator's access key secret
    OSS_RS_SIGNATURE_VERSION   v4 (default) or v1

A script registers checks with `@suite.check("name")`; `suite.run()` runs them in order, reports each one as
PASS or FAIL with the reason, and exits non-zero when any failed (see Suite for known_failures.txt). Checks run on even after a failure so one
run shows everything that is wrong. Expected values come from what the script sent and from the API's
documented semantics, never from the emulator's earlier answers about the same thing.
"""

import base64
import hashlib
import http.client as http_client
import os
import secrets
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request

import alibabacloud_oss_v2 as oss
from alibabacloud_oss_v2 import exceptions
from alibabacloud_oss_v2.crc import Crc64

ENDPOINT = os.environ.get("OSS_RS_ENDPOINT", "http://127.0.0.1:8080")
REGION = os.environ.get("OSS_RS_REGION", "cn-hangzhou")
ACCESS_KEY_ID = os.environ.get("OSS_RS_ACCESS_KEY_ID", "")
ACCESS_KEY_SECRET = os.environ.get("OSS_RS_ACCESS_KEY_SECRET", "")
SIGNATURE_VERSION = os.environ.get("OSS_RS_SIGNATURE_VERSION", "v4")

# The location OSS reports for a bucket in REGION.
LOCATION = "oss-" + REGION


def make_client(**overrides) -> oss.Client:
    """The official SDK client aimed at the emulator: path style, plain HTTP, no retries."""
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(
        ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    cfg.region = REGION
    cfg.endpoint = ENDPOINT
    cfg.use_path_style = True
    cfg.disable_ssl = ENDPOINT.startswith("http://")
    cfg.signature_version = SIGNATURE_VERSION
    # One attempt: a failing check must show the emulator's first answer, and fast.
    cfg.retryer = oss.retry.NopRetryer()
    cfg.retry_max_attempts = 1
    cfg.connect_timeout = 10
    cfg.readwrite_timeout = 30
    for name, value in overrides.items():
        setattr(cfg, name, value)
    return oss.Client(cfg)


def unique_bucket(prefix: str) -> str:
    """A fresh valid bucket name (3-63 chars of a-z, 0-9 and '-')."""
    return f"{prefix}-{SIGNATURE_VERSION}-{secrets.token_hex(4)}"


# ---------------------------------------------------------------------------------------------------------
# Expected values computed independently of the emulator


def crc64(data: bytes) -> str:
    """CRC-64/ECMA-182 as OSS prints it in x-oss-hash-crc64ecma (decimal), by the SDK's own crcmod code."""
    c = Crc64(0)
    c.update(data)
    return str(c.sum64())


def md5_base64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def md5_etag(data: bytes) -> str:
    """The ETag OSS gives a simple upload: the quoted upper-case hex MD5."""
    return '"' + hashlib.md5(data).hexdigest().upper() + '"'


def multipart_etag(parts: list) -> str:
    """The ETag of a completed multipart upload: MD5 of the binary part MD5s, '-', the part count."""
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest().upper()
    return f'"{digest}-{len(parts)}"'


def payload(size: int, seed: int = 0) -> bytes:
    """Deterministic, non-repeating-looking bytes of the given size."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


# ---------------------------------------------------------------------------------------------------------
# Assertions


class CheckFailed(AssertionError):
    pass


def eq(actual, expected, what: str):
    if actual != expected:
        raise CheckFailed(f"{what}: expected {expected!r}, got {actual!r}")


def true(cond, what: str):
    if not cond:
        raise CheckFailed(what)


def header(result, name: str):
    """A response header of an SDK result, looked up case-insensitively."""
    headers = getattr(result, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def service_error(exc: BaseException):
    """The ServiceError inside an SDK exception, or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, exceptions.ServiceError):
            return exc
        if isinstance(exc, exceptions.OperationError):
            exc = exc.unwrap()
        else:
            exc = exc.__cause__ or exc.__context__
    return None


def expect_error(call, status: int, code=None, what: str = "request"):
    """Runs `call`; it must fail with a service error of this HTTP status (and error code, if given)."""
    try:
        result = call()
    except Exception as exc:  # the SDK wraps everything in OperationError
        err = service_error(exc)
        if err is None:
            raise CheckFailed(f"{what}: expected HTTP {status} {code or ''}, got a non-service error: "
                              f"{type(exc).__name__}: {exc}") from exc
        if err.status_code != status or (code is not None and err.code != code):
            raise CheckFailed(f"{what}: expected HTTP {status} {code or ''}, got HTTP {err.status_code} "
                              f"{err.code} ({err.message})") from exc
        return err
    raise CheckFailed(f"{what}: expected HTTP {status} {code or ''}, but it succeeded "
                      f"(status {getattr(result, 'status_code', '?')})")


def expect_crc(result, data: bytes, what: str):
    """The response carries x-oss-hash-crc64ecma and it is the CRC-64 of `data`.

    The SDK silently skips its own CRC check when the header is absent, so presence is asserted here.
    """
    got = header(result, "x-oss-hash-crc64ecma")
    if got is None:
        raise CheckFailed(f"{what}: no x-oss-hash-crc64ecma header, so the SDK could not check CRC-64")
    eq(got, crc64(data), f"{what}: x-oss-hash-crc64ecma")


def read_body(result) -> bytes:
    """The whole body of a GetObject result."""
    try:
        return result.body.content
    finally:
        result.body.close()


def http(method: str, url: str, data: bytes = None, headers: dict = None):
    """A plain HTTP request (no SDK): (status, headers, body); HTTP errors are returned, not raised.

    urllib.request is used, except for a body without a Content-Type: urllib would then add
    `application/x-www-form-urlencoded`, which a signature made without one rightly refuses, so such a
    request goes through http.client, which sends only the headers given.
    """
    headers = dict(headers or {})
    has_type = any(k.lower() == "content-type" for k in headers)
    if data is not None and not has_type:
        parts = urllib.parse.urlsplit(url)
        conn = http_client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            target = parts.path + ("?" + parts.query if parts.query else "")
            conn.request(method, target, body=data, headers=headers)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


# ---------------------------------------------------------------------------------------------------------
# Clean-up (best effort; never part of what is checked)


def empty_and_delete_bucket(client: oss.Client, bucket: str):
    try:
        try:
            client.put_bucket_versioning(oss.PutBucketVersioningRequest(
                bucket=bucket, versioning_configuration=oss.VersioningConfiguration(status="Suspended")))
        except Exception:
            pass
        try:
            versions = client.list_object_versions(oss.ListObjectVersionsRequest(bucket=bucket, max_keys=1000))
            for v in (versions.version or []) + (versions.delete_marker or []):
                client.delete_object(oss.DeleteObjectRequest(bucket=bucket, key=v.key, version_id=v.version_id))
        except Exception:
            pass
        try:
            objects = client.list_objects(oss.ListObjectsRequest(bucket=bucket, max_keys=1000))
            for o in objects.contents or []:
                client.delete_object(oss.DeleteObjectRequest(bucket=bucket, key=o.key))
        except Exception:
            pass
        try:
            uploads = client.list_multipart_uploads(oss.ListMultipartUploadsRequest(bucket=bucket))
            for u in uploads.uploads or []:
                client.abort_multipart_upload(oss.AbortMultipartUploadRequest(
                    bucket=bucket, key=u.key, upload_id=u.upload_id))
        except Exception:
            pass
        client.delete_bucket(oss.DeleteBucketRequest(bucket=bucket))
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------------------
# The check runner


KNOWN_FAILURES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_failures.txt")


def load_known_failures(script: str) -> dict:
    """{check name: reason} for `script` from known_failures.txt.

    Lines are `script | check name | reason`; `script@v1` (or `@v4`) limits a line to one signature version.
    """
    known = {}
    try:
        with open(KNOWN_FAILURES_FILE, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                fields = [x.strip() for x in line.split("|")]
                if len(fields) >= 3 and fields[0] in (script, f"{script}@{SIGNATURE_VERSION}"):
                    known[fields[1]] = fields[2]
    except FileNotFoundError:
        pass
    return known


class Suite:
    """Checks run in order; each reports PASS, FAIL, or (when listed in known_failures.txt) XFAIL / XPASS.

    A listed check that fails is reported as XFAIL with its recorded reason and does not fail the script;
    a listed check that passes is reported as XPASS so the entry can be removed. OSS_RS_INTEROP_STRICT=1
    ignores the list: every failure fails the script.
    """

    def __init__(self, name: str):
        self.name = name
        self.checks = []
        self.cleanups = []
        self.strict = os.environ.get("OSS_RS_INTEROP_STRICT", "") not in ("", "0")
        self.known = {} if self.strict else load_known_failures(name)

    def check(self, name: str):
        def register(fn):
            self.checks.append((name, fn))
            return fn
        return register

    def cleanup(self, fn):
        self.cleanups.append(fn)
        return fn

    @staticmethod
    def _reason(exc: BaseException) -> str:
        if isinstance(exc, CheckFailed):
            return str(exc)
        err = service_error(exc)
        if err is not None:
            return (f"service error HTTP {err.status_code} {err.code}: {err.message} "
                    f"(request {err.request_target})")
        reason = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        tb = traceback.extract_tb(exc.__traceback__)
        mine = [f for f in tb if "/interop/" in f.filename]
        if mine:
            reason += f" (at {os.path.basename(mine[-1].filename)}:{mine[-1].lineno})"
        return reason

    def run(self):
        passed, failed, xfailed, xpassed = [], [], [], []
        print(f"interop {self.name} against {ENDPOINT} with signature {SIGNATURE_VERSION}, "
              f"SDK {oss.__version__}", flush=True)
        for name, fn in self.checks:
            try:
                fn()
            except Exception as exc:
                reason = self._reason(exc)
                if name in self.known:
                    xfailed.append(name)
                    print(f"XFAIL {name}: {reason} [known: {self.known[name]}]", flush=True)
                else:
                    failed.append(name)
                    print(f"FAIL {name}: {reason}", flush=True)
            else:
                if name in self.known:
                    xpassed.append(name)
                    print(f"XPASS {name}: passes now; remove it from known_failures.txt", flush=True)
                else:
                    passed.append(name)
                    print(f"PASS {name}", flush=True)
        for fn in self.cleanups:
            try:
                fn()
            except Exception:
                pass
        stale = sorted(set(self.known) - {name for name, _ in self.checks})
        for name in stale:
            print(f"STALE known_failures.txt entry names no check of {self.name}: {name}", flush=True)
        print(f"summary {self.name} ({SIGNATURE_VERSION}): {len(self.checks)} checks, {len(passed)} pass, "
              f"{len(failed)} fail, {len(xfailed)} known failures, {len(xpassed)} known failures passing",
              flush=True)
        if failed:
            print("failing checks: " + "; ".join(failed), flush=True)
        sys.exit(1 if failed else 0)
