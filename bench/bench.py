#!/usr/bin/python3
"""
bench.py -- the schemamig benchmarks (driven by bench/run.sh).

Not a timed test: every number is printed next to a floor measured in the
same run on the same cluster, and nothing here fails on a time.  Needs
/usr/bin/python3 (psycopg2; alembic 1.8 for the Alembic row) and a running
cluster with schemamig installed and preloaded; run.sh provides that.

Sections:
  chain     1: a chain of N revisions, upgrade then downgrade, by every tool
  register  2: registration speed and memory (N and BIG revisions)
  graph     3: graph operations on chains and branchy DAGs of N and BIG
  overhead  4: the runner's own cost per revision (revisions of SELECT 1)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload  # noqa: E402

ARGS = None


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Connections and sessions
# ---------------------------------------------------------------------------

def connect(db="postgres"):
    conn = psycopg2.connect(host=ARGS.host, port=ARGS.port, user=ARGS.user,
                            dbname=db)
    conn.autocommit = True
    return conn


def sql(db, query, params=None, fetch=False):
    conn = connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute(query, params)
            if fetch:
                return cur.fetchall()
    finally:
        conn.close()


def create_db(name, template="bench_base"):
    sql("postgres", 'DROP DATABASE IF EXISTS "%s"' % name)
    sql("postgres", 'CREATE DATABASE "%s" TEMPLATE "%s"' % (name, template))


def drop_db(name):
    sql("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def parse_status(text):
    """VmHWM, VmRSS, RssAnon, RssShmem in kB from /proc/<pid>/status text;
    cpu_s (user + system seconds) when /proc/<pid>/stat follows it."""
    out = {}
    for line in text.splitlines():
        if line[:1].isdigit() and ") " in line:
            fields = line.rsplit(") ", 1)[1].split()
            out["cpu_s"] = (int(fields[11]) + int(fields[12])) / CLK_TCK
            continue
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS", "RssAnon", "RssShmem", "RssFile"):
            out[key] = int(rest.split()[0])
    return out


class Sampler(threading.Thread):
    """Polls /proc/<backend pid>/status while a session runs: the backend's
    pid appears in pidfile once the session has started.  Keeps the peak
    RssAnon (private memory; VmHWM also counts the shared buffers the
    backend touched)."""

    def __init__(self, pidfile, interval=0.005):
        super().__init__(daemon=True)
        self.pidfile = pidfile
        self.interval = interval
        self.stop = threading.Event()
        self.peak_anon = 0
        self.last = {}

    def run(self):
        pid = None
        while not self.stop.is_set() and pid is None:
            try:
                with open(self.pidfile) as f:
                    pid = int(f.read().strip())
            except (OSError, ValueError):
                time.sleep(self.interval)
        if pid is None:
            return
        path = "/proc/%d/status" % pid
        while not self.stop.is_set():
            try:
                with open(path) as f:
                    st = parse_status(f.read())
            except OSError:
                return
            self.last = st
            self.peak_anon = max(self.peak_anon, st.get("RssAnon", 0))
            time.sleep(self.interval)


def fresh_files(tag):
    pidfile = os.path.join(ARGS.workdir, "%s.pid" % tag)
    statusfile = os.path.join(ARGS.workdir, "%s.status" % tag)
    for p in (pidfile, statusfile):
        if os.path.exists(p):
            os.unlink(p)
    return pidfile, statusfile


def psql_session(db, body, single_transaction=False, options=None, tag="s",
                 deadline=None):
    """Run the psql file body in one psql session (psql -X -q [-1] -f).

    A wrapper records the backend's pid first and copies its
    /proc/<pid>/status after the body, before the session ends (inside the
    transaction when -1).  Returns seconds (wall clock of the psql process,
    connection included) and memory figures."""
    pidfile, statusfile = fresh_files(tag)
    wrapper = os.path.join(ARGS.workdir, "%s.wrapper.sql" % tag)
    with open(wrapper, "w") as f:
        f.write("\\set ON_ERROR_STOP 1\n"
                "SELECT pg_backend_pid() AS bench_bpid \\gset\n"
                "\\setenv BENCH_BPID :bench_bpid\n"
                "\\! echo $BENCH_BPID > %s\n"
                "\\i %s\n"
                "\\! cat /proc/$BENCH_BPID/status /proc/$BENCH_BPID/stat > %s\n"
                % (pidfile, body, statusfile))
    cmd = [os.path.join(ARGS.pgbin, "psql"), "-X", "-q", "-h", ARGS.host,
           "-p", str(ARGS.port), "-U", ARGS.user, "-d", db, "-f", wrapper]
    if single_transaction:
        cmd.insert(1, "-1")
    env = dict(os.environ)
    if options:
        env["PGOPTIONS"] = options
    return run_measured(cmd, env, pidfile, statusfile, tag, deadline=deadline)


def run_measured(cmd, env, pidfile, statusfile, tag, cwd=None, deadline=None):
    """Run cmd, timing it and sampling its backend's memory.  With a
    deadline (seconds), a run still going then is cancelled (its backend
    gets pg_cancel_backend) and reported as aborted instead of failing."""
    sampler = Sampler(pidfile)
    sampler.start()
    errpath = os.path.join(ARGS.workdir, "%s.stderr" % tag)
    aborted = False
    with open(errpath, "w") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                stderr=err, cwd=cwd)
        while True:
            try:
                rc = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if deadline and time.perf_counter() - t0 > deadline and not aborted:
                    aborted = True
                    with open(pidfile) as f:
                        sql("postgres", "SELECT pg_cancel_backend(%s)", (int(f.read()),))
        seconds = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    if aborted:
        return {"seconds": seconds, "aborted": True, "anon_kb": sampler.peak_anon,
                "hwm_kb": sampler.last.get("VmHWM")}
    if rc != 0:
        with open(errpath) as f:
            tail = f.read()[-3000:]
        raise RuntimeError("%s failed (exit %d):\n%s" % (" ".join(cmd), rc, tail))
    status = {}
    if os.path.exists(statusfile):
        with open(statusfile) as f:
            status = parse_status(f.read())
    return {"seconds": seconds, "hwm_kb": status.get("VmHWM"),
            "anon_kb": sampler.peak_anon or status.get("RssAnon"),
            "shmem_kb": status.get("RssShmem"), "cpu_s": status.get("cpu_s")}


def body_file(name, text):
    path = os.path.join(ARGS.workdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# ---------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------

BENCH_TIME_FN = r"""
CREATE FUNCTION bench_cpu_ticks() RETURNS bigint
LANGUAGE sql AS $fn$
    SELECT f[12]::bigint + f[13]::bigint
    FROM string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') f
$fn$;

CREATE FUNCTION bench_time(q text, n int, expect_error boolean DEFAULT false,
                           warm boolean DEFAULT true,
                           OUT avg_ms float8, OUT min_ms float8, OUT cpu_ticks bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    t0 timestamptz;
    d float8;
    total float8 := 0;
    c0 bigint;
BEGIN
    min_ms := 'Infinity';
    FOR i IN (CASE WHEN warm THEN 0 ELSE 1 END) .. n LOOP
        IF i = 1 THEN
            c0 := bench_cpu_ticks();
        END IF;
        t0 := clock_timestamp();
        IF expect_error THEN
            BEGIN
                EXECUTE q;
                RAISE EXCEPTION 'bench: % did not fail at its first step', q;
            EXCEPTION WHEN division_by_zero THEN
                NULL;
            END;
        ELSE
            EXECUTE q;
        END IF;
        d := extract(epoch FROM clock_timestamp() - t0) * 1000;
        IF i > 0 THEN
            total := total + d;
            min_ms := least(min_ms, d);
        END IF;
    END LOOP;
    avg_ms := total / n;
    cpu_ticks := bench_cpu_ticks() - c0;
END
$fn$;
"""

PLPGSQL_RUNNER = r"""
CREATE TABLE bench_stmt (rev int, direction text, ord int, sql text);
CREATE FUNCTION bench_run(dir text) RETURNS int
LANGUAGE plpgsql AS $fn$
DECLARE
    r record;
    n int := 0;
BEGIN
    FOR r IN SELECT sql FROM bench_stmt WHERE direction = dir
             ORDER BY CASE WHEN dir = 'up' THEN rev ELSE -rev END, ord
    LOOP
        EXECUTE r.sql;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$fn$;
"""


def setup_base():
    """bench_base: the extension and the helper functions, nothing else."""
    for db in ("bench_base",):
        drop_db(db)
        sql("postgres", "CREATE DATABASE %s" % db)
        sql(db, "CREATE EXTENSION schemamig")
        sql(db, BENCH_TIME_FN)


# ---------------------------------------------------------------------------
# 1. The chain: upgrade then downgrade, by every tool
# ---------------------------------------------------------------------------

def fmt_mb(kb):
    return "%.1f" % (kb / 1024.0) if kb else "n/a"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


FLOOR = "floor: psql -X -q -1 -f"
SCHEMAMIG = "schemamig: mig_upgrade + mig_downgrade"


def section_chain(results):
    n = ARGS.chain
    log("== chain: %d revisions (load %s)" % (n, loadavg()))
    load_before = loadavg()
    up = os.path.join(ARGS.workdir, "floor_up.sql")
    down = os.path.join(ARGS.workdir, "floor_down.sql")
    workload.write_floor_files(n, up, down)
    reg = os.path.join(ARGS.workdir, "register_chain.sql")
    workload.write_registration_file(n, reg)

    # The template of every chain run: registered, nothing applied, and the
    # PL/pgSQL runner's statement table loaded.  Registering it is the
    # first sample of "register N".
    create_db("bench_chain")
    reg_samples = [psql_session("bench_chain", reg, single_transaction=True,
                                tag="register")]
    conn = connect("bench_chain")
    with conn.cursor() as cur:
        cur.execute(PLPGSQL_RUNNER)
        args = ",".join(cur.mogrify("(%s,%s,%s,%s)", r).decode()
                        for r in workload.plpgsql_rows(n))
        cur.execute("INSERT INTO bench_stmt VALUES " + args)
        cur.execute("VACUUM ANALYZE bench_stmt")
        cur.execute("CHECKPOINT")
    conn.close()
    for i in range(ARGS.reps - 1):
        create_db("bench_reg")
        reg_samples.append(psql_session("bench_reg", reg, single_transaction=True,
                                        tag="register"))
        drop_db("bench_reg")
    results["register_small"] = {"n": n, "samples": reg_samples,
                                 "seconds": statistics.median(s["seconds"] for s in reg_samples)}

    mig_up = body_file("mig_up.sql", "SELECT count(*) FROM mig_upgrade('head');\n")
    mig_down = body_file("mig_down.sql", "SELECT count(*) FROM mig_downgrade('base');\n")
    proc_up = body_file("proc_up.sql", "CALL mig_upgrade_proc('head');\n")
    proc_down = body_file("proc_down.sql", "CALL mig_downgrade_proc('base');\n")
    pl_up = body_file("pl_up.sql", "SELECT bench_run('up');\n")
    pl_down = body_file("pl_down.sql", "SELECT bench_run('down');\n")

    def two_sessions(db, a, b, single=False, options=None):
        r1 = psql_session(db, a, single_transaction=single, options=options, tag="up")
        r2 = psql_session(db, b, single_transaction=single, options=options, tag="down")
        return combine(r1, r2)

    # The three compared rows run interleaved, each on a fresh copy of the
    # same database, ARGS.reps times; the table shows medians.
    tools = [
        (FLOOR, lambda db: two_sessions(db, up, down, single=True)),
        (SCHEMAMIG, lambda db: two_sessions(db, mig_up, mig_down)),
        ("PL/pgSQL runner (EXECUTE per statement)",
         lambda db: two_sessions(db, pl_up, pl_down)),
    ]
    samples = {name: [] for name, _ in tools}
    for rep in range(ARGS.reps):
        for name, fn in tools:
            log("   rep %d: %s" % (rep + 1, name))
            create_db("bench_run", "bench_chain")
            samples[name].append(fn("bench_run"))
            check_empty("bench_run")
            drop_db("bench_run")

    extra = [
        ("schemamig with schemamig.progress = off",
         lambda db: two_sessions(db, mig_up, mig_down,
                                 options="-c schemamig.progress=off")),
        ("schemamig: CALL mig_upgrade_proc + mig_downgrade_proc (commit per revision)",
         lambda db: two_sessions(db, proc_up, proc_down)),
        ("Alembic 1.8 (SQLAlchemy + psycopg2, one transaction)", run_alembic),
        ("Sqitch (one psql per change)", run_sqitch),
    ]
    # Settings that later versions have: what they cost, when they exist.
    gucs = set(r[0] for r in sql("bench_chain", "SELECT name FROM pg_settings "
                                 "WHERE name LIKE 'schemamig.%'", fetch=True))
    if "schemamig.lock_timeout" in gucs:
        extra.insert(1, ("schemamig with schemamig.lock_timeout = 0 (no subtransaction per statement)",
                         lambda db: two_sessions(db, mig_up, mig_down,
                                                 options="-c schemamig.lock_timeout=0")))
    if "schemamig.ddl_log" in gucs:
        extra.insert(0, ("floor with schemamig.ddl_log = off (no DDL recording)",
                         lambda db: two_sessions(db, up, down, single=True,
                                                 options="-c schemamig.ddl_log=off")))
        extra.insert(1, ("schemamig with schemamig.ddl_log = off",
                         lambda db: two_sessions(db, mig_up, mig_down,
                                                 options="-c schemamig.ddl_log=off")))
    for name, fn in extra:
        log("   %s" % name)
        create_db("bench_run", "bench_chain")
        try:
            r = fn("bench_run")
            if r.get("label"):
                name = r["label"]
            samples[name] = [r]
            check_empty("bench_run")
        except SkipTool as e:
            samples[name] = [{"skipped": str(e)}]
        drop_db("bench_run")

    rows = []
    floor = summarize(samples[FLOOR])
    for name in samples:
        s = summarize(samples[name])
        s["tool"] = name
        if "skipped" not in s:
            s["ratio"] = s["seconds"] / floor["seconds"]
            for k in ("hwm_kb", "anon_kb", "cpu_s"):
                if s.get(k) and floor.get(k):
                    s[k + "_ratio"] = s[k] / floor[k]
        rows.append(s)
    results["chain"] = {"n": n, "reps": ARGS.reps, "rows": rows,
                        "load": [load_before, loadavg()]}


class SkipTool(Exception):
    pass


def combine(r1, r2):
    """Upgrade session + downgrade session: times add, memory is the max."""
    def mx(k):
        vals = [r[k] for r in (r1, r2) if r.get(k)]
        return max(vals) if vals else None
    cpu = None
    if r1.get("cpu_s") is not None and r2.get("cpu_s") is not None:
        cpu = r1["cpu_s"] + r2["cpu_s"]
    return {"seconds": r1["seconds"] + r2["seconds"], "up_s": r1["seconds"],
            "down_s": r2["seconds"], "hwm_kb": mx("hwm_kb"), "anon_kb": mx("anon_kb"),
            "cpu_s": cpu}


def summarize(samples):
    if any("skipped" in s for s in samples):
        return {"skipped": samples[0]["skipped"]}
    out = {"samples": len(samples)}
    for k in ("seconds", "up_s", "down_s", "hwm_kb", "anon_kb", "cpu_s"):
        vals = [s[k] for s in samples if s.get(k) is not None]
        if vals:
            out[k] = statistics.median(vals)
    out["all_seconds"] = [round(s["seconds"], 2) for s in samples]
    for k in ("note",):
        if samples[0].get(k):
            out[k] = samples[0][k]
    return out


def check_empty(db):
    """After upgrade + downgrade, no t_k is left."""
    left = sql(db, "SELECT count(*) FROM pg_class WHERE relname ~ '^t_[0-9]+$'",
               fetch=True)[0][0]
    if left:
        raise RuntimeError("%d tables t_k left after upgrade + downgrade in %s" % (left, db))


def run_alembic(db):
    n = ARGS.chain
    path = os.path.join(ARGS.workdir, "alembic")
    if not os.path.exists(os.path.join(path, "env.py")):
        workload.write_alembic_dir(n, path)
    env = dict(os.environ)
    env["BENCH_ALEMBIC_URL"] = "postgresql+psycopg2://%s@/%s?host=%s&port=%s" % (
        ARGS.user, db, ARGS.host, ARGS.port)
    res = []
    for cmd, tag in ((["upgrade", "head"], "alembic_up"), (["downgrade", "base"], "alembic_down")):
        pidfile, statusfile = fresh_files(tag)
        env["BENCH_PIDFILE"] = pidfile
        env["BENCH_STATUSFILE"] = statusfile
        try:
            res.append(run_measured(["/usr/bin/python3", "-m", "alembic", "-c",
                                     os.path.join(path, "alembic.ini")] + cmd,
                                    env, pidfile, statusfile, tag, cwd=path))
        except RuntimeError as e:
            if "No module named" in str(e):
                raise SkipTool("alembic: not installed for /usr/bin/python3")
            raise
    return combine(res[0], res[1])


def run_sqitch(db):
    """Sqitch deploy + revert.  Sqitch runs one psql process per change, so
    its cost is linear in the number of changes: at most SQITCH_MAX changes
    are run and the time is scaled up to the chain's length."""
    exe = shutil.which("sqitch")
    if exe is None:
        raise SkipTool("sqitch: not installed")
    n = min(ARGS.chain, ARGS.sqitch_max)
    path = os.path.join(ARGS.workdir, "sqitch")
    if not os.path.exists(os.path.join(path, "sqitch.plan")):
        workload.write_sqitch_project(n, path)
    env = dict(os.environ)
    env.update({"PGHOST": ARGS.host, "PGPORT": str(ARGS.port), "PGUSER": ARGS.user,
                "SQITCH_FULLNAME": "bench", "SQITCH_EMAIL": "bench@example.com",
                "SQITCH_CONFIG": os.path.join(path, "sqitch-user.conf")})
    target = "db:pg:%s" % db
    # The registry (schema sqitch) is created up front, outside the timing.
    for cmd in (["deploy", "--to", "@ROOT", target], ["revert", "-y", target]):
        subprocess.run([exe, "--quiet", "--chdir", path] + cmd, env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    res = []
    for cmd, tag in ((["deploy", target], "sqitch_up"), (["revert", "-y", target], "sqitch_down")):
        pidfile, statusfile = fresh_files(tag)
        res.append(run_measured([exe, "--quiet", "--chdir", path] + cmd, env,
                                pidfile, statusfile, tag))
    out = combine(res[0], res[1])
    out["hwm_kb"] = out["anon_kb"] = out["cpu_s"] = None   # one backend per change
    if n < ARGS.chain:
        f = ARGS.chain / n
        for k in ("seconds", "up_s", "down_s"):
            out[k] *= f
        out["label"] = "Sqitch (one psql per change; %d changes run, time x%g)" % (n, f)
    return out


# ---------------------------------------------------------------------------
# 2. Registration: BIG in one file with time and memory marks
# ---------------------------------------------------------------------------

def section_register(results):
    big = ARGS.big
    step = big // 10
    log("== register: %d revisions in one psql -1 file (load %s)" % (big, loadavg()))
    path = os.path.join(ARGS.workdir, "register_big.sql")
    markfile = os.path.join(ARGS.workdir, "register_big.marks")

    def mark(k):
        return ("\\! echo %d $(date +%%s.%%N) $(grep -E '^(VmHWM|RssAnon):' "
                "/proc/$BENCH_BPID/status | tr -s ' \\t' ' ') >> %s\n" % (k, markfile))
    workload.write_registration_file(big, path, marks_every=step, mark_cmd=mark)
    if os.path.exists(markfile):
        os.unlink(markfile)
    create_db("bench_big_chain")
    t_start = time.time()
    res = psql_session("bench_big_chain", path, single_transaction=True,
                       tag="register_big", deadline=ARGS.register_deadline)
    points = []
    if os.path.exists(markfile):
        with open(markfile) as f:
            for line in f:
                parts = line.split()
                # k epoch VmHWM: x kB RssAnon: y kB
                k, t = int(parts[0]), float(parts[1])
                vals = dict(zip(parts[2::3], parts[3::3]))
                points.append({"n": k, "seconds": t - t_start,
                               "hwm_kb": int(vals["VmHWM:"]), "anon_kb": int(vals["RssAnon:"])})
    out = {"n": big, "seconds": res["seconds"], "hwm_kb": res.get("hwm_kb"),
           "anon_kb": res.get("anon_kb"), "points": points,
           "aborted": res.get("aborted", False)}
    if len(points) >= 2:
        # t(n) = a n + b n^2, least squares through the marks
        s11 = sum(p["n"] ** 2 for p in points)
        s12 = sum(p["n"] ** 3 for p in points)
        s22 = sum(p["n"] ** 4 for p in points)
        y1 = sum(p["n"] * p["seconds"] for p in points)
        y2 = sum(p["n"] ** 2 * p["seconds"] for p in points)
        det = s11 * s22 - s12 * s12
        if det:
            a = (y1 * s22 - y2 * s12) / det
            b = (s11 * y2 - s12 * y1) / det
            out["fit"] = {"a": a, "b": b, "predicted_s": a * big + b * big * big}
    if out["aborted"]:
        drop_db("bench_big_chain")
    results["register_big"] = out


# ---------------------------------------------------------------------------
# 3. Graph operations
# ---------------------------------------------------------------------------

def load_graph(db, rows, body=""):
    """Put a graph straight into schemamig.revision (bypassing mig_revision,
    whose speed section 2 measures); every upgrade and downgrade is body."""
    conn = connect(db)
    cols = ("INSERT INTO schemamig.revision (id, parents, branch_labels, depends_on, "
            "message, upgrade, downgrade, checksum) VALUES ")
    with conn.cursor() as cur:
        buf = []
        for rid, parents, labels, depends in rows:
            buf.append(cur.mogrify("(%s,%s::text[],%s::text[],%s::text[],%s,%s,%s,'bench')",
                                   (rid, parents, labels, depends, "rev " + rid,
                                    body, body)).decode())
            if len(buf) == 5000:
                cur.execute(cols + ",".join(buf))
                buf = []
        if buf:
            cur.execute(cols + ",".join(buf))
    conn.close()


def mark_fail_first_steps(db):
    """Bases' upgrade and heads' downgrade become 'SELECT 1/0': an upgrade
    from base or a downgrade from the head then loads and plans the whole
    graph and stops at its first statement, so the time of such a call is
    the time to load, plan and check."""
    sql(db, "UPDATE schemamig.revision SET upgrade = 'SELECT 1/0' WHERE parents = '{}'")
    sql(db, "UPDATE schemamig.revision SET downgrade = 'SELECT 1/0' WHERE id IN "
            "(SELECT id FROM schemamig.revision EXCEPT "
            "SELECT unnest(parents) FROM schemamig.revision)")
    sql(db, "VACUUM ANALYZE schemamig.revision")


def graph_ops(db, nrevs):
    reps = 20 if nrevs <= 2000 else 3
    ops = []
    conn = connect(db)
    cur = conn.cursor()
    cur.execute("SET schemamig.progress = off")

    def op(name, query, expect_error=False, n=reps):
        cur.execute("SELECT * FROM bench_time(%s, %s, %s)", (query, n, expect_error))
        avg, mn, ticks = cur.fetchone()
        r = {"op": name, "avg_ms": avg, "min_ms": mn, "calls": n,
             "cpu_ms": ticks * 1000.0 / CLK_TCK / n}
        ops.append(r)
        log("     %-52s avg %9.2f ms  min %9.2f ms" % (name, avg, mn))

    op("read the rows (SELECT id, parents, ... ORDER BY seq)",
       "SELECT count(*) FROM (SELECT id, parents, branch_labels, depends_on "
       "FROM schemamig.revision ORDER BY seq) s")
    op("mig_heads()", "SELECT count(*) FROM mig_heads()")
    op("mig_current() at base", "SELECT count(*) FROM mig_current()")
    op("mig_history() at base", "SELECT count(*) FROM mig_history()")
    op("plan upgrade base -> head (mig_upgrade stopped at step 1)",
       "SELECT count(*) FROM mig_upgrade('head')", expect_error=True)
    op("mig_stamp('base') + mig_stamp('head'), per pair",
       "SELECT (SELECT count(*) FROM mig_stamp('base')) + "
       "(SELECT count(*) FROM mig_stamp('head'))")
    op("mig_current() at head", "SELECT count(*) FROM mig_current()")
    op("mig_history() at head", "SELECT count(*) FROM mig_history()")
    op("plan downgrade head -> base (mig_downgrade stopped at step 1)",
       "SELECT count(*) FROM mig_downgrade('base')", expect_error=True)
    conn.close()
    return ops


def section_graph(results):
    out = []
    for shape in ("chain", "dag"):
        for nrevs in (ARGS.chain, ARGS.big):
            log("== graph ops: %s of %d (load %s)" % (shape, nrevs, loadavg()))
            db = "bench_graph"
            how = "bulk-loaded"
            big_reg = results.get("register_big", {})
            if (shape == "chain" and nrevs == ARGS.big and big_reg
                    and not big_reg.get("aborted")):
                db = "bench_big_chain"       # what section 2 registered
                how = "registered by section 2"
            elif shape == "chain" and nrevs == ARGS.chain and "register_small" in results:
                create_db(db, "bench_chain")
                how = "registered by section 1"
            else:
                create_db(db)
                load_graph(db, workload.chain_graph(nrevs) if shape == "chain"
                           else workload.dag_graph(nrevs))
            mark_fail_first_steps(db)
            count = sql(db, "SELECT count(*) FROM schemamig.revision", fetch=True)[0][0]
            out.append({"shape": shape, "n": count, "how": how, "load": loadavg(),
                        "ops": graph_ops(db, count)})
            drop_db(db)
    results["graph"] = out


# ---------------------------------------------------------------------------
# 4. Runner overhead per revision
# ---------------------------------------------------------------------------

def section_overhead(results):
    """mig_upgrade('head') + mig_downgrade('base') over chains of revisions
    whose SQL is 'SELECT 1': what the runner itself costs per revision
    (fetch, parse, checks, version table, history), and whether that stays
    flat as one transaction runs more revisions."""
    out = []
    for n in ARGS.overhead_sizes:
        log("== runner overhead: %d revisions of SELECT 1 (load %s)" % (n, loadavg()))
        create_db("bench_overhead")
        load_graph("bench_overhead", workload.chain_graph(n), body="SELECT 1")
        sql("bench_overhead", "VACUUM ANALYZE schemamig.revision")
        conn = connect("bench_overhead")
        cur = conn.cursor()
        cur.execute("SET schemamig.progress = off")
        row = {"n": n}
        for name, q in (("upgrade", "SELECT count(*) FROM mig_upgrade('head')"),
                        ("downgrade", "SELECT count(*) FROM mig_downgrade('base')"),
                        ("plpgsql", "DO $$ BEGIN FOR i IN 1..%d LOOP EXECUTE 'SELECT 1'; "
                                    "END LOOP; END $$" % n)):
            cur.execute("SELECT * FROM bench_time(%s, 1, false, false)", (q,))
            row[name + "_ms"] = cur.fetchone()[0]
        conn.close()
        drop_db("bench_overhead")
        log("     upgrade %.0f ms, downgrade %.0f ms, PL/pgSQL loop %.0f ms" % (
            row["upgrade_ms"], row["downgrade_ms"], row["plpgsql_ms"]))
        out.append(row)
    results["overhead"] = out


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def targets(results):
    """The targets of the brief, each as (what, value, met).  Informative:
    nothing fails on them."""
    t = []
    if "chain" in results:
        rows = {r["tool"]: r for r in results["chain"]["rows"]}
        s = rows.get(SCHEMAMIG)
        if s and "ratio" in s:
            t.append(("chain: schemamig time <= 0.90 x floor", "%.2f" % s["ratio"],
                      s["ratio"] <= 0.90))
            if s.get("hwm_kb_ratio"):
                t.append(("chain: schemamig backend VmHWM within 10% of floor",
                          "%.2f" % s["hwm_kb_ratio"], s["hwm_kb_ratio"] <= 1.10))
            if s.get("anon_kb_ratio"):
                t.append(("chain: schemamig peak RssAnon within 10% of floor",
                          "%.2f" % s["anon_kb_ratio"], s["anon_kb_ratio"] <= 1.10))
    if "register_small" in results:
        r = results["register_small"]
        t.append(("register %d: < 0.3 s" % r["n"], "%.3f s" % r["seconds"],
                  r["seconds"] < 0.3))
    if "register_big" in results:
        r = results["register_big"]
        if r["aborted"]:
            pred = r.get("fit", {}).get("predicted_s")
            t.append(("register %d: < 60 s" % r["n"],
                      "cancelled after %.0f s at %d; fit predicts %s" % (
                          r["seconds"], r["points"][-1]["n"] if r["points"] else 0,
                          "%.0f s" % pred if pred else "?"), False))
        else:
            t.append(("register %d: < 60 s" % r["n"], "%.1f s" % r["seconds"],
                      r["seconds"] < 60))
    if "graph" in results:
        for g in results["graph"]:
            for o in g["ops"]:
                if "stamp" in o["op"] or o["op"].startswith("read the rows"):
                    continue
                if g["n"] <= 2000:
                    t.append(("%s %d: %s < 5 ms" % (g["shape"], g["n"], o["op"]),
                              "%.2f ms" % o["avg_ms"], o["avg_ms"] < 5))
                elif o["op"].startswith("plan") or o["op"].startswith("mig_heads"):
                    t.append(("%s %d: %s < 200 ms" % (g["shape"], g["n"], o["op"]),
                              "%.1f ms" % o["avg_ms"], o["avg_ms"] < 200))
    return t


def report(results):
    lines = []
    w = lines.append
    info = results["info"]
    w("# schemamig benchmark run")
    w("")
    w("%s; %s; %d cores; PostgreSQL %s; mode %s; load average at start %s" % (
        info["date"], info["host"], info["cores"], info["server_version"], info["mode"],
        info["load"]))
    w("")
    if "chain" in results:
        c = results["chain"]
        w("## 1. Chain of %d revisions: upgrade, then downgrade" % c["n"])
        w("")
        w("First three rows: median of %d interleaved runs; the others: one run. "
          "Memory: the larger of the upgrade and the downgrade session. "
          "Load average before/after: %s / %s." % (c["reps"], c["load"][0], c["load"][1]))
        w("")
        w("| tool | upgrade s | downgrade s | total s | ratio | backend VmHWM MB | ratio "
          "| peak RssAnon MB | ratio | backend CPU s | ratio |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

        def rt(r, k):
            return "%.2f" % r[k] if r.get(k) else "n/a"
        for r in c["rows"]:
            if "skipped" in r:
                w("| %s | %s | | | | | | | | | |" % (r["tool"], r["skipped"]))
                continue
            w("| %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %s | %s | %s | %s |" % (
                r["tool"], r["up_s"], r["down_s"], r["seconds"], r["ratio"],
                fmt_mb(r.get("hwm_kb")), rt(r, "hwm_kb_ratio"),
                fmt_mb(r.get("anon_kb")), rt(r, "anon_kb_ratio"),
                "%.2f" % r["cpu_s"] if r.get("cpu_s") else "n/a", rt(r, "cpu_s_ratio")))
        w("")
        w("Every run's total seconds: " + "; ".join(
            "%s %s" % (r["tool"].split(" (")[0], r.get("all_seconds"))
            for r in c["rows"] if "skipped" not in r))
        w("")
    if "register_small" in results or "register_big" in results:
        w("## 2. Registration (mig_revision calls in one psql -1 file)")
        w("")
        if "register_small" in results:
            r = results["register_small"]
            w("- %d revisions: %.3f s (median; runs %s)" % (
                r["n"], r["seconds"], [round(s["seconds"], 3) for s in r["samples"]]))
        if "register_big" in results:
            r = results["register_big"]
            if r["aborted"]:
                w("- %d revisions: CANCELLED after %.0f s (deadline %d s)%s" % (
                    r["n"], r["seconds"], ARGS.register_deadline,
                    "; t(n) = a n + b n^2 fitted to the marks predicts %.0f s for %d" % (
                        r["fit"]["predicted_s"], r["n"]) if r.get("fit") else ""))
            else:
                w("- %d revisions: %.1f s, backend VmHWM %s MB, peak RssAnon %s MB" % (
                    r["n"], r["seconds"], fmt_mb(r["hwm_kb"]), fmt_mb(r["anon_kb"])))
            w("")
            w("| registered | elapsed s | s for the last %d | VmHWM MB | RssAnon MB |"
              % (r["n"] // 10))
            w("|---:|---:|---:|---:|---:|")
            prev_t = 0.0
            for p in r["points"]:
                w("| %d | %.1f | %.1f | %s | %s |" % (
                    p["n"], p["seconds"], p["seconds"] - prev_t,
                    fmt_mb(p["hwm_kb"]), fmt_mb(p["anon_kb"])))
                prev_t = p["seconds"]
        w("")
    if "graph" in results:
        w("## 3. Graph operations inside the server (ms per call: average / minimum)")
        w("")
        shapes = results["graph"]
        w("| operation | " + " | ".join("%s %d (%s)" % (g["shape"], g["n"], g["how"])
                                       for g in shapes) + " |")
        w("|---|" + "---:|" * len(shapes))
        for i, o in enumerate(shapes[0]["ops"]):
            w("| %s | " % o["op"] + " | ".join(
                "%.2f / %.2f" % (g["ops"][i]["avg_ms"], g["ops"][i]["min_ms"])
                for g in shapes) + " |")
        w("")
        w("Calls per operation: %s. Load average during each: %s." % (
            ", ".join("%s %d: %d" % (g["shape"], g["n"], g["ops"][0]["calls"]) for g in shapes),
            ", ".join(g["load"] for g in shapes)))
        w("")
    if "overhead" in results:
        w("## 4. Runner overhead: chains of revisions whose SQL is `SELECT 1`")
        w("")
        w("One `mig_upgrade('head')`, then one `mig_downgrade('base')`, progress off; "
          "the PL/pgSQL row EXECUTEs `SELECT 1` as often. Flat microseconds per "
          "revision mean the runner's cost is linear in the number of revisions.")
        w("")
        w("| revisions | mig_upgrade ms | us/revision | mig_downgrade ms | us/revision "
          "| PL/pgSQL EXECUTE loop ms |")
        w("|---:|---:|---:|---:|---:|---:|")
        for r in results["overhead"]:
            w("| %d | %.0f | %.0f | %.0f | %.0f | %.1f |" % (
                r["n"], r["upgrade_ms"], 1000 * r["upgrade_ms"] / r["n"],
                r["downgrade_ms"], 1000 * r["downgrade_ms"] / r["n"], r["plpgsql_ms"]))
        w("")
    t = targets(results)
    if t:
        w("## Targets (informative; nothing fails on them)")
        w("")
        w("| target | measured | |")
        w("|---|---|---|")
        for what, val, met in t:
            w("| %s | %s | %s |" % (what, val, "met" if met else "MISSED"))
        w("")
    return "\n".join(lines)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=5530)
    p.add_argument("--user", default="postgres")
    p.add_argument("--pgbin", default="/usr/lib/postgresql/15/bin")
    p.add_argument("--workdir", required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--sections", default="chain,register,graph,overhead")
    p.add_argument("--chain", type=int, help="override the chain size")
    p.add_argument("--big", type=int, help="override the large size")
    p.add_argument("--reps", type=int, help="override the repetitions")
    p.add_argument("--register-deadline", type=int,
                   help="cancel the large registration after this many seconds")
    p.add_argument("--sqitch-max", type=int,
                   help="run at most this many Sqitch changes and scale")
    p.add_argument("--json")
    p.add_argument("--markdown")
    ARGS = p.parse_args()
    ARGS.chain = ARGS.chain or (100 if ARGS.quick else 1000)
    ARGS.big = ARGS.big or (5000 if ARGS.quick else 100000)
    ARGS.reps = ARGS.reps or (1 if ARGS.quick else 3)
    ARGS.register_deadline = ARGS.register_deadline or (20 if ARGS.quick else 90)
    ARGS.overhead_sizes = [ARGS.chain, ARGS.chain * 4, ARGS.chain * 16]
    ARGS.sqitch_max = ARGS.sqitch_max or (20 if ARGS.quick else 50)
    os.makedirs(ARGS.workdir, exist_ok=True)

    results = {"info": {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "host": os.uname().nodename,
        "cores": os.cpu_count(),
        "load": loadavg(),
        "server_version": sql("postgres", "SHOW server_version", fetch=True)[0][0],
        "mode": "quick" if ARGS.quick else "full"}}
    setup_base()
    sections = ARGS.sections.split(",")
    t0 = time.time()

    def save():
        # after every section, so that an interrupted run keeps what it had
        results["info"]["seconds"] = time.time() - t0
        text = report(results)
        if ARGS.json:
            with open(ARGS.json, "w") as f:
                json.dump(results, f, indent=1, default=str)
        if ARGS.markdown:
            with open(ARGS.markdown, "w") as f:
                f.write(text + "\n")
        return text
    for name, fn in (("chain", section_chain), ("register", section_register),
                     ("graph", section_graph), ("overhead", section_overhead)):
        if name in sections:
            fn(results)
            save()
    print(save())
    log("bench.py: %.0f s" % results["info"]["seconds"])


if __name__ == "__main__":
    main()
