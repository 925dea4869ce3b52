//! `cargo xtask coverage`: which catalogue operations the spec covers, and which the emulator
//! serves.

use std::collections::BTreeSet;
use std::process::Command;

/// The operations the emulator serves, as it reports them (`oss-emulator --served-operations`:
/// every operation of the generated routing that its handler table serves).
fn served_operations() -> Result<BTreeSet<String>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .current_dir(crate::workspace_root())
        .args([
            "run",
            "--quiet",
            "-p",
            "oss-emulator",
            "--bin",
            "oss-emulator",
            "--",
            "--served-operations",
        ])
        .output()
        .map_err(|e| format!("cannot run the emulator: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "oss-emulator --served-operations failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// Prints one line per catalogue operation missing from the spec, one per operation the
/// emulator does not serve, then `covered N/TOTAL` and `served N/TOTAL`.
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
    let served = served_operations()?;
    let served: BTreeSet<&str> = served.iter().map(String::as_str).collect();
    let report = report(&catalogue, &specified, &served)?;
    for line in report {
        println!("{line}");
    }
    Ok(())
}

/// The report lines: `missing: <category>\t<operation>` per uncovered operation, in catalogue
/// order, `unserved: <category>\t<operation>` per operation the emulator does not serve, then
/// `covered N/TOTAL` and `served N/TOTAL`.
pub(crate) fn report(
    catalogue: &str,
    specified: &BTreeSet<&str>,
    served: &BTreeSet<&str>,
) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    let mut unserved = Vec::new();
    let mut total = 0usize;
    let mut covered = 0usize;
    let mut served_count = 0usize;
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
        if served.contains(operation) {
            served_count += 1;
        } else {
            unserved.push(format!("unserved: {category}\t{operation}"));
        }
    }
    lines.extend(unserved);
    lines.push(format!("covered {covered}/{total}"));
    lines.push(format!("served {served_count}/{total}"));
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
        let served: BTreeSet<&str> = ["ListBuckets"].into_iter().collect();
        assert_eq!(
            report(catalogue, &specified, &served).unwrap(),
            vec![
                "missing: bucket ACL\tPutBucketAcl".to_string(),
                "unserved: bucket ACL\tPutBucketAcl".to_string(),
                "covered 1/2".to_string(),
                "served 1/2".to_string()
            ]
        );
    }
}
