/*-------------------------------------------------------------------------
 *
 * adopt.c
 *	  mig_adopt_drift(): drift turned into work.  What changed in the
 *	  managed schemas since the snapshot of the current heads becomes a new
 *	  revision, recorded as applied, so that a change made by hand in
 *	  production is adopted into the history instead of lost.
 *
 * The upgrade is, with source 'log', the out-of-band statements the DDL
 * hook recorded since the snapshot, in log order, each exactly as it ran
 * (preceded by a SET search_path where the session resolved unqualified
 * names differently from the runner's pinned search_path); with source
 * 'diff', the diff of the schema models from the snapshot to the live
 * schema.  The downgrade is always the model diff from the live schema
 * back to the snapshot: derived from the models, not from the log.
 *
 * Before anything is recorded the revision is verified in a subtransaction
 * that is always rolled back: its downgrade, run as the runner runs a
 * revision, must bring every managed schema back to its snapshot, and its
 * upgrade, run from there, must bring it to the live schema again (both
 * compared as drift compares).  Then the revision is registered with the
 * current heads as parents (mig_revision's rules), stamped (version table,
 * and a history row noted "adopted drift"), and the live models it adopted
 * are stored as the snapshot of the new heads, so mig_check() finds no
 * drift.  All of it happens in the caller's transaction, under the
 * migration lock: an error leaves nothing changed.
 *
 * IDENTIFICATION
 *	  src/adopt.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/keywords.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/scanner.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "diff.h"
#include "graph.h"
#include "hook.h"
#include "migration_lock.h"
#include "model.h"
#include "registry.h"
#include "runner.h"
#include "schemamig.h"
#include "snapshot.h"
#include "sqltext.h"

PG_FUNCTION_INFO_V1(mig_adopt_drift);

/* The note of the stamp's history row. */
#define ADOPT_NOTE		"adopted drift"

/* One managed schema: its snapshot, its live model, and what was adopted. */
typedef struct AdoptSchema
{
	char	   *name;
	MigModel   *snapshot;
	MigModel   *live;
	TimestampTz taken_at;
	char	   *taken_at_text;	/* its time, as stored */
	char	   *drift;			/* first difference, or NULL: no drift */
	int			nrows;			/* adopted log rows that touch it */
} AdoptSchema;

/* One out-of-band row of the DDL log. */
typedef struct LogRow
{
	int64		id;
	char	   *role;
	char	   *at;				/* started_at in UTC, for the comment */
	char	   *command_tag;
	char	   *statement;
	char	   *search_path;	/* NULL: not recorded */
	bool		nested;
	int32		backend_pid;
	char	   *xid;
	TimestampTz started_at;
	List	   *schemas;		/* char *; NIL with schemas_known false:
								 * unknown */
	bool		schemas_known;
	bool		adopted;
} LogRow;

/* What the verification runs. */
typedef struct AdoptScripts
{
	char	   *upgrade;		/* the revision's upgrade */
	char	   *downgrade;		/* the revision's downgrade */
	char	   *upgrade_check;	/* the upgrade as verification runs it, or
								 * NULL when it cannot run it */
	char	   *unverifiable;	/* why not, when upgrade_check is NULL */
	int			nstatements;	/* adopted log rows (source 'log') */
} AdoptScripts;

/* errcontext of the verification */
typedef struct VerifyContext
{
	const char *phase;			/* "downgrade", "upgrade", or NULL */
} VerifyContext;


/*
 * text_arg
 *		Argument argno as a C string, or NULL.
 */
static char *
text_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * join_ids
 *		"a, b" for a message, "base" for none.
 */
static char *
join_ids(char **ids, int n)
{
	StringInfoData buf;
	int			i;

	if (n == 0)
		return pstrdup("base");
	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", ids[i]);
	return buf.data;
}

/*
 * ddl_log_relid
 *		The OID of schemamig.ddl_log.
 */
static Oid
ddl_log_relid(void)
{
	Oid			nsp = get_namespace_oid(MIG_CATALOG_SCHEMA, false);
	Oid			relid = get_relname_relid("ddl_log", nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "table %s.ddl_log not found", MIG_CATALOG_SCHEMA);
	return relid;
}

/*
 * check_log_readable
 *		Source 'log' reads schemamig.ddl_log with the caller's rights: say
 *		so, and what to do, before anything else happens.
 */
static void
check_log_readable(void)
{
	if (pg_class_aclcheck(ddl_log_relid(), GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s.ddl_log", MIG_CATALOG_SCHEMA),
				 errdetail("Adopting drift from the DDL log reads the statements recorded there, which only the log's owner and superusers may read unless granted."),
				 errhint("GRANT SELECT ON %s.ddl_log TO the migration role, or adopt with source => 'diff'.",
						 MIG_CATALOG_SCHEMA)));
}

/*
 * load_schemas
 *		Every managed schema with its snapshot for the current heads and
 *		its live model; an error when a snapshot is missing.
 */
static List *
load_schemas(char **current, int ncurrent)
{
	List	   *names = mig_managed_schema_list();
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, names)
	{
		AdoptSchema *s = palloc0(sizeof(AdoptSchema));

		s->name = (char *) lfirst(lc);
		s->snapshot = mig_snapshot_load(current, ncurrent, s->name,
										&s->taken_at_text);
		if (s->snapshot == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("no snapshot of schema \"%s\" for the current heads", s->name),
					 errdetail("The current heads are %s; drift is measured from the snapshot stored when the version table moves to them, and none was stored.",
							   join_ids(current, ncurrent)),
					 errhint("Snapshots are stored when an upgrade, downgrade or stamp moves the version table while schemamig.snapshots is on. To accept the live schema as it is, without a revision, stamp the current heads again with mig_stamp().")));
		s->taken_at = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
															  CStringGetDatum(s->taken_at_text),
															  ObjectIdGetDatum(InvalidOid),
															  Int32GetDatum(-1)));
		s->live = mig_model_load(s->name);
		s->drift = mig_snapshot_first_difference(s->snapshot, s->live);
		result = lappend(result, s);
	}
	return result;
}

/*
 * find_schema
 *		The managed schema of that name, or NULL.
 */
static AdoptSchema *
find_schema(List *schemas, const char *name)
{
	ListCell   *lc;

	foreach(lc, schemas)
	{
		AdoptSchema *s = (AdoptSchema *) lfirst(lc);

		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/*
 * text_array_list
 *		The elements of a text[] Datum as a List of C strings.
 */
static List *
text_array_list(Datum array)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *result = NIL;
	int			i;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
		if (!nulls[i])
			result = lappend(result, TextDatumGetCString(elems[i]));
	return result;
}

/*
 * load_log_rows
 *		The out-of-band rows of the DDL log started at or after since, in
 *		log order.
 */
static List *
load_log_rows(TimestampTz since)
{
	Oid			types[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(since)};
	List	   *rows = NIL;
	uint64		i;

	if (SPI_execute_with_args("SELECT id, role::text, "
							  "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', "
							  "command_tag, statement, search_path, nested, backend_pid, "
							  "xid::text, started_at, schemas "
							  "FROM " MIG_CATALOG_SCHEMA ".ddl_log "
							  "WHERE revision IS NULL AND started_at >= $1 "
							  "ORDER BY id, started_at",
							  1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the DDL log");

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		LogRow	   *r = palloc0(sizeof(LogRow));
		bool		isnull;
		Datum		d;

		r->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		r->role = SPI_getvalue(tup, desc, 2);
		r->at = SPI_getvalue(tup, desc, 3);
		r->command_tag = SPI_getvalue(tup, desc, 4);
		r->statement = SPI_getvalue(tup, desc, 5);
		r->search_path = SPI_getvalue(tup, desc, 6);
		r->nested = DatumGetBool(SPI_getbinval(tup, desc, 7, &isnull));
		r->backend_pid = DatumGetInt32(SPI_getbinval(tup, desc, 8, &isnull));
		r->xid = SPI_getvalue(tup, desc, 9);
		r->started_at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 10, &isnull));
		d = SPI_getbinval(tup, desc, 11, &isnull);
		r->schemas_known = !isnull;
		if (!isnull)
			r->schemas = text_array_list(d);
		rows = lappend(rows, r);
	}
	return rows;
}

/*
 * row_is_relevant
 *		Does an out-of-band row belong to the drift: it touched a managed
 *		schema after that schema's snapshot (a row whose schemas are not
 *		recorded counts), and it changed the schema (REFRESH MATERIALIZED
 *		VIEW changes data only)?  Counts it for the schemas it touched.
 */
static bool
row_is_relevant(LogRow *r, List *schemas)
{
	ListCell   *lc;
	bool		relevant = false;

	if (strcmp(r->command_tag, "REFRESH MATERIALIZED VIEW") == 0)
		return false;
	if (!r->schemas_known)
	{
		foreach(lc, schemas)
		{
			AdoptSchema *s = (AdoptSchema *) lfirst(lc);

			if (r->started_at >= s->taken_at)
			{
				s->nrows++;
				relevant = true;
			}
		}
		return relevant;
	}
	foreach(lc, r->schemas)
	{
		AdoptSchema *s = find_schema(schemas, (char *) lfirst(lc));

		if (s != NULL && r->started_at >= s->taken_at)
		{
			s->nrows++;
			relevant = true;
		}
	}
	return relevant;
}

/*
 * ran_inside
 *		Did row b run inside row a: DDL that a function, or an event
 *		trigger, ran while statement a was running?  Rows are written when
 *		their statement ends, so b, written before a by the same backend and
 *		transaction but started after it, ran during it.
 */
static bool
ran_inside(const LogRow *b, const LogRow *a)
{
	return b->nested && a->id > b->id && a->started_at <= b->started_at &&
		a->backend_pid == b->backend_pid &&
		a->xid != NULL && b->xid != NULL && strcmp(a->xid, b->xid) == 0;
}

/*
 * pinned_search_path
 *		The runner's pinned search_path (schemamig.search_path), resolved
 *		as the DDL log records a session's, for the current role.
 */
static char *
pinned_search_path(void)
{
	int			nestlevel = NewGUCNestLevel();
	char	   *result;

	(void) set_config_option("search_path", mig_search_path,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	result = mig_current_search_path();
	AtEOXact_GUC(false, nestlevel);
	return result;
}

/*
 * append_statement
 *		Append a statement and its terminator (on a line of its own when
 *		the statement's last line ends in a "--" comment, which would
 *		swallow it).
 */
static void
append_statement(StringInfo buf, const char *text)
{
	const char *last = strrchr(text, '\n');

	last = last ? last + 1 : text;
	appendStringInfo(buf, strstr(last, "--") ? "%s\n;\n" : "%s;\n", text);
}

/*
 * without_concurrently
 *		For the verification only: a statement refused inside a transaction
 *		because of CONCURRENTLY (CREATE INDEX, DROP INDEX, DETACH
 *		PARTITION), without that keyword, when that makes it runnable; NULL
 *		otherwise.  The same index or detachment results, which is what the
 *		models compare.
 */
static char *
without_concurrently(const char *text)
{
	core_yyscan_t scanner;
	core_yy_extra_type yyextra;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			location = -1;
	char	   *result;
	List	   *stmts;
	ListCell   *lc;

	/*
	 * The keyword's token number, from the scanner's own tables: the
	 * grammar's header (parser/gram.h) is not installed from PostgreSQL 16
	 * on.
	 */
	int			concurrently = ScanKeywordTokens[ScanKeywordLookup("concurrently",
																   &ScanKeywords)];

	scanner = scanner_init(text, &yyextra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			tok = core_yylex(&yylval, &yylloc, scanner);

		if (tok == 0)
			break;
		if (tok == concurrently)
		{
			location = yylloc;
			break;
		}
	}
	scanner_finish(scanner);
	if (location < 0)
		return NULL;

	result = psprintf("%.*s%s", location, text,
					  text + location + strlen("concurrently"));
	stmts = sqltext_split(result, "a statement of the DDL log");
	foreach(lc, stmts)
		if (sqltext_nontransactional(((MigStatement *) lfirst(lc))->parsetree) != NULL)
			return NULL;
	return result;
}

/*
 * scripts_from_log
 *		The upgrade from the DDL log: the relevant out-of-band rows since
 *		the snapshots, in log order, each exactly as it ran, with the
 *		search_path it ran under where that differs from the runner's.
 *		Also the upgrade as the verification runs it.
 */
static void
scripts_from_log(List *schemas, AdoptScripts *out)
{
	TimestampTz since = DT_NOEND;
	List	   *rows;
	List	   *adopted = NIL;
	ListCell   *lc;
	ListCell   *lc2;
	StringInfoData up;
	StringInfoData check;
	char	   *pinned;
	const char *effective;

	foreach(lc, schemas)
	{
		AdoptSchema *s = (AdoptSchema *) lfirst(lc);

		if (s->taken_at < since)
			since = s->taken_at;
	}
	rows = load_log_rows(since);

	foreach(lc, rows)
	{
		LogRow	   *r = (LogRow *) lfirst(lc);

		if (row_is_relevant(r, schemas))
			adopted = lappend(adopted, r);
	}

	/*
	 * DDL that ran inside an adopted statement (an event trigger's, or a
	 * function's that the statement called) happens again when that
	 * statement runs: leave it out.
	 */
	foreach(lc, adopted)
	{
		LogRow	   *b = (LogRow *) lfirst(lc);

		b->adopted = true;
		foreach(lc2, adopted)
		{
			if (ran_inside(b, (LogRow *) lfirst(lc2)))
			{
				b->adopted = false;
				break;
			}
		}
	}

	pinned = pinned_search_path();
	effective = pinned;
	initStringInfo(&up);
	initStringInfo(&check);
	out->upgrade_check = NULL;
	out->unverifiable = NULL;
	out->nstatements = 0;
	foreach(lc, adopted)
	{
		LogRow	   *r = (LogRow *) lfirst(lc);
		List	   *stmts;
		ListCell   *lc3;
		char	   *runnable = r->statement;

		if (!r->adopted)
			continue;
		out->nstatements++;

		appendStringInfo(&up, "%s-- ddl_log row " INT64_FORMAT ": %s by %s at %s%s\n",
						 up.len > 0 ? "\n" : "", r->id, r->command_tag,
						 r->role, r->at, r->nested ? " (nested)" : "");
		if (r->search_path != NULL && strcmp(r->search_path, effective) != 0)
		{
			char	   *set = psprintf("SET search_path = %s",
									   r->search_path[0] ? r->search_path : "''");

			append_statement(&up, set);
			append_statement(&check, set);
			effective = r->search_path;
		}
		append_statement(&up, r->statement);

		/* what the verification can run of it */
		stmts = sqltext_split(r->statement,
							  psprintf("DDL log row " INT64_FORMAT, r->id));
		foreach(lc3, stmts)
		{
			const char *what = sqltext_nontransactional(((MigStatement *) lfirst(lc3))->parsetree);

			if (what == NULL)
				continue;
			runnable = without_concurrently(r->statement);
			if (runnable == NULL && out->unverifiable == NULL)
				out->unverifiable = psprintf("DDL log row " INT64_FORMAT " is %s, which cannot run inside a transaction",
											 r->id, what);
			break;
		}
		if (runnable != NULL)
			append_statement(&check, runnable);
	}
	out->upgrade = up.data;
	if (out->unverifiable == NULL)
		out->upgrade_check = check.data;
}

/*
 * diff_scripts
 *		The model diffs of the drifted schemas: from the snapshots to the
 *		live schemas (forward: in the order of schemamig.managed_schemas)
 *		or back (in the reverse order, so that what was created last is
 *		dropped first).  With report, the diff's warnings are raised too.
 */
static char *
diff_scripts(List *schemas, bool forward, bool report)
{
	StringInfoData buf;
	int			n = list_length(schemas);
	int			k;

	initStringInfo(&buf);
	for (k = 0; k < n; k++)
	{
		AdoptSchema *s = (AdoptSchema *) list_nth(schemas, forward ? k : n - 1 - k);
		MigDiffResult *r;

		if (s->drift == NULL)
			continue;
		r = forward ? mig_diff_compute(s->snapshot, s->live, 0) :
			mig_diff_compute(s->live, s->snapshot, 0);
		if (report)
			mig_diff_report(r);
		appendStringInfoString(&buf, mig_diff_script(r));
	}
	return buf.data;
}

/*
 * check_log_explains
 *		Source 'log': every schema that drifted must be touched by an
 *		adopted row, or the log cannot explain it (the hook was not loaded,
 *		recording was off, the rows were pruned).
 */
static void
check_log_explains(List *schemas, const AdoptScripts *scripts)
{
	ListCell   *lc;

	foreach(lc, schemas)
	{
		AdoptSchema *s = (AdoptSchema *) lfirst(lc);
		char	   *why;

		if (s->drift == NULL || (s->nrows > 0 && scripts->nstatements > 0))
			continue;
		if (!mig_hook_is_installed())
			why = pstrdup("schemamig is not in shared_preload_libraries, so DDL is not recorded");
		else if (!mig_ddl_log_enabled)
			why = pstrdup("schemamig.ddl_log is off, so DDL is not recorded");
		else
			why = psprintf("no out-of-band DDL touching it is recorded since then%s",
						   mig_ddl_log_retention > 0 ?
						   " (schemamig.ddl_log_retention prunes old rows)" : "");
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the DDL log does not explain the drift of schema \"%s\"", s->name),
				 errdetail("In the live schema, %s compared with the snapshot of the current heads; %s.",
						   s->drift, why),
				 errhint("Adopt the difference between the snapshot and the live schema instead, with source => 'diff'.")));
	}
}

/*
 * verify_callback
 *		errcontext of the verification.
 */
static void
verify_callback(void *arg)
{
	VerifyContext *ctx = (VerifyContext *) arg;

	if (ctx->phase != NULL)
		errcontext("verifying the adopted revision's %s (run in a subtransaction that is rolled back)",
				   ctx->phase);
}

/*
 * compare_schemas
 *		After a verification step: every drifted schema must now match its
 *		snapshot (want_snapshot) or its live model; an error otherwise.
 */
static void
compare_schemas(List *schemas, bool want_snapshot, const char *source,
				int nstatements)
{
	ListCell   *lc;

	foreach(lc, schemas)
	{
		AdoptSchema *s = (AdoptSchema *) lfirst(lc);
		MigModel   *now;
		char	   *d;

		if (s->drift == NULL)
			continue;
		now = mig_model_load(s->name);
		d = mig_snapshot_first_difference(want_snapshot ? s->snapshot : s->live, now);
		if (d == NULL)
			continue;
		if (want_snapshot)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("the derived downgrade does not restore the snapshot of schema \"%s\"", s->name),
					 errdetail("After the downgrade, %s compared with the snapshot.", d),
					 errhint("The schema diff cannot express this change (see \"Comparing schemas\" in the README): write the revision by hand with mig_revision() and record it with mig_stamp(), or accept it as it is with verify => false.")));
		else if (strcmp(source, "log") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the DDL log does not explain the drift of schema \"%s\"", s->name),
					 errdetail_plural("After the %d logged statement ran on the snapshot, %s compared with the live schema.",
									  "After the %d logged statements ran on the snapshot, %s compared with the live schema.",
									  nstatements, nstatements, d),
					 errhint("Some of the drift was not recorded (made while the hook was not loaded or recording was off, or pruned); adopt the difference between the snapshot and the live schema instead, with source => 'diff'.")));
		else
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("the derived upgrade does not reproduce the live schema \"%s\"", s->name),
					 errdetail("After the upgrade, %s compared with the live schema.", d),
					 errhint("The schema diff cannot express this change (see \"Comparing schemas\" in the README): write the revision by hand with mig_revision() and record it with mig_stamp(), or accept it as it is with verify => false.")));
	}
}

/*
 * verify_round_trip
 *		Run the downgrade, check that every drifted schema is back at its
 *		snapshot, run the upgrade, check that it is at its live state again;
 *		in a subtransaction that is always rolled back, so that nothing of
 *		it remains, whether it succeeds or fails.  Statements run as the
 *		runner runs a revision's (search_path pinned, lock_timeout and
 *		retries), attributed to the revision, without lint: the statements
 *		ran already, this only checks them.
 */
static void
verify_round_trip(const char *id, List *schemas, const AdoptScripts *scripts,
				  const char *source)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorContextCallback errcallback;

	/* in memory, not a local: the error path reads what the steps set */
	VerifyContext *ctx = palloc0(sizeof(VerifyContext));

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);

	errcallback.callback = verify_callback;
	errcallback.arg = ctx;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	PG_TRY();
	{
		ctx->phase = "downgrade";
		(void) runner_run_sql(id, "downgrade", scripts->downgrade, false);
		compare_schemas(schemas, true, source, scripts->nstatements);
		if (scripts->upgrade_check != NULL)
		{
			ctx->phase = "upgrade";
			(void) runner_run_sql(id, "upgrade", scripts->upgrade_check, false);
			compare_schemas(schemas, false, source, scripts->nstatements);
		}
		ctx->phase = NULL;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		error_context_stack = errcallback.previous;
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (edata->hint == NULL && ctx->phase != NULL)
			edata->hint = pstrdup(strcmp(ctx->phase, "upgrade") == 0 && strcmp(source, "log") == 0 ?
								  "The logged statements do not replay on the snapshot: adopt the difference between the snapshot and the live schema instead, with source => 'diff'." :
								  "Fix what the error names and try again; verify => false skips this check.");
		ReThrowError(edata);
	}
	PG_END_TRY();

	error_context_stack = errcallback.previous;
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;

	if (scripts->upgrade_check == NULL)
		ereport(NOTICE,
				(errmsg("the adopted upgrade was not verified"),
				 errdetail("%s; the downgrade was verified.", scripts->unverifiable)));
}

/*
 * stamp_adopted
 *		Move the version table from the current heads to the new revision
 *		and append a history row (a stamp noted "adopted drift").  Returns
 *		the number of heads the graph has now.
 */
static int
stamp_adopted(const char *id, char **current, int ncurrent)
{
	int			n;
	MigRevDef  *defs = registry_load_defs(&n);
	MigGraph   *g = mig_graph_build(defs, n);
	MigPlan    *plan = mig_graph_plan(g, MIG_CMD_STAMP, id, current, ncurrent);
	int			nheads;

	runner_stamp(g, plan, current, ncurrent, id, ADOPT_NOTE);
	(void) mig_graph_heads(g, &nheads);
	return nheads;
}

/*
 * check_current_heads
 *		The version table must name registered revisions: the new revision
 *		becomes their child.
 */
static void
check_current_heads(char **current, int ncurrent)
{
	int			n;
	MigRevDef  *defs = registry_load_defs(&n);
	MigGraph   *g = mig_graph_build(defs, n);
	int			i;

	for (i = 0; i < ncurrent; i++)
		if (mig_graph_find(g, current[i]) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("current revision \"%s\" not found", current[i]),
					 errhint("Run mig_check(): the version table names a revision that is not registered.")));
}

/*
 * mig_adopt_drift
 *		Turn the drift since the snapshot of the current heads into a new
 *		revision, recorded as applied; returns its id, or NULL (with a
 *		NOTICE) when nothing drifted.
 *
 * Arguments: revision (NULL: a generated id), message, source ('log': the
 * upgrade is the out-of-band statements of the DDL log; 'diff': the model
 * diff), verify (run the round trip before recording it).
 */
Datum
mig_adopt_drift(PG_FUNCTION_ARGS)
{
	char	   *revision = text_arg(fcinfo, 0);
	char	   *message = text_arg(fcinfo, 1);
	char	   *source = PG_ARGISNULL(2) ? "log" : text_arg(fcinfo, 2);
	bool		verify = PG_ARGISNULL(3) ? true : PG_GETARG_BOOL(3);
	MemoryContext fncxt = CurrentMemoryContext;
	char	  **current;
	int			ncurrent;
	List	   *schemas;
	ListCell   *lc;
	bool		drifted = false;
	AdoptScripts scripts;
	MigRevisionRow row;
	char	   *id;
	int			nheads;
	text	   *result;

	if (strcmp(source, "log") != 0 && strcmp(source, "diff") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid source \"%s\"", source),
				 errhint("Use 'log' (the statements of the DDL log) or 'diff' (the difference of the schema models).")));
	if (revision != NULL)
		mig_check_revision_id(revision);
	if (strcmp(source, "log") == 0)
		check_log_readable();

	(void) mig_lock_acquire(false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (revision != NULL && registry_exists(revision))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("revision \"%s\" is already registered", revision),
				 errhint("Choose a new id, or pass NULL to generate one.")));

	current = registry_current_heads(&ncurrent);
	check_current_heads(current, ncurrent);
	schemas = load_schemas(current, ncurrent);

	foreach(lc, schemas)
		drifted |= ((AdoptSchema *) lfirst(lc))->drift != NULL;
	if (!drifted)
	{
		SPI_finish();
		ereport(NOTICE,
				(errmsg("no drift to adopt"),
				 errdetail("The managed schemas match the snapshot of the current heads (%s); no revision was registered.",
						   join_ids(current, ncurrent))));
		PG_RETURN_NULL();
	}

	/* the revision's SQL */
	memset(&scripts, 0, sizeof(scripts));
	if (strcmp(source, "log") == 0)
	{
		scripts_from_log(schemas, &scripts);
		check_log_explains(schemas, &scripts);
	}
	else
	{
		scripts.upgrade = diff_scripts(schemas, true, true);
		scripts.upgrade_check = scripts.upgrade;
	}
	scripts.downgrade = diff_scripts(schemas, false, false);

	/* register it, with the current heads as parents */
	memset(&row, 0, sizeof(row));
	row.id = revision;
	row.parents = current;
	row.nparents = ncurrent;
	row.upgrade = scripts.upgrade;
	row.downgrade = scripts.downgrade;
	row.message = message ? message : ADOPT_NOTE;
	id = mig_register_revision(&row);

	/* recorded as applied, without running it */
	nheads = stamp_adopted(id, current, ncurrent);

	if (verify)
		verify_round_trip(id, schemas, &scripts, source);

	/*
	 * The live models adopted are the new heads' reference: no drift left.
	 * They, not models read again now, so that a change another session
	 * made meanwhile shows as drift rather than passing unnoticed.
	 */
	if (mig_snapshots)
	{
		char	   *heads[1] = {id};

		foreach(lc, schemas)
		{
			AdoptSchema *s = (AdoptSchema *) lfirst(lc);

			mig_snapshot_store(heads, 1, s->name, s->live);
		}
	}

	if (nheads > 1)
		ereport(NOTICE,
				(errmsg("the revision graph now has %d heads", nheads),
				 errdetail("Revision \"%s\" follows the current heads (%s), and revisions registered after them are not applied yet.",
						   id, join_ids(current, ncurrent)),
				 errhint("Merge the heads with mig_merge('heads') once the pending revisions fit the adopted change.")));

	MemoryContextSwitchTo(fncxt);
	result = cstring_to_text(id);
	SPI_finish();
	PG_RETURN_TEXT_P(result);
}
