"""The health agent (instance/lustre-ha-health-agent) on a server the real bootstrap has brought up,
against the fake IMDS, tables, Lustre and LNet commands, and a fake CloudWatch on 127.0.0.1.

What the agent may rely on, and where it is written down:
- `lctl get_param -n health_check` prints `healthy`, `NOT HEALTHY` or `LBUG`
  (lustre-release lustre/obdclass/obd_sysfs.c, health_check_show);
- a failed `lnetctl ping` exits non-zero with an errno and "failed to ping <nid>"; --timeout is in
  whole seconds (lnet/utils/lnetctl.c jt_ping; lnet/lnet/api-ni.c);
- Lustre 2.16+ shows a writable server target rw in /proc/mounts, a read-only one ro; before,
  every server target reads ro (LU-8151; lustre/target/tgt_mount.c server_show_options);
- PutMetricData's MetricDatum and its StorageResolution 1 or 60 (CloudWatch API reference,
  API_MetricDatum); the cloudwatch:namespace condition key is tested in tools/cfn-rules.
"""

import json
import time

import pytest

from conftest import AGENT, FS, ME, MGS_IP, OTHER, RESOURCES, ROLES

OSS01_IP = "10.0.2.20"
OSS01_NID = f"{OSS01_IP}@tcp"
MDS01_IP = "10.0.1.20"
OSS02_IP = "10.0.2.21"
OSTS = [("vol-03333333333333333", "/dev/sdf", f"{FS}-OST0003"), ("vol-0aaaaaaaaaaaaaaa1", "/dev/sdg", f"{FS}-OST000a")]
PEERS = {f"{MGS_IP}@tcp": "up", f"{MDS01_IP}@tcp": "up", f"{OSS02_IP}@tcp": "up"}


OTHER_ROLES = ["mgs", "mds01", "oss02"]


def others_serving(world, roles=OTHER_ROLES, state="SERVING", mounted=True):
    """The other roles' items in the Roles table: owned by other servers at epoch 3, in `state`,
    with their targets reported mounted at that epoch (`mountedEpoch`) or not."""
    for role_id in roles:
        world.role(role_id, owner=OTHER, epoch=3, state=state, needs_format=False)
        if mounted:
            table = world.state / "tables" / f"{ROLES}.json"
            data = json.loads(table.read_text())
            for item in data["items"]:
                if item["roleId"]["S"] == role_id:
                    item["mountedEpoch"] = {"N": "3"}
            table.write_text(json.dumps(data))


@pytest.fixture
def serving(world):
    """oss01 brought up by the real bootstrap at epoch 1, with three other roles (mgs, mds01,
    oss02) serving, mounted, on servers that answer LNet pings. The call record starts empty for
    the agent."""
    world.resources("mds01", "eni-0d0d0d0d0d0d0d0d0", MDS01_IP, [("vol-0d000000000000000", "/dev/sdf", f"{FS}-MDT0000")])
    world.resources("oss02", "eni-0e0e0e0e0e0e0e0e0", OSS02_IP, [("vol-0e000000000000000", "/dev/sdf", f"{FS}-OST0001")])
    world.handover("oss01", OSTS, epoch=1, ip=OSS01_IP, interface="ens6")
    run = world.run()
    assert run.rc == 0, run
    others_serving(world)
    world.peers(**PEERS)
    world.forget_calls()
    return world


def datapoints(world):
    return world.cloudwatch.datapoints()


def values(world):
    return [point[3] for point in datapoints(world)]


def unhealthy_lines(run):
    return [entry for entry in run.logs if entry.get("step") == "check" and entry.get("healthy") == "0"]


def assert_only_reported(world):
    """The agent reports; it never writes the tables, mounts, formats or configures anything."""
    assert world.calls_of("aws", "dynamodb", "update-item") == []
    for cmd in ("mount", "mkfs.lustre", "modprobe", "tunefs.lustre"):
        assert world.calls_of(cmd) == []
    assert [a for a in world.calls_of("lnetctl") if a[:1] != ["ping"]] == []


def set_mounts(world, transform):
    path = world.state / "mounts"
    path.write_text("".join(transform(line) + "\n" for line in path.read_text().splitlines() if transform(line)))


# ---------------------------------------------------------------- the bootstrap's hand-off


def test_the_bootstrap_leaves_what_it_mounted_for_the_agent(serving):
    mounted = json.loads((serving.root / "run" / "lustre-ha" / "mounted.json").read_text())

    assert mounted == {
        "fileSystem": FS, "role": "oss01", "epoch": 1, "instance": ME, "nid": OSS01_NID, "interface": "ens6",
        "targets": [
            {"label": f"{FS}-OST0003", "mountPoint": f"{serving.mnt}/{FS}-OST0003", "device": f"{serving.dev}/nvme1n1",
             "kind": "ost"},
            {"label": f"{FS}-OST000a", "mountPoint": f"{serving.mnt}/{FS}-OST000a", "device": f"{serving.dev}/nvme2n1",
             "kind": "ost"},
        ],
    }


# ---------------------------------------------------------------- healthy


def test_a_healthy_server_publishes_1_with_the_shared_contract(serving):
    run = serving.agent(cycles=1)

    assert run.rc == 0, run
    [request] = serving.cloudwatch.requests
    [datum] = request["MetricData"]
    # The contract the per-role alarm is built on: namespace, metric, dimensions, high resolution.
    assert request["Namespace"] == "LustreHA"
    assert datum["MetricName"] == "ServerHealthy"
    assert datum["Dimensions"] == [{"Name": "FileSystem", "Value": FS}, {"Name": "Role", "Value": "oss01"}]
    assert datum["StorageResolution"] == "1"
    assert float(datum["Value"]) == 1.0
    assert set(datum) == {"MetricName", "Dimensions", "Timestamp", "Value", "StorageResolution"}
    assert time.mktime(time.strptime(datum["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(time.gmtime()) < 60
    assert unhealthy_lines(run) == []
    assert any(entry.get("msg", "").startswith("healthy") for entry in run.logs)
    assert_only_reported(serving)


def test_every_check_reads_the_role_strongly_consistent_and_publishes_once(serving):
    run = serving.agent(cycles=3)

    assert run.rc == 0, run
    assert values(serving) == [1.0, 1.0, 1.0]
    reads = serving.calls_of("aws", "dynamodb", "get-item")
    assert len(reads) == 3
    assert all("--consistent-read" in args and args[args.index("--table-name") + 1] == ROLES for args in reads)
    # The peers are read once (a Query of the Resources table), not at every check.
    [query] = serving.calls_of("aws", "dynamodb", "query")
    assert query[query.index("--table-name") + 1] == RESOURCES
    # A healthy state is logged when it begins, not at every check.
    assert sum(entry.get("msg", "").startswith("healthy") for entry in run.logs) == 1


def test_the_peer_that_answered_is_pinged_first_so_a_healthy_check_costs_one_ping(serving):
    run = serving.agent(cycles=3)

    assert run.rc == 0, run
    pings = serving.calls_of("lnetctl", "ping")
    # The first check pings every other role (one wave); later checks only the one that answered.
    assert len(pings) == len(PEERS) + 2
    assert all(args[1:3] == ["--timeout", "1"] for args in pings)
    assert {args[-1] for args in pings} == set(PEERS)
    assert pings[-1] == pings[-2]


# ---------------------------------------------------------------- each kind of failure


def fail_health_check(text):
    return lambda world: world.lustre_health(text)


def unmount_ost000a(world):
    set_mounts(world, lambda line: "" if line.split()[1].endswith("OST000a") else line)


def ost0003_read_only(world):
    set_mounts(world, lambda line: line.replace(" rw,", " ro,") if line.split()[1].endswith("OST0003") else line)


def lose_the_nid(world):
    world.lnet(module=True, configured=True, nids=[])


def lnet_down(world):
    world.lnet(module=True, configured=False, nids=[])


def interface_down(world):
    world.operstate("ens6", "down")


def no_peer_answers(world):
    world.peers(**{nid: "down" for nid in PEERS})


FAILURES = [
    ("health_check NOT HEALTHY", fail_health_check("NOT HEALTHY"), "health_check says NOT HEALTHY"),
    ("health_check LBUG", fail_health_check("LBUG"), "health_check says LBUG"),
    ("a target unmounted", unmount_ost000a, f"target {FS}-OST000a is not mounted at"),
    ("a target read-only", ost0003_read_only, f"target {FS}-OST0003 is mounted read-only"),
    ("the NID missing", lose_the_nid, f"the role's NID {OSS01_NID} is not configured in LNet"),
    ("LNet down", lnet_down, "LNet is down: lctl list_nids failed"),
    ("the interface down", interface_down, "the role's interface ens6 is down, not up"),
    ("no peer reachable", no_peer_answers, "no other role's NID answers lnetctl ping"),
]


@pytest.mark.parametrize("fault, expected", [(f, e) for _, f, e in FAILURES], ids=[name for name, _, _ in FAILURES])
def test_each_failure_publishes_0_and_logs_its_reason(serving, fault, expected):
    fault(serving)

    run = serving.agent(cycles=1)

    assert run.rc == 0, run
    assert values(serving) == [0.0]
    [line] = unhealthy_lines(run)
    assert line["level"] == "warn" and line["role"] == "oss01" and line["epoch"] == "1"
    assert expected in line["reasons"], line
    assert_only_reported(serving)


def test_every_unhealthy_check_logs_one_line_and_every_reason(serving):
    serving.lustre_health("NOT HEALTHY")
    interface_down(serving)

    run = serving.agent(cycles=3)

    assert values(serving) == [0.0, 0.0, 0.0]
    lines = unhealthy_lines(run)
    assert len(lines) == 3
    assert all("health_check says NOT HEALTHY" in line["reasons"] and "ens6 is down" in line["reasons"]
               for line in lines)


def test_recovery_publishes_1_again(serving):
    serving.lustre_health("NOT HEALTHY")
    proc = serving.start(program=AGENT, HEALTH_CYCLES=40, HEALTH_SECONDS="0.2")
    serving.await_log(proc, "unhealthy")
    serving.lustre_health("healthy")
    run = serving.finish(proc)

    assert run.rc == 0, run
    points = values(serving)
    assert points[0] == 0.0 and points[-1] == 1.0
    assert 0.0 not in points[points.index(1.0):], "once healthy again, it stays healthy here"


def test_before_lustre_2_16_every_target_reads_ro_and_that_is_not_a_failure(serving):
    serving.lustre_version("2.15.6")
    set_mounts(serving, lambda line: line.replace(" rw,", " ro,"))

    run = serving.agent(cycles=1)

    assert values(serving) == [1.0]
    assert any("before Lustre 2.16" in entry.get("msg", "") for entry in run.logs)


def test_a_read_only_target_on_lustre_2_16_is_seen_on_the_second_look_too(serving):
    ost0003_read_only(serving)

    serving.agent(cycles=1)

    # Read twice before it counts (the first look after a mount may still say ro).
    assert values(serving) == [0.0]


# ---------------------------------------------------------------- peers: no storm from one dead server


@pytest.mark.parametrize("dead", [
    [f"{OSS02_IP}@tcp"],
    [f"{MGS_IP}@tcp"],
    [f"{MGS_IP}@tcp", f"{MDS01_IP}@tcp"],
], ids=["one OSS dead", "the MGS dead", "all but one peer dead"])
def test_dead_peers_do_not_make_a_healthy_server_look_sick(serving, dead):
    serving.peers(**{nid: "down" for nid in dead})

    run = serving.agent(cycles=2)

    assert values(serving) == [1.0, 1.0]
    assert unhealthy_lines(run) == []


def test_a_dead_peer_that_answered_before_is_replaced_by_another(serving):
    proc = serving.start(program=AGENT, HEALTH_CYCLES=8, HEALTH_SECONDS="0.3")
    serving.await_log(proc, "healthy")
    serving.peers(**{f"{MGS_IP}@tcp": "down", f"{MDS01_IP}@tcp": "down"})
    run = serving.finish(proc)

    assert values(serving) == [1.0] * 8, run


def test_hanging_pings_are_bounded_and_count_as_unanswered(serving):
    serving.peers(**{nid: "hang" for nid in PEERS})

    started = time.monotonic()
    run = serving.agent(cycles=1, PING_TIMEOUT_SECONDS=1)
    took = time.monotonic() - started

    assert values(serving) == [0.0]
    assert "no other role's NID answers" in unhealthy_lines(run)[0]["reasons"]
    # One wave, all in parallel, each ended by timeout(1) at PING_TIMEOUT_SECONDS + 2 (+1 to kill).
    assert took < 15, f"the check took {took:.1f} s"


@pytest.mark.parametrize("others", [
    {"roles": OTHER_ROLES, "state": "ORPHANED"},
    {"roles": OTHER_ROLES, "state": "SERVING", "mounted": False},
], ids=["every other role orphaned", "the others claimed, not mounted yet (a first start)"])
def test_reaching_nobody_while_no_other_role_serves_mounted_is_not_unhealthy(serving, others):
    others_serving(serving, **others)
    no_peer_answers(serving)

    run = serving.agent(cycles=1)

    assert values(serving) == [1.0]
    assert unhealthy_lines(run) == []
    # The Roles table is read for this only when no peer answered.
    queries = serving.calls_of("aws", "dynamodb", "query")
    assert [q[q.index("--table-name") + 1] for q in queries] == [RESOURCES, ROLES]
    assert any("no other role serves mounted" in entry.get("notes", "") for entry in run.logs)


def test_reaching_nobody_while_one_other_role_serves_mounted_is_unhealthy(serving):
    others_serving(serving, roles=["mgs", "mds01"], state="ORPHANED")
    no_peer_answers(serving)

    run = serving.agent(cycles=1)

    assert values(serving) == [0.0]
    assert "no other role's NID answers" in unhealthy_lines(run)[0]["reasons"]


def test_a_healthy_check_does_not_read_the_other_roles(serving):
    serving.agent(cycles=2)

    queries = serving.calls_of("aws", "dynamodb", "query")
    assert [q[q.index("--table-name") + 1] for q in queries] == [RESOURCES]


def test_a_file_system_with_no_other_role_skips_the_peer_check(serving):
    table = serving.state / "tables" / f"{RESOURCES}.json"
    data = json.loads(table.read_text())
    data["items"] = [i for i in data["items"] if i["roleId"]["S"] == "oss01"]
    table.write_text(json.dumps(data))
    no_peer_answers(serving)

    run = serving.agent(cycles=1)

    assert values(serving) == [1.0]
    assert serving.calls_of("lnetctl", "ping") == []
    assert any("no other role: peer check skipped" in entry.get("notes", "") for entry in run.logs)


# ---------------------------------------------------------------- only the owner at the epoch publishes


def test_re_claimed_at_a_newer_epoch_without_a_reboot_the_bootstrap_runs_again_and_the_agent_publishes(serving):
    # The handover re-claims oss01 for the server that already serves it: epoch 2, same owner, the
    # targets still mounted from epoch 1, and the bootstrap (run once per boot) long finished.
    serving.role("oss01", owner=ME, epoch=2, state="SERVING", needs_format=False)
    serving.tags(role="oss01", epoch=2, needs_format=False)

    run = serving.agent(cycles=3)

    assert run.rc == 0, run
    assert serving.cloudwatch.requests == []
    # Asked once for the epoch, not at every check.
    assert serving.calls_of("systemctl") == [["--no-block", "restart", "lustre-ha-bootstrap.service"]]
    assert any(entry.get("step") == "rerun" for entry in run.logs)

    # What systemd then runs: the real bootstrap, which finds everything mounted and reports epoch 2.
    again = serving.run()
    assert again.rc == 0, again
    assert serving.item(ROLES, "oss01")["mountedEpoch"] == {"N": "2"}
    assert serving.calls_of("mkfs.lustre") == []
    serving.forget_calls()

    run = serving.agent(cycles=1)

    assert values(serving) == [1.0]
    assert serving.calls_of("systemctl") == []


def test_a_mount_of_another_role_does_not_run_the_bootstrap(serving):
    serving.role("oss01", owner=ME, epoch=1, state="SERVING", needs_format=False)
    serving.tags(role="oss02", epoch=1, needs_format=False)

    serving.agent(cycles=2)

    assert serving.calls_of("systemctl") == []
    assert serving.cloudwatch.requests == []


def test_not_the_owner_publishes_nothing(serving):
    serving.role("oss01", owner=OTHER, epoch=2, needs_format=False)

    run = serving.agent(cycles=2)

    assert run.rc == 0, run
    assert serving.cloudwatch.requests == []
    assert serving.calls_of("aws", "cloudwatch") == []
    assert any("not the role's owner at epoch 1" in entry.get("msg", "") for entry in run.logs)


def test_a_stale_epoch_publishes_nothing(serving):
    # This instance owns the role again, at a newer epoch whose tags have not arrived yet.
    item = serving.item(ROLES, "oss01")
    item["epoch"] = {"N": "2"}
    serving._put_item(ROLES, item)

    serving.agent(cycles=1)

    assert serving.cloudwatch.requests == []


def test_a_role_not_reported_mounted_at_the_epoch_publishes_nothing(serving):
    item = serving.item(ROLES, "oss01")
    del item["mountedEpoch"]
    serving._put_item(ROLES, item)

    run = serving.agent(cycles=1)

    assert serving.cloudwatch.requests == []
    assert any("not reported mounted at epoch 1" in entry.get("msg", "") for entry in run.logs)


def test_after_a_reboot_nothing_is_published_until_the_bootstrap_mounted_again(serving):
    # The table still says mounted at epoch 1, but this boot has mounted nothing yet.
    (serving.root / "run" / "lustre-ha" / "mounted.json").unlink()

    run = serving.agent(cycles=1)

    assert serving.cloudwatch.requests == []
    assert serving.calls_of("aws") == [], "nothing to check, nothing to ask"
    assert any("has not mounted the role's targets since boot" in entry.get("msg", "") for entry in run.logs)


@pytest.mark.parametrize("state", ["RELEASING", "ORPHANED", "RELEASED"])
def test_a_role_no_longer_serving_publishes_nothing(serving, state):
    item = serving.item(ROLES, "oss01")
    item["state"] = {"S": state}
    serving._put_item(ROLES, item)

    serving.agent(cycles=1)

    assert serving.cloudwatch.requests == []


def test_a_standby_publishes_nothing(world):
    world.tags(standby=FS)

    run = world.agent(cycles=2)

    assert run.rc == 0, run
    assert world.cloudwatch.requests == []
    assert world.calls_of("aws") == []


def test_it_stops_publishing_the_check_it_loses_the_role(serving):
    # A newer claim by another server lands during the second check (its second lctl call).
    serving.faults(on_call={"lctl": {"at": 3, "table": ROLES, "roleId": "oss01",
                                     "set": {"owner": {"S": OTHER}, "epoch": {"N": "2"}, "state": {"S": "CLAIMED"}}}})

    run = serving.agent(cycles=4)

    assert run.rc == 0, run
    assert values(serving) == [1.0]


# ---------------------------------------------------------------- CloudWatch trouble is survived


def test_cloudwatch_unreachable_is_logged_and_survived(serving):
    serving.cloudwatch.stop()

    run = serving.agent(cycles=3)

    assert run.rc == 0, run
    failures = [entry for entry in run.logs if entry.get("step") == "publish"]
    assert len(failures) == 3
    assert all("Could not connect to the endpoint URL" in entry["error"] for entry in failures)


@pytest.mark.parametrize("mode", ["error", "throttle"])
def test_a_failing_put_is_retried_by_the_next_check(serving, mode):
    serving.cloudwatch.mode = mode
    proc = serving.start(program=AGENT, HEALTH_CYCLES=30, HEALTH_SECONDS="0.2")
    serving.await_log(proc, "PutMetricData failed")
    serving.cloudwatch.mode = "ok"
    run = serving.finish(proc)

    assert run.rc == 0, run
    assert values(serving) and set(values(serving)) == {1.0}


def test_a_cloudwatch_that_never_answers_does_not_hold_up_the_checks(serving):
    serving.cloudwatch.mode = "hang"

    started = time.monotonic()
    run = serving.agent(cycles=2, AWS_CALL_TIMEOUT=1)
    took = time.monotonic() - started

    assert run.rc == 0, run
    failures = [entry for entry in run.logs if entry.get("step") == "publish"]
    assert len(failures) == 2 and all("timed out after 1s" in entry["error"] for entry in failures)
    assert took < 15, f"two checks took {took:.1f} s"


# ---------------------------------------------------------------- settings


def test_missing_settings_are_a_configuration_error(world):
    run = world.agent(cycles=1, FILE_SYSTEM=None)

    assert run.rc == 2, run
    assert "FILE_SYSTEM" in run.last()["missing"]


def test_every_log_line_is_one_json_object_with_a_step(serving):
    serving.lustre_health("LBUG")

    run = serving.agent(cycles=2)

    assert run.logs and all("unparsed" not in entry and entry.get("step") for entry in run.logs), run


def test_sigterm_stops_the_agent_at_once_between_checks(serving):
    proc = serving.start(program=AGENT, HEALTH_CYCLES=0, HEALTH_SECONDS=30)
    serving.await_log(proc, "healthy")
    started = time.monotonic()
    proc.terminate()
    run = serving.finish(proc, timeout=10)

    assert run.rc == 0, run
    assert time.monotonic() - started < 5
    assert run.last()["step"] == "stop"


# ---------------------------------------------------------------- a planned move: release on request


def ask_release(world, epoch=1):
    """What the workflow's RequestRelease writes: releaseEpoch under the owner and epoch."""
    item = world.item(ROLES, "oss01")
    item["releaseEpoch"] = {"N": str(epoch)}
    world._put_item(ROLES, item)


def test_asked_to_release_it_unmounts_every_target_records_released_and_publishes_nothing(serving):
    ask_release(serving)

    run = serving.agent(cycles=2)

    assert run.rc == 0, run
    assert serving.cloudwatch.requests == [], "no datapoint once a release is asked"
    points = [args[-1] for args in serving.calls_of("umount")]
    assert points == [f"{serving.mnt}/{FS}-OST0003", f"{serving.mnt}/{FS}-OST000a"]
    assert [p for _, p in serving.mounts() if p in points] == []
    item = serving.item(ROLES, "oss01")
    assert item["state"] == {"S": "RELEASED"}
    assert item["unmountedEpoch"] == {"N": "1"}
    assert item["owner"] == {"S": ME} and item["epoch"] == {"N": "1"}, "the owner and epoch stay: the claim moves them"
    assert len(serving.calls_of("aws", "dynamodb", "update-item")) == 1
    assert not (serving.root / "run" / "lustre-ha" / "mounted.json").exists()


def test_the_release_unmounts_in_reverse_lustre_order_osts_mdts_then_the_mgt(serving):
    # A server holding an MGT, an MDT and an OST (one layout puts the MGS beside an MDS).
    mounted_file = serving.root / "run" / "lustre-ha" / "mounted.json"
    mounted = json.loads(mounted_file.read_text())
    base = mounted["targets"][0]
    labels = ["MGS", f"{FS}-MDT0000", f"{FS}-OST0003"]
    mounted["targets"] = [dict(base, label=label, mountPoint=f"{serving.mnt}/{label}") for label in labels]
    mounted_file.write_text(json.dumps(mounted))
    (serving.state / "mounts").write_text("".join(
        f"/dev/x{i} {serving.mnt}/{label} lustre rw,svname={label} 0 0\n" for i, label in enumerate(labels)))
    ask_release(serving)

    serving.agent(cycles=1)

    assert [args[-1] for args in serving.calls_of("umount")] == [
        f"{serving.mnt}/{FS}-OST0003", f"{serving.mnt}/{FS}-MDT0000", f"{serving.mnt}/MGS"]
    assert serving.item(ROLES, "oss01")["state"] == {"S": "RELEASED"}


def test_a_umount_that_hangs_is_bounded_and_never_confirmed(serving):
    ask_release(serving)
    serving.faults(umount_hangs=True)

    started = time.monotonic()
    run = serving.agent(cycles=1, UNMOUNT_TIMEOUT_SECONDS=1)

    assert run.rc == 0, run
    assert time.monotonic() - started < 20
    assert serving.calls_of("aws", "dynamodb", "update-item") == [], "no confirmation: the workflow fences"
    assert serving.item(ROLES, "oss01")["state"] == {"S": "SERVING"}
    assert serving.cloudwatch.requests == []
    assert any("umount failed or timed out" in entry.get("msg", "") for entry in run.logs)


def test_a_release_asked_at_another_epoch_is_ignored(serving):
    ask_release(serving, epoch=0)

    run = serving.agent(cycles=1)

    assert run.rc == 0, run
    assert values(serving) == [1.0]
    assert serving.calls_of("umount") == []
    assert_only_reported(serving)


def test_a_role_that_moved_on_during_the_unmount_is_not_recorded_released(serving):
    # The workflow's bound passed while the targets were coming down: it marked the role ORPHANED.
    ask_release(serving)
    serving.faults(on_call={"umount": {"table": ROLES, "roleId": "oss01", "set": {"state": {"S": "ORPHANED"}}}})

    run = serving.agent(cycles=1)

    assert run.rc == 0, run
    assert serving.item(ROLES, "oss01")["state"] == {"S": "ORPHANED"}
    assert "unmountedEpoch" not in serving.item(ROLES, "oss01")
    assert any("moved on before the release was recorded" in entry.get("msg", "") for entry in run.logs)
