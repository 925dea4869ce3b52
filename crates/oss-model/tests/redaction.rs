//! Members the spec marks `sensitive` never appear in `Debug` output, at any depth.

use oss_model::xml::XmlDocument;
use oss_model::{CnameCertificateConfiguration, MirrorAuth};

#[test]
fn private_key_is_redacted_in_debug() {
    let doc = b"<CnameCertificateConfiguration><PrivateKey>-----BEGIN PRIVATE KEY-----SECRETPEM</PrivateKey></CnameCertificateConfiguration>";
    let config = CnameCertificateConfiguration::from_xml(doc).unwrap();
    assert_eq!(
        config.private_key.as_deref(),
        Some("-----BEGIN PRIVATE KEY-----SECRETPEM")
    );
    let debug = format!("{config:?}");
    assert!(!debug.contains("SECRETPEM"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn mirror_access_key_secret_is_redacted_in_debug() {
    let doc = b"<MirrorAuth><AccessKeySecret>hunter2-secret</AccessKeySecret></MirrorAuth>";
    let auth = MirrorAuth::from_xml(doc).unwrap();
    assert_eq!(auth.access_key_secret.as_deref(), Some("hunter2-secret"));
    let debug = format!("{auth:?} {:?}", Some(&auth));
    assert!(!debug.contains("hunter2"), "{debug}");
    // The secret still travels on the wire.
    assert!(auth.to_xml().contains("hunter2-secret"));
}
