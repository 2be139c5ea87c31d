#!/usr/bin/python3
"""corpus.py -- mig_diff over a real migration history (Ory Kratos).

Two schemas walk the history side by side:

  * "next" runs each revision's up SQL (the corpus files, in manifest
    order, with search_path = next, ext);
  * "cur" is only ever changed by mig_diff's statements: before revision k
    runs in "next", "cur" equals it; after it runs, mig_diff(cur, next) is
    applied to "cur" statement by statement.

After each revision mig_diff(cur, next) must return no rows, and (every
--dump-every revisions, and at the last one) pg_dump --schema-only of both
schemas must be the same once the names are replaced, up to the order of
the columns (the history renames columns; mig_diff cannot tell a rename
from a drop and an add, warns, and the new column comes last).  So every
revision's
change is diffed, applied and checked, and "cur" ends up holding the whole
Kratos schema built by mig_diff alone.

The extensions the history creates (pg_trgm, btree_gin) are installed
beforehand in the schema "ext", as an extension is installed once per
database; the history's CREATE EXTENSION IF NOT EXISTS are then no-ops.

Usage: corpus.py --dbname DB --kratos DIR [--limit N] [--dump-every N] [-v]
"""

import argparse
import difflib
import os
import sys
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from property import dump, sort_columns  # noqa: E402


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def manifest(kdir):
    out = []
    with open(os.path.join(kdir, "manifest.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                cols = line.split("\t")
                out.append((cols[0], cols[2], os.path.join(kdir, cols[3])))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dbname", required=True)
    ap.add_argument("--kratos", required=True)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--dump-every", type=int, default=25)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    conn = psycopg2.connect(dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET client_min_messages = error")
    for s in ("cur", "next", "ext"):
        cur.execute("DROP SCHEMA IF EXISTS %s CASCADE" % s)
        cur.execute("CREATE SCHEMA %s" % s)
    cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA ext")
    cur.execute("CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA ext")

    revs = manifest(args.kratos)
    if args.limit:
        revs = revs[:args.limit]
    t0 = time.time()
    nstmts = 0
    ndumps = 0
    for k, (rid, name, up) in enumerate(revs, 1):
        sql = read(up)
        cur.execute("SET search_path = next, ext")
        if any(l.strip() and not l.strip().startswith("--") for l in sql.splitlines()):
            try:
                cur.execute(sql)
            except psycopg2.Error as e:
                print("FAIL revision %d %s (%s): its up SQL failed in schema next: %s" % (
                    k, rid, name, e.pgerror))
                return 1
        cur.execute("SET search_path = public")
        cur.execute("SELECT * FROM mig_diff('cur', 'next')")
        stmts = [r[0] for r in cur.fetchall()]
        nstmts += len(stmts)
        if args.verbose:
            print("revision %d %s (%s): %d statements" % (k, rid, name, len(stmts)))
        for n, stmt in enumerate(stmts, 1):
            try:
                cur.execute(stmt)
            except psycopg2.Error as e:
                print("FAIL revision %d %s (%s): statement %d of %d failed: %s\n%s\nall:\n%s" % (
                    k, rid, name, n, len(stmts), e.pgerror, stmt, "\n".join(stmts)))
                return 1
        cur.execute("SELECT * FROM mig_diff('cur', 'next')")
        again = [r[0] for r in cur.fetchall()]
        if again:
            print("FAIL revision %d %s (%s): mig_diff returns %d rows after applying:\n%s\n"
                  "applied:\n%s" % (k, rid, name, len(again), "\n".join(again), "\n".join(stmts)))
            return 1
        if k % args.dump_every == 0 or k == len(revs):
            ndumps += 1
            dc = sort_columns(dump(args.dbname, "cur"))
            dn = sort_columns(dump(args.dbname, "next"))
            if dc != dn:
                print("FAIL revision %d %s (%s): pg_dump differs:\n%s" % (
                    k, rid, name, "\n".join(difflib.unified_diff(dn, dc, "next", "cur", lineterm=""))))
                return 1
    print("%d revisions: %d statements from mig_diff applied, mig_diff empty after each, "
          "pg_dump compared %d times (every %d revisions and the last), %.1f s" % (
              len(revs), nstmts, ndumps, args.dump_every, time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
