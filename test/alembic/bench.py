#!/usr/bin/python3
"""Time src/graph.c on synthetic graphs of 100,000 revisions.

Builds the graphtest harness (graphtest.c + src/graph.c, see difftest.py
--backend graph) and calls graphtest_bench(), which generates the graph in
C and measures the CPU time of mig_graph_build() and mig_graph_plan().
Shapes:

  chain   a linear history
  deps    a linear history where every 10th revision depends on one 100 back
  wide    one base, ~316 branches of ~316 revisions, one merge on top
  fan     n/2 bases merged pairwise up a binary tree
  random  1 parent among the last 50, 10% merges of 2-4 heads, 2% bases

"head copies" is the total length of the per-step version tables the plan
carries (MigStep.heads_after): the plan's memory is dominated by it when
many heads coexist (wide, fan, random).

Usage: /usr/bin/python3 test/alembic/bench.py --host H --port P [-n N]
"""

import argparse
import os
import shutil
import tempfile

import psycopg2

from difftest import build_harness

CASES = [
    ("chain", "upgrade", "head", None),
    ("chain", "upgrade", "heads", None),
    ("chain", "stamp", "head", None),
    ("deps", "upgrade", "head", None),
    ("wide", "upgrade", "head", None),
    ("wide", "stamp", "head", None),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default=os.environ.get("PGHOST"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("PGPORT", 5432)))
    ap.add_argument("--user", default=os.environ.get("PGUSER", "postgres"))
    ap.add_argument("--dbname", default=os.environ.get("PGDATABASE", "postgres"))
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--all", action="store_true",
                    help="also the shapes with thousands of heads (slow)")
    args = ap.parse_args()

    tmpdir = tempfile.mkdtemp(prefix="graphbench")
    try:
        so = build_harness(tmpdir)
        conn = psycopg2.connect(host=args.host, port=args.port, user=args.user,
                                dbname=args.dbname)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE FUNCTION pg_temp.bench(text, int, text, text, text[])"
                    " RETURNS text AS %s, 'graphtest_bench' LANGUAGE C", (so,))
        cases = CASES + ([("fan", "upgrade", "heads", None),
                          ("random", "upgrade", "heads", None)] if args.all else [])
        for shape, cmd, target, current in cases:
            best = None
            for _ in range(3):
                cur.execute("SELECT pg_temp.bench(%s, %s, %s, %s, %s)",
                            (shape, args.n, cmd, target, current))
                line = cur.fetchone()[0]
                best = line if best is None else min(best, line, key=_plan_ms)
            print(best)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _plan_ms(line):
    return float(line.split("plan ")[1].split(" ms")[0])


if __name__ == "__main__":
    main()
