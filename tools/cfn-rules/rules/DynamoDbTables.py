"""lustre-ha DynamoDB rules: the tables that hold role ownership, fencing epochs and the pool
survive mistakes — point-in-time recovery, deletion protection, and Retain on delete and replace.

Losing the Roles table loses every role's epoch and owner, and with them the proof that a volume
belongs to one server only (docs/design.md §2, invariant I4). Checked on the template as deployed
(see _lustreha_view.py), so an AWS::Serverless::SimpleTable, which has no such settings, fails.
"""

from __future__ import annotations

import os
import sys

from cfnlint.rules import CloudFormationLintRule, RuleMatch

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:  # cfn-lint loads rule files by path; the shared helper sits beside them
    sys.path.insert(0, _HERE)
from _lustreha_view import Resource, TemplateView, branches, literal_true  # noqa: E402

TABLE = "AWS::DynamoDB::Table"
GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"


def _settings(resource: Resource) -> list[tuple[dict, list, str]]:
    """(properties holding the settings, their subpath, a label) for a table, or for each replica
    of a global table (which keeps PITR and deletion protection per replica)."""
    props = resource.body.get("Properties")
    props = props if isinstance(props, dict) else {}
    if resource.type == TABLE:
        return [(props, ["Properties"], resource.describe())]
    out = []
    for replica, path in branches(props.get("Replicas"), ["Properties", "Replicas"], expand_lists=True):
        if isinstance(replica, dict):
            region = replica.get("Region", "?")
            out.append((replica, path, f"{resource.describe()} replica {region if isinstance(region, str) else '?'}"))
    return out or [(props, ["Properties"], resource.describe())]


class _TableCheck:
    """Shared loop; a mixin, not a rule (cfn-lint instantiates every CloudFormationLintRule subclass)."""

    def _tables(self, cfn):
        view = TemplateView.of(cfn)
        if view.error:
            return view, []  # E9100 reports an untranslatable template
        return view, list(view.of_type(TABLE, GLOBAL_TABLE))


class PointInTimeRecovery(_TableCheck, CloudFormationLintRule):
    """E9105: every DynamoDB table (every replica of a global table) has point-in-time recovery.

    Requires `PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true`, literally: a bad
    write (a bug that clears owners or epochs) can then be undone to the second.
    """

    id = "E9105"
    shortdesc = "DynamoDB tables must have point-in-time recovery"
    description = "AWS::DynamoDB::Table needs PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true."
    source_url = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html"
    tags = ["dynamodb", "lustre-ha"]

    def match(self, cfn):
        view, tables = self._tables(cfn)
        matches = []
        for resource in tables:
            for props, path, label in _settings(resource):
                spec = props.get("PointInTimeRecoverySpecification")
                enabled = spec.get("PointInTimeRecoveryEnabled") if isinstance(spec, dict) else None
                if not literal_true(enabled):
                    matches.append(
                        RuleMatch(
                            view.source_path(resource, path + ["PointInTimeRecoverySpecification"]),
                            f"{label}: point-in-time recovery is not enabled",
                        )
                    )
        return matches


class DeletionProtection(_TableCheck, CloudFormationLintRule):
    """E9106: every DynamoDB table (every replica of a global table) has deletion protection.

    Requires `DeletionProtectionEnabled: true`, literally: DeleteTable then fails, from the console,
    the CLI, or a stack operation, until someone turns it off on purpose.
    """

    id = "E9106"
    shortdesc = "DynamoDB tables must have deletion protection"
    description = "AWS::DynamoDB::Table needs DeletionProtectionEnabled: true."
    source_url = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection"
    tags = ["dynamodb", "lustre-ha"]

    def match(self, cfn):
        view, tables = self._tables(cfn)
        matches = []
        for resource in tables:
            for props, path, label in _settings(resource):
                if not literal_true(props.get("DeletionProtectionEnabled")):
                    matches.append(
                        RuleMatch(
                            view.source_path(resource, path + ["DeletionProtectionEnabled"]),
                            f"{label}: deletion protection is not enabled",
                        )
                    )
        return matches


class RetainPolicies(_TableCheck, CloudFormationLintRule):
    """E9107: every DynamoDB table is kept when its stack deletes or replaces it.

    Requires `DeletionPolicy: Retain` (or RetainExceptOnCreate, which deletes only a table that a
    failed stack creation just made, and so holds nothing) and `UpdateReplacePolicy: Retain`.
    Deletion protection alone makes a stack deletion fail half way; Retain says the table outlives
    the stack by design, and UpdateReplacePolicy keeps the old table when a change (a new key
    schema, a rename) makes CloudFormation replace it — deletion protection does not cover that
    case, because the replacement is a new table and the old one is deleted afterwards.
    """

    id = "E9107"
    shortdesc = "DynamoDB tables must be retained on delete and replace"
    description = "AWS::DynamoDB::Table needs DeletionPolicy: Retain and UpdateReplacePolicy: Retain."
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html"
    tags = ["dynamodb", "lustre-ha"]

    def match(self, cfn):
        view, tables = self._tables(cfn)
        matches = []
        for resource in tables:
            wanted = {"DeletionPolicy": ("Retain", "RetainExceptOnCreate"), "UpdateReplacePolicy": ("Retain",)}
            for attribute, allowed in wanted.items():
                if resource.body.get(attribute) not in allowed:
                    matches.append(
                        RuleMatch(
                            view.source_path(resource, [attribute]),
                            f"{resource.describe()}: {attribute} is {resource.body.get(attribute, 'Delete (the default)')}, "
                            f"not {' or '.join(allowed)}",
                        )
                    )
        return matches
