//! Our client against the emulator for access points (with their policies and Block Public
//! Access settings), resource pool QoS, and meta query: round trips field by field, OSS's
//! errors for absent and invalid input, and persistence across a restart with a data
//! directory.
// Helpers shared by the tests (not `#[test]` functions themselves) unwrap too.
#![allow(clippy::unwrap_used)]

use oss_tests::sdk_client_one_attempt;

use oss_emulator::{Emulator, EmulatorConfig};
use oss_model::{
    AccessPointNetworkOrigin, AccessPointVpcConfiguration, CreateAccessPointConfiguration,
    PublicAccessBlockConfiguration, QoSConfiguration,
};

const AK: &str = "families-b-ak";
const SK: &str = "families-b-sk";
const ACCOUNT: &str = "1234567890123456";

fn config() -> EmulatorConfig {
    EmulatorConfig::new(AK, SK).region("cn-hangzhou")
}

fn emulator() -> Emulator {
    Emulator::start(config()).expect("emulator starts")
}

/// The OSS error code and HTTP status of a failed call.
fn failure<T: std::fmt::Debug>(r: Result<T, oss_client::Error>) -> (String, u16) {
    let err = r.expect_err("the call fails");
    (
        err.code().unwrap_or("<none>").to_owned(),
        err.status().map_or(0, |s| s.as_u16()),
    )
}

fn ap_config(name: &str, vpc: Option<&str>) -> CreateAccessPointConfiguration {
    CreateAccessPointConfiguration {
        access_point_name: name.to_owned(),
        network_origin: if vpc.is_some() {
            AccessPointNetworkOrigin::Vpc
        } else {
            AccessPointNetworkOrigin::Internet
        },
        vpc_configuration: vpc.map(|id| AccessPointVpcConfiguration {
            vpc_id: Some(id.to_owned()),
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_points_round_trip_and_answer_oss_errors() {
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    c.put_bucket().bucket("ap-bucket").send().await.unwrap();
    c.put_bucket().bucket("ap-other").send().await.unwrap();

    // Absent before creation.
    let (code, status) = failure(
        c.get_access_point()
            .bucket("ap-bucket")
            .access_point_name("ap-01")
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("NoSuchAccessPoint", 404));

    let created = c
        .create_access_point()
        .bucket("ap-bucket")
        .body(ap_config("ap-01", Some("vpc-t4nlw426y44rd3iq4")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.access_point_arn.as_deref(),
        Some(format!("acs:oss:cn-hangzhou:{ACCOUNT}:accesspoint/ap-01").as_str())
    );
    let alias = created.alias.clone().unwrap();
    let hex = alias
        .strip_prefix("ap-01-")
        .and_then(|r| r.strip_suffix("-ossalias"))
        .unwrap_or_else(|| panic!("alias {alias}"));
    assert_eq!(hex.len(), 32, "{alias}");
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{alias}");

    let got = c
        .get_access_point()
        .bucket("ap-bucket")
        .access_point_name("ap-01")
        .send()
        .await
        .unwrap();
    assert_eq!(got.access_point_name.as_deref(), Some("ap-01"));
    assert_eq!(got.bucket.as_deref(), Some("ap-bucket"));
    assert_eq!(got.account_id.as_deref(), Some(ACCOUNT));
    assert_eq!(got.network_origin, Some(AccessPointNetworkOrigin::Vpc));
    assert_eq!(
        got.vpc_configuration.and_then(|v| v.vpc_id).as_deref(),
        Some("vpc-t4nlw426y44rd3iq4")
    );
    assert_eq!(got.access_point_arn, created.access_point_arn);
    assert_eq!(got.alias.as_deref(), Some(alias.as_str()));
    assert_eq!(got.status.as_deref(), Some("enable"));
    let created_at: i64 = got.creation_date.as_deref().unwrap().parse().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((now - 300..=now + 5).contains(&created_at), "{created_at}");
    let endpoints = got.endpoints.unwrap();
    assert_eq!(
        endpoints.public_endpoint.as_deref(),
        Some(format!("ap-01-{ACCOUNT}.oss-cn-hangzhou.oss-accesspoint.aliyuncs.com").as_str())
    );
    assert_eq!(
        endpoints.internal_endpoint.as_deref(),
        Some(
            format!("ap-01-{ACCOUNT}.oss-cn-hangzhou-internal.oss-accesspoint.aliyuncs.com")
                .as_str()
        )
    );

    // Names are unique in the account's region, whatever the bucket.
    let (code, status) = failure(
        c.create_access_point()
            .bucket("ap-other")
            .body(ap_config("ap-01", None))
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("AccessPointAlreadyExists", 409));
    // Invalid names and a vpc origin without a VPC.
    for bad in [
        "ab",
        "Ap-01",
        "-ap",
        "ap-",
        "ap_01",
        "x-ossalias",
        "a2345678901234567890",
    ] {
        let (code, status) = failure(
            c.create_access_point()
                .bucket("ap-bucket")
                .body(ap_config(bad, None))
                .send()
                .await,
        );
        assert_eq!((code.as_str(), status), ("InvalidArgument", 400), "{bad}");
    }
    let mut no_vpc = ap_config("ap-novpc", None);
    no_vpc.network_origin = AccessPointNetworkOrigin::Vpc;
    let (code, _) = failure(
        c.create_access_point()
            .bucket("ap-bucket")
            .body(no_vpc)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidArgument");
    let mut odd = ap_config("ap-odd", None);
    odd.network_origin = AccessPointNetworkOrigin::Unknown("satellite".into());
    let (code, _) = failure(
        c.create_access_point()
            .bucket("ap-bucket")
            .body(odd)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidArgument");
    // Another bucket does not know ap-01; a missing bucket is NoSuchBucket.
    let (code, _) = failure(
        c.get_access_point()
            .bucket("ap-other")
            .access_point_name("ap-01")
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchAccessPoint");
    let (code, status) = failure(
        c.create_access_point()
            .bucket("ap-missing")
            .body(ap_config("ap-09", None))
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("NoSuchBucket", 404));

    // Listing: account level, in name order, paged.
    for (bucket, name) in [
        ("ap-other", "ap-00"),
        ("ap-bucket", "ap-02"),
        ("ap-other", "ap-03"),
    ] {
        c.create_access_point()
            .bucket(bucket)
            .body(ap_config(name, None))
            .send()
            .await
            .unwrap();
    }
    let page1 = c.list_access_points().max_keys(3).send().await.unwrap();
    let names: Vec<_> = page1
        .access_points
        .iter()
        .map(|a| a.access_point_name.clone().unwrap())
        .collect();
    assert_eq!(names, ["ap-00", "ap-01", "ap-02"]);
    assert_eq!(page1.is_truncated, Some(true));
    assert_eq!(page1.max_keys, Some(3));
    assert_eq!(page1.account_id.as_deref(), Some(ACCOUNT));
    let first = &page1.access_points[1];
    assert_eq!(first.bucket.as_deref(), Some("ap-bucket"));
    assert_eq!(first.alias.as_deref(), Some(alias.as_str()));
    assert_eq!(first.network_origin, Some(AccessPointNetworkOrigin::Vpc));
    assert_eq!(first.status.as_deref(), Some("enable"));
    assert_eq!(
        page1.access_points[0].network_origin,
        Some(AccessPointNetworkOrigin::Internet)
    );
    assert!(page1.access_points[0].vpc_configuration.is_none());
    let page2 = c
        .list_access_points()
        .max_keys(3)
        .continuation_token(page1.next_continuation_token.clone().unwrap())
        .send()
        .await
        .unwrap();
    let names: Vec<_> = page2
        .access_points
        .iter()
        .map(|a| a.access_point_name.clone().unwrap())
        .collect();
    assert_eq!(names, ["ap-03"]);
    assert_eq!(page2.is_truncated, Some(false));
    assert!(page2.next_continuation_token.is_none());
    let (code, _) = failure(c.list_access_points().max_keys(0).send().await);
    assert_eq!(code, "InvalidArgument");

    // Delete: gone from get and list; deleting again is NoSuchAccessPoint.
    c.delete_access_point()
        .bucket("ap-other")
        .access_point_name("ap-00")
        .send()
        .await
        .unwrap();
    let (code, _) = failure(
        c.delete_access_point()
            .bucket("ap-other")
            .access_point_name("ap-00")
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchAccessPoint");
    let all = c.list_access_points().send().await.unwrap();
    assert_eq!(all.access_points.len(), 3);
    assert_eq!(all.max_keys, Some(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_point_policies_and_public_access_blocks() {
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    c.put_bucket().bucket("appol-bucket").send().await.unwrap();
    c.create_access_point()
        .bucket("appol-bucket")
        .body(ap_config("ap-pol", None))
        .send()
        .await
        .unwrap();

    let get_policy = || {
        c.get_access_point_policy()
            .bucket("appol-bucket")
            .access_point_name("ap-pol")
            .send()
    };
    let (code, status) = failure(get_policy().await);
    assert_eq!((code.as_str(), status), ("NoSuchAccessPointPolicy", 404));
    let policy = format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Deny","Action":["oss:PutObject"],"Principal":["*"],"Resource":["acs:oss:cn-hangzhou:{ACCOUNT}:accesspoint/ap-pol/object/*"]}}]}}"#
    );
    c.put_access_point_policy()
        .bucket("appol-bucket")
        .access_point_name("ap-pol")
        .body(policy.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(get_policy().await.unwrap().body, policy);
    for bad in ["not json", r#"{"Version":"1"}"#] {
        let (code, _) = failure(
            c.put_access_point_policy()
                .bucket("appol-bucket")
                .access_point_name("ap-pol")
                .body(bad)
                .send()
                .await,
        );
        assert_eq!(code, "InvalidPolicyDocument", "{bad}");
    }
    assert_eq!(
        get_policy().await.unwrap().body,
        policy,
        "a refused put changes nothing"
    );
    let (code, _) = failure(
        c.put_access_point_policy()
            .bucket("appol-bucket")
            .access_point_name("ap-none")
            .body(policy.clone())
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchAccessPoint");
    c.delete_access_point_policy()
        .bucket("appol-bucket")
        .access_point_name("ap-pol")
        .send()
        .await
        .unwrap();
    let (code, _) = failure(get_policy().await);
    assert_eq!(code, "NoSuchAccessPointPolicy");

    // Block Public Access: false until put, then as put, false again once deleted.
    let get_pab = || {
        c.get_access_point_public_access_block()
            .bucket("appol-bucket")
            .access_point_name("ap-pol")
            .send()
    };
    assert!(!get_pab().await.unwrap().block_public_access);
    c.put_access_point_public_access_block()
        .bucket("appol-bucket")
        .access_point_name("ap-pol")
        .body(PublicAccessBlockConfiguration {
            block_public_access: true,
        })
        .send()
        .await
        .unwrap();
    assert!(get_pab().await.unwrap().block_public_access);
    let got = c
        .get_access_point()
        .bucket("appol-bucket")
        .access_point_name("ap-pol")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.public_access_block_configuration,
        Some(PublicAccessBlockConfiguration {
            block_public_access: true
        })
    );
    c.delete_access_point_public_access_block()
        .bucket("appol-bucket")
        .access_point_name("ap-pol")
        .send()
        .await
        .unwrap();
    assert!(!get_pab().await.unwrap().block_public_access);
    let (code, _) = failure(
        c.get_access_point_public_access_block()
            .bucket("appol-bucket")
            .access_point_name("ap-none")
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchAccessPoint");
}

fn limits(total_qps: i64, download: i64) -> QoSConfiguration {
    QoSConfiguration {
        total_upload_bandwidth: Some(10),
        intranet_upload_bandwidth: Some(-1),
        extranet_upload_bandwidth: Some(0),
        total_download_bandwidth: Some(download),
        intranet_download_bandwidth: None,
        extranet_download_bandwidth: Some(5),
        total_qps: Some(total_qps),
        intranet_qps: Some(-1),
        extranet_qps: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_and_requester_qos_round_trip() {
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    c.put_bucket().bucket("qos-bucket").send().await.unwrap();

    // Never set: every limit absent (OSS: absent is -1, unlimited).
    let got = c
        .get_bucket_qos_info()
        .bucket("qos-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(got.to_document(), QoSConfiguration::default());
    c.put_bucket_qos_info()
        .bucket("qos-bucket")
        .body(limits(2000, 20))
        .send()
        .await
        .unwrap();
    let got = c
        .get_bucket_qos_info()
        .bucket("qos-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(got.to_document(), limits(2000, 20));
    let (code, status) = failure(
        c.put_bucket_qos_info()
            .bucket("qos-bucket")
            .body(limits(-2, 20))
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("InvalidArgument", 400));
    let got = c
        .get_bucket_qos_info()
        .bucket("qos-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.to_document(),
        limits(2000, 20),
        "a refused put changes nothing"
    );
    c.delete_bucket_qos_info()
        .bucket("qos-bucket")
        .send()
        .await
        .unwrap();
    let got = c
        .get_bucket_qos_info()
        .bucket("qos-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(got.to_document(), QoSConfiguration::default());
    let (code, _) = failure(c.get_bucket_qos_info().bucket("qos-missing").send().await);
    assert_eq!(code, "NoSuchBucket");

    // Per requester uid.
    let got = c
        .get_bucket_requester_qos_info()
        .bucket("qos-bucket")
        .qos_requester("300001")
        .send()
        .await
        .unwrap();
    assert_eq!(got.requester.as_deref(), Some("300001"));
    assert_eq!(got.qos_configuration, Some(QoSConfiguration::default()));
    for (uid, qps) in [("300003", 3), ("300001", 1), ("300002", 2)] {
        c.put_bucket_requester_qos_info()
            .bucket("qos-bucket")
            .qos_requester(uid)
            .body(limits(qps, 7))
            .send()
            .await
            .unwrap();
    }
    let got = c
        .get_bucket_requester_qos_info()
        .bucket("qos-bucket")
        .qos_requester("300002")
        .send()
        .await
        .unwrap();
    assert_eq!(got.qos_configuration, Some(limits(2, 7)));
    let page1 = c
        .list_bucket_requester_qos_infos()
        .bucket("qos-bucket")
        .max_keys(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page1.bucket.as_deref(), Some("qos-bucket"));
    assert_eq!(page1.is_truncated, Some(true));
    let listed: Vec<_> = page1
        .requester_qos_infos
        .iter()
        .map(|r| {
            (
                r.requester.clone().unwrap(),
                r.qos_configuration.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("300001".to_owned(), limits(1, 7)),
            ("300002".to_owned(), limits(2, 7))
        ]
    );
    let token = page1.next_continuation_token.clone().unwrap();
    let page2 = c
        .list_bucket_requester_qos_infos()
        .bucket("qos-bucket")
        .max_keys(2)
        .continuation_token(token.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(page2.continuation_token.as_deref(), Some(token.as_str()));
    assert_eq!(page2.is_truncated, Some(false));
    assert_eq!(page2.requester_qos_infos.len(), 1);
    assert_eq!(
        page2.requester_qos_infos[0].requester.as_deref(),
        Some("300003")
    );
    c.delete_bucket_requester_qos_info()
        .bucket("qos-bucket")
        .qos_requester("300001")
        .send()
        .await
        .unwrap();
    let all = c
        .list_bucket_requester_qos_infos()
        .bucket("qos-bucket")
        .send()
        .await
        .unwrap();
    let uids: Vec<_> = all
        .requester_qos_infos
        .iter()
        .map(|r| r.requester.clone().unwrap())
        .collect();
    assert_eq!(uids, ["300002", "300003"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_pools_requesters_and_bucket_groups() {
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    for b in ["pool-b1", "pool-b2", "pool-b3"] {
        c.put_bucket().bucket(b).send().await.unwrap();
    }
    let pool_limits = limits(50_000, 400);
    emu.seed_resource_pool("pool-a", &["pool-b2", "pool-b1", "pool-b3"], &pool_limits)
        .unwrap();
    emu.seed_resource_pool("pool-b", &[], &QoSConfiguration::default())
        .unwrap();

    let pools = c.list_resource_pools().send().await.unwrap();
    let names: Vec<_> = pools
        .resource_pools
        .iter()
        .map(|p| p.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["pool-a", "pool-b"]);
    assert_eq!(pools.region.as_deref(), Some("oss-cn-hangzhou"));
    assert_eq!(pools.owner.as_deref(), Some(ACCOUNT));
    assert!(pools.resource_pools[0].create_time.is_some());
    let paged = c.list_resource_pools().max_keys(1).send().await.unwrap();
    assert_eq!(paged.is_truncated, Some(true));
    assert_eq!(paged.next_continuation_token.as_deref(), Some("pool-a"));

    let info = c
        .get_resource_pool_info()
        .resource_pool("pool-a")
        .send()
        .await
        .unwrap();
    assert_eq!(info.name.as_deref(), Some("pool-a"));
    assert_eq!(info.owner.as_deref(), Some(ACCOUNT));
    assert_eq!(info.region.as_deref(), Some("oss-cn-hangzhou"));
    assert_eq!(info.qos_configuration, Some(pool_limits));
    assert_eq!(info.create_time, pools.resource_pools[0].create_time);
    let (code, status) = failure(
        c.get_resource_pool_info()
            .resource_pool("pool-none")
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("NoSuchResourcePool", 404));

    let buckets = c
        .list_resource_pool_buckets()
        .resource_pool("pool-a")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = buckets
        .resource_pool_buckets
        .iter()
        .map(|b| b.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["pool-b1", "pool-b2", "pool-b3"]);
    assert_eq!(buckets.resource_pool.as_deref(), Some("pool-a"));
    assert!(
        buckets
            .resource_pool_buckets
            .iter()
            .all(|b| b.join_time.is_some())
    );

    // Requesters of the pool.
    let got = c
        .get_resource_pool_requester_qos_info()
        .resource_pool("pool-a")
        .qos_requester("400001")
        .send()
        .await
        .unwrap();
    assert_eq!(got.qos_configuration, Some(QoSConfiguration::default()));
    for (uid, qps) in [("400002", 20), ("400001", 10)] {
        c.put_resource_pool_requester_qos_info()
            .resource_pool("pool-a")
            .qos_requester(uid)
            .body(limits(qps, 9))
            .send()
            .await
            .unwrap();
    }
    let got = c
        .get_resource_pool_requester_qos_info()
        .resource_pool("pool-a")
        .qos_requester("400002")
        .send()
        .await
        .unwrap();
    assert_eq!(got.requester.as_deref(), Some("400002"));
    assert_eq!(got.qos_configuration, Some(limits(20, 9)));
    let listed = c
        .list_resource_pool_requester_qos_infos()
        .resource_pool("pool-a")
        .send()
        .await
        .unwrap();
    let uids: Vec<_> = listed
        .requester_qos_infos
        .iter()
        .map(|r| {
            (
                r.requester.clone().unwrap(),
                r.qos_configuration.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        uids,
        [
            ("400001".to_owned(), limits(10, 9)),
            ("400002".to_owned(), limits(20, 9))
        ]
    );
    // Another pool's requesters are its own.
    let other = c
        .list_resource_pool_requester_qos_infos()
        .resource_pool("pool-b")
        .send()
        .await
        .unwrap();
    assert!(other.requester_qos_infos.is_empty());
    c.delete_resource_pool_requester_qos_info()
        .resource_pool("pool-a")
        .qos_requester("400001")
        .send()
        .await
        .unwrap();
    let listed = c
        .list_resource_pool_requester_qos_infos()
        .resource_pool("pool-a")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.requester_qos_infos.len(), 1);
    let (code, _) = failure(
        c.put_resource_pool_requester_qos_info()
            .resource_pool("pool-none")
            .qos_requester("1")
            .body(limits(1, 1))
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchResourcePool");

    // Bucket groups: join, list with their buckets, leave with an empty name.
    for (bucket, group) in [
        ("pool-b1", "group-x"),
        ("pool-b3", "group-x"),
        ("pool-b2", "group-y"),
    ] {
        c.put_bucket_resource_pool_bucket_group()
            .bucket(bucket)
            .resource_pool("pool-a")
            .resource_pool_bucket_group(group)
            .send()
            .await
            .unwrap();
    }
    let groups = c
        .list_resource_pool_bucket_groups()
        .resource_pool("pool-a")
        .send()
        .await
        .unwrap();
    let shape: Vec<(String, Vec<String>)> = groups
        .resource_pool_bucket_groups
        .iter()
        .map(|g| {
            (
                g.name.clone().unwrap(),
                g.group_bucket_infos
                    .iter()
                    .map(|b| b.bucket_name.clone().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (
                "group-x".to_owned(),
                vec!["pool-b1".to_owned(), "pool-b3".to_owned()]
            ),
            ("group-y".to_owned(), vec!["pool-b2".to_owned()])
        ]
    );
    c.put_bucket_resource_pool_bucket_group()
        .bucket("pool-b2")
        .resource_pool("pool-a")
        .resource_pool_bucket_group("")
        .send()
        .await
        .unwrap();
    let groups = c
        .list_resource_pool_bucket_groups()
        .resource_pool("pool-a")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.resource_pool_bucket_groups.len(), 1);
    // A bucket outside the pool cannot join its groups.
    let (code, _) = failure(
        c.put_bucket_resource_pool_bucket_group()
            .bucket("pool-b1")
            .resource_pool("pool-b")
            .resource_pool_bucket_group("group-z")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidArgument");

    // Bucket-group limits.
    let got = c
        .get_resource_pool_bucket_group_qos_info()
        .resource_pool("pool-a")
        .resource_pool_bucket_group("group-x")
        .send()
        .await
        .unwrap();
    assert_eq!(got.bucket_group.as_deref(), Some("group-x"));
    assert_eq!(got.qos_configuration, Some(QoSConfiguration::default()));
    c.put_resource_pool_bucket_group_qos_info()
        .resource_pool("pool-a")
        .resource_pool_bucket_group("group-x")
        .body(limits(600, 60))
        .send()
        .await
        .unwrap();
    let got = c
        .get_resource_pool_bucket_group_qos_info()
        .resource_pool("pool-a")
        .resource_pool_bucket_group("group-x")
        .send()
        .await
        .unwrap();
    assert_eq!(got.qos_configuration, Some(limits(600, 60)));
    let listed = c
        .list_resource_pool_bucket_group_qos_infos()
        .resource_pool("pool-a")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.resource_pool.as_deref(), Some("pool-a"));
    assert_eq!(listed.resource_pool_bucket_group_qos_infos.len(), 1);
    assert_eq!(
        listed.resource_pool_bucket_group_qos_infos[0]
            .bucket_group
            .as_deref(),
        Some("group-x")
    );
    c.delete_resource_pool_bucket_group_qos_info()
        .resource_pool("pool-a")
        .resource_pool_bucket_group("group-x")
        .send()
        .await
        .unwrap();
    let listed = c
        .list_resource_pool_bucket_group_qos_infos()
        .resource_pool("pool-a")
        .send()
        .await
        .unwrap();
    assert!(listed.resource_pool_bucket_group_qos_infos.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_points_and_qos_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let alias;
    {
        let emu = Emulator::start(config().data_dir(dir.path())).unwrap();
        let c = sdk_client_one_attempt(&emu);
        c.put_bucket().bucket("persist-b").send().await.unwrap();
        alias = c
            .create_access_point()
            .bucket("persist-b")
            .body(ap_config("ap-keep", None))
            .send()
            .await
            .unwrap()
            .alias;
        c.put_access_point_policy()
            .bucket("persist-b")
            .access_point_name("ap-keep")
            .body(r#"{"Version":"1","Statement":[]}"#)
            .send()
            .await
            .unwrap();
        c.put_bucket_qos_info()
            .bucket("persist-b")
            .body(limits(77, 7))
            .send()
            .await
            .unwrap();
        c.put_bucket_requester_qos_info()
            .bucket("persist-b")
            .qos_requester("500001")
            .body(limits(88, 8))
            .send()
            .await
            .unwrap();
        emu.seed_resource_pool("pool-keep", &["persist-b"], &limits(99, 9))
            .unwrap();
        emu.stop();
    }
    let emu = Emulator::start(config().data_dir(dir.path())).unwrap();
    let c = sdk_client_one_attempt(&emu);
    let got = c
        .get_access_point()
        .bucket("persist-b")
        .access_point_name("ap-keep")
        .send()
        .await
        .unwrap();
    assert_eq!(got.alias, alias);
    let policy = c
        .get_access_point_policy()
        .bucket("persist-b")
        .access_point_name("ap-keep")
        .send()
        .await
        .unwrap();
    assert_eq!(policy.body, r#"{"Version":"1","Statement":[]}"#);
    let qos = c
        .get_bucket_qos_info()
        .bucket("persist-b")
        .send()
        .await
        .unwrap();
    assert_eq!(qos.to_document(), limits(77, 7));
    let requester = c
        .get_bucket_requester_qos_info()
        .bucket("persist-b")
        .qos_requester("500001")
        .send()
        .await
        .unwrap();
    assert_eq!(requester.qos_configuration, Some(limits(88, 8)));
    let pool = c
        .get_resource_pool_info()
        .resource_pool("pool-keep")
        .send()
        .await
        .unwrap();
    assert_eq!(pool.qos_configuration, Some(limits(99, 9)));
}

fn meta_query(query: &str) -> oss_model::MetaQuery {
    oss_model::MetaQuery {
        next_token: None,
        max_results: None,
        query: query.to_owned(),
        sort: None,
        order: None,
        aggregations: Vec::new(),
        media_types: Vec::new(),
        simple_query: None,
    }
}

fn filenames(out: &oss_model::DoMetaQueryOutput) -> Vec<String> {
    out.files
        .iter()
        .map(|f| f.filename.clone().unwrap())
        .collect()
}

fn aggregation(field: &str, op: &str) -> oss_model::MetaQueryAggregation {
    oss_model::MetaQueryAggregation {
        field: Some(field.to_owned()),
        operation: Some(op.to_owned()),
        value: None,
        groups: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_query_answers_from_the_buckets_objects() {
    use oss_model::{MetaQueryMode, MetaQueryOrder};
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    c.put_bucket().bucket("mq-bucket").send().await.unwrap();

    // Not open: status and queries are refused.
    let (code, status) = failure(c.get_meta_query_status().bucket("mq-bucket").send().await);
    assert_eq!((code.as_str(), status), ("MetaQueryNotExist", 404));
    let (code, _) = failure(
        c.do_meta_query()
            .bucket("mq-bucket")
            .body(meta_query(
                r#"{"Field":"Size","Value":"0","Operation":"gte"}"#,
            ))
            .send()
            .await,
    );
    assert_eq!(code, "MetaQueryNotExist");

    // Objects: sizes 1, 10, 100, 1000 (and 10 again), types, tags and user metadata.
    let objects = [
        ("docs/a.txt", 1usize, "text/plain", "owner=John", "hangzhou"),
        ("docs/b.txt", 10, "text/plain", "owner=Mary", "beijing"),
        (
            "img/c.jpg",
            100,
            "image/jpeg",
            "owner=John&team=x",
            "hangzhou",
        ),
        ("img/d.png", 1000, "image/png", "", "shanghai"),
        ("video/e.mp4", 10, "video/mp4", "owner=John", "hangzhou"),
    ];
    for (key, size, ct, tags, location) in objects {
        let mut meta = std::collections::BTreeMap::new();
        meta.insert("location".to_owned(), location.to_owned());
        let mut put = c
            .put_object()
            .bucket("mq-bucket")
            .key(key)
            .content_type(ct)
            .metadata(meta)
            .body(vec![b'x'; size]);
        if !tags.is_empty() {
            put = put.tagging(tags);
        }
        put.send().await.unwrap();
    }
    c.open_meta_query()
        .bucket("mq-bucket")
        .mode(MetaQueryMode::Basic)
        .send()
        .await
        .unwrap();
    let (code, status) = failure(c.open_meta_query().bucket("mq-bucket").send().await);
    assert_eq!((code.as_str(), status), ("MetaQueryAlreadyExist", 409));
    let st = c
        .get_meta_query_status()
        .bucket("mq-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(st.state.as_deref(), Some("Running"));
    assert_eq!(st.phase.as_deref(), Some("IncrementalScanning"));
    let created = time::OffsetDateTime::parse(
        st.create_time.as_deref().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!((time::OffsetDateTime::now_utc() - created).abs() < time::Duration::minutes(5));

    // A field condition, sorted by size ascending, with aggregations over every match.
    let mut q = meta_query(r#"{"Field":"Size","Value":"5","Operation":"gt"}"#);
    q.sort = Some("Size".into());
    q.order = Some(MetaQueryOrder::Asc);
    q.aggregations = vec![
        aggregation("Size", "sum"),
        aggregation("Size", "max"),
        aggregation("Size", "min"),
        aggregation("Size", "average"),
        aggregation("Size", "count"),
        aggregation("ContentType", "distinct"),
        aggregation("ContentType", "group"),
    ];
    let out = c
        .do_meta_query()
        .bucket("mq-bucket")
        .mode(MetaQueryMode::Basic)
        .body(q)
        .send()
        .await
        .unwrap();
    assert_eq!(
        filenames(&out),
        ["docs/b.txt", "video/e.mp4", "img/c.jpg", "img/d.png"]
    );
    let values: Vec<_> = out
        .aggregations
        .iter()
        .map(|a| (a.operation.clone().unwrap(), a.value.clone()))
        .collect();
    assert_eq!(
        values,
        [
            ("sum".to_owned(), Some("1120".to_owned())),
            ("max".to_owned(), Some("1000".to_owned())),
            ("min".to_owned(), Some("10".to_owned())),
            ("average".to_owned(), Some("280".to_owned())),
            ("count".to_owned(), Some("4".to_owned())),
            ("distinct".to_owned(), Some("4".to_owned())),
            ("group".to_owned(), None),
        ]
    );
    let groups: Vec<_> = out.aggregations[6]
        .groups
        .iter()
        .map(|g| (g.value.clone().unwrap(), g.count.unwrap()))
        .collect();
    assert_eq!(
        groups,
        [
            ("image/jpeg".to_owned(), 1),
            ("image/png".to_owned(), 1),
            ("text/plain".to_owned(), 1),
            ("video/mp4".to_owned(), 1)
        ]
    );
    assert_eq!(out.next_token.as_deref().unwrap_or(""), "");
    // The file's metadata is the object's.
    let c_jpg = &out.files[2];
    assert_eq!(c_jpg.uri.as_deref(), Some("oss://mq-bucket/img/c.jpg"));
    assert_eq!(c_jpg.size, Some(100));
    assert_eq!(c_jpg.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(c_jpg.oss_object_type.as_deref(), Some("Normal"));
    assert_eq!(c_jpg.oss_storage_class.as_deref(), Some("Standard"));
    assert_eq!(c_jpg.oss_tagging_count, Some(2));
    let head = c
        .head_object()
        .bucket("mq-bucket")
        .key("img/c.jpg")
        .send()
        .await
        .unwrap();
    assert_eq!(c_jpg.etag, head.etag);
    let tags: Vec<_> = c_jpg
        .oss_tagging
        .iter()
        .map(|t| (t.key.clone(), t.value.clone().unwrap()))
        .collect();
    assert_eq!(
        tags,
        [
            ("owner".to_owned(), "John".to_owned()),
            ("team".to_owned(), "x".to_owned())
        ]
    );
    assert_eq!(c_jpg.oss_user_meta.len(), 1);
    assert_eq!(c_jpg.oss_user_meta[0].key, "x-oss-meta-location");
    assert_eq!(c_jpg.oss_user_meta[0].value.as_deref(), Some("hangzhou"));

    // Nested conditions over tags and user metadata; default sort: descending by the field.
    let mut q = meta_query(
        r#"{"Operation":"and","SubQueries":[
            {"Field":"OSSTagging.owner","Value":"John","Operation":"eq"},
            {"Operation":"not","SubQueries":[{"Field":"Filename","Value":"video/","Operation":"prefix"}]},
            {"Operation":"or","SubQueries":[
                {"Field":"OSSUserMeta.x-oss-meta-location","Value":"hangzhou","Operation":"eq"},
                {"Field":"ContentType","Value":"png","Operation":"match"}]}]}"#,
    );
    q.sort = Some("Filename".into());
    let out = c
        .do_meta_query()
        .bucket("mq-bucket")
        .body(q)
        .send()
        .await
        .unwrap();
    assert_eq!(filenames(&out), ["img/c.jpg", "docs/a.txt"]);

    // Pages of two, resumed with NextToken.
    let mut q = meta_query(r#"{"Field":"Size","Value":"0","Operation":"gte"}"#);
    q.max_results = Some(2);
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let out = c
            .do_meta_query()
            .bucket("mq-bucket")
            .body(q.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(out.files.len() <= 2);
        seen.extend(filenames(&out));
        match out.next_token.filter(|t| !t.is_empty()) {
            Some(t) => q.next_token = Some(t),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "docs/a.txt",
            "docs/b.txt",
            "img/c.jpg",
            "img/d.png",
            "video/e.mp4"
        ]
    );
    // Time conditions read RFC 3339.
    let out = c
        .do_meta_query()
        .bucket("mq-bucket")
        .body(meta_query(
            r#"{"Field":"FileModifiedTime","Value":"2000-01-01T00:00:00Z","Operation":"gt"}"#,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(out.files.len(), 5);

    // Bad input: OSS's InvalidArgument, nothing answered.
    for bad in [
        "not json",
        r#"{"Field":"Size","Value":"big","Operation":"gt"}"#,
        r#"{"Field":"Unknown","Value":"1","Operation":"eq"}"#,
        r#"{"Field":"Size","Value":"1","Operation":"near"}"#,
    ] {
        let (code, status) = failure(
            c.do_meta_query()
                .bucket("mq-bucket")
                .body(meta_query(bad))
                .send()
                .await,
        );
        assert_eq!((code.as_str(), status), ("InvalidArgument", 400), "{bad}");
    }
    let mut q = meta_query(r#"{"Field":"Size","Value":"0","Operation":"gte"}"#);
    q.max_results = Some(101);
    let (code, _) = failure(c.do_meta_query().bucket("mq-bucket").body(q).send().await);
    assert_eq!(code, "InvalidArgument");
    let mut q = meta_query(r#"{"Field":"Size","Value":"0","Operation":"gte"}"#);
    q.aggregations = vec![aggregation("Filename", "sum")];
    let (code, _) = failure(c.do_meta_query().bucket("mq-bucket").body(q).send().await);
    assert_eq!(code, "InvalidArgument");
    // The index was opened basic: a semantic query is refused.
    let (code, _) = failure(
        c.do_meta_query()
            .bucket("mq-bucket")
            .mode(MetaQueryMode::Semantic)
            .body(meta_query("a picture"))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidArgument");

    // The index follows the bucket: a deleted object is no longer found.
    c.delete_object()
        .bucket("mq-bucket")
        .key("img/d.png")
        .send()
        .await
        .unwrap();
    let out = c
        .do_meta_query()
        .bucket("mq-bucket")
        .body(meta_query(
            r#"{"Field":"Filename","Value":"img/","Operation":"prefix"}"#,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(filenames(&out), ["img/c.jpg"]);

    c.close_meta_query()
        .bucket("mq-bucket")
        .send()
        .await
        .unwrap();
    let (code, _) = failure(c.get_meta_query_status().bucket("mq-bucket").send().await);
    assert_eq!(code, "MetaQueryNotExist");
    let (code, _) = failure(c.close_meta_query().bucket("mq-bucket").send().await);
    assert_eq!(code, "MetaQueryNotExist");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_meta_query_matches_words_media_types_and_simple_queries() {
    use oss_model::MetaQueryMode;
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    c.put_bucket().bucket("mq-sem").send().await.unwrap();
    for (key, ct, size) in [
        ("snow-forest.jpg", "image/jpeg", 50usize),
        ("snow.txt", "text/plain", 50),
        ("forest-small.jpg", "image/jpeg", 5),
        ("beach.jpg", "image/jpeg", 50),
    ] {
        c.put_object()
            .bucket("mq-sem")
            .key(key)
            .content_type(ct)
            .body(vec![b'y'; size])
            .send()
            .await
            .unwrap();
    }
    c.open_meta_query()
        .bucket("mq-sem")
        .mode(MetaQueryMode::Semantic)
        .send()
        .await
        .unwrap();
    let mut q = meta_query("Snow forest");
    q.media_types = vec!["image".to_owned()];
    let out = c
        .do_meta_query()
        .bucket("mq-sem")
        .mode(MetaQueryMode::Semantic)
        .body(q.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(filenames(&out), ["snow-forest.jpg", "forest-small.jpg"]);
    q.simple_query = Some(r#"{"Operation":"gt","Field":"Size","Value":"30"}"#.to_owned());
    let out = c
        .do_meta_query()
        .bucket("mq-sem")
        .mode(MetaQueryMode::Semantic)
        .body(q)
        .send()
        .await
        .unwrap();
    assert_eq!(filenames(&out), ["snow-forest.jpg"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_query_index_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let emu = Emulator::start(config().data_dir(dir.path())).unwrap();
        let c = sdk_client_one_attempt(&emu);
        c.put_bucket().bucket("mq-keep").send().await.unwrap();
        c.put_object()
            .bucket("mq-keep")
            .key("k1")
            .body("abc")
            .send()
            .await
            .unwrap();
        c.open_meta_query().bucket("mq-keep").send().await.unwrap();
        emu.stop();
    }
    let emu = Emulator::start(config().data_dir(dir.path())).unwrap();
    let c = sdk_client_one_attempt(&emu);
    let st = c
        .get_meta_query_status()
        .bucket("mq-keep")
        .send()
        .await
        .unwrap();
    assert_eq!(st.state.as_deref(), Some("Running"));
    let out = c
        .do_meta_query()
        .bucket("mq-keep")
        .body(meta_query(
            r#"{"Field":"Size","Value":"3","Operation":"eq"}"#,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(filenames(&out), ["k1"]);
}

fn process_config(function: &str, features: &[&str]) -> oss_model::ObjectProcessConfiguration {
    oss_model::ObjectProcessConfiguration {
        allowed_features: features.iter().map(|f| (*f).to_owned()).collect(),
        transformation_configurations: vec![oss_model::ObjectProcessTransformation {
            actions: vec!["GetObject".to_owned()],
            content_transformation: Some(oss_model::ObjectProcessContentTransformation {
                function_compute: Some(oss_model::ObjectProcessFunctionCompute {
                    function_assume_role_arn: Some(format!(
                        "acs:ram::{ACCOUNT}:role/aliyunfcdefaultrole"
                    )),
                    function_arn: Some(format!(
                        "acs:fc:cn-hangzhou:{ACCOUNT}:services/svc.LATEST/functions/{function}"
                    )),
                }),
                additional_features: Some(oss_model::ObjectProcessAdditionalFeatures {
                    custom_forward_headers: vec!["x-custom".to_owned()],
                }),
            }),
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_fc_access_points_round_trip() {
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    c.put_bucket().bucket("fc-bucket").send().await.unwrap();
    c.create_access_point()
        .bucket("fc-bucket")
        .body(ap_config("ap-fc", None))
        .send()
        .await
        .unwrap();
    let create = |name: &str, ap: &str, config: oss_model::ObjectProcessConfiguration| {
        c.create_access_point_for_object_process()
            .bucket("fc-bucket")
            .access_point_for_object_process_name(name)
            .body(oss_model::CreateAccessPointForObjectProcessConfiguration {
                access_point_name: ap.to_owned(),
                object_process_configuration: config,
                allow_anonymous_access_for_object_process: Some("false".to_owned()),
            })
            .send()
    };
    let (code, status) = failure(
        c.get_access_point_for_object_process()
            .bucket("fc-bucket")
            .access_point_for_object_process_name("fc-ap-01")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), status),
        ("NoSuchAccessPointForObjectProcess", 404)
    );
    // Built on an access point of the bucket.
    let (code, _) = failure(create("fc-ap-01", "ap-none", process_config("f1", &[])).await);
    assert_eq!(code, "NoSuchAccessPoint");
    let created = create(
        "fc-ap-01",
        "ap-fc",
        process_config("f1", &["GetObject-Range"]),
    )
    .await
    .unwrap();
    assert_eq!(
        created.access_point_for_object_process_arn.as_deref(),
        Some(
            format!("acs:oss:cn-hangzhou:{ACCOUNT}:accesspointforobjectprocess/fc-ap-01").as_str()
        )
    );
    let alias = created
        .access_point_for_object_process_alias
        .clone()
        .unwrap();
    assert!(
        alias.starts_with("fc-ap-01-")
            && alias.ends_with("-opapalias")
            && alias.len() == 9 + 32 + 10,
        "{alias}"
    );
    let (code, status) = failure(create("fc-ap-01", "ap-fc", process_config("f1", &[])).await);
    assert_eq!(
        (code.as_str(), status),
        ("AccessPointForObjectProcessAlreadyExists", 409)
    );
    let mut bad = process_config("f1", &[]);
    bad.transformation_configurations[0].actions = vec!["PutObject".to_owned()];
    let (code, _) = failure(create("fc-ap-02", "ap-fc", bad).await);
    assert_eq!(code, "InvalidArgument");
    let (code, _) = failure(create("FC_bad", "ap-fc", process_config("f1", &[])).await);
    assert_eq!(code, "InvalidArgument");

    let got = c
        .get_access_point_for_object_process()
        .bucket("fc-bucket")
        .access_point_for_object_process_name("fc-ap-01")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.access_point_name_for_object_process.as_deref(),
        Some("fc-ap-01")
    );
    assert_eq!(
        got.access_point_for_object_process_alias.as_deref(),
        Some(alias.as_str())
    );
    assert_eq!(got.access_point_name.as_deref(), Some("ap-fc"));
    assert_eq!(got.account_id.as_deref(), Some(ACCOUNT));
    assert_eq!(
        got.access_point_for_object_process_arn,
        created.access_point_for_object_process_arn
    );
    assert_eq!(got.status.as_deref(), Some("enable"));
    assert_eq!(
        got.allow_anonymous_access_for_object_process.as_deref(),
        Some("false")
    );
    assert!(got.creation_date.unwrap().parse::<i64>().is_ok());

    // The processing setup, as created, then as put.
    let config = c
        .get_access_point_config_for_object_process()
        .bucket("fc-bucket")
        .access_point_for_object_process_name("fc-ap-01")
        .send()
        .await
        .unwrap();
    assert_eq!(
        config.object_process_configuration,
        Some(process_config("f1", &["GetObject-Range"]))
    );
    c.put_access_point_config_for_object_process()
        .bucket("fc-bucket")
        .access_point_for_object_process_name("fc-ap-01")
        .body(
            oss_model::PutAccessPointConfigForObjectProcessConfiguration {
                object_process_configuration: process_config("f2", &[]),
                public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                    block_public_access: true,
                }),
                allow_anonymous_access_for_object_process: Some("true".to_owned()),
            },
        )
        .send()
        .await
        .unwrap();
    let config = c
        .get_access_point_config_for_object_process()
        .bucket("fc-bucket")
        .access_point_for_object_process_name("fc-ap-01")
        .send()
        .await
        .unwrap();
    assert_eq!(
        config.object_process_configuration,
        Some(process_config("f2", &[]))
    );
    assert_eq!(
        config.public_access_block_configuration,
        Some(PublicAccessBlockConfiguration {
            block_public_access: true
        })
    );
    assert_eq!(
        config.allow_anonymous_access_for_object_process.as_deref(),
        Some("true")
    );

    // Policy.
    let (code, _) = failure(
        c.get_access_point_policy_for_object_process()
            .bucket("fc-bucket")
            .access_point_for_object_process_name("fc-ap-01")
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchAccessPointPolicyForObjectProcess");
    let policy = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],"Principal":["*"],"Resource":["*"]}]}"#;
    c.put_access_point_policy_for_object_process()
        .bucket("fc-bucket")
        .access_point_for_object_process_name("fc-ap-01")
        .body(policy)
        .send()
        .await
        .unwrap();
    let got = c
        .get_access_point_policy_for_object_process()
        .bucket("fc-bucket")
        .access_point_for_object_process_name("fc-ap-01")
        .send()
        .await
        .unwrap();
    assert_eq!(got.body, policy);
    let (code, _) = failure(
        c.put_access_point_policy_for_object_process()
            .bucket("fc-bucket")
            .access_point_for_object_process_name("fc-ap-01")
            .body("{}")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidPolicyDocument");
    c.delete_access_point_policy_for_object_process()
        .bucket("fc-bucket")
        .access_point_for_object_process_name("fc-ap-01")
        .send()
        .await
        .unwrap();
    let (code, _) = failure(
        c.get_access_point_policy_for_object_process()
            .bucket("fc-bucket")
            .access_point_for_object_process_name("fc-ap-01")
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchAccessPointPolicyForObjectProcess");

    // Listing, paged.
    create("fc-ap-00", "ap-fc", process_config("f0", &[]))
        .await
        .unwrap();
    let page = c
        .list_access_points_for_object_process()
        .max_keys(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.is_truncated, Some(true));
    assert_eq!(page.account_id.as_deref(), Some(ACCOUNT));
    assert_eq!(page.access_points_for_object_process.len(), 1);
    let first = &page.access_points_for_object_process[0];
    assert_eq!(
        first.access_point_name_for_object_process.as_deref(),
        Some("fc-ap-00")
    );
    assert_eq!(first.access_point_name.as_deref(), Some("ap-fc"));
    let page2 = c
        .list_access_points_for_object_process()
        .max_keys(1)
        .continuation_token(page.next_continuation_token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page2.is_truncated, Some(false));
    let second = &page2.access_points_for_object_process[0];
    assert_eq!(
        second.access_point_name_for_object_process.as_deref(),
        Some("fc-ap-01")
    );
    assert_eq!(
        second.access_point_for_object_process_alias.as_deref(),
        Some(alias.as_str())
    );
    assert_eq!(
        second.allow_anonymous_access_for_object_process.as_deref(),
        Some("true")
    );

    c.delete_access_point_for_object_process()
        .bucket("fc-bucket")
        .access_point_for_object_process_name("fc-ap-01")
        .send()
        .await
        .unwrap();
    let (code, _) = failure(
        c.delete_access_point_for_object_process()
            .bucket("fc-bucket")
            .access_point_for_object_process_name("fc-ap-01")
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchAccessPointForObjectProcess");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_get_object_response_is_stored_as_received() {
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    assert!(
        emu.written_get_object_response("route-1", "token-1")
            .is_none()
    );
    c.write_get_object_response()
        .request_route("route-1")
        .request_token("token-1")
        .fwd_status("206")
        .fwd_header_content_type("text/plain")
        .fwd_header_etag("\"abc\"")
        .fwd_header_content_range("bytes 0-4/10")
        .body("hello")
        .send()
        .await
        .unwrap();
    let written = emu
        .written_get_object_response("route-1", "token-1")
        .unwrap();
    assert_eq!(written.status, 206);
    assert_eq!(written.body, b"hello");
    assert_eq!(
        written.headers,
        [
            ("Content-Range".to_owned(), "bytes 0-4/10".to_owned()),
            ("Content-Type".to_owned(), "text/plain".to_owned()),
            ("ETag".to_owned(), "\"abc\"".to_owned())
        ]
    );
    assert!(
        emu.written_get_object_response("route-1", "token-2")
            .is_none()
    );
    let (code, status) = failure(
        c.write_get_object_response()
            .request_route("route-1")
            .request_token("token-3")
            .fwd_status("two hundred")
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("InvalidArgument", 400));
    assert!(
        emu.written_get_object_response("route-1", "token-3")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_point_alias_reaches_the_bucket_subject_to_its_policy() {
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    c.put_bucket().bucket("alias-bucket").send().await.unwrap();
    let alias = c
        .create_access_point()
        .bucket("alias-bucket")
        .body(ap_config("ap-alias", None))
        .send()
        .await
        .unwrap()
        .alias
        .unwrap();
    // Written through the alias, read through the bucket, and the other way round.
    c.put_object()
        .bucket(alias.clone())
        .key("via-alias.txt")
        .body("through the access point")
        .send()
        .await
        .unwrap();
    let (_, body) = c
        .get_object()
        .bucket("alias-bucket")
        .key("via-alias.txt")
        .send()
        .await
        .unwrap();
    let data = body.collect().await.unwrap();
    assert_eq!(&data[..], b"through the access point");
    c.put_object()
        .bucket("alias-bucket")
        .key("direct.txt")
        .body("direct")
        .send()
        .await
        .unwrap();
    let listed = c
        .list_objects_v2()
        .bucket(alias.clone())
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = listed.contents.iter().map(|o| o.key.clone()).collect();
    assert_eq!(keys, ["direct.txt", "via-alias.txt"]);
    // Bucket management does not go through an access point.
    let (code, status) = failure(c.get_bucket_acl().bucket(alias.clone()).send().await);
    assert_eq!((code.as_str(), status), ("AccessDenied", 403));

    // A policy denying PutObject through the access point: writes through the alias are
    // refused, reads still pass, and the bucket itself is unaffected.
    let policy = format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Deny","Action":["oss:PutObject"],"Principal":["*"],"Resource":["acs:oss:cn-hangzhou:{ACCOUNT}:accesspoint/ap-alias/object/*"]}}]}}"#
    );
    c.put_access_point_policy()
        .bucket("alias-bucket")
        .access_point_name("ap-alias")
        .body(policy)
        .send()
        .await
        .unwrap();
    let (code, status) = failure(
        c.put_object()
            .bucket(alias.clone())
            .key("denied.txt")
            .body("no")
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("AccessDenied", 403));
    c.head_object()
        .bucket(alias.clone())
        .key("direct.txt")
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("alias-bucket")
        .key("allowed.txt")
        .body("yes")
        .send()
        .await
        .unwrap();
    let (code, _) = failure(
        c.head_object()
            .bucket("alias-bucket")
            .key("denied.txt")
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchKey");
    // Once the access point is deleted its alias names nothing.
    c.delete_access_point()
        .bucket("alias-bucket")
        .access_point_name("ap-alias")
        .send()
        .await
        .unwrap();
    let (code, _) = failure(c.get_object().bucket(alias).key("direct.txt").send().await);
    assert_eq!(code, "NoSuchBucket");
}

/// ListAccessPoints sent to a bucket (`GET /bucket?accessPoint` without
/// `x-oss-access-point-name`, as the official Python and Go SDKs send it when given a bucket)
/// lists that bucket's access points; with the header it stays GetAccessPoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_access_points_sent_to_a_bucket_lists_that_buckets() {
    let emu = emulator();
    let c = sdk_client_one_attempt(&emu);
    for bucket in ["lap-one", "lap-two"] {
        c.put_bucket().bucket(bucket).send().await.unwrap();
    }
    for (bucket, name) in [
        ("lap-one", "ap-b"),
        ("lap-two", "ap-a"),
        ("lap-one", "ap-c"),
    ] {
        c.create_access_point()
            .bucket(bucket)
            .body(ap_config(name, None))
            .send()
            .await
            .unwrap();
    }
    let raw = oss_tests::Client::new(&emu);
    let listed = raw.get("/lap-one").subresource("accessPoint").send();
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.xml_all("AccessPointName"), ["ap-b", "ap-c"]);
    assert_eq!(listed.xml("IsTruncated").as_deref(), Some("false"));
    let paged = raw
        .get("/lap-one")
        .subresource("accessPoint")
        .query("max-keys", Some("1"))
        .send();
    assert_eq!(paged.xml_all("AccessPointName"), ["ap-b"]);
    assert_eq!(paged.xml("NextContinuationToken").as_deref(), Some("ap-b"));
    let one = raw
        .get("/lap-one")
        .subresource("accessPoint")
        .header("x-oss-access-point-name", "ap-c")
        .send();
    assert_eq!(one.status, 200, "{}", one.text());
    assert_eq!(one.xml("AccessPointName").as_deref(), Some("ap-c"));
    assert_eq!(one.xml("Bucket").as_deref(), Some("lap-one"));
    let missing = raw.get("/lap-missing").subresource("accessPoint").send();
    assert_eq!(missing.code().as_deref(), Some("NoSuchBucket"));
}
