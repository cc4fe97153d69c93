"""The instance bootstrap (instance/lustre-ha-bootstrap) against a fake IMDS, fake tables and fake
Lustre commands. Each scenario asserts the calls made and the calls not made."""

import fcntl
import json
import shutil
import time

from conftest import FS, ME, MGS_IP, OTHER, RESOURCES, ROLES

OST3 = "vol-03333333333333333"
OSTA = "vol-0aaaaaaaaaaaaaaa1"
MDT0 = "vol-0d000000000000000"
MDT1 = "vol-0d000000000000001"
MGT = "vol-0aaaaaaaaaaaaaaa0"

# oss01 holds two OSTs, listed out of index order and recorded at /dev/sdf and /dev/sdg.
OSS01 = [(OSTA, "/dev/sdf", f"{FS}-OST000a"), (OST3, "/dev/sdg", f"{FS}-OST0003")]
OSS01_IP = "10.0.2.20"


def mkfs_devices(world):
    return [args[-1] for args in world.calls_of("mkfs.lustre")]


def mount_calls(world):
    return [(args[2], args[3]) for args in world.calls_of("mount")]


def updates(world, attribute):
    """UpdateItem calls whose update expression sets the attribute."""
    return [args for args in world.calls_of("aws", "dynamodb", "update-item")
            if attribute in args[args.index("--update-expression") + 1]]


def assert_nothing_touched(world):
    assert world.calls_of("mkfs.lustre") == []
    assert world.calls_of("mount") == []
    assert updates(world, "needsFormat") == []
    assert updates(world, "mountedEpoch") == []


# ---------------------------------------------------------------- the first claim, and later ones


def test_first_claim_formats_each_target_then_records_it_then_mounts_in_order(world):
    world.handover("oss01", OSS01, epoch=1, needs_format=True, nvme_names=["nvme2n1", "nvme1n1"])

    run = world.run()

    assert run.rc == 0, run
    dev = world.dev
    # OST0003 before OST000a (index 3, then 10), each on the device whose serial is its volume id.
    assert world.calls_of("mkfs.lustre") == [
        [f"--fsname={FS}", "--ost", "--index=3", f"--mgsnode={MGS_IP}@tcp", f"{dev}/nvme1n1"],
        [f"--fsname={FS}", "--ost", "--index=10", f"--mgsnode={MGS_IP}@tcp", f"{dev}/nvme2n1"],
    ]
    [update] = updates(world, "needsFormat")
    assert update[update.index("--condition-expression") + 1] == \
        "#owner = :me AND #epoch = :epoch AND #state IN (:from0, :from1)"
    values = json.loads(update[update.index("--expression-attribute-values") + 1])
    assert values[":me"] == {"S": ME} and values[":epoch"] == {"N": "1"}
    assert {values[":from0"]["S"], values[":from1"]["S"]} == {"CLAIMED", "SERVING"}
    assert world.item(ROLES, "oss01")["needsFormat"] == {"BOOL": False}
    assert mount_calls(world) == [(f"{dev}/nvme1n1", f"{world.mnt}/{FS}-OST0003"),
                                  (f"{dev}/nvme2n1", f"{world.mnt}/{FS}-OST000a")]
    # Formatted, then recorded, then mounted, then reported mounted.
    order = [c["cmd"] if c["cmd"] != "aws" else c["args"][1] for c in world.calls
             if c["cmd"] in ("mkfs.lustre", "mount") or c["args"][1:2] == ["update-item"]]
    assert order == ["mkfs.lustre", "mkfs.lustre", "update-item", "mount", "mount", "update-item"]
    assert world.item(ROLES, "oss01")["mountedEpoch"] == {"N": "1"}
    assert run.last()["step"] == "finished"


def test_every_dynamodb_read_is_strongly_consistent(world):
    world.handover("oss01", OSS01)

    assert world.run().rc == 0

    reads = world.calls_of("aws", "dynamodb", "get-item")
    assert reads and all("--consistent-read" in args for args in reads)


def test_first_claim_of_the_mgs_formats_the_mgt_first_and_mdt_with_its_own_nid(world):
    # A combined MGS/MDS role, its volumes listed MDT first.
    world.resources("mgs", "eni-0a0a0a0a0a0a0a0a0", MGS_IP,
                    [(MDT0, "/dev/sdg", f"{FS}-MDT0000"), (MGT, "/dev/sdf", "MGS")])
    world.role("mgs", epoch=1, needs_format=True)
    world.attach_eni("eni-0a0a0a0a0a0a0a0a0", "0e:00:00:00:01:10", "eth1", MGS_IP)
    world.attach_volume(MDT0, "nvme1n1")
    world.attach_volume(MGT, "nvme2n1")
    world.tags(role="mgs", epoch=1, needs_format=True)

    run = world.run()

    assert run.rc == 0, run
    assert world.calls_of("mkfs.lustre") == [
        ["--mgs", f"{world.dev}/nvme2n1"],
        [f"--fsname={FS}", "--mdt", "--index=0", f"--mgsnode={MGS_IP}@tcp", f"{world.dev}/nvme1n1"],
    ]
    assert [m[1] for m in mount_calls(world)] == [f"{world.mnt}/MGS", f"{world.mnt}/{FS}-MDT0000"]


def test_co_located_mds01_formats_a_separate_mgt_first_and_its_mdt_registers_with_its_own_nid(world):
    # MgsOnMds: no mgs role; mds01 holds the MGT (/dev/sdf) and MDT0000 (/dev/sdg).
    (world.state / "tables" / f"{RESOURCES}.json").write_text(json.dumps({"items": []}))
    mds01_ip = "10.0.1.30"
    world.handover("mds01", [(MGT, "/dev/sdf", "MGS"), (MDT0, "/dev/sdg", f"{FS}-MDT0000")], ip=mds01_ip,
                   nvme_names=["nvme2n1", "nvme1n1"])

    run = world.run(MGS_ROLE="mds01")

    assert run.rc == 0, run
    assert world.calls_of("mkfs.lustre") == [
        ["--mgs", f"{world.dev}/nvme2n1"],
        [f"--fsname={FS}", "--mdt", "--index=0", f"--mgsnode={mds01_ip}@tcp", f"{world.dev}/nvme1n1"],
    ]
    assert [m[1] for m in mount_calls(world)] == [f"{world.mnt}/MGS", f"{world.mnt}/{FS}-MDT0000"]
    # Its own MGT: no Resources read of another role for the MGS's address.
    reads = [args[args.index("--key") + 1] for args in world.calls_of("aws", "dynamodb", "get-item")]
    assert not any('"mgs"' in key for key in reads), reads


def test_co_located_an_oss_formats_against_the_nid_of_mds01(world):
    (world.state / "tables" / f"{RESOURCES}.json").write_text(json.dumps({"items": []}))
    world.resources("mds01", "eni-0b0b0b0b0b0b0b0b0", "10.0.1.30",
                    [(MGT, "/dev/sdf", "MGS"), (MDT0, "/dev/sdg", f"{FS}-MDT0000")])
    world.handover("oss01", OSS01, nvme_names=["nvme2n1", "nvme1n1"])

    run = world.run(MGS_ROLE="mds01")

    assert run.rc == 0, run
    assert {args[3] for args in world.calls_of("mkfs.lustre")} == {"--mgsnode=10.0.1.30@tcp"}


def test_an_unknown_mgs_role_is_a_configuration_error(world):
    world.handover("oss01", OSS01)
    run = world.run(MGS_ROLE="oss01")
    assert run.rc == 2, run
    assert_nothing_touched(world)


def test_targets_mount_in_lustre_order_mgt_then_mdts_then_osts(world):
    volumes = [("vol-0e000000000000001", "/dev/sdf", f"{FS}-OST0000"),
               ("vol-0e000000000000002", "/dev/sdg", f"{FS}-MDT0001"),
               ("vol-0e000000000000003", "/dev/sdh", "MGS"),
               ("vol-0e000000000000004", "/dev/sdi", f"{FS}-MDT0000")]
    world.handover("mds01", volumes)

    run = world.run()

    assert run.rc == 0, run
    order = ["MGS", f"{FS}-MDT0000", f"{FS}-MDT0001", f"{FS}-OST0000"]
    assert [m[1].rsplit("/", 1)[1] for m in mount_calls(world)] == order
    kinds = [args[0] if args[0] == "--mgs" else args[1] for args in world.calls_of("mkfs.lustre")]
    assert kinds == ["--mgs", "--mdt", "--mdt", "--ost"]


def test_later_claim_mounts_without_formatting(world):
    world.handover("oss01", OSS01, epoch=3, needs_format=False, nvme_names=["nvme1n1", "nvme2n1"])
    world.lustre_target("nvme1n1", f"{FS}-OST000a", index=10)
    world.lustre_target("nvme2n1", f"{FS}-OST0003", index=3)

    run = world.run()

    assert run.rc == 0, run
    assert world.calls_of("mkfs.lustre") == []
    assert updates(world, "needsFormat") == []
    assert mount_calls(world) == [(f"{world.dev}/nvme2n1", f"{world.mnt}/{FS}-OST0003"),
                                  (f"{world.dev}/nvme1n1", f"{world.mnt}/{FS}-OST000a")]
    assert world.item(ROLES, "oss01")["mountedEpoch"] == {"N": "3"}


def test_tag_and_table_disagreeing_on_needs_format_never_format(world):
    # The tag says format, the table says it was done at this epoch (a re-run after recording it).
    world.handover("oss01", OSS01, epoch=2, needs_format=False, tag_needs_format=True)
    world.lustre_target("nvme1n1", f"{FS}-OST000a", index=10)
    world.lustre_target("nvme2n1", f"{FS}-OST0003", index=3)

    run = world.run()

    assert run.rc == 0, run
    assert world.calls_of("mkfs.lustre") == []
    assert any("disagree" in m for m in run.messages("warn"))


def test_rerun_after_a_reboot_remounts_without_formatting_again(world):
    world.handover("oss01", OSS01, epoch=1, needs_format=True)
    assert world.run().rc == 0
    world.reboot()

    run = world.run()

    assert run.rc == 0, run
    assert world.calls_of("mkfs.lustre") == []
    assert len(world.calls_of("mount")) == 2
    assert updates(world, "needsFormat") == []


def test_rerun_while_mounted_changes_nothing(world):
    world.handover("oss01", OSS01, epoch=1, needs_format=True)
    assert world.run().rc == 0
    (world.root / "calls.jsonl").unlink()

    run = world.run()

    assert run.rc == 0, run
    assert world.calls_of("mkfs.lustre") == [] and world.calls_of("mount") == []
    assert world.calls_of("lnetctl") == [] and world.calls_of("tunefs.lustre") == []
    assert any(m == "already mounted" for m in run.messages())


# ---------------------------------------------------------------- stale epochs


def test_stale_epoch_refuses_to_format_or_mount(world):
    # A newer claim (epoch 5, another owner) superseded this instance's epoch 4.
    world.handover("oss01", OSS01, epoch=5, owner=OTHER, tag_epoch=4, needs_format=True)

    run = world.run()

    assert run.rc == 4, run
    assert_nothing_touched(world)
    assert world.calls_of("lnetctl") == []
    assert run.last()["msg"] == "refusing to mount: the role is not this instance's at the tagged epoch"
    assert run.last()["epoch_now"] == "5" and run.last()["owner_now"] == OTHER and run.last()["epoch"] == "4"


def test_newer_epoch_of_this_instance_waits_for_its_tags_then_refuses(world):
    world.handover("oss01", OSS01, epoch=5, state="CLAIMED", tag_epoch=4)

    # Bounds are whole seconds (bash's SECONDS): 3 s leaves room for several polls.
    run = world.run(TAG_WAIT_SECONDS=3)

    assert run.rc == 4, run
    assert_nothing_touched(world)
    assert len([m for m in run.messages() if "newer claim of this role by this instance" in m]) >= 2


def test_newer_epoch_of_this_instance_proceeds_once_its_tags_arrive(world):
    world.handover("oss01", OSS01, epoch=5, state="CLAIMED", tag_epoch=4, needs_format=False)
    world.lustre_target("nvme1n1", f"{FS}-OST000a", index=10)
    world.lustre_target("nvme2n1", f"{FS}-OST0003", index=3)

    proc = world.start()
    world.await_log(proc, "a newer claim of this role by this instance is under way")
    world.role("oss01", epoch=5, state="SERVING", needs_format=False)
    world.tags(epoch=5)
    run = world.finish(proc)

    assert run.rc == 0, run
    assert world.item(ROLES, "oss01")["mountedEpoch"] == {"N": "5"}


def test_a_role_no_longer_serving_is_refused(world):
    world.handover("oss01", OSS01, epoch=2, state="ORPHANED")

    run = world.run()

    assert run.rc == 4, run
    assert_nothing_touched(world)
    assert run.last()["state_now"] == "ORPHANED"


def test_a_newer_claim_during_the_format_stops_before_mounting(world):
    world.handover("oss01", OSS01, epoch=1, needs_format=True)
    # While mkfs runs, another instance claims the role (epoch 2): recording the format must fail.
    world.faults(on_call={"mkfs.lustre": {"table": ROLES, "roleId": "oss01",
                                          "set": {"owner": {"S": OTHER}, "epoch": {"N": "2"},
                                                  "state": {"S": "CLAIMED"}}}})

    run = world.run()

    assert run.rc == 4, run
    assert len(world.calls_of("mkfs.lustre")) == 2
    assert len(updates(world, "needsFormat")) == 1
    assert world.calls_of("mount") == []
    assert updates(world, "mountedEpoch") == []
    item = world.item(ROLES, "oss01")
    assert item["owner"] == {"S": OTHER} and item["needsFormat"] == {"BOOL": True}
    assert run.last()["epoch_now"] == "2"
    assert "a newer claim owns the role" in run.last()["msg"]


def test_a_newer_claim_before_the_format_formats_nothing(world):
    world.handover("oss01", OSS01, epoch=1, needs_format=True)
    # The role is claimed away after the first check, while the devices are probed: the last look
    # before mkfs catches it.
    world.faults(on_call={"tunefs.lustre": {"table": ROLES, "roleId": "oss01",
                                            "set": {"owner": {"S": OTHER}, "epoch": {"N": "2"},
                                                    "state": {"S": "CLAIMED"}}}})

    run = world.run()

    assert run.rc == 4, run
    assert world.calls_of("tunefs.lustre")
    assert_nothing_touched(world)
    assert run.last()["msg"] == "the role changed before formatting: not formatting"


# ---------------------------------------------------------------- volumes by serial


def test_volumes_are_found_by_serial_whatever_their_device_names(world):
    volumes = [("vol-0123456789abcdef0", "/dev/sdf", f"{FS}-OST0000"),
               ("vol-0123456789abcdef1", "/dev/sdg", f"{FS}-OST0001"),
               ("vol-1234abcd", "/dev/sdh", f"{FS}-OST0002")]  # an old 8-digit volume id
    world.handover("oss02", volumes, nvme_names=["nvme3n1", "nvme1n1", "nvme4n1"])
    world.nvme("nvme0n1", "vol0fffffffffffffff0")            # the root volume
    world.nvme("nvme2n1", "AWS2C1F4D7E3B9A8F6C5")            # an instance store disk
    world.nvme("nvme1c1n1", "vol0123456789abcdef1")           # a hidden multipath node, never used
    for decoy in ("sdf", "sdg", "sdh", "xvdf"):              # the recorded names must never be used
        (world.dev / decoy).write_text("")

    run = world.run()

    assert run.rc == 0, run
    dev = world.dev
    assert mkfs_devices(world) == [f"{dev}/nvme3n1", f"{dev}/nvme1n1", f"{dev}/nvme4n1"]
    assert [m[0] for m in mount_calls(world)] == [f"{dev}/nvme3n1", f"{dev}/nvme1n1", f"{dev}/nvme4n1"]
    device_args = [a for c in world.calls if c["cmd"] != "aws" for a in c["args"]]
    assert not any("/sd" in a or "xvd" in a or "c1n1" in a for a in device_args)


def test_waits_for_a_volume_that_appears_late(world):
    world.handover("oss01", OSS01, nvme_names=["nvme1n1", "nvme2n1"])
    shutil.rmtree(world.sys / "block" / "nvme2n1")

    proc = world.start()
    world.await_log(proc, "waiting for volumes to appear")
    world.attach_volume(OST3, "nvme2n1")
    run = world.finish(proc)

    assert run.rc == 0, run
    assert any(m == "waiting for volumes to appear" for m in run.messages())
    assert f"{world.dev}/nvme2n1" in mkfs_devices(world)


def test_a_volume_that_never_appears_times_out_untouched(world):
    world.handover("oss01", OSS01)
    (world.sys / "block" / "nvme2n1" / "device" / "serial").write_text("vol0999999999999999\n")

    run = world.run(DEVICE_WAIT_SECONDS=1)

    assert run.rc == 5, run
    assert_nothing_touched(world)
    assert run.last()["missing"] == OST3


# ---------------------------------------------------------------- never format twice


def test_a_device_already_holding_its_target_is_never_formatted(world):
    # Formatted by an earlier run that stopped before recording it: needsFormat is still true.
    world.handover("oss01", OSS01, epoch=1, needs_format=True, nvme_names=["nvme1n1", "nvme2n1"])
    world.lustre_target("nvme2n1", f"{FS}:OST0003", index=3)  # as mkfs.lustre left it, never mounted

    run = world.run()

    assert run.rc == 0, run
    assert mkfs_devices(world) == [f"{world.dev}/nvme1n1"]
    assert len(updates(world, "needsFormat")) == 1
    assert len(world.calls_of("mount")) == 2


def test_every_target_already_formatted_still_records_the_format(world):
    world.handover("oss01", OSS01, epoch=1, needs_format=True, nvme_names=["nvme1n1", "nvme2n1"])
    world.lustre_target("nvme1n1", f"{FS}:OST000a", index=10)
    world.lustre_target("nvme2n1", f"{FS}:OST0003", index=3)

    run = world.run()

    assert run.rc == 0, run
    assert world.calls_of("mkfs.lustre") == []
    assert len(updates(world, "needsFormat")) == 1


def test_a_device_holding_another_target_is_refused(world):
    world.handover("oss01", OSS01, epoch=1, needs_format=True, nvme_names=["nvme1n1", "nvme2n1"])
    world.lustre_target("nvme1n1", f"{FS}-OST0007", index=7)

    run = world.run()

    assert run.rc == 7, run
    assert_nothing_touched(world)
    assert run.last()["found"] == f"{FS}-OST0007"


def test_a_device_holding_a_foreign_file_system_is_refused(world):
    world.handover("oss01", OSS01, epoch=1, needs_format=True, nvme_names=["nvme1n1", "nvme2n1"])
    world.foreign_fs("nvme1n1", "xfs")

    run = world.run()

    assert run.rc == 7, run
    assert_nothing_touched(world)
    assert run.last()["found"] == "xfs"


def test_a_blank_device_without_a_format_due_is_refused(world):
    world.handover("oss01", OSS01, epoch=2, needs_format=False)

    run = world.run()

    assert run.rc == 7, run
    assert_nothing_touched(world)
    assert "no format is due" in run.last()["msg"]


def test_a_device_tunefs_cannot_read_is_not_formatted(world):
    world.handover("oss01", OSS01, epoch=1, needs_format=True, nvme_names=["nvme1n1", "nvme2n1"])
    world.faults(tunefs_rc={"nvme2n1": 5})

    run = world.run()

    assert run.rc == 7, run
    assert_nothing_touched(world)


# ---------------------------------------------------------------- waiting for tags


def test_the_wait_for_tags_times_out_with_a_clear_message(world):
    run = world.run(TAG_WAIT_SECONDS=3)

    assert run.rc == 3, run
    assert run.last()["msg"] == "timed out waiting for the lustre-ha:role and lustre-ha:epoch tags"
    assert len([m for m in run.messages() if m == "waiting for the role and epoch tags"]) >= 2
    assert world.calls_of("aws") == []
    assert_nothing_touched(world)


def test_a_standby_keeps_waiting_past_the_bound_and_serves_when_given_a_role(world):
    world.tags(standby=FS)
    world.handover("oss01", OSS01)
    world.tags(role=None, epoch=None, needs_format=None)

    proc = world.start(TAG_WAIT_SECONDS=1)
    world.await_log(proc, "standby: no role to claim yet")
    time.sleep(2.5)
    assert proc.poll() is None, "a standby must not time out"
    world.tags(role="oss01", epoch=1, needs_format=True, standby=None)
    run = world.finish(proc)

    assert run.rc == 0, run
    assert any(m.startswith("standby") for m in run.messages())
    assert len(world.calls_of("mount")) == 2


def test_metadata_tags_not_enabled_is_named_in_the_log(world):
    world.disable_metadata_tags()

    run = world.run(TAG_WAIT_SECONDS=1)

    assert run.rc == 3, run
    assert any("InstanceMetadataTags" in m for m in run.messages("warn"))


def test_a_file_system_tag_for_another_file_system_is_a_configuration_error(world):
    world.handover("oss01", OSS01)
    world.imds_state["tags"]["lustre-ha:file-system"] = "other"
    world._write_imds()

    run = world.run()

    assert run.rc == 2, run
    assert_nothing_touched(world)


def test_imds_is_used_as_imdsv2_only(world):
    world.handover("oss01", OSS01)

    assert world.run().rc == 0

    gets = [r for r in world.imds.requests if r[0] == "GET"]
    puts = [r for r in world.imds.requests if r[0] == "PUT"]
    assert gets and all(ok for _, _, ok in gets)
    assert len(puts) == 1


# ---------------------------------------------------------------- LNet on the role's ENI


def test_lnet_is_configured_on_the_interface_of_the_role_eni(world):
    world.handover("oss01", OSS01, ip=OSS01_IP, mac="0E:00:00:00:02:20", interface="ens6")
    world.interface("ens5", "0e:00:00:00:09:99", "10.0.9.99")  # another interface, not the role's

    run = world.run()

    assert run.rc == 0, run
    assert world.calls_of("modprobe") == [["lnet"]]
    assert world.calls_of("lnetctl") == [["lnet", "configure"], ["net", "add", "--net", "tcp", "--if", "ens6"]]
    names = [c["cmd"] for c in world.calls]
    assert names.index("lnetctl") < names.index("mount")
    assert any(e.get("nid") == f"{OSS01_IP}@tcp" for e in run.logs)


def test_lnet_already_configured_with_the_role_nid_is_left_alone(world):
    world.handover("oss01", OSS01, ip=OSS01_IP)
    world.lnet(module=True, configured=True, nids=[f"{OSS01_IP}@tcp"])

    run = world.run()

    assert run.rc == 0, run
    assert world.calls_of("lnetctl") == [] and world.calls_of("modprobe") == []
    assert any(m == "LNet already configured" for m in run.messages())


def test_lnet_already_up_without_the_network_only_adds_it(world):
    world.handover("oss01", OSS01, ip=OSS01_IP, interface="ens6")
    world.lnet(module=True, configured=True, nids=[])

    run = world.run()

    assert run.rc == 0, run
    assert world.calls_of("modprobe") == []
    assert world.calls_of("lnetctl") == [["net", "add", "--net", "tcp", "--if", "ens6"]]


def test_lnet_with_another_nid_on_the_network_is_refused(world):
    world.handover("oss01", OSS01, ip=OSS01_IP)
    world.lnet(module=True, configured=True, nids=["10.0.0.5@tcp"])

    run = world.run()

    assert run.rc == 6, run
    assert world.calls_of("lnetctl") == []
    assert world.calls_of("mount") == []


def test_waits_for_the_eni_address_before_configuring_lnet(world):
    world.handover("oss01", OSS01, ip=OSS01_IP, mac="0e:00:00:00:02:20", interface="ens6")
    world.interface("ens6", "0e:00:00:00:02:20", None)  # attached, no address yet

    proc = world.start()
    world.await_log(proc, "waiting for the role's ENI")
    world.interface("ens6", "0e:00:00:00:02:20", OSS01_IP)
    run = world.finish(proc)

    assert run.rc == 0, run
    assert any(m == "waiting for the role's ENI" for m in run.messages())


# ---------------------------------------------------------------- mounting


def test_a_mount_that_fails_until_the_mgs_serves_is_retried(world):
    world.handover("oss01", OSS01)
    world.faults(mount_failures={f"{FS}-OST0003": 2})

    run = world.run()

    assert run.rc == 0, run
    assert len(world.calls_of("mount")) == 4
    assert len([m for m in run.messages("warn") if m == "mount failed; retrying"]) == 2


def test_a_mount_that_keeps_failing_gives_up_without_reporting_mounted(world):
    world.handover("oss01", OSS01)
    world.faults(mount_failures={f"{FS}-OST0003": 1000})

    run = world.run(MOUNT_WAIT_SECONDS=1)

    assert run.rc == 6, run
    assert updates(world, "mountedEpoch") == []


# ---------------------------------------------------------------- settings, failures, logs


def test_missing_settings_are_named(world):
    run = world.run(ROLES_TABLE=None)

    assert run.rc == 2, run
    assert run.last()["missing"] == "ROLES_TABLE"
    assert world.calls == []


def test_a_failing_dynamodb_call_exits_with_its_error(world):
    world.handover("oss01", OSS01)

    run = world.run(ROLES_TABLE="no-such-table")

    assert run.rc == 8, run
    assert "ResourceNotFoundException" in run.last()["error"]
    assert_nothing_touched(world)


def test_a_second_bootstrap_does_not_run_alongside_the_first(world):
    world.handover("oss01", OSS01)
    with open(world.env["LOCK_FILE"], "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        run = world.run()

    assert run.rc == 9, run
    assert world.calls == []


def test_an_unexpected_failure_is_logged_and_exits_1(world):
    world.handover("oss01", OSS01)
    (world.root / "not-a-directory").write_text("")

    run = world.run(MOUNT_ROOT=world.root / "not-a-directory")

    assert run.rc == 1, run
    assert run.last()["step"] == "unexpected" and "mkdir" in run.last()["command"]
    assert updates(world, "mountedEpoch") == []


def test_every_log_line_is_one_json_object_with_a_step(world):
    world.handover("oss01", OSS01)

    run = world.run()

    assert run.rc == 0, run
    assert run.logs and all("unparsed" not in e for e in run.logs), run.stderr
    assert all({"ts", "level", "step", "msg"} <= e.keys() for e in run.logs)
    steps = []
    for e in run.logs:
        if e["step"] not in steps:
            steps.append(e["step"])
    assert steps == ["identity", "tags", "role", "resources", "volumes", "lnet", "probe", "format", "report",
                     "mount", "finished"]
    assert all(e["instance"] == ME for e in run.logs)
