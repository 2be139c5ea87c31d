# Makefile -- PGXS build of the schemamig extension.
#
# make && make install      build and install into the server found by PG_CONFIG
# test/run_all.sh           the whole test suite (see README.md)

EXTENSION = schemamig
MODULE_big = schemamig
OBJS = \
	src/schemamig.o \
	src/graph.o \
	src/sqltext.o \
	src/registry.o \
	src/migration_lock.o \
	src/runner.o \
	src/api_revision.o \
	src/api_run.o \
	src/check.o \
	src/snapshot.o \
	src/verify.o \
	src/api_check.o \
	src/hook.o \
	src/lint.o \
	src/lint_rules.o \
	src/model.o \
	src/diff.o \
	src/api_diff.o \
	src/adopt.o \
	src/report.o

DATA = schemamig--0.1.sql
PGFILEDESC = "schemamig - Alembic-style schema migrations inside PostgreSQL"

REGRESS = setup revision graph targets upgrade errors privileges history offline check verify hook lint_locks lint_types lint_destructive lint_misc lint_enforce lock_safety model diff adopt report
REGRESS_OPTS = --load-extension=plpgsql

ISOLATION = two_runners runner_vs_ddl stale_snapshot out_of_band_deny lock_retry adopt_vs_runner
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation/output_iso

PG_CPPFLAGS = -Isrc -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-sign-compare

EXTRA_CLEAN = results regression.diffs regression.out test/isolation/output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on every header: the build has no automatic
# dependency tracking, and a stale object after a struct change crashes
$(OBJS): $(wildcard src/*.h)
