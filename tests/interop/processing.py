"""Data processing through the official SDK: SelectObject over CSV (header, WHERE, projection, count, raw
output, payload CRC) and JSON (LINES and DOCUMENT), CreateSelectObjectMeta (CSV and JSON), image
processing with x-oss-process on GetObject (image/info, resize, format), ProcessObject and
AsyncProcessObject with sys/saveas, and SealAppendObject. Expected rows are computed in Python from
the data the script put; image sizes are read from the PNG header or image/info (no PIL)."""

import base64
import csv
import io
import json
import struct
import zlib

import alibabacloud_oss_v2 as oss

from _common import (Suite, empty_and_delete_bucket, eq, expect_error, header, make_client, read_body,
                     true, unique_bucket)

suite = Suite("processing")
client = make_client()
BUCKET = unique_bucket("proc")

PEOPLE = [
    {"name": "ann", "age": 34, "city": "Hangzhou"},
    {"name": "bob", "age": 27, "city": "Beijing"},
    {"name": "cy", "age": 45, "city": "Hangzhou"},
    {"name": "dee", "age": 19, "city": "Shanghai"},
    {"name": "eve", "age": 52, "city": "Beijing"},
]
CSV_DATA = ("name,age,city\n" + "".join(f"{p['name']},{p['age']},{p['city']}\n" for p in PEOPLE)).encode()
JSON_LINES = "".join(json.dumps(p) + "\n" for p in PEOPLE).encode()
JSON_DOC = json.dumps({"people": PEOPLE}).encode()


def png(width: int, height: int) -> bytes:
    """A truecolour PNG of the given size (a gradient), written by hand."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 7 % 256, y * 11 % 256, (x + y) % 256))
                    for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def png_size(data: bytes):
    """(width, height) from a PNG's IHDR."""
    true(data[:8] == b"\x89PNG\r\n\x1a\n", "a PNG signature")
    return struct.unpack(">II", data[16:24])


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def select(key, sql, process, input_serialization, output_serialization=None):
    result = client.select_object(oss.SelectObjectRequest(
        bucket=BUCKET, key=key, process=process,
        select_request=oss.SelectRequest(expression=b64(sql), input_serialization=input_serialization,
                                         output_serialization=output_serialization)))
    return read_body(result)


def csv_in(header_info="Use"):
    return oss.InputSerialization(csv=oss.CSVInput(file_header_info=header_info))


def rows(text: bytes):
    return list(csv.reader(io.StringIO(text.decode())))


@suite.check("setup: a bucket, CSV, JSON and PNG objects")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="people.csv", body=CSV_DATA))
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="people.jsonl", body=JSON_LINES))
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="people.json", body=JSON_DOC))
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="pic.png", body=png(64, 32),
                                           content_type="image/png"))


@suite.check("select CSV: a WHERE on a cast column with a projection gives the matching rows")
def _():
    out = select("people.csv", "select name, city from ossobject where cast(age as int) > 30",
                 "csv/select", csv_in())
    eq(rows(out), [[p["name"], p["city"]] for p in PEOPLE if p["age"] > 30], "rows")


@suite.check("select CSV: string equality and AND; positional columns with the header ignored")
def _():
    out = select("people.csv", "select * from ossobject where city = 'Hangzhou' and cast(age as int) < 40",
                 "csv/select", csv_in())
    eq(rows(out), [[p["name"], str(p["age"]), p["city"]] for p in PEOPLE
                   if p["city"] == "Hangzhou" and p["age"] < 40], "rows")
    out = select("people.csv", "select _1 from ossobject where _3 = 'Beijing'", "csv/select", csv_in("Ignore"))
    eq(rows(out), [[p["name"]] for p in PEOPLE if p["city"] == "Beijing"], "positional rows")


@suite.check("select CSV: count(*) and max over a WHERE")
def _():
    out = select("people.csv", "select count(*), max(cast(age as int)) from ossobject where city <> 'Shanghai'",
                 "csv/select", csv_in())
    kept = [p["age"] for p in PEOPLE if p["city"] != "Shanghai"]
    got = rows(out)
    eq(len(got), 1, "one row")
    eq([int(float(v)) for v in got[0]], [len(kept), max(kept)], "count and max")


@suite.check("select CSV: raw output (no frames) and a payload CRC give the same rows")
def _():
    sql = "select name from ossobject where cast(age as int) >= 45"
    expected = [[p["name"]] for p in PEOPLE if p["age"] >= 45]
    raw = select("people.csv", sql, "csv/select", csv_in(), oss.OutputSerialization(output_raw_data=True))
    eq(rows(raw), expected, "raw rows")
    crc = select("people.csv", sql, "csv/select", csv_in(), oss.OutputSerialization(enable_payload_crc=True))
    eq(rows(crc), expected, "rows with payload CRC (checked by the SDK)")


@suite.check("select CSV: a statement that does not parse is 400 InvalidArgument")
def _():
    expect_error(lambda: select("people.csv", "selec name frm ossobject", "csv/select", csv_in()),
                 400, "InvalidArgument", "bad SQL")


@suite.check("select JSON: LINES and DOCUMENT with a WHERE give the matching records")
def _():
    out = select("people.jsonl", "select s.name, s.age from ossobject s where s.age > 30", "json/select",
                 oss.InputSerialization(json=oss.JSONInput(type="LINES")))
    got = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    eq(got, [{"name": p["name"], "age": p["age"]} for p in PEOPLE if p["age"] > 30], "LINES records")
    out = select("people.json", "select s.name from ossobject.people[*] s where s.city = 'Beijing'",
                 "json/select", oss.InputSerialization(json=oss.JSONInput(type="DOCUMENT")))
    got = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    eq(got, [{"name": p["name"]} for p in PEOPLE if p["city"] == "Beijing"], "DOCUMENT records")


@suite.check("select meta: CSV rows and columns, JSON LINES rows, as counted in the script")
def _():
    meta = client.create_select_object_meta(oss.CreateSelectObjectMetaRequest(
        bucket=BUCKET, key="people.csv", process="csv/meta",
        select_meta_request=oss.CSVMetaRequest(input_serialization=oss.InputSerialization(csv=oss.CSVInput()))))
    eq(meta.rows_count, len(PEOPLE) + 1, "CSV rows (the header line is a row)")
    eq(meta.cols_count, 3, "CSV columns")
    true(meta.splits_count >= 1, "at least one split")
    eq(meta.total_scanned_bytes, len(CSV_DATA), "CSV scanned bytes")
    meta = client.create_select_object_meta(oss.CreateSelectObjectMetaRequest(
        bucket=BUCKET, key="people.jsonl", process="json/meta",
        select_meta_request=oss.JSONMetaRequest(input_serialization=oss.InputSerialization(
            json=oss.JSONInput(type="LINES")))))
    eq(meta.rows_count, len(PEOPLE), "JSON LINES rows")
    eq(meta.total_scanned_bytes, len(JSON_LINES), "JSON scanned bytes")


def processed(key, process):
    result = client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=key, process=process))
    return result, read_body(result)


@suite.check("image/info: the width, height and format of the PNG the script wrote")
def _():
    _, body = processed("pic.png", "image/info")
    info = json.loads(body)
    eq(info["ImageWidth"]["value"], "64", "ImageWidth")
    eq(info["ImageHeight"]["value"], "32", "ImageHeight")
    eq(info["Format"]["value"].lower(), "png", "Format")
    eq(info["FileSize"]["value"], str(len(png(64, 32))), "FileSize")


@suite.check("image/resize: w_32 keeps the aspect ratio (32x16); m_fixed,w_10,h_10 is 10x10")
def _():
    result, body = processed("pic.png", "image/resize,w_32")
    eq(png_size(body), (32, 16), "w_32")
    eq(header(result, "Content-Type"), "image/png", "Content-Type")
    _, body = processed("pic.png", "image/resize,m_fixed,w_10,h_10")
    eq(png_size(body), (10, 10), "m_fixed 10x10")


@suite.check("image/format: jpg gives a JPEG (SOI marker), image/info of it keeps the size")
def _():
    result, body = processed("pic.png", "image/format,jpg")
    eq(body[:2], b"\xff\xd8", "JPEG SOI")
    eq(header(result, "Content-Type"), "image/jpeg", "Content-Type")


@suite.check("ProcessObject: resize with sys/saveas writes a new object with the resized image")
def _():
    target = "out/small.png"
    result = client.process_object(oss.ProcessObjectRequest(
        bucket=BUCKET, key="pic.png", process=f"image/resize,w_16|sys/saveas,o_{b64url(target)}"))
    eq(result.key, target, "object")
    eq(result.bucket, BUCKET, "bucket")
    eq(result.process_status, "OK", "status")
    saved = read_body(client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=target)))
    eq(result.file_size, len(saved), "fileSize is the saved object's size")
    eq(png_size(saved), (16, 8), "saved image size")


@suite.check("ProcessObject: a saveas name that is not Base64 is 400")
def _():
    expect_error(lambda: client.process_object(oss.ProcessObjectRequest(
        bucket=BUCKET, key="pic.png", process="image/resize,w_16|sys/saveas,o_!!!")), 400, None, "bad saveas")


@suite.check("AsyncProcessObject: a task id is returned and the saved object appears")
def _():
    target = "out/async.png"
    result = client.async_process_object(oss.AsyncProcessObjectRequest(
        bucket=BUCKET, key="pic.png", process=f"image/resize,w_8|sys/saveas,o_{b64url(target)}"))
    true(result.task_id, "TaskId")
    true(result.event_id, "EventId")
    saved = read_body(client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=target)))
    eq(png_size(saved), (8, 4), "saved image size")


@suite.check("seal: append twice, seal at the length; x-oss-sealed-time; a further append is 409")
def _():
    key = "log.append"
    first = client.append_object(oss.AppendObjectRequest(bucket=BUCKET, key=key, position=0, body=b"one\n"))
    client.append_object(oss.AppendObjectRequest(bucket=BUCKET, key=key, position=first.next_position,
                                                 body=b"two\n"))
    expect_error(lambda: client.seal_append_object(oss.SealAppendObjectRequest(bucket=BUCKET, key=key, position=3)),
                 409, "PositionNotEqualToLength", "seal at a wrong position")
    sealed = client.seal_append_object(oss.SealAppendObjectRequest(bucket=BUCKET, key=key, position=8))
    true(sealed.sealed_time, "x-oss-sealed-time")
    head = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key=key))
    eq(header(head, "x-oss-sealed-time"), sealed.sealed_time, "HeadObject shows the seal time")
    expect_error(lambda: client.append_object(oss.AppendObjectRequest(bucket=BUCKET, key=key, position=8,
                                                                       body=b"three\n")),
                 409, "ObjectNotAppendable", "append after seal")
    eq(read_body(client.get_object(oss.GetObjectRequest(bucket=BUCKET, key=key))), b"one\ntwo\n", "content")
    again = client.seal_append_object(oss.SealAppendObjectRequest(bucket=BUCKET, key=key, position=8))
    eq(again.sealed_time, sealed.sealed_time, "sealing again keeps the first time")


@suite.check("seal: a normal object is 409 ObjectNotAppendable; an absent one 404 NoSuchKey")
def _():
    expect_error(lambda: client.seal_append_object(oss.SealAppendObjectRequest(
        bucket=BUCKET, key="people.csv", position=len(CSV_DATA))), 409, "ObjectNotAppendable", "normal object")
    expect_error(lambda: client.seal_append_object(oss.SealAppendObjectRequest(
        bucket=BUCKET, key="absent", position=0)), 404, "NoSuchKey", "absent")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)


suite.run()
