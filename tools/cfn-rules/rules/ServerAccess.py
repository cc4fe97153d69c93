"""lustre-ha rules on how the servers reach AWS: the instance metadata service and VPC endpoints.

The bootstrap reads its role and epoch from instance metadata tags through IMDSv2 only, and in a
private subnet it reaches DynamoDB (and any other service a server script calls) through VPC
endpoints whose policies allow what the servers do, on the stack's own resources.
"""

from __future__ import annotations

import os
import sys

from cfnlint.rules import CloudFormationLintRule, RuleMatch

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:  # cfn-lint loads rule files by path; the shared helper sits beside them
    sys.path.insert(0, _HERE)
from _lustreha_view import TemplateView, action_patterns, branches, has_specific_condition, text_of, values_of  # noqa: E402

# Where each resource type keeps its metadata options, and the key that makes IMDSv2 required.
METADATA_OPTIONS = {
    "AWS::EC2::LaunchTemplate": ["Properties", "LaunchTemplateData", "MetadataOptions"],
    "AWS::ImageBuilder::InfrastructureConfiguration": ["Properties", "InstanceMetadataOptions"],
}


def _get(body, path):
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


class Imdsv2Only(CloudFormationLintRule):
    """E9122: instances launch with IMDSv2 only.

    Flags an AWS::EC2::LaunchTemplate whose LaunchTemplateData has no MetadataOptions with
    `HttpTokens: required`, and an AWS::ImageBuilder::InfrastructureConfiguration (the image build
    and test instances) without InstanceMetadataOptions `HttpTokens: required`, on any Fn::If arm.
    IMDSv1 answers an unauthenticated GET, which a server-side request forgery can reach.
    """

    id = "E9122"
    shortdesc = "Instances must require IMDSv2"
    description = "Launch templates and Image Builder infrastructure configurations must set HttpTokens: required."
    source_url = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html"
    tags = ["ec2", "imds", "lustre-ha"]

    def match(self, cfn):
        view = TemplateView.of(cfn)
        if view.error:
            return []
        matches = []
        for resource_type, path in METADATA_OPTIONS.items():
            for resource in view.of_type(resource_type):
                options = _get(resource.body, path)
                arms = list(branches(options, list(path))) or [(None, list(path))]
                for arm, arm_path in arms:
                    tokens = arm.get("HttpTokens") if isinstance(arm, dict) else None
                    if not (isinstance(tokens, str) and tokens == "required"):
                        where = arm_path if arm is not None else list(path[:-1])
                        matches.append(RuleMatch(view.source_path(resource, where),
                                                 f"{resource.describe()}: IMDSv2 not required (HttpTokens: required)"))
        return matches


def _reference():
    """Per service, per action (lower case): the resource types it supports (cfn-lint's copy of the
    Service Authorization Reference, as E9102 uses it)."""
    from cfnlint.data import AdditionalSpecs
    from cfnlint.helpers import load_resource

    return load_resource(AdditionalSpecs, "Policies.json")


class ScopedEndpointPolicies(CloudFormationLintRule):
    """E9121: every VPC endpoint has a policy that allows named actions on named resources.

    An AWS::EC2::VPCEndpoint without PolicyDocument allows everything through it (the default
    endpoint policy is full access). So each endpoint must carry a PolicyDocument in which every
    Allow names its actions (no "*" and no "service:*") and names its resources: "*" only when
    every action it allows supports no resource types (the Service Authorization Reference), as
    for an identity policy. NotAction and NotResource in an Allow are flagged: they grant the rest.
    """

    id = "E9121"
    shortdesc = "VPC endpoint policies must be scoped"
    description = "VPC endpoints need a PolicyDocument allowing named actions on named resources."
    source_url = "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html"
    tags = ["vpc", "iam", "lustre-ha"]

    def match(self, cfn):
        view = TemplateView.of(cfn)
        if view.error:
            return []
        matches = []
        reference = None
        for resource in view.of_type("AWS::EC2::VPCEndpoint"):
            props = resource.body.get("Properties") or {}
            if "PolicyDocument" not in props:
                matches.append(RuleMatch(view.source_path(resource, ["Properties"]),
                                         f"{resource.describe()}: no PolicyDocument, so the endpoint allows every action"))
                continue
            for doc, doc_path in branches(props["PolicyDocument"], ["Properties", "PolicyDocument"]):
                statements = doc.get("Statement") if isinstance(doc, dict) else None
                for stmt, path in branches(statements, doc_path + ["Statement"], expand_lists=True):
                    if not isinstance(stmt, dict) or stmt.get("Effect") == "Deny":
                        continue
                    where = view.source_path(resource, path)
                    if "NotAction" in stmt or "NotResource" in stmt:
                        matches.append(RuleMatch(where, f"{resource.describe()}: endpoint policy Allow with NotAction/NotResource"))
                        continue
                    actions = action_patterns(stmt.get("Action"))
                    wild = [a for a in actions if a == "*" or a.endswith(":*")]
                    if wild or not actions:
                        matches.append(RuleMatch(where, f"{resource.describe()}: endpoint policy allows {wild or 'no named action'}"))
                        continue
                    if any(text_of(r) == "*" for r in values_of(stmt.get("Resource"))):
                        reference = reference or _reference()
                        # PutMetricData publishes into a namespace, not a resource: the
                        # cloudwatch:namespace condition is what scopes it (as E9108 requires).
                        scopable = [a for a in actions if _supports_resources(reference, a)
                                    and not (a == "cloudwatch:putmetricdata" and has_specific_condition(stmt, ("cloudwatch:namespace",)))]
                        if scopable:
                            matches.append(RuleMatch(where, f"{resource.describe()}: endpoint policy allows {scopable} "
                                                            "on '*', but they support resource-level permissions"))
        return matches


def _supports_resources(reference: dict, action: str) -> bool:
    service, _, name = action.partition(":")
    actions = reference.get(service, {}).get("Actions", {})
    entry = actions.get(name)
    # An action the reference does not know (or a pattern) is treated as scopable: fail closed.
    return entry is None or bool(entry.get("Resources"))
