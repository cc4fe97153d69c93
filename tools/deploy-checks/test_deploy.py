"""Deployability checks, run by `./lustre-ha test` (issue 14): each deploy option rendered and linted
with the policy rules, deliberately broken renders failing, bad parameter values refused before any
resource is made, every parameter grouped, labelled and constrained, the endpoints matching what the
server scripts call, and the server image (its template, component document and installed files).
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RULES = ROOT / "tools" / "cfn-rules" / "rules"
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
sys.path.insert(0, str(HERE))
import component_schema  # noqa: E402
import render  # noqa: E402

MAIN = render.load(ROOT / "template.yaml")
IMAGE = render.load(ROOT / "image" / "template.yaml")
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# What a user must give (no defaults): the VPC, the subnet, one image, a client network.
BASE = {"VpcId": "vpc-0123456789abcdef0", "SubnetId": "subnet-0123456789abcdef0",
        "ServerImageId": "ami-0123456789abcdef0", "ClientCidr": "10.0.0.0/16"}
IMAGE_BASE = {"InstanceFilesBucket": "my-bucket", "InstanceFilesKey": "lustre-ha/instance-files-x.tar.gz",
              "InstanceFilesSha256": "0" * 64}
VARIANTS = {
    "defaults": {},
    "image-parameter": {"ServerImageId": "", "ServerImageParameter": "/lustre-ha/server-image"},
    "endpoints": {"CreateVpcEndpoints": "true", "RouteTableIds": "rtb-0123456789abcdef0,rtb-0fedcba9876543210"},
    "placement-cluster": {"PlacementGroupStrategy": "cluster"},
    "placement-partition": {"PlacementGroupStrategy": "partition"},
    "volume-key": {"VolumeKmsKeyArn": KEY},
    "mgs-on-mds": {"MgsOnMds": "true"},
    "import": {"ImportBucket": "my-data-bucket", "ImportPrefix": "runs/2026/"},
    "import-whole-bucket": {"ImportBucket": "my-data-bucket"},
    "import-endpoints": {"ImportBucket": "my-data-bucket", "ImportPrefix": "runs/2026/", "CreateVpcEndpoints": "true",
                         "RouteTableIds": "rtb-0123456789abcdef0"},
    "everything": {"ServerImageId": "", "ServerImageParameter": "/lustre-ha/server-image",
                   "CreateVpcEndpoints": "true", "RouteTableIds": "rtb-0123456789abcdef0",
                   "PlacementGroupStrategy": "partition", "VolumeKmsKeyArn": KEY, "MgsOnMds": "true",
                   "ImportBucket": "my-data-bucket", "ImportPrefix": "runs/2026/"},
}


def lint(template: dict, tmp_path: Path, name: str) -> tuple[int, list[dict]]:
    """cfn-lint with lustre-ha's rules on a rendered template. Two warnings are off: W2001 (unused
    parameter), as rendering resolves the conditions that were the only users of some parameters;
    W2506 (an ImageId from a String parameter), as ServerImageId is a String so that it can be empty
    when the image comes from SSM, and its AllowedPattern checks it."""
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(template, indent=1, default=str))
    run = subprocess.run([str(CFN_LINT), "--format", "json", str(path), "--ignore-checks", "W2001", "W2506",
                          "--append-rules", str(RULES)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.stdout.strip(), f"cfn-lint printed nothing (exit {run.returncode}): {run.stderr}"
    return run.returncode, json.loads(run.stdout)


def rendered(variant: dict) -> dict:
    given = {**BASE, **variant}
    assert render.check_parameters(MAIN, given) == []
    return render.render(MAIN, given)


def resources(template: dict, kind: str) -> dict:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


# ---------------------------------------------------------------- each option, rendered


@pytest.mark.parametrize("name", VARIANTS)
def test_each_option_renders_to_a_template_that_passes_cfn_lint_and_the_policy_rules(name, tmp_path):
    code, findings = lint(rendered(VARIANTS[name]), tmp_path, name)
    assert code == 0 and findings == [], json.dumps(findings, indent=1)


def test_the_options_make_what_they_promise():
    plain = rendered({})
    assert not resources(plain, "AWS::EC2::VPCEndpoint") and not resources(plain, "AWS::EC2::PlacementGroup")
    lt = plain["Resources"]["ServerLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert lt["ImageId"] == {"Ref": "ServerImageId"} and "Placement" not in lt
    assert "KmsKeyId" not in lt["BlockDeviceMappings"][0]["Ebs"]

    by_parameter = rendered(VARIANTS["image-parameter"])["Resources"]["ServerLaunchTemplate"]
    assert by_parameter["Properties"]["LaunchTemplateData"]["ImageId"] == {"Fn::Sub": "resolve:ssm:${ServerImageParameter}"}

    endpoints = resources(rendered(VARIANTS["endpoints"]), "AWS::EC2::VPCEndpoint")
    assert [e["Properties"]["VpcEndpointType"] for e in endpoints.values()] == ["Gateway", "Interface"]

    for strategy in ("cluster", "partition"):
        t = rendered({"PlacementGroupStrategy": strategy})
        (group,) = resources(t, "AWS::EC2::PlacementGroup").values()
        assert group["Properties"]["Strategy"] == strategy
        assert ("PartitionCount" in group["Properties"]) == (strategy == "partition")
        lt = t["Resources"]["ServerLaunchTemplate"]["Properties"]["LaunchTemplateData"]
        assert lt["Placement"] == {"GroupName": {"Ref": "ServerPlacementGroup"}}

    keyed = rendered(VARIANTS["volume-key"])["Resources"]
    assert keyed["ServerLaunchTemplate"]["Properties"]["LaunchTemplateData"]["BlockDeviceMappings"][0]["Ebs"]["KmsKeyId"] \
        == {"Ref": "VolumeKmsKeyArn"}
    assert keyed["Pool"]["Properties"]["VolumeKmsKeyArn"] == {"Ref": "VolumeKmsKeyArn"}
    for function in ("PoolProvisionerFunction", "AttachFunction"):
        text = json.dumps(keyed[function]["Properties"]["Policies"])
        assert "kms:CreateGrant" in text and "kms:GrantIsForAWSResource" in text, function
    assert "kms:" not in json.dumps(rendered({})["Resources"]["PoolProvisionerFunction"]["Properties"]["Policies"])

    # The co-located layout: no MGS group; the pool is told, and the servers learn mds01 serves the MGS.
    groups = set(resources(plain, "AWS::AutoScaling::AutoScalingGroup"))
    co = rendered(VARIANTS["mgs-on-mds"])["Resources"]
    assert "MgsGroup" in groups and set(resources({"Resources": co}, "AWS::AutoScaling::AutoScalingGroup")) \
        == groups - {"MgsGroup"}
    assert co["Pool"]["Properties"]["MgsOnMds"] == {"Ref": "MgsOnMds"}
    user_data = co["ServerLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
    assert "MGS_ROLE=${Pool.MgsRole}" in user_data

    # The import: read only, on its bucket and prefix only; none without ImportBucket.
    def import_policy(t):
        found = [p for p in t["Resources"]["ServerRole"]["Properties"]["Policies"] if p["PolicyName"] == "lustre-ha-import"]
        return found[0]["PolicyDocument"]["Statement"] if found else None

    assert import_policy(plain) is None and "ImportS3GatewayEndpoint" not in plain["Resources"]
    listing, reading = import_policy(rendered(VARIANTS["import"]))
    assert (listing["Action"], reading["Action"]) == ("s3:ListBucket", "s3:GetObject")
    assert listing["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ImportBucket}"}
    assert listing["Condition"] == {"StringLike": {"s3:prefix": {"Fn::Sub": "${ImportPrefix}*"}}}
    assert reading["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ImportBucket}/${ImportPrefix}*"}
    assert "Condition" not in import_policy(rendered(VARIANTS["import-whole-bucket"]))[0]
    with_endpoints = rendered(VARIANTS["import-endpoints"])["Resources"]
    s3 = with_endpoints["ImportS3GatewayEndpoint"]["Properties"]
    assert s3["VpcEndpointType"] == "Gateway" and s3["RouteTableIds"] == with_endpoints[
        "DynamoDbGatewayEndpoint"]["Properties"]["RouteTableIds"]
    assert [st["Action"] for st in s3["PolicyDocument"]["Statement"]] == ["s3:ListBucket", "s3:GetObject"]


def test_the_functions_run_outside_the_vpc():
    """No function has VpcConfig (template or Globals), so they need no endpoint (docs/deploy.md)."""
    assert "VpcConfig" not in json.dumps(MAIN.get("Globals", {}))
    for logical_id, body in resources(MAIN, "AWS::Serverless::Function").items():
        assert "VpcConfig" not in body.get("Properties", {}), logical_id


# ---------------------------------------------------------------- deliberately broken renders


def _statement(template: dict, function: str, action: str) -> dict:
    for policy in template["Resources"][function]["Properties"]["Policies"]:
        for statement in policy.get("Statement", []):
            if statement.get("Action") == action:
                return statement
    raise AssertionError(f"{function} has no {action} statement")


def _launch_template(template: dict) -> dict:
    return template["Resources"]["ServerLaunchTemplate"]["Properties"]["LaunchTemplateData"]


def _break_root_key(t):
    del _launch_template(t)["BlockDeviceMappings"][0]["Ebs"]["KmsKeyId"]


def _break_create_volume_key(t):
    del _statement(t, "PoolProvisionerFunction", "ec2:CreateVolume")["Condition"]["StringEquals"]["ec2:KmsKeyId"]


def _break_root_encryption(t):
    del _launch_template(t)["BlockDeviceMappings"][0]["Ebs"]["Encrypted"]


def _break_endpoint_policy(t):
    del t["Resources"]["DynamoDbGatewayEndpoint"]["Properties"]["PolicyDocument"]


def _break_endpoint_resources(t):
    t["Resources"]["DynamoDbGatewayEndpoint"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"] = "*"


def _break_imds(t):
    _launch_template(t)["MetadataOptions"]["HttpTokens"] = "optional"


def _break_placement(t):
    del t["Resources"]["ServerPlacementGroup"]


BROKEN = {
    # (variant, mutation, a rule id or text the findings must include)
    "volume key, root volume unkeyed": ("volume-key", _break_root_key, "E9120"),
    "volume key, CreateVolume unkeyed": ("volume-key", _break_create_volume_key, "E9120"),
    "root volume unencrypted": ("defaults", _break_root_encryption, "E9104"),
    "endpoint without a policy": ("endpoints", _break_endpoint_policy, "E9121"),
    "endpoint policy on every resource": ("endpoints", _break_endpoint_resources, "E9121"),
    "IMDSv1 allowed": ("defaults", _break_imds, "E9122"),
    "placement group missing": ("placement-cluster", _break_placement, "ServerPlacementGroup"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_render_fails(name, tmp_path):
    variant, mutate, expect = BROKEN[name]
    template = copy.deepcopy(rendered(VARIANTS[variant]))
    mutate(template)
    code, findings = lint(template, tmp_path, re.sub(r"\W+", "-", name))
    assert code & 2, f"exit {code}: {json.dumps(findings, indent=1)}"
    assert any(f["Rule"]["Id"] == expect or expect in f["Message"] for f in findings if f["Level"] == "Error"), \
        json.dumps(findings, indent=1)


# ---------------------------------------------------------------- bad values fail before any resource


BAD_VALUES = {
    "no image": ({"ServerImageId": ""}, "rule OneServerImage"),
    "two images": ({"ServerImageParameter": "/lustre-ha/server-image"}, "rule OneServerImage"),
    "malformed AMI id": ({"ServerImageId": "ami-123"}, "ServerImageId"),
    "endpoints without route tables": ({"CreateVpcEndpoints": "true"}, "rule EndpointsNeedRouteTables"),
    "malformed route table": ({"CreateVpcEndpoints": "true", "RouteTableIds": "rtb-xyz"}, "RouteTableIds"),
    "unknown placement": ({"PlacementGroupStrategy": "spread"}, "PlacementGroupStrategy"),
    "a key alias, not an ARN": ({"VolumeKmsKeyArn": "alias/lustre"}, "VolumeKmsKeyArn"),
    "no MDS": ({"MdsCount": "0"}, "MdsCount"),
    "fsname too long": ({"FileSystemName": "scratch01"}, "FileSystemName"),
    "not an instance type": ({"OssInstanceType": "big"}, "OssInstanceType"),
    "not a topic ARN": ({"AlarmTopicArn": "my-topic"}, "AlarmTopicArn"),
    "MgsOnMds not a boolean": ({"MgsOnMds": "yes"}, "MgsOnMds"),
    "not a bucket name": ({"ImportBucket": "My_Bucket"}, "ImportBucket"),
    "an unsafe key prefix": ({"ImportBucket": "my-data-bucket", "ImportPrefix": "a b"}, "ImportPrefix"),
}


@pytest.mark.parametrize("name", BAD_VALUES)
def test_a_bad_value_is_refused_before_any_resource(name):
    values, expect = BAD_VALUES[name]
    problems = render.check_parameters(MAIN, {**BASE, **values})
    assert any(p.startswith(expect) for p in problems), problems


def test_good_values_are_accepted():
    for variant in VARIANTS.values():
        assert render.check_parameters(MAIN, {**BASE, **variant}) == []
    assert render.check_parameters(IMAGE, IMAGE_BASE) == []


# ---------------------------------------------------------------- every parameter grouped, labelled, constrained


AWS_TYPES = re.compile(r"^(List<)?AWS::[A-Za-z0-9:]+::Id>?$")


@pytest.mark.parametrize("path", ["template.yaml", "image/template.yaml"])
def test_every_parameter_is_grouped_labelled_and_constrained(path):
    template = render.load(ROOT / path)
    interface = template["Metadata"]["AWS::CloudFormation::Interface"]
    grouped = [p for group in interface["ParameterGroups"] for p in group["Parameters"]]
    params = template["Parameters"]
    assert sorted(grouped) == sorted(params), "each parameter in exactly one group"
    assert sorted(interface["ParameterLabels"]) == sorted(params), "each parameter labelled"
    for name, spec in params.items():
        if AWS_TYPES.match(spec["Type"]):
            continue  # CloudFormation checks these against the account before making anything
        constrained = "AllowedValues" in spec or "AllowedPattern" in spec \
            or ("MinValue" in spec and "MaxValue" in spec)
        assert constrained, f"{name}: no AllowedValues, AllowedPattern or MinValue and MaxValue"
        assert spec.get("ConstraintDescription"), f"{name}: no ConstraintDescription"
        assert spec.get("Description"), f"{name}: no Description"
    defaults = {n: s["Default"] for n, s in params.items() if "Default" in s}
    for name, value in defaults.items():
        spec = params[name]
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], str(value)), f"{name}: its Default breaks its pattern"
        if "AllowedValues" in spec:
            assert str(value) in [str(v) for v in spec["AllowedValues"]], f"{name}: Default not allowed"


# ---------------------------------------------------------------- endpoints for what the scripts call


# The AWS CLI's service name -> the VPC endpoint service name (com.amazonaws.<region>.<name>).
ENDPOINT_NAMES = {"cloudwatch": "monitoring", "dynamodb": "dynamodb", "s3": "s3", "s3api": "s3", "logs": "logs",
                  "autoscaling": "autoscaling", "ec2": "ec2", "ssm": "ssm", "sts": "sts", "sns": "sns", "sqs": "sqs"}
def services_called(script: str) -> set[str]:
    """The AWS services a shell script calls through `aws <service> <operation>` (or the bootstrap's
    `aws_call <service> <operation>`), comment lines excluded."""
    return {action.split(":", 1)[0] for action in _calls(script)}


S3_COMMANDS = {"cp", "ls", "mv", "rm", "sync", "mb", "rb", "presign", "website"}


def _calls(script: str) -> set[str]:
    """service:operation (CLI names) of each call. A call is a known service with any operation, or
    any service with a hyphenated operation (get-item) or an s3 command: so a word list such as
    "for cmd in aws curl jq" is not a call, and "aws dynamodb query" is."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
    out = set()
    for service, operation in AWS_OPERATION.findall("\n".join(lines)):
        if service in ENDPOINT_NAMES or "-" in operation or operation in S3_COMMANDS:
            out.add(f"{service}:{operation}")
    return out


AWS_OPERATION = re.compile(r"(?:^|[\s;|&(`$])aws(?:_call)?\s+([a-z][a-z0-9-]*)\s+([a-z0-9]+(?:-[a-z0-9]+)+|[a-z]+)\b")
# The IAM service prefix of a CLI service, where they differ.
IAM_PREFIX = {"s3api": "s3"}
# An API whose IAM action has another name (Service Authorization Reference, Amazon S3: ListObjectsV2
# is authorized by s3:ListBucket).
IAM_ACTION = {"s3:ListObjectsV2": "s3:ListBucket"}


def actions_called(script: str) -> set[str]:
    """The IAM actions of the script's calls: put-metric-data in cloudwatch is
    cloudwatch:PutMetricData (the CLI's operation names are the API's, hyphenated)."""
    out = set()
    for call in _calls(script):
        service, operation = call.split(":", 1)
        name = "".join(part.capitalize() for part in operation.split("-"))
        action = f"{IAM_PREFIX.get(service, service)}:{name}"
        out.add(IAM_ACTION.get(action, action))
    return out


def endpoint_policy_gaps(scripts: dict[str, str], template: dict) -> set[str]:
    """Actions the scripts call on a service whose endpoint's policy does not allow them."""
    allowed: dict[str, set[str]] = {}
    for body in resources(template, "AWS::EC2::VPCEndpoint").values():
        props = body["Properties"]
        name = props["ServiceName"]
        service = str(name.get("Fn::Sub") if isinstance(name, dict) else name).rsplit(".", 1)[-1]
        for statement in props.get("PolicyDocument", {}).get("Statement", []):
            if statement.get("Effect") == "Allow":
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                allowed.setdefault(service, set()).update(a.lower() for a in actions)
    gaps = set()
    for text in scripts.values():
        for action in actions_called(text):
            prefix = action.split(":", 1)[0]
            endpoint = ENDPOINT_NAMES.get(prefix, prefix)
            if endpoint in allowed and action.lower() not in allowed[endpoint]:
                gaps.add(action)
    return gaps


def instance_scripts() -> dict[str, str]:
    out = {}
    for path in sorted((ROOT / "instance").iterdir()):
        if path.is_file() and path.suffix not in (".md", ".service"):
            out[path.name] = path.read_text()
    return out


def endpoint_services(template: dict) -> set[str]:
    out = set()
    for body in resources(template, "AWS::EC2::VPCEndpoint").values():
        name = body["Properties"]["ServiceName"]
        text = name.get("Fn::Sub") if isinstance(name, dict) else name
        out.add(str(text).rsplit(".", 1)[-1])
    return out


def missing_endpoints(scripts: dict[str, str], template: dict) -> set[str]:
    called = {s for text in scripts.values() for s in services_called(text)}
    return {ENDPOINT_NAMES.get(s, s) for s in called} - endpoint_services(template)


def test_the_endpoints_serve_exactly_the_services_the_server_scripts_call():
    scripts = instance_scripts()
    called = {ENDPOINT_NAMES.get(s, s) for text in scripts.values() for s in services_called(text)}
    assert "dynamodb" in called, "the bootstrap calls DynamoDB: the scan found nothing"
    assert missing_endpoints(scripts, MAIN) == set(), "a script calls a service without an endpoint"
    assert endpoint_services(MAIN) - called == set(), "an endpoint serves no script"


def test_the_endpoint_policies_allow_every_call_the_server_scripts_make():
    scripts = instance_scripts()
    called = {a for text in scripts.values() for a in actions_called(text)}
    assert {"dynamodb:GetItem", "dynamodb:UpdateItem", "s3:ListBucket", "s3:GetObject"} <= called, called
    assert endpoint_policy_gaps(scripts, MAIN) == set()


def test_a_script_calling_an_action_the_endpoint_policy_does_not_allow_fails():
    scripts = {**instance_scripts(), "extra": 'aws_call dynamodb scan --table-name "$T"\n'}
    assert endpoint_policy_gaps(scripts, MAIN) == {"dynamodb:Scan"}


def test_a_script_calling_a_new_service_fails_the_endpoint_check():
    scripts = {**instance_scripts(), "extra": "#!/bin/bash\n# aws sqs is only a comment\n"
               "aws logs put-log-events --log-group-name x\n"}
    assert missing_endpoints(scripts, MAIN) == {"logs"}


# ---------------------------------------------------------------- the server image


def component() -> dict:
    return yaml.safe_load(IMAGE["Resources"]["ServerComponent"]["Properties"]["Data"])


def manifest() -> list[tuple[str, str, str]]:
    rows = []
    for line in (ROOT / "image" / "instance-files.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            src, dest, mode = line.split()
            rows.append((src, dest, mode))
    return rows


def test_the_component_document_follows_the_documented_schema():
    assert component_schema.validate(component()) == []
    # The inline Data limit of CreateComponent (16,000 characters, Image Builder API Reference) [?].
    assert len(IMAGE["Resources"]["ServerComponent"]["Properties"]["Data"]) <= 16000


def test_the_component_checker_rejects_broken_documents():
    doc = component()
    broken = copy.deepcopy(doc)
    broken["phases"][0]["steps"][0]["action"] = "RunBash"
    broken["phases"][0]["steps"][1]["name"] = broken["phases"][0]["steps"][2]["name"]
    broken["phases"].append({"name": "deploy", "steps": [{"name": "x", "action": "Reboot", "inputs": {}}]})
    broken["phases"][1]["steps"][0]["inputs"]["commands"] = ["echo {{ NoSuchParameter }}"]
    broken["phases"][1]["steps"][0]["onFailure"] = "Retry"
    errors = component_schema.validate(broken)
    for text in ("unknown action 'RunBash'", "step names must be unique", "unknown phase 'deploy'",
                 "NoSuchParameter", "onFailure"):
        assert any(text in e for e in errors), (text, errors)


def test_the_recipe_passes_exactly_the_component_parameters():
    declared = {next(iter(p)) for p in component()["parameters"]}
    (entry,) = IMAGE["Resources"]["ServerRecipe"]["Properties"]["Components"]
    assert {p["Name"] for p in entry["Parameters"]} == declared


def test_every_component_script_passes_shellcheck(tmp_path):
    scripts = component_schema.bash_scripts(component())
    assert len(scripts) >= 6
    for where, script in scripts:
        path = tmp_path / (re.sub(r"\W+", "-", where) + ".sh")
        path.write_text("#!/bin/bash\n" + script)
        run = subprocess.run(["shellcheck", "-s", "bash", str(path)], capture_output=True, text=True, check=False)
        assert run.returncode == 0, f"{where}:\n{run.stdout}"


def _user_data_units() -> set[str]:
    """The units user data enables or starts (`systemctl enable|start [--no-block] a.service b.service`)."""
    text = (ROOT / "instance" / "user-data.sh").read_text()
    units = set()
    for args in re.findall(r"systemctl\s+(?:enable|start)\s+([^\n;&|]+)", text):
        units |= {a for a in args.split() if a.endswith(".service")}
    return units


def _exec_paths(unit: Path) -> set[str]:
    return set(re.findall(r"^Exec\w*=[-@:+!]*(/\S+)", unit.read_text(), re.M))


LOCAL_PATH = re.compile(r"/usr/local/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+")


def expected_files(rows: list[tuple[str, str, str]]) -> set[str]:
    units = _user_data_units()
    assert units, "the user data starts no unit: the scan is broken"
    source_of = {dest: src for src, dest, _ in rows}
    expected = {f"/etc/systemd/system/{u}" for u in units}
    for unit in list(expected):
        if unit in source_of:
            expected |= {p for p in _exec_paths(ROOT / "instance" / source_of[unit]) if p.startswith("/usr/local/")}
    programs = [p for p in expected if p.startswith("/usr/local/")]
    for program in programs:
        if program in source_of:
            text = (ROOT / "instance" / source_of[program]).read_text()
            # A /usr/local path a program names, whose file is one of ours (instance/<its name>).
            expected |= {p for p in LOCAL_PATH.findall(text) if (ROOT / "instance" / p.rsplit("/", 1)[1]).is_file()}
    return expected


def test_a_program_loading_a_library_makes_the_library_expected(tmp_path, monkeypatch):
    """What a health agent that sources instance/lustre-ha-common.sh from /usr/local/lib needs."""
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "user-data.sh").write_text("systemctl enable a.service\n")
    (instance / "a.service").write_text("[Service]\nExecStart=/usr/local/sbin/a\n")
    (instance / "a").write_text("#!/bin/bash\n. /usr/local/lib/lustre-ha/common.sh\n")
    (instance / "common.sh").write_text("x=1\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    rows = [("a", "/usr/local/sbin/a", "0755"), ("a.service", "/etc/systemd/system/a.service", "0644")]
    assert expected_files(rows) == {"/usr/local/sbin/a", "/etc/systemd/system/a.service",
                                    "/usr/local/lib/lustre-ha/common.sh"}


def test_the_image_installs_exactly_the_files_the_user_data_expects():
    rows = manifest()
    installed = {dest for _, dest, _ in rows}
    for src, dest, mode in rows:
        assert (ROOT / "instance" / src).is_file(), f"instance/{src} is listed but missing"
        assert re.fullmatch(r"0[0-7]{3}", mode), f"{src}: mode {mode}"
    # What the user data starts, what those units run, and what those programs load from
    # /usr/local (a sourced library, say) is what the image must carry.
    assert installed == expected_files(rows), \
        f"installed but not expected: {installed - expected_files(rows)}; " \
        f"expected but not installed: {expected_files(rows) - installed}"
    for src, dest, mode in rows:
        if dest.startswith("/usr/local/sbin/"):
            assert mode == "0755", f"{dest} must be executable"
