"""Further bucket settings through the official SDK: inventory (put/get/list/delete, NoSuchInventory),
logging and user-defined log fields, resource group, HTTPS (TLS) configuration, archive direct read,
overwrite configuration, storage quota, policy status, metadata tables (create/get/update/delete), and
archive objects (RestoreObject, CleanRestoredObject): the absent answer (OSS's error code or default
document), put, get equal to what was sent, delete."""

import json

import alibabacloud_oss_v2 as oss

from _common import (Suite, empty_and_delete_bucket, eq, expect_error, header, make_client, true,
                     unique_bucket)

suite = Suite("settings")
client = make_client()
BUCKET = unique_bucket("set")
LOGS = unique_bucket("set-logs")
ACCOUNT = "1234567890123456"


@suite.check("setup: buckets")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    client.put_bucket(oss.PutBucketRequest(bucket=LOGS))


def inventory(inv_id, prefix):
    return oss.InventoryConfiguration(
        id=inv_id, is_enabled=True, included_object_versions="Current",
        filter=oss.InventoryFilter(prefix=prefix),
        destination=oss.InventoryDestination(oss_bucket_destination=oss.InventoryOSSBucketDestination(
            format="CSV", account_id=ACCOUNT, role_arn=f"acs:ram::{ACCOUNT}:role/AliyunOSSRole",
            bucket=f"acs:oss:::{LOGS}", prefix="inventory/")),
        schedule=oss.InventorySchedule(frequency="Daily"),
        optional_fields=oss.OptionalFields(fields=["Size", "LastModifiedDate", "ETag"]))


@suite.check("inventory: 404 NoSuchInventory before put")
def _():
    expect_error(lambda: client.get_bucket_inventory(oss.GetBucketInventoryRequest(
        bucket=BUCKET, inventory_id="daily")), 404, "NoSuchInventory")


@suite.check("inventory: put two; get equal")
def _():
    for inv_id, prefix in (("daily", "logs/"), ("weekly", "img/")):
        client.put_bucket_inventory(oss.PutBucketInventoryRequest(
            bucket=BUCKET, inventory_id=inv_id, inventory_configuration=inventory(inv_id, prefix)))
    conf = client.get_bucket_inventory(oss.GetBucketInventoryRequest(
        bucket=BUCKET, inventory_id="daily")).inventory_configuration
    eq((conf.id, conf.is_enabled, conf.included_object_versions), ("daily", True, "Current"), "Id, IsEnabled")
    eq(conf.filter.prefix, "logs/", "Filter/Prefix")
    dest = conf.destination.oss_bucket_destination
    eq((dest.format, dest.account_id, dest.bucket, dest.prefix),
       ("CSV", ACCOUNT, f"acs:oss:::{LOGS}", "inventory/"), "Destination")
    eq(conf.schedule.frequency, "Daily", "Schedule/Frequency")
    eq(conf.optional_fields.fields, ["Size", "LastModifiedDate", "ETag"], "OptionalFields")


@suite.check("inventory: list shows both, by id; not truncated")
def _():
    result = client.list_bucket_inventory(oss.ListBucketInventoryRequest(
        bucket=BUCKET)).list_inventory_configurations_result
    eq(sorted((c.id, c.filter.prefix) for c in result.inventory_configurations),
       [("daily", "logs/"), ("weekly", "img/")], "configurations")
    eq(result.is_truncated, False, "IsTruncated")


@suite.check("inventory: delete one; get is 404; the other is still listed")
def _():
    client.delete_bucket_inventory(oss.DeleteBucketInventoryRequest(bucket=BUCKET, inventory_id="daily"))
    expect_error(lambda: client.get_bucket_inventory(oss.GetBucketInventoryRequest(
        bucket=BUCKET, inventory_id="daily")), 404, "NoSuchInventory")
    result = client.list_bucket_inventory(oss.ListBucketInventoryRequest(
        bucket=BUCKET)).list_inventory_configurations_result
    eq([c.id for c in result.inventory_configurations], ["weekly"], "remaining")


@suite.check("inventory: a bad Frequency is refused (400) and nothing is stored")
def _():
    bad = inventory("bad", "x/")
    bad.schedule = oss.InventorySchedule(frequency="Hourly")
    expect_error(lambda: client.put_bucket_inventory(oss.PutBucketInventoryRequest(
        bucket=BUCKET, inventory_id="bad", inventory_configuration=bad)), 400)
    expect_error(lambda: client.get_bucket_inventory(oss.GetBucketInventoryRequest(
        bucket=BUCKET, inventory_id="bad")), 404, "NoSuchInventory")


@suite.check("logging: off by default; put target, get equal; delete, off again")
def _():
    get = lambda: client.get_bucket_logging(oss.GetBucketLoggingRequest(bucket=BUCKET)).bucket_logging_status
    eq(get().logging_enabled, None, "LoggingEnabled by default")
    client.put_bucket_logging(oss.PutBucketLoggingRequest(bucket=BUCKET, bucket_logging_status=oss.BucketLoggingStatus(
        logging_enabled=oss.LoggingEnabled(target_bucket=LOGS, target_prefix="access/"))))
    got = get().logging_enabled
    eq((got.target_bucket, got.target_prefix), (LOGS, "access/"), "TargetBucket, TargetPrefix")
    client.delete_bucket_logging(oss.DeleteBucketLoggingRequest(bucket=BUCKET))
    eq(get().logging_enabled, None, "LoggingEnabled after delete")


@suite.check("user-defined log fields: 404 before put; put headers and params, get equal; delete")
def _():
    get = lambda: client.get_user_defined_log_fields_config(oss.GetUserDefinedLogFieldsConfigRequest(
        bucket=BUCKET)).user_defined_log_fields_configuration
    expect_error(get, 404, "NoSuchUserDefinedLogFieldsConfig", "get before put")
    client.put_user_defined_log_fields_config(oss.PutUserDefinedLogFieldsConfigRequest(
        bucket=BUCKET, user_defined_log_fields_configuration=oss.UserDefinedLogFieldsConfiguration(
            header_set=oss.LoggingHeaderSet(headers=["x-trace-id", "user-agent"]),
            param_set=oss.LoggingParamSet(parameters=["utm_source"]))))
    conf = get()
    eq(conf.header_set.headers, ["x-trace-id", "user-agent"], "HeaderSet")
    eq(conf.param_set.parameters, ["utm_source"], "ParamSet")
    client.delete_user_defined_log_fields_config(oss.DeleteUserDefinedLogFieldsConfigRequest(bucket=BUCKET))
    expect_error(get, 404, "NoSuchUserDefinedLogFieldsConfig", "get after delete")


@suite.check("resource group: the default group (empty id); put an id, get equal")
def _():
    get = lambda: client.get_bucket_resource_group(oss.GetBucketResourceGroupRequest(
        bucket=BUCKET)).bucket_resource_group_configuration
    true(not get().resource_group_id, "ResourceGroupId is empty by default")
    client.put_bucket_resource_group(oss.PutBucketResourceGroupRequest(
        bucket=BUCKET, bucket_resource_group_configuration=oss.BucketResourceGroupConfiguration(
            resource_group_id="rg-aek27tc7vb2ttyi")))
    eq(get().resource_group_id, "rg-aek27tc7vb2ttyi", "ResourceGroupId")


@suite.check("https config: TLS off by default; put TLS 1.2/1.3, get equal")
def _():
    get = lambda: client.get_bucket_https_config(oss.GetBucketHttpsConfigRequest(
        bucket=BUCKET)).https_configuration
    eq(get().tls.enable, False, "TLS/Enable by default")
    client.put_bucket_https_config(oss.PutBucketHttpsConfigRequest(
        bucket=BUCKET, https_configuration=oss.HttpsConfiguration(
            tls=oss.TLS(enable=True, tls_versions=["TLSv1.2", "TLSv1.3"]))))
    conf = get()
    eq((conf.tls.enable, conf.tls.tls_versions), (True, ["TLSv1.2", "TLSv1.3"]), "TLS")


@suite.check("archive direct read: false by default; put true, get true")
def _():
    get = lambda: client.get_bucket_archive_direct_read(oss.GetBucketArchiveDirectReadRequest(
        bucket=BUCKET)).archive_direct_read_configuration
    eq(get().enabled, False, "Enabled by default")
    client.put_bucket_archive_direct_read(oss.PutBucketArchiveDirectReadRequest(
        bucket=BUCKET, archive_direct_read_configuration=oss.ArchiveDirectReadConfiguration(enabled=True)))
    eq(get().enabled, True, "Enabled after put")


@suite.check("overwrite config: 404 NoSuchOverwriteConfiguration; put a forbid rule, get equal; delete")
def _():
    get = lambda: client.get_bucket_overwrite_config(oss.GetBucketOverwriteConfigRequest(
        bucket=BUCKET)).overwrite_configuration
    expect_error(get, 404, "NoSuchOverwriteConfiguration", "get before put")
    client.put_bucket_overwrite_config(oss.PutBucketOverwriteConfigRequest(
        bucket=BUCKET, overwrite_configuration=oss.OverwriteConfiguration(rules=[oss.OverwriteRule(
            id="no-overwrite", action="forbid", prefix="protected/", suffix=".txt")])))
    rules = get().rules
    eq([(r.id, r.action, r.prefix, r.suffix) for r in rules],
       [("no-overwrite", "forbid", "protected/", ".txt")], "rules")
    client.delete_bucket_overwrite_config(oss.DeleteBucketOverwriteConfigRequest(bucket=BUCKET))
    expect_error(get, 404, "NoSuchOverwriteConfiguration", "get after delete")


@suite.check("storage quota: none by default; put 100 GB, get 100; delete, none again")
def _():
    get = lambda: client.get_bucket_storage_quota(oss.GetBucketStorageQuotaRequest(
        bucket=BUCKET)).quota_configuration
    eq(get().storage_quota, None, "StorageQuota by default")
    client.put_bucket_storage_quota(oss.PutBucketStorageQuotaRequest(
        bucket=BUCKET, quota_configuration=oss.QuotaConfiguration(storage_quota=100)))
    eq(get().storage_quota, 100, "StorageQuota after put")
    client.delete_bucket_storage_quota(oss.DeleteBucketStorageQuotaRequest(bucket=BUCKET))
    eq(get().storage_quota, None, "StorageQuota after delete")


@suite.check("policy status: not public without a policy; public with an Allow-everyone policy")
def _():
    get = lambda: client.get_bucket_policy_status(oss.GetBucketPolicyStatusRequest(bucket=BUCKET)).policy_status
    eq(get().is_public, False, "IsPublic without a policy")
    policy = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:GetObject"], "Principal": ["*"],
                                             "Resource": [f"acs:oss:*:*:{BUCKET}/*"]}]}
    client.put_bucket_policy(oss.PutBucketPolicyRequest(bucket=BUCKET, body=json.dumps(policy)))
    eq(get().is_public, True, "IsPublic with a public policy")
    client.delete_bucket_policy(oss.DeleteBucketPolicyRequest(bucket=BUCKET))


def get_metadata():
    return client.get_bucket_metadata_configuration(oss.GetBucketMetadataConfigurationRequest(
        bucket=BUCKET)).metadata_configuration_result


@suite.check("metadata tables: 404 NoSuchMetadataConfiguration before create")
def _():
    expect_error(get_metadata, 404, "NoSuchMetadataConfiguration")


@suite.check("metadata tables: create journal (7 days) and inventory; get shows them ACTIVE as sent")
def _():
    client.create_bucket_metadata_configuration(oss.CreateBucketMetadataConfigurationRequest(
        bucket=BUCKET, metadata_configuration=oss.MetadataConfiguration(
            journal_table_configuration=oss.JournalTableConfiguration(
                record_expiration=oss.MetadataTableRecordExpiration(expiration="ENABLED", days=7)),
            inventory_table_configuration=oss.InventoryTableConfiguration(configuration_state="ENABLED"))))
    conf = get_metadata()
    journal = conf.journal_table_configuration_result
    eq(journal.table_status, "ACTIVE", "journal TableStatus")
    eq((journal.record_expiration.expiration, journal.record_expiration.days), ("ENABLED", 7), "RecordExpiration")
    inv = conf.inventory_table_configuration_result
    eq(inv.configuration_state, "ENABLED", "inventory ConfigurationState")
    true(conf.destination_result is not None and conf.destination_result.table_bucket_arn,
         "DestinationResult/TableBucketArn is set")


@suite.check("metadata tables: a second create is 409 MetadataConfigurationAlreadyExist")
def _():
    expect_error(lambda: client.create_bucket_metadata_configuration(oss.CreateBucketMetadataConfigurationRequest(
        bucket=BUCKET, metadata_configuration=oss.MetadataConfiguration(
            journal_table_configuration=oss.JournalTableConfiguration()))),
        409, "MetadataConfigurationAlreadyExist")


@suite.check("metadata tables: update journal to 30 days and inventory to DISABLED; get equal")
def _():
    client.update_bucket_metadata_journal_table_configuration(
        oss.UpdateBucketMetadataJournalTableConfigurationRequest(
            bucket=BUCKET, journal_table_configuration=oss.JournalTableConfiguration(
                record_expiration=oss.MetadataTableRecordExpiration(expiration="ENABLED", days=30))))
    client.update_bucket_metadata_inventory_table_configuration(
        oss.UpdateBucketMetadataInventoryTableConfigurationRequest(
            bucket=BUCKET, inventory_table_configuration=oss.InventoryTableConfiguration(
                configuration_state="DISABLED")))
    conf = get_metadata()
    eq(conf.journal_table_configuration_result.record_expiration.days, 30, "RecordExpiration/Days")
    eq(conf.journal_table_configuration_result.record_expiration.expiration, "ENABLED", "RecordExpiration")
    eq(conf.inventory_table_configuration_result.configuration_state, "DISABLED", "inventory ConfigurationState")


@suite.check("metadata tables: delete (204); get is 404 again")
def _():
    result = client.delete_bucket_metadata_configuration(oss.DeleteBucketMetadataConfigurationRequest(bucket=BUCKET))
    eq(result.status_code, 204, "delete status")
    expect_error(get_metadata, 404, "NoSuchMetadataConfiguration")


ARCHIVED = b"frozen bytes"


@suite.check("restore: an Archive object cannot be read before its restore (403 InvalidObjectState)")
def _():
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="cold", body=ARCHIVED, storage_class="Archive"))
    expect_error(lambda: client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="cold")),
                 403, "InvalidObjectState")


@suite.check("restore: a Standard object is 400 OperationNotSupported; clean before restore is 409")
def _():
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="warm", body=b"warm"))
    expect_error(lambda: client.restore_object(oss.RestoreObjectRequest(bucket=BUCKET, key="warm")),
                 400, "OperationNotSupported")
    expect_error(lambda: client.clean_restored_object(oss.CleanRestoredObjectRequest(bucket=BUCKET, key="cold")),
                 409, "ArchiveRestoreFileStale")


@suite.check("restore: 202 for a frozen object; then readable, with x-oss-restore ongoing-request=\"false\"")
def _():
    result = client.restore_object(oss.RestoreObjectRequest(
        bucket=BUCKET, key="cold", restore_request=oss.RestoreRequest(days=2)))
    eq(result.status_code, 202, "restore status")
    got = client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="cold"))
    eq(got.body.content, ARCHIVED, "body")
    restore = header(got, "x-oss-restore") or ""
    true('ongoing-request="false"' in restore, f"x-oss-restore {restore!r}")


@suite.check("restore: clean the restored copy; reading is refused again; unknown key 404 NoSuchKey")
def _():
    client.clean_restored_object(oss.CleanRestoredObjectRequest(bucket=BUCKET, key="cold"))
    expect_error(lambda: client.get_object(oss.GetObjectRequest(bucket=BUCKET, key="cold")),
                 403, "InvalidObjectState")
    expect_error(lambda: client.restore_object(oss.RestoreObjectRequest(bucket=BUCKET, key="absent")),
                 404, "NoSuchKey")


@suite.check("absent bucket: settings of a bucket that does not exist are 404 NoSuchBucket")
def _():
    gone = unique_bucket("set-gone")
    expect_error(lambda: client.get_bucket_https_config(oss.GetBucketHttpsConfigRequest(bucket=gone)),
                 404, "NoSuchBucket")
    expect_error(lambda: client.list_bucket_inventory(oss.ListBucketInventoryRequest(bucket=gone)),
                 404, "NoSuchBucket")
    expect_error(lambda: client.get_bucket_worm(oss.GetBucketWormRequest(bucket=gone)), 404, "NoSuchBucket")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)
    empty_and_delete_bucket(client, LOGS)


suite.run()
