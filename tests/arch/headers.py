#!/usr/bin/env python3
"""Every header in src/ compiles on its own: it includes what it uses."""
import glob
import os
import subprocess
import sys

TOP = os.environ.get("top_srcdir", ".")
BUILD = os.environ.get("top_builddir", ".")
CC = os.environ.get("CC", "cc").split()


def compiles(header):
    src = '#include "config.h"\n#include "%s"\n' % os.path.relpath(header, TOP)
    cmd = CC + ["-fsyntax-only", "-Wall", "-Wextra", "-x", "c", "-",
                "-I", BUILD, "-I", os.path.join(TOP, "src"),
                "-I", os.path.join(TOP, "src", "common"),
                "-I", os.path.dirname(header), "-I", TOP]
    r = subprocess.run(cmd, input=src, capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def main():
    headers = sorted(glob.glob(os.path.join(TOP, "src", "**", "*.h"), recursive=True))
    bad = 0
    for h in headers:
        ok, err = compiles(h)
        if not ok:
            bad += 1
            print("FAIL: %s does not compile alone:\n%s" % (os.path.relpath(h, TOP),
                                                         err.strip()[:600]))
    print("%d headers in src/ compiled alone, %d failed" % (len(headers), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
