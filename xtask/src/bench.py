"""The official Python SDK v2 side of `cargo xtask bench` (run by xtask with the .venv interpreter).

Usage: bench.py ENDPOINT AK SK BUCKET OP SIZE ROUNDS DIR
Prints `RESULT <op> <size> <median MB/s> <peak RSS KiB>` like the Rust client.
Operations: put (put_object_from_file), get (get_object, data discarded), upload (Uploader),
download (Downloader), copy (Copier).
"""

import os
import resource
import statistics
import sys
import time

import alibabacloud_oss_v2 as oss

endpoint, ak, sk, bucket, op, size, rounds, workdir = sys.argv[1:9]
size = int(size)
rounds = int(rounds)

cfg = oss.config.load_default()
cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(ak, sk)
cfg.region = "cn-hangzhou"
cfg.endpoint = endpoint
cfg.use_path_style = True
cfg.disable_ssl = True
client = oss.Client(cfg)


def source_file() -> str:
    path = os.path.join(workdir, f"src-{size}")
    if os.path.exists(path) and os.path.getsize(path) == size:
        return path
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
    return path


src = source_file()
key = f"py-{op}-{size}"
source_key = f"py-source-{size}"
try:
    client.put_bucket(oss.PutBucketRequest(bucket=bucket))
except Exception:
    pass
if op in ("get", "download", "copy"):
    client.uploader().upload_file(oss.PutObjectRequest(bucket=bucket, key=source_key), src)


def once(round_no: int) -> None:
    if op == "put":
        client.put_object_from_file(oss.PutObjectRequest(bucket=bucket, key=key), src)
    elif op == "get":
        res = client.get_object(oss.GetObjectRequest(bucket=bucket, key=source_key))
        n = 0
        for chunk in res.body.iter_bytes(block_size=256 * 1024):
            n += len(chunk)
        res.body.close()
        if n != size:
            raise RuntimeError(f"got {n} bytes")
    elif op == "upload":
        client.uploader().upload_file(oss.PutObjectRequest(bucket=bucket, key=key), src)
    elif op == "download":
        dest = os.path.join(workdir, f"py-dest-{size}-{round_no}")
        client.downloader().download_file(oss.GetObjectRequest(bucket=bucket, key=source_key), dest)
        os.remove(dest)
    elif op == "copy":
        client.copier().copy(oss.CopyObjectRequest(
            bucket=bucket, key=key, source_bucket=bucket, source_key=source_key))
    else:
        raise SystemExit(f"unknown op {op}")


speeds = []
for r in range(rounds):
    start = time.perf_counter()
    once(r)
    speeds.append(size / max(time.perf_counter() - start, 1e-9) / 1e6)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"RESULT {op} {size} {statistics.median(speeds):.1f} {peak}")
