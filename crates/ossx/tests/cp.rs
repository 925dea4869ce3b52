//! `cp` against the emulator: trees up, down and across, single objects, standard input and
//! output, skip rules, object settings, partial failures (exit 4), a killed upload and a killed
//! copy between buckets resumed.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use common::{World, bytes, write};

/// Every file under `root`, by `/`-separated relative path.
fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A tree with nested folders, unicode and space-containing names, empty files and a 100 MiB
/// file.
fn make_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("a.txt", b"hello ossx\n".to_vec()),
        ("empty", Vec::new()),
        ("nested/deeper/deepest/f.bin", bytes(300 * 1024 + 7, 1)),
        ("nested/deeper/empty too.txt", Vec::new()),
        (
            "ünïcødé/名前 with space.txt",
            "データ ✓".as_bytes().to_vec(),
        ),
        ("with space/and more spaces .md", b"# title".to_vec()),
        ("big/100MiB.bin", bytes(100 * 1024 * 1024, 2)),
    ];
    for (rel, data) in &files {
        write(&root.join(rel), data);
    }
    files.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[test]
fn recursive_copies_up_down_and_across_are_byte_identical() {
    let w = World::new();
    w.mb("src-bucket");
    w.mb("dst-bucket");
    let up = w.path("up");
    let tree = make_tree(&up);

    let r = w
        .run(&[
            "--output-format",
            "json",
            "cp",
            "-r",
            "-j",
            "4",
            "--parallel",
            "4",
            up.to_str().unwrap(),
            "oss://src-bucket/site/",
        ])
        .ok()
        .json();
    assert_eq!(r["copied"], tree.len());
    assert_eq!(r["failed"], 0);
    assert_eq!(r["bytes"], tree.values().map(Vec::len).sum::<usize>());
    let mut keys = w.keys("src-bucket");
    keys.sort();
    let want: Vec<String> = tree.keys().map(|k| format!("site/{k}")).collect();
    assert_eq!(keys, want);
    for (rel, data) in &tree {
        assert!(
            w.get("src-bucket", &format!("site/{rel}")).unwrap() == *data,
            "{rel} differs in OSS"
        );
    }
    // The 100 MiB file went up in parts (the default threshold is 100 MiB): a multipart ETag.
    let stat = w
        .run(&[
            "--output-format",
            "json",
            "stat",
            "oss://src-bucket/site/big/100MiB.bin",
        ])
        .ok()
        .json();
    assert!(
        stat["ETag"].as_str().unwrap().contains('-'),
        "{}",
        stat["ETag"]
    );
    // Guessed content types.
    let stat = w
        .run(&[
            "--output-format",
            "json",
            "stat",
            "oss://src-bucket/site/a.txt",
        ])
        .ok()
        .json();
    assert_eq!(stat["Content-Type"], "text/plain");

    // Down again, into a folder that does not exist yet.
    let down = w.path("down");
    let r = w
        .run(&["cp", "-r", "oss://src-bucket/site/", down.to_str().unwrap()])
        .ok();
    assert!(
        r.stdout.contains(&format!("copied {} file(s)", tree.len())),
        "{}",
        r.stdout
    );
    assert!(read_tree(&down) == tree, "the downloaded tree differs");
    // Downloaded files carry the objects' times, so `-u` skips them all.
    let r = w
        .run(&[
            "--output-format",
            "json",
            "cp",
            "-r",
            "-u",
            "oss://src-bucket/site/",
            down.to_str().unwrap(),
        ])
        .ok()
        .json();
    assert_eq!(r["copied"], 0);
    assert_eq!(r["skipped"], tree.len());

    // Across buckets, the big object in parts (UploadPartCopy) below a lowered threshold.
    let r = w
        .run(&[
            "--output-format",
            "json",
            "cp",
            "-r",
            "--bigfile-threshold",
            "50MiB",
            "--part-size",
            "16MiB",
            "oss://src-bucket/site/",
            "oss://dst-bucket/copy/",
        ])
        .ok()
        .json();
    assert_eq!(r["copied"], tree.len());
    for (rel, data) in &tree {
        assert!(
            w.get("dst-bucket", &format!("copy/{rel}")).unwrap() == *data,
            "{rel} differs after the copy"
        );
    }
    // Filters apply to trees: only *.txt at any depth.
    let r = w
        .run(&[
            "--output-format",
            "json",
            "cp",
            "-r",
            "--include",
            "*.txt",
            "--exclude",
            "*",
            up.to_str().unwrap(),
            "oss://dst-bucket/txt",
        ])
        .ok()
        .json();
    assert_eq!(r["copied"], 3);
    let mut txt: Vec<String> = w
        .keys("dst-bucket")
        .into_iter()
        .filter(|k| k.starts_with("txt/"))
        .collect();
    txt.sort();
    assert_eq!(
        txt,
        [
            "txt/a.txt",
            "txt/nested/deeper/empty too.txt",
            "txt/ünïcødé/名前 with space.txt"
        ]
    );
}

#[test]
fn empty_folders_going_up_and_folder_objects_coming_down() {
    let w = World::new();
    w.mb("dirs");
    let up = w.path("with-empties");
    write(&up.join("kept/file.txt"), b"data");
    std::fs::create_dir_all(up.join("empty")).unwrap();
    std::fs::create_dir_all(up.join("kept/empty inside/deeper")).unwrap();
    // Going up, an object is made for every file and none for a folder, empty or not.
    let r = w
        .run(&[
            "--output-format",
            "json",
            "cp",
            "-r",
            up.to_str().unwrap(),
            "oss://dirs/up/",
        ])
        .ok()
        .json();
    assert_eq!(r["copied"], 1, "{r}");
    assert_eq!(w.keys("dirs"), ["up/kept/file.txt"]);

    // Coming down, a folder object (`dir/`, as `mkdir` makes) becomes a local folder, empty
    // ones and nested ones included; it is not a file and is not counted as one.
    w.run(&["mkdir", "oss://dirs/down/solo"]).ok();
    w.run(&["mkdir", "oss://dirs/down/a/b/c"]).ok();
    w.put("dirs", "down/a/file.txt", b"inside");
    let down = w.path("down");
    let r = w
        .run(&[
            "--output-format",
            "json",
            "cp",
            "-r",
            "oss://dirs/down/",
            down.to_str().unwrap(),
        ])
        .ok()
        .json();
    assert_eq!(r["copied"], 1, "{r}");
    assert_eq!(r["failed"], 0, "{r}");
    assert!(down.join("solo").is_dir());
    assert_eq!(std::fs::read_dir(down.join("solo")).unwrap().count(), 0);
    assert!(down.join("a/b/c").is_dir());
    assert_eq!(std::fs::read(down.join("a/file.txt")).unwrap(), b"inside");
    assert_eq!(
        read_tree(&down).keys().collect::<Vec<_>>(),
        ["a/file.txt"],
        "only the object that is a file became a file"
    );
}

#[test]
fn single_objects_settings_stdio_and_skip_rules() {
    let w = World::new();
    w.mb("bkt");
    let file = w.path("report.json");
    write(&file, b"{\"ok\":true}");

    // A file to a "folder" keeps its name; settings pass through.
    w.run(&[
        "cp",
        file.to_str().unwrap(),
        "oss://bkt/docs/",
        "--metadata",
        "owner=ossx",
        "--metadata",
        "team=storage",
        "--acl",
        "public-read",
        "--storage-class",
        "IA",
        "--tagging",
        "k1=v1&k2=v2",
    ])
    .ok();
    let stat = w
        .run(&[
            "--output-format",
            "json",
            "stat",
            "oss://bkt/docs/report.json",
        ])
        .ok()
        .json();
    assert_eq!(stat["Content-Type"], "application/json");
    assert_eq!(stat["metadata"]["owner"], "ossx");
    assert_eq!(stat["metadata"]["team"], "storage");
    assert_eq!(stat["X-Oss-Storage-Class"], "IA");
    assert_eq!(stat["X-Oss-Tagging-Count"], "2");
    let acl = w
        .run(&[
            "--output-format",
            "json",
            "api",
            "GetObjectAcl",
            r#"{"bucket":"bkt","key":"docs/report.json"}"#,
        ])
        .ok()
        .json();
    assert!(acl.to_string().contains("public-read"), "{acl}");

    // An explicit key and content type; an object to another object and back to a file.
    w.run(&[
        "cp",
        file.to_str().unwrap(),
        "oss://bkt/renamed.bin",
        "--content-type",
        "application/x-test",
    ])
    .ok();
    let stat = w
        .run(&["--output-format", "json", "stat", "oss://bkt/renamed.bin"])
        .ok()
        .json();
    assert_eq!(stat["Content-Type"], "application/x-test");
    w.run(&["cp", "oss://bkt/renamed.bin", "oss://bkt/copies/"])
        .ok();
    assert_eq!(
        w.get("bkt", "copies/renamed.bin").unwrap(),
        b"{\"ok\":true}"
    );
    let out_dir = w.path("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    w.run(&[
        "cp",
        "oss://bkt/copies/renamed.bin",
        out_dir.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(
        std::fs::read(out_dir.join("renamed.bin")).unwrap(),
        b"{\"ok\":true}"
    );

    // Standard input (of unknown length, in parts) and standard output.
    let data = bytes(700 * 1024 + 3, 9);
    let mut child = w
        .cmd()
        .args(["cp", "-", "oss://bkt/stdin.bin", "--part-size", "256K"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&data).unwrap();
    }
    assert!(child.wait_with_output().unwrap().status.success());
    assert!(w.get("bkt", "stdin.bin").unwrap() == data);
    let r = w.run(&["cp", "oss://bkt/stdin.bin", "-"]).ok();
    assert!(r.raw_stdout == data);

    // Skip rules.
    let json_cp = |extra: &[&str], src: &Path, dest: &str| {
        let mut args = vec!["--output-format", "json", "cp"];
        args.extend_from_slice(extra);
        args.push(src.to_str().unwrap());
        args.push(dest);
        w.run(&args).ok().json()
    };
    let r = json_cp(&["--ignore-existing"], &file, "oss://bkt/docs/report.json");
    assert_eq!(
        (r["copied"].as_u64(), r["skipped"].as_u64()),
        (Some(0), Some(1))
    );
    // The same size, other bytes: --size-only skips, --checksum copies.
    write(&file, b"{\"ok\":null}");
    let r = json_cp(&["--size-only"], &file, "oss://bkt/docs/report.json");
    assert_eq!(r["skipped"], 1);
    assert_eq!(w.get("bkt", "docs/report.json").unwrap(), b"{\"ok\":true}");
    let r = json_cp(&["--checksum"], &file, "oss://bkt/docs/report.json");
    assert_eq!(r["copied"], 1);
    assert_eq!(w.get("bkt", "docs/report.json").unwrap(), b"{\"ok\":null}");
    let r = json_cp(&["--checksum"], &file, "oss://bkt/docs/report.json");
    assert_eq!(r["skipped"], 1, "same size and CRC-64");
    // -u: an older local file is skipped, a newer one copied.
    let old = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(old)
        .unwrap();
    write(&file, b"{\"ok\":\"newer\"}");
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let r = json_cp(&["-u"], &file, "oss://bkt/docs/report.json");
    assert_eq!(r["skipped"], 1);
    let future = SystemTime::now() + Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(future)
        .unwrap();
    let r = json_cp(&["-u"], &file, "oss://bkt/docs/report.json");
    assert_eq!(r["copied"], 1);
    assert_eq!(
        w.get("bkt", "docs/report.json").unwrap(),
        b"{\"ok\":\"newer\"}"
    );

    // Bad parameters: exit 1.
    w.run(&["cp", file.to_str().unwrap(), w.path("x").to_str().unwrap()])
        .expect(1);
    std::fs::create_dir_all(w.path("adir")).unwrap();
    let r = w
        .run(&["cp", w.path("adir").to_str().unwrap(), "oss://bkt/"])
        .expect(1);
    assert!(r.stderr.contains("-r"), "{}", r.stderr);
    w.run(&["cp", w.path("nothing").to_str().unwrap(), "oss://bkt/"])
        .expect(3);
    w.run(&[
        "cp",
        "--part-size",
        "1K",
        file.to_str().unwrap(),
        "oss://bkt/k",
    ])
    .expect(1);
    w.run(&["cp", "oss://bkt/", "-"]).expect(1);
    w.run(&["cp", "oss://bkt/missing", w.path("m").to_str().unwrap()])
        .expect(2);
}

#[test]
fn a_failing_object_does_not_stop_the_others_exit_4() {
    let w = World::new();
    w.mb("mixed");
    w.put("mixed", "ok/1.txt", b"one");
    w.put("mixed", "ok/2.txt", b"two");
    // A key that is a file and a folder at once: one of the two cannot be written locally.
    w.put("mixed", "clash", b"file");
    w.put("mixed", "clash/inner.txt", b"inner");
    // A key that would leave the destination folder is refused.
    w.put("mixed", "dots/../../escape.txt", b"nope");
    w.put("mixed", "ok/3.txt", b"three");

    let down = w.path("down");
    let r = w
        .run(&[
            "--output-format",
            "json",
            "cp",
            "-r",
            "oss://mixed/",
            down.to_str().unwrap(),
        ])
        .expect(4);
    let doc = r.json();
    assert_eq!(doc["failed"], 2, "{doc}");
    assert_eq!(doc["copied"], 4, "{doc}");
    let failures = doc["failures"].to_string();
    assert!(failures.contains("escape.txt"), "{failures}");
    assert!(failures.contains("clash"), "{failures}");
    assert!(r.stderr.contains("escape.txt"), "{}", r.stderr);
    for (name, data) in [("1.txt", "one"), ("2.txt", "two"), ("3.txt", "three")] {
        assert_eq!(
            std::fs::read(down.join("ok").join(name)).unwrap(),
            data.as_bytes()
        );
    }
    assert!(!w.path("escape.txt").exists() && !down.join("escape.txt").exists());
    // Text output lists the failures too.
    let r = w
        .run(&[
            "cp",
            "-r",
            "oss://mixed/",
            w.path("down2").to_str().unwrap(),
        ])
        .expect(4);
    assert!(r.stderr.contains("2 failed:"), "{}", r.stderr);
    assert!(r.stderr.contains("escape.txt"), "{}", r.stderr);
}

#[test]
fn a_killed_upload_resumes_from_its_checkpoint() {
    let w = World::new();
    w.mb("resume");
    let file = w.path("big.bin");
    let data = bytes(24 * 1024 * 1024, 5);
    write(&file, &data);
    let cp_dir = w.path("checkpoints");
    // Slow requests, one part at a time, so that the upload is killed half way.
    w.emulator
        .set_faults(oss_emulator::Faults::none().with_latency_ms(40));
    let args = [
        "--output-format",
        "json",
        "cp",
        file.to_str().unwrap(),
        "oss://resume/big.bin",
        "--bigfile-threshold",
        "1MiB",
        "--part-size",
        "512K",
        "--parallel",
        "1",
        "--checkpoint-dir",
        cp_dir.to_str().unwrap(),
    ];
    let mut child = w.cmd().args(args).spawn().unwrap();
    let parts_done = wait_for_checkpoint(&mut child, &cp_dir, "parts", 5);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        w.get("resume", "big.bin").is_none(),
        "killed before completing"
    );

    w.emulator.set_faults(oss_emulator::Faults::none());
    let r = w.run(&args).ok().json();
    assert_eq!(r["copied"], 1);
    let resumed = r["resumed_parts"].as_u64().unwrap();
    assert!(
        resumed as usize >= parts_done && resumed < 48,
        "resumed {resumed} parts, {parts_done} were done"
    );
    assert!(w.get("resume", "big.bin").unwrap() == data);
    assert!(!cp_dir.exists(), "the checkpoint is removed once done");
}

#[test]
fn a_killed_copy_between_buckets_resumes_from_its_checkpoint() {
    let w = World::new();
    w.mb("copy-from");
    w.mb("copy-to");
    let data = bytes(24 * 1024 * 1024, 6);
    w.put("copy-from", "dir/big.bin", &data);
    let cp_dir = w.path("checkpoints");
    // Slow requests, one part at a time, so that the copy is killed half way.
    w.emulator
        .set_faults(oss_emulator::Faults::none().with_latency_ms(40));
    let args = [
        "--output-format",
        "json",
        "cp",
        "oss://copy-from/dir/big.bin",
        "oss://copy-to/big-copy.bin",
        "--bigfile-threshold",
        "1MiB",
        "--part-size",
        "512K",
        "--parallel",
        "1",
        "--checkpoint-dir",
        cp_dir.to_str().unwrap(),
    ];
    let mut child = w.cmd().args(args).spawn().unwrap();
    let parts_done = wait_for_checkpoint(&mut child, &cp_dir, "parts", 5);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        w.get("copy-to", "big-copy.bin").is_none(),
        "killed before completing"
    );

    w.emulator.set_faults(oss_emulator::Faults::none());
    // A part in flight when the process died may still land; let it settle.
    std::thread::sleep(Duration::from_millis(300));
    w.emulator.take_requests();
    let r = w.run(&args).ok().json();
    assert_eq!(r["copied"], 1);
    let resumed = r["resumed_parts"].as_u64().unwrap();
    assert!(
        resumed as usize >= parts_done && resumed < 48,
        "resumed {resumed} parts, {parts_done} were done"
    );
    // Only the missing parts were copied again (UploadPartCopy), in the same upload.
    let requests = w.emulator.take_requests();
    let part_copies = requests
        .iter()
        .filter(|r| r.starts_with("PUT /copy-to/big-copy.bin?") && r.contains("partNumber="))
        .count();
    assert_eq!(part_copies as u64, 48 - resumed, "{requests:#?}");
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("POST ") && r.contains("uploads")),
        "a new multipart upload was started: {requests:#?}"
    );
    assert!(w.get("copy-to", "big-copy.bin").unwrap() == data);
    assert!(!cp_dir.exists(), "the checkpoint is removed once done");
}

#[test]
fn a_batch_where_every_object_fails_exits_with_the_failures_class() {
    let w = World::new();
    let dir = w.path("three");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["a.txt", "b.txt", "c.txt"] {
        write(&dir.join(name), name.as_bytes());
    }
    // Every upload is refused by OSS (no such bucket): nothing was done, so the exit code is
    // OSS's class (2), not the partial-failure 4, and the outcome is said once with its count.
    let r = w
        .run(&["cp", "-r", dir.to_str().unwrap(), "oss://no-such-bucket/"])
        .expect(2);
    assert!(r.stderr.contains("NoSuchBucket"), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("all 3 objects failed, none done").count(),
        1,
        "{}",
        r.stderr
    );

    // Every download fails locally (each destination is a folder): exit 3.
    w.mb("fails");
    w.put("fails", "x/1.txt", b"one");
    w.put("fails", "x/2.txt", b"two");
    let down = w.path("down-x");
    std::fs::create_dir_all(down.join("1.txt")).unwrap();
    std::fs::create_dir_all(down.join("2.txt")).unwrap();
    let r = w
        .run(&["cp", "-r", "oss://fails/x/", down.to_str().unwrap()])
        .expect(3);
    assert!(
        r.stderr.contains("all 2 objects failed, none done"),
        "{}",
        r.stderr
    );

    // One success among the failures keeps exit 4.
    w.put("fails", "y/ok.txt", b"ok");
    std::fs::create_dir_all(w.path("down/y/clash.txt")).unwrap();
    w.put("fails", "y/clash.txt", b"cannot replace a folder");
    w.run(&[
        "cp",
        "-r",
        "oss://fails/y/",
        w.path("down/y").to_str().unwrap(),
    ])
    .expect(4);
}

#[test]
fn ctrl_c_stops_a_download_with_exit_5_and_the_same_command_resumes_it() {
    let w = World::new();
    w.mb("resume");
    let data = bytes(24 * 1024 * 1024, 9);
    w.put("resume", "big.bin", &data);
    let dest = w.path("big.bin");
    let cp_dir = w.path("checkpoints");
    // Slow requests, one part at a time, so that Ctrl-C lands half way.
    w.emulator
        .set_faults(oss_emulator::Faults::none().with_latency_ms(40));
    let args = [
        "--output-format",
        "json",
        "cp",
        "oss://resume/big.bin",
        dest.to_str().unwrap(),
        "--bigfile-threshold",
        "1MiB",
        "--part-size",
        "512K",
        "--parallel",
        "1",
        "--checkpoint-dir",
        cp_dir.to_str().unwrap(),
    ];
    let mut child = w.cmd().args(args).spawn().unwrap();
    let ranges_done = wait_for_checkpoint(&mut child, &cp_dir, "ranges", 5);
    // What a terminal sends on Ctrl-C.
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(5), "exit code after Ctrl-C");
    assert!(
        !dest.exists(),
        "an interrupted download must not leave a file under the final name"
    );
    assert!(
        std::fs::read_dir(&cp_dir).unwrap().next().is_some(),
        "the checkpoint is kept to resume from"
    );

    w.emulator.set_faults(oss_emulator::Faults::none());
    let r = w.run(&args).ok().json();
    assert_eq!(r["copied"], 1);
    let resumed = r["resumed_parts"].as_u64().unwrap();
    assert!(
        resumed as usize >= ranges_done && resumed < 48,
        "resumed {resumed} parts, {ranges_done} were done"
    );
    assert!(std::fs::read(&dest).unwrap() == data);
    assert!(!cp_dir.exists(), "the checkpoint is removed once done");
}

/// Waits (60 s at most) until a checkpoint in `cp_dir` lists at least `at_least` entries in
/// its `field` (`parts` for uploads, `ranges` for downloads) while `child` runs; returns how
/// many it lists.
fn wait_for_checkpoint(
    child: &mut std::process::Child,
    cp_dir: &Path,
    field: &str,
    at_least: usize,
) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            Instant::now() < deadline,
            "no checkpoint with {at_least} {field} appeared"
        );
        let done = std::fs::read_dir(cp_dir)
            .into_iter()
            .flatten()
            .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
            .filter_map(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .filter_map(|v| v[field].as_array().map(Vec::len))
            .max()
            .unwrap_or(0);
        if done >= at_least {
            return done;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "cp ended before it was stopped"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
