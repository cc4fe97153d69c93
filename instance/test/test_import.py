"""The import from S3 (instance/lustre-ha-import) against an S3 endpoint on 127.0.0.1 served by moto.

The world (conftest.py) fakes the tables, CloudWatch and the Lustre commands; the client mount's
directory stands for the file system, so what one server's importer wrote there the next server's
finds, as on Lustre. S3 is moto's: the fake `aws s3api` sends the CLI's REST requests to it.
"""

import json
import os
import socket
import subprocess
import time

import logging

import boto3
import pytest
from moto.server import ThreadedMotoServer

from conftest import FS, IMPORTER, ME, MGS_IP, OTHER

BUCKET = "lustre-ha-import-test"
PREFIX = "runs/2026/"
OBJECTS = 200


@pytest.fixture(scope="module")
def s3():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    yield endpoint, client
    server.stop()


@pytest.fixture
def bucket(s3):
    """OBJECTS objects under PREFIX in three folders, of sizes 1 to 2000 bytes; beside them what must
    not be copied: a key outside the prefix, a folder marker and a key that would climb out."""
    endpoint, client = s3
    client.create_bucket(Bucket=BUCKET)
    expected = {}
    for n in range(OBJECTS):
        key = f"{PREFIX}{['a', 'b/c', 'd'][n % 3]}/file-{n:04d}.dat"
        body = bytes([n % 251]) * (1 + (n * 37) % 2000)
        client.put_object(Bucket=BUCKET, Key=key, Body=body)
        expected[key[len(PREFIX):]] = body
    client.put_object(Bucket=BUCKET, Key="other/outside.dat", Body=b"not imported")
    client.put_object(Bucket=BUCKET, Key=f"{PREFIX}b/", Body=b"")
    client.put_object(Bucket=BUCKET, Key=f"{PREFIX}../escape.dat", Body=b"never below the root")
    yield endpoint, expected
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for o in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=o["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def serving(world, bucket, tmp_path):
    """Every role serving, this server the MGS's (epoch 1), the bootstrap's mounted file written."""
    endpoint, expected = bucket
    for role in ("mgs", "mds01", "oss01"):
        world.role(role, owner=ME if role == "mgs" else f"i-0{abs(hash(role)) % 10**16:016d}")
    world.resources("mds01", "eni-0b0b0b0b0b0b0b0b0", "10.0.1.30", [("vol-0b", "/dev/sdf", f"{FS}-MDT0000")])
    world.resources("oss01", "eni-0c0c0c0c0c0c0c0c0", "10.0.1.40", [("vol-0c", "/dev/sdf", f"{FS}-OST0000")])
    world.client = tmp_path / "client"
    world.client.mkdir()
    mounted(world, ME, 1)
    world.env.update({"AWS_ENDPOINT_URL_S3": endpoint, "AWS_REGION": "us-east-1", "IMPORT_BUCKET": BUCKET,
                      "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                      "IMPORT_PREFIX": PREFIX, "CLIENT_MOUNT": str(world.client), "PAGE_SIZE": "40",
                      "CHECK_SECONDS": "1"})
    world.expected = expected
    return world


def mounted(world, instance, epoch, role="mgs"):
    path = world.root / "run" / "lustre-ha" / "mounted.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"fileSystem": FS, "role": role, "epoch": epoch, "instance": instance,
                                "nid": f"{MGS_IP}@tcp"}))


def narrowed(world, folder):
    """Imports one of the three folders only (a third of the objects): for the tests whose point is
    not the size of the copy."""
    world.env["IMPORT_PREFIX"] = f"{PREFIX}{folder}/"
    world.expected = {k[len(folder) + 1:]: v for k, v in world.expected.items() if k.startswith(folder + "/")}
    return world.env["IMPORT_PREFIX"]


def run_import(world, timeout=400, **env):
    return world.finish(world.start(IMPORTER, **env), timeout)


def files_below(root):
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if not rel.startswith(".lustre-ha-import"):
                out[rel] = open(path, "rb").read()
    return out


def fetched(world):
    return [args[args.index("--key") + 1] for args in world.calls_of("aws", "s3api", "get-object")]


def checkpoint(world):
    return json.loads((world.client / ".lustre-ha-import" / "state.json").read_text())


def progress(run):
    return [e for e in run.logs if e.get("msg") in ("starting", "copying", "finished") and "files" in e]


def test_the_import_copies_every_object_of_the_prefix_once_and_reports_its_progress(serving):
    run = run_import(serving)

    assert run.rc == 0, run
    assert files_below(serving.client) == serving.expected
    assert sorted(fetched(serving)) == sorted(PREFIX + k for k in serving.expected)
    total = sum(len(b) for b in serving.expected.values())
    state = checkpoint(serving)
    assert (state["files"], state["bytes"], state["done"]) == (OBJECTS, total, True)
    # Progress: in the JSON log and as metrics, the last of each the totals.
    assert progress(run)[-1]["files"] == str(OBJECTS) and progress(run)[-1]["bytes"] == str(total)
    points = serving.cloudwatch.datapoints()
    last = {metric: value for ns, metric, dims, value, *_ in points if ns == "LustreHA" and dims == {"FileSystem": FS}}
    assert last == {"ImportedFiles": OBJECTS, "ImportedBytes": total}
    assert serving.mounts() == [], "the client mount is gone at the end"
    # Done is done: a later boot copies nothing.
    serving.forget_calls()
    again = run_import(serving)
    assert again.rc == 0 and fetched(serving) == [], again
    assert "the import was finished before: nothing to do" in again.messages()


def test_a_failover_mid_import_resumes_on_the_next_owner_without_copying_twice(serving):
    # The MGS's server is stopped (the fence) while it copies: killed, as a forced stop kills it.
    proc = serving.start(IMPORTER)
    deadline = time.monotonic() + 300
    while len(fetched(serving)) < 80 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the import ended before the failover"
    proc.kill()
    proc.communicate(timeout=10)
    first = fetched(serving)
    assert 80 <= len(first) < OBJECTS, len(first)
    before = checkpoint(serving)
    assert 0 < before["files"] < OBJECTS and before["done"] is False, before
    # The handover: a new server owns the role at epoch 2; the old one's client mount went with it.
    serving.role("mgs", owner=OTHER, epoch=2)
    serving.reboot()
    mounted(serving, OTHER, 2)

    run = run_import(serving)

    assert run.rc == 0, run
    assert files_below(serving.client) == serving.expected
    second = fetched(serving)
    both = first + second
    # Each object once, but the one in flight when the server died (fetched, not yet renamed into
    # place) may be fetched again: never one whose copy was complete.
    twice = {k for k in both if both.count(k) > 1}
    assert len(twice) <= 1 and twice <= set(first[-1:]), twice
    assert set(both) == {PREFIX + k for k in serving.expected}
    assert not set(second) & set(first[:-1]), "a copied object was fetched again"
    state = checkpoint(serving)
    total = sum(len(b) for b in serving.expected.values())
    assert (state["files"], state["bytes"], state["done"], state["by"], state["epoch"]) == (OBJECTS, total, True, OTHER, 2)
    resumed = next(e for e in run.logs if e.get("msg") == "resuming after the last key copied")
    assert resumed["files"] == str(before["files"]), resumed
    assert not list(serving.client.rglob("*.lustre-ha-part")), "no partial file is left behind"


def test_an_object_copied_before_its_checkpoint_is_counted_not_fetched_again(serving):
    # A run that died between the rename and the checkpoint: the file is there, the checkpoint behind.
    prefix = narrowed(serving, "a")
    (serving.client / "file-0000.dat").write_bytes(serving.expected["file-0000.dat"])

    run = run_import(serving)

    assert run.rc == 0, run
    assert prefix + "file-0000.dat" not in fetched(serving)
    assert sorted(fetched(serving)) == sorted(prefix + k for k in serving.expected if k != "file-0000.dat")
    assert checkpoint(serving)["files"] == len(serving.expected)
    assert files_below(serving.client) == serving.expected


def test_only_the_server_of_the_mgs_role_imports(serving):
    mounted(serving, ME, 1, role="oss01")
    run = run_import(serving)
    assert run.rc == 0, run
    assert fetched(serving) == [] and serving.calls_of("mount") == []
    assert "not the importer: the server of mgs copies" in run.messages()


def test_the_co_located_layout_imports_on_mds01(serving):
    serving.role("mds01", owner=ME)
    mounted(serving, ME, 1, role="mds01")
    narrowed(serving, "d")
    run = run_import(serving, MGS_ROLE="mds01")
    assert run.rc == 0, run
    assert files_below(serving.client) == serving.expected


def test_a_stale_owner_copies_nothing(serving):
    serving.role("mgs", owner=OTHER, epoch=2)
    run = run_import(serving)
    assert run.rc == 4, run
    assert fetched(serving) == [] and serving.calls_of("mount") == []


def test_it_waits_until_every_role_serves(serving):
    serving.role("oss01", owner=OTHER, state="CLAIMED")
    narrowed(serving, "d")
    proc = serving.start(IMPORTER)
    serving.await_log(proc, "waiting for every role to serve")
    assert fetched(serving) == [] and serving.calls_of("mount") == []
    serving.role("oss01", owner=OTHER, state="SERVING")
    run = serving.finish(proc, timeout=400)
    assert run.rc == 0, run
    assert files_below(serving.client) == serving.expected


def test_a_checkpoint_of_another_import_is_refused(serving):
    (serving.client / ".lustre-ha-import").mkdir()
    (serving.client / ".lustre-ha-import" / "state.json").write_text(json.dumps(
        {"bucket": "another-bucket", "prefix": "", "lastKey": "x", "files": 1, "bytes": 1, "done": False}))
    run = run_import(serving)
    assert run.rc == 7, run
    assert fetched(serving) == []


def test_no_import_bucket_is_nothing_to_do(serving):
    run = run_import(serving, IMPORT_BUCKET="")
    assert run.rc == 0, run
    assert serving.calls == []


def test_the_script_passes_shellcheck():
    subprocess.run(["shellcheck", "-x", str(IMPORTER)], check=True, cwd=IMPORTER.parent.parent)
