"""The deployed view of a template, shared by lustre-ha's cfn-lint rules.

cfn-lint 1.x no longer runs the SAM transform: it merges `Globals` into the serverless resources
and validates them against SAM's own schemas, so its rules see `AWS::Serverless::Function` with a
`Policies` list, never the `AWS::IAM::Role` that SAM generates from it. A policy check that looked
only at `AWS::IAM::*` resources would pass any function, whatever its policies say.

So the rules look at the template as CloudFormation will deploy it: `TemplateView` runs the SAM
translator (aws-sam-translator, installed with aws-sam-cli) offline on a copy of the template and
keeps, for every deployed resource, the serverless resource it came from. A finding on a generated
role is reported at the `Policies` entry (and statement) of the function or state machine that
produced it, so its line number points at the text a developer edits.

Offline translation, as `sam validate` does it: local `CodeUri`/`DefinitionUri`/`ContentUri` are
replaced by placeholder S3 locations (the translator accepts no local paths), AWS managed policy
names resolve through the map bundled with the translator, and the region is cfn-lint's first.
A template the translator rejects is reported by rule E9100 rather than silently passing.

This module's name starts with '_' so cfn-lint's rule loader, which imports every
`[A-Za-z1-9]*.py` file of an --append-rules directory, does not load it as rules.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
PLACEHOLDER_S3 = {"Bucket": "lustre-ha-policy-check", "Key": "placeholder"}

# Identity-based policy documents and where each resource type keeps them.
INLINE_POLICY_LIST_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
POLICY_DOCUMENT_TYPES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
)


@dataclass(frozen=True)
class Resource:
    """A resource as deployed. `origin` names the serverless resource it was generated from."""

    logical_id: str
    type: str
    body: dict
    origin: str | None

    def describe(self) -> str:
        if self.origin and self.origin != self.logical_id:
            return f"{self.logical_id} (generated from {self.origin})"
        return self.logical_id


@dataclass(frozen=True)
class Statement:
    """One statement of an identity-based policy, with where to report findings about it."""

    resource: Resource
    policy_name: str | None
    body: dict
    # path of the statement inside the deployed resource, e.g.
    # ["Properties", "Policies", 0, "PolicyDocument", "Statement", 2]
    subpath: list = field(default_factory=list)

    @property
    def effect_allows(self) -> bool:
        # IAM requires Effect; anything but a literal Deny is treated as Allow (fail closed).
        return self.body.get("Effect") != "Deny"

    def describe(self) -> str:
        where = self.resource.describe()
        if self.policy_name:
            where += f" policy {self.policy_name}"
        if self.subpath and isinstance(self.subpath[-1], int):
            where += f" statement {self.subpath[-1]}"
        return where


class TemplateView:
    """The deployed resources of one template, and the way back to its source text."""

    def __init__(self, cfn: Any):
        self.source: dict = cfn.template if isinstance(cfn.template, dict) else {}
        self.error: str | None = None
        self.resources: dict[str, Resource] = {}
        source_resources = self.source.get("Resources")
        self._source_resources = source_resources if isinstance(source_resources, dict) else {}
        deployed = self._deployed_resources(cfn)
        for logical_id, body in deployed.items():
            if isinstance(body, dict) and isinstance(body.get("Type"), str):
                self.resources[logical_id] = Resource(
                    logical_id, body["Type"], body, self._origin(logical_id, body["Type"])
                )

    @classmethod
    def of(cls, cfn: Any) -> "TemplateView":
        """One view per cfn-lint Template object, shared by every rule that asks."""
        view = getattr(cfn, "_lustreha_view", None)
        if view is None:
            view = cls(cfn)
            setattr(cfn, "_lustreha_view", view)
        return view

    # ------------------------------------------------------------------ translation

    def _deployed_resources(self, cfn: Any) -> dict:
        transforms = self.source.get("Transform", [])
        transforms = transforms if isinstance(transforms, list) else [transforms]
        if SAM_TRANSFORM not in transforms:
            return self._source_resources
        try:
            return _translate(self.source, _first_region(cfn)).get("Resources", {})
        except Exception as e:  # the translator raises many types; all mean "not translatable"
            self.error = _describe_translation_error(e)
            return {}

    def _origin(self, logical_id: str, deployed_type: str) -> str | None:
        """None for a resource written as-is in the source; else the serverless resource that
        generated it (SAM prefixes every generated logical id with its resource's id)."""
        source = self._source_resources.get(logical_id)
        if isinstance(source, dict) and source.get("Type") == deployed_type:
            return None
        owners = [
            sid
            for sid, body in self._source_resources.items()
            if logical_id.startswith(sid)
            and isinstance(body, dict)
            and str(body.get("Type", "")).startswith("AWS::Serverless::")
        ]
        return max(owners, key=len) if owners else ""

    # ------------------------------------------------------------------ source paths

    def source_path(self, resource: Resource, subpath: list) -> list:
        """The path in the source template to report a finding at `subpath` of a deployed
        resource. Exact for resources written as-is; for a generated role, the `Policies` entry
        (and, for an inline statement list, the statement) it came from; otherwise the serverless
        resource, or the deepest part of the path that exists in the source."""
        if resource.origin is None:
            return ["Resources", resource.logical_id] + list(subpath)
        if not resource.origin:
            return ["Resources"]
        base = ["Resources", resource.origin]
        mapped = self._policy_entry_path(resource, subpath)
        if mapped is not None:
            return base + mapped
        return self._deepest_existing(base + list(subpath))

    def _policy_entry_path(self, resource: Resource, subpath: list) -> list | None:
        """For a role generated from `Policies`: the entry a policy or managed policy came from.
        SAM names the policy of entry n `<role>Policy<n>`; managed policies keep their name."""
        source = self._source_resources.get(resource.origin)
        source_props = source.get("Properties") if isinstance(source, dict) else None
        policies = source_props.get("Policies") if isinstance(source_props, dict) else None
        if policies is None:
            return None
        entries = policies if isinstance(policies, list) else [policies]
        props = resource.body.get("Properties") or {}
        if subpath[:2] == ["Properties", "Policies"] and len(subpath) > 2:
            node, rest = _at(props.get("Policies"), subpath[2:3]), list(subpath[3:])
            if isinstance(node, dict) and "Fn::If" in node and len(rest) >= 2:
                node, rest = _at(node, rest[:2]), rest[2:]
            name = node.get("PolicyName") if isinstance(node, dict) else None
            m = re.fullmatch(re.escape(resource.logical_id) + r"Policy(\d+)", str(name))
            if not m or not isinstance(policies, list) or int(m.group(1)) >= len(entries):
                return ["Properties", "Policies"]
            index = int(m.group(1))
            entry = entries[index]
            if isinstance(entry, dict) and "Statement" in entry and rest[:1] == ["PolicyDocument"]:
                # an inline document: SAM copies it verbatim, so the statement paths agree
                return ["Properties", "Policies", index] + rest[1:]
            return ["Properties", "Policies", index]  # a policy template or an Fn::If
        if subpath[:2] == ["Properties", "ManagedPolicyArns"] and len(subpath) > 2:
            arn = _at(props.get("ManagedPolicyArns"), subpath[2:3])
            for index, entry in enumerate(entries):
                if isinstance(entry, str) and (entry == arn or _policy_name_of(arn) == entry):
                    return ["Properties", "Policies", index] if isinstance(policies, list) else ["Properties", "Policies"]
            return ["Properties", "Policies"]
        return None

    def _deepest_existing(self, path: list) -> list:
        for depth in range(len(path), 0, -1):
            if _at(self.source, path[:depth]) is not None:
                return list(path[:depth])
        return []

    # ------------------------------------------------------------------ queries

    def of_type(self, *types: str) -> Iterator[Resource]:
        for resource in self.resources.values():
            if resource.type in types:
                yield resource

    def policy_documents(self) -> Iterator[tuple[Resource, str | None, Any, list]]:
        """(resource, policy name, PolicyDocument, its subpath) for every identity policy."""
        for resource in self.of_type(*INLINE_POLICY_LIST_TYPES):
            policies = resource.body.get("Properties", {}).get("Policies")
            for entry, path in branches(policies, ["Properties", "Policies"], expand_lists=True):
                if isinstance(entry, dict):
                    for doc, doc_path in branches(entry.get("PolicyDocument"), path + ["PolicyDocument"]):
                        yield resource, _plain(entry.get("PolicyName")), doc, doc_path
        for resource in self.of_type(*POLICY_DOCUMENT_TYPES):
            props = resource.body.get("Properties", {})
            name = props.get("PolicyName", props.get("ManagedPolicyName"))
            for doc, doc_path in branches(props.get("PolicyDocument"), ["Properties", "PolicyDocument"]):
                yield resource, _plain(name), doc, doc_path

    def statements(self) -> Iterator[Statement]:
        for resource, name, doc, doc_path in self.policy_documents():
            if not isinstance(doc, dict):
                continue
            for stmt, path in branches(doc.get("Statement"), doc_path + ["Statement"], expand_lists=True):
                if isinstance(stmt, dict):
                    yield Statement(resource, name, stmt, path)


# ---------------------------------------------------------------------- values


def branches(value: Any, path: list, expand_lists: bool = False) -> Iterator[tuple[Any, list]]:
    """Every concrete value `value` can take, with its path: both arms of each Fn::If (minus
    AWS::NoValue), and with expand_lists, each element of a list."""
    if isinstance(value, dict) and len(value) == 1 and "Fn::If" in value:
        args = value["Fn::If"]
        if isinstance(args, list) and len(args) == 3:
            for arm in (1, 2):
                yield from branches(args[arm], path + ["Fn::If", arm], expand_lists)
        return
    if isinstance(value, dict) and value == {"Ref": "AWS::NoValue"}:
        return
    if expand_lists and isinstance(value, list):
        for i, item in enumerate(value):
            yield from branches(item, path + [i], False)
        return
    if expand_lists and value is None:
        return
    yield value, path


def values_of(value: Any) -> list:
    """The concrete values of a scalar-or-list IAM element (Action, Resource, a condition
    value), Fn::If arms included."""
    out = []
    for v, _ in branches(value, [], expand_lists=True):
        out.append(v)
    return out


def literal_true(value: Any) -> bool:
    """True only for a value that is true on every Fn::If arm: true or "true" (any case).
    A Ref or other intrinsic cannot be proven true, so it is not."""
    arms = [v for v, _ in branches(value, [])]
    return bool(arms) and all(v is True or (isinstance(v, str) and v.lower() == "true") for v in arms)


def text_of(value: Any) -> str | None:
    """The text of a string-valued element with every ${...} of an Fn::Sub, and every
    non-literal part of an Fn::Join, replaced by "X" (a value that is not a wildcard), or None
    when the value is computed (Ref, Fn::GetAtt, ...)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (fn, args), = value.items()
        if fn == "Fn::Sub":
            template = args[0] if isinstance(args, list) and args else args
            if isinstance(template, str):
                return re.sub(r"\$\{[^}!][^}]*\}", "X", template)
        if fn == "Fn::Join" and isinstance(args, list) and len(args) == 2 and isinstance(args[1], list):
            sep = args[0] if isinstance(args[0], str) else ""
            return sep.join(p if isinstance(p, str) else "X" for p in args[1])
    return None


def action_patterns(value: Any) -> list[str]:
    """IAM action patterns, lower-cased (IAM action names are case-insensitive)."""
    return [v.lower() for v in values_of(value) if isinstance(v, str)]


def action_matches(pattern: str, action: str) -> bool:
    """IAM wildcard matching: `*` any run of characters, `?` one character."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower().replace("[", "[[]"))


POSITIVE_STRING_OPERATORS = ("StringEquals", "StringLike", "StringEqualsIgnoreCase")


def condition_keys(statement: dict, operators: tuple[str, ...]) -> dict[str, list]:
    """{lower-cased condition key: values} under the given operators (case-insensitive)."""
    wanted = {op.lower() for op in operators}
    out: dict[str, list] = {}
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return out
    for operator, block in condition.items():
        if str(operator).lower() not in wanted or not isinstance(block, dict):
            continue
        for key, value in block.items():
            out.setdefault(str(key).lower(), []).extend(values_of(value))
    return out


def has_specific_condition(statement: dict, keys: tuple[str, ...]) -> bool:
    """A positive condition on one of the (lower-case) keys, every value of which is specific:
    a literal that is not all wildcards, or an intrinsic (a Ref to the file-system name)."""
    for key, values in condition_keys(statement, POSITIVE_STRING_OPERATORS).items():
        if key not in keys or not values:
            continue
        if all(not isinstance(v, str) or v.strip("*?") != "" for v in values):
            return True
    return False


def _at(node: Any, path: list) -> Any:
    """The value at `path` under `node`, or None where the path does not lead anywhere."""
    for key in path:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def _plain(value: Any) -> str | None:
    return value if isinstance(value, str) else (text_of(value) if value is not None else None)


def _policy_name_of(arn: Any) -> str | None:
    text = text_of(arn)
    if text and ":policy/" in text:
        return text.rsplit("/", 1)[-1]
    return None


# ---------------------------------------------------------------------- SAM translation


def _first_region(cfn: Any) -> str:
    regions = getattr(cfn, "regions", None) or ["us-east-1"]
    return regions[0]


def _translate(source: dict, region: str) -> dict:
    # Imported here: only SAM templates need the translator, and importing it costs ~0.5 s.
    import boto3
    from samtranslator.parser import parser
    from samtranslator.translator.translator import Translator

    template = json.loads(json.dumps(source, default=str))  # plain types, a copy we may edit
    # cfn-lint has already merged Globals into the resources; merging them twice would
    # duplicate list-valued properties.
    template.pop("Globals", None)
    _replace_local_artifacts(template)
    translator = Translator(
        managed_policy_map=None,
        sam_parser=parser.Parser(),
        plugins=[],
        boto_session=boto3.session.Session(region_name=region),
    )
    return translator.translate(sam_template=template, parameter_values={}, get_managed_policy_map=dict)


def _replace_local_artifacts(template: dict) -> None:
    """Local paths become placeholder S3 locations, as `sam validate` does: the translator
    accepts S3 locations only, and the policy checks do not depend on the code."""
    for body in (template.get("Resources") or {}).values():
        if not isinstance(body, dict):
            continue
        props = body.get("Properties")
        if not isinstance(props, dict):
            continue
        kind = body.get("Type")
        keys = {
            "AWS::Serverless::Function": "CodeUri",
            "AWS::Serverless::LayerVersion": "ContentUri",
            "AWS::Serverless::StateMachine": "DefinitionUri",
            "AWS::Serverless::Api": "DefinitionUri",
            "AWS::Serverless::HttpApi": "DefinitionUri",
        }
        key = keys.get(kind)
        if key and isinstance(props.get(key), str) and not props[key].startswith("s3://"):
            props[key] = copy.deepcopy(PLACEHOLDER_S3)
        if kind == "AWS::Serverless::Function" and props.get("PackageType") == "Image":
            props.setdefault("ImageUri", "111111111111.dkr.ecr.us-east-1.amazonaws.com/placeholder")


def _describe_translation_error(e: Exception) -> str:
    causes = getattr(e, "causes", None)
    if causes:
        return "; ".join(str(getattr(c, "message", c)) for c in causes)
    return f"{type(e).__name__}: {e}"
