//! Metadata tables of a bucket: CreateBucketMetadataConfiguration (the journal table, and the
//! inventory table when asked for), GetBucketMetadataConfiguration,
//! DeleteBucketMetadataConfiguration, UpdateBucketMetadataInventoryTableConfiguration and
//! UpdateBucketMetadataJournalTableConfiguration. The tables are reported `ACTIVE` in a table
//! bucket named after the account and region; the emulator keeps no table data.

use http::StatusCode;
use oss_model::xml::XmlDocument as _;
use oss_model::{
    GetBucketMetadataConfigurationResult, MetadataConfigurationResult,
    MetadataInventoryTableResult, MetadataJournalTableResult, MetadataTableDestination,
    MetadataTableEncryption, MetadataTableRecordExpiration, MetadataTableState,
    MetadataTableStatus,
};
use oss_proto::generated as ops;

use super::stored;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::typed;

const DOC: &str = "metadata-configuration";
/// The fewest days a journal table keeps records when they expire.
const MIN_DAYS: i64 = 7;

fn no_such_configuration(bucket: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchMetadataConfiguration",
        "The metadata configuration of the bucket does not exist.",
    )
    .with("BucketName", bucket)
}

fn bad_state(element: &'static str, v: &str) -> OssError {
    OssError::invalid_argument(format!("The value of {element} is not valid: {v}"))
        .with("ArgumentName", element)
        .with("ArgumentValue", v)
}

fn check_expiration(r: &Option<MetadataTableRecordExpiration>) -> Result<(), OssError> {
    let Some(r) = r else { return Ok(()) };
    match &r.expiration {
        Some(MetadataTableState::Unknown(v)) => Err(bad_state("Expiration", v)),
        Some(MetadataTableState::Enabled) if r.days.is_none_or(|d| d < MIN_DAYS) => {
            Err(OssError::invalid_argument(format!(
                "Days must be at least {MIN_DAYS} when records expire."
            ))
            .with("ArgumentName", "Days"))
        }
        _ => Ok(()),
    }
}

fn check_encryption(e: &Option<MetadataTableEncryption>) -> Result<(), OssError> {
    let Some(e) = e else { return Ok(()) };
    match (e.sse_algorithm.as_deref(), e.kms_key_arn.is_some()) {
        (None | Some("AES256"), false) | (Some("KMS" | "SM4"), _) => Ok(()),
        (None | Some("AES256"), true) => Err(OssError::invalid_argument(
            "KmsKeyArn needs a KMS SseAlgorithm.",
        )
        .with("ArgumentName", "KmsKeyArn")),
        (Some(other), _) => Err(bad_state("SseAlgorithm", other)),
    }
}

fn namespace(bucket: &str) -> String {
    format!("b_{}", bucket.replace(['-', '.'], "_"))
}

fn table_bucket_arn(ctx: &Context) -> String {
    format!(
        "acs:osstables:{}:{}:bucket/{}-metadata",
        ctx.region, ctx.account_id, ctx.account_id
    )
}

fn arn(ctx: &Context, bucket: &str, table: &str) -> String {
    format!(
        "{}/table/{}/{table}",
        table_bucket_arn(ctx),
        namespace(bucket)
    )
}

fn inventory_result(
    ctx: &Context,
    bucket: &str,
    state: Option<MetadataTableState>,
    encryption: Option<MetadataTableEncryption>,
) -> Result<MetadataInventoryTableResult, OssError> {
    if let Some(MetadataTableState::Unknown(v)) = &state {
        return Err(bad_state("ConfigurationState", v));
    }
    check_encryption(&encryption)?;
    let on = state == Some(MetadataTableState::Enabled);
    Ok(MetadataInventoryTableResult {
        configuration_state: Some(state.unwrap_or(MetadataTableState::Disabled)),
        table_status: on.then_some(MetadataTableStatus::Active),
        table_name: on.then(|| "inventory".to_owned()),
        table_arn: on.then(|| arn(ctx, bucket, "inventory")),
        encryption_configuration: encryption,
        error: None,
    })
}

/// POST /bucket?metadataConfiguration — CreateBucketMetadataConfiguration.
pub(crate) fn create(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::CreateBucketMetadataConfiguration>(req)?;
    let bucket = req.bucket().to_owned();
    let journal = input.body.journal_table_configuration.unwrap_or_default();
    check_expiration(&journal.record_expiration)?;
    check_encryption(&journal.encryption_configuration)?;
    let inventory = input
        .body
        .inventory_table_configuration
        .map(|i| {
            inventory_result(
                ctx,
                &bucket,
                i.configuration_state,
                i.encryption_configuration,
            )
        })
        .transpose()?;
    let doc = GetBucketMetadataConfigurationResult {
        metadata_configuration_result: Some(MetadataConfigurationResult {
            destination_result: Some(MetadataTableDestination {
                table_bucket_type: Some("oss".to_owned()),
                table_bucket_arn: Some(table_bucket_arn(ctx)),
                table_namespace: Some(namespace(&bucket)),
            }),
            journal_table_configuration_result: Some(MetadataJournalTableResult {
                table_status: Some(MetadataTableStatus::Active),
                table_name: Some("journal".to_owned()),
                table_arn: Some(arn(ctx, &bucket, "journal")),
                record_expiration: journal.record_expiration,
                encryption_configuration: journal.encryption_configuration,
                error: None,
            }),
            inventory_table_configuration_result: inventory,
        }),
    };
    stored::modify_bucket::<GetBucketMetadataConfigurationResult, _>(ctx, &bucket, DOC, |d| {
        if d.is_some() {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "MetadataConfigurationAlreadyExist",
                "The metadata configuration of the bucket already exists.",
            )
            .with("BucketName", bucket.clone()));
        }
        *d = Some(doc);
        Ok(())
    })?;
    Ok(Reply::ok())
}

/// GET /bucket?metadataConfiguration — GetBucketMetadataConfiguration.
pub(crate) fn get(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let doc = stored::bucket_doc::<GetBucketMetadataConfigurationResult>(ctx, req.bucket(), DOC)?
        .ok_or_else(|| no_such_configuration(req.bucket()))?;
    Ok(Reply::xml(doc.to_xml()))
}

/// DELETE /bucket?metadataConfiguration — DeleteBucketMetadataConfiguration.
pub(crate) fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = req.bucket();
    stored::modify_bucket::<GetBucketMetadataConfigurationResult, _>(ctx, bucket, DOC, |d| {
        if d.take().is_none() {
            return Err(no_such_configuration(bucket));
        }
        Ok(())
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

fn modify(
    ctx: &Context,
    bucket: &str,
    f: impl FnOnce(&mut MetadataConfigurationResult) -> Result<(), OssError>,
) -> Result<Reply, OssError> {
    stored::modify_bucket::<GetBucketMetadataConfigurationResult, _>(ctx, bucket, DOC, |d| {
        let result = d
            .as_mut()
            .and_then(|d| d.metadata_configuration_result.as_mut())
            .ok_or_else(|| no_such_configuration(bucket))?;
        f(result)
    })?;
    Ok(Reply::ok())
}

/// PUT /bucket?metadataInventoryTable — UpdateBucketMetadataInventoryTableConfiguration.
pub(crate) fn update_inventory(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::UpdateBucketMetadataInventoryTableConfiguration>(req)?;
    let bucket = req.bucket().to_owned();
    let table = inventory_result(
        ctx,
        &bucket,
        input.body.configuration_state,
        input.body.encryption_configuration,
    )?;
    modify(ctx, &bucket, |r| {
        r.inventory_table_configuration_result = Some(table);
        Ok(())
    })
}

/// PUT /bucket?metadataJournalTable — UpdateBucketMetadataJournalTableConfiguration.
pub(crate) fn update_journal(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::UpdateBucketMetadataJournalTableConfiguration>(req)?;
    check_expiration(&input.body.record_expiration)?;
    check_encryption(&input.body.encryption_configuration)?;
    modify(ctx, req.bucket(), |r| {
        let journal = r
            .journal_table_configuration_result
            .get_or_insert_with(Default::default);
        if input.body.record_expiration.is_some() {
            journal.record_expiration = input.body.record_expiration;
        }
        if input.body.encryption_configuration.is_some() {
            journal.encryption_configuration = input.body.encryption_configuration;
        }
        Ok(())
    })
}
