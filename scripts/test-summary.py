#!/usr/bin/env python3
"""Adds up the Surefire and Failsafe reports of every module, and the pytest reports of the policy
rules (tools/target) and the instance bootstrap (instance/target), into one closing line."""
import glob
import sys
import xml.etree.ElementTree as ET

root = sys.argv[1] if len(sys.argv) > 1 else "."
tests = failures = skipped = 0
for path in glob.glob(f"{root}/*/target/*-reports/TEST-*.xml"):
    report = ET.parse(path).getroot()
    # Surefire writes one <testsuite>; pytest wraps its <testsuite> in <testsuites>.
    suites = [report] if report.tag == "testsuite" else report.findall("testsuite")
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
passed = tests - failures - skipped
print(f"tests: {passed} passed, {failures} failed, {skipped} skipped")
sys.exit(1 if failures or tests == 0 else 0)
