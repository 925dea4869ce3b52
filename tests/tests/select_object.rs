//! SelectObject and CreateSelectObjectMeta through the real client against the emulator:
//! queries over a small CSV and JSON objects whose results are worked out by hand, the
//! frames (continuous frames and their offsets, the end frame), raw output, a bad statement,
//! a data error reported in the end frame, and a frame with a wrong CRC refused by the
//! client.
#![allow(clippy::unwrap_used)]

use oss_client::select::{
    ScanEnd, SelectFrame, SelectFrameError, SelectQuery, SelectStream, select_expression,
};
use oss_client::{ByteStream, Client, Error};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_model::xml::XmlDocument;
use oss_model::{
    CsvMetaRequest, JsonMetaRequest, SelectCsvInput, SelectCsvOutput, SelectInputSerialization,
    SelectJsonInput, SelectJsonOutput, SelectJsonType, SelectOutputSerialization, SelectRequest,
};
use oss_tests::sdk_client;

const AK: &str = "select-test-ak";
const SK: &str = "select-test-sk";
const BUCKET: &str = "sql";

/// Four people; `cy` has no age; `bob`'s city holds the field delimiter (quoted).
const PEOPLE: &str = "name,age,city\nann,31,Paris\nbob,25,\"Rome, IT\"\ncy,,Oslo\ndee,40,Paris\n";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

async fn setup(c: &Client) {
    c.put_bucket().bucket(BUCKET).send().await.unwrap();
    c.put_object()
        .bucket(BUCKET)
        .key("people.csv")
        .body(PEOPLE)
        .send()
        .await
        .unwrap();
}

fn csv_request(sql: &str, header: &str) -> SelectRequest {
    SelectRequest {
        expression: select_expression(sql),
        input_serialization: Some(SelectInputSerialization {
            csv: Some(SelectCsvInput {
                file_header_info: Some(header.to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        output_serialization: Some(SelectOutputSerialization {
            enable_payload_crc: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    }
}

async fn select_text(c: &Client, query: SelectQuery) -> String {
    let (data, end) = c
        .select_object_stream(query)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let end = end.unwrap();
    assert_eq!(end.status, 200);
    String::from_utf8(data.to_vec()).unwrap()
}

async fn csv(c: &Client, sql: &str, header: &str) -> String {
    select_text(
        c,
        SelectQuery::csv(BUCKET, "people.csv", csv_request(sql, header)),
    )
    .await
}

#[test]
fn csv_queries_give_the_hand_computed_rows() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    runtime().block_on(async {
        let c = sdk_client(&emu);
        setup(&c).await;
        // Columns by name (header Use), numeric comparison on a string column.
        assert_eq!(
            csv(&c, "select name, age from ossobject where age >= 31", "Use").await,
            "ann,31\ndee,40\n"
        );
        // Columns by position with the header skipped; LIKE; LIMIT.
        assert_eq!(
            csv(&c, "select _1 from ossobject where _3 like '%o%'", "Ignore").await,
            "bob\ncy\n"
        );
        assert_eq!(
            csv(&c, "select _1 from ossobject where _3 like '%o%' limit 1", "Ignore").await,
            "bob\n"
        );
        // A field holding the delimiter comes back quoted.
        assert_eq!(
            csv(&c, "select * from ossobject where name = 'bob'", "Use").await,
            "bob,25,\"Rome, IT\"\n"
        );
        // IS NULL / IS NOT NULL, NOT, AND, OR, != and <.
        assert_eq!(
            csv(&c, "select name from ossobject where age is null", "Use").await,
            "cy\n"
        );
        assert_eq!(
            csv(
                &c,
                "select name from ossobject where age is not null and not city = 'Paris'",
                "Use"
            )
            .await,
            "bob\n"
        );
        assert_eq!(
            csv(
                &c,
                "select name from ossobject where (age < 30 or name = 'dee') and city != 'Oslo'",
                "Use"
            )
            .await,
            "bob\ndee\n"
        );
        // Aggregates: 4 rows; ages 31 + 25 + 40 = 96 over 3 non-null values, mean 32.
        assert_eq!(
            csv(
                &c,
                "select count(*), count(age), sum(age), avg(age), min(age), max(age) from ossobject",
                "Use"
            )
            .await,
            "4,3,96,32,25,40\n"
        );
        assert_eq!(
            csv(
                &c,
                "select count(*) from ossobject where city = 'Paris'",
                "Use"
            )
            .await,
            "2\n"
        );
    });
}

#[test]
fn json_output_json_input_and_output_delimiters() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    runtime().block_on(async {
        let c = sdk_client(&emu);
        setup(&c).await;
        // CSV in, JSON out: keys are the header names.
        let mut req = csv_request("select name, city from ossobject where name = 'bob'", "Use");
        req.output_serialization = Some(SelectOutputSerialization {
            json: Some(SelectJsonOutput::default()),
            ..Default::default()
        });
        assert_eq!(
            select_text(&c, SelectQuery::csv(BUCKET, "people.csv", req)).await,
            "{\"name\":\"bob\",\"city\":\"Rome, IT\"}\n"
        );

        // Output delimiters, Base64 as the API reference writes them: `|` and CRLF.
        let mut req = csv_request("select name, age from ossobject limit 2", "Use");
        req.output_serialization = Some(SelectOutputSerialization {
            csv: Some(SelectCsvOutput {
                field_delimiter: Some("fA==".into()),
                record_delimiter: Some("DQo=".into()),
                quote_character: None,
            }),
            ..Default::default()
        });
        let mut stream = c
            .select_object_stream(SelectQuery::csv(BUCKET, "people.csv", req.clone()))
            .await
            .unwrap();
        assert_eq!(stream.next_record().await.unwrap().unwrap(), "ann|31");
        assert_eq!(stream.next_record().await.unwrap().unwrap(), "bob|25");
        assert_eq!(stream.next_record().await.unwrap(), None);
        assert_eq!(
            select_text(&c, SelectQuery::csv(BUCKET, "people.csv", req)).await,
            "ann|31\r\nbob|25\r\n"
        );

        // A JSON document, records under a path with an alias.
        let doc = r#"{"contacts":[{"n":"a","age":27},{"n":"b","age":35},{"n":"c","age":41}]}"#;
        c.put_object()
            .bucket(BUCKET)
            .key("contacts.json")
            .body(doc)
            .send()
            .await
            .unwrap();
        let req = SelectRequest {
            expression: select_expression(
                "select s.n from ossobject.contacts[*] s where s.age > 30",
            ),
            input_serialization: Some(SelectInputSerialization {
                json: Some(SelectJsonInput {
                    json_type: Some(SelectJsonType::Document),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            select_text(&c, SelectQuery::json(BUCKET, "contacts.json", req)).await,
            "{\"n\":\"b\"}\n{\"n\":\"c\"}\n"
        );

        // JSON LINES, CSV out: 2 of the 3 lines have tag x; their ids sum to 1 + 3.
        let lines =
            "{\"id\":1,\"tag\":\"x\"}\n{\"id\":2,\"tag\":\"y\"}\n{\"id\":3,\"tag\":\"x\"}\n";
        c.put_object()
            .bucket(BUCKET)
            .key("events.jsonl")
            .body(lines)
            .send()
            .await
            .unwrap();
        let req = SelectRequest {
            expression: select_expression(
                "select count(*), sum(id) from ossobject where tag = 'x'",
            ),
            input_serialization: Some(SelectInputSerialization {
                json: Some(SelectJsonInput {
                    json_type: Some(SelectJsonType::Lines),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            output_serialization: Some(SelectOutputSerialization {
                csv: Some(SelectCsvOutput::default()),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            select_text(&c, SelectQuery::json(BUCKET, "events.jsonl", req)).await,
            "2,4\n"
        );

        // Raw output: no frames, the records as they are.
        let mut req = csv_request("select name from ossobject where city = 'Paris'", "Use");
        req.output_serialization = Some(SelectOutputSerialization {
            output_raw_data: Some(true),
            ..Default::default()
        });
        let (data, end) = c
            .select_object_stream(SelectQuery::csv(BUCKET, "people.csv", req))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(&data[..], b"ann\ndee\n");
        assert_eq!(end, None);
    });
}

#[test]
fn frames_carry_offsets_keep_alives_and_the_end() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    runtime().block_on(async {
        let c = sdk_client(&emu);
        setup(&c).await;
        // 600 one-field records "0".."599": 10 of 2 bytes, 90 of 3, 500 of 4 = 2290 bytes.
        let body: String = (0..600).map(|i| format!("{i}\n")).collect();
        assert_eq!(body.len(), 2290);
        c.put_object()
            .bucket(BUCKET)
            .key("numbers.csv")
            .body(body)
            .send()
            .await
            .unwrap();
        let req = csv_request("select _1 from ossobject where _1 = '599'", "None");
        let mut s = c
            .select_object_stream(SelectQuery::csv(BUCKET, "numbers.csv", req))
            .await
            .unwrap();
        let mut frames = Vec::new();
        while let Some(f) = s.next_frame().await.unwrap() {
            frames.push(f);
        }
        // The emulator reports every 256 records: the first two batches match nothing (keep-
        // alive frames at the offsets after records 255 and 511: 20 + 270 + 156*4 = 914 and
        // 914 + 256*4 = 1938), the last holds the match.
        assert_eq!(
            frames,
            vec![
                SelectFrame::Continuous { offset: 914 },
                SelectFrame::Continuous { offset: 1938 },
                SelectFrame::Data {
                    offset: 2290,
                    data: b"599\n".to_vec()
                },
                SelectFrame::End(ScanEnd {
                    offset: 2290,
                    total_scanned: 2290,
                    status: 200,
                    ..ScanEnd::default()
                }),
            ]
        );
    });
}

#[test]
fn bad_statements_are_refused_and_data_errors_end_the_scan() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    runtime().block_on(async {
        let c = sdk_client(&emu);
        setup(&c).await;
        for sql in [
            "select * from ossobject order by _1",
            "select * from ossobject group by city",
            "select name || city from ossobject",
            "select * from ossobject where avg(age) > 20",
            "select nosuchcolumn from ossobject",
            "selec * from ossobject",
        ] {
            let err = c
                .select_object_stream(SelectQuery::csv(
                    BUCKET,
                    "people.csv",
                    csv_request(sql, "Use"),
                ))
                .await
                .unwrap_err();
            let e = err
                .service_error()
                .unwrap_or_else(|| panic!("{sql}: {err}"));
            assert_eq!(e.status.as_u16(), 400, "{sql}");
            assert_eq!(e.code, "InvalidArgument", "{sql}");
            assert_eq!(e.ec.as_deref(), Some("0016-00000803"), "{sql}");
        }
        // An empty expression has its own EC.
        let err = c
            .select_object_stream(SelectQuery::csv(
                BUCKET,
                "people.csv",
                csv_request("", "Use"),
            ))
            .await
            .unwrap_err();
        assert_eq!(
            err.service_error().unwrap().ec.as_deref(),
            Some("0016-00000823")
        );

        // `city` is no integer: the first row fails after the response started (206), so the
        // error comes in the end frame.
        let mut s = c
            .select_object_stream(SelectQuery::csv(
                BUCKET,
                "people.csv",
                csv_request("select cast(age as int) from ossobject", "Use"),
            ))
            .await
            .unwrap();
        assert_eq!(s.next_record().await.unwrap().unwrap(), "31");
        assert_eq!(s.next_record().await.unwrap().unwrap(), "25");
        assert_eq!(s.next_record().await.unwrap().unwrap(), "");
        assert_eq!(s.next_record().await.unwrap().unwrap(), "40");
        assert_eq!(s.next_record().await.unwrap(), None);
        let mut s = c
            .select_object_stream(SelectQuery::csv(
                BUCKET,
                "people.csv",
                csv_request(
                    "select name from ossobject where cast(city as int) > 1",
                    "Use",
                ),
            ))
            .await
            .unwrap();
        match s.next_record().await {
            Err(Error::SelectFailed { status, message }) => {
                assert_eq!(status, 400);
                assert!(message.contains("Paris"), "{message}");
            }
            other => panic!("expected a failed scan, got {other:?}"),
        }
    });
}

#[test]
fn the_client_refuses_a_frame_with_a_wrong_crc() {
    runtime().block_on(async {
        // A data frame laid out by hand: version 1, type 0x800001, payload length 12 (offset
        // + "x,y\n"), header checksum 0, offset 4, data, and a CRC that is not the payload's.
        let mut frame = vec![1, 0x80, 0x00, 0x01, 0, 0, 0, 12, 0, 0, 0, 0];
        frame.extend_from_slice(&4u64.to_be_bytes());
        frame.extend_from_slice(b"x,y\n");
        frame.extend_from_slice(&0xdead_beefu32.to_be_bytes());
        let body = ByteStream::new(futures_util::stream::iter([Ok(bytes::Bytes::from(frame))]));
        let mut s = SelectStream::new(body);
        match s.next_record().await {
            Err(Error::SelectFrame(SelectFrameError::PayloadCrcMismatch { expected, .. })) => {
                assert_eq!(expected, 0xdead_beef);
            }
            other => panic!("expected a CRC mismatch, got {other:?}"),
        }
        // A body that stops before its end frame is refused too.
        let good = SelectFrame::Data {
            offset: 4,
            data: b"x\n".to_vec(),
        }
        .encode(true);
        let body = ByteStream::new(futures_util::stream::iter([Ok(bytes::Bytes::from(good))]));
        let mut s = SelectStream::new(body);
        assert_eq!(s.next_record().await.unwrap().unwrap(), "x");
        assert!(matches!(
            s.next_record().await,
            Err(Error::SelectFrame(SelectFrameError::Truncated))
        ));
    });
}

#[test]
fn create_select_object_meta_counts_rows_columns_and_splits() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    runtime().block_on(async {
        let c = sdk_client(&emu);
        setup(&c).await;
        // Without header settings every line is a row: 5 rows of 3 columns, one split.
        let doc = CsvMetaRequest {
            input_serialization: Some(SelectInputSerialization {
                csv: Some(SelectCsvInput::default()),
                ..Default::default()
            }),
            overwrite_if_exists: Some(true),
        }
        .to_xml();
        let end = c
            .create_select_object_meta_summary(BUCKET, "people.csv", false, doc)
            .await
            .unwrap();
        assert_eq!(end.status, 200);
        assert_eq!(
            (end.rows, end.columns, end.splits),
            (Some(5), Some(3), Some(1))
        );
        assert_eq!(end.total_scanned, PEOPLE.len() as u64);

        let lines = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
        c.put_object()
            .bucket(BUCKET)
            .key("a.jsonl")
            .body(lines)
            .send()
            .await
            .unwrap();
        let doc = JsonMetaRequest {
            input_serialization: Some(SelectInputSerialization {
                json: Some(SelectJsonInput {
                    json_type: Some(SelectJsonType::Lines),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            overwrite_if_exists: None,
        }
        .to_xml();
        let end = c
            .create_select_object_meta_summary(BUCKET, "a.jsonl", true, doc)
            .await
            .unwrap();
        assert_eq!(
            (end.rows, end.columns, end.splits),
            (Some(3), None, Some(1))
        );

        // A JSON DOCUMENT has no meta.
        let doc = JsonMetaRequest {
            input_serialization: Some(SelectInputSerialization {
                json: Some(SelectJsonInput {
                    json_type: Some(SelectJsonType::Document),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            overwrite_if_exists: None,
        }
        .to_xml();
        let err = c
            .create_select_object_meta_summary(BUCKET, "a.jsonl", true, doc)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("InvalidArgument"));
    });
}
