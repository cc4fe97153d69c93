"""The world the bootstrap's and the health agent's tests run them in: a fake IMDS and a fake
CloudWatch on 127.0.0.1, fake tables, a fake sysfs and /dev, and fake aws, Lustre, LNet and ip
commands (fakes/fakecmd.py) that record every call.

The scripts run with a PATH that holds only the fakes and the few harmless real tools it needs
(bash, curl, jq, coreutils), so a command the tests did not fake cannot run for real: it is
simply not found.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_cloudwatch import FakeCloudWatch  # noqa: E402
from fake_imds import FakeImds  # noqa: E402

HERE = Path(__file__).resolve().parent
BOOTSTRAP = HERE.parent / "lustre-ha-bootstrap"
AGENT = HERE.parent / "lustre-ha-health-agent"
IMPORTER = HERE.parent / "lustre-ha-import"
FAKECMD = HERE / "fakes" / "fakecmd.py"
FAKED = ["aws", "mkfs.lustre", "tunefs.lustre", "blkid", "mount", "umount", "modprobe", "lnetctl", "lctl", "ip",
         "systemctl"]
REAL = ["bash", "curl", "jq", "flock", "sleep", "sort", "grep", "mkdir", "mktemp", "rm", "mv", "chmod", "timeout",
        "stat", "tr"]

FS = "scratch"
ME = "i-0a1b2c3d4e5f60718"
OTHER = "i-0ffeeddccbbaa9988"
ROLES = "lustre-ha-Roles"
RESOURCES = "lustre-ha-Resources"
MGS_IP = "10.0.1.10"
PRIMARY_MAC = "0e:00:00:00:00:01"


class Run:
    def __init__(self, proc_rc, stderr, world):
        self.rc = proc_rc
        self.stderr = stderr
        self.logs = []
        for line in stderr.splitlines():
            try:
                self.logs.append(json.loads(line))
            except json.JSONDecodeError:
                self.logs.append({"unparsed": line})
        self.world = world

    def messages(self, level=None):
        return [entry.get("msg", "") for entry in self.logs if level is None or entry.get("level") == level]

    def last(self):
        return self.logs[-1] if self.logs else {}

    def __repr__(self):
        return f"Run(rc={self.rc}, stderr=\n{self.stderr})"


class World:
    def __init__(self, root: Path):
        self.root = root
        self.state = root / "state"
        self.sys = root / "sys"
        self.dev = root / "dev"
        self.mnt = root / "mnt"
        for d in (root / "bin", root / "tmp", self.state / "tables", self.sys / "block", self.sys / "class" / "net",
                  self.dev, self.mnt):
            d.mkdir(parents=True, exist_ok=True)
        for name in FAKED:
            (root / "bin" / name).symlink_to(FAKECMD)
        for name in REAL:
            path = shutil.which(name)
            if path is None:
                pytest.fail(f"the bootstrap's tests need {name} on this machine")
            (root / "bin" / name).symlink_to(path)
        (root / "bin" / "python3").symlink_to(os.path.realpath(sys.executable))
        self.imds_file = root / "imds.json"
        self.imds_state = {
            "meta-data": {
                "instance-id": ME,
                "placement/availability-zone": "us-east-1a",
                "placement/region": "us-east-1",
                f"network/interfaces/macs/{PRIMARY_MAC}/interface-id": "eni-0000000000000prim",
            },
            "tags": {"lustre-ha:file-system": FS, "aws:autoscaling:groupName": f"{FS}-oss"},
        }
        self._write_imds()
        self.interface("eth0", PRIMARY_MAC, "10.0.0.5")
        for table in (ROLES, RESOURCES):
            self._save(self.state / "tables" / f"{table}.json", {"items": []})
        # The MGS role's resources: formatting an MDT or OST reads the MGS's NID from them.
        self.resources("mgs", "eni-0a0a0a0a0a0a0a0a0", MGS_IP, [("vol-0aaaaaaaaaaaaaaa0", "/dev/sdf", "MGS")])
        self.imds = FakeImds(self.imds_file).start()
        self.cloudwatch = FakeCloudWatch().start()
        self.seen = {}
        self.env = {
            "PATH": str(root / "bin"),
            "HOME": str(root),
            "TMPDIR": str(root / "tmp"),
            "FAKE_WORLD": str(root),
            "IMDS_ENDPOINT": self.imds.endpoint,
            "SYSFS_ROOT": str(self.sys),
            "DEV_ROOT": str(self.dev),
            "MOUNT_ROOT": str(self.mnt),
            "MOUNTS_FILE": str(self.state / "mounts"),
            "MOUNTED_FILE": str(root / "run" / "lustre-ha" / "mounted.json"),
            "LOCK_FILE": str(root / "bootstrap.lock"),
            "FILE_SYSTEM": FS,
            "ROLES_TABLE": ROLES,
            "RESOURCES_TABLE": RESOURCES,
            "TAG_WAIT_SECONDS": "5",
            "DEVICE_WAIT_SECONDS": "5",
            "MOUNT_WAIT_SECONDS": "5",
            "POLL_SECONDS": "0.1",
            "AWS_ENDPOINT_URL_CLOUDWATCH": self.cloudwatch.endpoint,
            # The health agent's, quick for the tests.
            "HEALTH_SECONDS": "0.1",
            "PING_TIMEOUT_SECONDS": "1",
            "COMMAND_TIMEOUT_SECONDS": "2",
            "AWS_CALL_TIMEOUT": "5",
        }

    # ------------------------------------------------------------ state

    @staticmethod
    def _save(path, value):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(value, indent=1))
        tmp.replace(path)

    @staticmethod
    def _load(path, default=None):
        return json.loads(path.read_text()) if path.exists() else default

    def _write_imds(self):
        self._save(self.imds_file, self.imds_state)

    def tags(self, **tags):
        """Sets instance tags by their short names: role, epoch, needs_format, standby; None removes."""
        current = self.imds_state["tags"]
        for short, value in tags.items():
            key = "lustre-ha:" + short.replace("_", "-")
            if value is None:
                current.pop(key, None)
            else:
                current[key] = str(value).lower() if isinstance(value, bool) else str(value)
        self._write_imds()

    def disable_metadata_tags(self):
        self.imds_state["tags"] = None
        self._write_imds()

    def _put_item(self, table, item):
        path = self.state / "tables" / f"{table}.json"
        data = self._load(path)
        data["items"] = [i for i in data["items"] if i["roleId"] != item["roleId"]] + [item]
        self._save(path, data)

    def item(self, table, role_id):
        data = self._load(self.state / "tables" / f"{table}.json")
        return next((i for i in data["items"] if i["roleId"]["S"] == role_id), None)

    def role(self, role_id, owner=ME, epoch=1, state="SERVING", needs_format=True):
        item = {
            "fileSystem": {"S": FS}, "roleId": {"S": role_id},
            "roleType": {"S": role_id[:3].upper()}, "roleIndex": {"N": "1"},
            "availabilityZone": {"S": "us-east-1a"},
            "epoch": {"N": str(epoch)}, "state": {"S": state}, "needsFormat": {"BOOL": needs_format},
            "createdAt": {"S": "2026-01-01T00:00:00Z"}, "updatedAt": {"S": "2026-01-01T00:00:00Z"},
        }
        if owner:
            item["owner"] = {"S": owner}
        self._put_item(ROLES, item)

    def resources(self, role_id, eni, ip, volumes):
        self._put_item(RESOURCES, {
            "fileSystem": {"S": FS}, "roleId": {"S": role_id}, "availabilityZone": {"S": "us-east-1a"},
            "eniId": {"S": eni}, "privateIp": {"S": ip},
            "volumes": {"L": [{"M": {"volumeId": {"S": v}, "device": {"S": d}, "targetLabel": {"S": t}}}
                              for v, d, t in volumes]},
        })

    def nvme(self, name, serial):
        """An NVMe namespace as sysfs and /dev show it; the serial is space padded to 20 as NVMe pads it."""
        block = self.sys / "block" / name / "device"
        block.mkdir(parents=True, exist_ok=True)
        (block / "serial").write_text(serial.ljust(20) + "\n")
        (self.dev / name).write_text("")

    def attach_volume(self, volume_id, name):
        self.nvme(name, volume_id.replace("-", ""))

    def interface(self, name, mac, ip=None):
        d = self.sys / "class" / "net" / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "address").write_text(mac + "\n")
        (d / "operstate").write_text("up\n")
        net = self._load(self.state / "net.json", {})
        net[name] = [ip] if ip else []
        self._save(self.state / "net.json", net)

    def attach_eni(self, eni, mac, name, ip):
        self.imds_state["meta-data"][f"network/interfaces/macs/{mac}/interface-id"] = eni
        self._write_imds()
        self.interface(name, mac, ip)

    def lustre_target(self, name, svname, fsname=FS, kind="ost", index=0):
        """A device that already holds a Lustre target (svname as mkfs.lustre or a first mount left it)."""
        self._save(self.state / "lustre" / f"{name}.json",
                   {"svname": svname, "fsname": fsname, "kind": kind, "index": index, "mgsnode": f"{MGS_IP}@tcp"})

    def foreign_fs(self, name, fstype):
        (self.state / "foreign").mkdir(exist_ok=True)
        (self.state / "foreign" / name).write_text(fstype + "\n")

    def operstate(self, interface, state):
        """The interface's RFC 2863 state as sysfs shows it (/sys/class/net/<if>/operstate)."""
        (self.sys / "class" / "net" / interface / "operstate").write_text(state + "\n")

    def lustre_health(self, text):
        (self.state / "lustre-health").write_text(text + "\n")

    def lustre_version(self, text):
        (self.state / "lustre-version").write_text(text + "\n")

    def peers(self, **answers):
        """How the other servers answer an LNet ping, by NID: up, down or hang."""
        current = self._load(self.state / "peers.json", {})
        current.update(answers)
        self._save(self.state / "peers.json", current)

    def lnet(self, **state):
        self._save(self.state / "lnet.json", {"module": False, "configured": False, "nids": [], **state})

    def faults(self, **faults):
        self._save(self.state / "faults.json", faults)

    def reboot(self):
        """What a reboot clears: mounts and LNet."""
        (self.state / "mounts").unlink(missing_ok=True)
        (self.state / "lnet.json").unlink(missing_ok=True)
        (self.root / "calls.jsonl").unlink(missing_ok=True)

    # ------------------------------------------------------------ a handover

    def handover(self, role_id, volumes, epoch=1, needs_format=True, state="SERVING", owner=ME,
                 tag_epoch=None, tag_needs_format=None, eni=None, ip="10.0.2.20", mac="0e:00:00:00:02:20",
                 interface="ens6", nvme_names=None):
        """What the handover workflow leaves behind: the role item, its resources, the ENI and the
        volumes attached (NVMe names in the given order), and the instance's tags."""
        eni = eni or "eni-0%016x" % zlib.crc32(role_id.encode())
        self.role(role_id, owner=owner, epoch=epoch, state=state, needs_format=needs_format)
        self.resources(role_id, eni, ip, volumes)
        self.attach_eni(eni, mac, interface, ip)
        names = nvme_names or [f"nvme{i + 1}n1" for i in range(len(volumes))]
        for (volume_id, _, _), name in zip(volumes, names):
            self.attach_volume(volume_id, name)
        self.tags(role=role_id, epoch=epoch if tag_epoch is None else tag_epoch,
                  needs_format=needs_format if tag_needs_format is None else tag_needs_format)
        return eni

    # ------------------------------------------------------------ running it

    def start(self, program=BOOTSTRAP, **env):
        full = {**self.env, **{k: str(v) for k, v in env.items() if v is not None}}
        for k, v in env.items():
            if v is None:
                full.pop(k, None)
        return subprocess.Popen([str(program)], env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=self.root)

    def run(self, timeout=60, **env):
        proc = self.start(**env)
        return self.finish(proc, timeout)

    def agent(self, cycles=1, timeout=60, **env):
        """Runs the health agent for that many checks."""
        return self.finish(self.start(AGENT, HEALTH_CYCLES=cycles, **env), timeout)

    def await_log(self, proc, text, timeout=30):
        """Reads the running bootstrap's log until a line containing text: a test changes the world
        at a known point of the run, not after a guessed delay."""
        seen = self.seen.setdefault(proc.pid, [])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                pytest.fail(f"the script ended before logging {text!r}:\n{''.join(seen)}")
            seen.append(line)
            if text in line:
                return
        pytest.fail(f"the script did not log {text!r} in {timeout} s:\n{''.join(seen)}")

    def finish(self, proc, timeout=60):
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
            pytest.fail(f"the script did not finish in {timeout} s:\n{stderr}")
        return Run(proc.returncode, "".join(self.seen.pop(proc.pid, [])) + stderr, self)

    def forget_calls(self):
        """Starts the call record afresh: what the next script does, alone."""
        (self.root / "calls.jsonl").unlink(missing_ok=True)

    @property
    def calls(self):
        path = self.root / "calls.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    def calls_of(self, cmd, *prefix):
        return [c["args"] for c in self.calls if c["cmd"] == cmd and c["args"][:len(prefix)] == list(prefix)]

    def mounts(self):
        path = self.state / "mounts"
        return [line.split()[:2] for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.imds.stop()
    w.cloudwatch.stop()
