//! `sync` (both directions, twice, `--delete`, `--dry-run`, `--backup-dir`) and `check` against
//! the emulator.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{World, bytes, write};

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn sync_up_twice_then_with_delete_and_dry_run() {
    let w = World::new();
    w.mb("site");
    let src = w.path("src");
    write(&src.join("index.html"), b"<h1>hi</h1>");
    write(&src.join("css/site.css"), b"body{}");
    write(&src.join("img/logo ü.png"), &bytes(200 * 1024, 1));
    write(&src.join("empty"), b"");
    let sync = |extra: &[&str]| {
        let mut args = vec!["--output-format", "json", "sync"];
        args.extend_from_slice(extra);
        args.push(src.to_str().unwrap());
        args.push("oss://site/www");
        w.run(&args)
    };

    let r = sync(&[]).ok().json();
    assert_eq!(
        (r["copied"].as_u64(), r["skipped"].as_u64()),
        (Some(4), Some(0))
    );
    assert_eq!(
        sorted(w.keys("site")),
        [
            "www/css/site.css",
            "www/empty",
            "www/img/logo ü.png",
            "www/index.html"
        ]
    );
    // The second run copies nothing.
    let r = sync(&[]).ok().json();
    assert_eq!(
        (r["copied"].as_u64(), r["skipped"].as_u64()),
        (Some(0), Some(4))
    );

    // A changed size is copied; the same size with a newer time too; an untouched file not.
    // (OSS keeps whole seconds: edit a second later than the upload, as a person would.)
    std::thread::sleep(Duration::from_millis(1100));
    write(&src.join("index.html"), b"<h1>hello</h1>");
    write(&src.join("css/site.css"), b"html{}");
    let r = sync(&[]).ok().json();
    assert_eq!(
        (r["copied"].as_u64(), r["skipped"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(w.get("site", "www/index.html").unwrap(), b"<h1>hello</h1>");
    assert_eq!(w.get("site", "www/css/site.css").unwrap(), b"html{}");

    // --delete removes what the source no longer has; --dry-run changes nothing.
    std::fs::remove_file(src.join("empty")).unwrap();
    write(&src.join("new.txt"), b"new");
    let r = w
        .run(&[
            "sync",
            "--delete",
            "--dry-run",
            src.to_str().unwrap(),
            "oss://site/www/",
        ])
        .ok();
    assert!(
        r.stdout.contains("would delete oss://site/www/empty"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("would copy"), "{}", r.stdout);
    assert!(r.stdout.contains("new.txt"), "{}", r.stdout);
    assert!(r.stdout.contains("1 to copy, 1 to delete"), "{}", r.stdout);
    assert!(w.get("site", "www/empty").is_some() && w.get("site", "www/new.txt").is_none());

    let r = sync(&["--delete"]).ok().json();
    assert_eq!(r["copied"], 1);
    assert_eq!(r["deleted"], 1);
    assert_eq!(
        sorted(w.keys("site")),
        [
            "www/css/site.css",
            "www/img/logo ü.png",
            "www/index.html",
            "www/new.txt"
        ]
    );
    // Excluded files are neither copied nor deleted.
    let r = sync(&["--delete", "--exclude", "*.txt"]).ok().json();
    assert_eq!(
        (r["copied"].as_u64(), r["deleted"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(w.get("site", "www/new.txt").is_some());
    let r = sync(&[]).ok().json();
    assert_eq!(r["copied"], 0, "nothing left to do");
}

#[test]
fn sync_down_with_backup_dir_and_check_finds_differences() {
    let w = World::new();
    w.mb("data");
    w.put("data", "set/a.csv", b"1,2,3\n");
    w.put("data", "set/sub/b.csv", b"4,5,6\n");
    w.put("data", "set/sub/empty.csv", b"");
    let local = w.path("local");
    let backup = w.path("backup");

    let r = w
        .run(&[
            "--output-format",
            "json",
            "sync",
            "oss://data/set/",
            local.to_str().unwrap(),
        ])
        .ok()
        .json();
    assert_eq!(r["copied"], 3);
    assert_eq!(std::fs::read(local.join("sub/b.csv")).unwrap(), b"4,5,6\n");
    let r = w
        .run(&[
            "--output-format",
            "json",
            "sync",
            "oss://data/set/",
            local.to_str().unwrap(),
        ])
        .ok()
        .json();
    assert_eq!(
        (r["copied"].as_u64(), r["skipped"].as_u64()),
        (Some(0), Some(3))
    );

    // check: identical.
    let r = w
        .run(&["check", local.to_str().unwrap(), "oss://data/set/"])
        .ok();
    assert!(
        r.stdout.contains("checked 3 path(s): 0 differ"),
        "{}",
        r.stdout
    );

    // The same size, other bytes: only the CRC-64 tells; a local-only and a remote-only file.
    write(&local.join("a.csv"), b"9,9,9\n");
    write(&local.join("local-only.txt"), b"x");
    w.put("data", "set/remote-only.txt", b"y");
    write(&local.join("sub/b.csv"), b"4,5,6,7\n");
    let r = w
        .run(&[
            "--output-format",
            "json",
            "check",
            local.to_str().unwrap(),
            "oss://data/set",
        ])
        .expect(4);
    let doc = r.json();
    assert_eq!(doc["differ"], 4, "{doc}");
    let by_path: std::collections::BTreeMap<String, String> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap().to_string(),
                i["difference"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(by_path["a.csv"].contains("CRC-64 differs"), "{by_path:?}");
    assert!(by_path["sub/b.csv"].contains("size differs"), "{by_path:?}");
    assert_eq!(by_path["local-only.txt"], "missing in OSS");
    assert_eq!(by_path["remote-only.txt"], "missing locally");
    assert!(!by_path.contains_key("sub/empty.csv"));
    // --size-only does not see the CRC-64 difference.
    let r = w
        .run(&[
            "check",
            "--size-only",
            local.to_str().unwrap(),
            "oss://data/set/",
        ])
        .expect(4);
    assert!(r.stdout.contains("3 differ"), "{}", r.stdout);
    assert!(r.stderr.contains("3 path(s) differ"), "{}", r.stderr);
    assert!(!r.stdout.contains("a.csv"), "{}", r.stdout);

    // sync down again with --delete and --backup-dir: replaced and deleted files are kept.
    // a.csv changed in OSS as well.
    w.put("data", "set/a.csv", b"1,2,3,4\n");
    let r = w
        .run(&[
            "--output-format",
            "json",
            "sync",
            "--delete",
            "--backup-dir",
            backup.to_str().unwrap(),
            "oss://data/set/",
            local.to_str().unwrap(),
        ])
        .ok()
        .json();
    assert_eq!(r["copied"], 3, "{r}"); // a.csv, sub/b.csv, remote-only.txt
    assert_eq!(r["deleted"], 1, "{r}");
    assert_eq!(std::fs::read(local.join("a.csv")).unwrap(), b"1,2,3,4\n");
    assert_eq!(std::fs::read(backup.join("a.csv")).unwrap(), b"9,9,9\n");
    assert_eq!(
        std::fs::read(backup.join("sub/b.csv")).unwrap(),
        b"4,5,6,7\n"
    );
    assert_eq!(std::fs::read(backup.join("local-only.txt")).unwrap(), b"x");
    assert!(!local.join("local-only.txt").exists());
    w.run(&["check", local.to_str().unwrap(), "oss://data/set/"])
        .ok();

    // A backup folder inside the destination is refused.
    w.run(&[
        "sync",
        "--backup-dir",
        local.join("bak").to_str().unwrap(),
        "oss://data/set/",
        local.to_str().unwrap(),
    ])
    .expect(1);
}
