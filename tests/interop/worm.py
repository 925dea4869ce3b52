"""Retention through the official SDK: the bucket's WORM policy (initiate, get, abort, complete, extend,
the locked policy refusing deletes), object-level WORM (the bucket's default retention), and the
retention and legal hold of single objects."""

import datetime

import alibabacloud_oss_v2 as oss

from _common import Suite, empty_and_delete_bucket, eq, expect_error, make_client, true, unique_bucket

suite = Suite("worm")
client = make_client()
BUCKET = unique_bucket("worm")
LOCKED = unique_bucket("wlock")
OBJ = unique_bucket("oworm")
state = {}


def get_worm(bucket):
    return client.get_bucket_worm(oss.GetBucketWormRequest(bucket=bucket)).worm_configuration


@suite.check("setup: buckets")
def _():
    for b in (BUCKET, LOCKED, OBJ):
        client.put_bucket(oss.PutBucketRequest(bucket=b))


@suite.check("bucket worm: 404 NoSuchWORMConfiguration before initiate")
def _():
    expect_error(lambda: get_worm(BUCKET), 404, "NoSuchWORMConfiguration")


@suite.check("bucket worm: initiate returns an id; get shows it InProgress with the days sent")
def _():
    result = client.initiate_bucket_worm(oss.InitiateBucketWormRequest(
        bucket=BUCKET, initiate_worm_configuration=oss.InitiateWormConfiguration(retention_period_in_days=3)))
    true(result.worm_id, "x-oss-worm-id is set")
    conf = get_worm(BUCKET)
    eq(conf.worm_id, result.worm_id, "WormId")
    eq(conf.state, "InProgress", "State")
    eq(conf.retention_period_in_days, 3, "RetentionPeriodInDays")
    true(conf.creation_date, "CreationDate is set")


@suite.check("bucket worm: a second initiate while one is in progress is refused (409)")
def _():
    expect_error(lambda: client.initiate_bucket_worm(oss.InitiateBucketWormRequest(
        bucket=BUCKET, initiate_worm_configuration=oss.InitiateWormConfiguration(retention_period_in_days=1))),
        409)


@suite.check("bucket worm: abort an InProgress policy; get is 404 again")
def _():
    client.abort_bucket_worm(oss.AbortBucketWormRequest(bucket=BUCKET))
    expect_error(lambda: get_worm(BUCKET), 404, "NoSuchWORMConfiguration")


@suite.check("bucket worm: complete with an unknown id is 404 NoSuchWORMConfiguration")
def _():
    client.initiate_bucket_worm(oss.InitiateBucketWormRequest(
        bucket=LOCKED, initiate_worm_configuration=oss.InitiateWormConfiguration(retention_period_in_days=1)))
    expect_error(lambda: client.complete_bucket_worm(oss.CompleteBucketWormRequest(
        bucket=LOCKED, worm_id="0000000000000000000000000000000")), 404, "NoSuchWORMConfiguration")


@suite.check("bucket worm: complete locks it; extend to 2 days; abort is refused")
def _():
    wid = get_worm(LOCKED).worm_id
    client.complete_bucket_worm(oss.CompleteBucketWormRequest(bucket=LOCKED, worm_id=wid))
    conf = get_worm(LOCKED)
    eq((conf.worm_id, conf.state, conf.retention_period_in_days), (wid, "Locked", 1), "after complete")
    client.extend_bucket_worm(oss.ExtendBucketWormRequest(
        bucket=LOCKED, worm_id=wid,
        extend_worm_configuration=oss.ExtendWormConfiguration(retention_period_in_days=2)))
    eq(get_worm(LOCKED).retention_period_in_days, 2, "RetentionPeriodInDays after extend")
    err = expect_error(lambda: client.abort_bucket_worm(oss.AbortBucketWormRequest(bucket=LOCKED)), 409)
    true(err.code, "an error code")


@suite.check("bucket worm: a locked policy refuses deleting a fresh object (409 FileImmutable)")
def _():
    client.put_object(oss.PutObjectRequest(bucket=LOCKED, key="kept", body=b"kept"))
    expect_error(lambda: client.delete_object(oss.DeleteObjectRequest(bucket=LOCKED, key="kept")),
                 409, "FileImmutable")
    eq(client.get_object(oss.GetObjectRequest(bucket=LOCKED, key="kept")).body.content, b"kept", "still there")


@suite.check("object worm: retention before object worm is enabled is refused (400 InvalidRequest)")
def _():
    client.put_object(oss.PutObjectRequest(bucket=OBJ, key="pre", body=b"pre"))
    expect_error(lambda: client.get_object_retention(oss.GetObjectRetentionRequest(bucket=OBJ, key="pre")),
                 400, "InvalidRequest")


@suite.check("object worm configuration: put enabled with a GOVERNANCE 1-day default; get equal")
def _():
    client.put_bucket_versioning(oss.PutBucketVersioningRequest(
        bucket=OBJ, versioning_configuration=oss.VersioningConfiguration(status="Enabled")))
    client.put_bucket_object_worm_configuration(oss.PutBucketObjectWormConfigurationRequest(
        bucket=OBJ, object_worm_configuration=oss.ObjectWormConfiguration(
            object_worm_enabled="Enabled",
            rule=oss.ObjectWormConfigurationRule(default_retention=oss.ObjectWormConfigurationRuleDefaultRetention(
                mode="GOVERNANCE", days=1)))))
    conf = client.get_bucket_object_worm_configuration(
        oss.GetBucketObjectWormConfigurationRequest(bucket=OBJ)).object_worm_configuration
    eq(conf.object_worm_enabled, "Enabled", "ObjectWormEnabled")
    eq((conf.rule.default_retention.mode, conf.rule.default_retention.days), ("GOVERNANCE", 1),
       "DefaultRetention")


@suite.check("object retention: a new object gets the default GOVERNANCE retention about a day ahead")
def _():
    put = client.put_object(oss.PutObjectRequest(bucket=OBJ, key="doc", body=b"v1"))
    state["v1"] = put.version_id
    r = client.get_object_retention(oss.GetObjectRetentionRequest(bucket=OBJ, key="doc")).retention
    eq(r.mode, "GOVERNANCE", "Mode")
    until = datetime.datetime.fromisoformat(r.retain_until_date.replace("Z", "+00:00"))
    ahead = until - datetime.datetime.now(datetime.timezone.utc)
    true(datetime.timedelta(hours=23) < ahead <= datetime.timedelta(days=1, minutes=5),
         f"RetainUntilDate {r.retain_until_date} is about a day ahead")


@suite.check("object retention: put COMPLIANCE 2 days ahead with bypass; get equal; shortening refused")
def _():
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).replace(microsecond=0)
    text = until.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    client.put_object_retention(oss.PutObjectRetentionRequest(
        bucket=OBJ, key="doc", bypass_governance_retention=True,
        retention=oss.Retention(mode="COMPLIANCE", retain_until_date=text)))
    r = client.get_object_retention(oss.GetObjectRetentionRequest(bucket=OBJ, key="doc")).retention
    eq(r.mode, "COMPLIANCE", "Mode")
    got = datetime.datetime.fromisoformat(r.retain_until_date.replace("Z", "+00:00"))
    eq(got, until, "RetainUntilDate")
    shorter = (until - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    expect_error(lambda: client.put_object_retention(oss.PutObjectRetentionRequest(
        bucket=OBJ, key="doc", retention=oss.Retention(mode="COMPLIANCE", retain_until_date=shorter))),
        403, "AccessDenied")


@suite.check("object retention: a protected version cannot be deleted permanently")
def _():
    expect_error(lambda: client.delete_object(oss.DeleteObjectRequest(
        bucket=OBJ, key="doc", version_id=state["v1"])), 409)


@suite.check("legal hold: OFF by default; put ON, get ON; put OFF, get OFF; bad status 400")
def _():
    get = lambda: client.get_object_legal_hold(oss.GetObjectLegalHoldRequest(bucket=OBJ, key="doc")).legal_hold
    eq(get().status, "OFF", "default Status")
    client.put_object_legal_hold(oss.PutObjectLegalHoldRequest(
        bucket=OBJ, key="doc", legal_hold=oss.LegalHold(status="ON")))
    eq(get().status, "ON", "after ON")
    client.put_object_legal_hold(oss.PutObjectLegalHoldRequest(
        bucket=OBJ, key="doc", legal_hold=oss.LegalHold(status="OFF")))
    eq(get().status, "OFF", "after OFF")
    expect_error(lambda: client.put_object_legal_hold(oss.PutObjectLegalHoldRequest(
        bucket=OBJ, key="doc", legal_hold=oss.LegalHold(status="MAYBE"))), 400, "InvalidArgument")


@suite.check("object retention / legal hold of an absent key: 404 NoSuchKey")
def _():
    expect_error(lambda: client.get_object_retention(oss.GetObjectRetentionRequest(bucket=OBJ, key="absent")),
                 404, "NoSuchKey")
    expect_error(lambda: client.get_object_legal_hold(oss.GetObjectLegalHoldRequest(bucket=OBJ, key="absent")),
                 404, "NoSuchKey")


@suite.cleanup
def _():
    # Only the unprotected bucket can go; the others are discarded with the emulator's data directory.
    empty_and_delete_bucket(client, BUCKET)


suite.run()
