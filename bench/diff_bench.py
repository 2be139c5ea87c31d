#!/usr/bin/python3
"""diff_bench.py -- the schema model and mig_diff on a large schema, and
migra (npm @pgkit/migra) on the same two schemas when it is installed.

Builds two schemas of --tables tables (default 5,000) of 10 columns and 2
indexes each (5,000 tables, 50,000 columns, 10,000 indexes), the second a
variation of the first (columns added, types changed, NOT NULL added,
indexes replaced, tables dropped and added: a few hundred statements of
difference), then times, best of --reps:

  * loading one schema's model          SELECT count(*) FROM mig_diff('a', 'a')
  * the model as jsonb                  SELECT length(mig_model('a')::text)
  * mig_diff of the two schemas         SELECT count(*) FROM mig_diff('a', 'b')
    (both models loaded, compared, statements ordered)
  * migra on the same two schemas, each in a database of its own as migra
    compares databases (node .../migra run URL_FROM URL_TO --unsafe
    --schema public), when --migra names its command.js.

Then it applies mig_diff's statements to schema a and checks that
mig_diff('a', 'b') is empty.  Prints the times and their ratios; never
fails because of a time.

Usage: diff_bench.py [--tables N] [--reps N] [--migra PATH/command.js]
Connection from PGHOST / PGPORT / PGUSER.
"""

import argparse
import os
import subprocess
import sys
import time

import psycopg2


def table_sql(schema, i, variant):
    """One table (and its extra index) of the base schema or of the variant."""
    c6 = "varchar(128)" if variant and i % 100 == 2 else "varchar(64)"
    c1 = "integer NOT NULL DEFAULT 0" if variant and i % 200 == 4 else "integer"
    extra = ", c10 text" if variant and i % 50 == 0 else ""
    idxcol = "c2" if variant and i % 100 == 1 else "c1"
    return ("CREATE TABLE %s.t%d (id bigint PRIMARY KEY, c1 %s, c2 text, "
            "c3 timestamptz DEFAULT now(), c4 numeric(10,2), c5 boolean NOT NULL DEFAULT false, "
            "c6 %s, c7 jsonb, c8 bigint, c9 date%s);"
            "CREATE INDEX t%d_%s_idx ON %s.t%d (%s);" % (
                schema, i, c1, c6, extra, i, idxcol, schema, i, idxcol))


def schema_sql(schema, ntables, variant):
    out = []
    for i in range(ntables):
        if variant and i % 250 == 3:
            continue                    # dropped in the variant
        out.append(table_sql(schema, i, variant))
    if variant:
        for k in range(ntables // 250):
            out.append(table_sql(schema, ntables + k, variant))   # new tables
    return out


def build(dsn, schema, ntables, variant):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    if schema != "public":
        cur.execute("DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s" % (schema, schema))
    stmts = schema_sql(schema, ntables, variant)
    for k in range(0, len(stmts), 100):
        cur.execute("".join(stmts[k:k + 100]))
    conn.close()


def backend_cpu(pid):
    """CPU seconds (user + system) the server backend pid has used so far,
    from /proc (the server runs on this machine), or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


CPU = {}


def best(cur, sql, reps):
    """Best wall time of reps runs, and the backend CPU time of that run."""
    times = []
    result = None
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    for _ in range(reps):
        c = backend_cpu(pid)
        t = time.perf_counter()
        cur.execute(sql)
        result = cur.fetchone()[0]
        wall = time.perf_counter() - t
        c2 = backend_cpu(pid)
        times.append((wall, None if c is None or c2 is None else c2 - c))
    times.sort()
    CPU[sql] = times[0][1]
    return times[0][0], result


def cpu(sql):
    c = CPU.get(sql)
    return "%.2f s" % c if c is not None else "n/a"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tables", type=int, default=5000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--migra", default=None, help="path of @pgkit/migra's dist/command.js")
    ap.add_argument("--dbname", default="diffbench")
    args = ap.parse_args()

    admin = psycopg2.connect(dbname="postgres")
    admin.autocommit = True
    ac = admin.cursor()
    dbs = [args.dbname] + ([args.dbname + "_from", args.dbname + "_to"] if args.migra else [])
    for db in dbs:
        ac.execute("DROP DATABASE IF EXISTS %s" % db)
        ac.execute("CREATE DATABASE %s" % db)

    t = time.perf_counter()
    build("dbname=" + args.dbname, "a", args.tables, False)
    build("dbname=" + args.dbname, "b", args.tables, True)
    built = time.perf_counter() - t
    conn = psycopg2.connect(dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS schemamig")
    cur.execute("SET client_min_messages = error")
    cur.execute("""SELECT count(*) FILTER (WHERE c.relkind = 'r'),
                          (SELECT count(*) FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid
                            WHERE r.relnamespace = 'a'::regnamespace AND r.relkind = 'r'
                              AND a.attnum > 0 AND NOT a.attisdropped),
                          count(*) FILTER (WHERE c.relkind = 'i')
                     FROM pg_class c WHERE c.relnamespace = 'a'::regnamespace""")
    ntab, ncol, nidx = cur.fetchone()
    print("schema a: %d tables, %d columns, %d indexes; schema b: a variation of it "
          "(built both in %.1f s)" % (ntab, ncol, nidx, built))

    load, _ = best(cur, "SELECT count(*) FROM mig_diff('a', 'a')", args.reps)
    tojson, size = best(cur, "SELECT length(mig_model('a')::text)", args.reps)
    diff, nstmts = best(cur, "SELECT count(*) FROM mig_diff('a', 'b')", args.reps)
    print("")
    q_load = "SELECT count(*) FROM mig_diff('a', 'a')"
    q_json = "SELECT length(mig_model('a')::text)"
    q_diff = "SELECT count(*) FROM mig_diff('a', 'b')"
    print("| step | wall time (best of %d) | server CPU time of that run |" % args.reps)
    print("|---|---|---|")
    print("| load the model of schema a | %.3f s | %s |" % (load, cpu(q_load)))
    print("| mig_model('a') as jsonb (%.1f MB of text) | %.3f s | %s |" % (size / 1e6, tojson, cpu(q_json)))
    print("| mig_diff('a', 'b'): load both, compare, order %d statements | %.3f s | %s |" % (
        nstmts, diff, cpu(q_diff)))

    migra = None
    if args.migra:
        host = os.environ.get("PGHOST", "/tmp")
        port = os.environ.get("PGPORT", "5432")
        user = os.environ.get("PGUSER", "postgres")
        build("dbname=" + args.dbname + "_from", "public", args.tables, False)
        build("dbname=" + args.dbname + "_to", "public", args.tables, True)
        url = "postgresql://%s@localhost/%%s?host=%s&port=%s" % (user, host, port)
        times = []
        out = None
        for _ in range(args.reps):
            t = time.perf_counter()
            p = subprocess.run(["node", args.migra, "run", url % (args.dbname + "_from"),
                                url % (args.dbname + "_to"), "--unsafe", "--schema", "public"],
                               capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            out = p
        if out.returncode not in (0, 2, 3):
            print("| migra | failed (exit %d): %s | |" % (out.returncode, (out.stderr or out.stdout)[-300:]
                                                          .replace("\n", " ")))
        else:
            migra = min(times)
            n = sum(1 for line in out.stdout.split(";") if line.strip())
            print("| migra (@pgkit/migra) on the same two schemas, %d statements | %.3f s | |" % (n, migra))
    print("")
    print("mig_diff of %d tables / %d columns / %d indexes: %.3f s wall, %s server CPU "
          "(target: under 2 s); load average now %.1f on %d CPUs" % (
              ntab, ncol, nidx, diff, cpu(q_diff), os.getloadavg()[0], os.cpu_count()))
    if migra:
        print("ratio migra / mig_diff: %.1fx (target: at least 5x)" % (migra / diff))
    else:
        print("migra: not run (no --migra)")

    # the statements do what they say
    cur.execute("SELECT * FROM mig_diff('a', 'b')")
    stmts = [r[0] for r in cur.fetchall()]
    t = time.perf_counter()
    for s in stmts:
        cur.execute(s)
    applied = time.perf_counter() - t
    cur.execute("SELECT count(*) FROM mig_diff('a', 'b')")
    left = cur.fetchone()[0]
    print("applied the %d statements in %.1f s; mig_diff('a', 'b') afterwards: %d rows" % (
        len(stmts), applied, left))
    conn.close()
    for db in dbs:
        ac.execute("DROP DATABASE IF EXISTS %s" % db)
    return 0 if left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
