"""lustre-ha EBS rule: every EBS volume the template creates, or lets a role create, is encrypted.

The Lustre targets (MGT, MDT, OSTs) are EBS volumes; DESIGN.md has them encrypted. Volumes appear
in three ways, and each is checked in the template as deployed (see _lustreha_view.py).
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
