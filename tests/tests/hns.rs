//! The hierarchical namespace through the client: buckets created with `x-oss-hns-status`,
//! CreateDirectory, Rename of objects and whole directories, DeleteDirectory (empty, and
//! recursive with its continuation token), OSS's errors, and state across a restart.
#![allow(clippy::unwrap_used)]

use oss_client::Client;
use oss_emulator::{Emulator, EmulatorConfig};
use oss_tests::{sdk_client, service_code};

const AK: &str = "hns-test-ak";
const SK: &str = "hns-test-sk";
/// Entries one recursive DeleteDirectory call removes (the emulator's batch).
const BATCH: i64 = 100;

async fn hns_bucket(c: &Client, name: &str) {
    c.put_bucket()
        .bucket(name)
        .hns_status("enabled")
        .send()
        .await
        .unwrap();
}

async fn put(c: &Client, bucket: &str, key: &str, body: &str) {
    c.put_object()
        .bucket(bucket)
        .key(key)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
}

async fn read(c: &Client, bucket: &str, key: &str) -> Result<String, (u16, String)> {
    match c.get_object().bucket(bucket).key(key).send().await {
        Ok((_, body)) => Ok(String::from_utf8(body.collect().await.unwrap().to_vec()).unwrap()),
        Err(e) => Err(service_code(&e)),
    }
}

async fn keys(c: &Client, bucket: &str) -> Vec<String> {
    let out = c
        .list_objects_v2()
        .bucket(bucket)
        .max_keys(1000)
        .send()
        .await
        .unwrap();
    out.contents.into_iter().map(|o| o.key).collect()
}

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new(AK, SK)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_info_reports_the_namespace_and_flat_buckets_refuse_directory_operations() {
    let emu = emulator();
    let c = sdk_client(&emu);
    hns_bucket(&c, "tree").await;
    c.put_bucket().bucket("flat").send().await.unwrap();
    let info = c.get_bucket_info().bucket("tree").send().await.unwrap();
    assert_eq!(
        info.bucket.hierarchical_namespace.as_deref(),
        Some("Enabled")
    );
    let info = c.get_bucket_info().bucket("flat").send().await.unwrap();
    assert_eq!(
        info.bucket.hierarchical_namespace.as_deref(),
        Some("Disabled")
    );

    let refused = (400, "OperationNotSupported".to_owned());
    let err = c
        .create_directory()
        .bucket("flat")
        .key("a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), refused);
    put(&c, "flat", "x", "data").await;
    let err = c
        .rename()
        .bucket("flat")
        .key("y")
        .rename_source("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), refused);
    assert_eq!(read(&c, "flat", "x").await.unwrap(), "data");
    let err = c
        .delete_directory()
        .bucket("flat")
        .key("a")
        .delete_recursive(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), refused);

    let err = c
        .put_bucket()
        .bucket("odd")
        .hns_status("sometimes")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (400, "InvalidArgument".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_directory_makes_parents_and_refuses_a_file_in_the_way() {
    let emu = emulator();
    let c = sdk_client(&emu);
    hns_bucket(&c, "tree").await;
    c.create_directory()
        .bucket("tree")
        .key("desktop/oss/logs")
        .send()
        .await
        .unwrap();
    assert_eq!(
        keys(&c, "tree").await,
        ["desktop", "desktop/oss", "desktop/oss/logs"]
    );
    let head = c
        .head_object()
        .bucket("tree")
        .key("desktop/oss")
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.content_type.as_deref(),
        Some("application/x-directory")
    );
    assert_eq!(head.content_length, Some(0));
    // Again: nothing changes.
    c.create_directory()
        .bucket("tree")
        .key("desktop/oss")
        .send()
        .await
        .unwrap();
    assert_eq!(keys(&c, "tree").await.len(), 3);

    put(&c, "tree", "desktop/note", "text").await;
    for path in ["desktop/note", "desktop/note/sub"] {
        let err = c
            .create_directory()
            .bucket("tree")
            .key(path)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            service_code(&err),
            (409, "FileAlreadyExists".to_owned()),
            "{path}"
        );
    }
    assert_eq!(read(&c, "tree", "desktop/note").await.unwrap(), "text");
    let err = c
        .create_directory()
        .bucket("tree")
        .key("a//b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (400, "InvalidArgument".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_moves_objects_and_whole_directories() {
    let emu = emulator();
    let c = sdk_client(&emu);
    hns_bucket(&c, "tree").await;
    c.create_directory()
        .bucket("tree")
        .key("src/deep")
        .send()
        .await
        .unwrap();
    put(&c, "tree", "src/a.txt", "alpha").await;
    put(&c, "tree", "src/deep/b.txt", "beta").await;
    put(&c, "tree", "srcfile", "not under src/").await;
    c.put_object()
        .bucket("tree")
        .key("lonely")
        .content_type("text/plain")
        .metadata([("owner".to_owned(), "ann".to_owned())].into())
        .body("one file")
        .send()
        .await
        .unwrap();

    // An object: data and metadata move, the source is gone.
    c.rename()
        .bucket("tree")
        .key("alone")
        .rename_source("lonely")
        .send()
        .await
        .unwrap();
    assert_eq!(read(&c, "tree", "alone").await.unwrap(), "one file");
    assert_eq!(
        read(&c, "tree", "lonely").await,
        Err((404, "NoSuchKey".into()))
    );
    let head = c
        .head_object()
        .bucket("tree")
        .key("alone")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type.as_deref(), Some("text/plain"));
    assert_eq!(head.metadata.get("owner").map(String::as_str), Some("ann"));

    // A directory: it and everything under it, not the sibling sharing its prefix.
    c.rename()
        .bucket("tree")
        .key("dst")
        .rename_source("src")
        .send()
        .await
        .unwrap();
    assert_eq!(
        keys(&c, "tree").await,
        [
            "alone",
            "dst",
            "dst/a.txt",
            "dst/deep",
            "dst/deep/b.txt",
            "srcfile"
        ]
    );
    assert_eq!(read(&c, "tree", "dst/deep/b.txt").await.unwrap(), "beta");
    assert_eq!(read(&c, "tree", "dst/a.txt").await.unwrap(), "alpha");
    assert_eq!(read(&c, "tree", "srcfile").await.unwrap(), "not under src/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_refuses_existing_targets_missing_sources_and_missing_parents() {
    let emu = emulator();
    let c = sdk_client(&emu);
    hns_bucket(&c, "tree").await;
    for dir in ["one", "two"] {
        c.create_directory()
            .bucket("tree")
            .key(dir)
            .send()
            .await
            .unwrap();
    }
    put(&c, "tree", "one/x", "in one").await;
    put(&c, "tree", "file", "a file").await;
    let rename = |src: &'static str, dst: &'static str| {
        let c = c.clone();
        async move {
            c.rename()
                .bucket("tree")
                .key(dst)
                .rename_source(src)
                .send()
                .await
        }
    };
    let exists = (409, "FileAlreadyExists".to_owned());
    // Onto an existing directory, and onto an existing object.
    assert_eq!(
        service_code(&rename("one", "two").await.unwrap_err()),
        exists
    );
    assert_eq!(
        service_code(&rename("file", "two").await.unwrap_err()),
        exists
    );
    assert_eq!(
        service_code(&rename("one", "file").await.unwrap_err()),
        exists
    );
    assert_eq!(
        service_code(&rename("file", "one/x").await.unwrap_err()),
        exists
    );
    // A missing source; a destination whose parent does not exist.
    assert_eq!(
        service_code(&rename("nothing", "elsewhere").await.unwrap_err()),
        (404, "NoSuchKey".to_owned())
    );
    assert_eq!(
        service_code(&rename("file", "no/such/parent").await.unwrap_err()),
        (404, "NoSuchKey".to_owned())
    );
    // A directory into itself.
    assert_eq!(
        service_code(&rename("one", "one/inner").await.unwrap_err()),
        (400, "InvalidArgument".to_owned())
    );
    // Nothing moved.
    assert_eq!(keys(&c, "tree").await, ["file", "one", "one/x", "two"]);
    assert_eq!(read(&c, "tree", "one/x").await.unwrap(), "in one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_directory_empty_then_recursive_with_continuation() {
    let emu = emulator();
    let c = sdk_client(&emu);
    hns_bucket(&c, "tree").await;
    c.create_directory()
        .bucket("tree")
        .key("empty")
        .send()
        .await
        .unwrap();
    let out = c
        .delete_directory()
        .bucket("tree")
        .key("empty")
        .send()
        .await
        .unwrap();
    assert_eq!(out.directory_name.as_deref(), Some("empty"));
    assert_eq!(out.delete_number, Some(1));
    assert_eq!(out.next_delete_token, None);
    let err = c
        .delete_directory()
        .bucket("tree")
        .key("empty")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (404, "NoSuchKey".to_owned()));

    // 130 objects in two subdirectories plus the directories: 133 entries.
    c.create_directory()
        .bucket("tree")
        .key("big/a")
        .send()
        .await
        .unwrap();
    c.create_directory()
        .bucket("tree")
        .key("big/b")
        .send()
        .await
        .unwrap();
    for i in 0..65 {
        put(&c, "tree", &format!("big/a/{i:03}"), "a").await;
        put(&c, "tree", &format!("big/b/{i:03}"), "b").await;
    }
    put(&c, "tree", "bigger", "a sibling that stays").await;
    let err = c
        .delete_directory()
        .bucket("tree")
        .key("big")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (409, "DirectoryNotEmpty".to_owned()));
    let err = c
        .delete_directory()
        .bucket("tree")
        .key("bigger")
        .delete_recursive(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (400, "InvalidArgument".to_owned()));

    let first = c
        .delete_directory()
        .bucket("tree")
        .key("big")
        .delete_recursive(true)
        .send()
        .await
        .unwrap();
    assert_eq!(first.delete_number, Some(BATCH));
    let token = first
        .next_delete_token
        .clone()
        .expect("a continuation token");
    // Something is left, and the directory still exists until the last call.
    assert_eq!(keys(&c, "tree").await.len(), 133 + 1 - 100);
    assert!(keys(&c, "tree").await.contains(&"big".to_owned()));
    let second = c
        .delete_directory()
        .bucket("tree")
        .key("big")
        .delete_recursive(true)
        .delete_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(second.delete_number, Some(133 - BATCH));
    assert_eq!(second.next_delete_token, None);
    assert_eq!(keys(&c, "tree").await, ["bigger"]);
    assert_eq!(
        read(&c, "tree", "bigger").await.unwrap(),
        "a sibling that stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_namespace_and_renames_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || EmulatorConfig::new(AK, SK).data_dir(dir.path());
    {
        let emu = Emulator::start(config()).unwrap();
        let c = sdk_client(&emu);
        hns_bucket(&c, "tree").await;
        put(&c, "tree", "d/x", "kept").await;
        c.rename()
            .bucket("tree")
            .key("e")
            .rename_source("d")
            .send()
            .await
            .unwrap();
    }
    let emu = Emulator::start(config()).unwrap();
    let c = sdk_client(&emu);
    assert_eq!(keys(&c, "tree").await, ["e/x"]);
    assert_eq!(read(&c, "tree", "e/x").await.unwrap(), "kept");
    c.create_directory()
        .bucket("tree")
        .key("e/y")
        .send()
        .await
        .unwrap();
}
