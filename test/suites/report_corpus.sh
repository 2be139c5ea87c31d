#!/usr/bin/env bash
# report_corpus.sh -- mig_report() and mig_report_plan() over Ory Kratos' 346
# real revisions, read in place from $SCHEMAMIG_CORPUS/ory-kratos.
#
# The parse-tree walk of the report meets here every statement a real
# project wrote in eight years of migrations.  Registers the history, then:
#  * reports every revision while nothing is applied: each one has the
#    template's sections in order, a risk level, and a changes section that
#    lists something for every revision whose upgrade has statements (two
#    hold comments only);
#  * reports the plan up to the last revision that can run in a
#    transaction, and applies it;
#  * reports every revision again, now that most are applied (live sizes,
#    applied state), and the plan of the rest, whose CREATE INDEX
#    CONCURRENTLY revisions are reported blocked for one transaction;
#  * reports change nothing: the version table and the history are what
#    the upgrade left.
#
# Run by test/run_all.sh with PGHOST, PGPORT, PGUSER, SCHEMAMIG_ROOT and
# SCHEMAMIG_CORPUS set; creates and drops its own database.
SUITE=report_corpus
. "$(cd "$(dirname "$0")" && pwd)/../corpus/lib.sh"
preflight

KDIR=$SCHEMAMIG_CORPUS/ory-kratos
[ -f "$KDIR/manifest.tsv" ] || fail "$KDIR/manifest.tsv not found"
LAST_TX=20260506000000000000		# the parent of the first CREATE INDEX CONCURRENTLY

DB=report_kratos_$$
new_db "$DB"
python3 "$CORPUS_SQL" kratos-register "$KDIR" > "$WORK/register.sql" || fail "could not generate the registration script"
q "$DB" -1 -f "$WORK/register.sql" >/dev/null || fail "registration failed"

# check_reports TABLE: the shape of every report in TABLE (id, report)
check_reports()
{
	local t=$1

	expect_eq "$t: one report per revision" "$(val "$DB" "SELECT count(*) FROM $t")" "346"
	expect_eq "$t: the template's sections, in order" \
		"$(val "$DB" "SELECT count(*) FROM $t WHERE report !~ '^# Migration report: .*\n## Changes\n.*\n## Safety analysis\n.*\n## Testing results\n.*\n## Deployment plan\n.*\n## Risk\n\n\*\*(LOW|MEDIUM|HIGH)\*\*'")" "0"
	expect_eq "$t: a status line in every title block" \
		"$(val "$DB" "SELECT count(*) FROM $t WHERE report !~ '\| Status \| \*\*(ready|needs attention|blocked)\*\*'")" "0"
	expect_eq "$t: every revision with statements lists a change" \
		"$(val "$DB" "SELECT count(*) FROM $t
			WHERE report ~ '\| Statements \| [1-9][0-9]* in the upgrade'
			  AND report ~ '### Tables\n\n- none\n\n### Columns\n\n- none\n\n### Indexes\n\n- none\n\n### Foreign keys\n\n- none\n\n### Other objects\n\n- none\n\n### Data changes\n\n- none'")" "0"
}

T0=$(date +%s.%N)
q "$DB" -c "CREATE TABLE pending_report AS SELECT id, mig_report(id) AS report FROM schemamig.revision ORDER BY seq" \
	>/dev/null || fail "mig_report failed on a pending revision"
log "346 reports, nothing applied: $(elapsed "$T0") s"
check_reports pending_report
log "risk, nothing applied: $(val "$DB" "SELECT string_agg(risk || ' ' || n, ', ' ORDER BY risk) FROM (SELECT substring(report from '## Risk\n\n\*\*([A-Z]+)\*\*') AS risk, count(*) AS n FROM pending_report GROUP BY 1) s")"
expect_eq "the CREATE INDEX CONCURRENTLY revisions are blocked for one transaction" \
	"$(val "$DB" "SELECT bool_and(report ~ '\| Status \| \*\*blocked\*\*') FROM pending_report p JOIN schemamig.revision r USING (id) WHERE r.upgrade ~* 'CREATE (UNIQUE )?INDEX CONCURRENTLY'")" "t"

T0=$(date +%s.%N)
PLAN=$(val "$DB" "SELECT length(mig_report_plan('$LAST_TX'))") || fail "mig_report_plan failed"
log "the plan up to $LAST_TX: $PLAN characters, $(elapsed "$T0") s"
expect_eq "the plan's report names its 344 revisions" \
	"$(val "$DB" "SELECT (SELECT count(*) FROM regexp_matches(mig_report_plan('$LAST_TX'), '\n## Migration report: ', 'g'))")" "344"

q "$DB" -c "SET schemamig.progress = off" -c "SELECT count(*) FROM mig_upgrade('$LAST_TX')" >/dev/null ||
	fail "the upgrade to $LAST_TX failed"
BEFORE=$(val "$DB" "SELECT (SELECT string_agg(revision, ',') FROM schemamig.version) || '/' || (SELECT count(*) FROM schemamig.history)")

q "$DB" -c "CREATE TABLE applied_report AS SELECT id, mig_report(id) AS report FROM schemamig.revision ORDER BY seq" \
	>/dev/null || fail "mig_report failed on an applied revision"
check_reports applied_report
expect_eq "applied revisions say so" \
	"$(val "$DB" "SELECT count(*) FROM applied_report WHERE report ~ '\| State \| applied'")" "344"
expect_eq "the rest's plan report runs" \
	"$(val "$DB" "SELECT mig_report_plan('heads') ~ '## Risk'")" "t"
expect_eq "reports change nothing" \
	"$(val "$DB" "SELECT (SELECT string_agg(revision, ',') FROM schemamig.version) || '/' || (SELECT count(*) FROM schemamig.history)")" "$BEFORE"
