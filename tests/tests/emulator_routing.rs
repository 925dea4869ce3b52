//! The emulator's routing (generated from the spec): every request names an operation of the
//! spec or gets OSS's `MethodNotAllowed`; an operation the emulator does not serve is answered
//! `NotImplemented`, never mistaken for another.

use oss_tests::{Client, start_emulator};

#[test]
fn a_request_naming_no_operation_is_method_not_allowed() {
    let emu = start_emulator();
    let c = Client::new(&emu);
    assert_eq!(c.put("/route-bkt").send().status, 200);
    // POST with a sub-resource no POST operation has: not PostObject.
    let r = c.post("/route-bkt").subresource("acl").send();
    assert_eq!(r.status, 405);
    assert_eq!(r.code().as_deref(), Some("MethodNotAllowed"));
    assert_eq!(r.xml("Method").as_deref(), Some("POST"));
    assert_eq!(r.xml("ResourceType").as_deref(), Some("BUCKET"));
    // A method OSS has no operation for.
    let r = c.request("PATCH", "/route-bkt/k").send();
    assert_eq!(r.status, 405);
    assert_eq!(r.xml("ResourceType").as_deref(), Some("OBJECT"));
    // A valued sub-resource with a value the spec does not know.
    let r = c
        .post("/route-bkt")
        .subresource("replication")
        .query("comp", Some("nope"))
        .send();
    assert_eq!(r.status, 405);
    // The bucket is untouched by any of them.
    assert_eq!(c.get("/route-bkt").subresource("acl").send().status, 200);
}

#[test]
fn sub_resources_never_fall_back_to_the_bare_operation() {
    let emu = start_emulator();
    let c = Client::new(&emu);
    assert_eq!(c.put("/route-bkt2").send().status, 200);
    // `?acl` without its required header is PutBucketAcl's bad input, not a second PutBucket.
    let r = c.put("/route-bkt2").subresource("acl").send();
    assert_eq!(r.status, 400, "{}", r.text());
    // Listing options are not sub-resources: the Python SDK's and our URL-encoded listings
    // are both ListObjects.
    let plain = c.get("/route-bkt2").query("prefix", Some("a")).send();
    let encoded = c
        .get("/route-bkt2")
        .query("encoding-type", Some("url"))
        .send();
    assert_eq!((plain.status, encoded.status), (200, 200));
    assert_eq!(plain.xml("Name").as_deref(), Some("route-bkt2"));
    // `?objectMeta` is GetObjectMeta on HEAD only.
    assert_eq!(c.put("/route-bkt2/k").body("x").send().status, 200);
    assert_eq!(
        c.head("/route-bkt2/k")
            .subresource("objectMeta")
            .send()
            .status,
        200
    );
    assert_eq!(
        c.get("/route-bkt2/k")
            .subresource("objectMeta")
            .send()
            .status,
        405
    );
}
