#!/usr/bin/python3
"""property.py -- the property test of mig_diff over random schema pairs.

For each seed: a random schema A and a mutation B of it (schemagen.py) are
created in two schemas of the database; then, in both directions (A -> B
and B -> A):

  1. mig_diff_models(mig_model(target), mig_model(desired)) returns the same
     statements as mig_diff(target, desired) (the jsonb form round-trips);
  2. the statements of mig_diff(target, desired) run one by one, each in
     its own transaction, without error;
  3. mig_diff(target, desired) then returns no rows;
  4. pg_dump --schema-only of both schemas is the same once the schema
     names are replaced (in the direction B -> A, up to the order of the
     columns: a column dropped by the mutation comes back at the end).

Usage: property.py --dbname DB [--seeds N] [--first S] [--keep] [-v]
Connection parameters come from the environment (PGHOST, PGPORT, PGUSER).
Exit status 0 when every seed passed; a failing seed is printed with its
statements and the difference, and reproduces with --first SEED --seeds 1.
"""

import argparse
import difflib
import os
import random
import re
import subprocess
import sys
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schemagen  # noqa: E402


def pg_bin(name):
    d = os.environ.get("SCHEMAMIG_PG_BIN", "/usr/lib/postgresql/15/bin")
    return os.path.join(d, name)


SKIP = re.compile(r"^(--|SET |SELECT pg_catalog\.set_config|\\restrict|\\unrestrict|$)")


def dump(dbname, schema):
    """pg_dump --schema-only of one schema, normalized: no comments, no SET
    lines, no CREATE SCHEMA, the schema's name replaced by SCHEMA."""
    out = subprocess.run([pg_bin("pg_dump"), "--schema-only", "--no-owner", "-n", schema, dbname],
                         check=True, capture_output=True, text=True).stdout
    lines = []
    for line in out.splitlines():
        if SKIP.match(line):
            continue
        if line.startswith("CREATE SCHEMA ") or line.startswith("ALTER SCHEMA "):
            continue
        lines.append(line.replace(schema + ".", "SCHEMA.").replace("'" + schema + ".", "'SCHEMA."))
    return lines


def sort_columns(lines):
    """The lines of a dump with the columns of each CREATE TABLE sorted:
    a column that the desired schema has in the middle is added at the end
    (PostgreSQL cannot insert a column), so only the forward direction,
    where mutations append columns, compares the column order too."""
    out = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if re.match(r"CREATE (UNLOGGED )?TABLE ", lines[i]) and lines[i].endswith("("):
            j = i + 1
            while j < len(lines) and not lines[j].startswith(")"):
                j += 1
            out.extend(sorted(l.rstrip(",") for l in lines[i + 1:j]))
            i = j
            continue
        i += 1
    return out


def rows(cur, sql, args=()):
    cur.execute(sql, args)
    return [r[0] for r in cur.fetchall()]


class Failure(Exception):
    pass


def check_pair(conn, dbname, seed, direction, a, b, verbose):
    """Create a in target, b in desired, diff, apply, check."""
    cur = conn.cursor()
    tgt = "pt_t_%d_%s" % (seed, direction)
    des = "pt_d_%d_%s" % (seed, direction)
    for s in (tgt, des):
        cur.execute("DROP SCHEMA IF EXISTS %s CASCADE" % s)
        cur.execute("CREATE SCHEMA %s" % s)
    for schema, model in ((tgt, a), (des, b)):
        for stmt in schemagen.render(model, schema):
            try:
                cur.execute(stmt)
            except psycopg2.Error as e:
                raise Failure("generated SQL failed in %s: %s\n%s" % (schema, e.pgerror, stmt))

    stmts = rows(cur, "SELECT * FROM mig_diff(%s, %s)", (tgt, des))
    via_models = rows(cur, "SELECT * FROM mig_diff_models(mig_model(%s), mig_model(%s))", (tgt, des))
    if stmts != via_models:
        raise Failure("mig_diff_models(mig_model()) differs from mig_diff():\n%s" %
                      "\n".join(difflib.unified_diff(stmts, via_models, lineterm="")))
    if verbose:
        print("seed %d %s: %d statements" % (seed, direction, len(stmts)))
        for s in stmts:
            print("   ", s)
    for n, stmt in enumerate(stmts, 1):
        try:
            cur.execute(stmt)
        except psycopg2.Error as e:
            raise Failure("statement %d of %d failed: %s\n%s\nall statements:\n%s" % (
                n, len(stmts), e.pgerror, stmt, "\n".join(stmts)))
    again = rows(cur, "SELECT * FROM mig_diff(%s, %s)", (tgt, des))
    if again:
        raise Failure("mig_diff returns %d rows after applying its statements:\n%s\n"
                      "statements applied:\n%s" % (len(again), "\n".join(again), "\n".join(stmts)))
    dt, dd = dump(dbname, tgt), dump(dbname, des)
    if direction == "ba":
        dt, dd = sort_columns(dt), sort_columns(dd)
    if dt != dd:
        raise Failure("pg_dump differs after applying:\n%s\nstatements applied:\n%s" % (
            "\n".join(difflib.unified_diff(dd, dt, "desired", "target", lineterm="")),
            "\n".join(stmts)))
    for s in (tgt, des):
        cur.execute("DROP SCHEMA %s CASCADE" % s)
    return len(stmts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dbname", required=True)
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the schemas of a failing seed")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    conn = psycopg2.connect(dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET client_min_messages = error")
    failed = 0
    total = 0
    t0 = time.time()
    for seed in range(args.first, args.first + args.seeds):
        rng = random.Random(seed)
        a = schemagen.random_schema(rng)
        b = schemagen.mutate(rng, a)
        for direction, x, y in (("ab", a, b), ("ba", b, a)):
            try:
                total += check_pair(conn, args.dbname, seed, direction, x, y, args.verbose)
            except Failure as e:
                failed += 1
                print("FAIL seed %d %s: %s" % (seed, direction, e))
                if not args.keep:
                    for s in ("pt_t_%d_%s" % (seed, direction), "pt_d_%d_%s" % (seed, direction)):
                        cur.execute("DROP SCHEMA IF EXISTS %s CASCADE" % s)
    print("%d seeds (%d..%d), both directions: %d statements applied, %d failed, %.1f s" % (
        args.seeds, args.first, args.first + args.seeds - 1, total, failed, time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
