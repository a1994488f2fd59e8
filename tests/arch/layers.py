#!/usr/bin/env python3
"""The architecture as a test: calls between the daemon's C files go one way.

Reads the symbols of the built object files (nm) and checks, for the daemon
and the CLI:
  1. a file calls only files of its own layer or of layers below it
     (README "Architecture": common < conf < at < dialect < modem < relay <
     link < daemon < control < main);
  2. the call graph between files has no cycle (no two files call each
     other, directly or round a loop).
The simulator is checked for cycles only: its core must not name a vendor.
"""
import os
import re
import subprocess
import sys

BUILD = os.environ.get("top_builddir", ".")
TOP = os.environ.get("top_srcdir", ".")

# Lower number = lower layer. A folder's files share its rank unless named.
RANK = {
    "common": 0, "conf": 1, "at": 2, "dialect": 3, "dialect/telit": 3.5, "dialect/quectel": 3.5,
    "modem": 4, "relay": 5, "link": 6, "daemon": 7, "control": 8,
    "daemon/main": 9, "ctl": 1,
}
PROGRAM_DIRS = ("common", "conf", "at", "dialect", "modem", "relay", "link",
                "daemon", "control", "ctl")


def unit_of(path):
    """src/relay/libdaemon_a-ledger.o -> ('relay', 'relay/ledger')."""
    rel = os.path.relpath(path, os.path.join(BUILD, "src"))
    folder, name = os.path.split(rel)
    name = re.sub(r"^[A-Za-z0-9_]+-", "", name[:-2])  # automake's per-target prefix
    return folder, folder + "/" + name


def objects(dirs):
    for d in dirs:
        top = os.path.join(BUILD, "src", d)
        for root, _, files in os.walk(top):
            for f in files:
                if f.endswith(".o"):
                    yield os.path.join(root, f)


def symbols(path):
    out = subprocess.run(["nm", path], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, undefined


def graph(objs):
    owner, needs, folder = {}, {}, {}
    for o in objs:
        f, unit = unit_of(o)
        if not os.path.exists(os.path.join(TOP, "src", unit + ".c")):
            continue			# left over from an older tree
        if unit in needs:		# the same source built twice (another target)
            continue
        d, u = symbols(o)
        folder[unit] = f
        needs[unit] = u
        for s in d:
            owner[s] = unit
    edges = {u: sorted({owner[s] for s in n if s in owner and owner[s] != u})
             for u, n in needs.items()}
    return edges, folder


def rank(unit, folder):
    f = folder[unit]
    for key in (unit, f, f.split("/")[0]):
        if key in RANK:
            return RANK[key]
    return None


def cycles(edges):
    """Every cycle found by depth-first search, as lists of units."""
    found, state, stack = [], {}, []

    def visit(u):
        state[u] = 1
        stack.append(u)
        for v in edges.get(u, []):
            if state.get(v) == 1:
                found.append(stack[stack.index(v):] + [v])
            elif v not in state:
                visit(v)
        stack.pop()
        state[u] = 2

    for u in sorted(edges):
        if u not in state:
            visit(u)
    return found


def main():
    problems = []
    edges, folder = graph(objects(PROGRAM_DIRS))
    if not edges:
        print("SKIP: no object files under", BUILD)
        return 77
    for u, vs in sorted(edges.items()):
        for v in vs:
            ru, rv = rank(u, folder), rank(v, folder)
            if ru is None or rv is None:
                problems.append("%s -> %s: a folder with no layer in tests/arch/layers.py" % (u, v))
            elif folder[u] != folder[v] and ru <= rv:
                problems.append("%s calls %s: a layer calls one at or above it" % (u, v))
    for c in cycles(edges):
        problems.append("call cycle: " + " -> ".join(c))
    sim, _ = graph(objects(("modemsim",)))
    for c in cycles(sim):
        problems.append("simulator call cycle: " + " -> ".join(c))
    n_edges = sum(len(v) for v in edges.values())
    print("%d files, %d calls between files checked; simulator %d files" % (len(edges), n_edges, len(sim)))
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
