#!/usr/bin/env bash
#
# scripts/demo.sh
#	  schemamig in one command: install what is needed, build and install the
#	  extension, start a throwaway PostgreSQL 15 cluster, and run a short
#	  migration session in psql (a base revision, two branches, a merge;
#	  upgrade, history, downgrade).
#
# Usage: scripts/demo.sh [--keep]
#
#   --keep   leave the cluster running afterwards and print how to connect
#            to it and how to remove it
#
# Run as root on Debian 12 (it installs packages with apt-get when any is
# missing, installs the extension, and runs the server as "postgres").  The
# cluster lives in a private directory under /tmp and listens on a unix
# socket there only; it is stopped and removed on exit, whatever the exit.
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR/..
source "$ROOT/test/lib/common.sh"

usage()
{
	sed -n '/^# Usage:/,/^# Run as root/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

KEEP=0
for arg in "$@"; do
	case $arg in
		--keep) KEEP=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
	esac
done

[[ $EUID -eq 0 ]] || sm_die "run me as root (I install packages and the extension, and start the server as postgres)"

# --- cleanup: stop the server and remove the temp dir on any exit ----------

WORK=""			# the temporary directory: cluster, logs
KEPT=0			# set once --keep has handed the cluster over to the user

cleanup()
{
	local rc=$?

	trap - EXIT INT TERM
	if [[ -n $WORK && $KEPT -eq 0 ]]; then
		sm_cluster_stop "$WORK"
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- install, build -----------------------------------------------------------

sm_install_deps

WORK=$(sm_mktemp demo)
sm_log "building and installing the extension (log: $WORK/build.log)"
if ! sm_build_install "$ROOT" >"$WORK/build.log" 2>&1; then
	sm_tail "$WORK/build.log"
	sm_die "the build failed"
fi

# --- the cluster --------------------------------------------------------------

PORT=$(sm_pick_port 55400)
sm_log "starting a throwaway PostgreSQL 15 cluster in $WORK (socket $WORK/sock, port $PORT)"
sm_cluster_init "$WORK" "$PORT" || sm_die "initdb failed"
sm_cluster_start "$WORK" || sm_die "the server did not start"

# --- the demo -----------------------------------------------------------------

sm_log "the demo session (psql echoes each statement before its result)"
echo
# -e echoes each query; the quoted heredoc keeps $$ literal for PostgreSQL.
if ! sm_psql "$WORK" -d postgres -e <<'SQL'
CREATE EXTENSION schemamig;

-- A base revision: it creates a table (downgrade drops it).
SELECT mig_revision(revision  => 'a1b2c3d4e5f6',
                    upgrade   => $$CREATE TABLE account (id bigint PRIMARY KEY, name text NOT NULL)$$,
                    downgrade => $$DROP TABLE account$$,
                    message   => 'create account');

-- Two branches off the base; the second one carries the branch label "audit".
SELECT mig_revision(revision      => 'b2c3d4e5f6a7',
                    down_revision => 'a1b2c3d4e5f6',
                    upgrade       => $$ALTER TABLE account ADD COLUMN email text$$,
                    downgrade     => $$ALTER TABLE account DROP COLUMN email$$,
                    message       => 'add account.email');
SELECT mig_revision(revision      => 'c3d4e5f6a7b8',
                    down_revision => 'a1b2c3d4e5f6',
                    upgrade       => $$CREATE TABLE audit_log (at timestamptz NOT NULL DEFAULT now(), what text)$$,
                    downgrade     => $$DROP TABLE audit_log$$,
                    message       => 'create audit_log',
                    branch_labels => 'audit');

-- Two heads now; a merge revision joins them again.
SELECT * FROM mig_heads();
SELECT mig_merge('b2c3d4e5f6a7,c3d4e5f6a7b8', 'merge') AS merge_revision;
SELECT * FROM mig_heads();

-- Apply everything, then look at the graph and at what it did.
SELECT * FROM mig_upgrade('heads');
SELECT * FROM mig_current();
SELECT * FROM mig_history();
\d account

-- And all the way back down.
SELECT * FROM mig_downgrade('base');
SELECT count(*) AS current_heads FROM mig_current();
SELECT to_regclass('account') AS account_table_after_downgrade;
SQL
then
	echo
	sm_tail "$WORK/postgres.log" 20
	sm_die "the demo session failed (server log above)"
fi
echo

# --- keep or clean up ---------------------------------------------------------

if [[ $KEEP -eq 1 ]]; then
	KEPT=1
	cat <<EOF
The cluster keeps running (--keep).  Connect with:

    $SM_PG_BIN/psql -h $WORK/sock -p $PORT -U postgres postgres

Stop and remove it with:

    runuser -u postgres -- $SM_PG_BIN/pg_ctl -D $WORK/data stop && rm -rf $WORK
EOF
else
	sm_log "demo done; stopping the cluster and removing $WORK"
fi
