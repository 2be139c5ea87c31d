"""
workload.py -- the revision graphs and SQL that the schemamig benchmarks run.

Every tool in bench.py runs exactly the statements produced here, so the
numbers compare runners, not workloads.

The chain workload: revision k (1-based) creates table t_k with a primary
key, a foreign key to t_{k-1} (none for k = 1), a CHECK constraint, an index,
and inserts 10 rows with one INSERT statement each (13 statements); its
downgrade drops t_k.
"""

ROWS_PER_REVISION = 10


def rev_id(k, prefix="a"):
    """A 12-character, Alembic-looking revision id for revision k."""
    return "%s%011x" % (prefix, k)


def upgrade_statements(k):
    """The upgrade statements of chain revision k, without semicolons."""
    fk = " REFERENCES t_%d (id)" % (k - 1) if k > 1 else ""
    stmts = [
        "CREATE TABLE t_%d (id integer PRIMARY KEY, parent_id integer%s, "
        "val integer NOT NULL CHECK (val >= 0), note text)" % (k, fk),
        "CREATE INDEX t_%d_parent_idx ON t_%d (parent_id)" % (k, k),
    ]
    for i in range(1, ROWS_PER_REVISION + 1):
        stmts.append(
            "INSERT INTO t_%d (id, parent_id, val, note) VALUES "
            "(%d, %s, %d, 'row %d of revision %d')"
            % (k, i, i if k > 1 else "NULL", i * k, i, k))
    return stmts


def downgrade_statements(k):
    """The downgrade statements of chain revision k."""
    return ["DROP TABLE t_%d" % k]


def script(stmts):
    """Statements as one SQL text, one statement per line."""
    return "".join(s + ";\n" for s in stmts)


def dollar(s):
    """s as a dollar-quoted SQL literal (the bodies never contain $body$)."""
    assert "$body$" not in s
    return "$body$" + s + "$body$"


def write_floor_files(n, up_path, down_path):
    """The floor: every upgrade statement in order, then every downgrade
    statement in reverse revision order, as two plain SQL files."""
    with open(up_path, "w") as f:
        for k in range(1, n + 1):
            f.write(script(upgrade_statements(k)))
    with open(down_path, "w") as f:
        for k in range(n, 0, -1):
            f.write(script(downgrade_statements(k)))


def registration_call(k):
    """One mig_revision() call registering chain revision k."""
    return "SELECT mig_revision(%s, %s, %s, %s, %s);\n" % (
        "'%s'" % rev_id(k),
        "'%s'" % rev_id(k - 1) if k > 1 else "NULL",
        dollar(script(upgrade_statements(k))),
        dollar(script(downgrade_statements(k))),
        "'create t_%d'" % k)


def write_registration_file(n, path, marks_every=0, mark_cmd=None):
    """A psql file of n mig_revision() calls (a chain).  Every marks_every
    revisions, the psql meta-command mark_cmd(k) is written in between."""
    with open(path, "w") as f:
        for k in range(1, n + 1):
            f.write(registration_call(k))
            if marks_every and mark_cmd and k % marks_every == 0:
                f.write(mark_cmd(k))


def plpgsql_rows(n):
    """Rows (rev, direction, ord, sql) for the throwaway PL/pgSQL runner."""
    for k in range(1, n + 1):
        for i, s in enumerate(upgrade_statements(k)):
            yield (k, "up", i, s)
        for i, s in enumerate(downgrade_statements(k)):
            yield (k, "down", i, s)


# ---------------------------------------------------------------------------
# Alembic
# ---------------------------------------------------------------------------

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s
sqlalchemy.url = driver://set-by-env-py

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %%(levelname)-5.5s [%%(name)s] %%(message)s
"""

ALEMBIC_ENV = '''\
"""env.py of the generated benchmark script directory: online mode,
SQLAlchemy + psycopg2, all revisions in one transaction."""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

engine = create_engine(os.environ["BENCH_ALEMBIC_URL"], poolclass=NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None,
                      transaction_per_migration=False)
    with context.begin_transaction():
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with open(os.environ["BENCH_PIDFILE"], "w") as f:
            f.write("%d\\n" % pid)
        context.run_migrations()
        with open(os.environ["BENCH_STATUSFILE"], "w") as dst:
            for name in ("status", "stat"):
                with open("/proc/%d/%s" % (pid, name)) as src:
                    dst.write(src.read())
'''

ALEMBIC_MAKO = '''\
"""${message}"""
from alembic import op
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    pass


def downgrade():
    pass
'''

ALEMBIC_REVISION = '''\
"""create t_%(k)d

Revision ID: %(rev)s
Revises: %(down)s
"""
from alembic import op

revision = %(rev)r
down_revision = %(down)r
branch_labels = None
depends_on = None

UPGRADE = %(up)r
DOWNGRADE = %(dn)r


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
'''


def write_alembic_dir(n, path):
    """An Alembic 1.8 script directory with n chain revisions."""
    import os
    os.makedirs(os.path.join(path, "versions"), exist_ok=True)
    with open(os.path.join(path, "alembic.ini"), "w") as f:
        f.write(ALEMBIC_INI)
    with open(os.path.join(path, "env.py"), "w") as f:
        f.write(ALEMBIC_ENV)
    with open(os.path.join(path, "script.py.mako"), "w") as f:
        f.write(ALEMBIC_MAKO)
    for k in range(1, n + 1):
        with open(os.path.join(path, "versions", "%s_t_%d.py" % (rev_id(k), k)), "w") as f:
            f.write(ALEMBIC_REVISION % {
                "k": k, "rev": rev_id(k),
                "down": rev_id(k - 1) if k > 1 else None,
                "up": upgrade_statements(k), "dn": downgrade_statements(k)})


# ---------------------------------------------------------------------------
# Sqitch
# ---------------------------------------------------------------------------

def write_sqitch_project(n, path):
    """A Sqitch project with n changes (deploy and revert scripts, each in
    its own transaction as Sqitch's templates write them)."""
    import os
    for sub in ("deploy", "revert"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    with open(os.path.join(path, "sqitch.conf"), "w") as f:
        f.write("[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n"
                "[deploy]\n\tverify = false\n[rebase]\n\tverify = false\n")
    with open(os.path.join(path, "sqitch.plan"), "w") as f:
        f.write("%syntax-version=1.0.0\n%project=schemamig_bench\n\n")
        for k in range(1, n + 1):
            f.write("c%05d 2024-01-01T00:00:00Z Bench <bench@example.com> # create t_%d\n"
                    % (k, k))
    for k in range(1, n + 1):
        with open(os.path.join(path, "deploy", "c%05d.sql" % k), "w") as f:
            f.write("BEGIN;\n" + script(upgrade_statements(k)) + "COMMIT;\n")
        with open(os.path.join(path, "revert", "c%05d.sql" % k), "w") as f:
            f.write("BEGIN;\n" + script(downgrade_statements(k)) + "COMMIT;\n")


# ---------------------------------------------------------------------------
# Graphs for the graph-operation benchmarks
# ---------------------------------------------------------------------------

def chain_graph(n, prefix="c"):
    """(id, parents, labels, depends) of a linear chain of n revisions."""
    for k in range(1, n + 1):
        yield (rev_id(k, prefix), [rev_id(k - 1, prefix)] if k > 1 else [], [], [])


def dag_graph(n, prefix="d"):
    """(id, parents, labels, depends) of a branchy DAG of about n revisions,
    in a valid registration order, with one head.

    Blocks of 8: a fork point F (child of the previous block's merge), three
    branches off F -- A1-A2-A3, B1-B2 (B2 depends_on A1), C1 -- and a merge
    point M over A3, B2 and C1.  Every 100th block's A1 carries a branch
    label.  n is rounded down to a multiple of 8 (at least 8)."""
    blocks = max(1, n // 8)
    k = 0
    prev_merge = None

    def new():
        nonlocal k
        k += 1
        return rev_id(k, prefix)

    for b in range(blocks):
        f = new()
        yield (f, [prev_merge] if prev_merge else [], [], [])
        a1 = new()
        yield (a1, [f], ["lbl%d" % b] if b % 100 == 0 else [], [])
        a2 = new()
        yield (a2, [a1], [], [])
        a3 = new()
        yield (a3, [a2], [], [])
        b1 = new()
        yield (b1, [f], [], [])
        b2 = new()
        yield (b2, [b1], [], [a1])
        c1 = new()
        yield (c1, [f], [], [])
        m = new()
        yield (m, [a3, b2, c1], [], [])
        prev_merge = m
