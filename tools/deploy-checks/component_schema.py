"""Checks an EC2 Image Builder (AWSTOE) component document against the documented rules.

AWS publishes no machine-readable schema of component documents (the AWSTOE application's own
`awstoe validate` needs the AWSTOE binary and an AWS account), so this checker is written from the
EC2 Image Builder User Guide: "Use the AWSTOE component document framework for custom components"
(document schema, rules for phases and steps, parameters, chaining) and "Action modules supported by
AWSTOE" (each module's inputs). It covers what lustre-ha's component uses and rejects anything else.
"""

from __future__ import annotations

import re

TOP_LEVEL = {"name", "description", "schemaVersion", "parameters", "constants", "phases"}
PHASES = {"build", "validate", "test"}
STEP_KEYS = {"name", "action", "inputs", "onFailure", "timeoutSeconds", "maxAttempts", "if", "loop"}
ON_FAILURE = {"Abort", "Continue", "Ignore"}
STEP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
PARAMETER_TYPES = {"string"}
# The action modules this checker knows, with the inputs each takes (required, optional).
ACTIONS = {
    "ExecuteBash": ({"commands"}, {"file"}),
    "S3Download": (None, None),  # a list of {source, destination[, expectedBucketOwner, overwrite]}
    "Reboot": (set(), {"delaySeconds"}),
    "CreateFile": (None, None),
}
S3_DOWNLOAD_KEYS = ({"source", "destination"}, {"expectedBucketOwner", "overwrite"})
VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}")


def validate(doc) -> list[str]:
    """The documented rules `doc` breaks, as messages (empty: valid)."""
    errors: list[str] = []
    if not isinstance(doc, dict):
        return ["the document is not a mapping"]
    for key in sorted(set(doc) - TOP_LEVEL):
        errors.append(f"unknown top-level key {key!r}")
    if str(doc.get("schemaVersion")) != "1.0":
        errors.append("schemaVersion must be 1.0")
    declared = set()
    for entry in doc.get("parameters") or []:
        if not isinstance(entry, dict) or len(entry) != 1:
            errors.append(f"a parameter must be a one-key mapping: {entry!r}")
            continue
        (name, spec), = entry.items()
        if not isinstance(spec, dict) or spec.get("type") not in PARAMETER_TYPES:
            errors.append(f"parameter {name}: type must be one of {sorted(PARAMETER_TYPES)}")
        declared.add(name)
    for entry in doc.get("constants") or []:
        if isinstance(entry, dict) and len(entry) == 1:
            declared.update(entry)
    phases = doc.get("phases")
    if not isinstance(phases, list) or not phases:
        return errors + ["phases must be a non-empty list"]
    names = [p.get("name") for p in phases if isinstance(p, dict)]
    if len(names) != len(set(names)):
        errors.append("phase names must be unique")
    for unknown in sorted(set(map(str, names)) - PHASES):
        errors.append(f"unknown phase {unknown!r} (Image Builder runs {sorted(PHASES)})")
    if not PHASES & set(names):
        errors.append("the document needs a build, validate or test phase")
    for phase in phases:
        if not isinstance(phase, dict):
            continue
        steps = phase.get("steps")
        if not isinstance(steps, list) or not steps:
            errors.append(f"phase {phase.get('name')}: steps must be a non-empty list")
            continue
        step_names = [s.get("name") for s in steps if isinstance(s, dict)]
        if len(step_names) != len(set(step_names)):
            errors.append(f"phase {phase.get('name')}: step names must be unique in the phase")
        for step in steps:
            errors += [f"phase {phase.get('name')}: {e}" for e in _step(step)]
    for variable in sorted(set(VARIABLE.findall(_text(doc)))):
        # imagebuilder:* and phase.step.inputs/outputs chaining are the built-in variables.
        if ":" in variable or "." in variable:
            continue
        if variable not in declared:
            errors.append(f"{{{{ {variable} }}}} names no parameter or constant")
    return errors


def _step(step) -> list[str]:
    if not isinstance(step, dict):
        return [f"a step must be a mapping: {step!r}"]
    name = step.get("name")
    errors = []
    if not isinstance(name, str) or not STEP_NAME.match(name):
        errors.append(f"step name {name!r}: letters, digits, '_' and '-' (up to 128)")
    for key in sorted(set(step) - STEP_KEYS):
        errors.append(f"step {name}: unknown key {key!r}")
    if "onFailure" in step and step["onFailure"] not in ON_FAILURE:
        errors.append(f"step {name}: onFailure must be one of {sorted(ON_FAILURE)}")
    for key in ("timeoutSeconds", "maxAttempts"):
        if key in step and not (isinstance(step[key], int) and step[key] >= (-1 if key == "timeoutSeconds" else 1)):
            errors.append(f"step {name}: {key} must be a whole number")
    action = step.get("action")
    if action not in ACTIONS:
        return errors + [f"step {name}: unknown action {action!r} (this checker knows {sorted(ACTIONS)})"]
    inputs = step.get("inputs")
    if action == "S3Download":
        if not isinstance(inputs, list) or not inputs:
            return errors + [f"step {name}: S3Download inputs must be a list of source/destination"]
        for item in inputs:
            errors += _keys(name, item, *S3_DOWNLOAD_KEYS)
            source = item.get("source") if isinstance(item, dict) else None
            if isinstance(source, str) and not (source.startswith("s3://") or VARIABLE.fullmatch(source)):
                errors.append(f"step {name}: source must be an s3:// URI")
        return errors
    if action == "CreateFile":
        return errors + [f"step {name}: {e}" for e in ([] if isinstance(inputs, list) else ["CreateFile inputs must be a list"])]
    required, optional = ACTIONS[action]
    errors += _keys(name, inputs if inputs is not None else {}, required, optional)
    if action == "ExecuteBash" and isinstance(inputs, dict):
        commands = inputs.get("commands")
        if not isinstance(commands, list) or not all(isinstance(c, str) for c in commands):
            errors.append(f"step {name}: commands must be a list of strings")
    if action == "Reboot" and isinstance(inputs, dict) and "delaySeconds" in inputs:
        if not isinstance(inputs["delaySeconds"], int) or inputs["delaySeconds"] < 0:
            errors.append(f"step {name}: delaySeconds must be a whole number")
    return errors


def _keys(step: str, inputs, required: set, optional: set) -> list[str]:
    if not isinstance(inputs, dict):
        return [f"step {step}: inputs must be a mapping"]
    errors = [f"step {step}: inputs need {k!r}" for k in sorted(required - set(inputs))]
    errors += [f"step {step}: unknown input {k!r}" for k in sorted(set(inputs) - required - optional)]
    return errors


def _text(node) -> str:
    if isinstance(node, dict):
        return " ".join(_text(v) for v in node.values())
    if isinstance(node, list):
        return " ".join(_text(v) for v in node)
    return str(node)


def bash_scripts(doc) -> list[tuple[str, str]]:
    """(phase/step, script) of every ExecuteBash command, variables replaced by placeholders."""
    out = []
    for phase in doc.get("phases") or []:
        for step in phase.get("steps") or []:
            if step.get("action") == "ExecuteBash":
                for i, command in enumerate(step.get("inputs", {}).get("commands", [])):
                    script = VARIABLE.sub(lambda m: "PARAM_" + re.sub(r"\W", "_", m.group(1)), command)
                    out.append((f"{phase['name']}/{step['name']}/{i}", script))
    return out
