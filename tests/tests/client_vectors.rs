//! The client against the emulator's vector service: every vector operation (buckets, policy,
//! logging, indexes, fusion indexes, vectors), validation with nothing stored, and QueryVectors
//! checked against a brute-force search computed here, independently of the emulator.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use futures_util::TryStreamExt as _;
use oss_client::credentials::StaticProvider;
use oss_client::transport::FixedResolver;
use oss_client::{Client, Config};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_model::{
    Vector, VectorBucketLoggingDocument, VectorBucketLoggingStatus, VectorData,
    VectorIndexConfiguration, VectorIndexField, VectorIndexFusionConfiguration,
    VectorIndexListRequest, VectorIndexMetadataConfiguration, VectorIndexName, VectorIndexSchema,
    VectorLoggingEnabled, VectorsDeleteRequest, VectorsFusionQueryRequest, VectorsGetRequest,
    VectorsListRequest, VectorsPutRequest, VectorsQueryRequest,
};
use serde_json::{Value, json};

const AK: &str = "vector-test-ak";
const SK: &str = "vector-test-sk";

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new(AK, SK).region("cn-hangzhou")).expect("emulator starts")
}

/// Path style on the vector listener (loopback).
fn client(emu: &Emulator) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(emu.endpoint())
            .vector_endpoint(emu.vector_endpoint())
            .account_id(emu.account_id())
            .credentials(StaticProvider::from_keys(AK, SK))
            .build()
            .expect("config"),
    )
}

/// Virtual-hosted: `{bucket}-{account}.vectors.test:PORT`, resolved to loopback.
fn hosted_client(emu: &Emulator) -> Client {
    let port = emu.vector_endpoint().rsplit(':').next().unwrap().to_owned();
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(format!(
                "http://oss-cn-hangzhou.aliyuncs.com:{}",
                emu.addr().port()
            ))
            .vector_endpoint(format!("vectors.test:{port}"))
            .account_id(emu.account_id())
            .resolver(FixedResolver::new([127, 0, 0, 1].into()))
            .credentials(StaticProvider::from_keys(AK, SK))
            .build()
            .expect("config"),
    )
}

fn data(v: &[f32]) -> Option<VectorData> {
    Some(VectorData {
        float32: v.to_vec(),
    })
}

fn vector(key: &str, v: &[f32], metadata: Option<Value>) -> Vector {
    Vector {
        key: key.into(),
        data: data(v),
        metadata,
    }
}

async fn make_index(c: &Client, bucket: &str, name: &str, dimension: i64, metric: &str) {
    c.put_vector_index()
        .bucket(bucket)
        .body(VectorIndexConfiguration {
            index_name: name.into(),
            data_type: "float32".into(),
            dimension,
            distance_metric: metric.into(),
            metadata: None,
        })
        .send()
        .await
        .unwrap();
}

async fn put(
    c: &Client,
    bucket: &str,
    index: &str,
    vectors: Vec<Vector>,
) -> Result<(), oss_client::Error> {
    c.put_vectors()
        .bucket(bucket)
        .body(VectorsPutRequest {
            index_name: index.into(),
            vectors,
        })
        .send()
        .await
        .map(|_| ())
}

async fn count(c: &Client, bucket: &str, index: &str) -> usize {
    let pages: Vec<_> = c
        .list_vectors()
        .bucket(bucket)
        .body(VectorsListRequest {
            index_name: index.into(),
            max_results: Some(1000),
            ..Default::default()
        })
        .into_paginator()
        .try_collect()
        .await
        .unwrap();
    pages.iter().map(|p| p.vectors.len()).sum()
}

#[tokio::test]
async fn buckets_policy_and_logging() {
    let emu = emulator();
    let c = client(&emu);
    for name in ["vb-one", "vb-two", "other"] {
        c.put_vector_bucket().bucket(name).send().await.unwrap();
    }
    let err = c
        .put_vector_bucket()
        .bucket("vb-one")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("BucketAlreadyExists"));
    // Vector bucket names are at most 32 characters (OSS buckets may have 63).
    let err = c
        .put_vector_bucket()
        .bucket("a".repeat(40))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidBucketName"));

    let info = c.get_vector_bucket().bucket("vb-one").send().await.unwrap();
    assert_eq!(info.bucket_info.name.as_deref(), Some("vb-one"));
    assert_eq!(info.bucket_info.region.as_deref(), Some("cn-hangzhou"));
    assert_eq!(
        info.bucket_info.location.as_deref(),
        Some("oss-cn-hangzhou")
    );
    assert!(info.bucket_info.creation_date.is_some());
    let err = c
        .get_vector_bucket()
        .bucket("missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchBucket"));
    assert_eq!(err.service_error().unwrap().status, 404);

    // ListVectorBuckets needs no bucket; its paginator follows NextMarker.
    let pages: Vec<_> = c
        .list_vector_buckets()
        .prefix("vb-")
        .max_keys(1)
        .into_paginator()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.list_all_my_buckets_result.buckets)
        .filter_map(|b| b.name.clone())
        .collect();
    assert_eq!(names, ["vb-one", "vb-two"]);
    assert_eq!(pages.len(), 2);

    // Policy.
    let err = c
        .vector_get_bucket_policy()
        .bucket("vb-one")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchBucketPolicy"));
    let policy = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["ossvector:GetVectors"],"Principal":["*"],"Resource":["acs:ossvector:*:*:vb-one"]}]}"#;
    c.vector_put_bucket_policy()
        .bucket("vb-one")
        .body(policy)
        .send()
        .await
        .unwrap();
    let got = c
        .vector_get_bucket_policy()
        .bucket("vb-one")
        .send()
        .await
        .unwrap();
    assert_eq!(got.body, policy);
    let err = c
        .vector_put_bucket_policy()
        .bucket("vb-one")
        .body("not json")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidArgument"));
    assert_eq!(
        c.vector_get_bucket_policy()
            .bucket("vb-one")
            .send()
            .await
            .unwrap()
            .body,
        policy
    );
    c.vector_delete_bucket_policy()
        .bucket("vb-one")
        .send()
        .await
        .unwrap();
    let err = c
        .vector_get_bucket_policy()
        .bucket("vb-one")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchBucketPolicy"));

    // Logging (the target is an OSS bucket of the same emulator).
    let status = c
        .vector_get_bucket_logging()
        .bucket("vb-one")
        .send()
        .await
        .unwrap();
    assert_eq!(status.bucket_logging_status.logging_enabled, None);
    let logging = |target: &str| VectorBucketLoggingDocument {
        bucket_logging_status: VectorBucketLoggingStatus {
            logging_enabled: Some(VectorLoggingEnabled {
                target_bucket: target.into(),
                target_prefix: Some("vlog/".into()),
                logging_role: Some("AliyunOSSLoggingDefaultRole".into()),
            }),
        },
    };
    let err = c
        .vector_put_bucket_logging()
        .bucket("vb-one")
        .body(logging("no-such-target"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidTargetBucketForLogging"));
    c.put_bucket().bucket("log-target").send().await.unwrap();
    c.vector_put_bucket_logging()
        .bucket("vb-one")
        .body(logging("log-target"))
        .send()
        .await
        .unwrap();
    let status = c
        .vector_get_bucket_logging()
        .bucket("vb-one")
        .send()
        .await
        .unwrap();
    assert_eq!(
        status.bucket_logging_status,
        logging("log-target").bucket_logging_status
    );
    c.vector_delete_bucket_logging()
        .bucket("vb-one")
        .send()
        .await
        .unwrap();
    let status = c
        .vector_get_bucket_logging()
        .bucket("vb-one")
        .send()
        .await
        .unwrap();
    assert_eq!(status.bucket_logging_status.logging_enabled, None);

    // A bucket with an index cannot be deleted.
    make_index(&c, "vb-two", "idx", 2, "euclidean").await;
    let err = c
        .delete_vector_bucket()
        .bucket("vb-two")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("BucketNotEmpty"));
    c.delete_vector_index()
        .bucket("vb-two")
        .body(VectorIndexName {
            index_name: "idx".into(),
        })
        .send()
        .await
        .unwrap();
    c.delete_vector_bucket()
        .bucket("vb-two")
        .send()
        .await
        .unwrap();
    let err = c
        .get_vector_bucket()
        .bucket("vb-two")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchBucket"));

    // Vector buckets and OSS buckets are separate namespaces on separate listeners.
    assert!(c.get_bucket_info().bucket("vb-one").send().await.is_err());
}

#[tokio::test]
async fn virtual_hosted_vector_hosts_are_served() {
    let emu = emulator();
    let c = hosted_client(&emu);
    c.put_vector_bucket()
        .bucket("hosted-b")
        .send()
        .await
        .unwrap();
    make_index(&c, "hosted-b", "idx", 3, "cosine").await;
    put(
        &c,
        "hosted-b",
        "idx",
        vec![vector("a", &[1.0, 0.0, 0.0], None)],
    )
    .await
    .unwrap();
    let r = c
        .query_vectors()
        .bucket("hosted-b")
        .body(VectorsQueryRequest {
            index_name: "idx".into(),
            query_vector: VectorData {
                float32: vec![1.0, 0.0, 0.0],
            },
            top_k: 1,
            filter: None,
            return_distance: Some(true),
            return_metadata: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(r.vectors[0].key, "a");
    assert_eq!(r.vectors[0].distance, Some(0.0));
    let listed = c.list_vector_buckets().send().await.unwrap();
    assert_eq!(listed.list_all_my_buckets_result.buckets.len(), 1);
}

#[tokio::test]
async fn indexes_and_vectors() {
    let emu = emulator();
    let c = client(&emu);
    c.put_vector_bucket()
        .bucket("vbucket")
        .send()
        .await
        .unwrap();
    c.put_vector_index()
        .bucket("vbucket")
        .body(VectorIndexConfiguration {
            index_name: "movies".into(),
            data_type: "float32".into(),
            dimension: 3,
            distance_metric: "cosine".into(),
            metadata: Some(VectorIndexMetadataConfiguration {
                non_filterable_metadata_keys: vec!["plot".into()],
            }),
        })
        .send()
        .await
        .unwrap();
    for n in 0..4 {
        make_index(&c, "vbucket", &format!("extra{n}"), 8, "euclidean").await;
    }
    let err = c
        .put_vector_index()
        .bucket("vbucket")
        .body(VectorIndexConfiguration {
            index_name: "movies".into(),
            data_type: "float32".into(),
            dimension: 3,
            distance_metric: "cosine".into(),
            metadata: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("VectorIndexAlreadyExists"));
    for (name, dimension, metric, data_type) in [
        ("1bad", 3, "cosine", "float32"),
        ("bad-name", 3, "cosine", "float32"),
        ("ok", 0, "cosine", "float32"),
        ("ok", 4097, "cosine", "float32"),
        ("ok", 3, "manhattan", "float32"),
        ("ok", 3, "cosine", "float16"),
    ] {
        let err = c
            .put_vector_index()
            .bucket("vbucket")
            .body(VectorIndexConfiguration {
                index_name: name.into(),
                data_type: data_type.into(),
                dimension,
                distance_metric: metric.into(),
                metadata: None,
            })
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err.code(),
            Some("InvalidArgument"),
            "{name} {dimension} {metric}"
        );
    }

    let index = c
        .get_vector_index()
        .bucket("vbucket")
        .body(VectorIndexName {
            index_name: "movies".into(),
        })
        .send()
        .await
        .unwrap()
        .index;
    assert_eq!(index.dimension, Some(3));
    assert_eq!(index.distance_metric.as_deref(), Some("cosine"));
    assert_eq!(index.vector_bucket_name.as_deref(), Some("vbucket"));
    assert_eq!(
        index.metadata.unwrap().non_filterable_metadata_keys,
        ["plot"]
    );
    let err = c
        .get_vector_index()
        .bucket("vbucket")
        .body(VectorIndexName {
            index_name: "nope".into(),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchVectorIndex"));

    // ListVectorIndexes pages with nextToken in the body.
    let pages: Vec<_> = c
        .list_vector_indexes()
        .bucket("vbucket")
        .body(VectorIndexListRequest {
            max_results: Some(2),
            next_token: None,
            prefix: Some("extra".into()),
        })
        .into_paginator()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.indexes)
        .filter_map(|i| i.index_name.clone())
        .collect();
    assert_eq!(names, ["extra0", "extra1", "extra2", "extra3"]);
    assert_eq!(pages.len(), 2);

    // PutVectors, overwrite by key, GetVectors, ListVectors, DeleteVectors.
    put(
        &c,
        "vbucket",
        "movies",
        vec![
            vector(
                "star-wars",
                &[1.0, 0.1, 0.0],
                Some(json!({"genre": "scifi", "year": 1977})),
            ),
            vector(
                "alien",
                &[0.9, 0.2, 0.1],
                Some(json!({"genre": "scifi", "plot": "space"})),
            ),
            vector(
                "amelie",
                &[0.0, 1.0, 0.3],
                Some(json!({"genre": "romance"})),
            ),
        ],
    )
    .await
    .unwrap();
    put(
        &c,
        "vbucket",
        "movies",
        vec![vector(
            "amelie",
            &[0.1, 1.0, 0.2],
            Some(json!({"genre": "comedy"})),
        )],
    )
    .await
    .unwrap();
    let got = c
        .get_vectors()
        .bucket("vbucket")
        .body(VectorsGetRequest {
            index_name: "movies".into(),
            keys: vec!["amelie".into(), "missing".into()],
            return_data: Some(true),
            return_metadata: Some(true),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.vectors,
        [vector(
            "amelie",
            &[0.1, 1.0, 0.2],
            Some(json!({"genre": "comedy"}))
        )]
    );
    let bare = c
        .get_vectors()
        .bucket("vbucket")
        .body(VectorsGetRequest {
            index_name: "movies".into(),
            keys: vec!["alien".into()],
            return_data: None,
            return_metadata: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        bare.vectors,
        [Vector {
            key: "alien".into(),
            data: None,
            metadata: None
        }]
    );

    let pages: Vec<_> = c
        .list_vectors()
        .bucket("vbucket")
        .body(VectorsListRequest {
            index_name: "movies".into(),
            max_results: Some(2),
            return_data: Some(true),
            ..Default::default()
        })
        .into_paginator()
        .try_collect()
        .await
        .unwrap();
    let keys: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.vectors)
        .map(|v| v.key.clone())
        .collect();
    assert_eq!(keys, ["alien", "amelie", "star-wars"]);
    assert!(
        pages
            .iter()
            .flat_map(|p| &p.vectors)
            .all(|v| v.data.is_some() && v.metadata.is_none())
    );
    // Segments split the index between parallel listers.
    let mut segmented = Vec::new();
    for segment in 0..2 {
        let page = c
            .list_vectors()
            .bucket("vbucket")
            .body(VectorsListRequest {
                index_name: "movies".into(),
                segment_count: Some(2),
                segment_index: Some(segment),
                ..Default::default()
            })
            .send()
            .await
            .unwrap();
        segmented.extend(page.vectors.into_iter().map(|v| v.key));
    }
    segmented.sort();
    assert_eq!(segmented, ["alien", "amelie", "star-wars"]);

    // A filter over a non-filterable key is refused; other filters work.
    let query = |filter: Option<Value>| VectorsQueryRequest {
        index_name: "movies".into(),
        query_vector: VectorData {
            float32: vec![1.0, 0.0, 0.0],
        },
        top_k: 2,
        filter,
        return_distance: Some(true),
        return_metadata: Some(true),
    };
    let r = c
        .query_vectors()
        .bucket("vbucket")
        .body(query(None))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.vectors.iter().map(|v| v.key.as_str()).collect::<Vec<_>>(),
        ["star-wars", "alien"]
    );
    assert_eq!(
        r.vectors[0].metadata,
        Some(json!({"genre": "scifi", "year": 1977}))
    );
    let r = c
        .query_vectors()
        .bucket("vbucket")
        .body(query(Some(json!({"genre": {"$ne": "scifi"}}))))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.vectors.iter().map(|v| v.key.as_str()).collect::<Vec<_>>(),
        ["amelie"]
    );
    let err = c
        .query_vectors()
        .bucket("vbucket")
        .body(query(Some(json!({"plot": "space"}))))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidArgument"));

    c.delete_vectors()
        .bucket("vbucket")
        .body(VectorsDeleteRequest {
            index_name: "movies".into(),
            keys: vec!["alien".into(), "never-there".into()],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(count(&c, "vbucket", "movies").await, 2);

    c.delete_vector_index()
        .bucket("vbucket")
        .body(VectorIndexName {
            index_name: "movies".into(),
        })
        .send()
        .await
        .unwrap();
    let err = c
        .get_vectors()
        .bucket("vbucket")
        .body(VectorsGetRequest {
            index_name: "movies".into(),
            keys: vec!["amelie".into()],
            return_data: None,
            return_metadata: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchVectorIndex"));
}

#[tokio::test]
async fn bad_requests_store_nothing() {
    let emu = emulator();
    let c = client(&emu);
    c.put_vector_bucket().bucket("strict").send().await.unwrap();
    make_index(&c, "strict", "idx", 4, "cosine").await;
    put(
        &c,
        "strict",
        "idx",
        vec![vector("keep", &[1.0, 2.0, 3.0, 4.0], None)],
    )
    .await
    .unwrap();
    let ok = |k: &str| vector(k, &[1.0, 0.0, 0.0, 0.0], None);
    let cases: Vec<(&str, Vec<Vector>)> = vec![
        (
            "wrong dimension",
            vec![ok("a"), vector("b", &[1.0, 2.0], None)],
        ),
        (
            "NaN",
            vec![ok("a"), vector("b", &[1.0, f32::NAN, 0.0, 0.0], None)],
        ),
        (
            "infinity",
            vec![ok("a"), vector("b", &[f32::INFINITY, 0.0, 0.0, 0.0], None)],
        ),
        (
            "zero vector under cosine",
            vec![ok("a"), vector("b", &[0.0; 4], None)],
        ),
        ("duplicate key", vec![ok("a"), ok("a")]),
        ("empty key", vec![ok("a"), ok("")]),
        ("long key", vec![ok("a"), ok(&"k".repeat(1025))]),
        (
            "no data",
            vec![
                ok("a"),
                Vector {
                    key: "b".into(),
                    data: None,
                    metadata: None,
                },
            ],
        ),
        (
            "metadata not an object",
            vec![ok("a"), vector("b", &[1.0; 4], Some(json!([1, 2])))],
        ),
        ("too many", (0..501).map(|n| ok(&format!("k{n}"))).collect()),
        ("none", Vec::new()),
    ];
    for (what, vectors) in cases {
        let err = put(&c, "strict", "idx", vectors).await.unwrap_err();
        assert_eq!(err.code(), Some("InvalidArgument"), "{what}: {err}");
        let service = err.service_error().unwrap();
        assert_eq!(service.status, 400, "{what}");
        assert!(!service.message.is_empty(), "{what}");
        assert_eq!(
            count(&c, "strict", "idx").await,
            1,
            "{what}: something was stored"
        );
    }
    let err = put(&c, "strict", "missing", vec![ok("a")])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchVectorIndex"));

    let query = |top_k: i64, v: Vec<f32>, filter: Option<Value>| VectorsQueryRequest {
        index_name: "idx".into(),
        query_vector: VectorData { float32: v },
        top_k,
        filter,
        return_distance: None,
        return_metadata: None,
    };
    let one = vec![1.0, 0.0, 0.0, 0.0];
    for (what, q) in [
        ("topK 0", query(0, one.clone(), None)),
        ("topK 101", query(101, one.clone(), None)),
        ("dimension", query(1, vec![1.0], None)),
        (
            "bad operator",
            query(1, one.clone(), Some(json!({"a": {"$regex": "x"}}))),
        ),
        (
            "empty $in",
            query(1, one.clone(), Some(json!({"a": {"$in": []}}))),
        ),
        ("not an object", query(1, one.clone(), Some(json!("a")))),
    ] {
        let err = c
            .query_vectors()
            .bucket("strict")
            .body(q)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("InvalidArgument"), "{what}");
    }
    for top_k in [1, 100] {
        c.query_vectors()
            .bucket("strict")
            .body(query(top_k, one.clone(), None))
            .send()
            .await
            .unwrap();
    }
    let err = c
        .get_vectors()
        .bucket("strict")
        .body(VectorsGetRequest {
            index_name: "idx".into(),
            keys: vec!["keep".into(), "keep".into()],
            return_data: None,
            return_metadata: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidArgument"));
    let err = c
        .delete_vectors()
        .bucket("strict")
        .body(VectorsDeleteRequest {
            index_name: "idx".into(),
            keys: (0..501).map(|n| format!("k{n}")).collect(),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidArgument"));
    let err = c
        .list_vectors()
        .bucket("strict")
        .body(VectorsListRequest {
            index_name: "idx".into(),
            segment_count: Some(2),
            segment_index: Some(2),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidArgument"));
    assert_eq!(count(&c, "strict", "idx").await, 1);
}

#[tokio::test]
async fn fusion_indexes() {
    let emu = emulator();
    let c = client(&emu);
    c.put_vector_bucket().bucket("fusion").send().await.unwrap();
    let field = |name: &str, ty: &str| VectorIndexField {
        name: name.into(),
        r#type: ty.into(),
        data_type: None,
        dimension: None,
        distance_metric: None,
        exact_match: None,
        text: None,
    };
    let mut vector_field = field("float32", "vector");
    vector_field.data_type = Some("float32".into());
    vector_field.dimension = Some(2);
    vector_field.distance_metric = Some("euclidean".into());
    c.put_vector_index_fusion()
        .bucket("fusion")
        .body(VectorIndexFusionConfiguration {
            index_name: "shop".into(),
            mode: Some("fusion".into()),
            schema_configuration: VectorIndexSchema {
                fields: vec![
                    vector_field,
                    field("title", "string"),
                    field("price", "double"),
                ],
            },
        })
        .send()
        .await
        .unwrap();
    let err = c
        .put_vector_index_fusion()
        .bucket("fusion")
        .body(VectorIndexFusionConfiguration {
            index_name: "nofield".into(),
            mode: Some("fusion".into()),
            schema_configuration: VectorIndexSchema {
                fields: vec![field("title", "string")],
            },
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidArgument"));
    put(
        &c,
        "fusion",
        "shop",
        vec![
            vector(
                "phone",
                &[0.0, 0.0],
                Some(json!({"title": "Cloud phone", "price": 99.0})),
            ),
            vector(
                "audio",
                &[1.0, 0.0],
                Some(json!({"title": "Cloud speaker", "price": 49.0})),
            ),
            vector(
                "desk",
                &[3.0, 4.0],
                Some(json!({"title": "Desk", "price": 10.0})),
            ),
        ],
    )
    .await
    .unwrap();
    let r = c
        .query_vectors_fusion()
        .bucket("fusion")
        .body(VectorsFusionQueryRequest {
            index_name: "shop".into(),
            knn: Some(json!({"field": "float32", "queryVector": [0.0, 0.0], "topK": 3})),
            query: Some(json!({"title": {"$textMatch": {"value": "cloud"}}})),
            return_metadata: Some(true),
            return_metadata_fields: vec!["price".into()],
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = r.vectors.iter().map(|v| v.key.as_str()).collect();
    assert_eq!(keys, ["phone", "audio"]);
    assert_eq!(r.vectors[0].score, Some(1.0));
    assert_eq!(r.vectors[1].score, Some(0.5));
    assert_eq!(r.vectors[1].metadata, Some(json!({"price": 49.0})));
    let r = c
        .query_vectors_fusion()
        .bucket("fusion")
        .body(VectorsFusionQueryRequest {
            index_name: "shop".into(),
            query: Some(
                json!({"$and": {"clauses": [{"price": {"$in": {"value": [10.0, 49.0]}}}]}}),
            ),
            limit: Some(1),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(r.vectors.len(), 1);
    assert!(r.next_token.is_some());
    let next = c
        .query_vectors_fusion()
        .bucket("fusion")
        .body(VectorsFusionQueryRequest {
            index_name: "shop".into(),
            query: Some(
                json!({"$and": {"clauses": [{"price": {"$in": {"value": [10.0, 49.0]}}}]}}),
            ),
            limit: Some(1),
            next_token: r.next_token.clone(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let both: BTreeSet<_> = r
        .vectors
        .iter()
        .chain(&next.vectors)
        .map(|v| v.key.clone())
        .collect();
    assert_eq!(
        both,
        BTreeSet::from(["audio".to_string(), "desk".to_string()])
    );
    assert_eq!(next.next_token, None);
}

// ------------------------------------------------------------------------------------------------
// QueryVectors against a brute-force reference.

const N: usize = 10_000;
const DIM: usize = 128;

/// xorshift64*: the test's own random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

struct Item {
    key: String,
    data: Vec<f32>,
    category: String,
    n: i64,
}

fn reference_distance(metric: &str, a: &[f32], b: &[f32]) -> f64 {
    let (mut dot, mut na, mut nb, mut sq) = (0f64, 0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        na += x * x;
        nb += y * y;
        sq += (x - y) * (x - y);
    }
    if metric == "cosine" {
        1.0 - dot / (na.sqrt() * nb.sqrt())
    } else {
        sq.sqrt()
    }
}

fn reference_top_k<'a>(
    metric: &str,
    items: &'a [Item],
    query: &[f32],
    k: usize,
    keep: &dyn Fn(&Item) -> bool,
) -> Vec<(&'a str, f64)> {
    let mut all: Vec<(&str, f64)> = items
        .iter()
        .filter(|i| keep(i))
        .map(|i| (i.key.as_str(), reference_distance(metric, query, &i.data)))
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    all.truncate(k);
    all
}

#[tokio::test]
async fn query_vectors_equals_brute_force_on_10k_vectors() {
    let emu = emulator();
    let c = client(&emu);
    c.put_vector_bucket().bucket("bulk").send().await.unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let items: Vec<Item> = (0..N)
        .map(|n| Item {
            key: format!("v{n:05}"),
            data: (0..DIM).map(|_| rng.unit()).collect(),
            category: format!("c{}", rng.next() % 5),
            n: (rng.next() % 100) as i64,
        })
        .collect();
    for metric in ["euclidean", "cosine"] {
        make_index(&c, "bulk", metric, DIM as i64, metric).await;
        for chunk in items.chunks(500) {
            let vectors = chunk
                .iter()
                .map(|i| {
                    vector(
                        &i.key,
                        &i.data,
                        Some(json!({"category": i.category, "n": i.n})),
                    )
                })
                .collect();
            put(&c, "bulk", metric, vectors).await.unwrap();
        }
        assert_eq!(count(&c, "bulk", metric).await, N);
        type Keep = Box<dyn Fn(&Item) -> bool>;
        let filters: Vec<(Option<Value>, Keep)> = vec![
            (None, Box::new(|_| true)),
            (
                Some(json!({"category": {"$eq": "c1"}})),
                Box::new(|i| i.category == "c1"),
            ),
            (
                Some(json!({"$and": [{"category": {"$in": ["c2", "c3"]}}, {"n": {"$ne": 7}}]})),
                Box::new(|i| (i.category == "c2" || i.category == "c3") && i.n != 7),
            ),
            (
                Some(
                    json!({"$or": [{"category": {"$nin": ["c0", "c1", "c2"]}}, {"n": {"$in": [1, 2, 3]}}]}),
                ),
                Box::new(|i| {
                    !["c0", "c1", "c2"].contains(&i.category.as_str()) || [1, 2, 3].contains(&i.n)
                }),
            ),
            (
                Some(
                    json!({"$and": [{"category": {"$exists": true}}, {"missing": {"$exists": false}}, {"n": 42}]}),
                ),
                Box::new(|i| i.n == 42),
            ),
        ];
        for q in 0..4 {
            let query: Vec<f32> = (0..DIM).map(|_| rng.unit()).collect();
            for (filter, keep) in &filters {
                let k = [10, 100, 1, 37][q];
                let expected = reference_top_k(metric, &items, &query, k, keep.as_ref());
                let got = c
                    .query_vectors()
                    .bucket("bulk")
                    .body(VectorsQueryRequest {
                        index_name: metric.into(),
                        query_vector: VectorData {
                            float32: query.clone(),
                        },
                        top_k: k as i64,
                        filter: filter.clone(),
                        return_distance: Some(true),
                        return_metadata: Some(true),
                    })
                    .send()
                    .await
                    .unwrap()
                    .vectors;
                let got_keys: Vec<&str> = got.iter().map(|v| v.key.as_str()).collect();
                let want_keys: Vec<&str> = expected.iter().map(|e| e.0).collect();
                assert_eq!(got_keys, want_keys, "{metric} {filter:?} k={k}");
                for (g, (_, d)) in got.iter().zip(&expected) {
                    let distance = f64::from(g.distance.unwrap());
                    assert!((distance - d).abs() < 1e-5, "{metric}: {distance} vs {d}");
                    let item = &items[g.key[1..].parse::<usize>().unwrap()];
                    assert_eq!(
                        g.metadata,
                        Some(json!({"category": item.category, "n": item.n}))
                    );
                }
            }
        }
    }
}
