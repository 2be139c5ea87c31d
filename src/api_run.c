/*-------------------------------------------------------------------------
 *
 * api_run.c
 *	  SQL entry points that move the database or report where it is:
 *	  mig_upgrade, mig_downgrade, mig_stamp, the per-revision-commit
 *	  procedures, mig_current, mig_heads, mig_history and mig_sql.
 *
 * These functions check arguments, take the migration lock, load the graph
 * and hand the plan to runner.c; they hold no migration logic themselves.
 *
 * IDENTIFICATION
 *	  src/api_run.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "graph.h"
#include "migration_lock.h"
#include "registry.h"
#include "runner.h"
#include "schemamig.h"
#include "snapshot.h"
#include "sqltext.h"

PG_FUNCTION_INFO_V1(mig_upgrade);
PG_FUNCTION_INFO_V1(mig_downgrade);
PG_FUNCTION_INFO_V1(mig_upgrade_proc);
PG_FUNCTION_INFO_V1(mig_downgrade_proc);
PG_FUNCTION_INFO_V1(mig_stamp);
PG_FUNCTION_INFO_V1(mig_current);
PG_FUNCTION_INFO_V1(mig_heads);
PG_FUNCTION_INFO_V1(mig_history);
PG_FUNCTION_INFO_V1(mig_sql);

/*
 * load_graph
 *		Load and validate the registered graph.  Caller is connected to SPI.
 */
static MigGraph *
load_graph(void)
{
	int			n;
	MigRevDef  *defs = registry_load_defs(&n);

	return mig_graph_build(defs, n);
}

/*
 * target_arg
 *		The target argument as a C string; NULL is an error.
 */
static char *
target_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migration target cannot be null"),
				 errhint("Use \"head\", \"heads\", \"base\", a revision id or a relative target such as \"-1\".")));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * run_migration
 *		The body of mig_upgrade/mig_downgrade and their procedures.
 *
 * As a function, everything runs in the caller's transaction, under the
 * transaction-scoped migration lock.  As a procedure called outside a
 * transaction block, the lock is session-scoped and the work commits after
 * each revision, so a long history does not hold every lock to the end and
 * an interrupted run resumes from what committed.
 */
static void
run_migration(FunctionCallInfo fcinfo, MigCommand cmd, bool is_proc)
{
	char	   *target = target_arg(fcinfo, 0);
	ReturnSetInfo *rsinfo = NULL;
	bool		nonatomic = false;
	MemoryContext callercxt = CurrentMemoryContext;
	volatile int done = 0;

	if (is_proc)
		nonatomic = fcinfo->context != NULL &&
			IsA(fcinfo->context, CallContext) &&
			!castNode(CallContext, fcinfo->context)->atomic;
	else
	{
		mig_init_srf(fcinfo, false);
		rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	}

	if (nonatomic)
	{
		/*
		 * Commit the CALL's own transaction first, so that waiting for the
		 * lock holds no snapshot: no xmin that holds back vacuum, nothing
		 * CREATE INDEX CONCURRENTLY elsewhere would wait for.
		 */
		if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		SPI_commit();
		(void) mig_lock_acquire(true);
	}
	else
	{
		(void) mig_lock_acquire(false);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
	}

	PG_TRY();
	{
		MigGraph   *g;
		MigPlan    *plan;
		char	  **before;
		int			nbefore;
		MemoryContext stepcxt;
		int			i;

		g = load_graph();
		before = registry_current_heads(&nbefore);
		plan = mig_graph_plan(g, cmd, target, before, nbefore);
		runner_check_plan(g, plan, nonatomic);

		stepcxt = AllocSetContextCreate(CurrentMemoryContext,
										"schemamig step",
										ALLOCSET_DEFAULT_SIZES);
		for (i = 0; i < plan->nsteps; i++)
		{
			MigStep    *step = &plan->steps[i];
			MemoryContext old = MemoryContextSwitchTo(stepcxt);
			MigStepResult res;

			res = runner_run_step(g, step, before, nbefore, target,
								  i, plan->nsteps);
			if (rsinfo)
			{
				Datum		values[3];
				bool		nulls[3] = {false, false, false};

				values[0] = CStringGetTextDatum(res.revision);
				if (res.message)
					values[1] = CStringGetTextDatum(res.message);
				else
					nulls[1] = true;
				values[2] = Float8GetDatum(res.duration_ms);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
									 values, nulls);
			}
			MemoryContextSwitchTo(old);
			MemoryContextReset(stepcxt);

			{
				char	  **after = runner_heads_after(g, step, before, nbefore,
														 &nbefore);

				/* keep one copy of the heads alive, not one per step */
				if (i > 0)
					pfree(before);
				before = after;
			}
			done++;

			if (nonatomic)
				SPI_commit();
		}

		/*
		 * The snapshot of the state this call leaves (unless nothing
		 * moved).  Procedures take it once at the end too: a model load per
		 * committed revision would cost more than the revisions; if one is
		 * interrupted, mig_check() says the heads it left have no snapshot.
		 */
		if (plan->nsteps > 0)
			mig_snapshot_take(before, nbefore);
		SPI_finish();
	}
	PG_CATCH();
	{
		if (nonatomic)
			mig_lock_release_session();
		runner_rethrow(callercxt, done);
	}
	PG_END_TRY();

	if (nonatomic)
		mig_lock_release_session();
}

/*
 * mig_upgrade
 *		Upgrade to a target; one row per revision applied.
 */
Datum
mig_upgrade(PG_FUNCTION_ARGS)
{
	run_migration(fcinfo, MIG_CMD_UPGRADE, false);
	return (Datum) 0;
}

/*
 * mig_downgrade
 *		Downgrade to a target; one row per revision un-applied.
 */
Datum
mig_downgrade(PG_FUNCTION_ARGS)
{
	run_migration(fcinfo, MIG_CMD_DOWNGRADE, false);
	return (Datum) 0;
}

/*
 * mig_upgrade_proc
 *		CALL mig_upgrade_proc(target): upgrade, committing per revision.
 */
Datum
mig_upgrade_proc(PG_FUNCTION_ARGS)
{
	run_migration(fcinfo, MIG_CMD_UPGRADE, true);
	PG_RETURN_VOID();
}

/*
 * mig_downgrade_proc
 *		CALL mig_downgrade_proc(target): downgrade, committing per revision.
 */
Datum
mig_downgrade_proc(PG_FUNCTION_ARGS)
{
	run_migration(fcinfo, MIG_CMD_DOWNGRADE, true);
	PG_RETURN_VOID();
}

/*
 * put_text_rows
 *		Emit C strings as the rows of a SETOF text function.
 */
static void
put_text_rows(FunctionCallInfo fcinfo, char **items, int n)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	for (i = 0; i < n; i++)
	{
		Datum		value = CStringGetTextDatum(items[i]);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	}
}

/*
 * compare_strings
 *		qsort comparator for C strings.
 */
static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * mig_stamp
 *		Set the current heads without running SQL; returns them.
 */
Datum
mig_stamp(PG_FUNCTION_ARGS)
{
	char	   *target = target_arg(fcinfo, 0);
	MigGraph   *g;
	MigPlan    *plan;
	char	  **before;
	int			nbefore;
	char	  **after;

	mig_init_srf(fcinfo, true);
	(void) mig_lock_acquire(false);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	g = load_graph();
	before = registry_current_heads(&nbefore);
	plan = mig_graph_plan(g, MIG_CMD_STAMP, target, before, nbefore);
	runner_stamp(g, plan, before, nbefore, target, NULL);
	mig_snapshot_take(runner_ids(g, plan->final_heads, plan->nfinal), plan->nfinal);

	after = runner_ids(g, plan->final_heads, plan->nfinal);
	qsort(after, plan->nfinal, sizeof(char *), compare_strings);
	put_text_rows(fcinfo, after, plan->nfinal);
	SPI_finish();

	return (Datum) 0;
}

/*
 * mig_current
 *		The version table's heads, sorted.
 */
Datum
mig_current(PG_FUNCTION_ARGS)
{
	char	  **heads;
	int			n;

	mig_init_srf(fcinfo, true);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	heads = registry_current_heads(&n);
	put_text_rows(fcinfo, heads, n);
	SPI_finish();
	return (Datum) 0;
}

/*
 * mig_heads
 *		The heads of the registered graph, sorted.
 */
Datum
mig_heads(PG_FUNCTION_ARGS)
{
	MigGraph   *g;
	int		   *idx;
	int			n;
	char	  **ids;

	mig_init_srf(fcinfo, true);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	g = load_graph();
	idx = mig_graph_heads(g, &n);
	ids = runner_ids(g, idx, n);
	qsort(ids, n, sizeof(char *), compare_strings);
	put_text_rows(fcinfo, ids, n);
	SPI_finish();
	return (Datum) 0;
}

/*
 * join_strings
 *		"a,b,c", or NULL for an empty list.
 */
static char *
join_strings(char **items, int n)
{
	StringInfoData buf;
	int			i;

	if (n == 0)
		return NULL;
	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? "," : "", items[i]);
	return buf.data;
}

/*
 * mig_history
 *		The graph in registration order, with applied state and timings.
 */
Datum
mig_history(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	MigGraph   *g;
	char	  **current;
	int			ncurrent;
	bool	   *applied;
	bool	   *is_current;
	bool	   *is_head;
	char	  **messages;
	char	  **applied_at;
	double	   *duration;
	char	  **applied_by;
	int		   *heads;
	int			nheads;
	int			n;
	int			i;

	mig_init_srf(fcinfo, false);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	g = load_graph();
	n = mig_graph_nrevs(g);
	current = registry_current_heads(&ncurrent);
	applied = mig_graph_applied(g, current, ncurrent);
	messages = registry_load_messages(g);

	is_current = palloc0(sizeof(bool) * Max(n, 1));
	for (i = 0; i < ncurrent; i++)
	{
		int			idx = mig_graph_find(g, current[i]);

		if (idx >= 0)
			is_current[idx] = true;
	}
	is_head = palloc0(sizeof(bool) * Max(n, 1));
	heads = mig_graph_heads(g, &nheads);
	for (i = 0; i < nheads; i++)
		is_head[heads[i]] = true;

	applied_at = palloc(sizeof(char *) * Max(n, 1));
	duration = palloc(sizeof(double) * Max(n, 1));
	applied_by = palloc(sizeof(char *) * Max(n, 1));
	registry_last_upgrades(g, applied_at, duration, applied_by);

	for (i = 0; i < n; i++)
	{
		const MigRevDef *d = mig_graph_rev(g, i);
		Datum		values[11];
		bool		nulls[11];
		char	   *s;

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(d->id);
		if ((s = join_strings(d->parents, d->nparents)) != NULL)
			values[1] = CStringGetTextDatum(s);
		else
			nulls[1] = true;
		if ((s = join_strings(d->labels, d->nlabels)) != NULL)
			values[2] = CStringGetTextDatum(s);
		else
			nulls[2] = true;
		if ((s = join_strings(d->depends, d->ndepends)) != NULL)
			values[3] = CStringGetTextDatum(s);
		else
			nulls[3] = true;
		if (messages[i])
			values[4] = CStringGetTextDatum(messages[i]);
		else
			nulls[4] = true;
		values[5] = BoolGetDatum(applied[i]);
		values[6] = BoolGetDatum(is_current[i]);
		values[7] = BoolGetDatum(is_head[i]);
		if (applied[i] && applied_at[i])
		{
			values[8] = DirectFunctionCall3(timestamptz_in,
											CStringGetDatum(applied_at[i]),
											ObjectIdGetDatum(InvalidOid),
											Int32GetDatum(-1));
			if (duration[i] >= 0)
				values[9] = Float8GetDatum(duration[i]);
			else
				nulls[9] = true;
			values[10] = CStringGetDatum(applied_by[i]);
			values[10] = DirectFunctionCall1(namein, values[10]);
		}
		else
			nulls[8] = nulls[9] = nulls[10] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * append_version_sql
 *		The version-table statements that turn heads "before" into "after",
 *		as Alembic's offline mode writes them.
 */
static void
append_version_sql(List **lines, char **before, int nbefore,
				   char **after, int nafter)
{
	List	   *removed = NIL;
	List	   *added = NIL;
	int			i,
				j;

	for (i = 0; i < nbefore; i++)
	{
		for (j = 0; j < nafter; j++)
			if (strcmp(before[i], after[j]) == 0)
				break;
		if (j == nafter)
			removed = lappend(removed, before[i]);
	}
	for (j = 0; j < nafter; j++)
	{
		for (i = 0; i < nbefore; i++)
			if (strcmp(before[i], after[j]) == 0)
				break;
		if (i == nbefore)
			added = lappend(added, after[j]);
	}

	/* pair removals with additions as UPDATEs, then the rest */
	while (removed != NIL && added != NIL)
	{
		*lines = lappend(*lines,
						 psprintf("UPDATE schemamig.version SET revision = %s WHERE revision = %s;",
								  quote_literal_cstr(linitial(added)),
								  quote_literal_cstr(linitial(removed))));
		removed = list_delete_first(removed);
		added = list_delete_first(added);
	}
	while (removed != NIL)
	{
		*lines = lappend(*lines,
						 psprintf("DELETE FROM schemamig.version WHERE revision = %s;",
								  quote_literal_cstr(linitial(removed))));
		removed = list_delete_first(removed);
	}
	while (added != NIL)
	{
		*lines = lappend(*lines,
						 psprintf("INSERT INTO schemamig.version (revision) VALUES (%s);",
								  quote_literal_cstr(linitial(added))));
		added = list_delete_first(added);
	}
}

/*
 * mig_sql
 *		The script an upgrade or downgrade from from_target to to_target
 *		would run, Alembic's offline (--sql) mode: each revision's
 *		statements and the version-table statements, in one transaction.
 *
 * from_target is resolved like any target against the current heads
 * ("base" for an empty database, NULL for the current heads).  The
 * direction follows from the graph: downgrade when to_target is "base" or
 * lies below from_target, upgrade otherwise.
 */
Datum
mig_sql(PG_FUNCTION_ARGS)
{
	char	   *to;
	MigGraph   *g;
	char	  **current;
	int			ncurrent;
	char	  **from;
	int			nfrom;
	MigCommand	cmd = MIG_CMD_UPGRADE;
	MigPlan    *plan;
	List	   *lines = NIL;
	ListCell   *lc;
	char	  **before;
	int			nbefore;
	int			i;

	to = target_arg(fcinfo, 1);
	mig_init_srf(fcinfo, true);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	g = load_graph();
	current = registry_current_heads(&ncurrent);
	if (PG_ARGISNULL(0))
	{
		from = current;
		nfrom = ncurrent;
	}
	else
	{
		int		   *idx = mig_graph_resolve(g, text_to_cstring(PG_GETARG_TEXT_PP(0)),
											current, ncurrent, &nfrom);

		from = runner_ids(g, idx, nfrom);
	}

	if (strcmp(to, "base") == 0 || (to[0] == '-' && nfrom > 0))
		cmd = MIG_CMD_DOWNGRADE;
	else if (nfrom > 0 && strcmp(to, "head") != 0 && strcmp(to, "heads") != 0 &&
			 to[0] != '+')
	{
		int			nto;
		int		   *toidx = mig_graph_resolve(g, to, from, nfrom, &nto);
		bool		below = nto > 0;

		/* downgrade if every revision named is at or below the start */
		for (i = 0; i < nto && below; i++)
		{
			int			j;
			bool		found = false;

			for (j = 0; j < nfrom && !found; j++)
				found = mig_graph_is_ancestor(g, toidx[i],
											  mig_graph_find(g, from[j]));
			below = found;
		}
		if (below)
			cmd = MIG_CMD_DOWNGRADE;
	}

	plan = mig_graph_plan(g, cmd, to, from, nfrom);
	if (cmd == MIG_CMD_DOWNGRADE)
		runner_check_plan(g, plan, false);

	lines = lappend(lines, psprintf("-- schemamig offline script: %s from %s to %s",
									cmd == MIG_CMD_UPGRADE ? "upgrade" : "downgrade",
									nfrom > 0 ? join_strings(from, nfrom) : "base",
									to));
	lines = lappend(lines, "BEGIN;");
	before = from;
	nbefore = nfrom;
	for (i = 0; i < plan->nsteps; i++)
	{
		MigStep    *step = &plan->steps[i];
		const MigRevDef *d = mig_graph_rev(g, step->rev);
		MigRevisionRow *row = registry_fetch(d->id);
		const char *sql = step->upgrade ? row->upgrade : row->downgrade;
		List	   *stmts;
		char	  **after;
		int			nafter;

		lines = lappend(lines, psprintf("-- Running %s %s -> %s%s%s",
										step->upgrade ? "upgrade" : "downgrade",
										step->upgrade ? (d->nparents ? join_strings(d->parents, d->nparents) : "base") : d->id,
										step->upgrade ? d->id : (d->nparents ? join_strings(d->parents, d->nparents) : "base"),
										row->message ? ": " : "",
										row->message ? row->message : ""));
		stmts = sqltext_split(sql ? sql : "",
							  psprintf("revision \"%s\" %s", d->id,
									   step->upgrade ? "upgrade" : "downgrade"));
		foreach(lc, stmts)
		{
			const char *text = ((MigStatement *) lfirst(lc))->text;
			const char *last = strrchr(text, '\n');

			/* a trailing "--" comment would swallow the semicolon */
			last = last ? last + 1 : text;
			lines = lappend(lines, psprintf(strstr(last, "--") ? "%s\n;" : "%s;", text));
		}

		after = runner_heads_after(g, step, before, nbefore, &nafter);
		append_version_sql(&lines, before, nbefore, after, nafter);
		before = after;
		nbefore = nafter;
	}
	lines = lappend(lines, "COMMIT;");

	foreach(lc, lines)
	{
		char	   *line = (char *) lfirst(lc);

		put_text_rows(fcinfo, &line, 1);
	}
	SPI_finish();
	return (Datum) 0;
}
