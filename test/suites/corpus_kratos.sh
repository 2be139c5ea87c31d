#!/usr/bin/env bash
# corpus_kratos.sh -- schemamig on a real migration history: Ory Kratos'
# 346 PostgreSQL revisions (linear, real up and down SQL), read in place from
# $SCHEMAMIG_CORPUS/ory-kratos.
#
#  1. register all 346 revisions from one generated file in one transaction
#     (message = name), and again (idempotent: same content is a no-op);
#  2. registration accepts them, but mig_upgrade('head') is refused because
#     of the first revision that cannot run in a transaction block
#     (20260616000000000000, CREATE INDEX CONCURRENTLY, SQLSTATE 25001),
#     naming revision and statement, and leaves the database, the version
#     table and the history untouched;
#  3. upgrade to the last transactional revision (344 revisions), check the
#     rows returned, mig_current(), mig_history() and pg_dump the schema;
#  4. downgrade to base: only the extensions pg_trgm and btree_gin are left
#     in public (corpus README, quirk 4);
#  5. upgrade again: pg_dump is byte-identical to the first one; history has
#     688 upgrades and 344 downgrades;
#  6. the downgrade of 20260703000000000000 (DROP INDEX CONCURRENTLY) is
#     refused the same way;
#  7. in a second database, CALL mig_upgrade_proc() (one commit per revision)
#     over the same 344 revisions: one transaction per revision, the same
#     pg_dump; CALL mig_downgrade_proc('base') back down;
#  8. the offline script of the same upgrade (mig_sql('base', target)), run
#     by psql, gives the same pg_dump and moves the version table;
#  9. as a plain role that owns the database (NOSUPERUSER, granted
#     mig_grant_runner()): register, upgrade, downgrade, upgrade: the same
#     pg_dump (the corpus README verified the chain as such a role).
#
# Run by test/run_all.sh with PGHOST, PGPORT, PGUSER, SCHEMAMIG_ROOT and
# SCHEMAMIG_CORPUS set; creates and drops its own databases.
SUITE=corpus_kratos
. "$(cd "$(dirname "$0")" && pwd)/../corpus/lib.sh"
preflight

KDIR=$SCHEMAMIG_CORPUS/ory-kratos
[ -f "$KDIR/manifest.tsv" ] || fail "$KDIR/manifest.tsv not found"

NOTX1=20260616000000000000		# CREATE INDEX CONCURRENTLY / DROP INDEX CONCURRENTLY
NOTX2=20260703000000000000		# the same, the head
NREVS=346

# Revision SQL is chatty (NOTICEs for IF EXISTS, progress per revision).
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

DB=corpus_kratos_$$
DB2=corpus_kratos_proc_$$
DBREF=corpus_kratos_ref_$$
DB3=corpus_kratos_owner_$$
OWNER=corpus_kratos_owner_$$

# ---------------------------------------------------------------------------
# The manifest and the generated registration script
# ---------------------------------------------------------------------------
t=$(date +%s.%N)
python3 "$CORPUS_SQL" kratos-ids "$KDIR" >"$WORK/ids" || fail "reading the manifest failed"
python3 "$CORPUS_SQL" kratos-register "$KDIR" >"$WORK/register.sql" || fail "generating the registration script failed"
expect_eq "revisions in manifest.tsv" "$(wc -l <"$WORK/ids")" "$NREVS"
expect_eq "the head of manifest.tsv" "$(tail -n 1 "$WORK/ids")" "$NOTX2"
# the target: the parent of the first non-transactional revision
TARGET=$(awk -F'\t' -v id="$NOTX1" '$1 == id { print $2 }' "$KDIR/manifest.tsv")
[ -n "$TARGET" ] || fail "no parent for $NOTX1 in manifest.tsv"
NTX=$(grep -n -x -F "$TARGET" "$WORK/ids" | cut -d: -f1)
expect_eq "position of $TARGET in the chain" "$NTX" 344
head -n "$NTX" "$WORK/ids" >"$WORK/ids_tx"
tac "$WORK/ids_tx" >"$WORK/ids_tx_rev"
log "generated registration script ($(wc -c <"$WORK/register.sql") bytes) in $(elapsed "$t") s; target $TARGET = revision $NTX of $NREVS"

# dump DB FILE: the schema of public, without the lines that differ per run
dump_public() {
	"$PG_DUMP" --schema-only --no-owner -n public -d "$1" >"$2.raw" || fail "pg_dump of $1 failed"
	grep -v -E '^-- Dumped (from|by) |^\\(restrict|unrestrict) ' "$2.raw" >"$2"
}

# public_leftovers DB: objects in public that belong to no extension
public_leftovers() {
	val "$1" "
	SELECT kind || ' ' || name FROM (
		SELECT 'relation' AS kind, c.relname::text AS name, c.oid, 'pg_class'::regclass AS cls
		  FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
		UNION ALL
		SELECT 'type', t.typname::text, t.oid, 'pg_type'::regclass
		  FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace
		UNION ALL
		SELECT 'function', p.oid::regprocedure::text, p.oid, 'pg_proc'::regclass
		  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
		UNION ALL
		SELECT 'operator', o.oid::regoperator::text, o.oid, 'pg_operator'::regclass
		  FROM pg_operator o WHERE o.oprnamespace = 'public'::regnamespace
		UNION ALL
		SELECT 'operator class', oc.opcname::text, oc.oid, 'pg_opclass'::regclass
		  FROM pg_opclass oc WHERE oc.opcnamespace = 'public'::regnamespace
		UNION ALL
		SELECT 'operator family', f.opfname::text, f.oid, 'pg_opfamily'::regclass
		  FROM pg_opfamily f WHERE f.opfnamespace = 'public'::regnamespace
		UNION ALL
		SELECT 'collation', co.collname::text, co.oid, 'pg_collation'::regclass
		  FROM pg_collation co WHERE co.collnamespace = 'public'::regnamespace
	) o
	WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
					  WHERE d.classid = o.cls AND d.objid = o.oid AND d.deptype IN ('e', 'i'))
	ORDER BY 1"
}

# expect_refused WHAT OUTPUT REVISION STATEMENT: a 25001 error naming both
expect_refused() {
	local what=$1 out=$2 rev=$3 stmt=$4
	printf '%s\n' "$out" | grep -q -E '^ERROR: +25001: ' \
		|| fail "$what: no SQLSTATE 25001 error:
$out"
	printf '%s\n' "$out" | grep -E '^ERROR: ' | grep -q -F "\"$rev\"" \
		|| fail "$what: the error does not name revision $rev:
$out"
	printf '%s\n' "$out" | grep -E '^ERROR: ' | grep -q -F "$stmt" \
		|| fail "$what: the error does not name $stmt:
$out"
	printf '%s\n' "$out" | grep -E '^ERROR: ' | grep -q -E 'statement [0-9]+' \
		|| fail "$what: the error does not give the statement number:
$out"
	log "$what: refused as expected: $(printf '%s\n' "$out" | grep -E '^ERROR: ' | head -n 1)"
}

# ---------------------------------------------------------------------------
# 1. Register
# ---------------------------------------------------------------------------
new_db "$DB"
t=$(date +%s.%N)
q "$DB" -1 -f "$WORK/register.sql" >/dev/null || fail "registering the $NREVS revisions failed"
log "registered $NREVS revisions in $(elapsed "$t") s"
expect_eq "registered revisions" "$(val "$DB" "SELECT count(*) FROM schemamig.revision")" "$NREVS"
expect_eq "mig_heads()" "$(val "$DB" "SELECT string_agg(h, ',') FROM mig_heads() h")" "$NOTX2"
expect_eq "mig_current() before any upgrade" "$(val "$DB" "SELECT count(*) FROM mig_current()")" 0
awk -F'\t' '{ printf "%s\t%s\n", $1, $3 }' "$KDIR/manifest.tsv" >"$WORK/names.tsv"
q "$DB" -c "CREATE TEMP TABLE m (id text, name text)" -c "\\copy m FROM pstdin" \
	-c "SELECT m.id FROM m LEFT JOIN schemamig.revision r ON r.id = m.id
		WHERE r.message IS DISTINCT FROM m.name ORDER BY 1" <"$WORK/names.tsv" >"$WORK/names.diff" \
	|| fail "comparing messages with the manifest's names failed"
expect_empty "revisions whose message is not the manifest's name" "$(cat "$WORK/names.diff")"

# ---------------------------------------------------------------------------
# 2. head is refused at run time, and nothing moves
# ---------------------------------------------------------------------------
t=$(date +%s.%N)
if out=$("$PSQL" -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$DB" \
	-c "SELECT count(*) FROM mig_upgrade('head')" 2>&1); then
	fail "mig_upgrade('head') succeeded, but $NOTX1 holds CREATE INDEX CONCURRENTLY:
$out"
fi
expect_refused "mig_upgrade('head')" "$out" "$NOTX1" "CREATE INDEX CONCURRENTLY"
log "  (the refusal came after $(elapsed "$t") s)"
expect_eq "mig_current() after the refused upgrade" "$(val "$DB" "SELECT count(*) FROM mig_current()")" 0
expect_eq "history rows after the refused upgrade" "$(val "$DB" "SELECT count(*) FROM schemamig.history")" 0
expect_empty "objects left in public by the refused upgrade" "$(public_leftovers "$DB")"

# ---------------------------------------------------------------------------
# 3. Upgrade to the last transactional revision
# ---------------------------------------------------------------------------
t=$(date +%s.%N)
q "$DB" -c "SELECT revision FROM mig_upgrade('$TARGET')" >"$WORK/up1" || fail "mig_upgrade('$TARGET') failed"
log "upgrade #1: $(wc -l <"$WORK/up1") revisions in $(elapsed "$t") s (one transaction)"
cmp -s "$WORK/up1" "$WORK/ids_tx" || fail "mig_upgrade('$TARGET') returned other revisions than the first $NTX of the manifest, in order:
$(diff "$WORK/ids_tx" "$WORK/up1" | head -20)"
expect_eq "mig_current() after upgrade #1" "$(val "$DB" "SELECT string_agg(c, ',') FROM mig_current() c")" "$TARGET"
expect_eq "mig_history(): applied | not applied | current | head | applied without applied_at" \
	"$(val "$DB" "SELECT count(*) FILTER (WHERE is_applied) || '|' ||
		string_agg(revision, ',' ORDER BY revision) FILTER (WHERE NOT is_applied) || '|' ||
		string_agg(revision, ',') FILTER (WHERE is_current) || '|' ||
		string_agg(revision, ',') FILTER (WHERE is_head) || '|' ||
		count(*) FILTER (WHERE is_applied AND (applied_at IS NULL OR duration_ms IS NULL))
		FROM mig_history()")" \
	"$NTX|$NOTX1,$NOTX2|$TARGET|$NOTX2|0"
q "$DB" -c "SELECT revision FROM mig_history()" >"$WORK/hist_order" || fail "mig_history() failed"
cmp -s "$WORK/hist_order" "$WORK/ids" || fail "mig_history() is not in registration order:
$(diff "$WORK/ids" "$WORK/hist_order" | head -20)"
expect_eq "history after upgrade #1 (direction:count:transactions)" \
	"$(val "$DB" "SELECT string_agg(direction || ':' || n || ':' || x, ',') FROM
		(SELECT direction, count(*) n, count(DISTINCT xid) x FROM schemamig.history
		 GROUP BY direction ORDER BY direction) s")" "upgrade:$NTX:1"

t=$(date +%s.%N)
dump_public "$DB" "$WORK/dump1"
ntables=$(grep -c '^CREATE TABLE public\.' "$WORK/dump1")
[ "$ntables" -ge 20 ] || fail "the dump after upgrade #1 holds only $ntables tables"
log "pg_dump #1: $ntables tables, $(grep -c '^CREATE INDEX' "$WORK/dump1") indexes, $(wc -l <"$WORK/dump1") lines in $(elapsed "$t") s"
grep -q 'CONSTRAINT unique_session_device UNIQUE' "$WORK/dump1" \
	|| fail "unique_session_device should still exist at $TARGET (corpus README, quirk 2)"

# registering the same file again is a no-op, applied revisions included
t=$(date +%s.%N)
before=$(val "$DB" "SELECT count(*) || ' ' || max(registered_at) || ' ' || max(seq) FROM schemamig.revision")
q "$DB" -1 -f "$WORK/register.sql" >/dev/null || fail "re-registering the same $NREVS revisions failed (must be a no-op)"
expect_eq "revisions after re-registering" \
	"$(val "$DB" "SELECT count(*) || ' ' || max(registered_at) || ' ' || max(seq) FROM schemamig.revision")" "$before"
log "re-registered all $NREVS revisions (no-op) in $(elapsed "$t") s"

# ---------------------------------------------------------------------------
# 4. Downgrade to base
# ---------------------------------------------------------------------------
t=$(date +%s.%N)
q "$DB" -c "SELECT revision FROM mig_downgrade('base')" >"$WORK/down1" || fail "mig_downgrade('base') failed"
log "downgrade to base: $(wc -l <"$WORK/down1") revisions in $(elapsed "$t") s"
cmp -s "$WORK/down1" "$WORK/ids_tx_rev" || fail "mig_downgrade('base') returned other revisions than the $NTX applied ones, newest first:
$(diff "$WORK/ids_tx_rev" "$WORK/down1" | head -20)"
expect_eq "mig_current() after the downgrade" "$(val "$DB" "SELECT count(*) FROM mig_current()")" 0
expect_eq "extensions after the downgrade (name:schema)" \
	"$(val "$DB" "SELECT string_agg(extname || ':' || extnamespace::regnamespace, ',' ORDER BY extname) FROM pg_extension")" \
	"btree_gin:public,pg_trgm:public,plpgsql:pg_catalog,schemamig:public"
expect_empty "objects left in public after the downgrade, other than extension members" "$(public_leftovers "$DB")"
# and the dump of public equals that of a fresh database with the same extensions
new_db "$DBREF"
q "$DBREF" -c "CREATE EXTENSION pg_trgm" -c "CREATE EXTENSION btree_gin" || fail "creating the reference database failed"
dump_public "$DB" "$WORK/dump_base"
dump_public "$DBREF" "$WORK/dump_ref"
cmp -s "$WORK/dump_base" "$WORK/dump_ref" || fail "after the downgrade, public differs from a fresh database with pg_trgm and btree_gin:
$(diff "$WORK/dump_ref" "$WORK/dump_base" | head -30)"
drop_db "$DBREF"

# ---------------------------------------------------------------------------
# 5. Upgrade again: the same schema, byte for byte
# ---------------------------------------------------------------------------
t=$(date +%s.%N)
q "$DB" -c "SELECT revision FROM mig_upgrade('$TARGET')" >"$WORK/up2" || fail "mig_upgrade('$TARGET') #2 failed"
log "upgrade #2: $(wc -l <"$WORK/up2") revisions in $(elapsed "$t") s"
cmp -s "$WORK/up2" "$WORK/ids_tx" || fail "upgrade #2 returned other revisions than the first $NTX of the manifest:
$(diff "$WORK/ids_tx" "$WORK/up2" | head -20)"
dump_public "$DB" "$WORK/dump2"
cmp -s "$WORK/dump1" "$WORK/dump2" || fail "the schema after upgrade #2 differs from the one after upgrade #1:
$(diff "$WORK/dump1" "$WORK/dump2" | head -40)"
log "pg_dump after upgrade #2 is byte-identical to pg_dump #1"

expect_eq "history rows (direction:count:outcomes)" \
	"$(val "$DB" "SELECT string_agg(direction || ':' || n || ':' || o, ',') FROM
		(SELECT direction, count(*) n, string_agg(DISTINCT outcome, '/') o FROM schemamig.history
		 GROUP BY direction ORDER BY direction) s")" "downgrade:$NTX:ok,upgrade:$((2 * NTX)):ok"
expect_empty "revisions not upgraded exactly twice and downgraded once" "$(val "$DB" "
	SELECT coalesce(r.id, h.revision) FROM
		(SELECT id FROM schemamig.revision WHERE id NOT IN ('$NOTX1', '$NOTX2')) r
	FULL JOIN
		(SELECT revision, count(*) FILTER (WHERE direction = 'upgrade') u,
				count(*) FILTER (WHERE direction = 'downgrade') d
		 FROM schemamig.history GROUP BY revision) h ON h.revision = r.id
	WHERE r.id IS NULL OR h.revision IS NULL OR h.u <> 2 OR h.d <> 1 ORDER BY 1")"
expect_eq "mig_history() applied after upgrade #2" \
	"$(val "$DB" "SELECT count(*) FILTER (WHERE is_applied) FROM mig_history()")" "$NTX"

# ---------------------------------------------------------------------------
# 6. The downgrade of the head (DROP INDEX CONCURRENTLY) is refused too
# ---------------------------------------------------------------------------
nhist=$(val "$DB" "SELECT count(*) FROM schemamig.history")
if out=$("$PSQL" -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$DB" \
	-c "BEGIN" -c "SELECT mig_stamp('$NOTX2')" -c "SELECT count(*) FROM mig_downgrade('$TARGET')" \
	-c "COMMIT" 2>&1); then
	fail "mig_downgrade('$TARGET') from $NOTX2 succeeded, but its downgrade holds DROP INDEX CONCURRENTLY:
$out"
fi
expect_refused "mig_downgrade('$TARGET') from $NOTX2" "$out" "$NOTX2" "DROP INDEX CONCURRENTLY"
expect_eq "mig_current() after the refused downgrade (stamp rolled back)" \
	"$(val "$DB" "SELECT string_agg(c, ',') FROM mig_current() c")" "$TARGET"
expect_eq "history rows after the refused downgrade" "$(val "$DB" "SELECT count(*) FROM schemamig.history")" "$nhist"
drop_db "$DB"

# ---------------------------------------------------------------------------
# 7. The per-revision-commit procedures on the same SQL
# ---------------------------------------------------------------------------
new_db "$DB2"
t=$(date +%s.%N)
q "$DB2" -1 -f "$WORK/register.sql" >/dev/null || fail "registering in $DB2 failed"
log "registered $NREVS revisions in a second database in $(elapsed "$t") s"
t=$(date +%s.%N)
q "$DB2" -c "CALL mig_upgrade_proc('$TARGET')" >/dev/null || fail "CALL mig_upgrade_proc('$TARGET') failed"
log "CALL mig_upgrade_proc: $NTX revisions in $(elapsed "$t") s (one commit per revision)"
expect_eq "mig_current() after mig_upgrade_proc" "$(val "$DB2" "SELECT string_agg(c, ',') FROM mig_current() c")" "$TARGET"
expect_eq "history after mig_upgrade_proc (direction:count:transactions)" \
	"$(val "$DB2" "SELECT string_agg(direction || ':' || n || ':' || x, ',') FROM
		(SELECT direction, count(*) n, count(DISTINCT xid) x FROM schemamig.history
		 GROUP BY direction ORDER BY direction) s")" "upgrade:$NTX:$NTX"
q "$DB2" -c "SELECT revision FROM schemamig.history ORDER BY id" >"$WORK/proc_order" || fail "reading the history failed"
cmp -s "$WORK/proc_order" "$WORK/ids_tx" || fail "mig_upgrade_proc ran other revisions than the first $NTX, in order:
$(diff "$WORK/ids_tx" "$WORK/proc_order" | head -20)"
dump_public "$DB2" "$WORK/dump3"
cmp -s "$WORK/dump1" "$WORK/dump3" || fail "the schema after mig_upgrade_proc differs from the one after mig_upgrade:
$(diff "$WORK/dump1" "$WORK/dump3" | head -40)"
log "pg_dump after mig_upgrade_proc is byte-identical to pg_dump #1"

# the procedure refuses the next revision before committing anything of it,
# and the session keeps no migration lock (checked in the same session; the
# same query run while mig_stamp holds the lock shows that it finds it)
LOCKQ="SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
	AND classid = x'5343484D'::int::oid AND objid = x'4D494721'::int::oid AND objsubid = 2"
out=$("$PSQL" -X -q -v VERBOSITY=verbose -At -d "$DB2" -c "CALL mig_upgrade_proc('head')" \
	-c "SELECT 'migration locks held after the CALL: ' || ($LOCKQ)" \
	-c "BEGIN" -c "SELECT count(*) FROM mig_stamp('$TARGET')" \
	-c "SELECT 'migration locks held while stamping: ' || ($LOCKQ)" -c "ROLLBACK" 2>&1)
expect_refused "CALL mig_upgrade_proc('head')" "$out" "$NOTX1" "CREATE INDEX CONCURRENTLY"
printf '%s\n' "$out" | grep -q -x 'migration locks held while stamping: 1' \
	|| fail "the migration lock is not visible in pg_locks while mig_stamp() holds it (wrong lock key?):
$out"
printf '%s\n' "$out" | grep -q -x 'migration locks held after the CALL: 0' \
	|| fail "the session still holds the migration lock after the refused CALL mig_upgrade_proc('head'):
$out"
expect_eq "mig_current() after the refused procedure" "$(val "$DB2" "SELECT string_agg(c, ',') FROM mig_current() c")" "$TARGET"

t=$(date +%s.%N)
q "$DB2" -c "CALL mig_downgrade_proc('base')" >/dev/null || fail "CALL mig_downgrade_proc('base') failed"
log "CALL mig_downgrade_proc: $NTX revisions in $(elapsed "$t") s"
expect_eq "mig_current() after mig_downgrade_proc" "$(val "$DB2" "SELECT count(*) FROM mig_current()")" 0
expect_eq "history after mig_downgrade_proc (direction:count:transactions)" \
	"$(val "$DB2" "SELECT string_agg(direction || ':' || n || ':' || x, ',') FROM
		(SELECT direction, count(*) n, count(DISTINCT xid) x FROM schemamig.history
		 GROUP BY direction ORDER BY direction) s")" "downgrade:$NTX:$NTX,upgrade:$NTX:$NTX"
expect_empty "objects left in public after mig_downgrade_proc" "$(public_leftovers "$DB2")"

# ---------------------------------------------------------------------------
# 8. The offline script (mig_sql, Alembic's --sql) of the same upgrade, run by
#    psql, gives the same schema and moves the version table
# ---------------------------------------------------------------------------
t=$(date +%s.%N)
q "$DB2" -c "SELECT * FROM mig_sql('base', '$TARGET')" >"$WORK/offline.sql" || fail "mig_sql('base', '$TARGET') failed"
q "$DB2" -f "$WORK/offline.sql" >/dev/null || fail "the offline script of mig_sql('base', '$TARGET') failed in psql"
log "mig_sql('base', '$TARGET'): $(wc -l <"$WORK/offline.sql") lines, run by psql, in $(elapsed "$t") s"
expect_eq "mig_current() after the offline script" "$(val "$DB2" "SELECT string_agg(c, ',') FROM mig_current() c")" "$TARGET"
dump_public "$DB2" "$WORK/dump4"
cmp -s "$WORK/dump1" "$WORK/dump4" || fail "the schema after the offline script differs from the one after mig_upgrade:
$(diff "$WORK/dump1" "$WORK/dump4" | head -40)"
log "pg_dump after the offline script is byte-identical to pg_dump #1"
drop_db "$DB2"

# ---------------------------------------------------------------------------
# 9. The same as a database owner that is not a superuser
# ---------------------------------------------------------------------------
new_role "$OWNER"
"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB3\" OWNER \"$OWNER\"" \
	|| fail "could not create database $DB3"
CREATED_DBS+=("$DB3")
q "$DB3" -c "CREATE EXTENSION schemamig" -c "SELECT mig_grant_runner('$OWNER')" >/dev/null \
	|| fail "installing schemamig and granting the runner role failed in $DB3"
t=$(date +%s.%N)
q "$DB3" -U "$OWNER" -1 -f "$WORK/register.sql" >/dev/null || fail "registering as $OWNER failed"
q "$DB3" -U "$OWNER" -c "SELECT count(*) FROM mig_upgrade('$TARGET')" \
	-c "SELECT count(*) FROM mig_downgrade('base')" \
	-c "SELECT count(*) FROM mig_upgrade('$TARGET')" >"$WORK/owner_counts" \
	|| fail "upgrade, downgrade, upgrade as $OWNER (not a superuser) failed"
expect_eq "revisions run as $OWNER (up, down, up)" "$(tr '\n' ' ' <"$WORK/owner_counts")" "$NTX $NTX $NTX "
log "as a non-superuser database owner: register, up, down, up in $(elapsed "$t") s"
expect_eq "roles in the history of $DB3" \
	"$(val "$DB3" "SELECT string_agg(DISTINCT role, ',') FROM schemamig.history")" "$OWNER"
dump_public "$DB3" "$WORK/dump5"
cmp -s "$WORK/dump1" "$WORK/dump5" || fail "the schema built by $OWNER differs from the one built by the superuser:
$(diff "$WORK/dump1" "$WORK/dump5" | head -40)"
log "pg_dump after the non-superuser's upgrade is byte-identical to pg_dump #1"
drop_db "$DB3"
