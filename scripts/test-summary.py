#!/usr/bin/env python3
"""Adds up the Surefire and Failsafe reports of every module, and the instance bootstrap's pytest
report (instance/target/test-reports), into one closing line."""
import glob
import sys
import xml.etree.ElementTree as ET

root = sys.argv[1] if len(sys.argv) > 1 else "."
tests = failures = skipped = 0
for path in glob.glob(f"{root}/*/target/*-reports/TEST-*.xml"):
    report = ET.parse(path).getroot()
    # Surefire writes one <testsuite> per file; pytest wraps its <testsuite> in <testsuites>.
    for suite in [report] if report.tag == "testsuite" else report.iter("testsuite"):
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
passed = tests - failures - skipped
print(f"tests: {passed} passed, {failures} failed, {skipped} skipped")
sys.exit(1 if failures or tests == 0 else 0)
