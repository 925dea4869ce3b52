"""Times `ossx cp` for `cargo xtask bench` (the ossx column and the 1,000-file rows).

usage: bench_ossx.py OSSX ENDPOINT OP SIZE ROUNDS WORK_DIR [FILES]

OP is upload, download or copy (one object of SIZE bytes), or tree-up / tree-down (`cp -r` of
FILES files of SIZE bytes each). Prints `RESULT <op> <size> <MB/s> <peak RSS KiB>` (the median
of the rounds; the peak resident set of the ossx processes) and, for trees,
`FILES <op> <files> <files/s>`.
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

ossx, endpoint, op, size, rounds, work = sys.argv[1:7]
size, rounds = int(size), int(rounds)
files = int(sys.argv[7]) if len(sys.argv) > 7 else 1
bucket = "bench-ossx"
base = [ossx, "--endpoint", endpoint, "--region", "cn-hangzhou", "-i", "ak", "-k", "sk",
        "--addressing-style", "path", "-q"]
env = dict(os.environ, HOME=work, ALIBABA_CLOUD_ECS_METADATA_DISABLED="true")


def ossx_run(*args, timed=True):
    started = time.perf_counter()
    subprocess.run(base + list(args), check=True, env=env, cwd=work, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def data_file(path, n):
    if not os.path.exists(path) or os.path.getsize(path) != n:
        with open(path, "wb") as f:
            left = n
            block = os.urandom(min(n, 1 << 20) or 1)
            while left > 0:
                f.write(block[:left])
                left -= len(block)


os.makedirs(work, exist_ok=True)
subprocess.run(base + ["mb", f"oss://{bucket}"], env=env, cwd=work,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
src = os.path.join(work, f"ossx-src-{size}")
key = f"oss://{bucket}/ossx-{size}"
times = []
if op in ("upload", "download", "copy"):
    data_file(src, size)
    if op != "upload":
        ossx_run("cp", src, key)
    for r in range(rounds):
        if op == "upload":
            times.append(ossx_run("cp", src, key))
        elif op == "download":
            dest = os.path.join(work, f"ossx-dl-{size}")
            if os.path.exists(dest):
                os.remove(dest)
            times.append(ossx_run("cp", key, dest))
            os.remove(dest)
        else:
            times.append(ossx_run("cp", key, f"{key}-copy"))
    total = size
elif op in ("tree-up", "tree-down"):
    tree = os.path.join(work, f"ossx-tree-{files}-{size}")
    if not os.path.isdir(tree):
        for i in range(files):
            d = os.path.join(tree, f"d{i % 10}")
            os.makedirs(d, exist_ok=True)
            data_file(os.path.join(d, f"f{i}.bin"), size)
    prefix = f"oss://{bucket}/tree-{files}-{size}/"
    if op == "tree-down":
        ossx_run("cp", "-r", "-j", "16", tree, prefix)
    for r in range(rounds):
        if op == "tree-up":
            times.append(ossx_run("cp", "-r", "-j", "16", tree, prefix))
        else:
            dest = os.path.join(work, "ossx-tree-down")
            shutil.rmtree(dest, ignore_errors=True)
            times.append(ossx_run("cp", "-r", "-j", "16", prefix, dest))
            shutil.rmtree(dest, ignore_errors=True)
    total = size * files
else:
    sys.exit(f"unknown op {op}")

median = statistics.median(times)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"RESULT {op} {size} {total / median / 1e6:.3f} {rss}")
if op.startswith("tree"):
    print(f"FILES {op} {files} {files / median:.1f}")
