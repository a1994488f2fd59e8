#!/usr/bin/env python3
"""Files a reader can hold: no C file in src/ over 800 lines, no function
over 60 (the body between the column-0 braces of the house style)."""
import glob
import os
import re
import sys

TOP = os.environ.get("top_srcdir", ".")
MAX_FILE, MAX_FUNC = 800, 60
NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\(")


def check(path):
    problems = []
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    rel = os.path.relpath(path, TOP)
    if len(lines) - 1 > MAX_FILE:
        problems.append("%s: %d lines (at most %d)" % (rel, len(lines) - 1, MAX_FILE))
    name, start = "?", None
    for i, line in enumerate(lines, 1):
        m = NAME.match(line)
        if m:
            name = m.group(1)
        if line.startswith("{"):
            start = i
        elif line.startswith("}") and start is not None:
            if i - start - 1 > MAX_FUNC:
                problems.append("%s:%d: %s() is %d lines (at most %d)"
                                % (rel, start, name, i - start - 1, MAX_FUNC))
            start = None
    return problems


def main():
    files = sorted(glob.glob(os.path.join(TOP, "src", "**", "*.c"), recursive=True))
    problems = [p for f in files for p in check(f)]
    print("%d C files in src/ checked" % len(files))
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
