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
 * number and the line inside the revision's SQL.  After the statements, the
 * version table moves to the heads the plan says and a history row is
 * appended, in the same transaction as the revision's changes.
 *
 * IDENTIFICATION
 *	  src/runner.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "runner.h"
#include "schemamig.h"
#include "sqltext.h"

static void check_statements(const char *revision, const char *direction,
							 List *stmts);

const char *mig_running_revision = NULL;
const char *mig_running_direction = NULL;

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
 *		revision whose downgrade was never written.
 */
void
runner_check_plan(const MigGraph *g, const MigPlan *plan)
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

	/*
	 * Parse every revision of the plan once and refuse what cannot run
	 * before anything runs (and, for the procedures, before anything
	 * commits).  One revision at a time in a scratch context.
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
 * rethrow_with_position
 *		Rethrow the current error with the revision, direction, statement
 *		number and line in front of its message.  Called in PG_CATCH.
 */
static void
rethrow_with_position(MemoryContext cxt, StatementPosition *pos)
{
	ErrorData  *edata;
	int			line;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();

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
 * run_statements
 *		Run a revision's statements in order through SPI.
 */
static void
run_statements(const char *revision, const char *direction, List *stmts)
{
	MemoryContext cxt = CurrentMemoryContext;
	StatementPosition pos;
	ListCell   *lc;

	pos.revision = revision;
	pos.direction = direction;
	pos.nstmts = list_length(stmts);

	foreach(lc, stmts)
	{
		MigStatement *st = (MigStatement *) lfirst(lc);
		int			rc;

		pos.stmt = st;
		CHECK_FOR_INTERRUPTS();
		PG_TRY();
		{
			rc = SPI_execute(st->text, false, 0);
			if (rc < 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("statement cannot run inside a migration: %s",
								SPI_result_code_string(rc))));
		}
		PG_CATCH();
		{
			rethrow_with_position(cxt, &pos);
		}
		PG_END_TRY();
		SPI_freetuptable(SPI_tuptable);
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
	List	   *stmts;
	instr_time	start_time;
	instr_time	elapsed;
	TimestampTz started_at;
	int			nestlevel;
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

	stmts = sqltext_split(sql, psprintf("revision \"%s\" %s", id, direction));
	check_statements(id, direction, stmts);

	started_at = GetCurrentTimestamp();
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
	}
	PG_END_TRY();
	/* undo every setting the revision changed, SET included */
	AtEOXact_GUC(false, nestlevel);

	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start_time);

	after = runner_heads_after(g, step, heads_before, nheads_before, &nafter);
	registry_move_heads(runner_ids(g, step->removed, step->nremoved),
						step->nremoved,
						runner_ids(g, step->added, step->nadded),
						step->nadded);

	entry.revision = id;
	entry.direction = direction;
	entry.started_at = started_at;
	entry.duration_ms = INSTR_TIME_GET_MILLISEC(elapsed);
	entry.heads_before = heads_before;
	entry.nheads_before = nheads_before;
	entry.heads_after = after;
	entry.nheads_after = nafter;
	entry.target = target;
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
 *		Set the version table to a stamp plan's final heads and record it.
 */
void
runner_stamp(const MigGraph *g, const MigPlan *plan,
			 char **heads_before, int nheads_before, const char *target)
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
