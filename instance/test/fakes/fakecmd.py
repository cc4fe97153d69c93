#!/usr/bin/env -S python3 -S
"""Fake commands for the bootstrap's, the health agent's and the importer's tests: aws (DynamoDB
GetItem, UpdateItem and Query; CloudWatch PutMetricData, sent on to the fake CloudWatch endpoint;
S3 ListObjectsV2 and GetObject, sent on to the tests' moto S3), mkfs.lustre, tunefs.lustre, blkid,
mount (targets, and a client mount), umount, modprobe, lnetctl (lnet configure, net add, ping), lctl (list_nids,
get_param -n health_check|version) and ip.

The tests put symlinks named after each command, pointing here, first on the bootstrap's PATH. Each
call is appended to $FAKE_WORLD/calls.jsonl ({"cmd": ..., "args": [...]}) and acts on the state
under $FAKE_WORLD/state:

    tables/<table>.json    {"items": [<item in DynamoDB JSON>, ...]}
    lustre/<dev>.json      what mkfs.lustre wrote on a device: {"svname", "fsname", "kind", "index", "mgsnode"}
    foreign/<dev>          a non-Lustre file system on a device (its blkid TYPE)
    net.json               {"<interface>": ["<IPv4>", ...]} as `ip` shows them
    lnet.json              {"module": bool, "configured": bool, "nids": [...]}
    mounts                 /proc/self/mounts lines (the bootstrap's MOUNTS_FILE)
    lustre-health          what `lctl get_param -n health_check` prints (absent: healthy)
    lustre-version         what `lctl get_param -n version` prints (absent: 2.16.1)
    peers.json             {"<nid>": "up" | "down" | "hang"}: how each other server answers an
                           LNet ping (absent or unlisted: down; hang: lnetctl never returns)
    faults.json            {"mount_failures": {"<label>": n}, "tunefs_rc": {"<dev>": rc},
                            "on_call": {"<command>": {"table", "roleId", "set": {<attribute>: <value>}}}}
                           (on_call: what happens elsewhere while that command runs, say a newer
                           claim of the role; with "at": n, on its n-th call only)

They answer as the real commands do where the bootstrap depends on it: exit codes (the AWS CLI v2
exits 254 on a service error — v1 exits 255; the bootstrap keys on the error name), the error
texts of DynamoDB's ConditionalCheckFailedException and ValidationException, tunefs.lustre's
ENODEV (19) on an unformatted device, mkfs.lustre refusing a device that holds a target, and a
never-mounted target's name "fs:OST0003" turning into "fs-OST0003" when it is first mounted.
"""

import json
import os
import re
import sys
from pathlib import Path

WORLD = Path(os.environ["FAKE_WORLD"])
STATE = WORLD / "state"


def record(cmd, args):
    with open(WORLD / "calls.jsonl", "a") as f:
        f.write(json.dumps({"cmd": cmd, "args": args}) + "\n")


def load(path, default):
    return json.loads(path.read_text()) if path.exists() else default


def save(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1))


def faults():
    return load(STATE / "faults.json", {})


def die(message, code):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def dev_name(device):
    return os.path.basename(device)


# ---------------------------------------------------------------- aws dynamodb


class ServiceError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def aws(args):
    if args[:1] == ["cloudwatch"] and len(args) >= 2:
        return cloudwatch(args[1], parse_options(args[2:]))
    if args[:1] == ["s3api"] and len(args) >= 2:
        return s3api(args[1], args[2:])
    if args[:1] != ["dynamodb"] or len(args) < 2:
        die(f"fake aws: unsupported command {args}", 252)
    operation, opts = args[1], parse_options(args[2:])
    if opts.get("--output", "json") != "json":
        die("fake aws: only --output json is modelled", 252)
    api = {"get-item": "GetItem", "update-item": "UpdateItem", "query": "Query"}.get(operation)
    if api is None:
        die(f"fake aws: unsupported dynamodb operation {operation}", 252)
    try:
        table_file = STATE / "tables" / f"{opts['--table-name']}.json"
        if not table_file.exists():
            raise ServiceError("ResourceNotFoundException", "Requested resource not found")
        table = load(table_file, {"items": []})
        if operation == "query":
            return query(opts, table)
        key = json.loads(opts["--key"])
        item = next((i for i in table["items"] if all(i.get(k) == v for k, v in key.items())), None)
        if operation == "get-item":
            # No item: the response has no Item, and the CLI prints nothing.
            if item is not None:
                print(json.dumps({"Item": item}, indent=4))
            return
        update_item(opts, key, item, table)
        save(table_file, table)
    except ServiceError as e:
        die(f"\nAn error occurred ({e.code}) when calling the {api} operation: {e.message}", 254)


def parse_options(args, positional=None):
    """The CLI's --name value options; positional, if given, collects bare arguments (get-object's
    outfile)."""
    flags = {"--consistent-read", "--no-consistent-read", "--no-paginate"}
    opts, i = {}, 0
    while i < len(args):
        name = args[i]
        if not name.startswith("--") and positional is not None:
            positional.append(name)
            i += 1
            continue
        if not name.startswith("--"):
            die(f"fake aws: unexpected argument {name}", 252)
        if name in flags:
            opts[name] = True
            i += 1
        else:
            if i + 1 >= len(args):
                die(f"fake aws: {name} needs a value", 252)
            opts[name] = args[i + 1]
            i += 2
    return opts


def query(opts, table):
    """Query on the partition key only (`fileSystem = :fs`), the form the health agent uses. The CLI
    pages through the whole result by itself and prints the items together."""
    values = json.loads(opts.get("--expression-attribute-values", "{}"))
    m = re.fullmatch(r"\s*(\w+)\s*=\s*(:\w+)\s*", opts.get("--key-condition-expression", ""))
    if not m or m.group(2) not in values:
        die(f"fake aws: key condition not modelled: {opts.get('--key-condition-expression')!r}", 252)
    items = [i for i in table["items"] if i.get(m.group(1)) == values[m.group(2)]]
    print(json.dumps({"Items": items, "Count": len(items), "ScannedCount": len(items)}, indent=4))


# ---------------------------------------------------------------- aws cloudwatch

# MetricDatum fields as the CLI takes them in --metric-data JSON (API_MetricDatum).
METRIC_DATUM_FIELDS = {"MetricName", "Dimensions", "Timestamp", "Value", "StatisticValues", "Values", "Counts",
                       "Unit", "StorageResolution"}


def cloudwatch(operation, opts):
    """put-metric-data as the AWS CLI sends it: the arguments checked as the CLI checks them, then
    one Query-protocol POST (Action=PutMetricData, Version=2010-08-01, form-encoded members) to
    AWS_ENDPOINT_URL_CLOUDWATCH, the CLI's service-specific endpoint variable. Exit codes as the
    CLI's: 252 bad arguments, 254 an error from the service, 255 no connection."""
    import urllib.parse
    import urllib.request

    if operation != "put-metric-data":
        die(f"fake aws: unsupported cloudwatch operation {operation}", 252)
    if "--namespace" not in opts or "--metric-data" not in opts:
        die("\naws: error: the following arguments are required: --namespace, --metric-data", 252)
    try:
        data = json.loads(opts["--metric-data"])
    except json.JSONDecodeError as e:
        die(f"\nError parsing parameter '--metric-data': Invalid JSON: {e}", 252)
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        die("\nParameter validation failed:\nInvalid type for parameter MetricData", 252)
    form = {"Action": "PutMetricData", "Version": "2010-08-01", "Namespace": opts["--namespace"]}
    for n, datum in enumerate(data, start=1):
        unknown = set(datum) - METRIC_DATUM_FIELDS
        if unknown or "MetricName" not in datum:
            die(f"\nParameter validation failed:\nUnknown or missing parameters in MetricData[{n - 1}]: "
                f"{sorted(unknown) or 'MetricName'}", 252)
        prefix = f"MetricData.member.{n}."
        for name, value in datum.items():
            if name == "Dimensions":
                for k, dim in enumerate(value, start=1):
                    form[f"{prefix}Dimensions.member.{k}.Name"] = dim["Name"]
                    form[f"{prefix}Dimensions.member.{k}.Value"] = dim["Value"]
            elif isinstance(value, (dict, list)):
                die(f"fake aws: {name} is not modelled", 252)
            else:
                form[prefix + name] = str(value)
    endpoint = os.environ.get("AWS_ENDPOINT_URL_CLOUDWATCH") or os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        die("fake aws: no CloudWatch endpoint (AWS_ENDPOINT_URL_CLOUDWATCH): the tests never reach AWS", 253)
    request = urllib.request.Request(endpoint, data=urllib.parse.urlencode(form).encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    send(request, "PutMetricData", endpoint)


def send(request, api, endpoint):
    """One request to a service; its body and headers, or the CLI's exit: 254 and the error's Code
    and Message from the XML error body, 255 no connection."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read(), response.headers
    except urllib.error.HTTPError as e:
        body = e.read().decode(errors="replace")
        code = re.search(r"<Code>(.*?)</Code>", body)
        message = re.search(r"<Message>(.*?)</Message>", body)
        die(f"\nAn error occurred ({code.group(1) if code else e.code}) when calling the {api} operation: "
            f"{message.group(1) if message else body}", 254)
    except (urllib.error.URLError, OSError):
        die(f'\nCould not connect to the endpoint URL: "{endpoint}"', 255)


# ---------------------------------------------------------------- aws s3api


def s3api(operation, args):
    """list-objects-v2 (one page: --no-paginate) and get-object, as the AWS CLI sends them: REST
    requests to AWS_ENDPOINT_URL_S3 (the tests' moto S3 on 127.0.0.1), path-style. The CLI's output:
    ListObjectsV2's JSON (Contents with Key and Size, IsTruncated, KeyCount), GetObject's body into
    the outfile and its metadata on stdout. Exit codes as the CLI's: 252 bad arguments, 254 an
    error from the service, 255 no connection."""
    import urllib.parse
    import xml.etree.ElementTree as ET

    outfile = []
    opts = parse_options(args, positional=outfile)
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        die("fake aws: no S3 endpoint (AWS_ENDPOINT_URL_S3): the tests never reach AWS", 253)
    if "--bucket" not in opts:
        die("\naws: error: the following arguments are required: --bucket", 252)
    bucket = urllib.parse.quote(opts["--bucket"], safe="")
    if operation == "list-objects-v2":
        if "--no-paginate" not in opts:
            die("fake aws: only one page (--no-paginate) is modelled", 252)
        query = {"list-type": "2"}
        for option, param in (("--prefix", "prefix"), ("--start-after", "start-after"), ("--max-keys", "max-keys")):
            if option in opts:
                query[param] = opts[option]
        url, api = f"{endpoint}/{bucket}?{urllib.parse.urlencode(query)}", "ListObjectsV2"
    elif operation == "get-object":
        if "--key" not in opts or len(outfile) != 1:
            die("\naws: error: the following arguments are required: --key, outfile", 252)
        url, api = f"{endpoint}/{bucket}/{urllib.parse.quote(opts['--key'], safe='/')}", "GetObject"
    else:
        die(f"fake aws: unsupported s3api operation {operation}", 252)
    body, headers = send(sigv4_get(url), api, url)
    if operation == "get-object":
        Path(outfile[0]).write_bytes(body)
        print(json.dumps({"ContentLength": len(body), "ETag": headers.get("ETag"),
                          "ContentType": headers.get("Content-Type")}, indent=4))
        return
    root = ET.fromstring(body)
    ns = {"s3": root.tag.split("}")[0].strip("{")} if root.tag.startswith("{") else {}
    find = (lambda node, tag: node.find(f"s3:{tag}", ns)) if ns else (lambda node, tag: node.find(tag))
    contents = []
    for node in (root.findall("s3:Contents", ns) if ns else root.findall("Contents")):
        contents.append({"Key": find(node, "Key").text, "Size": int(find(node, "Size").text)})
    out = {"IsTruncated": find(root, "IsTruncated").text == "true", "KeyCount": len(contents)}
    if contents:
        out["Contents"] = contents  # the CLI leaves Contents out of an empty page
    print(json.dumps(out, indent=4))


def sigv4_get(url):
    """A GET signed as the CLI signs it (Signature Version 4, service s3, the credentials and region
    of the environment): S3 answers an unsigned request for a private object 403."""
    import datetime
    import hashlib
    import hmac
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    region = os.environ.get("AWS_REGION", "us-east-1")
    key_id, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    empty = hashlib.sha256(b"").hexdigest()
    query = "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
                     for k, v in sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)))
    headers = {"host": parts.netloc, "x-amz-content-sha256": empty, "x-amz-date": stamp}
    signed = ";".join(sorted(headers))
    canonical = "\n".join(["GET", parts.path or "/", query, *(f"{k}:{headers[k]}" for k in sorted(headers)), "",
                           signed, empty])
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (day, region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed}, Signature={signature}"
    return urllib.request.Request(url, headers={k: v for k, v in headers.items() if k != "host"})


TOKEN = re.compile(r"[#:]?[A-Za-z_][A-Za-z0-9_]*")


def update_item(opts, key, item, table):
    names = json.loads(opts.get("--expression-attribute-names", "{}"))
    values = json.loads(opts.get("--expression-attribute-values", "{}"))
    update = opts.get("--update-expression", "")
    condition = opts.get("--condition-expression", "")
    used = set(TOKEN.findall(update)) | set(TOKEN.findall(condition))
    unused_values = sorted(set(values) - used)
    if unused_values:
        raise ServiceError("ValidationException", "1 validation error detected: Value provided in "
                           f"ExpressionAttributeValues unused in expressions: keys: {{{', '.join(unused_values)}}}")
    unused_names = sorted(set(names) - used)
    if unused_names:
        raise ServiceError("ValidationException", "Value provided in ExpressionAttributeNames unused in "
                           f"expressions: keys: {{{', '.join(unused_names)}}}")
    for token in used:
        if token.startswith(":") and token not in values:
            raise ServiceError("ValidationException", "Invalid UpdateExpression: An expression attribute "
                               f"value used in expression is not defined; attribute value: {token}")
        if token.startswith("#") and token not in names:
            raise ServiceError("ValidationException", "Invalid UpdateExpression: An expression attribute "
                               f"name used in the document path is not defined; attribute name: {token}")

    def operand(text):
        text = text.strip()
        if text.startswith(":"):
            return values[text]
        name = names.get(text, text)
        return (item or {}).get(name)

    if condition and not holds(condition, operand):
        raise ServiceError("ConditionalCheckFailedException", "The conditional request failed")
    if item is None:
        item = dict(key)
        table["items"].append(item)
    m = re.fullmatch(r"\s*SET\s+(.*)", update)
    if not m:
        die(f"fake aws: only SET update expressions are modelled, not {update!r}", 252)
    for assignment in m.group(1).split(","):
        target, value = assignment.split("=", 1)
        item[names.get(target.strip(), target.strip())] = operand(value)


def holds(condition, operand):
    """Conjunctions of `a = b` and `a IN (b, c, ...)`: the forms lustre-ha writes."""
    for clause in re.split(r"\s+AND\s+", condition.strip()):
        m = re.fullmatch(r"(\S+)\s+IN\s+\((.*)\)", clause)
        if m:
            left = operand(m.group(1))
            if not any(same(left, operand(v)) for v in m.group(2).split(",")):
                return False
            continue
        m = re.fullmatch(r"(\S+)\s*=\s*(\S+)", clause)
        if not m:
            die(f"fake aws: condition clause not modelled: {clause!r}", 252)
        if not same(operand(m.group(1)), operand(m.group(2))):
            return False
    return True


def same(a, b):
    if a is None or b is None:
        return False
    if "N" in a and "N" in b:
        return float(a["N"]) == float(b["N"])
    return a == b


# ---------------------------------------------------------------- Lustre


def lustre_file(device):
    return STATE / "lustre" / f"{dev_name(device)}.json"


def mkfs_lustre(args):
    device = args[-1] if args else ""
    opts = {}
    for a in args[:-1]:
        name, _, value = a.partition("=")
        opts[name] = value if _ else True
    kinds = [k for k in ("--mgs", "--mdt", "--ost") if k in opts]
    if len(kinds) != 1:
        die("mkfs.lustre: exactly one of --mgs, --mdt, --ost is expected by this fake", 22)
    if not Path(device).exists():
        die(f"mkfs.lustre: Unable to open {device}: No such file or directory", 2)
    if lustre_file(device).exists() and "--reformat" not in opts:
        die(f"\nmkfs.lustre FATAL: Device {device} was previously formatted for lustre. Use --reformat "
            "to reformat it, or tunefs.lustre to modify.", 17)
    kind = kinds[0][2:]
    if kind == "mgs":
        data = {"svname": "MGS", "fsname": "", "kind": "mgs", "index": 0, "mgsnode": ""}
    else:
        for required in ("--fsname", "--index", "--mgsnode"):
            if not opts.get(required):
                die(f"mkfs.lustre: {required} is required for --{kind}", 22)
        index = int(opts["--index"], 0)
        svname = f"{opts['--fsname']}:{kind.upper()}{index:04x}"
        data = {"svname": svname, "fsname": opts["--fsname"], "kind": kind, "index": index,
                "mgsnode": opts["--mgsnode"]}
    save(lustre_file(device), data)
    print(f"\n   Permanent disk data:\nTarget:     {data['svname']}\n\nformatted {device}")


def tunefs_lustre(args):
    if "--dryrun" not in args:
        die("fake tunefs.lustre: only --dryrun is modelled", 22)
    device = args[-1]
    rc = faults().get("tunefs_rc", {}).get(dev_name(device))
    if rc is not None:
        die(f"tunefs.lustre: cannot read {device}", rc)
    if not lustre_file(device).exists():
        print("checking for existing Lustre data: not found")
        die(f"\ntunefs.lustre FATAL: Device {device} has not been formatted with mkfs.lustre\n"
            "tunefs.lustre: exiting with 19 (No such device)", 19)
    d = load(lustre_file(device), {})
    registered = re.sub(r"[:=+]", "-", d["svname"])
    print("checking for existing Lustre data: found\nReading CONFIGS/mountdata\n")
    for title, name in (("Read previous values", d["svname"]), ("Permanent disk data", registered)):
        print(f"   {title}:\nTarget:     {name}\nIndex:      {d['index']}\nLustre FS:  {d['fsname']}\n"
              f"Mount type: ldiskfs\nFlags:      0x2\nParameters: mgsnode={d['mgsnode']}\n")
    print("exiting before disk write.")


def blkid(args):
    device = args[-1]
    if args[:-1] != ["-p", "-o", "value", "-s", "TYPE"]:
        die(f"fake blkid: unmodelled arguments {args}", 4)
    if lustre_file(device).exists():
        print("ext4")  # ldiskfs is ext4 underneath
        return
    foreign = STATE / "foreign" / dev_name(device)
    if foreign.exists():
        print(foreign.read_text().strip())
        return
    sys.exit(2)


CLIENT_SOURCE = re.compile(r"[0-9.]+@[a-z]+[0-9]*:/[A-Za-z][A-Za-z0-9_]{0,7}")


def mount(args):
    if len(args) != 4 or args[:2] != ["-t", "lustre"]:
        die(f"fake mount: only mount -t lustre DEVICE DIR is modelled, not {args}", 1)
    device, point = args[2], args[3]
    if CLIENT_SOURCE.fullmatch(device):
        return client_mount(device, point)
    if not lustre_file(device).exists():
        die(f"mount.lustre: {device} has not been formatted with mkfs.lustre or the backend filesystem "
            "type is not supported by this tool", 19)
    if not Path(point).is_dir():
        die(f"mount.lustre: mount point {point} does not exist: No such file or directory", 2)
    if not load(STATE / "lnet.json", {}).get("nids"):
        die(f"mount.lustre: mount {device} at {point} failed: Network is down", 100)
    mounts = STATE / "mounts"
    lines = mounts.read_text().splitlines() if mounts.exists() else []
    if any(line.split()[1] == point for line in lines):
        die(f"mount.lustre: according to /etc/mtab {device} is already mounted on {point}", 17)
    data = load(lustre_file(device), {})
    label = re.sub(r"[:=+]", "-", data["svname"])
    failures = faults()
    left = failures.get("mount_failures", {}).get(label, 0)
    if left:
        failures["mount_failures"][label] = left - 1
        save(STATE / "faults.json", failures)
        die(f"mount.lustre: mount {device} at {point} failed: Input/output error\nIs the MGS running?", 5)
    data["svname"] = label  # registered with the MGS on its first mount
    save(lustre_file(device), data)
    with open(mounts, "a") as f:
        # Lustre 2.16+ (LU-8151) shows a writable target rw once its show_options has run.
        f.write(f"{device} {point} lustre rw,svname={label} 0 0\n")


def client_mount(source, point):
    """A client mount (<MGS NID>:/<fsname>): the mount point's directory stands for the file system,
    so what one server's client writes there the next one's finds. Refused as mount.lustre refuses
    it: the mount point must exist and not be mounted."""
    if not Path(point).is_dir():
        die(f"mount.lustre: mount point {point} does not exist: No such file or directory", 2)
    mounts = STATE / "mounts"
    lines = mounts.read_text().splitlines() if mounts.exists() else []
    if any(line.split()[1] == point for line in lines):
        die(f"mount.lustre: according to /etc/mtab {source} is already mounted on {point}", 17)
    with open(mounts, "a") as f:
        f.write(f"{source} {point} lustre rw,flock,lazystatfs 0 0\n")


def umount(args):
    """umount DIR: the line goes from the mounts; faults {"umount_hangs": true} never returns."""
    if len(args) != 1:
        die(f"fake umount: only umount DIR is modelled, not {args}", 1)
    if faults().get("umount_hangs"):
        import time
        time.sleep(3600)
    point = args[0]
    mounts = STATE / "mounts"
    lines = mounts.read_text().splitlines() if mounts.exists() else []
    kept = [line for line in lines if line.split()[1] != point]
    if len(kept) == len(lines):
        die(f"umount: {point}: not mounted.", 32)
    mounts.write_text("".join(line + "\n" for line in kept))


# ---------------------------------------------------------------- LNet and interfaces


def lnet_state():
    return load(STATE / "lnet.json", {"module": False, "configured": False, "nids": []})


def modprobe(args):
    if args != ["lnet"]:
        die(f"fake modprobe: only lnet is modelled, not {args}", 1)
    state = lnet_state()
    state["module"] = True
    save(STATE / "lnet.json", state)


def lnetctl(args):
    state = lnet_state()
    if args == ["lnet", "configure"]:
        if not state["module"]:
            die("configure:\n    - lnet:\n          errno: -19\n          descr: \"LNet configure error: No such device\"", 1)
        state["configured"] = True
        save(STATE / "lnet.json", state)
        return
    if len(args) == 6 and args[:2] == ["net", "add"] and args[2] == "--net" and args[4] == "--if":
        net, interface = args[3], args[5]
        ips = load(STATE / "net.json", {}).get(interface)
        if not state["configured"] or not ips:
            die("add:\n    - net:\n          errno: -22\n          descr: \"cannot add network: Invalid argument\"", 1)
        nid = f"{ips[0]}@{net}"
        if nid not in state["nids"]:
            state["nids"].append(nid)
        save(STATE / "lnet.json", state)
        return
    if args[:1] == ["ping"]:
        return lnet_ping(state, args[1:])
    die(f"fake lnetctl: unmodelled arguments {args}", 1)


def lnet_ping(state, args):
    """`lnetctl ping [--timeout SECONDS] NID`: answered when this server's LNet has a NID and the
    peer is up; else, after the timeout (capped here at 0.2 s to keep the tests quick), the
    YAML error lnetctl prints for a failed ping and a non-zero exit (lnet/utils/lnetctl.c jt_ping;
    "failed to ping <nid>": lnet/lnet/api-ni.c). A hanging peer models an lnetctl that never
    returns: only the caller's own bound ends it."""
    import time

    timeout = 1.0
    if args[:1] == ["--timeout"]:
        timeout, args = float(args[1]), args[2:]
    if len(args) != 1:
        die(f"fake lnetctl: only ping [--timeout S] NID is modelled, not {args}", 1)
    nid = args[0]
    answer = load(STATE / "peers.json", {}).get(nid, "down")
    if answer == "hang":
        time.sleep(60)
    if state["configured"] and state["nids"] and answer == "up":
        print(f"ping:\n    - primary nid: {nid}\n      Multi-Rail: True\n      peer ni:\n        - nid: {nid}")
        return
    time.sleep(min(timeout, 0.2))
    die(f"manage:\n    - ping:\n          errno: -1\n          descr: failed to ping {nid}: Operation not permitted", 255)


def lctl(args):
    if args[:2] == ["get_param", "-n"] and len(args) == 3:
        return lctl_get_param(args[2])
    if args != ["list_nids"]:
        die(f"fake lctl: unmodelled arguments {args}", 1)
    state = lnet_state()
    if not state["module"]:
        die("opening /dev/lnet failed: No such device\nhint: the kernel modules may not be loaded", 19)
    if not state["configured"]:
        die("IOC_LIBCFS_GET_NI error 100: Network is down", 1)
    for nid in state["nids"]:
        print(nid)


def lctl_get_param(name):
    """health_check prints healthy, NOT HEALTHY or LBUG (lustre/obdclass/obd_sysfs.c)."""
    files = {"health_check": ("lustre-health", "healthy"), "version": ("lustre-version", "2.16.1")}
    if name not in files:
        die(f"error: get_param: param_path '{name}': No such file or directory", 2)
    path, default = files[name]
    if not lnet_state()["module"]:
        die(f"error: get_param: param_path '{name}': No such file or directory", 2)
    print((STATE / path).read_text().strip() if (STATE / path).exists() else default)


def ip_addr(args):
    if args[:5] != ["-o", "-4", "addr", "show", "dev"] or len(args) != 6:
        die(f"fake ip: unmodelled arguments {args}", 1)
    interface = args[5]
    net = load(STATE / "net.json", {})
    if interface not in net:
        die(f'Device "{interface}" does not exist.', 1)
    for n, address in enumerate(net[interface], start=2):
        print(f"{n}: {interface}    inet {address}/24 brd 10.0.255.255 scope global dynamic {interface}\\"
              "       valid_lft 3500sec preferred_lft 3500sec")


def systemctl(args):
    """Recorded only: the tests look at what the agent asked systemd for."""


COMMANDS = {
    "aws": aws,
    "systemctl": systemctl,
    "mkfs.lustre": mkfs_lustre,
    "tunefs.lustre": tunefs_lustre,
    "blkid": blkid,
    "mount": mount,
    "umount": umount,
    "modprobe": modprobe,
    "lnetctl": lnetctl,
    "lctl": lctl,
    "ip": ip_addr,
}


def on_call(name):
    """A hook with "at": n fires on the n-th call of the command only (counted in faults.json)."""
    failures = faults()
    hook = failures.get("on_call", {}).get(name)
    if hook and "at" in hook:
        hook["seen"] = hook.get("seen", 0) + 1
        save(STATE / "faults.json", failures)
        if hook["seen"] != hook["at"]:
            return
    if hook:
        table_file = STATE / "tables" / f"{hook['table']}.json"
        table = load(table_file, {"items": []})
        for item in table["items"]:
            if item["roleId"]["S"] == hook["roleId"]:
                item.update(hook["set"])
        save(table_file, table)


def main():
    name = os.path.basename(sys.argv[0])
    args = sys.argv[1:]
    record(name, args)
    on_call(name)
    COMMANDS[name](args)


if __name__ == "__main__":
    main()
