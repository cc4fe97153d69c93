"""Renders a CloudFormation template for one set of parameter values, as CloudFormation would see it.

lustre-ha's options (CreateVpcEndpoints, PlacementGroupStrategy, VolumeKmsKeyArn, ServerImageId or
ServerImageParameter) switch resources and properties on and off through Conditions and Fn::If.
cfn-lint and our policy rules look at a template with every arm at once; this module produces the
template one choice of values makes, so each variant can be linted as it would be deployed:

- `check_parameters` applies what CloudFormation checks before it makes any resource (the
  parameter constraints AllowedValues, AllowedPattern, MinValue/MaxValue, MinLength/MaxLength, and
  the template's Rules) and returns the violations;
- `render` evaluates the Conditions (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), removes
  resources and outputs whose condition is false, replaces each Fn::If by its chosen arm (dropping
  AWS::NoValue), drops the Conditions section, and sets each parameter's Default to its value.

Our evaluation mirrors the CloudFormation User Guide ("Parameters", "Conditions", "Rules"); it covers
the functions lustre-ha's templates use and refuses any other.
"""

from __future__ import annotations

import copy
import re
from typing import Any

NOVALUE = object()


class RenderError(Exception):
    pass


def load(path) -> dict:
    """A template as cfn-lint decodes it (short-form tags in their long form)."""
    from cfnlint.decode import decode

    template, errors = decode(str(path))
    if errors:
        raise RenderError(f"{path}: {errors}")
    return template


def values_for(template: dict, given: dict) -> dict:
    """Every parameter's value as a string: the given one, else its Default."""
    out = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if name in given:
            out[name] = str(given[name])
        elif "Default" in spec:
            out[name] = str(spec["Default"])
    unknown = set(given) - set(out)
    if unknown:
        raise RenderError(f"no such parameters: {sorted(unknown)}")
    return out


def _value(node: Any, values: dict) -> Any:
    if isinstance(node, dict) and set(node) == {"Ref"}:
        name = node["Ref"]
        if name not in values:
            raise RenderError(f"Ref {name}: not a parameter with a value")
        return values[name]
    if isinstance(node, (str, int, float, bool)):
        return str(node).lower() if isinstance(node, bool) else str(node)
    raise RenderError(f"cannot evaluate {node!r}")


def _truth(node: Any, values: dict, conditions: dict, template_conditions: dict) -> bool:
    if isinstance(node, dict) and len(node) == 1:
        (fn, args), = node.items()
        if fn == "Fn::Equals":
            return _value(args[0], values) == _value(args[1], values)
        if fn == "Fn::Not":
            return not _truth(args[0], values, conditions, template_conditions)
        if fn == "Fn::And":
            return all(_truth(a, values, conditions, template_conditions) for a in args)
        if fn == "Fn::Or":
            return any(_truth(a, values, conditions, template_conditions) for a in args)
        if fn == "Condition":
            return condition(args, values, conditions, template_conditions)
    raise RenderError(f"cannot evaluate condition {node!r}")


def condition(name: str, values: dict, cache: dict, template_conditions: dict) -> bool:
    if name not in cache:
        if name not in template_conditions:
            raise RenderError(f"no such condition {name}")
        cache[name] = _truth(template_conditions[name], values, cache, template_conditions)
    return cache[name]


def check_parameters(template: dict, given: dict) -> list[str]:
    """What CloudFormation would reject before making any resource, as messages (empty: accepted)."""
    problems = []
    params = template.get("Parameters") or {}
    values = values_for(template, given)
    for name, spec in params.items():
        if name not in values:
            problems.append(f"{name}: required")
            continue
        value = values[name]
        if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
            problems.append(f"{name}: {value!r} is not one of {spec['AllowedValues']}")
        if spec.get("Type") == "Number":
            try:
                number = float(value)
            except ValueError:
                problems.append(f"{name}: {value!r} is not a number")
                continue
            if "MinValue" in spec and number < float(spec["MinValue"]):
                problems.append(f"{name}: {value} is below MinValue {spec['MinValue']}")
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                problems.append(f"{name}: {value} is above MaxValue {spec['MaxValue']}")
        else:
            # CloudFormation matches AllowedPattern against the whole value.
            if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
                problems.append(f"{name}: {value!r} does not match {spec['AllowedPattern']}")
            if "MinLength" in spec and len(value) < int(spec["MinLength"]):
                problems.append(f"{name}: shorter than {spec['MinLength']}")
            if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
                problems.append(f"{name}: longer than {spec['MaxLength']}")
    if problems:
        return problems
    for rule_name, rule in (template.get("Rules") or {}).items():
        if "RuleCondition" in rule and not _truth(rule["RuleCondition"], values, {}, {}):
            continue
        for assertion in rule.get("Assertions", []):
            if not _truth(assertion["Assert"], values, {}, {}):
                problems.append(f"rule {rule_name}: {assertion.get('AssertDescription', 'assertion failed')}")
    return problems


def render(template: dict, given: dict) -> dict:
    """The template as deployed with these parameter values (see the module comment)."""
    values = values_for(template, given)
    template_conditions = template.get("Conditions") or {}
    cache: dict = {}
    out = copy.deepcopy(template)

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Fn::If"}:
                name, yes, no = node["Fn::If"]
                return resolve(yes if condition(name, values, cache, template_conditions) else no)
            if node == {"Ref": "AWS::NoValue"}:
                return NOVALUE
            kept = {}
            for key, value in node.items():
                value = resolve(value)
                if value is not NOVALUE:
                    kept[key] = value
            return kept
        if isinstance(node, list):
            return [v for v in (resolve(item) for item in node) if v is not NOVALUE]
        return node

    for section in ("Resources", "Outputs"):
        body = out.get(section) or {}
        for logical_id in list(body):
            entry = body[logical_id]
            name = entry.get("Condition") if isinstance(entry, dict) else None
            if isinstance(name, str):
                if not condition(name, values, cache, template_conditions):
                    del body[logical_id]
                    continue
                del entry["Condition"]
            body[logical_id] = resolve(entry)
    for name in template_conditions:
        condition(name, values, cache, template_conditions)
    out.pop("Conditions", None)
    for name, spec in (out.get("Parameters") or {}).items():
        if name in values:
            value = values[name]
            if spec.get("Type") == "Number":
                value = int(value) if re.fullmatch(r"-?[0-9]+", value) else float(value)
            spec["Default"] = value
    return out
