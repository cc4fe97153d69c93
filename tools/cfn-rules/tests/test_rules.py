"""Tests of lustre-ha's cfn-lint rules (tools/cfn-rules/rules), run by `./lustre-ha test`.

The fixtures are linted by the real `cfn-lint` command with `--append-rules`, as the build lints
template.yaml: the bad fixture must fail with exactly the findings its `# expect:` comments name,
at their lines; the good fixture and the project's template must pass.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

HERE = Path(__file__).resolve().parent
RULES = HERE.parent / "rules"
ROOT = HERE.parents[2]
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
OUR_RULE = re.compile(r"^E91\d\d$")
EXPECT = re.compile(r"#\s*expect:\s*((?:E91\d\d\s*)+)$")

sys.path.insert(0, str(RULES))
import IamPolicies  # noqa: E402
from _lustreha_view import TemplateView, action_matches, text_of, values_of  # noqa: E402


def lint(template: Path) -> tuple[int, list[dict]]:
    """cfn-lint's exit code and findings (JSON format) for a template, with our rules."""
    run = subprocess.run(
        [str(CFN_LINT), "--format", "json", str(template), "--append-rules", str(RULES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.stdout.strip(), f"cfn-lint printed nothing (exit {run.returncode}): {run.stderr}"
    return run.returncode, json.loads(run.stdout)


def ours(findings: list[dict]) -> set[tuple[str, int]]:
    return {
        (f["Rule"]["Id"], f["Location"]["Start"]["LineNumber"])
        for f in findings
        if OUR_RULE.match(f["Rule"]["Id"])
    }


def expected(template: Path) -> set[tuple[str, int]]:
    out = set()
    for number, line in enumerate(template.read_text().splitlines(), start=1):
        m = EXPECT.search(line)
        if m:
            out.update((rule, number) for rule in m.group(1).split())
    return out


def show(pairs: set[tuple[str, int]], findings: list[dict]) -> str:
    messages = {(f["Rule"]["Id"], f["Location"]["Start"]["LineNumber"]): f["Message"] for f in findings}
    return "\n".join(f"  {rule} line {line}: {messages.get((rule, line), '')}" for rule, line in sorted(pairs))


# The bad fixtures: bad-keys-template.yaml holds E9120's cases apart, since one keyed volume makes
# every unkeyed volume of a template a finding.
BAD = ["bad-template.yaml", "bad-keys-template.yaml"]
# E9120-E9122: the deploy options (issue 14: volume keys, endpoint policies, IMDSv2).
OUR_RULES = [f"E910{i}" for i in range(0, 9)] + ["E9120", "E9121", "E9122"]


@pytest.fixture(scope="module")
def bad():
    return lint(HERE / "bad-template.yaml")


@pytest.mark.parametrize("fixture", BAD)
def test_bad_fixture_fails_the_lint(fixture):
    code, _ = lint(HERE / fixture)
    assert code & 2, f"cfn-lint exit code {code} has no error bit"


@pytest.mark.parametrize("fixture", BAD)
def test_bad_fixture_reports_exactly_the_marked_violations_at_their_lines(fixture):
    _, findings = lint(HERE / fixture)
    want, got = expected(HERE / fixture), ours(findings)
    assert not want - got, "marked but not reported:\n" + show(want - got, findings)
    assert not got - want, "reported but not marked:\n" + show(got - want, findings)


def test_bad_fixtures_have_a_violation_of_every_rule():
    marked = {rule for fixture in BAD for rule, _ in expected(HERE / fixture)}
    assert marked >= set(OUR_RULES[1:])


def test_generated_roles_and_tables_are_checked(bad):
    """The SAM transform is seen: findings on resources that exist only after translation."""
    _, findings = bad
    generated = {f["Rule"]["Id"] for f in findings if "(generated from " in f["Message"]}
    assert generated >= {"E9101", "E9102", "E9103", "E9104"}
    simple_table = {f["Rule"]["Id"] for f in findings if f["Message"].startswith("SamSimpleTable")}
    assert simple_table == {"E9105", "E9106", "E9107"}


def test_good_fixture_passes():
    code, findings = lint(HERE / "good-template.yaml")
    assert findings == [] and code == 0, json.dumps(findings, indent=1)


@pytest.mark.parametrize("template", ["template.yaml", "image/template.yaml"])
def test_project_templates_pass(template):
    code, findings = lint(ROOT / template)
    assert findings == [] and code == 0, json.dumps(findings, indent=1)


def test_untranslatable_template_fails_closed():
    code, findings = lint(HERE / "untranslatable-template.yaml")
    assert code & 2
    assert "E9100" in {f["Rule"]["Id"] for f in findings}


# ---------------------------------------------------------------------- the rules' tables


@pytest.fixture(scope="module")
def authorization_reference() -> dict:
    """The Service Authorization Reference as bundled with cfn-lint: per service, per action
    (lower case), the resource types it supports ({} when it supports none)."""
    from cfnlint.data import AdditionalSpecs
    from cfnlint.helpers import load_resource

    return load_resource(AdditionalSpecs, "Policies.json")


def resource_types(reference: dict, action: str) -> list[str] | None:
    service, _, name = action.lower().partition(":")
    entry = reference.get(service, {}).get("Actions", {}).get(name)
    return None if entry is None else entry.get("Resources", [])


@pytest.mark.parametrize("action", IamPolicies.MUTATING_SCOPABLE)
def test_every_mutating_action_in_the_table_supports_resource_level_permissions(action, authorization_reference):
    types = resource_types(authorization_reference, action)
    assert types is not None, f"{action} is not an IAM action"
    assert types, f"{action} supports no resource types, so '*' is what AWS requires for it"


def test_the_tag_condition_tables_are_part_of_the_mutating_table():
    scoped = set(IamPolicies.MUTATING_SCOPABLE)
    assert set(IamPolicies.EC2_RESOURCE_TAG_ACTIONS) <= scoped
    assert set(IamPolicies.EC2_REQUEST_TAG_ACTIONS) <= scoped


# Actions whose only resource type is optional and unrelated to the call lustre-ha makes, for which
# AWS's own guide uses Resource "*" scoped by a condition key. cloudwatch:PutMetricData lists the
# optional type `dataset`; publishing to a namespace names no dataset, and AWS scopes it with
# cloudwatch:namespace under Resource "*"
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
# Allowed only in a statement that carries that condition (E9108 checks the condition itself).
STAR_BY_CONDITION = {"cloudwatch:putmetricdata": IamPolicies.NAMESPACE_KEYS}


def test_project_template_uses_star_only_for_actions_without_resource_level_permissions(authorization_reference):
    """Stricter than E9102, for our own template: every action it allows on "*" (mutating or
    not) is one for which AWS supports no resource types."""
    from cfnlint.decode import decode
    from cfnlint.template import Template

    source, errors = decode(str(ROOT / "template.yaml"))
    assert not errors
    cfn = Template(str(ROOT / "template.yaml"), source, ["us-east-1"])
    assert not cfn.transform()
    view = TemplateView(SimpleNamespace(template=cfn.template, regions=["us-east-1"]))
    assert view.error is None and any(True for _ in view.statements()), "the template did not translate"
    star = []
    for stmt in view.statements():
        if any(text_of(r) == "*" for r in values_of(stmt.body.get("Resource"))):
            star += [(stmt.describe(), a, stmt.body) for a in values_of(stmt.body.get("Action"))]
    assert star, "expected the Describe* and log-delivery statements"
    for where, pattern, body in star:
        service = pattern.split(":", 1)[0].lower()
        actions = authorization_reference[service]["Actions"]
        matched = [name for name in actions if action_matches(pattern, f"{service}:{name}")]
        assert matched, f"{where}: {pattern} matches no IAM action"
        scopable = [name for name in matched if actions[name].get("Resources")
                    and not (f"{service}:{name}" in STAR_BY_CONDITION
                             and IamPolicies.has_specific_condition(body, STAR_BY_CONDITION[f"{service}:{name}"]))]
        assert not scopable, f"{where}: {pattern} on '*', but {scopable} support resource types"


def test_rules_have_custom_ids_and_say_what_they_check():
    from cfnlint.helpers import load_plugins

    rules = load_plugins(str(RULES))
    ids = [rule.id for rule in rules]
    assert sorted(ids) == OUR_RULES, ids
    for rule in rules:
        assert (type(rule).__doc__ or "").startswith(f"{rule.id}: "), f"{rule.id} needs a docstring"
