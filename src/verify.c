/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  Round-trip verification: for each revision of a plan, upgrade,
 *	  downgrade, check that the schema and the data are back as they were,
 *	  upgrade again; everything inside a subtransaction rolled back at the
 *	  end, so the database is left exactly as it was.
 *
 * The schema is compared as the model of the managed schemas (model.c);
 * the data as a row count and an order-independent checksum of every
 * table of the managed schemas that existed before the revision.  Each
 * round trip runs in a subtransaction that is always rolled back, then the
 * revision is applied plainly: every revision is verified from the state a
 * plain upgrade leaves, whatever the round trips before it did.
 *
 * IDENTIFICATION
 *	  src/verify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/varlena.h"

#include "graph.h"
#include "hook.h"
#include "migration_lock.h"
#include "model.h"
#include "registry.h"
#include "runner.h"
#include "schemamig.h"
#include "snapshot.h"
#include "verify.h"

PG_FUNCTION_INFO_V1(mig_verify);

/* The state compared before and after a round trip. */
typedef struct VerifyState
{
	List	   *models;			/* MigModel * per managed schema */
	List	   *tables;			/* char * qualified names */
	List	   *sums;			/* char * "count:md5" per table */
} VerifyState;

/* How far the round trip through one revision got. */
typedef struct RoundTrip
{
	bool		up_ok;			/* the upgrade ran */
	bool		down_ok;		/* the downgrade ran */
	bool		schema_ok;		/* the schema came back as it was */
	bool		data_ok;		/* so did the data */
	char	   *difference;		/* the first difference, or NULL */
} RoundTrip;

/*
 * capture
 *		The models of the managed schemas, and each table's row count and
 *		checksum (md5 over the sorted md5s of its rows).
 */
static VerifyState *
capture(List *schemas)
{
	VerifyState *st = palloc0(sizeof(VerifyState));
	ListCell   *lc;
	List	   *tables = NIL;

	foreach(lc, schemas)
	{
		const char *schema = (const char *) lfirst(lc);
		Oid			types[1] = {TEXTOID};
		Datum		values[1] = {CStringGetTextDatum(schema)};

		st->models = lappend(st->models, mig_model_load(schema));
		if (SPI_execute_with_args("SELECT format('%I.%I', n.nspname, c.relname) "
								  "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
								  "ON n.oid = c.relnamespace "
								  "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') "
								  "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
								  "  WHERE d.classid = 'pg_catalog.pg_class'::regclass "
								  "  AND d.objid = c.oid AND d.deptype = 'e') "
								  "ORDER BY 1",
								  1, types, values, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not list tables");
		for (uint64 i = 0; i < SPI_processed; i++)
			tables = lappend(tables, SPI_getvalue(SPI_tuptable->vals[i],
												  SPI_tuptable->tupdesc, 1));
	}
	foreach(lc, tables)
	{
		const char *t = (const char *) lfirst(lc);

		if (SPI_execute(psprintf("SELECT count(*) || ':' || coalesce(md5(string_agg(h, '' ORDER BY h)), '') "
								 "FROM (SELECT md5(x::text) AS h FROM ONLY %s x) s", t),
						false, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not checksum table %s", t);
		st->tables = lappend(st->tables, pstrdup(t));
		st->sums = lappend(st->sums, SPI_getvalue(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 1));
	}
	return st;
}

/*
 * mentions_table
 *		Does sql name the table (its unqualified name, as a whole word,
 *		ignoring case)?  That is how "a table the revision touches" is told:
 *		its data may legitimately differ after a round trip.
 */
static bool
mentions_table(const char *sql, const char *qualified)
{
	const char *dot = strrchr(qualified, '.');
	char	   *name = pstrdup(dot ? dot + 1 : qualified);
	char	   *lower;
	char	   *p;
	size_t		len;

	if (sql == NULL)
		return false;
	if (name[0] == '"')
	{
		name++;
		name[strlen(name) - 1] = '\0';
	}
	lower = asc_tolower(sql, strlen(sql));
	name = asc_tolower(name, strlen(name));
	len = strlen(name);
	for (p = strstr(lower, name); p != NULL; p = strstr(p + 1, name))
	{
		bool		start = (p == lower) ||
			!(isalnum((unsigned char) p[-1]) || p[-1] == '_');
		bool		end = !(isalnum((unsigned char) p[len]) || p[len] == '_');

		if (start && end)
			return true;
	}
	return false;
}

/*
 * compare_states
 *		Schema first, then data of the tables that still exist and that the
 *		revision's SQL does not name.
 */
static void
compare_states(VerifyState *before, VerifyState *after,
			   const char *upsql, const char *downsql,
			   bool *schema_ok, bool *data_ok, char **difference)
{
	ListCell   *la,
			   *lb;

	*schema_ok = true;
	*data_ok = true;
	forboth(la, before->models, lb, after->models)
	{
		char	   *d = mig_snapshot_first_difference(lfirst(la), lfirst(lb));

		if (d != NULL && *schema_ok)
		{
			*schema_ok = false;
			*difference = psprintf("%s after the downgrade", d);
		}
	}
	forboth(la, before->tables, lb, before->sums)
	{
		const char *t = lfirst(la);
		ListCell   *ta,
				   *sa;

		if (mentions_table(upsql, t) || mentions_table(downsql, t))
			continue;
		forboth(ta, after->tables, sa, after->sums)
		{
			if (strcmp(t, lfirst(ta)) != 0)
				continue;
			if (strcmp(lfirst(lb), lfirst(sa)) != 0)
			{
				if (*data_ok && *difference == NULL)
					*difference = psprintf("rows of %s differ after the downgrade (count:checksum %s, then %s)",
										   t, (char *) lfirst(lb), (char *) lfirst(sa));
				*data_ok = false;
			}
		}
	}
}

/*
 * inverse_step
 *		The step that un-applies what step applied.
 */
static MigStep
inverse_step(const MigStep *step)
{
	MigStep		inv;

	inv.rev = step->rev;
	inv.upgrade = !step->upgrade;
	inv.nremoved = step->nadded;
	inv.removed = step->added;
	inv.nadded = step->nremoved;
	inv.added = step->removed;
	return inv;
}

/*
 * error_message
 *		Swallow the current error (in a subtransaction being rolled back)
 *		and return its message.
 */
static char *
error_message(MemoryContext cxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	return edata->message;
}

/*
 * round_trip
 *		Upgrade through step, downgrade, compare with the state before, and
 *		upgrade again, inside the caller's subtransaction (which the caller
 *		rolls back whatever happened).  rt says how far it got and the first
 *		difference; an error is caught and becomes (part of) the difference.
 *
 * A function of its own rather than a PG_TRY nested in mig_verify's: the
 * variables of nested PG_TRY blocks shadow one another, which PGXS' flags
 * reject from PostgreSQL 16 on (-Wshadow=compatible-local).
 */
static void
round_trip(const MigGraph *g, const MigStep *step,
		   char **before, int nbefore, char **after, int nafter,
		   const char *target, int k, int nsteps, List *schemas,
		   const char *id, MemoryContext cxt, RoundTrip *rt)
{
	volatile RoundTrip *vrt = rt;
	MigStep		inv = inverse_step(step);

	PG_TRY();
	{
		VerifyState *s0 = capture(schemas);
		VerifyState *s1;

		(void) runner_run_step(g, step, before, nbefore, target, k, nsteps);
		vrt->up_ok = true;
		(void) runner_run_step(g, &inv, after, nafter, target, k, nsteps);
		vrt->down_ok = true;
		s1 = capture(schemas);
		{
			char	   *d = NULL;
			bool		sok,
						dok;

			MigRevisionRow *row = registry_fetch(id);

			compare_states(s0, s1, row ? row->upgrade : NULL,
						   row ? row->downgrade : NULL, &sok, &dok, &d);
			vrt->schema_ok = sok;
			vrt->data_ok = dok;
			vrt->difference = d;
		}
		(void) runner_run_step(g, step, before, nbefore, target, k, nsteps);
	}
	PG_CATCH();
	{
		char	   *msg = error_message(cxt);

		vrt->difference = psprintf("%s%s%s failed: %s",
								   vrt->difference ? vrt->difference : "",
								   vrt->difference ? "; " : "",
								   !vrt->up_ok ? "upgrade" : !vrt->down_ok ? "downgrade" : "upgrade again",
								   msg);
	}
	PG_END_TRY();
}

/*
 * apply_plainly
 *		Run one step of the plan (a pending revision before the one being
 *		verified) in a subtransaction of its own; NULL when it worked, its
 *		error message when it failed (and was rolled back).
 */
static char *
apply_plainly(const MigGraph *g, const MigStep *step, char **before,
			  int nbefore, const char *target, int k, int n,
			  MemoryContext cxt, ResourceOwner owner)
{
	char	   *volatile failure = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		(void) runner_run_step(g, step, before, nbefore, target, k, n);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		failure = error_message(cxt);
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return failure;
}

/*
 * mig_verify_target
 *		The round trips of the revisions an upgrade to target would run (see
 *		verify.h).  Each round trip runs in a subtransaction rolled back
 *		right after it, and the whole run in one rolled back at the end.
 */
List *
mig_verify_target(const char *target, const char *only)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt;
	ResourceOwner owner = CurrentResourceOwner;
	MigGraph   *g;
	MigPlan    *plan;
	char	  **current;
	int			ncurrent;
	List	   *schemas;
	List	   *volatile results = NIL;
	volatile int i;
	bool		save_progress = mig_notice_progress;

	(void) mig_lock_acquire(false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	cxt = CurrentMemoryContext;

	{
		int			n;
		MigRevDef  *defs = registry_load_defs(&n);

		g = mig_graph_build(defs, n);
	}
	current = registry_current_heads(&ncurrent);
	plan = mig_graph_plan(g, MIG_CMD_UPGRADE, target, current, ncurrent);
	runner_check_plan(g, plan, false);
	schemas = mig_managed_schema_list();

	/* everything below is rolled back at the end */
	mig_notice_progress = false;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);

	PG_TRY();
	{
		char	  **volatile before = current;
		volatile int nbefore = ncurrent;

		for (i = 0; i < plan->nsteps; i++)
		{
			MigStep    *step = &plan->steps[i];
			const char *id = mig_graph_rev(g, step->rev)->id;
			char	  **after;
			int			nafter;
			RoundTrip	rt = {false, false, false, false, NULL};
			instr_time	t0,
						t1;
			MigVerifyResult *res;

			after = runner_heads_after(g, step, before, nbefore, &nafter);

			/* not the revision asked for: apply it plainly */
			if (only != NULL && strcmp(id, only) != 0)
			{
				char	   *failure = apply_plainly(g, step, before, nbefore,
													target, i, plan->nsteps,
													cxt, owner);

				if (failure != NULL)
				{
					MemoryContextSwitchTo(caller);
					res = palloc0(sizeof(MigVerifyResult));
					res->revision = pstrdup(only);
					res->first_difference =
						psprintf("upgrade of revision \"%s\", which runs before it, failed: %s",
								 id, failure);
					results = lappend(results, res);
					MemoryContextSwitchTo(cxt);
					break;
				}
				before = after;
				nbefore = nafter;
				continue;
			}

			INSTR_TIME_SET_CURRENT(t0);

			/* the round trip, in a subtransaction of its own */
			BeginInternalSubTransaction(NULL);
			MemoryContextSwitchTo(cxt);
			round_trip(g, step, before, nbefore, after, nafter, target, i,
					   plan->nsteps, schemas, id, cxt, &rt);

			/*
			 * Undo the round trip whatever it did, and apply the revision
			 * plainly: the next revision is verified from the state a plain
			 * upgrade leaves, not from what an imperfect downgrade left.
			 */
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			if (rt.up_ok)
				(void) runner_run_step(g, step, before, nbefore, target, i, plan->nsteps);
			INSTR_TIME_SET_CURRENT(t1);
			INSTR_TIME_SUBTRACT(t1, t0);

			/* the result outlives SPI and the subtransactions */
			MemoryContextSwitchTo(caller);
			res = palloc0(sizeof(MigVerifyResult));
			res->revision = pstrdup(id);
			res->upgrade_ok = rt.up_ok;
			res->downgrade_ok = rt.down_ok;
			res->schema_restored = rt.down_ok && rt.schema_ok;
			res->data_preserved = rt.down_ok && rt.data_ok;
			res->duration_ms = INSTR_TIME_GET_MILLISEC(t1);
			res->first_difference = rt.difference ? pstrdup(rt.difference) : NULL;
			results = lappend(results, res);
			MemoryContextSwitchTo(cxt);

			if (!rt.up_ok)
				break;			/* the graph beyond cannot be reached */
			if (only != NULL)
				break;			/* nothing after it was asked for */
			before = after;
			nbefore = nafter;
		}
	}
	PG_CATCH();
	{
		mig_notice_progress = save_progress;
		PG_RE_THROW();
	}
	PG_END_TRY();

	/* leave the database exactly as it was */
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	mig_notice_progress = save_progress;

	SPI_finish();
	return results;
}

/*
 * mig_verify
 *		One row per revision an upgrade to target would run: upgrade ok,
 *		downgrade ok, schema restored, data preserved, time, first
 *		difference.  Leaves the database exactly as it was.
 */
Datum
mig_verify(PG_FUNCTION_ARGS)
{
	char	   *target = PG_ARGISNULL(0) ? "heads" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo;
	List	   *results;
	ListCell   *lc;

	mig_init_srf(fcinfo, false);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	results = mig_verify_target(target, NULL);
	foreach(lc, results)
	{
		MigVerifyResult *res = (MigVerifyResult *) lfirst(lc);
		Datum		values[7];
		bool		nulls[7] = {false, false, false, false, false, false, false};

		values[0] = CStringGetTextDatum(res->revision);
		values[1] = BoolGetDatum(res->upgrade_ok);
		values[2] = BoolGetDatum(res->downgrade_ok);
		values[3] = BoolGetDatum(res->schema_restored);
		values[4] = BoolGetDatum(res->data_preserved);
		values[5] = Float8GetDatum(res->duration_ms);
		if (res->first_difference)
			values[6] = CStringGetTextDatum(res->first_difference);
		else
			nulls[6] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
