"""lustre-ha EBS rule: every EBS volume the template creates, or lets a role create, is encrypted.

The Lustre targets (MGT, MDT, OSTs) are EBS volumes; docs/design.md has them encrypted. Volumes appear
in three ways, and each is checked in the template as deployed (see _lustreha_view.py).

E9120 adds the customer managed key (the stack's VolumeKmsKeyArn): once a template encrypts one
volume with a key of its own, every volume it creates, or lets a role create, uses that key.
"""

from __future__ import annotations

import os
import sys

from cfnlint.rules import CloudFormationLintRule, RuleMatch

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:  # cfn-lint loads rule files by path; the shared helper sits beside them
    sys.path.insert(0, _HERE)
from _lustreha_view import TemplateView, action_matches, action_patterns, branches, literal_true, text_of, values_of  # noqa: E402

# Where block device mappings live, by resource type.
MAPPINGS = {
    "AWS::EC2::LaunchTemplate": ["Properties", "LaunchTemplateData", "BlockDeviceMappings"],
    "AWS::AutoScaling::LaunchConfiguration": ["Properties", "BlockDeviceMappings"],
    "AWS::EC2::Instance": ["Properties", "BlockDeviceMappings"],
    "AWS::ImageBuilder::ImageRecipe": ["Properties", "BlockDeviceMappings"],
}


def _get(body: dict, path: list):
    node = body
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _covers_volumes(statement: dict) -> bool:
    """Whether a statement's Resource can match a volume ARN ("*", volume/..., or unreadable)."""
    if "NotResource" in statement:
        return True
    for value in values_of(statement.get("Resource")):
        text = text_of(value)
        if text is None or text.strip("*") == "":
            return True
        parts = text.split(":", 5)
        if len(parts) < 6 or parts[5].split("/", 1)[0] in ("volume", "*"):
            return True
    return False


def _requires_encryption(statement: dict) -> bool:
    """Condition `Bool: {ec2:Encrypted: true}` (operator and key case-insensitive)."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        if str(operator).lower() != "bool" or not isinstance(block, dict):
            continue
        for key, value in block.items():
            if str(key).lower() == "ec2:encrypted" and literal_true(value):
                return True
    return False


class EncryptedVolumes(CloudFormationLintRule):
    """E9104: no unencrypted EBS volume.

    Flags:
    - an AWS::EC2::Volume without `Encrypted: true`;
    - an `Ebs` block device mapping without `Encrypted: true` in an AWS::EC2::LaunchTemplate
      (LaunchTemplateData), AWS::AutoScaling::LaunchConfiguration or AWS::EC2::Instance
      (mappings without `Ebs`, e.g. instance store or NoDevice, are not volumes);
    - an Allow of ec2:CreateVolume on volume resources without the condition
      `Bool: {ec2:Encrypted: true}`: the pool provisioner creates the targets through the API,
      where the template cannot see them, so the role is where encryption is enforced.
    `true` must be literal (or true on every Fn::If arm): a Ref cannot be proven true. Account-level
    "EBS encryption by default" is not visible to a template and does not count, and AMI mappings a
    launch template does not list are not visible either: list every data volume.
    """

    id = "E9104"
    shortdesc = "EBS volumes must be encrypted"
    description = (
        "Volumes, launch template / launch configuration / instance EBS mappings must set "
        "Encrypted: true, and ec2:CreateVolume must be conditioned on ec2:Encrypted."
    )
    source_url = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"
    tags = ["ec2", "ebs", "lustre-ha"]

    def match(self, cfn):
        view = TemplateView.of(cfn)
        if view.error:
            return []  # E9100 reports an untranslatable template
        matches = []
        for resource in view.of_type("AWS::EC2::Volume"):
            if not literal_true(_get(resource.body, ["Properties", "Encrypted"])):
                matches.append(
                    RuleMatch(
                        view.source_path(resource, ["Properties"]),
                        f"{resource.describe()}: EBS volume without Encrypted: true",
                    )
                )
        for resource_type, path in MAPPINGS.items():
            for resource in view.of_type(resource_type):
                for mapping, mpath in branches(_get(resource.body, path), list(path), expand_lists=True):
                    if not isinstance(mapping, dict) or "Ebs" not in mapping:
                        continue
                    for ebs, epath in branches(mapping["Ebs"], mpath + ["Ebs"]):
                        if not isinstance(ebs, dict) or not literal_true(ebs.get("Encrypted")):
                            device = mapping.get("DeviceName", "?")
                            matches.append(
                                RuleMatch(
                                    view.source_path(resource, epath),
                                    f"{resource.describe()}: EBS mapping {device} without Encrypted: true",
                                )
                            )
        for stmt in view.statements():
            if not stmt.effect_allows:
                continue
            if "NotAction" in stmt.body:
                allows = not any(action_matches(p, "ec2:CreateVolume") for p in action_patterns(stmt.body["NotAction"]))
            else:
                allows = any(action_matches(p, "ec2:CreateVolume") for p in action_patterns(stmt.body.get("Action")))
            if allows and _covers_volumes(stmt.body) and not _requires_encryption(stmt.body):
                key = ["Condition"] if "Condition" in stmt.body else []
                matches.append(
                    RuleMatch(
                        view.source_path(stmt.resource, list(stmt.subpath) + key),
                        f"{stmt.describe()}: ec2:CreateVolume without the condition "
                        "Bool ec2:Encrypted true; the role could create unencrypted volumes",
                    )
                )
        return matches


# ---------------------------------------------------------------------- E9120: one key for every volume

ABSENT = object()


def _arms(value, assumed: frozenset = frozenset()):
    """(value, assumed conditions) for each Fn::If arm of `value`; AWS::NoValue and a missing value
    are ABSENT. `assumed` holds (condition name, truth) pairs."""
    if isinstance(value, dict) and len(value) == 1 and "Fn::If" in value:
        args = value["Fn::If"]
        if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
            yield from _arms(args[1], assumed | {(args[0], True)})
            yield from _arms(args[2], assumed | {(args[0], False)})
            return
    if value is None or value == {"Ref": "AWS::NoValue"}:
        yield ABSENT, assumed
        return
    yield value, assumed


def _compatible(a: frozenset, b: frozenset) -> bool:
    """Whether two sets of assumed conditions can hold at once. Conditions of different names are
    taken as independent: a template that ties them some other way is judged strictly."""
    return not any((name, not truth) in b for name, truth in a)


def _assumed_along(body, path: list) -> frozenset:
    """The conditions assumed by the Fn::If arms on `path` inside `body`."""
    assumed, node = set(), body
    for i, key in enumerate(path):
        if key == "Fn::If" and isinstance(node, dict) and i + 1 < len(path):
            args = node.get("Fn::If")
            if isinstance(args, list) and args and isinstance(args[0], str) and path[i + 1] in (1, 2):
                assumed.add((args[0], path[i + 1] == 1))
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            break
    return frozenset(assumed)


def _resource_condition(resource) -> frozenset:
    name = resource.body.get("Condition")
    return frozenset({(name, True)}) if isinstance(name, str) else frozenset()


def _key_condition(statement: dict):
    """The value of an ec2:KmsKeyId condition (StringEquals, StringLike, ArnEquals, ArnLike), or ABSENT."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return ABSENT
    for operator, block in condition.items():
        name = str(operator).lower()
        name = name[: -len("ifexists")] if name.endswith("ifexists") else name
        if name not in ("stringequals", "stringlike", "arnequals", "arnlike"):
            continue
        if isinstance(block, dict):
            for key, value in block.items():
                if str(key).lower() == "ec2:kmskeyid":
                    return value
    return ABSENT


class VolumeKeys(CloudFormationLintRule):
    """E9120: a customer managed volume key, once used, is used for every volume.

    When any EBS volume the template makes names a KMS key (KmsKeyId of an AWS::EC2::Volume or of an
    Ebs block device mapping, as E9104 finds them) or any ec2:CreateVolume Allow is conditioned on
    ec2:KmsKeyId, then, under the same conditions (Fn::If arms and resource Conditions that can hold
    together), every such volume names a key, every ec2:CreateVolume Allow on volumes carries an
    ec2:KmsKeyId condition. So a stack given VolumeKmsKeyArn cannot leave one volume, or one role's
    CreateVolume, on the AWS managed key. (Which key each names is not compared: a Ref and an ARN
    cannot be told equal or not before deployment.)
    """

    id = "E9120"
    shortdesc = "A customer managed volume key must cover every volume"
    description = (
        "When a KMS key encrypts one EBS volume, every volume mapping and ec2:CreateVolume permission "
        "under the same conditions must name a key (KmsKeyId, ec2:KmsKeyId)."
    )
    source_url = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"
    tags = ["ec2", "ebs", "kms", "lustre-ha"]

    def match(self, cfn):
        view = TemplateView.of(cfn)
        if view.error:
            return []
        # (where, description, key value or ABSENT, assumed conditions)
        places = []
        for resource in view.of_type("AWS::EC2::Volume"):
            props = resource.body.get("Properties") or {}
            for key, assumed in _arms(props.get("KmsKeyId"), _resource_condition(resource)):
                places.append((view.source_path(resource, ["Properties"]), f"{resource.describe()}: EBS volume", key, assumed))
        for resource_type, path in MAPPINGS.items():
            for resource in view.of_type(resource_type):
                base = _resource_condition(resource)
                for mapping, mpath in branches(_get(resource.body, path), list(path), expand_lists=True):
                    if not isinstance(mapping, dict) or "Ebs" not in mapping:
                        continue
                    for ebs, epath in branches(mapping["Ebs"], mpath + ["Ebs"]):
                        if not isinstance(ebs, dict):
                            continue
                        assumed = base | _assumed_along(resource.body, epath)
                        device = mapping.get("DeviceName", "?")
                        for key, arm in _arms(ebs.get("KmsKeyId"), assumed):
                            places.append((view.source_path(resource, epath),
                                           f"{resource.describe()}: EBS mapping {device}", key, arm))
        for stmt in view.statements():
            if not stmt.effect_allows or "NotAction" in stmt.body:
                continue
            if not any(action_matches(p, "ec2:CreateVolume") for p in action_patterns(stmt.body.get("Action"))):
                continue
            if not _covers_volumes(stmt.body):
                continue
            assumed = _resource_condition(stmt.resource) | _assumed_along(stmt.resource.body, list(stmt.subpath))
            for key, arm in _arms(_key_condition(stmt.body), assumed):
                where = list(stmt.subpath) + (["Condition"] if "Condition" in stmt.body else [])
                places.append((view.source_path(stmt.resource, where),
                               f"{stmt.describe()}: ec2:CreateVolume", key, arm))
        keyed = [p for p in places if p[2] is not ABSENT]
        matches = []
        for path, what, key, assumed in places:
            others = [k for k in keyed if _compatible(assumed, k[3])]
            if not others:
                continue
            if key is ABSENT:
                matches.append(RuleMatch(path, f"{what} without a KMS key, where {others[0][1]} uses one: "
                                               "every volume must use the customer managed key"))
        return matches
