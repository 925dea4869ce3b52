"""Cross-region replication and redundancy transition through the official SDK: replication rules
(put, get equal, location, progress, RTC, delete by id, absent answers) and redundancy transition tasks
(create ZRS, get, list per bucket and per user, delete, absent answers)."""

import alibabacloud_oss_v2 as oss

from _common import (LOCATION, Suite, empty_and_delete_bucket, eq, expect_error, header, make_client, true,
                     unique_bucket)

suite = Suite("replication")
client = make_client()
BUCKET = unique_bucket("repl")
TARGET = unique_bucket("repl-dst")
DEST_LOCATION = "oss-cn-beijing" if LOCATION != "oss-cn-beijing" else "oss-cn-shanghai"
state = {}


def get_rules():
    return client.get_bucket_replication(
        oss.GetBucketReplicationRequest(bucket=BUCKET)).replication_configuration.rules


def rule_id(result):
    """x-oss-replication-rule-id: SDK 1.4.1 leaves `replication_rule_id` unset (it reads the body only)."""
    return result.replication_rule_id or header(result, "x-oss-replication-rule-id")


@suite.check("setup: buckets")
def _():
    client.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    client.put_bucket(oss.PutBucketRequest(bucket=TARGET))


@suite.check("replication: 404 NoSuchReplicationConfiguration before put")
def _():
    expect_error(get_rules, 404, "NoSuchReplicationConfiguration")


@suite.check("replication: put a rule with an ID; the rule id header echoes it; get equal")
def _():
    rule = oss.ReplicationRule(
        id="rule-logs", prefix_set=oss.ReplicationPrefixSet(prefixs=["logs/", "img/"]), action="PUT",
        destination=oss.ReplicationDestination(bucket=TARGET, location=DEST_LOCATION, transfer_type="internal"),
        historical_object_replication="disabled")
    result = client.put_bucket_replication(oss.PutBucketReplicationRequest(
        bucket=BUCKET, replication_configuration=oss.ReplicationConfiguration(rules=[rule])))
    eq(rule_id(result), "rule-logs", "x-oss-replication-rule-id")
    rules = get_rules()
    eq(len(rules), 1, "rule count")
    r = rules[0]
    eq(r.id, "rule-logs", "ID")
    eq(r.prefix_set.prefixs, ["logs/", "img/"], "PrefixSet")
    eq(r.action, "PUT", "Action")
    eq((r.destination.bucket, r.destination.location, r.destination.transfer_type),
       (TARGET, DEST_LOCATION, "internal"), "Destination")
    eq(r.historical_object_replication, "disabled", "HistoricalObjectReplication")
    true(r.status in ("starting", "doing"), f"Status {r.status!r} is starting or doing")


@suite.check("replication: a rule without ID gets one; defaults Action ALL, historical enabled")
def _():
    rule = oss.ReplicationRule(destination=oss.ReplicationDestination(bucket=TARGET, location=DEST_LOCATION))
    result = client.put_bucket_replication(oss.PutBucketReplicationRequest(
        bucket=BUCKET, replication_configuration=oss.ReplicationConfiguration(rules=[rule])))
    generated = rule_id(result)
    true(generated, "x-oss-replication-rule-id is set")
    state["generated"] = generated
    got = {r.id: r for r in get_rules()}
    eq(sorted(got), sorted(["rule-logs", generated]), "rule ids")
    r = got[generated]
    eq((r.action, r.historical_object_replication), ("ALL", "enabled"), "defaults")


@suite.check("replication: a rule replicating the bucket to itself is refused (400 InvalidArgument)")
def _():
    rule = oss.ReplicationRule(id="self",
                               destination=oss.ReplicationDestination(bucket=BUCKET, location=LOCATION))
    expect_error(lambda: client.put_bucket_replication(oss.PutBucketReplicationRequest(
        bucket=BUCKET, replication_configuration=oss.ReplicationConfiguration(rules=[rule]))),
        400, "InvalidArgument")


@suite.check("replication location: other regions, never the bucket's own")
def _():
    loc = client.get_bucket_replication_location(
        oss.GetBucketReplicationLocationRequest(bucket=BUCKET)).replication_location
    true(loc.locations, "Location list is not empty")
    true(LOCATION not in loc.locations, f"{LOCATION} is not a replication target of itself")
    true(DEST_LOCATION in loc.locations, f"{DEST_LOCATION} is listed")
    true(all(x.startswith("oss-") for x in loc.locations), "every location is oss-*")


@suite.check("replication progress: the rule as sent; unknown rule 404 NoSuchReplicationRule")
def _():
    p = client.get_bucket_replication_progress(oss.GetBucketReplicationProgressRequest(
        bucket=BUCKET, rule_id="rule-logs")).replication_progress
    eq(len(p.rules), 1, "rule count")
    r = p.rules[0]
    eq(r.id, "rule-logs", "ID")
    eq(r.prefix_set.prefixs, ["logs/", "img/"], "PrefixSet")
    eq((r.destination.bucket, r.destination.location), (TARGET, DEST_LOCATION), "Destination")
    eq(r.historical_object_replication, "disabled", "HistoricalObjectReplication")
    true(r.progress is not None and r.progress.new_object, "Progress/NewObject is set")
    expect_error(lambda: client.get_bucket_replication_progress(oss.GetBucketReplicationProgressRequest(
        bucket=BUCKET, rule_id="no-such-rule")), 404, "NoSuchReplicationRule")


@suite.check("replication RTC: enable on a rule; get shows RTC enabled")
def _():
    client.put_bucket_rtc(oss.PutBucketRtcRequest(bucket=BUCKET, rtc_configuration=oss.RtcConfiguration(
        id="rule-logs", rtc=oss.ReplicationTimeControl(status="enabled"))))
    r = {r.id: r for r in get_rules()}["rule-logs"]
    true(r.rtc is not None, "RTC element present")
    true(r.rtc.status in ("enabled", "enabling"), f"RTC/Status {r.rtc.status!r}")


@suite.check("replication RTC: an unknown rule is 404 NoSuchReplicationRule")
def _():
    expect_error(lambda: client.put_bucket_rtc(oss.PutBucketRtcRequest(
        bucket=BUCKET, rtc_configuration=oss.RtcConfiguration(
            id="no-such-rule", rtc=oss.ReplicationTimeControl(status="enabled")))),
        404, "NoSuchReplicationRule")


@suite.check("replication: delete one rule by id, the other remains; delete it, 404 again")
def _():
    client.delete_bucket_replication(oss.DeleteBucketReplicationRequest(
        bucket=BUCKET, replication_rules=oss.ReplicationRules(ids=["rule-logs"])))
    eq([r.id for r in get_rules()], [state["generated"]], "remaining rules")
    expect_error(lambda: client.delete_bucket_replication(oss.DeleteBucketReplicationRequest(
        bucket=BUCKET, replication_rules=oss.ReplicationRules(ids=["rule-logs"]))),
        404, "NoSuchReplicationRule")
    client.delete_bucket_replication(oss.DeleteBucketReplicationRequest(
        bucket=BUCKET, replication_rules=oss.ReplicationRules(ids=[state["generated"]])))
    expect_error(get_rules, 404, "NoSuchReplicationConfiguration")


def get_task(task_id):
    return client.get_bucket_data_redundancy_transition(oss.GetBucketDataRedundancyTransitionRequest(
        bucket=BUCKET, redundancy_transition_taskid=task_id)).bucket_data_redundancy_transition


@suite.check("redundancy transition: unknown task 404 NoSuchDataRedundancyTransition; empty bucket list")
def _():
    expect_error(lambda: get_task("no-such-task"), 404, "NoSuchDataRedundancyTransition")
    listed = client.list_bucket_data_redundancy_transition(oss.ListBucketDataRedundancyTransitionRequest(
        bucket=BUCKET)).list_bucket_data_redundancy_transition
    eq(listed.bucket_data_redundancy_transition or [], [], "no tasks")


@suite.check("redundancy transition: to LRS is refused (400 InvalidArgument)")
def _():
    expect_error(lambda: client.create_bucket_data_redundancy_transition(
        oss.CreateBucketDataRedundancyTransitionRequest(bucket=BUCKET, target_redundancy_type="LRS")),
        400, "InvalidArgument")


@suite.check("redundancy transition: create ZRS gives a task id; get shows it Queueing on the bucket")
def _():
    result = client.create_bucket_data_redundancy_transition(oss.CreateBucketDataRedundancyTransitionRequest(
        bucket=BUCKET, target_redundancy_type="ZRS"))
    task_id = result.bucket_data_redundancy_transition.task_id
    true(task_id, "TaskId is set")
    state["task"] = task_id
    task = get_task(task_id)
    eq((task.bucket, task.task_id, task.status), (BUCKET, task_id, "Queueing"), "Bucket, TaskId, Status")
    true(task.create_time, "CreateTime is set")


@suite.check("redundancy transition: a second task while one is unfinished is refused (409)")
def _():
    expect_error(lambda: client.create_bucket_data_redundancy_transition(
        oss.CreateBucketDataRedundancyTransitionRequest(bucket=BUCKET, target_redundancy_type="ZRS")), 409)


@suite.check("redundancy transition: the bucket's and the user's lists show the task")
def _():
    listed = client.list_bucket_data_redundancy_transition(oss.ListBucketDataRedundancyTransitionRequest(
        bucket=BUCKET)).list_bucket_data_redundancy_transition
    eq([t.task_id for t in listed.bucket_data_redundancy_transition], [state["task"]], "bucket list")
    user = client.list_user_data_redundancy_transition(oss.ListUserDataRedundancyTransitionRequest(
        max_keys=100)).list_bucket_data_redundancy_transition
    eq([(t.bucket, t.task_id) for t in user.bucket_data_redundancy_transition], [(BUCKET, state["task"])],
       "user list")


@suite.check("redundancy transition: delete the queued task (204); get is 404 after")
def _():
    result = client.delete_bucket_data_redundancy_transition(oss.DeleteBucketDataRedundancyTransitionRequest(
        bucket=BUCKET, redundancy_transition_taskid=state["task"]))
    eq(result.status_code, 204, "delete status")
    expect_error(lambda: get_task(state["task"]), 404, "NoSuchDataRedundancyTransition")


@suite.cleanup
def _():
    empty_and_delete_bucket(client, BUCKET)
    empty_and_delete_bucket(client, TARGET)


suite.run()
