"""lustre-ha IAM rules: no wildcard actions, no Resource "*" on mutating actions that can be
scoped, tag conditions on every mutating EC2 instance, volume and ENI action, and a namespace
condition on every grant of cloudwatch:PutMetricData.

The rules read the template as deployed (see _lustreha_view.py): the roles SAM generates from a
function's or state machine's `Policies` (inline statements, SAM policy templates, managed policy
names) are checked like any `AWS::IAM::Role`, `AWS::IAM::Policy` or `AWS::IAM::ManagedPolicy`.
Only identity-based policies are read; resource policies (queue, topic, bucket policies) are not.
Deny statements are never findings: a broad Deny only takes permissions away.
"""

from __future__ import annotations

import os
import sys

from cfnlint.rules import CloudFormationLintRule, RuleMatch

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:  # cfn-lint loads rule files by path; the shared helper sits beside them
    sys.path.insert(0, _HERE)
from _lustreha_view import (  # noqa: E402
    Statement,
    TemplateView,
    action_matches,
    action_patterns,
    has_specific_condition,
    text_of,
    values_of,
)

# Mutating actions that support resource-level permissions, by service: a statement that allows
# one of these can name the resources it acts on, so `Resource: "*"` is never needed for them.
# Checked against the Service Authorization Reference ("Resource types" column; the copy bundled
# with cfn-lint is compared in tools/cfn-rules/tests). Actions absent from this table (Describe*,
# List*, and writes with no resource types, such as logs:CreateLogDelivery or
# xray:PutTraceSegments) are not judged by E9102: for those "*" is what AWS requires.
MUTATING_SCOPABLE_ACTIONS: dict[str, tuple[str, ...]] = {
    # EC2: the instances, volumes and ENIs lustre-ha fences and moves, and their tags.
    "ec2": (
        "AttachVolume",
        "DetachVolume",
        "AttachNetworkInterface",
        "DetachNetworkInterface",
        "StartInstances",
        "StopInstances",  # the fence
        "RebootInstances",
        "TerminateInstances",
        "ModifyInstanceAttribute",
        "RunInstances",
        "CreateVolume",  # the pool provisioner
        "DeleteVolume",
        "ModifyVolume",
        "ModifyVolumeAttribute",
        "CreateSnapshot",
        "DeleteSnapshot",
        "CreateNetworkInterface",  # the pool provisioner
        "DeleteNetworkInterface",
        "ModifyNetworkInterfaceAttribute",
        "AssignPrivateIpAddresses",  # the NID lives on the ENI's private IP
        "UnassignPrivateIpAddresses",
        "CreateTags",  # tags are what the tag conditions trust
        "DeleteTags",
    ),
    # Auto Scaling: lifecycle actions, health and capacity of the file system's groups.
    "autoscaling": (
        "CompleteLifecycleAction",
        "RecordLifecycleActionHeartbeat",
        "SetInstanceHealth",
        "TerminateInstanceInAutoScalingGroup",
        "SetDesiredCapacity",
        "UpdateAutoScalingGroup",
        "CreateAutoScalingGroup",
        "DeleteAutoScalingGroup",
        "PutLifecycleHook",
        "DeleteLifecycleHook",
        "AttachInstances",
        "DetachInstances",
        "EnterStandby",
        "ExitStandby",
        "SetInstanceProtection",
        "SuspendProcesses",
        "ResumeProcesses",
        "StartInstanceRefresh",
        "PutScalingPolicy",
    ),
    # DynamoDB: item writes (the epoch lives here) and table-level changes, PITR included.
    "dynamodb": (
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "PartiQLInsert",
        "PartiQLUpdate",
        "PartiQLDelete",
        "CreateTable",
        "UpdateTable",
        "DeleteTable",
        "UpdateContinuousBackups",  # turns point-in-time recovery off
        "UpdateTimeToLive",
        "RestoreTableToPointInTime",
    ),
    # Step Functions: starting and stopping the workflows.
    "states": (
        "StartExecution",
        "StartSyncExecution",
        "StopExecution",
        "RedriveExecution",
        "UpdateStateMachine",
        "DeleteStateMachine",
    ),
    # Lambda: invoking the step functions, and changing any function.
    "lambda": (
        "InvokeFunction",
        "InvokeAsync",
        "InvokeFunctionUrl",
        "UpdateFunctionCode",
        "UpdateFunctionConfiguration",
        "DeleteFunction",
        "AddPermission",
        "PublishVersion",
        "UpdateAlias",
    ),
    # The other services lustre-ha touches or will: the dead-letter queue, events, roles, keys, logs.
    "sqs": ("SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "PurgeQueue"),
    "sns": ("Publish",),
    "events": ("PutEvents", "PutRule", "PutTargets"),
    "iam": ("PassRole", "CreateRole", "PutRolePolicy", "AttachRolePolicy", "UpdateAssumeRolePolicy"),
    "kms": (
        "Encrypt",
        "Decrypt",
        "ReEncryptFrom",
        "ReEncryptTo",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "CreateGrant",
    ),
    "logs": ("CreateLogGroup", "CreateLogStream", "PutLogEvents"),
}
MUTATING_SCOPABLE = tuple(f"{svc}:{name}" for svc, names in MUTATING_SCOPABLE_ACTIONS.items() for name in names)

# EC2 actions on existing instances, volumes, ENIs and snapshots: each statement that allows one
# must carry an aws:ResourceTag/<key> (or ec2:ResourceTag/<key>) condition, so that a role can touch
# only resources tagged as this file system's, whatever ARN pattern it names. ec2:CreateTags may
# instead carry ec2:CreateAction (tagging as part of a create call, when the resource has no tags
# yet). RunInstances and CreateSnapshot are left out: each mixes created and existing resources in
# one call, and lustre-ha launches no instance itself (its Auto Scaling groups do).
EC2_RESOURCE_TAG_ACTIONS = (
    "ec2:AttachVolume",
    "ec2:DetachVolume",
    "ec2:AttachNetworkInterface",
    "ec2:DetachNetworkInterface",
    "ec2:StartInstances",
    "ec2:StopInstances",
    "ec2:RebootInstances",
    "ec2:TerminateInstances",
    "ec2:ModifyInstanceAttribute",
    "ec2:DeleteVolume",
    "ec2:ModifyVolume",
    "ec2:ModifyVolumeAttribute",
    "ec2:DeleteSnapshot",
    "ec2:DeleteNetworkInterface",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:CreateTags",
    "ec2:DeleteTags",
)
# EC2 create actions and the resource type each creates. The new resource has no tags to test,
# so the statement that covers it must carry aws:RequestTag/<key> instead (tag on create): the
# call is allowed only if it tags the new resource as this file system's. A statement naming only
# the other resources of the call (the subnet, security groups or snapshot) needs no tag
# condition; aws:RequestTag is not evaluated against those.
EC2_REQUEST_TAG_ACTIONS = {
    "ec2:CreateVolume": "volume",
    "ec2:CreateNetworkInterface": "network-interface",
}

# The tag that says which file system a resource belongs to: the Auto Scaling groups propagate it
# to instances, the pool provisioner puts it on ENIs and volumes. A condition on any other tag
# (Name, Environment, ...) does not scope a statement to this file system.
FILE_SYSTEM_TAG = "lustre-ha:file-system"
RESOURCE_TAG_KEYS = (f"aws:resourcetag/{FILE_SYSTEM_TAG}", f"ec2:resourcetag/{FILE_SYSTEM_TAG}")
REQUEST_TAG_KEYS = (f"aws:requesttag/{FILE_SYSTEM_TAG}",)

# PutMetricData names no resource (Resource must be "*"); what scopes it is the namespace the call
# publishes to, the cloudwatch:namespace condition key
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
PUT_METRIC_DATA = ("cloudwatch:PutMetricData",)
NAMESPACE_KEYS = ("cloudwatch:namespace",)

# Condition operators that require a tag to be present with a given value. `...IfExists` lets a
# resource without the tag through and `Not...` inverts the test, so neither scopes anything;
# set operators (ForAllValues:) are true when the key is absent.

# AWS managed policies that grant a whole service (or everything): attaching one is a wildcard
# action in disguise, whatever the template's own statements say.
BROAD_MANAGED_POLICIES = {
    "AdministratorAccess": "*",
    "PowerUserAccess": "* (NotAction iam, organizations, account)",
    "AmazonEC2FullAccess": "ec2:*, autoscaling:*",
    "AutoScalingFullAccess": "autoscaling:*",
    "AmazonDynamoDBFullAccess": "dynamodb:*",
    "AmazonDynamoDBFullAccesswithDataPipeline": "dynamodb:*",
    "AWSStepFunctionsFullAccess": "states:*",
    "AWSLambda_FullAccess": "lambda:*",
    "AmazonSQSFullAccess": "sqs:*",
    "IAMFullAccess": "iam:*",
}


def _is_service_wildcard(pattern: str) -> bool:
    """`*`, or `service:*` (any run of wildcards after the colon): every action of a service."""
    if pattern.strip("*") == "":
        return True
    service, _, name = pattern.partition(":")
    return bool(service) and name != "" and name.strip("*") == ""


def _unscoped_resources(statement: dict) -> list[str]:
    """The Resource entries that name every resource: "*" itself, or an ARN whose resource part
    is "*" (arn:aws:ec2:*:*:*). A NotResource in an Allow is "everything but", so it counts."""
    if "NotResource" in statement:
        return ["NotResource"]
    out = []
    for value in values_of(statement.get("Resource")):
        text = text_of(value)
        if text is None:
            continue
        if text.strip("*") == "":
            out.append(text)
            continue
        parts = text.split(":", 5)
        if len(parts) == 6 and parts[0] == "arn" and parts[5].strip("*") == "":
            out.append(text)
    return out


def _allowed(statement: dict, candidates: tuple[str, ...]) -> list[str]:
    """The candidate actions a statement allows, through Action patterns or through NotAction
    (which allows every action it does not list)."""
    if "NotAction" in statement:
        excluded = action_patterns(statement.get("NotAction"))
        return [a for a in candidates if not any(action_matches(p, a) for p in excluded)]
    patterns = action_patterns(statement.get("Action"))
    return [a for a in candidates if any(action_matches(p, a) for p in patterns)]


def _resource_types(statement: dict) -> set[str | None]:
    """The EC2 resource types a statement's Resource names: "volume" for
    arn:...:ec2:...:volume/*, "*" for every resource, None for a value that cannot be read."""
    out: set[str | None] = set()
    if "NotResource" in statement:
        return {"*"}
    for value in values_of(statement.get("Resource")):
        text = text_of(value)
        if text is None:
            out.add(None)
        elif text.strip("*") == "":
            out.add("*")
        else:
            parts = text.split(":", 5)
            out.add(parts[5].split("/", 1)[0] if len(parts) == 6 else None)
    return out


def _report(view: TemplateView, stmt: Statement, key: str | None, message: str) -> RuleMatch:
    subpath = list(stmt.subpath) + ([key] if key else [])
    return RuleMatch(view.source_path(stmt.resource, subpath), f"{stmt.describe()}: {message}")


def _translatable(cfn) -> TemplateView | None:
    view = TemplateView.of(cfn)
    return None if view.error else view  # E9100 reports an untranslatable template


def _allow_statements(cfn):
    """(view, statement) for every Allow of the deployed template; none when it does not translate."""
    view = _translatable(cfn)
    if view is None:
        return
    for stmt in view.statements():
        if stmt.effect_allows:
            yield view, stmt


class WildcardActions(CloudFormationLintRule):
    """E9101: no wildcard actions in an Allow.

    Flags, in every identity policy of the deployed template (SAM-generated roles included):
    - an Action that is `*` or a whole service (`ec2:*`, `autoscaling:*`, `dynamodb:*`, any
      `service:*`): least privilege names the actions a function calls;
    - an Allow with NotAction: it grants every action of every service except those listed,
      which is a wildcard that reads like a restriction;
    - a role, user or group that attaches an AWS managed policy granting a whole service
      (AdministratorAccess, AmazonEC2FullAccess, AmazonDynamoDBFullAccess, ...; see
      BROAD_MANAGED_POLICIES), including SAM `Policies` entries that name one.
    Partial wildcards such as `ec2:Describe*` are allowed here; E9102 judges their resources.
    """

    id = "E9101"
    shortdesc = "No wildcard actions in IAM policies"
    description = (
        "An Allow must not grant '*', a whole service ('ec2:*', 'autoscaling:*', 'dynamodb:*', ...), "
        "use NotAction, or attach an AWS managed policy that grants a whole service."
    )
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
    tags = ["iam", "lustre-ha"]

    def match(self, cfn):
        view = _translatable(cfn)
        if view is None:
            return []
        matches = []
        for stmt in view.statements():
            if not stmt.effect_allows:
                continue
            if "NotAction" in stmt.body:
                excluded = ", ".join(action_patterns(stmt.body["NotAction"])) or "nothing"
                matches.append(
                    _report(view, stmt, "NotAction", f"Allow with NotAction grants every action except {excluded}")
                )
                continue
            wild = [p for p in action_patterns(stmt.body.get("Action")) if _is_service_wildcard(p)]
            if wild:
                matches.append(
                    _report(view, stmt, "Action", f"wildcard action {', '.join(wild)}; name the actions instead")
                )
        for resource in view.of_type("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
            arns = resource.body.get("Properties", {}).get("ManagedPolicyArns")
            for i, arn in enumerate(arns if isinstance(arns, list) else []):
                text = text_of(arn) or ""
                name = text.rsplit("/", 1)[-1] if ":policy/" in text else None
                if name in BROAD_MANAGED_POLICIES and ":iam::aws:policy/" in text:
                    matches.append(
                        RuleMatch(
                            view.source_path(resource, ["Properties", "ManagedPolicyArns", i]),
                            f"{resource.describe()}: managed policy {name} grants "
                            f"{BROAD_MANAGED_POLICIES[name]}; write the statements the role needs",
                        )
                    )
        return matches


class UnscopedMutatingActions(CloudFormationLintRule):
    """E9102: no `Resource: "*"` for a mutating action that supports resource-level permissions.

    Flags an Allow whose Resource is "*" (alone or in a list), an ARN whose resource part is "*",
    or a NotResource, when it allows (by name, by wildcard pattern, or through NotAction) an
    action of MUTATING_SCOPABLE_ACTIONS: each of those can be limited to the ARNs it needs.
    A tag condition does not excuse "*": naming the resource type and ARN pattern costs nothing
    and keeps the grant readable. Read-only actions and writes without resource-level support
    (logs delivery for Step Functions, X-Ray segments, Describe*) legitimately use "*" and are
    not in the table.
    """

    id = "E9102"
    shortdesc = "No Resource '*' on mutating actions that can be scoped"
    description = (
        "An Allow that grants a mutating action with resource-level permissions (see the table "
        "in the rule) must name the resources, not '*'."
    )
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
    tags = ["iam", "lustre-ha"]

    def match(self, cfn):
        matches = []
        for view, stmt in _allow_statements(cfn):
            unscoped = _unscoped_resources(stmt.body)
            if not unscoped:
                continue
            actions = _allowed(stmt.body, MUTATING_SCOPABLE)
            if actions:
                key = "NotResource" if "NotResource" in stmt.body else "Resource"
                shown = ", ".join(actions[:6]) + (f" and {len(actions) - 6} more" if len(actions) > 6 else "")
                matches.append(
                    _report(
                        view,
                        stmt,
                        key,
                        f"{shown} on {' '.join(unscoped)}: these actions support resource-level "
                        "permissions; name the ARNs",
                    )
                )
        return matches


class Ec2TagConditions(CloudFormationLintRule):
    """E9103: mutating EC2 instance, volume and ENI actions carry tag conditions.

    lustre-ha may touch only its own file system's instances, volumes and ENIs; the tag
    `lustre-ha:file-system` (FILE_SYSTEM_TAG) says which those are. So:
    - an Allow of an action in EC2_RESOURCE_TAG_ACTIONS (attach, detach, stop, start, terminate,
      modify, delete, tag) must carry a StringEquals/StringLike/StringEqualsIgnoreCase condition on
      aws:ResourceTag/lustre-ha:file-system or ec2:ResourceTag/lustre-ha:file-system with a
      specific value; for ec2:CreateTags an ec2:CreateAction condition (tag on create) also does;
    - an Allow of ec2:CreateVolume or ec2:CreateNetworkInterface whose Resource covers the created
      type (volume/*, network-interface/*, "*", or an ARN that cannot be read) must carry such a
      condition on aws:RequestTag/lustre-ha:file-system: the new resource has no tags yet, so the
      call is allowed only if it creates the resource tagged as this file system's.
    A condition on another tag (Name, Environment) does not count: it does not say which file
    system a resource belongs to.
    This holds with a scoped ARN too: an ARN pattern names a resource type, not a file system.
    `...IfExists`, `Not...` and set operators do not count (they let untagged resources through),
    nor does a value that is only wildcards.
    """

    id = "E9103"
    shortdesc = "Mutating EC2 actions need resource or request tag conditions"
    description = (
        "Allows of mutating EC2 instance/volume/ENI actions must be conditioned on the file-system tag: "
        "aws:ResourceTag (existing resources) or aws:RequestTag (CreateVolume, CreateNetworkInterface)."
    )
    source_url = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html"
    tags = ["iam", "ec2", "lustre-ha"]

    def match(self, cfn):
        matches = []
        for view, stmt in _allow_statements(cfn):
            key = "Condition" if "Condition" in stmt.body else None
            tagged = has_specific_condition(stmt.body, RESOURCE_TAG_KEYS)
            missing = [a for a in _allowed(stmt.body, EC2_RESOURCE_TAG_ACTIONS) if not tagged]
            if "ec2:CreateTags" in missing and has_specific_condition(stmt.body, ("ec2:createaction",)):
                missing.remove("ec2:CreateTags")
            if missing:
                matches.append(
                    _report(
                        view,
                        stmt,
                        key,
                        f"{', '.join(missing)} without an aws:ResourceTag/{FILE_SYSTEM_TAG} condition; "
                        "scope it to this file system's tagged resources",
                    )
                )
            if has_specific_condition(stmt.body, REQUEST_TAG_KEYS):
                continue
            types = _resource_types(stmt.body)
            for action in _allowed(stmt.body, tuple(EC2_REQUEST_TAG_ACTIONS)):
                created = EC2_REQUEST_TAG_ACTIONS[action]
                if types & {created, "*", None}:
                    matches.append(
                        _report(
                            view,
                            stmt,
                            key,
                            f"{action} on {created} resources without an aws:RequestTag/{FILE_SYSTEM_TAG} "
                            "condition; allow it only when it tags what it creates",
                        )
                    )
        return matches


class MetricNamespaceCondition(CloudFormationLintRule):
    """E9108: cloudwatch:PutMetricData only into named namespaces.

    PutMetricData supports no resource types, so `Resource: "*"` is all a statement can say; left
    at that, a server (every Lustre server holds this grant) could write any metric in the account,
    another application's included, and feed or starve the alarms built on them. So an Allow that
    grants it (by name, by a pattern such as `cloudwatch:Put*`, or through NotAction) must carry a
    StringEquals/StringLike/StringEqualsIgnoreCase condition on cloudwatch:namespace whose every
    value is specific (not only wildcards). `...IfExists`, `Not...` and set operators do not count.
    """

    id = "E9108"
    shortdesc = "PutMetricData needs a cloudwatch:namespace condition"
    description = (
        "Allows of cloudwatch:PutMetricData must be conditioned on cloudwatch:namespace with a specific "
        "namespace, since the action cannot be scoped by resource."
    )
    source_url = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html"
    tags = ["iam", "cloudwatch", "lustre-ha"]

    def match(self, cfn):
        matches = []
        for view, stmt in _allow_statements(cfn):
            if not _allowed(stmt.body, PUT_METRIC_DATA):
                continue
            if has_specific_condition(stmt.body, NAMESPACE_KEYS):
                continue
            key = "Condition" if "Condition" in stmt.body else None
            matches.append(
                _report(
                    view,
                    stmt,
                    key,
                    "cloudwatch:PutMetricData without a cloudwatch:namespace condition naming the namespace; "
                    "it would allow publishing to any namespace",
                )
            )
        return matches


class SamTranslation(CloudFormationLintRule):
    """E9100: the SAM template translates, so the policy rules can see the deployed roles.

    The rules E9101-E9108 read the roles, tables and volumes that CloudFormation will deploy,
    which for a SAM template means running the SAM translator first. A template it rejects
    would otherwise pass every rule unseen; this rule fails it instead.
    """

    id = "E9100"
    shortdesc = "The SAM template must translate for the lustre-ha policy checks"
    description = "The SAM translator must accept the template so that its generated IAM roles can be checked."
    source_url = "https://github.com/aws/serverless-application-model"
    tags = ["sam", "lustre-ha"]

    def match(self, cfn):
        view = TemplateView.of(cfn)
        if view.error:
            return [RuleMatch(["Transform"], f"SAM translation failed, so no policy could be checked: {view.error}")]
        return []
