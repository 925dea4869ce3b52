//! DoMetaQueryAction (MetaQuery datasets) and DoDataPipeLineAction (data pipeline rules)
//! against the emulator: round trips, fields checked against what the test sent, OSS's errors
//! for absent, duplicate and not-indexed resources, and state kept across a restart with a data
//! directory.
//!
//! The client's generic builders carry only `action` and a body, while these actions take their
//! parameters (`datasetName`, `dataPipelineName`, ...) in the query: actions without parameters
//! go through the client, the others through the tests' signing HTTP client.
#![allow(clippy::unwrap_used)]

use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_tests::{ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, Response};

fn config() -> EmulatorConfig {
    EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET).region(REGION)
}

fn client(emu: &Emulator) -> Client {
    Client::new(
        Config::builder()
            .region(REGION)
            .endpoint(emu.endpoint())
            .credentials(StaticProvider::from_keys(ACCESS_KEY_ID, ACCESS_KEY_SECRET))
            .build()
            .unwrap(),
    )
}

fn code(err: &oss_client::Error) -> (u16, String, String) {
    let e = err.service_error().unwrap_or_else(|| panic!("{err}"));
    (e.status.as_u16(), e.code.clone(), e.message.clone())
}

/// A DoMetaQueryAction on `bucket` with query parameters.
fn dataset_action(emu: &Emulator, bucket: &str, action: &str, params: &[(&str, &str)]) -> Response {
    let raw = oss_tests::Client::new(emu);
    let mut req = raw
        .post(&format!("/{bucket}"))
        .subresource("metaQuery")
        .query("action", Some(action));
    for (k, v) in params {
        req = req.query(k, Some(v));
    }
    req.send()
}

/// A DoDataPipeLineAction with query parameters and a body.
fn pipeline_action(emu: &Emulator, action: &str, params: &[(&str, &str)], body: &str) -> Response {
    let raw = oss_tests::Client::new(emu);
    let mut req = raw
        .post("/")
        .subresource("dataPipeline")
        .query("action", Some(action));
    for (k, v) in params {
        req = req.query(k, Some(v));
    }
    req.body(body).send()
}

async fn indexed_bucket(c: &Client, bucket: &str) {
    c.put_bucket().bucket(bucket).send().await.unwrap();
    c.open_meta_query().bucket(bucket).send().await.unwrap();
}

const WORKFLOW: &str = r#"[{"Name":"VideoInsightEnable","Value":"True"},{"Name":"ImageInsightEnable","Value":"False"}]"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datasets_are_created_read_updated_listed_and_deleted() {
    let emu = Emulator::start(config()).unwrap();
    let c = client(&emu);
    indexed_bucket(&c, "ds-bucket").await;

    // Empty at first, through the client.
    let listed = c
        .do_meta_query_action()
        .bucket("ds-bucket")
        .action("listDatasets")
        .send()
        .await
        .unwrap();
    assert!(
        listed.body.contains("<Datasets></Datasets>"),
        "{}",
        listed.body
    );

    let r = dataset_action(
        &emu,
        "ds-bucket",
        "createDataset",
        &[
            ("datasetName", "photos-2026"),
            ("description", "Photo library for 2026"),
            ("workflowParameters", WORKFLOW),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("DatasetName").as_deref(), Some("photos-2026"));
    assert_eq!(
        r.xml("Description").as_deref(),
        Some("Photo library for 2026")
    );

    let r = dataset_action(
        &emu,
        "ds-bucket",
        "getDataset",
        &[("datasetName", "photos-2026")],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<GetDatasetResponse><Dataset>"));
    assert_eq!(r.xml("DatasetName").as_deref(), Some("photos-2026"));
    assert_eq!(
        r.xml("Description").as_deref(),
        Some("Photo library for 2026")
    );
    assert_eq!(
        r.xml_all("Name"),
        vec!["VideoInsightEnable", "ImageInsightEnable"]
    );
    assert_eq!(r.xml_all("Value"), vec!["True", "False"]);
    let created = r.xml("CreateTime").unwrap();
    assert!(
        time::OffsetDateTime::parse(&created, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{created}"
    );
    assert_eq!(r.xml("UpdateTime"), Some(created.clone()));
    assert_eq!(r.xml("FileCount"), None, "statistics only when asked");

    let r = dataset_action(
        &emu,
        "ds-bucket",
        "getDataset",
        &[("datasetName", "photos-2026"), ("withStatistics", "true")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.xml("FileCount").as_deref(), Some("0"));
    assert_eq!(r.xml("TotalFileSize").as_deref(), Some("0"));

    std::thread::sleep(std::time::Duration::from_millis(5));
    let r = dataset_action(
        &emu,
        "ds-bucket",
        "updateDataset",
        &[
            ("datasetName", "photos-2026"),
            ("description", "renamed library"),
            (
                "datasetConfig",
                r#"{"Insights":{"Image":{"Caption":"True"}}}"#,
            ),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = dataset_action(
        &emu,
        "ds-bucket",
        "getDataset",
        &[("datasetName", "photos-2026")],
    );
    assert_eq!(r.xml("Description").as_deref(), Some("renamed library"));
    assert_eq!(r.xml("Caption").as_deref(), Some("True"));
    assert_eq!(r.xml_all("Name").len(), 2, "workflow parameters kept");
    assert_eq!(r.xml("CreateTime"), Some(created.clone()));
    assert_ne!(r.xml("UpdateTime"), Some(created));

    // A second one, then list with a prefix and in pages.
    let r = dataset_action(
        &emu,
        "ds-bucket",
        "createDataset",
        &[("datasetName", "videos_1")],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = dataset_action(&emu, "ds-bucket", "listDatasets", &[]);
    assert_eq!(r.xml_all("DatasetName"), vec!["photos-2026", "videos_1"]);
    let r = dataset_action(&emu, "ds-bucket", "listDatasets", &[("prefix", "vid")]);
    assert_eq!(r.xml_all("DatasetName"), vec!["videos_1"]);
    let r = dataset_action(&emu, "ds-bucket", "listDatasets", &[("maxResults", "1")]);
    assert_eq!(r.xml_all("DatasetName"), vec!["photos-2026"]);
    let token = r.xml("NextToken").unwrap();
    let r = dataset_action(
        &emu,
        "ds-bucket",
        "listDatasets",
        &[("maxResults", "1"), ("nextToken", &token)],
    );
    assert_eq!(r.xml_all("DatasetName"), vec!["videos_1"]);
    assert_eq!(r.xml("NextToken"), None);

    let r = dataset_action(
        &emu,
        "ds-bucket",
        "deleteDataset",
        &[("datasetName", "photos-2026")],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = dataset_action(&emu, "ds-bucket", "listDatasets", &[]);
    assert_eq!(r.xml_all("DatasetName"), vec!["videos_1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dataset_errors_are_osss() {
    let emu = Emulator::start(config()).unwrap();
    let c = client(&emu);

    // No metadata index: what the Go SDK's test sees from OSS.
    c.put_bucket().bucket("plain-bucket").send().await.unwrap();
    for action in ["createDataset", "listDatasets"] {
        let err = c
            .do_meta_query_action()
            .bucket("plain-bucket")
            .action(action)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code(&err),
            (
                400,
                "OperationNotSupported".to_owned(),
                "The operation is not supported for this resource".to_owned()
            ),
            "{action}"
        );
        assert_eq!(
            err.service_error().unwrap().ec.as_deref(),
            Some("0037-00000001")
        );
    }

    indexed_bucket(&c, "ix-bucket").await;
    let r = dataset_action(
        &emu,
        "ix-bucket",
        "createDataset",
        &[("datasetName", "dup")],
    );
    assert_eq!(r.status, 200);
    let r = dataset_action(
        &emu,
        "ix-bucket",
        "createDataset",
        &[("datasetName", "dup")],
    );
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("ResourceAlreadyExists"))
    );
    for action in ["getDataset", "updateDataset", "deleteDataset"] {
        let r = dataset_action(&emu, "ix-bucket", action, &[("datasetName", "absent")]);
        assert_eq!(
            (r.status, r.code().as_deref()),
            (404, Some("DatasetNotExist")),
            "{action}"
        );
    }
    let too_long = "x".repeat(129);
    for name in ["", "bad name", "dot.name", too_long.as_str()] {
        let r = dataset_action(&emu, "ix-bucket", "createDataset", &[("datasetName", name)]);
        assert_eq!(
            (r.status, r.code().as_deref()),
            (400, Some("InvalidArgument")),
            "{name:?}"
        );
    }
    let name128 = "y".repeat(128);
    let r = dataset_action(
        &emu,
        "ix-bucket",
        "createDataset",
        &[("datasetName", &name128)],
    );
    assert_eq!(r.status, 200, "128 characters are allowed");

    // An action OSS does not know.
    let err = c
        .do_meta_query_action()
        .bucket("ix-bucket")
        .action("frobnicate")
        .send()
        .await
        .unwrap_err();
    let (status, code_, message) = code(&err);
    assert_eq!((status, code_.as_str()), (400, "InvalidArgument"));
    assert!(message.contains("frobnicate"), "{message}");
}

const PIPELINE: &str = "<DataPipelineConfiguration>\
<Sources><InputBucket>src-bucket</InputBucket><InputDataScope>All</InputDataScope></Sources>\
<DataPipelineEmbeddingConfiguration><EmbeddingProvider>bailian</EmbeddingProvider>\
<ApiKey>sk-abcdef123456</ApiKey><Model>qwen2.5-vl-embedding</Model></DataPipelineEmbeddingConfiguration>\
<Destination><VectorBucketName>vec-bucket</VectorBucketName><VectorIndexNames>idx</VectorIndexNames></Destination>\
</DataPipelineConfiguration>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_pipelines_round_trip_and_fail_as_oss_does() {
    let emu = Emulator::start(config()).unwrap();
    let c = client(&emu);

    let listed = c
        .do_data_pipe_line_action()
        .action("listDataPipelineConfigurations")
        .send()
        .await
        .unwrap();
    assert!(
        listed
            .body
            .contains("<DataPipelineConfigurations></DataPipelineConfigurations>"),
        "{}",
        listed.body
    );

    // Put without a body, and get of an absent rule: what the Go SDK's test sees from OSS.
    for action in [
        "putDataPipelineConfiguration",
        "getDataPipelineConfiguration",
    ] {
        let err = c
            .do_data_pipe_line_action()
            .action(action)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code(&err),
            (
                404,
                "NoSuchDataPipeline".to_owned(),
                "The specified resource dataPipeline is not found.".to_owned()
            ),
            "{action}"
        );
    }
    let r = pipeline_action(
        &emu,
        "getDataPipelineConfiguration",
        &[("dataPipelineName", "absent")],
        "",
    );
    assert_eq!(
        (r.status, r.code().as_deref()),
        (404, Some("NoSuchDataPipeline"))
    );

    let role = "acs:ram::123:role/my-data-pipeline-role";
    let r = pipeline_action(
        &emu,
        "putDataPipelineConfiguration",
        &[("dataPipelineName", "my-data-pipeline"), ("role", role)],
        PIPELINE,
    );
    assert_eq!(r.status, 200, "{}", r.text());

    let r = pipeline_action(
        &emu,
        "getDataPipelineConfiguration",
        &[("dataPipelineName", "my-data-pipeline")],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.xml("DataPipelineName").as_deref(),
        Some("my-data-pipeline")
    );
    assert_eq!(r.xml("Role").as_deref(), Some(role));
    assert_eq!(r.xml("InputBucket").as_deref(), Some("src-bucket"));
    assert_eq!(r.xml("InputDataScope").as_deref(), Some("All"));
    assert_eq!(r.xml("EmbeddingProvider").as_deref(), Some("bailian"));
    assert_eq!(r.xml("Model").as_deref(), Some("qwen2.5-vl-embedding"));
    assert_eq!(r.xml("VectorBucketName").as_deref(), Some("vec-bucket"));
    assert_eq!(r.xml("VectorIndexNames").as_deref(), Some("idx"));
    let key = r.xml("ApiKey").unwrap();
    assert!(!key.contains("abcdef123456"), "the key is masked: {key}");
    assert!(r.xml("Status").is_some() && r.xml("CreateTime").is_some());

    let r = pipeline_action(
        &emu,
        "putDataPipelineConfiguration",
        &[("dataPipelineName", "other_rule")],
        PIPELINE,
    );
    assert_eq!(r.status, 200);
    let r = pipeline_action(&emu, "listDataPipelineConfigurations", &[], "");
    assert_eq!(
        r.xml_all("DataPipelineName"),
        vec!["my-data-pipeline", "other_rule"]
    );
    let r = pipeline_action(
        &emu,
        "listDataPipelineConfigurations",
        &[("prefix", "my-")],
        "",
    );
    assert_eq!(r.xml_all("DataPipelineName"), vec!["my-data-pipeline"]);
    let r = pipeline_action(
        &emu,
        "listDataPipelineConfigurations",
        &[("maxResults", "1")],
        "",
    );
    assert_eq!(r.xml_all("DataPipelineName"), vec!["my-data-pipeline"]);
    let token = r.xml("NextToken").unwrap();
    let r = pipeline_action(
        &emu,
        "listDataPipelineConfigurations",
        &[("maxResults", "1"), ("nextToken", &token)],
        "",
    );
    assert_eq!(r.xml_all("DataPipelineName"), vec!["other_rule"]);

    let r = pipeline_action(
        &emu,
        "putDataPipelineConfiguration",
        &[("dataPipelineName", "bad")],
        "<DataPipelineConfiguration><Sources>",
    );
    assert_eq!((r.status, r.code().as_deref()), (400, Some("MalformedXML")));

    let r = pipeline_action(
        &emu,
        "deleteDataPipelineConfiguration",
        &[("dataPipelineName", "other_rule")],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = pipeline_action(
        &emu,
        "deleteDataPipelineConfiguration",
        &[("dataPipelineName", "other_rule")],
        "",
    );
    assert_eq!(
        (r.status, r.code().as_deref()),
        (404, Some("NoSuchDataPipeline"))
    );

    let err = c
        .do_data_pipe_line_action()
        .action("frobnicate")
        .send()
        .await
        .unwrap_err();
    let (status, code_, message) = code(&err);
    assert_eq!((status, code_.as_str()), (400, "InvalidArgument"));
    assert!(message.contains("frobnicate"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datasets_and_pipelines_survive_a_restart_with_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    {
        let emu = Emulator::start(config().data_dir(dir.path())).unwrap();
        let c = client(&emu);
        indexed_bucket(&c, "kept-bucket").await;
        let r = dataset_action(
            &emu,
            "kept-bucket",
            "createDataset",
            &[("datasetName", "kept"), ("description", "survives")],
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let r = pipeline_action(
            &emu,
            "putDataPipelineConfiguration",
            &[("dataPipelineName", "kept-rule")],
            PIPELINE,
        );
        assert_eq!(r.status, 200, "{}", r.text());
        emu.stop();
    }
    let emu = Emulator::start(config().data_dir(dir.path())).unwrap();
    let r = dataset_action(
        &emu,
        "kept-bucket",
        "getDataset",
        &[("datasetName", "kept")],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("Description").as_deref(), Some("survives"));
    let r = pipeline_action(
        &emu,
        "getDataPipelineConfiguration",
        &[("dataPipelineName", "kept-rule")],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("InputBucket").as_deref(), Some("src-bucket"));
}
