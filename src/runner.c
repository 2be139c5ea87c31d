/*-------------------------------------------------------------------------
 *
 * runner.c
 *	  Executes a migration plan, one revision at a time.
 *
 * A revision's SQL is split with the server's parser and each statement is
 * run through SPI, with search_path pinned to schemamig.search_path.  SPI
 * keeps the cost of a statement flat however long the transaction grows
 * (top-level statements slow down as a transaction accumulates locks and
 * invalidations).  A failing statement's error keeps its SQLSTATE; its
 * message is prefixed with the revision, the direction, the statement
 * number and the line inside the revision's SQL.  Statements run under
 * schemamig.lock_timeout and are retried when they time out on a lock (see
 * "Lock safety" below).  After the statements, the version table moves to
 * the heads the plan says and a history row is appended, in the same
 * transaction as the revision's changes.
 *
 * IDENTIFICATION
 *	  src/runner.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "runner.h"
#include "schemamig.h"
#include "lint.h"
#include "sqltext.h"

static void check_statements(const char *revision, const char *direction,
							 List *stmts);

const char *mig_running_revision = NULL;
const char *mig_running_direction = NULL;
const char *mig_running_statement = NULL;

/*
 * runner_ids
 *		Map graph indexes to revision ids.
 */
char	  **
runner_ids(const MigGraph *g, const int *idx, int n)
{
	char	  **ids = palloc(sizeof(char *) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		ids[i] = mig_graph_rev(g, idx[i])->id;
	return ids;
}

/*
 * runner_heads_after
 *		The version table after a step: heads_before without the step's
 *		removed rows, plus its added rows.
 */
char	  **
runner_heads_after(const MigGraph *g, const MigStep *step,
				   char **before, int nbefore, int *nafter)
{
	char	  **after = palloc(sizeof(char *) * (nbefore + step->nadded + 1));
	int			n = 0;
	int			i,
				j;

	for (i = 0; i < nbefore; i++)
	{
		bool		removed = false;

		for (j = 0; j < step->nremoved && !removed; j++)
			removed = strcmp(before[i], mig_graph_rev(g, step->removed[j])->id) == 0;
		if (!removed)
			after[n++] = before[i];
	}
	for (j = 0; j < step->nadded; j++)
		after[n++] = mig_graph_rev(g, step->added[j])->id;
	*nafter = n;
	return after;
}

/*
 * runner_check_plan
 *		Refuse, before anything runs, a downgrade that would pass through a
 *		revision whose downgrade was never written; with parse_all, also
 *		every statement that cannot run in a migration.
 *
 * parse_all is for the procedures, which commit as they go: finding such a
 * statement at revision 300 would leave 299 committed.  An atomic call
 * finds it when it gets there and rolls everything back the same way, so
 * it does not pay for parsing every revision twice.
 */
void
runner_check_plan(const MigGraph *g, const MigPlan *plan, bool parse_all)
{
	char	  **ids = palloc(sizeof(char *) * Max(plan->nsteps, 1));
	char	   *missing;
	MemoryContext cxt;
	int			n = 0;
	int			i;

	for (i = 0; i < plan->nsteps; i++)
		if (!plan->steps[i].upgrade)
			ids[n++] = mig_graph_rev(g, plan->steps[i].rev)->id;
	if (n > 0)
	{
		missing = registry_first_without_downgrade(ids, n);
		if (missing != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" has no downgrade", missing),
					 errdetail("The downgrade passes through revision \"%s\", which was registered without downgrade SQL.",
							   missing),
					 errhint("Choose a target above it, or undo it by hand and move the version table with mig_stamp().")));
	}

	if (!parse_all)
		return;

	/*
	 * Parse every revision of the plan once and refuse what cannot run
	 * before anything commits.  One revision at a time in a scratch
	 * context.
	 */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "schemamig check",
								ALLOCSET_DEFAULT_SIZES);
	for (i = 0; i < plan->nsteps; i++)
	{
		const MigStep *step = &plan->steps[i];
		const char *id = mig_graph_rev(g, step->rev)->id;
		const char *direction = step->upgrade ? "upgrade" : "downgrade";
		MemoryContext old = MemoryContextSwitchTo(cxt);
		MigRevisionRow *row = registry_fetch(id);
		const char *sql = row ? (step->upgrade ? row->upgrade : row->downgrade) : NULL;

		if (sql != NULL)
			check_statements(id, direction,
							 sqltext_split(sql, psprintf("revision \"%s\" %s", id, direction)));
		MemoryContextSwitchTo(old);
		MemoryContextReset(cxt);
	}
	MemoryContextDelete(cxt);
}

/* Where the statement being run sits, for the error message. */
typedef struct StatementPosition
{
	const char *revision;
	const char *direction;
	MigStatement *stmt;
	int			nstmts;
	TimestampTz started;		/* when the statement's first attempt began */
} StatementPosition;

/*
 * line_of_position
 *		The 1-based line, within the revision's SQL, of a 1-based character
 *		position inside a statement's text.
 */
static int
line_of_position(MigStatement *st, int pos)
{
	int			line = st->lineno;
	const char *p = st->text;
	int			i;

	/* pos counts characters, not bytes */
	for (i = 0; i < pos - 1 && *p != '\0'; i++)
	{
		if (*p == '\n')
			line++;
		p += pg_mblen(p);
	}
	return line;
}

/*
 * throw_with_position
 *		Throw a copied error again with the revision, direction, statement
 *		number and line in front of its message.  Everything else (SQLSTATE,
 *		detail, hint, context) is kept.
 */
static void
throw_with_position(ErrorData *edata, StatementPosition *pos)
{
	int			line;

	/* SPI reports the position inside the statement as internalpos */
	line = line_of_position(pos->stmt,
							edata->internalpos > 0 ? edata->internalpos :
							edata->cursorpos > 0 ? edata->cursorpos : 1);
	edata->message = psprintf("revision \"%s\" %s failed at statement %d of %d (line %d): %s",
							  pos->revision, pos->direction,
							  pos->stmt->number, pos->nstmts, line,
							  edata->message ? edata->message : "");
	ReThrowError(edata);
}

/*
 * ---------------------------------------------------------------------------
 * Lock safety
 *
 * Every statement of a revision runs with lock_timeout set from
 * schemamig.lock_timeout.  A statement that has to wait for a lock longer
 * than that is cancelled, which takes it out of the lock queue: sessions that
 * queued behind it (every reader of a table that an ALTER TABLE waits for)
 * go ahead.  To retry that statement instead of failing the whole
 * migration, it runs in a subtransaction (the pattern of PL/pgSQL's exception
 * blocks), rolled back on lock_not_available; then the runner sleeps
 * (schemamig.lock_retry_backoff, doubling up to
 * schemamig.lock_retry_backoff_max) and tries again, up to
 * schemamig.lock_retries times.  Which subtransactions, and when none are
 * needed at all, is run_statements()'s business.
 *
 * When the last attempt fails, the error names the backends that blocked
 * it.  That has to be captured during the wait: by the time the lock-timeout
 * error is raised, the server has already taken the backend out of the wait
 * queue (LockErrorCleanup() runs before the ereport), so pg_blocking_pids()
 * of our own pid is empty in the error handler.  The only point where an
 * extension runs while the backend still waits is the "still waiting" LOG
 * message that ProcSleep() emits once deadlock_timeout has passed when
 * log_lock_waits is on.  So the last attempt runs with log_lock_waits on and
 * deadlock_timeout below lock_timeout, and an emit_log_hook computes what
 * pg_blocking_pids() would (GetBlockerStatusData(), the same rules), keeps it
 * and drops the message from the server log unless log_lock_waits was on
 * anyway.  Only the error path then asks pg_stat_activity about those pids,
 * through SPI, in a subtransaction of its own.
 *
 * schemamig.statement_timeout bounds each statement too.  The server arms
 * statement_timeout once per top-level statement (mig_upgrade() itself), so
 * setting the GUC would not reach the statements that run through SPI: the
 * runner arms the STATEMENT_TIMEOUT timer itself around each statement, and
 * puts the caller's own deadline back afterwards.
 * ---------------------------------------------------------------------------
 */

/* GUC variables (runner.h) */
int			mig_lock_timeout = 2000;
int			mig_lock_retries = 10;
int			mig_lock_retry_backoff = 100;
int			mig_lock_retry_backoff_max = 3200;
int			mig_statement_timeout = 0;

/* How many blocking backends the error names at most. */
#define MIG_MAX_BLOCKERS	10

/* A backend that blocked the statement, as pg_blocking_pids() sees it. */
typedef struct LockBlocker
{
	int			pid;			/* 0: a prepared transaction */
	int			backend;		/* virtual transaction id (finds a prepared */
	LocalTransactionId lxid;	/* transaction's gid in pg_locks): backend
								 * id, from PG 17 on proc number */
	bool		holds;			/* holds a conflicting lock (else: waits
								 * ahead of us for one) */
	LOCKMODE	mode;			/* the mode it holds or waits for */
} LockBlocker;

/* The lock a statement waited for, and who blocked it. */
typedef struct LockCapture
{
	bool		valid;
	LOCKTAG		tag;
	LOCKMODE	mode;
	int			nblockers;
	int			nmore;			/* blockers beyond MIG_MAX_BLOCKERS */
	LockBlocker blockers[MIG_MAX_BLOCKERS];
} LockCapture;

static LockCapture capture;
static bool capture_armed = false;	/* the last attempt is running */
static bool capture_quiet = false;	/* log_lock_waits was off: drop the
									 * message we caused */
static bool capture_set_log_lock_waits = false;
static bool capture_set_deadlock_timeout = false;
static int	capture_saved_deadlock_timeout = 0;
static MemoryContext capture_cxt = NULL;
static emit_log_hook_type prev_emit_log_hook = NULL;

/*
 * strongest_conflicting_mode
 *		The strongest mode in holdMask that conflicts with conflictMask.
 */
static LOCKMODE
strongest_conflicting_mode(LockMethod method, LOCKMASK holdMask,
						   LOCKMASK conflictMask)
{
	LOCKMODE	m;

	for (m = method->numLockModes; m > NoLock; m--)
		if ((holdMask & LOCKBIT_ON(m)) && (conflictMask & LOCKBIT_ON(m)))
			return m;
	return NoLock;
}

/*
 * capture_blockers
 *		Record the lock this backend waits for right now and the backends
 *		that block it, computed the way pg_blocking_pids() does: those that
 *		hold a conflicting mode, and those queued ahead of us for one.
 *
 * Runs inside ProcSleep()'s ereport(LOG), while the backend still waits and
 * holds no lightweight lock; it takes the lock manager's partition locks in
 * shared mode (GetBlockerStatusData) and allocates only in capture_cxt.
 */
static void
capture_blockers(void)
{
	MemoryContext old;
	BlockedProcsData *data;
	int			i;

	/* never while holding a lock manager lock ourselves (cannot happen) */
	if (LWLockHeldByMe(ProcArrayLock))
		return;
	for (i = 0; i < NUM_LOCK_PARTITIONS; i++)
		if (LWLockHeldByMe(LockHashPartitionLockByIndex(i)))
			return;

	MemoryContextReset(capture_cxt);
	old = MemoryContextSwitchTo(capture_cxt);
	capture.valid = false;
	capture.nblockers = 0;
	capture.nmore = 0;

	data = GetBlockerStatusData(MyProcPid);
	for (i = 0; i < data->nprocs; i++)
	{
		BlockedProcData *bproc = &data->procs[i];
		LockInstanceData *instances = &data->locks[bproc->first_lock];
		int		   *ahead = &data->waiter_pids[bproc->first_waiter];
		LockInstanceData *me = NULL;
		LockMethod	method;
		LOCKMASK	conflictMask;
		int			j;

		for (j = 0; j < bproc->num_locks; j++)
			if (instances[j].pid == bproc->pid)
				me = &instances[j];
		if (me == NULL || me->waitLockMode == NoLock)
			continue;

		capture.valid = true;
		capture.tag = me->locktag;
		capture.mode = me->waitLockMode;
		method = GetLockTagsMethodTable(&me->locktag);
		conflictMask = method->conflictTab[me->waitLockMode];

		for (j = 0; j < bproc->num_locks; j++)
		{
			LockInstanceData *inst = &instances[j];
			LockBlocker b;
			int			k;

			/* we never block ourselves, nor members of our lock group */
			if (inst == me || inst->leaderPid == me->leaderPid)
				continue;

			b.holds = (conflictMask & inst->holdMask) != 0;
			if (b.holds)
				b.mode = strongest_conflicting_mode(method, inst->holdMask,
													conflictMask);
			else
			{
				bool		is_ahead = false;

				/* a conflicting request only blocks us if queued ahead */
				if (inst->waitLockMode == NoLock ||
					!(conflictMask & LOCKBIT_ON(inst->waitLockMode)))
					continue;
				for (k = 0; k < bproc->num_waiters; k++)
					if (ahead[k] == inst->pid)
						is_ahead = true;
				if (!is_ahead)
					continue;
				b.mode = inst->waitLockMode;
			}
			b.pid = inst->pid;
#if PG_VERSION_NUM >= 170000
			b.backend = inst->vxid.procNumber;
			b.lxid = inst->vxid.localTransactionId;
#else
			b.backend = inst->backend;
			b.lxid = inst->lxid;
#endif

			/* once per backend (a prepared transaction: per transaction) */
			for (k = 0; k < capture.nblockers; k++)
				if (capture.blockers[k].pid == b.pid &&
					(b.pid != 0 || capture.blockers[k].lxid == b.lxid))
					break;
			if (k < capture.nblockers)
				continue;
			if (capture.nblockers < MIG_MAX_BLOCKERS)
				capture.blockers[capture.nblockers++] = b;
			else
				capture.nmore++;
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(capture_cxt);
}

/*
 * runner_emit_log_hook
 *		While the last attempt of a statement runs, catch ProcSleep()'s
 *		"still waiting for lock" message: record the blockers, and keep the
 *		message out of the server log if only we turned log_lock_waits on.
 */
static void
runner_emit_log_hook(ErrorData *edata)
{
	if (capture_armed && edata->elevel == LOG && edata->funcname != NULL &&
		strcmp(edata->funcname, "ProcSleep") == 0)
	{
		if (MyProc != NULL && MyProc->waitLock != NULL &&
			MyProc->waitStatus == PROC_WAIT_STATUS_WAITING)
			capture_blockers();
		if (capture_quiet)
			edata->output_to_server = false;
	}
	if (prev_emit_log_hook && edata->output_to_server)
		prev_emit_log_hook(edata);
}

/*
 * capture_begin
 *		Before the last attempt of a statement: make ProcSleep() report the
 *		wait while it still waits (log_lock_waits on, deadlock_timeout below
 *		lock_timeout).  Called inside the attempt's subtransaction, so the
 *		settings go away with it when it fails.
 */
static void
capture_begin(void)
{
	if (capture_cxt == NULL)
		capture_cxt = AllocSetContextCreate(TopMemoryContext,
											"schemamig lock capture",
											ALLOCSET_SMALL_SIZES);
	capture.valid = false;
	capture.nblockers = 0;
	capture.nmore = 0;
	capture_quiet = !log_lock_waits;
	capture_set_log_lock_waits = false;
	capture_set_deadlock_timeout = false;

	if (!log_lock_waits)
	{
		(void) set_config_option("log_lock_waits", "on",
								 PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		capture_set_log_lock_waits = true;
	}
	if (DeadlockTimeout >= LockTimeout)
	{
		capture_saved_deadlock_timeout = DeadlockTimeout;
		(void) set_config_option("deadlock_timeout",
								 psprintf("%d", Max(LockTimeout / 2, 1)),
								 PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		capture_set_deadlock_timeout = true;
	}
	capture_armed = true;
}

/*
 * capture_end
 *		After the last attempt.  When it succeeded, its subtransaction kept
 *		the settings capture_begin changed: put them back.
 */
static void
capture_end(bool succeeded)
{
	capture_armed = false;
	if (!succeeded)
		return;
	if (capture_set_log_lock_waits)
		(void) set_config_option("log_lock_waits", "off",
								 PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	if (capture_set_deadlock_timeout)
		(void) set_config_option("deadlock_timeout",
								 psprintf("%d", capture_saved_deadlock_timeout),
								 PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	capture_set_log_lock_waits = false;
	capture_set_deadlock_timeout = false;
}

/*
 * lock_target_name
 *		What a lock tag locks, in words: "relation public.t" for a relation,
 *		DescribeLockTag()'s wording for anything else.
 */
static char *
lock_target_name(const LOCKTAG *tag)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (tag->locktag_type == LOCKTAG_RELATION &&
		tag->locktag_field1 == MyDatabaseId)
	{
		Oid			relid = tag->locktag_field2;
		char	   *rel = get_rel_name(relid);
		char	   *nsp = rel ? get_namespace_name(get_rel_namespace(relid)) : NULL;

		if (rel != NULL && nsp != NULL)
		{
			appendStringInfo(&buf, "relation %s",
							 quote_qualified_identifier(nsp, rel));
			return buf.data;
		}
	}
	DescribeLockTag(&buf, tag);
	return buf.data;
}

/*
 * one_line
 *		A query text on one line, at most 200 characters.
 */
static char *
one_line(const char *text)
{
	StringInfoData buf;
	const char *p;
	bool		space = false;
	int			len;

	initStringInfo(&buf);
	for (p = text; *p != '\0'; p++)
	{
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			space = buf.len > 0;
		else
		{
			if (space)
				appendStringInfoChar(&buf, ' ');
			space = false;
			appendStringInfoChar(&buf, *p);
		}
	}
	len = pg_mbcliplen(buf.data, buf.len, 200);
	if (len < buf.len)
	{
		buf.data[len] = '\0';
		buf.len = len;
		appendStringInfoString(&buf, "...");
	}
	return buf.data;
}

/*
 * describe_blocker
 *		One sentence about one blocking backend, from pg_stat_activity (or
 *		pg_prepared_xacts).  Caller is connected to SPI.
 */
static void
describe_blocker(StringInfo buf, const LockBlocker *b, const char *mode)
{
	if (b->pid == 0)
	{
		/* a prepared transaction: find it through its transaction id lock */
		if (SPI_execute(psprintf("SELECT p.gid, p.owner::text, "
								 "to_char(extract(epoch FROM clock_timestamp() - p.prepared), 'FM999999990.0') "
								 "FROM pg_catalog.pg_locks l "
								 "JOIN pg_catalog.pg_prepared_xacts p ON p.transaction = l.transactionid "
								 "WHERE l.locktype = 'transactionid' AND l.pid IS NULL "
								 "AND l.virtualtransaction = '%d/%u' LIMIT 1",
								 b->backend, b->lxid),
						true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			HeapTuple	tup = SPI_tuptable->vals[0];
			TupleDesc	desc = SPI_tuptable->tupdesc;

			appendStringInfo(buf, " Prepared transaction \"%s\" (owner \"%s\", prepared %s s ago) %s %s on it.",
							 SPI_getvalue(tup, desc, 1), SPI_getvalue(tup, desc, 2),
							 SPI_getvalue(tup, desc, 3),
							 b->holds ? "holds" : "waits ahead of it for", mode);
		}
		else
			appendStringInfo(buf, " A prepared transaction %s %s on it.",
							 b->holds ? "holds" : "waits ahead of it for", mode);
		return;
	}

	/*
	 * Without pg_read_all_stats, another role's state, times and query read
	 * as NULL (the query as "<insufficient privilege>"): say what is known.
	 */
	if (SPI_execute(psprintf("SELECT usename::text, application_name, state, "
							 "to_char(extract(epoch FROM clock_timestamp() - state_change), 'FM999999990.0'), "
							 "to_char(extract(epoch FROM clock_timestamp() - xact_start), 'FM999999990.0'), "
							 "query "
							 "FROM pg_catalog.pg_stat_activity WHERE pid = %d",
							 b->pid),
					true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *role = SPI_getvalue(tup, desc, 1);
		char	   *app = SPI_getvalue(tup, desc, 2);
		char	   *state = SPI_getvalue(tup, desc, 3);
		char	   *state_age = SPI_getvalue(tup, desc, 4);
		char	   *xact_age = SPI_getvalue(tup, desc, 5);
		char	   *query = SPI_getvalue(tup, desc, 6);

		appendStringInfo(buf, " Process %d (role \"%s\"", b->pid,
						 role ? role : "?");
		if (app && app[0] != '\0')
			appendStringInfo(buf, ", application \"%s\"", app);
		if (state)
			appendStringInfo(buf, ", state \"%s\"%s%s%s", state,
							 state_age ? " for " : "",
							 state_age ? state_age : "",
							 state_age ? " s" : "");
		if (xact_age)
			appendStringInfo(buf, ", transaction started %s s ago", xact_age);
		appendStringInfo(buf, ") %s %s on it",
						 b->holds ? "holds" : "waits ahead of it for", mode);
		if (query && query[0] != '\0')
			appendStringInfo(buf, "; its last query: \"%s\"", one_line(query));
		appendStringInfoChar(buf, '.');
	}
	else
		appendStringInfo(buf, " Process %d %s %s on it and has ended since.",
						 b->pid, b->holds ? "held" : "waited ahead of it for",
						 mode);
}

/*
 * describe_capture
 *		The sentences of the error detail about the lock waited for and who
 *		blocked it, or NULL when nothing was captured.  Looks the backends up
 *		in a subtransaction of its own; if that fails, names the pids only.
 */
static char *
describe_capture(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	char	   *volatile result = NULL;
	const char *mode;
	int			i;

	if (!capture.valid)
		return NULL;
	mode = GetLockmodeName(capture.tag.locktag_lockmethodid, capture.mode);

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfo(&buf, "The statement was waiting for %s on %s.",
						 mode, lock_target_name(&capture.tag));
		/* pg_stat_activity as it is now, not as this transaction saw it */
		pgstat_clear_snapshot();
		for (i = 0; i < capture.nblockers; i++)
		{
			const LockBlocker *b = &capture.blockers[i];

			describe_blocker(&buf, b,
							 GetLockmodeName(capture.tag.locktag_lockmethodid,
											 b->mode));
		}
		if (capture.nblockers == 0)
			appendStringInfoString(&buf, " No other backend held or awaited a conflicting lock when the wait was recorded.");
		if (capture.nmore > 0)
			appendStringInfo(&buf, " %d more backends blocked it.", capture.nmore);
		result = buf.data;
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;

	if (result == NULL)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfo(&buf, "The statement was waiting for %s; blocked by process", mode);
		for (i = 0; i < capture.nblockers; i++)
			appendStringInfo(&buf, "%s %d", i > 0 ? "," : "",
							 capture.blockers[i].pid);
		appendStringInfoChar(&buf, '.');
		result = buf.data;
	}
	return result;
}

/* The per-statement statement_timeout (schemamig.statement_timeout). */
typedef struct StatementTimer
{
	bool		armed;			/* our deadline is the timer's */
	bool		caller_active;	/* the caller's statement_timeout ran */
	TimestampTz caller_fin;		/* ... and would fire then */
	TimestampTz our_fin;
	int			ms;				/* schemamig.statement_timeout when armed */
} StatementTimer;

/*
 * statement_timer_arm
 *		Arm STATEMENT_TIMEOUT for one statement, unless the caller's own
 *		deadline comes first.
 */
static void
statement_timer_arm(StatementTimer *timer)
{
	timer->armed = false;
	timer->ms = mig_statement_timeout;
	if (mig_statement_timeout <= 0)
		return;
	timer->caller_active = get_timeout_active(STATEMENT_TIMEOUT);
	timer->caller_fin = timer->caller_active ?
		get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
	timer->our_fin = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												 mig_statement_timeout);
	if (timer->caller_active && timer->caller_fin <= timer->our_fin)
		return;
	enable_timeout_at(STATEMENT_TIMEOUT, timer->our_fin);
	timer->armed = true;
}

/*
 * statement_timer_expired
 *		Did the statement run into our deadline?
 */
static bool
statement_timer_expired(const StatementTimer *timer)
{
	return timer->armed && GetCurrentTimestamp() >= timer->our_fin;
}

/*
 * statement_timer_disarm
 *		Put the caller's statement_timeout back (or none).  A timeout that
 *		fired but was not yet acted on is left for CHECK_FOR_INTERRUPTS to
 *		report.
 */
static void
statement_timer_disarm(StatementTimer *timer)
{
	if (!timer->armed)
		return;
	timer->armed = false;
	if (get_timeout_indicator(STATEMENT_TIMEOUT, false))
		return;
	if (timer->caller_active)
		enable_timeout_at(STATEMENT_TIMEOUT, timer->caller_fin);
	else
		disable_timeout(STATEMENT_TIMEOUT, false);
}

/*
 * add_statement_timeout_detail
 *		Say that a statement timeout was schemamig.statement_timeout's.
 */
static void
add_statement_timeout_detail(ErrorData *edata, const StatementTimer *timer)
{
	if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED && edata->detail == NULL)
		edata->detail = psprintf("The statement ran longer than schemamig.statement_timeout (%d ms).",
								 timer->ms);
}

/*
 * execute_statement
 *		Run one statement through SPI.
 */
static void
execute_statement(MigStatement *st)
{
	int			rc;

	mig_running_statement = st->text;	/* for the DDL hook */
	{
		MemoryContext caller = CurrentMemoryContext;

		rc = SPI_execute(st->text, false, 0);
		MemoryContextSwitchTo(caller);
	}
	if (rc < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("statement cannot run inside a migration: %s",
						SPI_result_code_string(rc))));
	SPI_freetuptable(SPI_tuptable);
}

/*
 * run_plain
 *		Run a statement without a subtransaction: no lock_timeout is in
 *		force, so there is nothing to retry, or (unguarded) nobody else had
 *		a transaction open in the database when the revision started.
 */
static void
run_plain(MemoryContext cxt, StatementPosition *pos, bool unguarded)
{
	StatementTimer timer;

	statement_timer_arm(&timer);
	PG_TRY();
	{
		execute_statement(pos->stmt);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		bool		expired = statement_timer_expired(&timer);

		statement_timer_disarm(&timer);
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		if (expired)
			add_statement_timeout_detail(edata, &timer);
		if (unguarded && edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE &&
			edata->detail == NULL)
			edata->detail = pstrdup("No other transaction was open in this database when the revision started, so it ran without retries.");
		throw_with_position(edata, pos);
	}
	PG_END_TRY();
	statement_timer_disarm(&timer);
}

/*
 * backoff_sleep
 *		Sleep ms milliseconds before the next attempt at pos's statement,
 *		waking up for interrupts: a cancel ends the call here, with the
 *		statement's position in the message like any other error of it.
 */
static void
backoff_sleep(MemoryContext cxt, StatementPosition *pos, long ms)
{
	TimestampTz end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	PG_TRY();
	{
		for (;;)
		{
			long		remain;

			CHECK_FOR_INTERRUPTS();
			remain = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), end);
			if (remain <= 0)
				break;
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 remain, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		throw_with_position(edata, pos);
	}
	PG_END_TRY();
}

/*
 * attempt_statement
 *		One attempt at a statement, in a subtransaction (as PL/pgSQL runs an
 *		exception block): NULL when it succeeded, else the error, with the
 *		subtransaction rolled back.  last: the last attempt, which records
 *		the blockers if it has to wait.
 */
static ErrorData *
attempt_statement(MemoryContext cxt, StatementPosition *pos, bool last)
{
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;
	StatementTimer timer;

	statement_timer_arm(&timer);
	BeginInternalSubTransaction(NULL);
	/* run the statement in our memory context, not the subtransaction's */
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		if (last)
			capture_begin();
		execute_statement(pos->stmt);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		bool		expired = statement_timer_expired(&timer);

		statement_timer_disarm(&timer);
		capture_armed = false;
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (expired)
			add_statement_timeout_detail(edata, &timer);
	}
	PG_END_TRY();

	if (edata == NULL)
		statement_timer_disarm(&timer);
	if (last)
		capture_end(edata == NULL);
	return edata;
}

/*
 * report_retry
 *		Say that a statement could not get a lock and will be tried again.
 *		A NOTICE with schemamig.progress on, else a LOG line.
 */
static void
report_retry(StatementPosition *pos, ErrorData *edata, int attempt,
			 int attempts, long backoff, bool whole_revision)
{
	ereport(mig_notice_progress ? NOTICE : LOG,
			(errmsg("revision \"%s\" %s: statement %d of %d (line %d) could not get a lock: %s",
					pos->revision, pos->direction, pos->stmt->number,
					pos->nstmts, pos->stmt->lineno, edata->message),
			 !whole_revision || pos->stmt->number == 1 ?
			 errdetail("Attempt %d of %d; the next one starts in %ld ms.",
					   attempt, attempts, backoff) :
			 pos->stmt->number == 2 ?
			 errdetail("Attempt %d of %d; the next one starts in %ld ms. Statement 1 of the revision was rolled back with it and runs again first.",
					   attempt, attempts, backoff) :
			 errdetail("Attempt %d of %d; the next one starts in %ld ms. Statements 1 to %d of the revision were rolled back with it and run again first.",
					   attempt, attempts, backoff, pos->stmt->number - 1)));
}

/*
 * next_backoff
 *		The sleep after the one of backoff ms: twice as long, capped.
 */
static long
next_backoff(long backoff)
{
	return Min(backoff * 2,
			   Max(mig_lock_retry_backoff_max, mig_lock_retry_backoff));
}

/*
 * run_with_lock_retries
 *		Run a statement in a subtransaction; when it cannot get a lock in
 *		time, roll back just the statement, sleep and try again.  The
 *		attempts are numbered from first_attempt (2 when the revision's
 *		first pass already failed on this statement), sleeping backoff ms
 *		before the next one.  When the attempts run out, throw the last
 *		error with the attempts, the lock waited for and its blockers in the
 *		detail.
 */
static void
run_with_lock_retries(MemoryContext cxt, StatementPosition *pos,
					  int first_attempt, long backoff, TimestampTz started)
{
	int			attempts = mig_lock_retries + 1;
	int			attempt;

	for (attempt = first_attempt;; attempt++)
	{
		bool		last = attempt >= attempts;
		ErrorData  *edata = attempt_statement(cxt, pos, last);
		StringInfoData detail;
		char	   *blockers;

		if (edata == NULL)
			return;
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			throw_with_position(edata, pos);

		if (!last)
		{
			report_retry(pos, edata, attempt, attempts, backoff, false);
			FreeErrorData(edata);
			backoff_sleep(cxt, pos, backoff);
			backoff = next_backoff(backoff);
			continue;
		}

		/* out of attempts: say how hard we tried and who was in the way */
		blockers = describe_capture();
		initStringInfo(&detail);
		appendStringInfo(&detail, "Gave up after %d %s in %.1f s (lock_timeout %d ms, schemamig.lock_retries %d).",
						 attempt, attempt == 1 ? "attempt" : "attempts",
						 (double) (GetCurrentTimestamp() - started) / 1000000.0,
						 LockTimeout, attempts - 1);
		if (blockers)
			appendStringInfo(&detail, " %s", blockers);
		if (edata->detail)
			appendStringInfo(&detail, " %s", edata->detail);
		edata->detail = detail.data;
		if (edata->hint == NULL)
			edata->hint = pstrdup("End or wait out the blocking transactions and run the migration again; "
								  "schemamig.lock_timeout, schemamig.lock_retries and schemamig.lock_retry_backoff "
								  "set how long each attempt waits and how often it is retried.");
		throw_with_position(edata, pos);
	}
}

/*
 * apply_lock_timeout
 *		Set lock_timeout from schemamig.lock_timeout when that differs from
 *		what was applied last (a revision may SET schemamig.lock_timeout for
 *		itself; its own SET lock_timeout lasts until then).  At the GUC nest
 *		level of the revision (or of the subtransaction running).
 */
static void
apply_lock_timeout(int *applied)
{
	if (mig_lock_timeout == *applied)
		return;
	(void) set_config_option("lock_timeout", psprintf("%d", mig_lock_timeout),
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	*applied = mig_lock_timeout;
}

/*
 * attempt_revision
 *		The first pass over a revision: every statement in one
 *		subtransaction, with lock_timeout and statement_timeout, and no
 *		subtransaction per statement (whose commit costs grow with every
 *		relation the transaction created, and so quadratically over a long
 *		history).  NULL when it succeeded, else the error, with the
 *		subtransaction rolled back and pos->stmt and pos->started telling
 *		which statement failed.
 */
static ErrorData *
attempt_revision(MemoryContext cxt, StatementPosition *pos, List *stmts,
				 int *applied)
{
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;
	StatementTimer timer;

	timer.armed = false;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		ListCell   *lc;

		foreach(lc, stmts)
		{
			pos->stmt = (MigStatement *) lfirst(lc);
			pos->started = GetCurrentTimestamp();
			CHECK_FOR_INTERRUPTS();
			apply_lock_timeout(applied);
			statement_timer_arm(&timer);
			execute_statement(pos->stmt);
			statement_timer_disarm(&timer);
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		bool		expired = statement_timer_expired(&timer);

		statement_timer_disarm(&timer);
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (expired)
			add_statement_timeout_detail(edata, &timer);
	}
	PG_END_TRY();
	return edata;
}

/*
 * other_transactions_open
 *		Has any other backend of this database a transaction open, or is a
 *		prepared transaction waiting here?  Only those hold locks that a
 *		statement could wait for (but for session-level advisory locks and
 *		shared objects), and only those can queue behind one.
 */
static bool
other_transactions_open(void)
{
	VirtualTransactionId *vxids;
	int			n;

	vxids = GetCurrentVirtualXIDs(InvalidTransactionId, false, false, 0, &n);
	pfree(vxids);
	return n > 0;
}

/*
 * run_statements
 *		Run a revision's statements in order through SPI, under
 *		schemamig.lock_timeout with retries (see "Lock safety" above).
 *		Caller has opened a GUC nest level for the revision.
 *
 * Subtransactions are not free: committing one scans lists that grow with
 * every relation and lock the transaction holds, so over a long history
 * run in one transaction their cost grows quadratically.  So:
 *
 * - When no other backend of the database has a transaction open, nobody
 *   holds a lock the revision could wait for and nobody can queue behind it:
 *   the statements run directly, lock_timeout still in force.  (Should a
 *   session start a transaction and take a conflicting lock meanwhile, a
 *   statement waits at most lock_timeout, stalling that session no longer
 *   than that, and the call fails instead of retrying.)
 *
 * - Otherwise the revision first runs in one subtransaction.  That is the
 *   fast path, and almost always all there is.  When a statement of it
 *   cannot get a lock in time, the whole pass is rolled back (so that while
 *   we sleep, none of the revision's locks is held either), and after the
 *   sleep the revision runs again statement by statement, each in a
 *   subtransaction of its own: the earlier statements once more, the one
 *   that failed with its remaining attempts.
 */
static void
run_statements(const char *revision, const char *direction, List *stmts)
{
	MemoryContext cxt = CurrentMemoryContext;
	StatementPosition pos;
	int			applied_lock_timeout = -1;
	MigStatement *failed = NULL;
	TimestampTz failed_started = 0;
	long		backoff = mig_lock_retry_backoff;
	bool		guarded;
	ListCell   *lc;

	pos.revision = revision;
	pos.direction = direction;
	pos.nstmts = list_length(stmts);
	if (pos.nstmts == 0)
		return;

	apply_lock_timeout(&applied_lock_timeout);
	guarded = LockTimeout > 0 && other_transactions_open();

	if (guarded && mig_lock_retries > 0)
	{
		ErrorData  *edata = attempt_revision(cxt, &pos, stmts,
											 &applied_lock_timeout);

		if (edata == NULL)
			return;
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			throw_with_position(edata, &pos);

		report_retry(&pos, edata, 1, mig_lock_retries + 1, backoff, true);
		FreeErrorData(edata);
		failed = pos.stmt;
		failed_started = pos.started;
		/* the rollback undid any lock_timeout set inside the pass */
		applied_lock_timeout = -1;
		backoff_sleep(cxt, &pos, backoff);
		backoff = next_backoff(backoff);
	}

	foreach(lc, stmts)
	{
		MigStatement *st = (MigStatement *) lfirst(lc);

		pos.stmt = st;
		pos.started = GetCurrentTimestamp();
		CHECK_FOR_INTERRUPTS();
		apply_lock_timeout(&applied_lock_timeout);

		if (!guarded || LockTimeout <= 0)
			run_plain(cxt, &pos, !guarded && LockTimeout > 0);
		else if (st == failed)
			run_with_lock_retries(cxt, &pos, 2, backoff, failed_started);
		else
			run_with_lock_retries(cxt, &pos, 1, mig_lock_retry_backoff,
								  pos.started);
	}
}

/*
 * check_statements
 *		Refuse statements that cannot run inside the migration's transaction,
 *		naming the revision, the statement and what it is.
 */
static void
check_statements(const char *revision, const char *direction, List *stmts)
{
	ListCell   *lc;

	foreach(lc, stmts)
	{
		MigStatement *st = (MigStatement *) lfirst(lc);
		const char *what;

		if ((what = sqltext_transaction_control(st->parsetree)) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("revision \"%s\" %s contains transaction control at statement %d (line %d): %s",
							revision, direction, st->number, st->lineno, what),
					 errdetail("Each revision runs inside the migration's transaction, which schemamig commits or rolls back as a whole.")));

		if ((what = sqltext_nontransactional(st->parsetree)) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
					 errmsg("revision \"%s\" %s cannot run inside a transaction block: statement %d (line %d) is %s",
							revision, direction, st->number, st->lineno, what),
					 errdetail("schemamig runs every revision inside a transaction, and %s refuses to run in one.",
							   what),
					 errhint("Run this revision's SQL by hand outside a transaction, then record it with mig_stamp().")));
	}
}

/*
 * runner_run_sql
 *		Run sql as the statements of revision id in direction, as a step
 *		runs them: split, refused if it cannot run in a transaction, linted
 *		(with lint and schemamig.lint on), search_path pinned, lock_timeout
 *		and retries, attributed to the revision in the DDL log.  Moves no
 *		version table and writes no history.  Returns the milliseconds the
 *		statements took.
 *
 * mig_adopt_drift() runs a revision's SQL this way to verify it before the
 * revision is recorded, in a subtransaction it rolls back.
 */
double
runner_run_sql(const char *id, const char *direction, const char *sql,
			   bool lint)
{
	List	   *stmts;
	instr_time	start_time;
	instr_time	elapsed;
	int			nestlevel;

	stmts = sqltext_split(sql, psprintf("revision \"%s\" %s", id, direction));
	check_statements(id, direction, stmts);
	/* schemamig.lint = warn | deny: judge the revision before it runs */
	if (lint)
		mig_lint_enforce(stmts, id);

	INSTR_TIME_SET_CURRENT(start_time);

	/* pin search_path for the revision's statements only */
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", mig_search_path,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	mig_running_revision = id;
	mig_running_direction = direction;
	PG_TRY();
	{
		run_statements(id, direction, stmts);
	}
	PG_FINALLY();
	{
		mig_running_revision = NULL;
		mig_running_direction = NULL;
		mig_running_statement = NULL;
	}
	PG_END_TRY();
	/* undo every setting the revision changed, SET included */
	AtEOXact_GUC(false, nestlevel);

	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start_time);
	return INSTR_TIME_GET_MILLISEC(elapsed);
}

/*
 * runner_run_step
 *		Run one step of a plan and record it.
 */
MigStepResult
runner_run_step(const MigGraph *g, const MigStep *step,
				char **heads_before, int nheads_before,
				const char *target, int k, int n)
{
	const char *id = mig_graph_rev(g, step->rev)->id;
	const char *direction = step->upgrade ? "upgrade" : "downgrade";
	MigRevisionRow *row;
	MigHistoryEntry entry;
	MigStepResult result;
	const char *sql;
	TimestampTz started_at;
	double		duration_ms;
	char	  **after;
	int			nafter;

	row = registry_fetch(id);
	if (row == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("revision \"%s\" not found", id)));
	sql = step->upgrade ? row->upgrade : row->downgrade;
	if (sql == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" has no downgrade", id)));

	started_at = GetCurrentTimestamp();
	duration_ms = runner_run_sql(id, direction, sql, true);

	after = runner_heads_after(g, step, heads_before, nheads_before, &nafter);
	registry_move_heads(runner_ids(g, step->removed, step->nremoved),
						step->nremoved,
						runner_ids(g, step->added, step->nadded),
						step->nadded);

	entry.revision = id;
	entry.direction = direction;
	entry.started_at = started_at;
	entry.duration_ms = duration_ms;
	entry.heads_before = heads_before;
	entry.nheads_before = nheads_before;
	entry.heads_after = after;
	entry.nheads_after = nafter;
	entry.target = target;
	entry.note = NULL;
	registry_append_history(&entry);

	if (mig_notice_progress)
		ereport(NOTICE,
				(errmsg("%s %d/%d: %s%s%s (%.1f ms)",
						step->upgrade ? "upgraded" : "downgraded",
						k + 1, n, id,
						row->message ? " " : "",
						row->message ? row->message : "",
						entry.duration_ms)));

	result.revision = pstrdup(id);
	result.message = row->message ? pstrdup(row->message) : NULL;
	result.duration_ms = entry.duration_ms;
	return result;
}

/*
 * runner_stamp
 *		Set the version table to a stamp plan's final heads and record it,
 *		with note (NULL for a plain mig_stamp) in the history row.
 */
void
runner_stamp(const MigGraph *g, const MigPlan *plan,
			 char **heads_before, int nheads_before, const char *target,
			 const char *note)
{
	MigHistoryEntry entry;
	char	  **after = runner_ids(g, plan->final_heads, plan->nfinal);
	StringInfoData revs;
	int			i;

	registry_set_heads(after, plan->nfinal);

	initStringInfo(&revs);
	for (i = 0; i < plan->nfinal; i++)
		appendStringInfo(&revs, "%s%s", i > 0 ? "," : "", after[i]);

	entry.revision = plan->nfinal > 0 ? revs.data : NULL;
	entry.direction = "stamp";
	entry.started_at = GetCurrentTimestamp();
	entry.duration_ms = 0;
	entry.heads_before = heads_before;
	entry.nheads_before = nheads_before;
	entry.heads_after = after;
	entry.nheads_after = plan->nfinal;
	entry.target = target;
	entry.note = note;
	registry_append_history(&entry);
}

/*
 * runner_rethrow
 *		Rethrow the current error; a full lock table becomes an error that
 *		explains itself.
 *
 * With the default max_locks_per_transaction, one transaction that creates
 * a thousand or more tables (each with its indexes, sequences and
 * constraints) runs out of lock table entries and the server reports a bare
 * "out of shared memory".  Say why, and what to do instead.
 */
void
runner_rethrow(MemoryContext cxt, int nsteps_done)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();

	if (edata->sqlerrcode == ERRCODE_OUT_OF_MEMORY &&
		edata->message && strstr(edata->message, "shared memory") != NULL)
	{
		FlushErrorState();
		edata->detail = psprintf("The server reported: %s. The lock table filled up after %d revisions in one transaction; every object a migration touches stays locked until the transaction ends.",
								 edata->message, nsteps_done);
		edata->message = pstrdup("migration ran out of lock table space");
		edata->hint = psprintf("Run it with CALL mig_upgrade_proc(...) or CALL mig_downgrade_proc(...), which commit after each revision, or raise max_locks_per_transaction (now %d) and restart the server.",
							   max_locks_per_xact);
		ReThrowError(edata);
	}
	FreeErrorData(edata);
	PG_RE_THROW();
}

/*
 * mig_runner_init
 *		Define the runner's GUCs (lock safety, statement_timeout) and install
 *		the log hook that records lock blockers.  Called from _PG_init.
 */
void
mig_runner_init(void)
{
	DefineCustomIntVariable("schemamig.lock_timeout",
							"lock_timeout for each statement of a migration.",
							"A statement that waits longer for a lock is rolled back and "
							"retried (schemamig.lock_retries); 0 waits without limit and "
							"never retries.",
							&mig_lock_timeout,
							2000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("schemamig.lock_retries",
							"How many times a statement that timed out on a lock is retried.",
							NULL,
							&mig_lock_retries,
							10, 0, 10000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("schemamig.lock_retry_backoff",
							"Sleep before the first retry of a statement that timed out on a lock.",
							"The sleep doubles at each further retry, up to "
							"schemamig.lock_retry_backoff_max.",
							&mig_lock_retry_backoff,
							100, 0, 3600000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("schemamig.lock_retry_backoff_max",
							"The longest sleep between two attempts of a statement.",
							NULL,
							&mig_lock_retry_backoff_max,
							3200, 0, 3600000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("schemamig.statement_timeout",
							"statement_timeout for each statement of a migration.",
							"0 leaves only the caller's statement_timeout, which bounds "
							"the whole call.",
							&mig_statement_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = runner_emit_log_hook;
}
