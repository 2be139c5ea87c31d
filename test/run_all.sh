#!/usr/bin/env bash
#
# test/run_all.sh
#	  The whole test suite of schemamig, against one throwaway PostgreSQL 15
#	  cluster: install what is needed, build (with -Werror) and install the
#	  extension, start the cluster, run every test layer, stop, report.
#
# Usage: test/run_all.sh [--results DIR] [LAYER[:NAME,...]]...
#
#   LAYER is one of (default: all of them, in this order):
#     regress    pg_regress over the Makefile's REGRESS list (sql/, expected/)
#                with its REGRESS_OPTS; one count per test
#     isolation  pg_isolation_regress over the Makefile's ISOLATION list
#                (test/isolation/specs, test/isolation/expected) with its
#                ISOLATION_OPTS; one count per spec
#                (for both: a test without its input file fails without
#                running, one without its expected file runs and fails with
#                its whole output as the diff; the others still run)
#     tap        prove on each test/t/*.pl as the postgres user (the tests make
#                their own clusters with PostgreSQL::Test::Cluster); one count
#                per file
#     suites     each executable test/suites/*.sh; one count per script,
#                exit status 0 = pass
#     difftest   test/alembic/difftest.py (schemamig against Alembic), if
#                present; one count
#   :NAME,...    only these tests of that layer (test name, spec name, or
#                file name without .pl / .sh), e.g.  regress:setup,graph
#
#   --results DIR   where the logs go (default: a new /tmp/schemamig-results.*,
#                   kept after the run)
#   -h, --help      this text
#
#   Environment:
#     SCHEMAMIG_CORPUS          the corpus (default: ../shared/corpus beside
#                               the repository)
#     SCHEMAMIG_TEST_TIMEOUT    seconds one test run may take before it is
#                               killed and counted failed (default 300; the
#                               regress and isolation layers are one run each)
#     SCHEMAMIG_DIFFTEST_TRIALS --trials for difftest.py (default: its own)
#     SCHEMAMIG_DIFF_LINES      lines of regression.diffs to print (default 300)
#     SCHEMAMIG_PG_BIN          PostgreSQL's bin directory (default
#                               /usr/lib/postgresql/15/bin); point it at a
#                               relocated copy of that installation to test
#                               without installing into the system's
#
#   Suites and difftest run as the caller (root), in the repository root,
#   with PGHOST (the socket directory), PGPORT, PGUSER=postgres,
#   PGDATABASE=postgres, SCHEMAMIG_ROOT, SCHEMAMIG_CORPUS, SCHEMAMIG_PG_BIN,
#   SCHEMAMIG_ARTIFACTS (a directory of their own under the results) and
#   PATH starting with PostgreSQL's bin and /usr/bin (Debian's python3).
#   TAP tests run as postgres with SCHEMAMIG_ROOT, SCHEMAMIG_CORPUS,
#   SCHEMAMIG_PG_BIN and what PostgreSQL::Test needs (PATH, PERL5LIB,
#   PG_REGRESS, TESTDIR, TMPDIR); PostgreSQL::Test unsets the PG* variables.
#   SCHEMAMIG_ROOT is a copy of the tree when postgres cannot read the
#   checkout (under /root, say).
#
#   The last line printed is "N passed, N failed".  The exit status is 0 only
#   when nothing failed and at least one test ran.  Setup steps (packages,
#   build, cluster start) are not counted when they work; one that fails is
#   counted as a failed test and ends the run.
#
# Every layer is independent: a failure in one does not stop the others.  The
# cluster (and any cluster a killed TAP test left behind) is stopped and the
# temporary directory removed on exit, Ctrl-C included.
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR/..
source "$ROOT/test/lib/common.sh"

usage()
{
	sed -n '/^# Usage:/,/^# Every layer/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

# --- arguments ------------------------------------------------------------------

ALL_LAYERS=(regress isolation tap suites difftest)
declare -A SELECTED=()		# layer -> 1 when asked for
declare -A ONLY=()			# layer -> "name1,name2" filter ("" = all)
RESULTS=""

while (($# > 0)); do
	case $1 in
		-h | --help) usage; exit 0 ;;
		--results) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; RESULTS=$2; shift ;;
		--results=*) RESULTS=${1#--results=} ;;
		-*) echo "unrecognized option: $1" >&2; usage >&2; exit 2 ;;
		*)
			layer=${1%%:*}
			[[ " ${ALL_LAYERS[*]} " == *" $layer "* ]] ||
				{ echo "unrecognized layer: $layer" >&2; usage >&2; exit 2; }
			SELECTED[$layer]=1
			if [[ $1 == *:* ]]; then
				ONLY[$layer]=${ONLY[$layer]:+${ONLY[$layer]},}${1#*:}
			fi
			;;
	esac
	shift
done
if ((${#SELECTED[@]} == 0)); then
	for layer in "${ALL_LAYERS[@]}"; do SELECTED[$layer]=1; done
fi

TIMEOUT=${SCHEMAMIG_TEST_TIMEOUT:-300}
DIFF_LINES=${SCHEMAMIG_DIFF_LINES:-300}

# --- counting and reporting -------------------------------------------------------

PASSED=0
FAILED=0
FAILED_NAMES=()
NOTES=()			# things worth saying at the end that are not failures

# pass NAME [DETAIL] / fail NAME [DETAIL]: count one test and say so.
pass()
{
	PASSED=$((PASSED + 1))
	printf 'ok      %s%s\n' "$1" "${2:+  ($2)}"
}
fail()
{
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("$1")
	printf 'FAILED  %s%s\n' "$1" "${2:+  ($2)}"
}

# wanted LAYER NAME: is NAME selected by the LAYER:NAME,... filter?
wanted()
{
	local list=${ONLY[$1]:-}

	[[ -z $list || ",$list," == *",$2,"* ]]
}

# --- cleanup ------------------------------------------------------------------------

WORK=""				# private temp dir: cluster, TAP scratch, maybe a tree copy
CLUSTER=""			# $WORK/cluster
CHILD=""			# pid of the running bounded test (a process group leader)
FINISHED=0			# set when every selected layer has run

# On any exit: kill a test still running, stop every cluster under WORK,
# keep the server log, remove WORK, then print the summary as the last line.
finish()
{
	local rc=$?

	trap - EXIT INT TERM
	trap '' INT TERM	# finish the cleanup even if Ctrl-C is pressed again
	if [[ -n $CHILD ]]; then
		kill -TERM -- "-$CHILD" 2>/dev/null || kill -TERM "$CHILD" 2>/dev/null || true
		wait "$CHILD" 2>/dev/null || true
	fi
	if [[ -n $WORK ]]; then
		sm_stop_clusters_under "$WORK"
		if [[ -n $CLUSTER && -f $CLUSTER/postgres.log && -n $RESULTS ]]; then
			cp "$CLUSTER/postgres.log" "$RESULTS/postgres.log" 2>/dev/null || true
		fi
		rm -rf "$WORK"
	fi
	if [[ $FINISHED -eq 0 ]]; then
		fail "run_all (stopped before the end, exit status $rc)"
	fi

	echo
	local note
	for note in "${NOTES[@]}"; do
		echo "note: $note"
	done
	if ((FAILED > 0)); then
		echo "failed tests:"
		printf '    %s\n' "${FAILED_NAMES[@]}"
	fi
	[[ -z $RESULTS ]] || echo "logs: $RESULTS"
	echo "$PASSED passed, $FAILED failed"
	if ((FINISHED == 0 && rc > 0)); then
		exit "$rc"		# interrupted (130, 143) or an error of the harness
	elif ((FAILED > 0 || PASSED == 0)); then
		exit 1
	fi
	exit 0
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# setup_failed STEP LOG: a setup step failed: count it, show its log, stop.
setup_failed()
{
	fail "setup/$1" "log: $2"
	sm_tail "$2" 60
	FINISHED=1		# the stop is explained: no extra failure for it
	exit 1
}

# run_bounded CWD LOG CMD...: run CMD in CWD with no stdin and its output in
# LOG, killed after TIMEOUT seconds; return its exit status (124: timed out).
# It runs in the background under timeout(1), which leads its own process
# group, so that Ctrl-C reaches our trap at once and finish() can kill the
# whole group.
run_bounded()
{
	local cwd=$1 log=$2 rc=0

	shift 2
	(cd "$cwd" && exec timeout -k 10 "$TIMEOUT" "$@") </dev/null >"$log" 2>&1 &
	CHILD=$!
	wait "$CHILD" || rc=$?
	CHILD=""
	if ((rc == 124 || rc == 137)); then
		echo "*** killed after ${TIMEOUT}s (SCHEMAMIG_TEST_TIMEOUT)" >>"$log"
	fi
	return "$rc"
}

# ensure_cluster: before each test, make sure the shared server is up; a
# test that crashed it should not fail the tests after it.
ensure_cluster()
{
	sm_cluster_running "$CLUSTER" && return 0
	NOTES+=("the server was down before $1; restarted it (see postgres.log)")
	sm_cluster_stop "$CLUSTER"
	sm_cluster_start "$CLUSTER" || true
}

# --- setup: packages, build tree, build, cluster ------------------------------------

if [[ -z $RESULTS ]]; then
	RESULTS=$(mktemp -d /tmp/schemamig-results.XXXXXX)
	chmod 0755 "$RESULTS"
fi
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)

# (in a subshell: sm_install_deps exits when it cannot install)
(sm_install_deps) >"$RESULTS/packages.log" 2>&1 || setup_failed packages "$RESULTS/packages.log"
tail -n 1 "$RESULTS/packages.log"

WORK=$(sm_mktemp test)

# The postgres user runs the TAP tests and the server; both may read files
# of the tree and of the corpus.  Use copies when postgres cannot read them
# where they are (a clone under /root, say).
TREE=$ROOT
if ! sm_pg_can_read "$ROOT/Makefile"; then
	sm_log "postgres cannot read $ROOT; testing a copy in $WORK/tree"
	mkdir "$WORK/tree"
	tar -C "$ROOT" --exclude=./.git -cf - . | tar -C "$WORK/tree" -xf -
	chmod -R a+rX "$WORK/tree"
	TREE=$WORK/tree
fi

CORPUS=${SCHEMAMIG_CORPUS:-$ROOT/../shared/corpus}
if [[ -d $CORPUS ]]; then
	CORPUS=$(cd "$CORPUS" && pwd -P)
	if ! sm_as_pg test -r "$CORPUS" -a -x "$CORPUS"; then
		sm_log "postgres cannot read $CORPUS; using a copy in $WORK/corpus"
		cp -a "$CORPUS" "$WORK/corpus"
		chmod -R a+rX "$WORK/corpus"
		CORPUS=$WORK/corpus
	fi
else
	NOTES+=("no corpus at $CORPUS (tests that need it decide what to do)")
fi

sm_log "building with -Werror and installing (log: $RESULTS/build.log)"
sm_build_install "$TREE" >"$RESULTS/build.log" 2>&1 || setup_failed build "$RESULTS/build.log"

CLUSTER=$WORK/cluster
PORT=$(sm_pick_port 55432)
SOCK=$CLUSTER/sock
sm_log "starting PostgreSQL 15 in $CLUSTER (socket $SOCK, port $PORT)"
{
	sm_cluster_init "$CLUSTER" "$PORT" \
		"fsync = off" "synchronous_commit = off" "full_page_writes = off" \
		"max_prepared_transactions = 10" &&
		sm_cluster_start "$CLUSTER"
} >"$RESULTS/cluster.log" 2>&1 || setup_failed cluster "$RESULTS/cluster.log"

# The environment of suites and difftest: libpq's variables for our cluster,
# and where things are.
SUITE_ENV=(
	"PATH=$SM_PG_BIN:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
	"PGHOST=$SOCK" "PGPORT=$PORT" "PGUSER=postgres" "PGDATABASE=postgres"
	"SCHEMAMIG_ROOT=$TREE" "SCHEMAMIG_CORPUS=$CORPUS" "SCHEMAMIG_PG_BIN=$SM_PG_BIN"
)

# --- layers: pg_regress and isolation -----------------------------------------------

# report_pg_regress LAYER LOG DIFFS RC TEST...: count each TEST by the
# status line pg_regress printed for it ("test NAME ... ok"); a test with no
# line did not run (pg_regress gave up) and fails.
report_pg_regress()
{
	local layer=$1 log=$2 diffs=$3 rc=$4 t status rest ms any_failed=0
	local -A got=() took=()

	shift 4
	# PostgreSQL 15 prints "test NAME ... ok   12 ms" (inside a parallel
	# group "     NAME ... ok   12 ms"), and for instance
	# "test NAME ... FAILED (test process exited with exit code 2)   67 ms"
	while IFS='|' read -r t status rest; do
		ms=""
		if [[ $rest =~ ^(.*[^ ])?\ +([0-9]+\ ms)\ *$ ]]; then
			ms=${BASH_REMATCH[2]}
			rest=${BASH_REMATCH[1]}
		fi
		rest=${rest# }
		rest=${rest#(}
		rest=${rest%)}
		got[$t]=$status
		took[$t]="${rest:+$rest, }$ms"
	done < <(sed -nE 's/^(test +| +)([^ ]+) +\.\.\. +(ok|FAILED|failed \(ignored\))(.*)$/\2|\3|\4/p' "$log")

	for t in "$@"; do
		status=${got[$t]:-}
		ms=${took[$t]:-}
		[[ " ${NO_INPUT[*]} " != *" $t "* ]] || status=no-input
		case $status in
			ok) pass "$layer/$t" "$ms" ;;
			no-input)
				if [[ $layer == isolation ]]; then
					fail "$layer/$t" "no specs/$t.spec"
				else
					fail "$layer/$t" "no sql/$t.sql"
				fi
				any_failed=1
				;;
			failed*) pass "$layer/$t" "failed, ignored by the schedule" ;;
			FAILED)
				if [[ " ${NO_EXPECTED[*]} " == *" $t "* ]]; then
					fail "$layer/$t" "no expected/$t.out: its whole output is in the diffs"
				else
					fail "$layer/$t" "$ms"
				fi
				any_failed=1
				;;
			*) fail "$layer/$t" "no result: the driver stopped early, see $log"; any_failed=1 ;;
		esac
	done

	if ((any_failed)); then
		if [[ -s $diffs ]]; then
			echo "    --- $diffs (first $DIFF_LINES lines) ---"
			head -n "$DIFF_LINES" "$diffs" | sed 's/^/    | /'
			echo "    ---"
		fi
		if [[ -s $log && ( ! -s $diffs || $rc -ge 2 ) ]]; then
			sm_tail "$log" 30
		fi
	fi
}

# shadow_inputdir LAYER INPUTDIR TEST...: pg_regress gives up on the whole
# run at a test without an expected file.  When some TEST has none, make a
# stand-in input directory (links to INPUTDIR's contents, and an empty
# expected file for each such test), so that the test runs and fails with
# its whole output as the diff while the others still run.  Sets
# NO_EXPECTED to those tests and SHADOW to the stand-in ("" when every test
# has its file).
NO_EXPECTED=()
NO_INPUT=()
SHADOW=""
shadow_inputdir()
{
	local layer=$1 indir=$2 t f

	shift 2
	NO_EXPECTED=()
	SHADOW=""
	for t in "$@"; do
		[[ -f $indir/expected/$t.out ]] || NO_EXPECTED+=("$t")
	done
	((${#NO_EXPECTED[@]} > 0)) || return 0
	SHADOW=$WORK/$layer-input
	rm -rf "$SHADOW"
	mkdir -p "$SHADOW/expected"
	for f in "$indir"/*; do
		[[ $(basename "$f") == expected ]] || ln -s "$f" "$SHADOW/"
	done
	for f in "$indir"/expected/*; do
		[[ ! -e $f ]] || ln -s "$f" "$SHADOW/expected/"
	done
	for t in "${NO_EXPECTED[@]}"; do
		: >"$SHADOW/expected/$t.out"
	done
}

# run_pg_regress LAYER DRIVER LISTVAR OPTSVAR: run DRIVER (pg_regress or
# pg_isolation_regress) on the tests of the Makefile variable LISTVAR with
# the options of OPTSVAR, against our cluster; output in results/LAYER.
run_pg_regress()
{
	local layer=$1 driver=$2 listvar=$3 optsvar=$4 t f rc=0 indir
	local out=$RESULTS/$layer tests=() run=() opts=() all=()

	read -ra all <<<"$(sm_make_var "$TREE" "$listvar")"
	for t in "${all[@]}"; do
		if wanted "$layer" "$t"; then tests+=("$t"); fi
	done
	# a name the filter asks for that the Makefile does not list: run it too
	if [[ -n ${ONLY[$layer]:-} ]]; then
		local -a extra
		IFS=, read -ra extra <<<"${ONLY[$layer]}"
		for t in "${extra[@]}"; do
			[[ " ${tests[*]} " == *" $t "* ]] || tests+=("$t")
		done
	fi
	if ((${#tests[@]} == 0)); then
		echo "--- $layer: no tests ($listvar is empty)"
		return 0
	fi
	read -ra opts <<<"$(sm_make_var "$TREE" "$optsvar")"
	# the input directory: ".", or the Makefile's last --inputdir
	indir=.
	for t in "${opts[@]}"; do
		[[ $t != --inputdir=* ]] || indir=${t#--inputdir=}
	done
	[[ $indir == /* ]] || indir=$TREE/$indir
	# a test without its input file would also end the driver's run: fail
	# it here and leave it out
	NO_INPUT=()
	for t in "${tests[@]}"; do
		if [[ -f $indir/sql/$t.sql || -f $indir/input/$t.source || -f $indir/specs/$t.spec ]]; then
			run+=("$t")
		else
			NO_INPUT+=("$t")
		fi
	done
	shadow_inputdir "$layer" "$indir" "${run[@]}"
	# an input file the Makefile does not list is never run: say so
	for f in "$indir"/sql/*.sql "$indir"/specs/*.spec; do
		[[ -f $f ]] || continue
		t=$(basename "${f%.*}")
		[[ " ${all[*]} " == *" $t "* ]] ||
			NOTES+=("${f#"$TREE"/} is not in the Makefile's $listvar: not run")
	done

	echo "--- $layer: ${#tests[@]} tests (log: $out/$layer.log)"
	mkdir -p "$out"
	: >"$out/$layer.log"
	rm -f "$out/regression.diffs"
	if ((${#run[@]} > 0)); then
		ensure_cluster "$layer"
		# The Makefile's options first, ours after them so that ours win.
		# No --use-existing: the driver drops and creates its database
		# (contrib_regression, isolation_regression) on our server.
		run_bounded "$TREE" "$out/$layer.log" "$driver" \
			--inputdir=. --bindir="$SM_PG_BIN" "${opts[@]}" \
			${SHADOW:+"--inputdir=$SHADOW"} \
			--outputdir="$out" --host="$SOCK" --port="$PORT" --user=postgres \
			"${run[@]}" || rc=$?
	fi
	report_pg_regress "$layer" "$out/$layer.log" "$out/regression.diffs" "$rc" "${tests[@]}"
}

# --- layer: TAP -----------------------------------------------------------------------

run_tap()
{
	local out=$RESULTS/tap tapdir=$WORK/tap f name rc t0 detail files=() as_pg=()

	for f in "$TREE"/test/t/*.pl; do
		[[ -f $f ]] || continue
		name=$(basename "$f" .pl)
		if wanted tap "$name"; then files+=("$f"); fi
	done
	if ((${#files[@]} == 0)); then
		echo "--- tap: no tests (test/t/*.pl)"
		return 0
	fi
	echo "--- tap: ${#files[@]} files (logs: $out/)"
	mkdir -p "$out"
	mkdir -p "$tapdir/tmp"
	[[ $EUID -ne 0 ]] || { chown -R postgres: "$tapdir"; as_pg=(runuser -u postgres --); }

	for f in "${files[@]}"; do
		name=$(basename "$f" .pl)
		rc=0
		t0=$SECONDS
		run_bounded "$TREE" "$out/$name.log" "${as_pg[@]}" env \
			PATH="$SM_PG_BIN:/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/bin" \
			PERL5LIB="$SM_PG_PERL_LIB" \
			PG_REGRESS="$SM_PG_REGRESS" \
			TESTDIR="$tapdir" TMPDIR="$tapdir/tmp" \
			SCHEMAMIG_ROOT="$TREE" SCHEMAMIG_CORPUS="$CORPUS" \
			SCHEMAMIG_PG_BIN="$SM_PG_BIN" \
			prove -v --timer --nocolor "test/t/$name.pl" || rc=$?
		# a test killed by the timeout leaves its clusters running
		sm_stop_clusters_under "$tapdir"
		# PostgreSQL::Test writes its detailed log to tmp_check/log
		cp -r "$tapdir/tmp_check/log/." "$out/" 2>/dev/null || true
		detail=$(sed -nE 's/^Files=[0-9]+, Tests=([0-9]+),.*/\1 assertions/p' "$out/$name.log" | tail -n 1)
		detail="${detail:+$detail, }$((SECONDS - t0))s"
		if ((rc == 0)); then
			pass "tap/$name" "$detail"
		else
			fail "tap/$name" "$detail, log: $out/$name.log"
			sm_tail "$out/$name.log" 40
			[[ ! -f $out/regress_log_$name ]] || sm_tail "$out/regress_log_$name" 30
		fi
	done
}

# --- layers: suites and difftest -------------------------------------------------------

# run_client_test NAME LOG CMD...: one test that talks to our cluster as a
# client, with SUITE_ENV; exit status 0 passes.
run_client_test()
{
	local name=$1 log=$2 art rc=0 t0

	shift 2
	art=$RESULTS/artifacts/${name//\//_}
	mkdir -p "$art"
	ensure_cluster "$name"
	t0=$SECONDS
	run_bounded "$TREE" "$log" env "${SUITE_ENV[@]}" SCHEMAMIG_ARTIFACTS="$art" "$@" || rc=$?
	if ((rc == 0)); then
		pass "$name" "$((SECONDS - t0))s"
	else
		if ((rc == 124 || rc == 137)); then
			fail "$name" "timed out after ${TIMEOUT}s, log: $log"
		else
			fail "$name" "exit status $rc, log: $log"
		fi
		sm_tail "$log" 40
	fi
}

run_suites()
{
	local out=$RESULTS/suites f name files=()

	for f in "$TREE"/test/suites/*.sh; do
		[[ -f $f ]] || continue
		name=$(basename "$f" .sh)
		wanted suites "$name" || continue
		if [[ -x $f ]]; then
			files+=("$f")
		else
			NOTES+=("test/suites/$name.sh is not executable: not run")
		fi
	done
	if ((${#files[@]} == 0)); then
		echo "--- suites: no tests (executable test/suites/*.sh)"
		return 0
	fi
	echo "--- suites: ${#files[@]} scripts (logs: $out/)"
	mkdir -p "$out"
	for f in "${files[@]}"; do
		name=$(basename "$f" .sh)
		run_client_test "suites/$name" "$out/$name.log" "$f"
	done
}

run_difftest()
{
	local script=test/alembic/difftest.py trials=()

	if [[ ! -f $TREE/$script ]]; then
		echo "--- difftest: no tests ($script is absent)"
		return 0
	fi
	wanted difftest difftest || return 0
	[[ -z ${SCHEMAMIG_DIFFTEST_TRIALS:-} ]] || trials=(--trials "$SCHEMAMIG_DIFFTEST_TRIALS")
	echo "--- difftest: $script (log: $RESULTS/difftest.log)"
	run_client_test difftest "$RESULTS/difftest.log" \
		/usr/bin/python3 "$script" --host "$SOCK" --port "$PORT" --seed 1 "${trials[@]}"
}

# --- run ----------------------------------------------------------------------------------

for layer in "${ALL_LAYERS[@]}"; do
	[[ -n ${SELECTED[$layer]:-} ]] || continue
	case $layer in
		regress) run_pg_regress regress "$SM_PG_REGRESS" REGRESS REGRESS_OPTS ;;
		isolation) run_pg_regress isolation "$SM_PG_ISOLATION_REGRESS" ISOLATION ISOLATION_OPTS ;;
		tap) run_tap ;;
		suites) run_suites ;;
		difftest) run_difftest ;;
	esac
done

# A crash of a backend does not always fail a test: say so if there was one.
if grep -qE 'TRAP:|PANIC:|was terminated by signal' "$CLUSTER/postgres.log" 2>/dev/null; then
	NOTES+=("the server log has crashes (TRAP/PANIC/signal); see postgres.log")
	grep -E 'TRAP:|PANIC:|was terminated by signal' "$CLUSTER/postgres.log" | head -n 10 | sed 's/^/    | /'
fi

FINISHED=1
