#!/usr/bin/env bash
# corpus_sourcegraph.sh -- the revision graph engine on three real, heavily
# merged migration DAGs: Sourcegraph's frontend (340 revisions, 4 heads,
# merges of up to 7 parents), codeintel (33) and codeinsights (32) histories,
# read in place from $SCHEMAMIG_CORPUS/sourcegraph-*-graph/graph.tsv.
#
# Only the structure is in the corpus, so each revision is registered with a
# synthetic body that records it in public.trace (serial seq gives the order):
#   upgrade:   INSERT INTO trace(rev, dir) VALUES ('<id>', 'up')
#   downgrade: INSERT INTO trace(rev, dir) VALUES ('<id>', 'down')
# with the parents exactly as graph.tsv lists them (redundant links kept).
#
# For each graph, in its own database:
#  * mig_heads() equals the heads computed from graph.tsv (no one's parent);
#  * with several heads, mig_upgrade('head') is refused naming every head;
#    upgrading to the heads one at a time (all but the last) runs exactly
#    what each head's ancestry adds, and mig_current() is the heads reached;
#  * mig_upgrade('heads') runs every revision exactly once, each after all its
#    parents; the rows returned are the trace, in order; mig_current() =
#    mig_heads();
#  * mig_downgrade('<revision>') for every revision (each rolled back) runs
#    down exactly the revision's descendants, children first;
#  * mig_downgrade('base') runs every revision down exactly once, each before
#    all its parents; mig_current() is empty; the history has one upgrade and
#    one downgrade per revision.
#
# Run by test/run_all.sh with PGHOST, PGPORT, PGUSER, SCHEMAMIG_ROOT and
# SCHEMAMIG_CORPUS set; creates and drops its own databases.
SUITE=corpus_sourcegraph
. "$(cd "$(dirname "$0")" && pwd)/../corpus/lib.sh"
preflight

export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

# ancestry of every revision through the graph's edges, as a SQL expression:
# anc(id, ancestor) including (id, id)
ANC_CTE="WITH RECURSIVE anc(id, ancestor) AS (
		SELECT id, id FROM corpus_check.rev
	UNION
		SELECT a.id, e.parent FROM anc a JOIN corpus_check.edge e ON e.child = a.ancestor)"

# check_graph NAME EXPECTED_REVISIONS
check_graph() {
	local name=$1 want_n=$2
	local tsv=$SCHEMAMIG_CORPUS/sourcegraph-$name-graph/graph.tsv
	local db=corpus_sg_${name}_$$
	local t n nheads heads out h before

	[ -f "$tsv" ] || fail "$tsv not found"
	t=$(date +%s.%N)
	python3 "$CORPUS_SQL" sg-register "$tsv" >"$WORK/$name.sql" || fail "$name: generating the registration script failed"

	new_db "$db"
	q "$db" -c "CREATE TABLE public.trace (seq serial PRIMARY KEY, rev text NOT NULL,
				dir text NOT NULL CHECK (dir IN ('up', 'down')))" || fail "$name: creating trace failed"
	q "$db" -1 -f "$WORK/$name.sql" >/dev/null || fail "$name: registering the graph failed"
	n=$(val "$db" "SELECT count(*) FROM schemamig.revision")
	expect_eq "$name: registered revisions" "$n" "$want_n"
	expect_eq "$name: revisions in graph.tsv" "$(val "$db" "SELECT count(*) FROM corpus_check.rev")" "$want_n"
	log "$name: registered $n revisions ($(val "$db" "SELECT count(*) FROM corpus_check.edge") parent links, $(val "$db" "SELECT count(*) FROM (SELECT child FROM corpus_check.edge GROUP BY child HAVING count(*) > 1) m") merges) in $(elapsed "$t") s"

	# the parents as registered are the parents of graph.tsv
	expect_empty "$name: parents registered differently from graph.tsv" "$(val "$db" "
		SELECT coalesce(r.child, e.child) || ' ' || coalesce(r.parent, e.parent) FROM
			(SELECT id AS child, unnest(parents) AS parent FROM schemamig.revision) r
		FULL JOIN corpus_check.edge e ON e.child = r.child AND e.parent = r.parent
		WHERE r.child IS NULL OR e.child IS NULL ORDER BY 1")"

	# heads
	expect_empty "$name: mig_heads() vs the heads of graph.tsv (< from mig_heads only, > from graph.tsv only)" "$(val "$db" "
		SELECT CASE WHEN g.id IS NULL THEN '< ' || m.h ELSE '> ' || g.id END
		FROM (SELECT h FROM mig_heads() h) m FULL JOIN corpus_check.head g ON g.id = m.h
		WHERE m.h IS NULL OR g.id IS NULL ORDER BY 1")"
	nheads=$(val "$db" "SELECT count(*) FROM corpus_check.head")
	heads=$(val "$db" "SELECT string_agg(id, ',' ORDER BY id) FROM corpus_check.head")
	log "$name: $nheads head(s): $heads"

	if [ "$nheads" -gt 1 ]; then
		# 'head' with several heads is an error naming them
		if out=$("$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$db" \
			-c "SELECT count(*) FROM mig_upgrade('head')" 2>&1); then
			fail "$name: mig_upgrade('head') succeeded on a graph with $nheads heads"
		fi
		for h in ${heads//,/ }; do
			printf '%s\n' "$out" | grep -q -F "$h" \
				|| fail "$name: the error of mig_upgrade('head') does not name head $h:
$out"
		done
		expect_eq "$name: trace after the refused 'head'" "$(val "$db" "SELECT count(*) FROM trace")" 0
		log "$name: mig_upgrade('head') refused: $(printf '%s\n' "$out" | grep -E '^ERROR' | head -n 1)"

		# all heads but the last one by one: each call runs exactly what the
		# head's ancestry adds, and the current heads are the heads reached
		local visited="" k=0
		for h in ${heads//,/ }; do
			k=$((k + 1))
			[ "$k" -lt "$nheads" ] || break
			visited="$visited${visited:+,}$h"
			t=$(date +%s.%N)
			before=$(val "$db" "SELECT count(*) FROM trace")
			q "$db" -c "SELECT count(*) FROM mig_upgrade('$h')" >/dev/null || fail "$name: mig_upgrade('$h') failed"
			expect_empty "$name: after mig_upgrade('$h'), revisions run vs the ancestries of $visited (< ran but not an ancestor, > ancestor that did not run)" "$(val "$db" "
				$ANC_CTE
				SELECT CASE WHEN a.ancestor IS NULL THEN '< ' || t.rev ELSE '> ' || a.ancestor END
				FROM (SELECT DISTINCT ancestor FROM anc WHERE id = ANY (string_to_array('$visited', ','))) a
				FULL JOIN (SELECT rev FROM trace WHERE dir = 'up') t ON t.rev = a.ancestor
				WHERE a.ancestor IS NULL OR t.rev IS NULL ORDER BY 1")"
			expect_empty "$name: revisions run twice by mig_upgrade('$h')" \
				"$(val "$db" "SELECT rev FROM trace GROUP BY rev HAVING count(*) > 1 ORDER BY 1")"
			expect_eq "$name: mig_current() after mig_upgrade('$h')" \
				"$(val "$db" "SELECT string_agg(c, ',' ORDER BY c) FROM mig_current() c")" "$visited"
			log "$name: mig_upgrade('$h'): $(( $(val "$db" "SELECT count(*) FROM trace") - before )) revisions in $(elapsed "$t") s; current heads $visited"
		done
	fi

	# upgrade to heads
	t=$(date +%s.%N)
	q "$db" -c "CREATE TABLE corpus_check.up_rows AS
				SELECT n::int, revision FROM mig_upgrade('heads') WITH ORDINALITY AS u(revision, message, duration_ms, n)" \
		|| fail "$name: mig_upgrade('heads') failed"
	log "$name: mig_upgrade('heads'): $(val "$db" "SELECT count(*) FROM corpus_check.up_rows") revisions in $(elapsed "$t") s"
	expect_empty "$name: revisions that did not run up exactly once" "$(val "$db" "
		SELECT coalesce(r.id, t.rev) || ': ' || coalesce(t.n, 0) FROM corpus_check.rev r
		FULL JOIN (SELECT rev, count(*) n FROM trace WHERE dir = 'up' GROUP BY rev) t ON t.rev = r.id
		WHERE t.n IS DISTINCT FROM 1 ORDER BY 1")"
	expect_eq "$name: down steps during the upgrade" "$(val "$db" "SELECT count(*) FROM trace WHERE dir = 'down'")" 0
	expect_empty "$name: revisions upgraded before one of their parents (child parent)" "$(val "$db" "
		SELECT e.child || ' ' || e.parent FROM corpus_check.edge e
		JOIN trace c ON c.rev = e.child AND c.dir = 'up'
		JOIN trace p ON p.rev = e.parent AND p.dir = 'up'
		WHERE p.seq > c.seq ORDER BY 1")"
	# the rows returned are the revisions run by this call, in the order run
	expect_empty "$name: rows of mig_upgrade('heads') vs the trace of that call (seq: row | trace)" "$(val "$db" "
		SELECT coalesce(u.n, t.n) || ': ' || coalesce(u.revision, '-') || ' | ' || coalesce(t.rev, '-')
		FROM corpus_check.up_rows u
		FULL JOIN (SELECT row_number() OVER (ORDER BY seq) n, rev FROM
					(SELECT seq, rev FROM trace WHERE dir = 'up' ORDER BY seq DESC
					 LIMIT (SELECT count(*) FROM corpus_check.up_rows)) last) t ON t.n = u.n
		WHERE u.revision IS DISTINCT FROM t.rev ORDER BY coalesce(u.n, t.n)")"
	expect_eq "$name: mig_current() = mig_heads() after upgrading to heads" \
		"$(val "$db" "SELECT string_agg(c, ',' ORDER BY c) FROM mig_current() c")" "$heads"
	expect_eq "$name: mig_heads()" "$(val "$db" "SELECT string_agg(h, ',' ORDER BY h) FROM mig_heads() h")" "$heads"
	expect_eq "$name: mig_history() applied / current / head" \
		"$(val "$db" "SELECT count(*) FILTER (WHERE is_applied) || '/' || count(*) FILTER (WHERE is_current)
					|| '/' || count(*) FILTER (WHERE is_head) FROM mig_history()")" "$want_n/$nheads/$nheads"
	expect_eq "$name: mig_upgrade('heads') again runs nothing" \
		"$(val "$db" "SELECT count(*) FROM mig_upgrade('heads')")" 0

	# downgrade to each revision in turn (each undone by rolling back):
	# exactly the revision's descendants run down, each before its parents,
	# and the revision stays applied
	t=$(date +%s.%N)
	q "$db" -c "CREATE TABLE corpus_check.partial (target text, ran text[], expected text[], order_violations int)" \
		-c "DO \$do\$
	DECLARE
		x text;
		r text[];
		v int;
	BEGIN
		FOR x IN SELECT id FROM corpus_check.rev ORDER BY ord LOOP
			BEGIN
				SELECT array_agg(revision ORDER BY revision) INTO r FROM mig_downgrade(x);
				SELECT count(*) INTO v FROM corpus_check.edge e
					JOIN trace c ON c.rev = e.child AND c.dir = 'down'
					JOIN trace p ON p.rev = e.parent AND p.dir = 'down'
					WHERE p.seq < c.seq;
				RAISE EXCEPTION USING ERRCODE = 'P0042', MESSAGE = 'undo';
			EXCEPTION WHEN SQLSTATE 'P0042' THEN NULL;
			END;
			INSERT INTO corpus_check.partial
			WITH RECURSIVE d(id) AS (SELECT x UNION SELECT e.child FROM d JOIN corpus_check.edge e ON e.parent = d.id)
			SELECT x, r, (SELECT array_agg(id ORDER BY id) FROM d WHERE id <> x), v;
		END LOOP;
	END \$do\$" || fail "$name: downgrading to intermediate revisions failed"
	expect_empty "$name: mig_downgrade(<revision>) ran other revisions than the revision's descendants, or out of order" "$(val "$db" "
		SELECT format('%s: ran %s, descendants %s, %s revisions run down before a child', target, ran, expected, order_violations)
		FROM corpus_check.partial WHERE ran IS DISTINCT FROM expected OR order_violations <> 0")"
	expect_eq "$name: state after the rolled-back intermediate downgrades" \
		"$(val "$db" "SELECT (SELECT string_agg(c, ',' ORDER BY c) FROM mig_current() c) || ' ' || (SELECT count(*) FROM trace WHERE dir = 'down')")" "$heads 0"
	log "$name: mig_downgrade(<revision>) for each of the $(val "$db" "SELECT count(*) FROM corpus_check.partial") revisions ($(val "$db" "SELECT sum(cardinality(ran)) FROM corpus_check.partial") revisions run down, each rolled back) in $(elapsed "$t") s"

	# downgrade to base
	t=$(date +%s.%N)
	q "$db" -c "CREATE TABLE corpus_check.down_rows AS
				SELECT n::int, revision FROM mig_downgrade('base') WITH ORDINALITY AS d(revision, message, duration_ms, n)" \
		|| fail "$name: mig_downgrade('base') failed"
	log "$name: mig_downgrade('base'): $(val "$db" "SELECT count(*) FROM corpus_check.down_rows") revisions in $(elapsed "$t") s"
	expect_empty "$name: revisions that did not run down exactly once" "$(val "$db" "
		SELECT coalesce(r.id, t.rev) || ': ' || coalesce(t.n, 0) FROM corpus_check.rev r
		FULL JOIN (SELECT rev, count(*) n FROM trace WHERE dir = 'down' GROUP BY rev) t ON t.rev = r.id
		WHERE t.n IS DISTINCT FROM 1 ORDER BY 1")"
	expect_empty "$name: revisions downgraded after one of their parents (child parent)" "$(val "$db" "
		SELECT e.child || ' ' || e.parent FROM corpus_check.edge e
		JOIN trace c ON c.rev = e.child AND c.dir = 'down'
		JOIN trace p ON p.rev = e.parent AND p.dir = 'down'
		WHERE p.seq < c.seq ORDER BY 1")"
	expect_empty "$name: rows of mig_downgrade('base') vs the trace (seq: row | trace)" "$(val "$db" "
		SELECT coalesce(d.n, t.n) || ': ' || coalesce(d.revision, '-') || ' | ' || coalesce(t.rev, '-')
		FROM corpus_check.down_rows d
		FULL JOIN (SELECT row_number() OVER (ORDER BY seq) n, rev FROM trace WHERE dir = 'down') t ON t.n = d.n
		WHERE d.revision IS DISTINCT FROM t.rev ORDER BY coalesce(d.n, t.n)")"
	expect_eq "$name: every up before every down in the trace" \
		"$(val "$db" "SELECT (SELECT max(seq) FROM trace WHERE dir = 'up') < (SELECT min(seq) FROM trace WHERE dir = 'down')")" t
	expect_eq "$name: mig_current() after the downgrade" "$(val "$db" "SELECT count(*) FROM mig_current()")" 0
	expect_eq "$name: mig_history() applied after the downgrade" \
		"$(val "$db" "SELECT count(*) FILTER (WHERE is_applied) FROM mig_history()")" 0
	expect_eq "$name: history (direction:count)" \
		"$(val "$db" "SELECT string_agg(direction || ':' || n, ',' ORDER BY direction) FROM
			(SELECT direction, count(*) n FROM schemamig.history GROUP BY direction) s")" \
		"downgrade:$want_n,upgrade:$want_n"
	expect_eq "$name: mig_downgrade('base') again runs nothing" \
		"$(val "$db" "SELECT count(*) FROM mig_downgrade('base')")" 0
	drop_db "$db"
	log "$name: OK"
}

check_graph frontend 340
check_graph codeintel 33
check_graph codeinsights 32
