#!/usr/bin/env python3
"""Deployment package size of every function `sam build` produced (issue 9's benchmark).

Run with the project's .venv after `sam build` (./lustre-ha test does both):

    .venv/bin/python scripts/package-size.py [--build-dir .aws-sam/build] [--limit-mb 20]

For each function of the built template it prints the files, the unzipped bytes and the bytes of
the zip `sam package`/`sam deploy` uploads, and PASS or FAIL against the limit. The goal is on the
zip: Lambda's package limits (50 MB for a direct upload) apply to the zip, and it is what is stored
and fetched at cold start. The unzipped size is printed alongside (Lambda limits it to 250 MB).
The zip is made with SAM CLI's own zipper (samcli.lib.package.utils.make_zip), so the number is
the upload's size, not an estimate. Exit status: 0 when every function passes, 1 otherwise.
"""

import argparse
import os
import sys
import tempfile

try:
    from samcli.lib.package.utils import make_zip
    from samcli.yamlhelper import yaml_parse
except ImportError:
    sys.exit("package-size: SAM CLI is not importable: run with the project's .venv/bin/python "
             "(scripts/toolchain.sh creates it)")

MB = 1000 * 1000


def functions(build_dir):
    """(logical id, artifact directory) of each zip function of the built template."""
    with open(os.path.join(build_dir, "template.yaml"), encoding="utf-8") as f:
        template = yaml_parse(f.read())
    out = []
    for name, resource in sorted(template.get("Resources", {}).items()):
        if resource.get("Type") not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        props = resource.get("Properties", {})
        code = props.get("CodeUri") or props.get("Code")
        if not isinstance(code, str):
            sys.exit(f"package-size: {name} has no local code directory in {build_dir}/template.yaml")
        out.append((name, os.path.normpath(os.path.join(build_dir, code))))
    return out


def measure(directory):
    """(files, unzipped bytes, zip bytes) of one artifact directory."""
    files = 0
    unzipped = 0
    for root, _, names in os.walk(directory, followlinks=True):
        for n in names:
            files += 1
            unzipped += os.path.getsize(os.path.join(root, n))
    with tempfile.TemporaryDirectory() as scratch:
        zipped = os.path.getsize(make_zip(os.path.join(scratch, "package"), directory))
    return files, unzipped, zipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=".aws-sam/build", help="where `sam build` left its output")
    parser.add_argument("--limit-mb", type=float, default=20.0,
                        help="the goal for the zip, in MB of 1,000,000 bytes (default 20)")
    args = parser.parse_args()
    limit = int(args.limit_mb * MB)
    found = functions(args.build_dir)
    if not found:
        sys.exit(f"package-size: no functions in {args.build_dir}/template.yaml")

    print(f"Deployment packages in {args.build_dir}; the goal applies to the zip: <= {limit:,} bytes "
          f"({args.limit_mb:g} MB)")
    print(f"{'function':34} {'files':>6} {'unzipped bytes':>15} {'zip bytes':>12} {'zip MB':>7}  result")
    failed = 0
    for name, directory in found:
        files, unzipped, zipped = measure(directory)
        ok = zipped <= limit
        failed += not ok
        print(f"{name:34} {files:6d} {unzipped:15,d} {zipped:12,d} {zipped / MB:7.2f}  {'PASS' if ok else 'FAIL'}")
    print(f"{len(found) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
