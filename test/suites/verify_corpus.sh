#!/usr/bin/env bash
# verify_corpus.sh -- mig_verify() over Ory Kratos' 346 real revisions, read
# in place from $SCHEMAMIG_CORPUS/ory-kratos.
#
# Registers the history, verifies the round trip of all 344 revisions that
# can run in a transaction (upgrade, downgrade, schema and data compared,
# upgrade again; rolled back), and checks:
#  * one row per revision, in apply order, every upgrade succeeds;
#  * the round trips the corpus README says cannot work (its downs are not
#    per-revision inverses: e.g. 20191100000001000002 drops a table a later
#    up creates) are reported, not hidden: some rows have downgrade or schema
#    failures with a first difference;
#  * the database is exactly as it was: no version row, no history row, no
#    table in public.
#
# Run by test/run_all.sh with PGHOST, PGPORT, PGUSER, SCHEMAMIG_ROOT and
# SCHEMAMIG_CORPUS set; creates and drops its own database.
SUITE=verify_corpus
. "$(cd "$(dirname "$0")" && pwd)/../corpus/lib.sh"
preflight

KDIR=$SCHEMAMIG_CORPUS/ory-kratos
[ -f "$KDIR/manifest.tsv" ] || fail "$KDIR/manifest.tsv not found"
LAST_TX=20260506000000000000		# the parent of the first CREATE INDEX CONCURRENTLY

DB=verify_kratos_$$
new_db "$DB"
python3 "$CORPUS_SQL" kratos-register "$KDIR" > "$WORK/register.sql" || fail "could not generate the registration script"
q "$DB" -1 -f "$WORK/register.sql" >/dev/null || fail "registration failed"

T0=$(date +%s.%N)
q "$DB" -c "SET schemamig.progress = off" \
	-c "CREATE TABLE verify_result AS SELECT row_number() OVER () AS n, * FROM mig_verify('$LAST_TX')" \
	|| fail "mig_verify failed"
log "mig_verify over the corpus: $(elapsed "$T0") s"

val "$DB" "SELECT n, revision, upgrade_ok, downgrade_ok, schema_restored, data_preserved, left(first_difference, 200) FROM verify_result WHERE NOT upgrade_ok OR n > 80" >&2
expect_eq "rows" "$(val "$DB" "SELECT count(*) FROM verify_result")" "344"
expect_eq "every upgrade succeeds" "$(val "$DB" "SELECT count(*) FROM verify_result WHERE NOT upgrade_ok")" "0"
expect_eq "rows in apply order" \
	"$(val "$DB" "SELECT bool_and(revision = id) FROM verify_result v JOIN (SELECT row_number() OVER (ORDER BY seq) AS n, id FROM schemamig.revision) r USING (n)")" "t"
expect_eq "the known broken round trip of 20191100000001000002 is reported" \
	"$(val "$DB" "SELECT NOT (downgrade_ok AND schema_restored) AND first_difference IS NOT NULL FROM verify_result WHERE revision = '20191100000001000002'")" "t"
expect_eq "database untouched: version table" "$(val "$DB" "SELECT count(*) FROM schemamig.version")" "0"
expect_eq "database untouched: history" "$(val "$DB" "SELECT count(*) FROM schemamig.history")" "0"
expect_eq "database untouched: public holds only the result table" \
	"$(val "$DB" "SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")" "verify_result"
log "$(val "$DB" "SELECT count(*) FILTER (WHERE downgrade_ok AND schema_restored AND data_preserved) || ' of 344 revisions round-trip cleanly, ' || count(*) FILTER (WHERE NOT downgrade_ok) || ' downgrades fail, ' || count(*) FILTER (WHERE downgrade_ok AND NOT schema_restored) || ' leave a different schema' FROM verify_result")"
