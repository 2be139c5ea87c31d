#!/usr/bin/python3
"""Differential tests of schemamig's revision graph against Alembic itself.

Generates random revision graphs (seeded, reproducible: linear runs,
branches, merges of 2-4 parents, several bases, branch labels, depends_on
by id and by label) and random command sequences (upgrade / downgrade /
stamp with targets drawn from the whole target grammar, invalid ones
included), runs each command on Alembic (a ScriptDirectory built in memory
over the same revisions, a MigrationContext over an in-memory SQLite
database) and on schemamig, and compares:

  (a) error versus success,
  (b) the revisions run and their direction (the order must respect
      parents and depends_on; whether it is identical to Alembic's is
      counted and reported),
  (c) the version table after the command (and, with --backend graph,
      after every step).

Backends for the schemamig side:

  sql    (default) the extension's contract functions: mig_revision(),
         mig_upgrade(), mig_downgrade(), mig_stamp(), mig_current(),
         mig_heads(); each trial recreates the extension.  Revision SQL
         bodies write to a trace table, so the order and the version table
         before each step can be read back.
  graph  src/graph.c alone, through test/alembic/graphtest.c, compiled
         into a throwaway library and created as a C function from its
         absolute path (needs gcc and pg_config; the server must run on
         this machine).

Usage:
  /usr/bin/python3 test/alembic/difftest.py --host H --port P [--seed S]
      [--trials N] [--backend sql|graph] [--dbname D] [--user U] [-v]

Exits non-zero on any mismatch.  Run with /usr/bin/python3 (Debian's
python3-alembic 1.8 and python3-psycopg2).
"""

import argparse
import collections
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
import warnings
import json

import psycopg2
import psycopg2.extensions
import sqlalchemy as sa
from alembic import util as alembic_util
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.script import revision as alembic_revision
from alembic.script.revision import RevisionError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

logging.getLogger("alembic").setLevel(logging.ERROR)
warnings.simplefilter("ignore")

HEX = "0123456789abcdef"
LABEL_WORDS = ["alpha", "beta", "gamma", "delta", "feat", "fix", "core",
               "lib", "x1", "y2", "ui", "api"]


# ----------------------------------------------------------------------
# random graphs and commands
# ----------------------------------------------------------------------

class Rev:
    """One revision: id, parents, branch labels, depends_on (as written)."""

    def __init__(self, rid, parents, labels, depends):
        self.id = rid
        self.parents = parents
        self.labels = labels
        self.depends = depends

    def __repr__(self):
        return "Rev(%r, %r, labels=%r, depends=%r)" % (
            self.id, self.parents, self.labels, self.depends)


def gen_ids(rng, n):
    """Ids with shared prefixes, short ids and numeric ids mixed in."""
    prefixes = ["".join(rng.choice(HEX) for _ in range(rng.randint(2, 4)))
                for _ in range(3)]
    ids, out = set(), []
    while len(out) < n:
        r = rng.random()
        if r < 0.08:
            rid = "".join(rng.choice(HEX) for _ in range(rng.randint(2, 3)))
        elif r < 0.40:
            rid = rng.choice(prefixes) + "".join(
                rng.choice(HEX) for _ in range(rng.randint(1, 5)))
        elif r < 0.48:
            rid = "".join(rng.choice("0123456789")
                          for _ in range(rng.randint(4, 6)))
        else:
            rid = "".join(rng.choice(HEX) for _ in range(rng.randint(6, 12)))
        if rid not in ids:
            ids.add(rid)
            out.append(rid)
    return out


def gen_graph(rng, n, redundant=True):
    """A random valid graph, in a random topological registration order."""
    ids = gen_ids(rng, n)
    revs = []
    children = collections.defaultdict(int)
    used_labels = set()
    for i, rid in enumerate(ids):
        earlier = [r.id for r in revs]
        heads = [r.id for r in revs if children[r.id] == 0]
        r = rng.random()
        if i == 0 or r < 0.08:
            parents = []
        elif r < 0.26 and len(heads) >= 2:
            k = rng.randint(2, min(4, len(heads)))
            parents = rng.sample(heads, k)
            if redundant and rng.random() < 0.15:
                extra = rng.choice(earlier)
                if extra not in parents:
                    parents[rng.randrange(len(parents))] = extra
        elif rng.random() < 0.7:
            parents = [rng.choice(heads)]
        else:
            parents = [rng.choice(earlier)]
        for p in parents:
            children[p] += 1
        labels = []
        if rng.random() < 0.18:
            for _ in range(1 if rng.random() < 0.85 else 2):
                if rng.random() < 0.8:
                    lab = rng.choice(LABEL_WORDS) + ("" if rng.random() < 0.7
                                                     else str(rng.randint(0, 9)))
                else:
                    lab = "".join(rng.choice(HEX) for _ in range(rng.randint(4, 6)))
                if lab not in used_labels and lab not in ids:
                    used_labels.add(lab)
                    labels.append(lab)
        depends = []
        if earlier and rng.random() < 0.15:
            for _ in range(rng.randint(1, 2)):
                target = rng.choice(revs)
                if target.id in parents:
                    continue
                if target.labels and rng.random() < 0.4:
                    dep = rng.choice(target.labels)
                else:
                    dep = target.id
                if dep not in depends:
                    depends.append(dep)
        revs.append(Rev(rid, parents, labels, depends))

    # a random topological order (parents and dependencies first)
    by_id = {r.id: r for r in revs}
    label_rev = {lab: r.id for r in revs for lab in r.labels}
    need = {r.id: set(r.parents) | {label_rev.get(d, d) for d in r.depends}
            for r in revs}
    placed, order = set(), []
    while len(order) < len(revs):
        ready = [rid for rid in ids if rid not in placed and need[rid] <= placed]
        rid = rng.choice(ready) if rng.random() < 0.5 else ready[0]
        placed.add(rid)
        order.append(by_id[rid])
    return order


def gen_target(rng, revs, allow_relative=True):
    """A target drawn from the whole grammar, unknown names included."""
    ids = [r.id for r in revs]
    labels = [lab for r in revs for lab in r.labels]
    rid = rng.choice(ids)

    def prefix(s):
        return s[:rng.randint(1, len(s))]

    def some_rev():
        return rid if rng.random() < 0.7 else prefix(rid)

    def num():
        return rng.choice([1, 1, 1, 2, 2, 3, 5, 0])

    forms = [  # (weight, form)
        (3, lambda: "head"), (4, lambda: "heads"), (3, lambda: "base"),
        (8, lambda: rid), (3, lambda: prefix(rid)),
        (4, lambda: "+%d" % num()), (5, lambda: "-%d" % num()),
        (3, lambda: "%s+%d" % (some_rev(), num())),
        (3, lambda: "%s-%d" % (some_rev(), num())),
        (1, lambda: "zzzz"), (1, lambda: "nolabel@head"),
        (1, lambda: "nolabel@base"),
        (1, lambda: "%s@head" % rid), (1, lambda: "%s@%s" % (rid, rng.choice(ids))),
    ]
    if labels:
        lab = rng.choice(labels)
        forms += [
            (4, lambda: "%s@head" % lab), (2, lambda: "%s@heads" % lab),
            (2, lambda: "%s@base" % lab), (2, lambda: "%s@%s" % (lab, some_rev())),
            (2, lambda: "%s@+%d" % (lab, num())), (3, lambda: "%s@-%d" % (lab, num())),
            (1, lambda: "%s@%s+%d" % (lab, some_rev(), num())),
            (1, lambda: "%s@%s-%d" % (lab, some_rev(), num())),
            (1, lambda: prefix(lab)),
        ]
    total = sum(w for w, _ in forms)
    pick = rng.uniform(0, total)
    for w, f in forms:
        pick -= w
        if pick <= 0:
            return f()
    return forms[-1][1]()


def gen_commands(rng, revs, n):
    cmds = []
    for i in range(n):
        r = rng.random()
        if i == 0 and r < 0.5:
            cmds.append(("upgrade", rng.choice(["heads", "heads", "+1", "+2"])))
            continue
        cmd = "upgrade" if r < 0.5 else "downgrade" if r < 0.82 else "stamp"
        cmds.append((cmd, gen_target(rng, revs)))
    return cmds


# ----------------------------------------------------------------------
# Alembic
# ----------------------------------------------------------------------

_orig_normalize = alembic_revision.RevisionMap._normalize_depends_on


def _normalize_in_declared_order(self, revisions, map_):
    """Alembic keeps normalized dependencies in a set, whose order (and so
    the order of its topological sort) changes with PYTHONHASHSEED.  Keep
    the same members in declared order, which is what graph.c does."""
    _orig_normalize(self, revisions, map_)
    for rev in revisions:
        kept = set(rev._normalized_resolved_dependencies)
        rev._normalized_resolved_dependencies = tuple(
            d for d in rev._resolved_dependencies if d in kept)


alembic_revision.RevisionMap._normalize_depends_on = _normalize_in_declared_order

class MemScriptDirectory(ScriptDirectory):
    """A ScriptDirectory whose revisions come from memory, in our order."""

    def __init__(self, tmpdir, scripts):
        self._mem_scripts = scripts
        super().__init__(tmpdir)

    def _load_revisions(self):
        return iter(self._mem_scripts)


class AlembicSide:
    """Alembic over an in-memory SQLite database."""

    def __init__(self, revs, tmpdir):
        self.trace = []
        scripts = []
        for r in revs:
            mod = types.ModuleType("rev_" + r.id)
            mod.__doc__ = ""
            mod.down_revision = (None if not r.parents else r.parents[0]
                                 if len(r.parents) == 1 else tuple(r.parents))
            mod.branch_labels = tuple(r.labels) or None
            mod.depends_on = tuple(r.depends) or None
            mod.upgrade = self._fn(r.id, "up")
            mod.downgrade = self._fn(r.id, "down")
            scripts.append(Script(mod, r.id, os.path.join(tmpdir, r.id + ".py")))
        self.script = MemScriptDirectory(tmpdir, scripts)
        self.engine = sa.create_engine("sqlite://")
        self.conn = self.engine.connect()

    def _fn(self, rid, direction):
        def fn():
            self.trace.append((rid, direction))
        return fn

    def heads_bases(self):
        return list(self.script.get_heads()), list(self.script.get_bases())

    def rows(self):
        try:
            return [row[0] for row in self.conn.execute(
                sa.text("SELECT version_num FROM alembic_version"))]
        except sa.exc.OperationalError:
            return []

    def set_rows(self, rows):
        ctx = MigrationContext.configure(connection=self.conn)
        ctx._ensure_version_table()
        self.conn.execute(sa.text("DELETE FROM alembic_version"))
        for v in rows:
            self.conn.execute(sa.text(
                "INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": v})

    def run(self, cmd, target):
        """Returns (outcome, message, steps, final): outcome is 'ok',
        'error' (Alembic raised CommandError / RevisionError) or 'crash'
        (any other exception); steps are (rev, dir, rows after)."""
        before = self.rows()
        self.trace = []
        steps = []

        def on_apply(ctx, step, heads, run_args):
            steps.append(sorted(self.rows()))

        script = self.script
        if cmd == "upgrade":
            def fn(rev, context):
                return script._upgrade_revs(target, rev)
        elif cmd == "downgrade":
            def fn(rev, context):
                return script._downgrade_revs(target, rev)
        else:
            fn = None
        try:
            ctx = MigrationContext.configure(
                connection=self.conn,
                opts={"fn": fn, "on_version_apply": [on_apply],
                      "script": script})
            if cmd == "stamp":
                ctx.stamp(script, target)
            else:
                with ctx.begin_transaction():
                    ctx.run_migrations()
        except (alembic_util.CommandError, RevisionError) as e:
            self.set_rows(before)
            return "error", str(e), [], before
        except Exception as e:  # Alembic bugs: AssertionError, KeyError...
            self.set_rows(before)
            return "crash", "%s: %s" % (type(e).__name__, e), [], before
        run = [(rid, d, rows) for (rid, d), rows in zip(self.trace, steps)]
        return "ok", "", run, self.rows()


# ----------------------------------------------------------------------
# schemamig
# ----------------------------------------------------------------------

class Failure(Exception):
    pass


class SetupError(Exception):
    pass


def build_harness(builddir):
    """Compile graphtest.c + src/graph.c into a shared library."""
    pg_config = shutil.which("pg_config") or "pg_config"
    inc = subprocess.check_output([pg_config, "--includedir-server"]).decode().strip()
    so = os.path.join(builddir, "graphtest.so")
    subprocess.check_call([
        "gcc", "-O2", "-fPIC", "-shared", "-I" + inc,
        "-I" + os.path.join(ROOT, "src"),
        "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
        "-Wno-missing-field-initializers", "-Wno-sign-compare",
        "-o", so, os.path.join(HERE, "graphtest.c"),
        os.path.join(ROOT, "src", "graph.c")])
    os.chmod(builddir, 0o755)
    os.chmod(so, 0o755)
    return so


class GraphSide:
    """graph.c through the graphtest() harness function."""

    def __init__(self, conn, so):
        self.conn = conn
        with conn.cursor() as cur:
            cur.execute(
                "CREATE OR REPLACE FUNCTION pg_temp.graphtest_plan(text[], text[],"
                " text[], text[], text, text, text[]) RETURNS text"
                " AS %s, 'graphtest_plan' LANGUAGE C", (so,))

    def load(self, revs):
        self.arrays = ([r.id for r in revs],
                       [",".join(r.parents) for r in revs],
                       [",".join(r.labels) for r in revs],
                       [",".join(r.depends) for r in revs])
        self.current = []
        return self._call("info", None)

    def _call(self, cmd, target):
        with self.conn.cursor() as cur:
            cur.execute("SELECT pg_temp.graphtest_plan(%s, %s, %s, %s, %s, %s, %s::text[])",
                        self.arrays + (cmd, target, self.current))
            return json.loads(cur.fetchone()[0])

    def heads_bases(self, info):
        return info["heads"], info["bases"]

    # graph.c sees the rows in the order given; Alembic's "-1" with several
    # heads starts from the first row, so we hand it Alembic's row order.
    exact_row_order = True

    def set_rows(self, rows):
        self.current = list(rows)

    def run(self, cmd, target):
        try:
            res = self._call(cmd, target)
        except psycopg2.Error as e:
            return "error", "%s %s" % (e.pgcode, e.pgerror.strip()), [], self.current
        steps = [(rid, d, sorted(h)) for rid, d, h in res["steps"]]
        self.current = res["final"]
        return "ok", "", steps, self.current


class SqlSide:
    """The extension's contract functions."""

    exact_row_order = False

    def __init__(self, conn):
        self.conn = conn

    def _exec(self, sql, args=None):
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else None

    def load(self, revs):
        try:
            self._exec("DROP EXTENSION IF EXISTS schemamig CASCADE")
            self._exec("CREATE EXTENSION schemamig")
        except psycopg2.Error as e:
            raise SetupError("cannot (re)create the extension: %s" % e.pgerror)
        self._exec("DROP TABLE IF EXISTS public.difftest_trace")
        self._exec("CREATE TABLE public.difftest_trace (seq serial, rev text,"
                   " dir text, heads text[])")
        for r in revs:
            body = ("INSERT INTO public.difftest_trace (rev, dir, heads) SELECT"
                    " '%s', '%%s', coalesce((SELECT array_agg(h ORDER BY h)"
                    " FROM mig_current() h), '{}')" % r.id)
            self._exec(
                "SELECT mig_revision(%s, %s, %s, %s, NULL, %s, %s)",
                (r.id, ",".join(r.parents) or None, body % "up", body % "down",
                 ",".join(r.labels) or None, ",".join(r.depends) or None))
        return {"heads": [x[0] for x in self._exec("SELECT * FROM mig_heads()")]}

    def heads_bases(self, info):
        return info["heads"], None

    def current(self):
        return sorted(x[0] for x in self._exec("SELECT * FROM mig_current()"))

    def set_rows(self, rows):
        # Put the version table where Alembic's is (after an Alembic crash).
        # Stamps cannot build every table (a row and its ancestor), so write
        # the extension's table directly; this is test-only knowledge.
        try:
            self._exec("BEGIN")
            self._exec("DELETE FROM schemamig.version")
            for v in rows:
                self._exec("INSERT INTO schemamig.version (revision) VALUES (%s)", (v,))
            self._exec("COMMIT")
        except psycopg2.Error:
            self._exec("ROLLBACK")
            self._exec("SELECT * FROM mig_stamp('base')")
            for v in rows:
                self._exec("SELECT * FROM mig_stamp(%s)", (v,))
        if self.current() != sorted(rows):
            raise Failure("cannot set the version table to %r" % (rows,))

    def run(self, cmd, target):
        self._exec("TRUNCATE public.difftest_trace")
        fn = {"upgrade": "mig_upgrade", "downgrade": "mig_downgrade",
              "stamp": "mig_stamp"}[cmd]
        try:
            rows = self._exec("SELECT * FROM %s(%%s)" % fn, (target,))
        except psycopg2.Error as e:
            return "error", "%s %s" % (e.pgcode, e.pgerror.strip()), [], self.current()
        final = self.current()
        trace = self._exec("SELECT rev, dir, heads FROM public.difftest_trace ORDER BY seq")
        if cmd != "stamp" and [r[0] for r in rows] != [t[0] for t in trace]:
            raise Failure("%s(%r) returned %r but ran %r"
                          % (fn, target, [r[0] for r in rows], trace))
        # each body saw the table before its step: shift by one
        steps = []
        for i, (rid, d, _) in enumerate(trace):
            after = trace[i + 1][2] if i + 1 < len(trace) else final
            steps.append((rid, d, sorted(after)))
        return "ok", "", steps, final


# ----------------------------------------------------------------------
# comparison
# ----------------------------------------------------------------------

def deps_of(revs):
    """rev id -> ids it needs (parents and resolved depends_on)."""
    label_rev = {lab: r.id for r in revs for lab in r.labels}
    return {r.id: set(r.parents) | {label_rev.get(d, d) for d in r.depends}
            for r in revs}


def order_ok(steps, need):
    """Does the run respect parents and depends_on?"""
    pos = {rid: i for i, (rid, _, _) in enumerate(steps)}
    for rid, d, _ in steps:
        for p in need[rid]:
            if p in pos:
                if d == "up" and pos[p] > pos[rid]:
                    return False
                if d == "down" and pos[p] < pos[rid]:
                    return False
    return True


class Stats:
    def __init__(self):
        self.c = collections.Counter()
        self.mismatches = []

    def mismatch(self, kind, detail):
        self.c["mismatch"] += 1
        self.c["mismatch:" + kind] += 1
        self.mismatches.append((kind, detail))


def run_trial(seed, args, side, stats, tmpdir):
    rng = random.Random(seed)
    n = rng.randint(1, args.max_revs)
    revs = gen_graph(rng, n)
    if args.backend == "graph" and rng.random() < 0.25:
        # any registration order (the registry keeps a replaced revision's
        # place, so children may come before their parents)
        rng.shuffle(revs)
    cmds = gen_commands(rng, revs, rng.randint(3, args.commands))
    need = deps_of(revs)
    ctx = "seed=%d graph=%r" % (seed, revs)

    al = AlembicSide(revs, tmpdir)
    info = side.load(revs)
    a_heads, a_bases = al.heads_bases()
    o_heads, o_bases = side.heads_bases(info)
    if not side.exact_row_order:
        a_heads, o_heads = sorted(a_heads), sorted(o_heads)
    if a_heads != o_heads or (o_bases is not None and a_bases != o_bases):
        stats.mismatch("heads", "%s\n  alembic heads=%r bases=%r\n  ours heads=%r bases=%r"
                       % (ctx, a_heads, a_bases, o_heads, o_bases))
        return
    stats.c["trials"] += 1

    history = []
    for cmd, target in cmds:
        rows_before = al.rows()
        if side.exact_row_order:
            side.set_rows(rows_before)
        a = al.run(cmd, target)
        o = side.run(cmd, target)
        a = a[:3] + (sorted(a[3]),)
        o = o[:3] + (sorted(o[3]),)
        if (not side.exact_row_order and cmd == "downgrade"
                and re.fullmatch(r"-\d+", target) and len(rows_before) > 1):
            # Alembic walks down from the first version table row (and
            # warns that this is ambiguous); row order is not kept here.
            stats.c["skipped-ambiguous"] += 1
            if a[0] == "ok":
                side.set_rows(a[3])
            else:
                al.set_rows(o[3])
            continue
        stats.c["commands"] += 1
        stats.c["alembic:" + a[0]] += 1
        history.append((cmd, target, a[0], a[1], o[0], o[1]))
        where = "%s\n  commands so far: %s\n  now: %s(%r)" % (
            ctx, "\n    ".join(repr(h) for h in history[:-1]), cmd, target)
        if a[0] == "crash":
            if args.verbose > 2:
                print("alembic crash: %s(%r): %s | ours: %s %s"
                      % (cmd, target, a[1][:80], o[0], o[1][:160].replace("\n", " ")))
            # Alembic failed with an internal error; ours must still run a
            # valid order, then both sides continue from our version table.
            if o[0] == "ok":
                if not order_ok(o[2], need):
                    stats.mismatch("order-after-alembic-crash",
                                   "%s\n  ours=%r" % (where, o[2]))
                    return
                al.set_rows(o[3])
                stats.c["alembic-crash-ours-ok"] += 1
            else:
                stats.c["alembic-crash-ours-error"] += 1
            continue
        if a[0] != o[0]:
            stats.mismatch("outcome", "%s\n  alembic: %s %s\n  ours: %s %s"
                           % (where, a[0], a[1], o[0], o[1]))
            return
        if a[0] == "error":
            if args.verbose > 2:
                print("both error: %s(%r): %s | ours: %s"
                      % (cmd, target, a[1][:70], o[1][:120].replace("\n", " ")))
            continue
        a_run = [(r, d) for r, d, _ in a[2]]
        o_run = [(r, d) for r, d, _ in o[2]]
        if sorted(a_run) != sorted(o_run):
            stats.mismatch("revisions", "%s\n  alembic=%r\n  ours=%r"
                           % (where, a_run, o_run))
            return
        if not order_ok(o[2], need):
            stats.mismatch("order", "%s\n  ours=%r" % (where, o_run))
            return
        if a_run == o_run:
            stats.c["order-identical"] += 1
            if [h for _, _, h in a[2]] != [h for _, _, h in o[2]]:
                stats.mismatch("step-heads", "%s\n  alembic=%r\n  ours=%r"
                               % (where, a[2], o[2]))
                return
        else:
            stats.c["order-different"] += 1
            if args.verbose > 1:
                print("order differs: %s\n  alembic=%r\n  ours=%r"
                      % (where, a_run, o_run))
        if a[3] != o[3]:
            stats.mismatch("version-table", "%s\n  alembic=%r\n  ours=%r"
                           % (where, a[3], o[3]))
            return
        if a_run:
            stats.c["commands-with-steps"] += 1


# Invalid graphs and the error graph.c must raise for each (--backend graph
# only: through SQL, the registry rejects most of them before graph.c).
R = Rev
GRAPH_ERRORS = [
    ([R("a1", [], [], []), R("a1", [], [], [])], "42710", r'duplicate revision "a1"'),
    ([R("a-1", [], [], [])], "22023", r'invalid revision id "a-1"'),
    ([R("x:y", [], [], [])], "22023", r'invalid revision id "x:y"'),
    ([R("base", [], [], [])], "22023", r'invalid revision id "base"'),
    ([R("a1", [], ["x@y"], [])], "22023", r'invalid branch label "x@y" in revision "a1"'),
    ([R("a1", [], ["heads"], [])], "22023", r'invalid branch label "heads"'),
    ([R("a1", [], ["a1"], [])], "42710", r'branch label "a1" of revision "a1" is already used as a revision id'),
    ([R("a1", [], ["l"], []), R("b2", [], ["l"], [])], "42710",
     r'branch label "l" of revision "b2" is already used by revision "a1"'),
    ([R("a1", [], ["l", "l"], [])], "42710", r'revision "a1" declares branch label "l" more than once'),
    ([R("a1", ["zz"], [], [])], "42704", r'parent revision "zz" of revision "a1" not found'),
    ([R("a1", ["a1"], [], [])], "42P17", r'revision "a1" cannot be its own parent'),
    ([R("a1", [], [], []), R("b2", ["a1", "a1"], [], [])], "42P17",
     r'revision "b2" lists parent "a1" more than once'),
    ([R("a1", [], [], ["zzzz"])], "42704", r'depends_on revision "zzzz" of revision "a1" not found'),
    ([R("abcd1", [], [], []), R("abcd2", [], [], []), R("c3", [], [], ["abcd"])], "22023",
     r'depends_on prefix "abcd" of revision "c3" is ambiguous'),
    ([R("a1", [], [], ["a1"])], "42P17", r'revision "a1" cannot depend on itself'),
    ([R("a1", [], ["me"], ["me"])], "42P17", r'revision "a1" cannot depend on itself'),
    ([R("a1", [], [], ["c3"]), R("b2", ["a1"], [], []), R("c3", ["b2"], [], [])], "42P17",
     r'revision graph contains a cycle\nDETAIL:  The cycle is a1 -> c3 -> b2 -> a1,'),
    ([R("a1", ["b2"], [], []), R("b2", [], ["lb"], ["a1"])], "42P17",
     r'revision graph contains a cycle\nDETAIL:  The cycle is a1 -> b2 -> a1,'),
    # valid: a unique prefix and a branch label as depends_on
    ([R("abcd1", [], ["lab"], []), R("c3", [], [], ["abcd"]), R("d4", [], [], ["lab"])], "ok", ""),
]


def check_graph_errors(side, stats):
    for revs, state, pattern in GRAPH_ERRORS:
        stats.c["graph-error-cases"] += 1
        try:
            side.load(revs)
            got, msg = "ok", ""
        except psycopg2.Error as e:
            got, msg = e.pgcode, e.pgerror
        if got != state or (pattern and not re.search(pattern, msg)):
            stats.mismatch("graph-error", "%r\n  expected %s %s\n  got %s %s"
                           % (revs, state, pattern, got, msg))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default=os.environ.get("PGHOST"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("PGPORT", 5432)))
    ap.add_argument("--user", default=os.environ.get("PGUSER", "postgres"))
    ap.add_argument("--dbname", default=os.environ.get("PGDATABASE", "postgres"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trials", type=int, default=600)
    ap.add_argument("--max-revs", type=int, default=18)
    ap.add_argument("--commands", type=int, default=10)
    ap.add_argument("--backend", choices=["sql", "graph"], default="sql")
    ap.add_argument("--show", type=int, default=3,
                    help="mismatches to print in full")
    ap.add_argument("-v", "--verbose", action="count", default=0)
    args = ap.parse_args()

    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user,
                            dbname=args.dbname)
    conn.autocommit = True
    with conn.cursor() as cur:
        # every call commits; nothing here needs to survive a crash
        cur.execute("SET synchronous_commit = off")
    tmpdir = tempfile.mkdtemp(prefix="difftest")
    try:
        if args.backend == "graph":
            side = GraphSide(conn, build_harness(tmpdir))
        else:
            side = SqlSide(conn)
        stats = Stats()
        t0 = time.time()
        if args.backend == "graph":
            check_graph_errors(side, stats)
        for t in range(args.trials):
            seed = args.seed * 1000003 + t
            try:
                run_trial(seed, args, side, stats, tmpdir)
            except SetupError as e:
                print("difftest: %s" % e, file=sys.stderr)
                sys.exit(2)
            except Failure as e:
                if args.verbose:
                    print("seed=%d cut short: %s" % (seed, e))
                stats.c["cut-short"] += 1
            if args.verbose and (t + 1) % 100 == 0:
                print("%d trials, %d mismatches" % (t + 1, stats.c["mismatch"]))
        elapsed = time.time() - t0
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    c = stats.c
    compared = c["order-identical"] + c["order-different"]
    print("difftest (%s backend, seed %d): %d trials, %d commands in %.1fs"
          % (args.backend, args.seed, c["trials"], c["commands"], elapsed))
    if c["graph-error-cases"]:
        print("  invalid graphs checked: %d" % c["graph-error-cases"])
    print("  alembic outcomes: %d ok, %d error, %d internal crash"
          " (ours then: %d ok, %d error)"
          % (c["alembic:ok"], c["alembic:error"], c["alembic:crash"],
             c["alembic-crash-ours-ok"], c["alembic-crash-ours-error"]))
    print("  successful commands compared: %d (%d ran revisions);"
          " order identical to Alembic: %d, different but valid: %d"
          % (compared, c["commands-with-steps"], c["order-identical"],
             c["order-different"]))
    if c["cut-short"]:
        print("  trials cut short (version table could not be resynchronized"
              " after an Alembic crash): %d" % c["cut-short"])
    if c["skipped-ambiguous"]:
        print("  skipped: %d \"downgrade -N\" from several heads (Alembic starts"
              " from the first version table row; row order is not kept)"
              % c["skipped-ambiguous"])
    kinds = sorted(k for k in c if k.startswith("mismatch:"))
    print("  mismatches: %d%s" % (c["mismatch"], (" (" + ", ".join(
        "%s %d" % (k[9:], c[k]) for k in kinds) + ")") if kinds else ""))
    for kind, detail in stats.mismatches[:args.show]:
        print("\nMISMATCH %s: %s" % (kind, detail))
    sys.exit(1 if c["mismatch"] else 0)


if __name__ == "__main__":
    main()
