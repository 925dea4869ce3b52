"""Bucket configuration documents through the official SDK: lifecycle, website, policy, encryption,
referer, request payment, public access block (bucket and account), transfer acceleration, access
monitor: the absent answer (OSS's error code or default document), put, get equal to what was sent,
delete, absent again; and bad documents refused."""

import json

import alibabacloud_oss_v2 as oss

from _common import Suite, empty_and_delete_bucket, eq, expect_error, make_client, unique_bucket

suite = Suite("configs")
client = make_client()
BUCKET = unique_bucket("cfg")


@suite.check("setup: a bucket")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))


@suite.check("lifecycle: 404 NoSuchLifecycle, put, get equal, delete, 404 again")
def _():
    get = lambda: client.get_bucket_lifecycle(oss.GetBucketLifecycleRequest(bucket=BUCKET))
    expect_error(get, 404, "NoSuchLifecycle", "get before put")
    rules = [
        oss.LifecycleRule(id="expire-logs", prefix="logs/", status="Enabled",
                          expiration=oss.LifecycleRuleExpiration(days=30)),
        oss.LifecycleRule(id="abort-parts", prefix="tmp/", status="Disabled",
                          abort_multipart_upload=oss.LifecycleRuleAbortMultipartUpload(days=2)),
    ]
    client.put_bucket_lifecycle(oss.PutBucketLifecycleRequest(
        bucket=BUCKET, lifecycle_configuration=oss.LifecycleConfiguration(rules=rules)))
    got = get().lifecycle_configuration.rules
    eq([(r.id, r.prefix, r.status) for r in got],
       [("expire-logs", "logs/", "Enabled"), ("abort-parts", "tmp/", "Disabled")], "rules")
    eq(got[0].expiration.days, 30, "Expiration/Days")
    eq(got[1].abort_multipart_upload.days, 2, "AbortMultipartUpload/Days")
    result = client.delete_bucket_lifecycle(oss.DeleteBucketLifecycleRequest(bucket=BUCKET))
    eq(result.status_code, 204, "delete status")
    expect_error(get, 404, "NoSuchLifecycle", "get after delete")


@suite.check("website: 404 NoSuchWebsiteConfiguration, put, get equal, delete")
def _():
    get = lambda: client.get_bucket_website(oss.GetBucketWebsiteRequest(bucket=BUCKET))
    expect_error(get, 404, "NoSuchWebsiteConfiguration", "get before put")
    client.put_bucket_website(oss.PutBucketWebsiteRequest(
        bucket=BUCKET, website_configuration=oss.WebsiteConfiguration(
            index_document=oss.IndexDocument(suffix="index.html", support_sub_dir=True),
            error_document=oss.ErrorDocument(key="404.html", http_status=404))))
    conf = get().website_configuration
    eq(conf.index_document.suffix, "index.html", "IndexDocument/Suffix")
    eq(conf.index_document.support_sub_dir, True, "IndexDocument/SupportSubDir")
    eq(conf.error_document.key, "404.html", "ErrorDocument/Key")
    eq(conf.error_document.http_status, 404, "ErrorDocument/HttpStatus")
    client.delete_bucket_website(oss.DeleteBucketWebsiteRequest(bucket=BUCKET))
    expect_error(get, 404, "NoSuchWebsiteConfiguration", "get after delete")


POLICY = {
    "Version": "1",
    "Statement": [{"Effect": "Allow", "Action": ["oss:GetObject"], "Principal": ["*"],
                   "Resource": ["acs:oss:*:*:" + BUCKET + "/*"]}],
}


@suite.check("policy: 404 NoSuchBucketPolicy, put, get the same JSON, delete")
def _():
    get = lambda: client.get_bucket_policy(oss.GetBucketPolicyRequest(bucket=BUCKET))
    expect_error(get, 404, "NoSuchBucketPolicy", "get before put")
    client.put_bucket_policy(oss.PutBucketPolicyRequest(bucket=BUCKET, body=json.dumps(POLICY)))
    eq(json.loads(get().body), POLICY, "policy document")
    client.delete_bucket_policy(oss.DeleteBucketPolicyRequest(bucket=BUCKET))
    expect_error(get, 404, "NoSuchBucketPolicy", "get after delete")


@suite.check("policy: a document without Statement is refused with 400 and nothing is stored")
def _():
    expect_error(lambda: client.put_bucket_policy(oss.PutBucketPolicyRequest(
        bucket=BUCKET, body=json.dumps({"Version": "1"}))), 400)
    expect_error(lambda: client.get_bucket_policy(oss.GetBucketPolicyRequest(bucket=BUCKET)),
                 404, "NoSuchBucketPolicy")


@suite.check("encryption: 404 NoSuchServerSideEncryptionRule, put KMS with key id, get equal, delete")
def _():
    get = lambda: client.get_bucket_encryption(oss.GetBucketEncryptionRequest(bucket=BUCKET))
    expect_error(get, 404, "NoSuchServerSideEncryptionRule", "get before put")
    client.put_bucket_encryption(oss.PutBucketEncryptionRequest(
        bucket=BUCKET, server_side_encryption_rule=oss.ServerSideEncryptionRule(
            apply_server_side_encryption_by_default=oss.ApplyServerSideEncryptionByDefault(
                sse_algorithm="KMS", kms_master_key_id="key-1"))))
    rule = get().server_side_encryption_rule.apply_server_side_encryption_by_default
    eq((rule.sse_algorithm, rule.kms_master_key_id), ("KMS", "key-1"), "SSEAlgorithm, KMSMasterKeyID")
    client.delete_bucket_encryption(oss.DeleteBucketEncryptionRequest(bucket=BUCKET))
    expect_error(get, 404, "NoSuchServerSideEncryptionRule", "get after delete")


@suite.check("encryption: an unknown SSEAlgorithm is refused with 400 InvalidArgument")
def _():
    expect_error(lambda: client.put_bucket_encryption(oss.PutBucketEncryptionRequest(
        bucket=BUCKET, server_side_encryption_rule=oss.ServerSideEncryptionRule(
            apply_server_side_encryption_by_default=oss.ApplyServerSideEncryptionByDefault(
                sse_algorithm="DES")))), 400, "InvalidArgument")


@suite.check("referer: the default allows empty referers; put lists, get equal")
def _():
    get = lambda: client.get_bucket_referer(oss.GetBucketRefererRequest(bucket=BUCKET))
    eq(get().referer_configuration.allow_empty_referer, True, "default AllowEmptyReferer")
    client.put_bucket_referer(oss.PutBucketRefererRequest(
        bucket=BUCKET, referer_configuration=oss.RefererConfiguration(
            allow_empty_referer=False, allow_truncate_query_string=True,
            referer_list=oss.RefererList(referers=["http://www.example.com", "https://*.example.org"]),
            referer_blacklist=oss.RefererBlacklist(referers=["http://bad.example.com"]))))
    conf = get().referer_configuration
    eq(conf.allow_empty_referer, False, "AllowEmptyReferer")
    eq(conf.allow_truncate_query_string, True, "AllowTruncateQueryString")
    eq(conf.referer_list.referers, ["http://www.example.com", "https://*.example.org"], "RefererList")
    eq(conf.referer_blacklist.referers, ["http://bad.example.com"], "RefererBlacklist")


@suite.check("request payment: BucketOwner by default; put Requester, get Requester")
def _():
    get = lambda: client.get_bucket_request_payment(oss.GetBucketRequestPaymentRequest(bucket=BUCKET))
    eq(get().request_payment_configuration.payer, "BucketOwner", "default Payer")
    client.put_bucket_request_payment(oss.PutBucketRequestPaymentRequest(
        bucket=BUCKET, request_payment_configuration=oss.RequestPaymentConfiguration(payer="Requester")))
    eq(get().request_payment_configuration.payer, "Requester", "Payer")


@suite.check("bucket public access block: false by default; put true, get true, delete, false")
def _():
    get = lambda: client.get_bucket_public_access_block(oss.GetBucketPublicAccessBlockRequest(bucket=BUCKET))
    eq(get().public_access_block_configuration.block_public_access, False, "default")
    client.put_bucket_public_access_block(oss.PutBucketPublicAccessBlockRequest(
        bucket=BUCKET, public_access_block_configuration=oss.PublicAccessBlockConfiguration(
            block_public_access=True)))
    eq(get().public_access_block_configuration.block_public_access, True, "after put")
    client.delete_bucket_public_access_block(oss.DeleteBucketPublicAccessBlockRequest(bucket=BUCKET))
    eq(get().public_access_block_configuration.block_public_access, False, "after delete")


@suite.check("account public access block: put true, get true, delete, false")
def _():
    get = lambda: client.get_public_access_block(oss.GetPublicAccessBlockRequest())
    client.put_public_access_block(oss.PutPublicAccessBlockRequest(
        public_access_block_configuration=oss.PublicAccessBlockConfiguration(block_public_access=True)))
    eq(get().public_access_block_configuration.block_public_access, True, "after put")
    client.delete_public_access_block(oss.DeletePublicAccessBlockRequest())
    eq(get().public_access_block_configuration.block_public_access, False, "after delete")


@suite.check("transfer acceleration and access monitor: put, get equal")
def _():
    client.put_bucket_transfer_acceleration(oss.PutBucketTransferAccelerationRequest(
        bucket=BUCKET, transfer_acceleration_configuration=oss.TransferAccelerationConfiguration(enabled=True)))
    got = client.get_bucket_transfer_acceleration(oss.GetBucketTransferAccelerationRequest(bucket=BUCKET))
    eq(got.transfer_acceleration_configuration.enabled, True, "Enabled")
    client.put_bucket_access_monitor(oss.PutBucketAccessMonitorRequest(
        bucket=BUCKET, access_monitor_configuration=oss.AccessMonitorConfiguration(status="Enabled")))
    got = client.get_bucket_access_monitor(oss.GetBucketAccessMonitorRequest(bucket=BUCKET))
    eq(got.access_monitor_configuration.status, "Enabled", "Status")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)


suite.run()
