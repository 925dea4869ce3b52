//! `cargo xtask coverage`: which catalogue operations the spec covers.

use std::collections::BTreeSet;

/// Prints one line per catalogue operation missing from the spec, then `covered N/TOTAL`.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    if let Some(arg) = args.first() {
        return Err(format!("coverage: unknown argument `{arg}`"));
    }
    let root = crate::workspace_root();
    let catalogue_path = root.join("spec/catalogue.tsv");
    let catalogue = std::fs::read_to_string(&catalogue_path)
        .map_err(|e| format!("cannot read {}: {e}", catalogue_path.display()))?;
    let model = super::spec::load_dir(&root.join("spec"))?;
    let specified: BTreeSet<&str> = model.operations.keys().map(String::as_str).collect();
    let report = report(&catalogue, &specified)?;
    for line in report {
        println!("{line}");
    }
    Ok(())
}

/// The report lines: `missing: <category>\t<operation>` per uncovered operation, in catalogue
/// order, then `covered N/TOTAL`.
pub(crate) fn report(catalogue: &str, specified: &BTreeSet<&str>) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    let mut total = 0usize;
    let mut covered = 0usize;
    for (i, row) in catalogue.lines().enumerate().skip(1) {
        if row.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = row.split('\t').collect();
        let (Some(category), Some(operation)) = (cols.get(1), cols.get(2)) else {
            return Err(format!(
                "spec/catalogue.tsv:{}: fewer than 3 columns",
                i + 1
            ));
        };
        total += 1;
        if specified.contains(operation) {
            covered += 1;
        } else {
            lines.push(format!("missing: {category}\t{operation}"));
        }
    }
    lines.push(format!("covered {covered}/{total}"));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lists_missing_then_the_total() {
        let catalogue =
            "n\tcategory\toperation\n1\tservice\tListBuckets\n2\tbucket ACL\tPutBucketAcl\n";
        let specified: BTreeSet<&str> = ["ListBuckets"].into_iter().collect();
        assert_eq!(
            report(catalogue, &specified).unwrap(),
            vec![
                "missing: bucket ACL\tPutBucketAcl".to_string(),
                "covered 1/2".to_string()
            ]
        );
    }
}
