//! Generates `crates/oss-model/src/generated/tests.rs`: `Sample` impls for every enum and shape,
//! the tables of every document parser, and the property tests over them.

use std::fmt::Write as _;

use super::HEADER;
use super::spec::{Location, Model};

pub(crate) fn tests(model: &Model) -> String {
    let mut s = format!(
        "{HEADER}\n//! Generated property tests: every shape round-trips through XML (and JSON where it \
         is a JSON document), and no parser panics on arbitrary or mutated input.\n\n\
         #![allow(clippy::unwrap_used, clippy::type_complexity)]\n\n\
         use super::*;\nuse crate::testing::{{Rng, Sample}};\nuse proptest::prelude::*;\n\n"
    );
    for e in model.enums.values() {
        let _ = writeln!(
            s,
            "impl Sample for {0} {{\nfn sample(rng: &mut Rng) -> Self {{\nrng.enum_value({0}::VALUES)\n}}\n}}\n",
            e.name
        );
    }
    for shape in model.shapes.values() {
        let _ = writeln!(
            s,
            "impl Sample for {} {{\nfn sample(rng: &mut Rng) -> Self {{\nSelf {{",
            shape.name
        );
        for f in &shape.fields {
            let is_encoding_type =
                matches!(&f.location, Location::Element { name, .. } if name == "EncodingType");
            if is_encoding_type && f.is_option() && shape.has_url_encoded {
                // A sample saying `url` would make the reader decode what the writer did not encode.
                let _ = writeln!(s, "{}: None,", f.ident);
            } else {
                let _ = writeln!(s, "{}: Sample::sample(rng),", f.ident);
            }
        }
        let _ = writeln!(s, "}}\n}}\n}}\n");
    }
    let names: Vec<&String> = model.shapes.keys().collect();
    let _ = writeln!(
        s,
        "/// Every shape's XML round trip.\nconst XML_ROUND_TRIPS: &[(&str, fn(u64) -> Result<(), String>)] = &["
    );
    for n in &names {
        let _ = writeln!(s, "({n:?}, crate::testing::xml_round_trip::<{n}>),");
    }
    let _ = writeln!(s, "];\n");
    let _ = writeln!(
        s,
        "/// Every JSON shape's JSON round trip.\nconst JSON_ROUND_TRIPS: &[(&str, fn(u64) -> Result<(), String>)] = &["
    );
    for shape in model.shapes.values().filter(|s| s.json) {
        let _ = writeln!(
            s,
            "({0:?}, crate::testing::json_round_trip::<{0}>),",
            shape.name
        );
    }
    let _ = writeln!(s, "];\n");
    let _ = writeln!(
        s,
        "/// Every JSON shape's document parser.\nconst JSON_PARSERS: &[(&str, fn(&[u8]))] = &["
    );
    for shape in model.shapes.values().filter(|s| s.json) {
        let _ = writeln!(
            s,
            "({0:?}, crate::testing::parse_any_json::<{0}>),",
            shape.name
        );
    }
    let _ = writeln!(s, "];\n");
    let _ = writeln!(
        s,
        "/// Every shape's document parser, with a sample document maker.\nconst PARSERS: &[(&str, fn(&[u8]), fn(u64) -> String)] = &["
    );
    for n in &names {
        let _ = writeln!(
            s,
            "({n:?}, crate::testing::parse_any::<{n}>, crate::testing::sample_document::<{n}>),"
        );
    }
    let _ = writeln!(s, "];\n");
    s.push_str(
        r#"proptest! {
    #[test]
    fn every_shape_round_trips_through_xml(seed in any::<u64>()) {
        for (name, round_trip) in XML_ROUND_TRIPS {
            if let Err(e) = round_trip(seed) {
                prop_assert!(false, "{name}: {e}");
            }
        }
    }

    #[test]
    fn every_json_shape_round_trips_through_json(seed in any::<u64>()) {
        for (name, round_trip) in JSON_ROUND_TRIPS {
            if let Err(e) = round_trip(seed) {
                prop_assert!(false, "{name}: {e}");
            }
        }
    }

    #[test]
    fn no_parser_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for (_, parse, _) in PARSERS {
            parse(&bytes);
        }
    }

    #[test]
    fn no_json_parser_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for (_, parse) in JSON_PARSERS {
            parse(&bytes);
        }
    }

    #[test]
    fn no_parser_panics_on_mutated_documents(
        seed in any::<u64>(),
        cut in any::<usize>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
    ) {
        for (_, parse, sample) in PARSERS {
            let mut doc = sample(seed).into_bytes();
            for (at, byte) in &edits {
                let len = doc.len();
                doc[at % len] = *byte;
            }
            doc.truncate(doc.len() - cut % (doc.len() + 1) / 2);
            parse(&doc);
        }
    }
}

#[test]
fn the_tables_list_every_shape() {
    assert_eq!(XML_ROUND_TRIPS.len(), PARSERS.len());
    for ((a, _), (b, _, _)) in XML_ROUND_TRIPS.iter().zip(PARSERS) {
        assert_eq!(a, b);
    }
}
"#,
    );
    s
}
