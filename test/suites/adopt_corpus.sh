#!/usr/bin/env bash
# adopt_corpus.sh -- mig_adopt_drift() on real DDL: Ory Kratos' migrations
# (read in place from $SCHEMAMIG_CORPUS/ory-kratos) run by hand, outside any
# revision, then adopted into one.
#
#  1. Registers the history in a scratch database and takes the upgrade SQL
#     of every revision before the first CREATE EXTENSION (304 of them: a
#     schema diff never drops an extension, so a derived downgrade could not
#     undo that one; the README says so).
#  2. In a fresh database at base (stamped, so a snapshot of the empty
#     schema exists), runs that SQL with psql: out-of-band DDL, recorded by
#     the hook.  mig_check reports the drift.
#  3. mig_adopt_drift() (verified: its downgrade must reach the snapshot and
#     its upgrade the live schema again) turns it into one revision whose
#     upgrade holds every logged statement; mig_check finds no drift.
#  4. mig_downgrade('base') leaves public empty; mig_upgrade('heads') replays
#     the adopted statements: no drift, and pg_dump --schema-only is
#     byte-identical to the one taken before adopting.
#
# Run by test/run_all.sh with PGHOST, PGPORT, PGUSER, SCHEMAMIG_ROOT and
# SCHEMAMIG_CORPUS set; creates and drops its own databases.
SUITE=adopt_corpus
. "$(cd "$(dirname "$0")" && pwd)/../corpus/lib.sh"
preflight

KDIR=$SCHEMAMIG_CORPUS/ory-kratos
[ -f "$KDIR/manifest.tsv" ] || fail "$KDIR/manifest.tsv not found"

SRC=adopt_kratos_src_$$
new_db "$SRC"
python3 "$CORPUS_SQL" kratos-register "$KDIR" > "$WORK/register.sql" || fail "could not generate the registration script"
q "$SRC" -1 -f "$WORK/register.sql" >/dev/null || fail "registration failed"
q "$SRC" -c "SELECT string_agg(upgrade, E';\n' ORDER BY seq) FROM schemamig.revision
	WHERE seq < (SELECT min(seq) FROM schemamig.revision WHERE upgrade ~* 'CREATE EXTENSION')" \
	> "$WORK/by_hand.sql" || fail "could not extract the upgrade SQL"
N=$(val "$SRC" "SELECT count(*) FROM schemamig.revision
	WHERE seq < (SELECT min(seq) FROM schemamig.revision WHERE upgrade ~* 'CREATE EXTENSION')")
log "$N revisions' upgrade SQL, $(wc -l < "$WORK/by_hand.sql") lines"

# dump DB FILE: the schema of public, without the lines that differ per run
# (\restrict's random key)
dump() {
	"$PG_DUMP" --schema-only --no-owner -n public -d "$1" >"$2.raw" || fail "pg_dump of $1 failed"
	grep -v -E '^\\(restrict|unrestrict) ' "$2.raw" >"$2"
}

DB=adopt_kratos_$$
new_db "$DB"
q "$DB" -c "SELECT mig_stamp('base')" >/dev/null || fail "mig_stamp('base') failed"
T0=$(date +%s.%N)
q "$DB" -f "$WORK/by_hand.sql" >/dev/null 2>"$WORK/by_hand.err" || { cat "$WORK/by_hand.err" >&2; fail "the SQL run by hand failed"; }
log "run by hand: $(elapsed "$T0") s"
dump "$DB" "$WORK/before.sql"
LOGGED=$(val "$DB" "SELECT count(*) FROM schemamig.ddl_log WHERE revision IS NULL")
log "$LOGGED out-of-band DDL statements logged; $(val "$DB" "SELECT count(*) FROM mig_check() WHERE code LIKE 'drift.%'") drift findings"
[ "$LOGGED" -gt 0 ] || fail "nothing was logged"

T0=$(date +%s.%N)
REV=$(val "$DB" "SELECT mig_adopt_drift(message => 'Kratos, run by hand')") || fail "mig_adopt_drift failed"
log "adopted as $REV: $(elapsed "$T0") s"
expect_eq "a revision id" "$([ -n "$REV" ] && echo yes)" "yes"
expect_eq "no drift after adopting" "$(val "$DB" "SELECT count(*) FROM mig_check() WHERE code LIKE 'drift.%'")" "0"
# every statement logged on public, and nothing else (one Kratos statement,
# DROP INDEX IF EXISTS session_devices.unique_session_device, names a schema
# that does not exist and touched nothing)
expect_eq "every logged statement on public is in the upgrade" \
	"$(val "$DB" "SELECT (SELECT count(*) FROM regexp_matches(upgrade, '^-- ddl_log row ', 'gn')) FROM schemamig.revision WHERE id = '$REV'")" \
	"$(val "$DB" "SELECT count(*) FROM schemamig.ddl_log WHERE revision IS NULL AND schemas && ARRAY['public']")"
expect_eq "the version table is at the adopted revision" "$(val "$DB" "SELECT string_agg(r, ',') FROM mig_current() r")" "$REV"
expect_eq "its history row says so" \
	"$(val "$DB" "SELECT direction || ' ' || note FROM schemamig.history WHERE revision = '$REV'")" "stamp adopted drift"

q "$DB" -c "SET schemamig.progress = off" -c "SELECT count(*) FROM mig_downgrade('base')" >/dev/null ||
	fail "the adopted revision's downgrade failed"
expect_eq "the downgrade empties public" \
	"$(val "$DB" "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" "0"
q "$DB" -c "SET schemamig.progress = off" -c "SELECT count(*) FROM mig_upgrade('heads')" >/dev/null 2>"$WORK/replay.err" ||
	{ cat "$WORK/replay.err" >&2; fail "replaying the adopted revision failed"; }
expect_eq "no drift after the replay" "$(val "$DB" "SELECT count(*) FROM mig_check() WHERE code LIKE 'drift.%'")" "0"
dump "$DB" "$WORK/after.sql"
cmp -s "$WORK/before.sql" "$WORK/after.sql" ||
	fail "pg_dump after the replay differs: $(diff "$WORK/before.sql" "$WORK/after.sql" | head -20)"
