#!/usr/bin/env python3
"""Every relative link in README.md and docs/*.md must point at a file or directory that exists.

Usage: python3 scripts/check-doc-links.py [FILE.md ...]   (default: README.md and docs/*.md)
Exit 0 when every link resolves, 1 (listing each broken link with its file and line) otherwise.
Links with a scheme (https:, mailto:) and pure #anchors are not checked; an anchor after a path
is dropped and only the path is checked.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def links(path):
    in_code = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            continue
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            yield number, target


def broken(path):
    for number, target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue
        file_part = target.split("#", 1)[0]
        if not (path.parent / file_part).exists():
            yield f"{path.relative_to(ROOT)}:{number}: {target}"


def main(argv):
    files = [pathlib.Path(a).resolve() for a in argv] or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    problems = [p for f in files for p in broken(f)]
    for p in problems:
        print("broken link:", p)
    print(f"{len(files)} files checked, {len(problems)} broken links")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
