/*-------------------------------------------------------------------------
 *
 * api_diff.c
 *	  SQL entry points of the schema model and the diff engine: mig_model,
 *	  mig_diff, mig_diff_models and mig_autogenerate.
 *
 * mig_autogenerate registers a revision whose upgrade is the diff from the
 * live schema to a desired state and whose downgrade is the diff back.  The
 * desired state is a schema of the same database, or SQL text (a
 * declarative schema file) that runs in a subtransaction, into a scratch
 * schema of a unique name that comes first in search_path; the model of the
 * scratch schema is read, and the subtransaction is rolled back, so that
 * nothing the SQL did survives, whether it succeeded or failed.
 *
 * IDENTIFICATION
 *	  src/api_diff.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "diff.h"
#include "graph.h"
#include "migration_lock.h"
#include "model.h"
#include "registry.h"
#include "schemamig.h"
#include "sqltext.h"

PG_FUNCTION_INFO_V1(mig_model);
PG_FUNCTION_INFO_V1(mig_diff);
PG_FUNCTION_INFO_V1(mig_diff_models);
PG_FUNCTION_INFO_V1(mig_autogenerate);

/* see diff.h */
const char *mig_scratch_schema = NULL;

/*
 * required_text_arg
 *		Argument argno as a C string; an error naming it when it is NULL.
 */
static char *
required_text_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s cannot be null", name)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * put_statements
 *		Return a diff's statements as the rows of a SETOF text result.
 */
static void
put_statements(FunctionCallInfo fcinfo, List *stmts)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	foreach(lc, stmts)
	{
		Datum		value = CStringGetTextDatum((char *) lfirst(lc));
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	}
}

/*
 * mig_model
 *		The model of a schema as jsonb.
 */
Datum
mig_model(PG_FUNCTION_ARGS)
{
	char	   *schema = required_text_arg(fcinfo, 0, "schema");
	MemoryContext oldcxt = CurrentMemoryContext;
	MigModel   *model;
	Datum		result;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	model = mig_model_load(schema);
	MemoryContextSwitchTo(oldcxt);
	result = mig_model_to_jsonb(model);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * mig_diff
 *		The statements that make target_schema look like desired_schema.
 */
Datum
mig_diff(PG_FUNCTION_ARGS)
{
	char	   *target = required_text_arg(fcinfo, 0, "target_schema");
	char	   *desired = required_text_arg(fcinfo, 1, "desired_schema");
	bool		concurrently = PG_NARGS() > 2 && !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	MigModel   *t;
	MigModel   *d;
	MigDiffResult *result;

	mig_init_srf(fcinfo, true);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	t = mig_model_load(target);
	if (strcmp(target, desired) == 0)
	{
		/* a schema is like itself */
		SPI_finish();
		return (Datum) 0;
	}
	d = mig_model_load(desired);
	result = mig_diff_compute(t, d, concurrently ? MIG_DIFF_CONCURRENTLY : 0);
	mig_diff_report(result);
	put_statements(fcinfo, result->statements);
	SPI_finish();
	return (Datum) 0;
}

/*
 * mig_diff_models
 *		The same over two models as mig_model() returns them (snapshots):
 *		the statements are qualified with the target model's schema.
 */
Datum
mig_diff_models(PG_FUNCTION_ARGS)
{
	bool		concurrently = PG_NARGS() > 2 && !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	MigModel   *t;
	MigModel   *d;
	MigDiffResult *result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("schema models cannot be null")));
	mig_init_srf(fcinfo, true);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	t = mig_model_from_jsonb(PG_GETARG_DATUM(0));
	d = mig_model_from_jsonb(PG_GETARG_DATUM(1));
	result = mig_diff_compute(t, d, concurrently ? MIG_DIFF_CONCURRENTLY : 0);
	mig_diff_report(result);
	put_statements(fcinfo, result->statements);
	SPI_finish();
	return (Datum) 0;
}

/* ------------------------------------------------------------------------
 * mig_autogenerate
 * ------------------------------------------------------------------------ */

/* errcontext of the desired SQL's statements */
typedef struct DesiredSqlContext
{
	int			number;
	int			lineno;
} DesiredSqlContext;

/*
 * desired_sql_callback
 *		"while running statement N (line L) of the desired schema SQL".
 */
static void
desired_sql_callback(void *arg)
{
	DesiredSqlContext *ctx = (DesiredSqlContext *) arg;

	if (ctx->number > 0)
		errcontext("statement %d (line %d) of the desired schema SQL", ctx->number, ctx->lineno);
}

/*
 * scratch_model
 *		Run sql in a subtransaction, in a new schema of a unique name that
 *		comes first in search_path (then target_schema, for the extensions
 *		installed there), read that schema's model into cxt, and roll the
 *		subtransaction back.  Caller is connected to SPI.
 */
static MigModel *
scratch_model(const char *sql, const char *target_schema, MemoryContext cxt)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	MigModel   *model = NULL;
	char	   *scratch;
	uint8		bytes[6];
	char		hex[13];

	if (!pg_strong_random(bytes, sizeof(bytes)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random schema name")));
	hex_encode((char *) bytes, sizeof(bytes), hex);
	hex[12] = '\0';
	scratch = psprintf("mig_scratch_%s", hex);

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);

	PG_TRY();
	{
		List	   *stmts;
		ListCell   *lc;
		ErrorContextCallback errcallback;
		DesiredSqlContext ctx = {0, 0};
		int			nestlevel;

		mig_scratch_schema = scratch;

		if (SPI_execute(psprintf("CREATE SCHEMA %s", quote_identifier(scratch)), false, 0) < 0)
			elog(ERROR, "could not create the scratch schema");
		nestlevel = NewGUCNestLevel();
		(void) set_config_option("search_path",
								 psprintf("%s, %s", quote_identifier(scratch),
										  quote_identifier(target_schema)),
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);

		stmts = sqltext_split(sql, "the desired schema SQL");
		errcallback.callback = desired_sql_callback;
		errcallback.arg = &ctx;
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;
		foreach(lc, stmts)
		{
			MigStatement *st = (MigStatement *) lfirst(lc);
			const char *tc = sqltext_transaction_control(st->parsetree);

			ctx.number = st->number;
			ctx.lineno = st->lineno;
			if (tc != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
						 errmsg("the desired schema SQL contains transaction control: %s", tc)));
			if (SPI_execute(st->text, false, 0) < 0)
				elog(ERROR, "SPI_execute failed");
		}
		ctx.number = 0;
		error_context_stack = errcallback.previous;
		AtEOXact_GUC(true, nestlevel);

		MemoryContextSwitchTo(cxt);
		model = mig_model_load(scratch);
		MemoryContextSwitchTo(oldcontext);

		/* nothing of what the SQL did survives */
		mig_scratch_schema = NULL;
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		mig_scratch_schema = NULL;
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		ReThrowError(edata);
	}
	PG_END_TRY();

	return model;
}

/*
 * mig_diff_script
 *		A diff as revision SQL: its warnings as comments, then its
 *		statements, one per line.
 */
char *
mig_diff_script(const MigDiffResult *r)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, r->warnings)
	{
		MigDiffWarning *w = lfirst(lc);

		appendStringInfo(&buf, "-- WARNING: %s\n", w->message);
		if (w->detail)
			appendStringInfo(&buf, "--   %s\n", w->detail);
		if (w->hint)
			appendStringInfo(&buf, "--   %s\n", w->hint);
	}
	foreach(lc, r->statements)
		appendStringInfo(&buf, "%s\n", (char *) lfirst(lc));
	return buf.data;
}

/*
 * single_head
 *		The single head of the registered graph (NULL when it is empty),
 *		after checking that the database is at it: autogenerate compares
 *		the live schema, which must be what the graph's head describes.
 */
static char *
single_head(void)
{
	int			n;
	MigRevDef  *defs = registry_load_defs(&n);
	MigGraph   *g;
	int		   *heads;
	int			nheads;
	char	  **current;
	int			ncurrent;

	if (n == 0)
		return NULL;
	g = mig_graph_build(defs, n);
	heads = mig_graph_heads(g, &nheads);
	if (nheads > 1)
	{
		StringInfoData buf;
		int			i;

		initStringInfo(&buf);
		for (i = 0; i < nheads; i++)
			appendStringInfo(&buf, "%s%s", i ? ", " : "", mig_graph_rev(g, heads[i])->id);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the revision graph has %d heads", nheads),
				 errdetail("The heads are %s; an autogenerated revision has one parent.", buf.data),
				 errhint("Merge them first with mig_merge('heads').")));
	}
	current = registry_current_heads(&ncurrent);
	if (ncurrent != 1 || strcmp(current[0], mig_graph_rev(g, heads[0])->id) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the database is not at the head of the revision graph"),
				 errdetail("The head is %s; the database is at %s.",
						   mig_graph_rev(g, heads[0])->id,
						   ncurrent == 0 ? "base" : current[0]),
				 errhint("Run mig_upgrade('head') first: autogenerate compares the live schema with the desired one.")));
	return pstrdup(mig_graph_rev(g, heads[0])->id);
}

/*
 * mig_autogenerate
 *		Register a revision from a desired state (a schema name, or SQL
 *		text): upgrade = diff(live -> desired), downgrade = diff(desired ->
 *		live), parent = the current single head.  Returns the revision id,
 *		or NULL (and registers nothing) when there is no difference.
 */
Datum
mig_autogenerate(PG_FUNCTION_ARGS)
{
	char	   *desired = required_text_arg(fcinfo, 0, "desired");
	char	   *message = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *revision = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *target = required_text_arg(fcinfo, 3, "target_schema");
	MemoryContext cxt = CurrentMemoryContext;
	MigModel   *t;
	MigModel   *d;
	MigDiffResult *up;
	MigDiffResult *down;
	char	   *parent;
	int			flags = 0;
	Datum		id;

	(void) mig_lock_acquire(false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	parent = single_head();
	if (parent)
		parent = MemoryContextStrdup(cxt, parent);

	t = mig_model_load(target);
	if (OidIsValid(get_namespace_oid(desired, true)))
		d = mig_model_load(desired);
	else
	{
		d = scratch_model(desired, target, CurrentMemoryContext);
		/* the scratch schema's own owner, ACL and comment are not wanted */
		flags |= MIG_DIFF_SKIP_SCHEMA;
	}
	d = mig_model_rename(d, target);

	up = mig_diff_compute(t, d, flags);
	if (up->statements == NIL)
	{
		SPI_finish();
		ereport(NOTICE,
				(errmsg("no differences between schema \"%s\" and the desired state", target),
				 errdetail("No revision was registered.")));
		PG_RETURN_NULL();
	}
	down = mig_diff_compute(d, t, flags);
	mig_diff_report(up);

	{
		MigRevisionRow row;

		memset(&row, 0, sizeof(row));
		row.id = revision;
		if (parent)
		{
			row.parents = &parent;
			row.nparents = 1;
		}
		row.upgrade = mig_diff_script(up);
		row.downgrade = mig_diff_script(down);
		row.message = message ? message : "autogenerated";
		MemoryContextSwitchTo(cxt);
		id = CStringGetTextDatum(mig_register_revision(&row));
		SPI_finish();
	}
	PG_RETURN_DATUM(id);
}
