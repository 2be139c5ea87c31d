#!/usr/bin/env bash
# diff_corpus.sh -- mig_diff over a real history: Ory Kratos' 346 revisions
# ($SCHEMAMIG_CORPUS/ory-kratos, up files in manifest order).  Schema
# "next" runs each revision's SQL; schema "cur" is changed only by the
# statements of mig_diff(cur, next), applied after every revision.  After
# every revision mig_diff(cur, next) must return no rows; every 5 revisions
# and at the last one, pg_dump --schema-only of both schemas must match up
# to the order of columns (the history renames columns, which mig_diff
# turns into a drop and an add with a warning).  All 346 revisions are
# diffed (no sampling); see test/diff/corpus.py.
#
# Run by test/run_all.sh with PGHOST, PGPORT, PGUSER, SCHEMAMIG_ROOT and
# SCHEMAMIG_CORPUS set; creates and drops its own database.
SUITE=diff_corpus
. "$(cd "$(dirname "$0")" && pwd)/../corpus/lib.sh"
preflight
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || fail "python3-psycopg2 is required"

KDIR=$SCHEMAMIG_CORPUS/ory-kratos
[ -f "$KDIR/manifest.tsv" ] || fail "$KDIR/manifest.tsv not found"
DB=diff_corpus_$$
new_db "$DB"

t=$(date +%s.%N)
PGDATABASE=$DB SCHEMAMIG_PG_BIN=$PGBIN /usr/bin/python3 "$SCHEMAMIG_ROOT/test/diff/corpus.py" \
	--dbname "$DB" --kratos "$KDIR" --dump-every 5 >"$WORK/corpus.out" 2>&1
rc=$?
tail -n 1 "$WORK/corpus.out"
if [ $rc -ne 0 ]; then
	head -c 20000 "$WORK/corpus.out" >&2
	fail "mig_diff over the Kratos history failed"
fi
log "done in $(elapsed "$t") s"
