/*-------------------------------------------------------------------------
 *
 * hook.c
 *	  The DDL hook: a ProcessUtility hook that records every committed DDL
 *	  statement in schemamig.ddl_log and enforces the out-of-band DDL policy.
 *
 * The hook is installed only when the library is preloaded
 * (shared_preload_libraries); the SQL functions work without it.  Its hot
 * path is a handful of comparisons: it does nothing for statements that are
 * not DDL (GetCommandLogLevel() is the judge), in parallel workers, during
 * binary upgrade and recovery, in read-only or aborted transactions, during
 * CREATE/ALTER EXTENSION scripts, for schemamig's own CREATE/ALTER/DROP
 * EXTENSION, and in databases without the extension (two catalog-cache
 * lookups tell: the schema "schemamig" and its table "ddl_log").
 *
 * For a DDL statement it wants, the hook pushes a capture frame, runs the
 * statement, and reads back what the event triggers of the install script
 * (ddl_command_end and sql_drop, whose C functions are below) collected in
 * that frame: the identities of the objects created, altered and dropped.
 * It then checks the out-of-band policy against those objects, and inserts
 * one row into schemamig.ddl_log in the statement's own transaction, so
 * that a statement that rolls back leaves no row.  The row goes straight
 * into the heap and the indexes, as the server writes its catalogs: no SQL
 * per statement, and the user running DDL needs no privilege on the log.
 *
 * The policy (schemamig.out_of_band_ddl) applies to DDL outside a revision
 * that touches a schema of schemamig.managed_schemas.  Where the parse tree
 * names its target (tables, indexes, views, sequences, schemas, grants,
 * qualified names) the policy is checked before the statement runs; for
 * everything else it is checked on the objects the event triggers report,
 * right after the statement, and a refusal rolls the statement back.
 *
 * With schemamig.lint on, out-of-band statements are linted before they run
 * (lint.c's mig_lint_enforce_statement); a revision is linted whole by the
 * runner instead.
 *
 * IDENTIFICATION
 *	  src/hook.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "common/keywords.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/scanner.h"
#if PG_VERSION_NUM < 160000
#include "parser/gram.h"
#endif
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "parser/scansup.h"
#include "portability/instr_time.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"
#include "utils/xid8.h"

#include "diff.h"
#include "hook.h"
#include "lint.h"
#include "runner.h"
#include "schemamig.h"

PG_FUNCTION_INFO_V1(schemamig_ddl_command_end);
PG_FUNCTION_INFO_V1(schemamig_sql_drop);
PG_FUNCTION_INFO_V1(schemamig_ddl_log_guard);
PG_FUNCTION_INFO_V1(mig_ddl_log_prune);

/* GUC variables */
bool		mig_ddl_log_enabled = true;
bool		mig_ddl_log_temp = false;
int			mig_ddl_log_retention = 0;
int			mig_out_of_band_ddl = MIG_OOB_ALLOW;
char	   *mig_managed_schemas = NULL;
int			mig_lint_mode = MIG_LINT_OFF;

static const struct config_enum_entry out_of_band_options[] = {
	{"allow", MIG_OOB_ALLOW, false},
	{"warn", MIG_OOB_WARN, false},
	{"deny", MIG_OOB_DENY, false},
	{NULL, 0, false}
};

static const struct config_enum_entry lint_options[] = {
	{"off", MIG_LINT_OFF, false},
	{"warn", MIG_LINT_WARN, false},
	{"deny", MIG_LINT_DENY, false},
	{NULL, 0, false}
};

/* The log table, in the extension's catalog schema. */
#define DDL_LOG_TABLE	"ddl_log"

/* A backend prunes the log at most this often (when retention is set). */
#define PRUNE_INTERVAL_MS	60000
/* ... and removes at most this many rows each time. */
#define PRUNE_BATCH			10000

/*
 * One object a DDL statement created, altered or dropped, as the event
 * triggers report it.
 */
typedef struct CapturedObject
{
	char	   *type;			/* "table", "index", "table column", ... */
	char	   *schema;			/* NULL for objects outside schemas */
	char	   *identity;		/* "public.t", "public.t.c", "s" (a schema) */
	bool		dropped;
	bool		temporary;
	bool		listed;			/* goes into the log row */
} CapturedObject;

/*
 * The capture frame of a DDL statement that is running.  Frames nest: DDL
 * inside a function that a DDL statement calls gets a frame of its own, and
 * event triggers always report to the innermost frame, which belongs to the
 * statement whose ddl_command_end or sql_drop is firing.  A statement that
 * the hook lets through without recording it gets a frame with capturing =
 * false while an outer frame exists, so that its objects are not mistaken
 * for the outer statement's.
 */
typedef struct CaptureFrame
{
	struct CaptureFrame *outer;
	bool		capturing;
	List	   *objects;		/* CapturedObject * */
} CaptureFrame;

/* What the hook knows about the statement before running it. */
typedef struct StatementInfo
{
	TimestampTz started_at;
	char	   *role;
	char	   *session_role;
	const char *command_tag;
	char	   *text;
	char	   *revision;
	char	   *direction;
	bool		nested;
	char	   *search_path;	/* resolved, see mig_current_search_path() */
	List	   *schemas;		/* schemas touched (char *), after the run */
} StatementInfo;

static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static bool hook_installed = false;

/* innermost capture frame, or NULL outside captured DDL */
static CaptureFrame *capture_stack = NULL;

/* holds the frames' objects; reset when an outermost statement starts */
static MemoryContext capture_cxt = NULL;

/* > 0 while the hook runs its own SPI queries: the re-entry guard */
static int	own_spi_depth = 0;

/* kept SPI plans */
static SPIPlanPtr prune_plan = NULL;

/* when this backend last pruned the log (0: never) */
static TimestampTz last_prune = 0;

static bool check_managed_schemas(char **newval, void **extra, GucSource source);
static bool is_temp_schema_name(const char *schema);
#if PG_VERSION_NUM >= 140000
static void mig_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
							   bool readOnlyTree, ProcessUtilityContext context,
							   ParamListInfo params, QueryEnvironment *queryEnv,
							   DestReceiver *dest, QueryCompletion *qc);
#else
static void mig_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
							   ProcessUtilityContext context,
							   ParamListInfo params, QueryEnvironment *queryEnv,
							   DestReceiver *dest, QueryCompletion *qc);
#endif


/* ----------------------------------------------------------------
 *		Setup
 * ----------------------------------------------------------------
 */

/*
 * mig_hook_init
 *		Define the hook's GUCs; install the hook when preloading.
 */
void
mig_hook_init(void)
{
	DefineCustomBoolVariable("schemamig.ddl_log",
							 "Record every DDL statement in schemamig.ddl_log.",
							 "Needs shared_preload_libraries = 'schemamig'.",
							 &mig_ddl_log_enabled,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("schemamig.ddl_log_temp",
							 "Also record DDL that touches only temporary objects.",
							 NULL,
							 &mig_ddl_log_temp,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("schemamig.ddl_log_retention",
							"How long rows of schemamig.ddl_log are kept.",
							"Older rows are pruned as new rows are written; 0 keeps them forever.",
							&mig_ddl_log_retention,
							0, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_MIN,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("schemamig.out_of_band_ddl",
							 "What to do with DDL in managed schemas outside a revision.",
							 "allow, warn, or deny (an error).",
							 &mig_out_of_band_ddl,
							 MIG_OOB_ALLOW,
							 out_of_band_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("schemamig.managed_schemas",
							   "The schemas whose DDL belongs in revisions.",
							   "A comma-separated list of schema names; \"*\" means every schema.",
							   &mig_managed_schemas,
							   "public",
							   PGC_SUSET,
							   GUC_LIST_INPUT,
							   check_managed_schemas, NULL, NULL);

	DefineCustomEnumVariable("schemamig.lint",
							 "Lint enforcement for DDL, in revisions and out of band.",
							 "off, warn, or deny (an error).",
							 &mig_lint_mode,
							 MIG_LINT_OFF,
							 lint_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;

	capture_cxt = AllocSetContextCreate(TopMemoryContext,
										"schemamig DDL capture",
										ALLOCSET_SMALL_SIZES);
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = mig_ProcessUtility;
	hook_installed = true;
}

/*
 * mig_hook_is_installed
 *		Is the DDL hook active in this backend?
 */
bool
mig_hook_is_installed(void)
{
	return hook_installed;
}

/*
 * check_managed_schemas
 *		GUC check hook: schemamig.managed_schemas must be a list of
 *		identifiers.
 */
static bool
check_managed_schemas(char **newval, void **extra, GucSource source)
{
	char	   *raw = pstrdup(*newval);
	List	   *names = NIL;
	bool		ok = SplitIdentifierString(raw, ',', &names);

	list_free(names);
	pfree(raw);
	if (!ok)
		GUC_check_errdetail("List syntax is invalid.");
	return ok;
}


/* ----------------------------------------------------------------
 *		Deciding whether a statement is ours
 * ----------------------------------------------------------------
 */

/*
 * ddl_log_relid
 *		The OID of schemamig.ddl_log in this database, or InvalidOid when the
 *		extension is not installed here.  Two syscache lookups: cheap, and
 *		always current, even within the transaction that creates or drops
 *		the extension.
 */
static Oid
ddl_log_relid(void)
{
	static Oid	verified_relid = InvalidOid;
	Oid			nsp = get_namespace_oid(MIG_CATALOG_SCHEMA, true);
	Oid			relid;
	Oid			extoid;
	char	   *extname;

	if (!OidIsValid(nsp))
		return InvalidOid;
	relid = get_relname_relid(DDL_LOG_TABLE, nsp);
	if (!OidIsValid(relid) || relid == verified_relid)
		return relid;

	/*
	 * First sight of this table in this backend: make sure it is the
	 * extension's, not a user's table that happens to have the name.
	 */
	extoid = getExtensionOfObject(RelationRelationId, relid);
	extname = OidIsValid(extoid) ? get_extension_name(extoid) : NULL;
	if (extname == NULL || strcmp(extname, "schemamig") != 0)
		return InvalidOid;
	verified_relid = relid;
	return relid;
}

/*
 * is_own_extension_statement
 *		CREATE, ALTER or DROP EXTENSION of schemamig itself.
 */
static bool
is_own_extension_statement(Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_CreateExtensionStmt:
			return strcmp(((CreateExtensionStmt *) stmt)->extname, "schemamig") == 0;
		case T_AlterExtensionStmt:
			return strcmp(((AlterExtensionStmt *) stmt)->extname, "schemamig") == 0;
		case T_AlterExtensionContentsStmt:
			return strcmp(((AlterExtensionContentsStmt *) stmt)->extname, "schemamig") == 0;
		case T_DropStmt:
			if (((DropStmt *) stmt)->removeType != OBJECT_EXTENSION)
				return false;
			foreach(lc, ((DropStmt *) stmt)->objects)
			{
				Node	   *obj = (Node *) lfirst(lc);

				if (IsA(obj, String) && strcmp(strVal(obj), "schemamig") == 0)
					return true;
			}
			return false;
		default:
			return false;
	}
}

/*
 * statement_wanted
 *		Should the hook record or police this statement?  The cheap tests
 *		come first: this runs for every utility statement.
 */
static bool
statement_wanted(PlannedStmt *pstmt, ProcessUtilityContext context)
{
	if (own_spi_depth > 0 || context == PROCESS_UTILITY_SUBCOMMAND)
		return false;
	if (GetCommandLogLevel(pstmt->utilityStmt) != LOGSTMT_DDL)
		return false;
	if (!mig_ddl_log_enabled && mig_out_of_band_ddl == MIG_OOB_ALLOW &&
		mig_lint_mode == MIG_LINT_OFF)
		return false;
	if (creating_extension || IsBinaryUpgrade || IsParallelWorker() ||
		RecoveryInProgress())
		return false;
	if (XactReadOnly || IsAbortedTransactionBlockState())
		return false;
	if (is_own_extension_statement(pstmt->utilityStmt))
		return false;
	return OidIsValid(ddl_log_relid());
}


/* ----------------------------------------------------------------
 *		The statement's text
 * ----------------------------------------------------------------
 */

/*
 * statement_text
 *		The text of this one statement, cut out of a possibly
 *		multi-statement query string, without surrounding whitespace.
 */
static char *
statement_text(const char *queryString, int location, int len)
{
	const char *start;

	if (queryString == NULL)
		return pstrdup("");
	if (location >= 0 && location <= (int) strlen(queryString))
	{
		start = queryString + location;
		if (len <= 0)
			len = strlen(start);
	}
	else
	{
		start = queryString;
		len = strlen(start);
	}
	while (len > 0 && scanner_isspace(*start))
	{
		start++;
		len--;
	}
	while (len > 0 && scanner_isspace(start[len - 1]))
		len--;
	return pnstrdup(start, len);
}

/*
 * statement_has_secrets
 *		Statements whose string literals may hold passwords or connection
 *		strings with passwords.
 */
static bool
statement_has_secrets(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_CreateRoleStmt:
		case T_AlterRoleStmt:
		case T_CreateUserMappingStmt:
		case T_AlterUserMappingStmt:
		case T_CreateSubscriptionStmt:
		case T_AlterSubscriptionStmt:
		case T_CreateForeignServerStmt:
		case T_AlterForeignServerStmt:
			return true;
		default:
			return false;
	}
}

#if PG_VERSION_NUM >= 160000
/*
 * From PostgreSQL 16 on, the grammar's token numbers (parser/gram.h) are not
 * installed with the server's headers: redact_literals learns the two it
 * needs from the scanner, once per backend.
 */
static int	string_tokens[2];
#define SCONST	(string_tokens[0])
#define USCONST	(string_tokens[1])

/*
 * first_token
 *		The token the server's scanner returns first for text.
 */
static int
first_token(const char *text)
{
	core_yyscan_t scanner;
	core_yy_extra_type yyextra;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			tok;

	scanner = scanner_init(text, &yyextra, &ScanKeywords, ScanKeywordTokens);
	/* U&'' is an error with standard_conforming_strings off */
	yyextra.standard_conforming_strings = true;
	yyextra.escape_string_warning = false;
	tok = core_yylex(&yylval, &yylloc, scanner);
	scanner_finish(scanner);
	return tok;
}
#endif

/*
 * redact_literals
 *		Replace every string literal of a statement's text with '***', using
 *		the server's own scanner (which leaves a NUL after each token in its
 *		buffer, so a token's length is the length of that string).
 */
static char *
redact_literals(const char *text)
{
	core_yyscan_t scanner;
	core_yy_extra_type yyextra;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	StringInfoData buf;
	int			copied = 0;

#if PG_VERSION_NUM >= 160000
	if (SCONST == 0)
	{
		SCONST = first_token("'s'");
		USCONST = first_token("U&'s'");
	}
#endif
	initStringInfo(&buf);
	/* the scanner's memory is palloc'd: no cleanup needed on error */
	scanner = scanner_init(text, &yyextra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			tok = core_yylex(&yylval, &yylloc, scanner);

		if (tok == 0)
			break;
		if (tok == SCONST || tok == USCONST)
		{
			int			toklen = strlen(yyextra.scanbuf + yylloc);

			appendBinaryStringInfo(&buf, text + copied, yylloc - copied);
			appendStringInfoString(&buf, "'***'");
			copied = yylloc + toklen;
		}
	}
	scanner_finish(scanner);
	appendStringInfoString(&buf, text + copied);
	return buf.data;
}


/* ----------------------------------------------------------------
 *		The out-of-band policy
 * ----------------------------------------------------------------
 */

/*
 * schema_is_managed
 *		Is the schema named nspname one of schemamig.managed_schemas?  The
 *		extension's own catalog schema and temporary schemas never are; "*"
 *		means every other schema except the system's.
 */
static bool
schema_is_managed(const char *nspname)
{
	char	   *raw;
	List	   *names = NIL;
	ListCell   *lc;
	bool		found = false;

	if (nspname == NULL || strcmp(nspname, MIG_CATALOG_SCHEMA) == 0 ||
		strncmp(nspname, "pg_temp", 7) == 0 ||
		strncmp(nspname, "pg_toast_temp", 13) == 0)
		return false;

	/* mig_autogenerate's scratch schema: always rolled back, never policy */
	if (mig_scratch_schema != NULL && strcmp(nspname, mig_scratch_schema) == 0)
		return false;

	raw = pstrdup(mig_managed_schemas ? mig_managed_schemas : "");
	if (!SplitIdentifierString(raw, ',', &names))
		return false;			/* cannot happen: the check hook said so */
	foreach(lc, names)
	{
		const char *name = (const char *) lfirst(lc);

		if (strcmp(name, "*") == 0)
			found = strcmp(nspname, "pg_catalog") != 0 &&
				strcmp(nspname, "information_schema") != 0 &&
				strncmp(nspname, "pg_toast", 8) != 0;
		else
			found = strcmp(name, nspname) == 0;
		if (found)
			break;
	}
	list_free(names);
	pfree(raw);
	return found;
}

/*
 * policy_violation
 *		Apply schemamig.out_of_band_ddl to DDL found to touch the managed
 *		schema nspname: an error (deny) or a WARNING (warn).
 */
static void
policy_violation(const char *nspname, const char *command_tag,
				 const char *what)
{
	ereport(mig_out_of_band_ddl == MIG_OOB_DENY ? ERROR : WARNING,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 mig_out_of_band_ddl == MIG_OOB_DENY ?
			 errmsg("out-of-band DDL is not allowed in schema \"%s\"", nspname) :
			 errmsg("out-of-band DDL in schema \"%s\"", nspname),
			 what ?
			 errdetail("%s ran outside a revision and changed %s, in a schema listed in schemamig.managed_schemas.",
					   command_tag, what) :
			 errdetail("%s is running outside a revision and changes schema \"%s\", which is listed in schemamig.managed_schemas.",
					   command_tag, nspname),
			 errhint("Write a revision with mig_revision() and apply it with mig_upgrade().")));
}

/*
 * add_schema
 *		Append a schema name to a list (ignoring NULL).
 */
static List *
add_schema(List *schemas, const char *nspname)
{
	if (nspname != NULL)
		schemas = lappend(schemas, pstrdup(nspname));
	return schemas;
}

/*
 * add_relation_schema
 *		The schema of a relation a statement names: the one it is created in
 *		(creating = true) or the one it lives in.  Resolves unqualified names
 *		as the statement will, without taking any lock.
 */
static List *
add_relation_schema(List *schemas, RangeVar *rv, bool creating)
{
	Oid			nsp;

	if (rv == NULL)
		return schemas;
	if (rv->schemaname != NULL)
		return add_schema(schemas, rv->schemaname);
	if (creating)
	{
		if (rv->relpersistence == RELPERSISTENCE_TEMP)
			return schemas;
		nsp = RangeVarGetCreationNamespace(rv);
	}
	else
	{
		Oid			relid = RangeVarGetRelid(rv, NoLock, true);

		if (!OidIsValid(relid))
			return schemas;
		nsp = get_rel_namespace(relid);
	}
	return add_schema(schemas, get_namespace_name(nsp));
}

/*
 * add_qualified_schema
 *		The explicit schema of a qualified object name (a list of names, a
 *		function signature or a type name), if it has one.
 */
static List *
add_qualified_schema(List *schemas, Node *obj)
{
	List	   *names = NIL;

	if (obj == NULL)
		return schemas;
	if (IsA(obj, List))
		names = (List *) obj;
	else if (IsA(obj, ObjectWithArgs))
		names = ((ObjectWithArgs *) obj)->objname;
	else if (IsA(obj, TypeName))
		names = ((TypeName *) obj)->names;
	if (list_length(names) >= 2)
	{
		Node	   *schema = (Node *) list_nth(names, list_length(names) - 2);

		if (IsA(schema, String))
			schemas = add_schema(schemas, strVal(schema));
	}
	return schemas;
}

/*
 * add_drop_schemas
 *		The schemas of the objects a DROP names.
 */
static List *
add_drop_schemas(List *schemas, DropStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		Node	   *obj = (Node *) lfirst(lc);

		switch (stmt->removeType)
		{
			case OBJECT_TABLE:
			case OBJECT_SEQUENCE:
			case OBJECT_VIEW:
			case OBJECT_MATVIEW:
			case OBJECT_INDEX:
			case OBJECT_FOREIGN_TABLE:
				if (IsA(obj, List))
					schemas = add_relation_schema(schemas,
												  makeRangeVarFromNameList((List *) obj),
												  false);
				break;
			case OBJECT_SCHEMA:
				if (IsA(obj, String))
					schemas = add_schema(schemas, strVal(obj));
				break;
			default:
				schemas = add_qualified_schema(schemas, obj);
				break;
		}
	}
	return schemas;
}

/*
 * add_routine_schema
 *		The schema of a function, procedure or routine a statement names:
 *		its explicit schema, or where the name resolves when it has none.
 */
static List *
add_routine_schema(List *schemas, ObjectType objtype, ObjectWithArgs *owa)
{
	Oid			funcid;

	if (list_length(owa->objname) >= 2)
		return add_qualified_schema(schemas, (Node *) owa);
	funcid = LookupFuncWithArgs(objtype, owa, true);
	if (!OidIsValid(funcid))
		return schemas;
	return add_schema(schemas, get_namespace_name(get_func_namespace(funcid)));
}

/*
 * add_type_schema
 *		The schema of a type or domain a statement names by a name list.
 */
static List *
add_type_schema(List *schemas, List *names)
{
	Type		tup;

	if (list_length(names) >= 2)
		return add_qualified_schema(schemas, (Node *) names);
	tup = LookupTypeName(NULL, makeTypeNameFromNameList(names), NULL, true);
	if (tup == NULL)
		return schemas;
	schemas = add_schema(schemas,
						 get_namespace_name(((Form_pg_type) GETSTRUCT(tup))->typnamespace));
	ReleaseSysCache(tup);
	return schemas;
}

/*
 * add_grant_schemas
 *		The schemas of the objects a GRANT or REVOKE names.  Event triggers
 *		report no object for them, so the DDL log learns from the parse tree
 *		which schemas' privileges changed.
 */
static List *
add_grant_schemas(List *schemas, GrantStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		Node	   *obj = (Node *) lfirst(lc);

		if (stmt->targtype == ACL_TARGET_ALL_IN_SCHEMA || stmt->objtype == OBJECT_SCHEMA)
		{
			if (IsA(obj, String))
				schemas = add_schema(schemas, strVal(obj));
			continue;
		}
		if (stmt->targtype != ACL_TARGET_OBJECT)
			continue;
		switch (stmt->objtype)
		{
			case OBJECT_TABLE:
			case OBJECT_SEQUENCE:
				if (IsA(obj, RangeVar))
					schemas = add_relation_schema(schemas, (RangeVar *) obj, false);
				break;
			case OBJECT_FUNCTION:
			case OBJECT_PROCEDURE:
			case OBJECT_ROUTINE:
				if (IsA(obj, ObjectWithArgs))
					schemas = add_routine_schema(schemas, stmt->objtype,
												 (ObjectWithArgs *) obj);
				break;
			case OBJECT_TYPE:
			case OBJECT_DOMAIN:
				if (IsA(obj, List))
					schemas = add_type_schema(schemas, (List *) obj);
				break;
			default:
				schemas = add_qualified_schema(schemas, obj);
				break;
		}
	}
	return schemas;
}

/*
 * add_default_privileges_schemas
 *		The schemas of ALTER DEFAULT PRIVILEGES ... IN SCHEMA (none for the
 *		defaults of a role everywhere).
 */
static List *
add_default_privileges_schemas(List *schemas, AlterDefaultPrivilegesStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *opt = (DefElem *) lfirst(lc);
		ListCell   *lc2;

		if (strcmp(opt->defname, "schemas") != 0 || opt->arg == NULL)
			continue;
		foreach(lc2, (List *) opt->arg)
			if (IsA(lfirst(lc2), String))
				schemas = add_schema(schemas, strVal(lfirst(lc2)));
	}
	return schemas;
}

/*
 * statement_schemas
 *		The schemas a DDL statement's parse tree names as its targets, for
 *		the statements where that is plain.  Not exhaustive: the objects the
 *		event triggers report after the statement complete the picture.
 *		(GRANT, REVOKE and ALTER DEFAULT PRIVILEGES are never policed; their
 *		schemas are for the DDL log.)
 */
static List *
statement_schemas(Node *stmt)
{
	List	   *schemas = NIL;

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			schemas = add_relation_schema(schemas, ((CreateStmt *) stmt)->relation, true);
			break;
		case T_CreateForeignTableStmt:
			schemas = add_relation_schema(schemas,
										  ((CreateForeignTableStmt *) stmt)->base.relation, true);
			break;
		case T_CreateTableAsStmt:
			schemas = add_relation_schema(schemas, ((CreateTableAsStmt *) stmt)->into->rel, true);
			break;
		case T_ViewStmt:
			schemas = add_relation_schema(schemas, ((ViewStmt *) stmt)->view, true);
			break;
		case T_CreateSeqStmt:
			schemas = add_relation_schema(schemas, ((CreateSeqStmt *) stmt)->sequence, true);
			break;
		case T_CompositeTypeStmt:
			schemas = add_relation_schema(schemas, ((CompositeTypeStmt *) stmt)->typevar, true);
			break;
		case T_IndexStmt:
			schemas = add_relation_schema(schemas, ((IndexStmt *) stmt)->relation, false);
			break;
		case T_AlterTableStmt:
			schemas = add_relation_schema(schemas, ((AlterTableStmt *) stmt)->relation, false);
			break;
		case T_AlterSeqStmt:
			schemas = add_relation_schema(schemas, ((AlterSeqStmt *) stmt)->sequence, false);
			break;
		case T_CreateTrigStmt:
			schemas = add_relation_schema(schemas, ((CreateTrigStmt *) stmt)->relation, false);
			break;
		case T_RuleStmt:
			schemas = add_relation_schema(schemas, ((RuleStmt *) stmt)->relation, false);
			break;
		case T_CreatePolicyStmt:
			schemas = add_relation_schema(schemas, ((CreatePolicyStmt *) stmt)->table, false);
			break;
		case T_AlterPolicyStmt:
			schemas = add_relation_schema(schemas, ((AlterPolicyStmt *) stmt)->table, false);
			break;
		case T_RenameStmt:
			{
				RenameStmt *rs = (RenameStmt *) stmt;

				if (rs->relation != NULL)
					schemas = add_relation_schema(schemas, rs->relation, false);
				else if (rs->renameType == OBJECT_SCHEMA)
					schemas = add_schema(schemas, rs->subname);
				else
					schemas = add_qualified_schema(schemas, rs->object);
				break;
			}
		case T_AlterObjectSchemaStmt:
			{
				AlterObjectSchemaStmt *as = (AlterObjectSchemaStmt *) stmt;

				if (as->relation != NULL)
					schemas = add_relation_schema(schemas, as->relation, false);
				else
					schemas = add_qualified_schema(schemas, as->object);
				schemas = add_schema(schemas, as->newschema);
				break;
			}
		case T_DropStmt:
			schemas = add_drop_schemas(schemas, (DropStmt *) stmt);
			break;
		case T_CreateSchemaStmt:
			{
				CreateSchemaStmt *cs = (CreateSchemaStmt *) stmt;

				if (cs->schemaname != NULL)
					schemas = add_schema(schemas, cs->schemaname);
				else if (cs->authrole != NULL)
					schemas = add_schema(schemas, get_rolespec_name(cs->authrole));
				break;
			}
		case T_GrantStmt:
			schemas = add_grant_schemas(schemas, (GrantStmt *) stmt);
			break;
		case T_AlterDefaultPrivilegesStmt:
			schemas = add_default_privileges_schemas(schemas,
													 (AlterDefaultPrivilegesStmt *) stmt);
			break;
		default:
			break;
	}
	return schemas;
}

/*
 * policy_exempt
 *		Statements the server counts as DDL that do not change the schema:
 *		GRANT, REVOKE and ALTER DEFAULT PRIVILEGES change who may use it
 *		(mig_grant_runner() among others runs them), REFRESH MATERIALIZED
 *		VIEW changes data.  They are recorded, never refused by the
 *		out-of-band policy.
 */
static bool
policy_exempt(Node *stmt)
{
	return IsA(stmt, GrantStmt) || IsA(stmt, GrantRoleStmt) ||
		IsA(stmt, AlterDefaultPrivilegesStmt) ||
		IsA(stmt, RefreshMatViewStmt);
}

/*
 * precheck_policy
 *		Before a statement runs: refuse (or warn about) out-of-band DDL whose
 *		parse tree names a managed schema.  Returns true when it found one
 *		(and warned), so that the check after the statement stays quiet.
 */
static bool
precheck_policy(Node *stmt, const char *command_tag)
{
	List	   *schemas = statement_schemas(stmt);
	ListCell   *lc;

	foreach(lc, schemas)
	{
		const char *nspname = (const char *) lfirst(lc);

		if (schema_is_managed(nspname))
		{
			policy_violation(nspname, command_tag, NULL);
			return true;
		}
	}
	return false;
}

/*
 * postcheck_policy
 *		After a statement ran: refuse (or warn about) out-of-band DDL that
 *		created, altered or dropped an object in a managed schema.  An error
 *		here rolls the statement back.
 */
static void
postcheck_policy(CaptureFrame *frame, const char *command_tag)
{
	ListCell   *lc;

	foreach(lc, frame->objects)
	{
		CapturedObject *obj = (CapturedObject *) lfirst(lc);
		const char *nspname = obj->schema;

		if (nspname == NULL && strcmp(obj->type, "schema") == 0)
			nspname = obj->identity;
		if (!obj->temporary && schema_is_managed(nspname))
		{
			policy_violation(nspname, command_tag,
							 psprintf("%s%s %s", obj->dropped ? "dropped " : "",
									  obj->type, obj->identity));
			return;
		}
	}
}


/* ----------------------------------------------------------------
 *		Lint enforcement
 * ----------------------------------------------------------------
 */

/*
 * lint_statement
 *		Apply schemamig.lint to an out-of-band statement before it runs.
 *
 * The rule engine is lint.c; mig_lint_enforce_statement() keeps its state
 * per transaction (objects created earlier in the transaction are exempt
 * from lock rules) and raises WARNINGs (warn) or an ERROR (deny).  A
 * revision's statements are not linted here: the runner lints a revision
 * whole with mig_lint_enforce() before running any of it.  text keeps the
 * comments before the statement, where "-- schemamig:ignore" is looked for.
 */
static void
lint_statement(Node *stmt, const char *text, const char *revision)
{
	if (mig_lint_mode == MIG_LINT_OFF || revision != NULL)
		return;
	mig_lint_enforce_statement(stmt, text, NULL);
}

/*
 * lint_wanted
 *		Should a top-level utility statement that is not DDL (VACUUM FULL,
 *		CLUSTER, REINDEX, TRUNCATE, ...) be linted?  Only when schemamig.lint
 *		is on, out of band, in a database with the extension.
 */
static bool
lint_wanted(PlannedStmt *pstmt, ProcessUtilityContext context)
{
	if (mig_lint_mode == MIG_LINT_OFF || context != PROCESS_UTILITY_TOPLEVEL ||
		own_spi_depth > 0 || mig_running_revision != NULL)
		return false;
	if (creating_extension || IsBinaryUpgrade || IsParallelWorker() ||
		RecoveryInProgress() || IsAbortedTransactionBlockState())
		return false;
	if (IsA(pstmt->utilityStmt, TransactionStmt) ||
		is_own_extension_statement(pstmt->utilityStmt))
		return false;
	return OidIsValid(ddl_log_relid());
}


/* ----------------------------------------------------------------
 *		Writing the log
 * ----------------------------------------------------------------
 */

/*
 * keep_plan
 *		Prepare a statement once per backend and keep the plan.  The caller
 *		is connected to SPI.
 */
static SPIPlanPtr
keep_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes)
{
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		*slot = plan;
	}
	return *slot;
}

/*
 * text_array
 *		A text[] of the listed objects, dropped or not, as "type identity".
 */
static Datum
text_array(List *objects, bool dropped)
{
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(objects) + 1));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, objects)
	{
		CapturedObject *obj = (CapturedObject *) lfirst(lc);

		if (obj->listed && obj->dropped == dropped)
			elems[n++] = CStringGetTextDatum(psprintf("%s %s", obj->type,
													  obj->identity));
	}
	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * relation_owner
 *		The owner of a relation.
 */
static Oid
relation_owner(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * prune_log
 *		Remove rows older than schemamig.ddl_log_retention, at most
 *		PRUNE_BATCH of them, skipping rows another transaction holds (never
 *		wait behind a concurrent DDL transaction).  Runs as the log's owner,
 *		whom its guard trigger lets delete.
 */
static void
prune_log(Oid relid, TimestampTz now)
{
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1];
	Oid			save_userid;
	int			save_sec_context;

	values[0] = TimestampTzGetDatum(now - (int64) mig_ddl_log_retention *
									SECS_PER_MINUTE * USECS_PER_SEC);
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(relation_owner(relid),
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	own_spi_depth++;
	PG_TRY();
	{
		SPIPlanPtr	plan;
		int			rc;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		plan = keep_plan(&prune_plan,
						 "DELETE FROM " MIG_CATALOG_SCHEMA "." DDL_LOG_TABLE
						 " WHERE ctid = ANY (ARRAY(SELECT ctid FROM "
						 MIG_CATALOG_SCHEMA "." DDL_LOG_TABLE
						 " WHERE started_at < $1 LIMIT " CppAsString2(PRUNE_BATCH)
						 " FOR UPDATE SKIP LOCKED))",
						 1, argtypes);
		rc = SPI_execute_plan(plan, values, NULL, false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "pruning the DDL log failed: %s",
				 SPI_result_code_string(rc));
		SPI_finish();
	}
	PG_FINALLY();
	{
		own_spi_depth--;
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
	last_prune = now;
}

/*
 * mig_current_search_path
 *		The schemas unqualified names are looked up in right now, as a
 *		search_path value: the session's search_path with "$user" resolved
 *		to the role's schema, and the schemas that do not exist or that the
 *		current role may not use left out, as the server resolves it
 *		(namespace.c's recomputeNamespacePath).  pg_temp stays pg_temp.
 *
 * Resolved by hand rather than with fetch_search_path(), which creates the
 * temporary schema when search_path names it first: the hook must not
 * write catalogs, or need the TEMP privilege, before a DDL statement.
 */
char *
mig_current_search_path(void)
{
	char	   *raw = pstrdup(namespace_search_path ? namespace_search_path : "");
	List	   *names = NIL;
	List	   *seen = NIL;
	ListCell   *lc;
	StringInfoData buf;

	if (!SplitIdentifierString(raw, ',', &names))
		return pstrdup(namespace_search_path);	/* cannot happen: the GUC
												 * check said so */
	initStringInfo(&buf);
	foreach(lc, names)
	{
		const char *name = (const char *) lfirst(lc);
		const char *shown;
		Oid			nsp;

		if (strcmp(name, "$user") == 0)
		{
			name = GetUserNameFromId(GetUserId(), true);
			if (name == NULL)
				continue;
		}
		if (strcmp(name, "pg_temp") == 0)
		{
			nsp = InvalidOid;
			shown = "pg_temp";
		}
		else
		{
			nsp = get_namespace_oid(name, true);
			if (!OidIsValid(nsp))
				continue;
#if PG_VERSION_NUM >= 160000
			if (object_aclcheck(NamespaceRelationId, nsp, GetUserId(),
								ACL_USAGE) != ACLCHECK_OK)
				continue;
#else
			if (pg_namespace_aclcheck(nsp, GetUserId(), ACL_USAGE) != ACLCHECK_OK)
				continue;
#endif
			if (list_member_oid(seen, nsp))
				continue;
			seen = lappend_oid(seen, nsp);
			shown = quote_identifier(name);
		}
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", shown);
	}
	return buf.data;
}

/*
 * extension_schema
 *		The schema an extension is installed in, or NULL.  (PostgreSQL 15
 *		exports no lookup for it; pg_extension has no syscache.)
 */
static char *
extension_schema(const char *extname)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	char	   *result = NULL;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(extname));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		result = get_namespace_name(((Form_pg_extension) GETSTRUCT(tuple))->extnamespace);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/*
 * unquoted_name
 *		A name as an event trigger's object identity prints it (quoted when
 *		needed), as a plain name; NULL if it is not a single name.
 */
static char *
unquoted_name(const char *identity)
{
	List	   *names = NIL;

	if (!SplitIdentifierString(pstrdup(identity), '.', &names) ||
		list_length(names) != 1)
		return NULL;
	return (char *) linitial(names);
}

/*
 * touched_schemas
 *		The schemas a statement that ran created, altered or dropped
 *		something in: those of the objects the event triggers reported (a
 *		schema counts as itself, an extension as the schema it is installed
 *		in); when they reported none (GRANT, REVOKE, ALTER DEFAULT
 *		PRIVILEGES, a CREATE ... IF NOT EXISTS that did nothing), the
 *		schemas the parse tree names.  Temporary schemas never count.
 */
static List *
touched_schemas(CaptureFrame *frame, Node *stmt)
{
	List	   *schemas = NIL;
	ListCell   *lc;

	foreach(lc, frame->objects)
	{
		CapturedObject *obj = (CapturedObject *) lfirst(lc);
		char	   *name;

		if (obj->temporary)
			continue;
		if (obj->schema != NULL)
			schemas = add_schema(schemas, obj->schema);
		else if (strcmp(obj->type, "schema") == 0)
			schemas = add_schema(schemas, unquoted_name(obj->identity));
		else if (strcmp(obj->type, "extension") == 0 && !obj->dropped &&
				 (name = unquoted_name(obj->identity)) != NULL)
			schemas = add_schema(schemas, extension_schema(name));
	}
	if (frame->objects == NIL)
		schemas = statement_schemas(stmt);
	return schemas;
}

/*
 * compare_names
 *		list_sort comparator for C strings.
 */
static int
compare_names(const ListCell *a, const ListCell *b)
{
	return strcmp((const char *) lfirst(a), (const char *) lfirst(b));
}

/*
 * schemas_array
 *		A sorted text[] of the distinct, non-temporary schema names.
 */
static Datum
schemas_array(List *schemas)
{
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(schemas) + 1));
	char	   *last = NULL;
	int			n = 0;
	ListCell   *lc;

	list_sort(schemas, compare_names);
	foreach(lc, schemas)
	{
		char	   *name = (char *) lfirst(lc);

		if (is_temp_schema_name(name) || (last != NULL && strcmp(last, name) == 0))
			continue;
		elems[n++] = CStringGetTextDatum(name);
		last = name;
	}
	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * client_addr
 *		The client's address as inet_client_addr() reports it: NULL for a
 *		unix-socket connection or a background process.
 */
static Datum
client_addr(bool *isnull)
{
	LOCAL_FCINFO(fcinfo, 0);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 0, InvalidOid, NULL, NULL);
	result = inet_client_addr(fcinfo);
	*isnull = fcinfo->isnull;
	return result;
}

/*
 * column_value
 *		The value of the log column attname for this statement.
 */
static Datum
column_value(const char *attname, Oid relid, StatementInfo *info,
			 CaptureFrame *frame, double duration_ms, bool *isnull)
{
	*isnull = false;
	if (strcmp(attname, "id") == 0)
	{
		Oid			seqid = get_relname_relid(DDL_LOG_TABLE "_id_seq",
											  get_rel_namespace(relid));

		if (!OidIsValid(seqid))
			elog(ERROR, "sequence %s.%s_id_seq not found",
				 MIG_CATALOG_SCHEMA, DDL_LOG_TABLE);
		return Int64GetDatum(nextval_internal(seqid, false));
	}
	if (strcmp(attname, "started_at") == 0)
		return TimestampTzGetDatum(info->started_at);
	if (strcmp(attname, "duration_ms") == 0)
		return Float8GetDatum(duration_ms);
	if (strcmp(attname, "role") == 0)
		return DirectFunctionCall1(namein, CStringGetDatum(info->role));
	if (strcmp(attname, "session_role") == 0)
		return DirectFunctionCall1(namein, CStringGetDatum(info->session_role));
	if (strcmp(attname, "application_name") == 0 &&
		application_name != NULL && application_name[0] != '\0')
		return CStringGetTextDatum(application_name);
	if (strcmp(attname, "client_addr") == 0)
		return client_addr(isnull);
	if (strcmp(attname, "backend_pid") == 0)
		return Int32GetDatum(MyProcPid);
	if (strcmp(attname, "xid") == 0)
		return FullTransactionIdGetDatum(GetTopFullTransactionId());
	if (strcmp(attname, "command_tag") == 0)
		return CStringGetTextDatum(info->command_tag);
	if (strcmp(attname, "objects") == 0)
		return text_array(frame->objects, false);
	if (strcmp(attname, "dropped_objects") == 0)
		return text_array(frame->objects, true);
	if (strcmp(attname, "statement") == 0)
		return CStringGetTextDatum(info->text);
	if (strcmp(attname, "revision") == 0 && info->revision != NULL)
		return CStringGetTextDatum(info->revision);
	if (strcmp(attname, "direction") == 0 && info->direction != NULL)
		return CStringGetTextDatum(info->direction);
	if (strcmp(attname, "nested") == 0)
		return BoolGetDatum(info->nested);
	if (strcmp(attname, "search_path") == 0 && info->search_path != NULL)
		return CStringGetTextDatum(info->search_path);
	if (strcmp(attname, "schemas") == 0)
		return schemas_array(info->schemas);
	*isnull = true;
	return (Datum) 0;
}

/*
 * write_log_row
 *		Insert the statement's row into schemamig.ddl_log, in the statement's
 *		transaction; prune old rows now and then.
 *
 * The row goes straight into the heap and its indexes, as the server does
 * for its own catalogs: no parsing, planning or executor start-up per DDL
 * statement, and no privilege on the log needed by the user running DDL.
 * The table has no insert triggers or rules, and every value obeys its
 * constraints by construction.
 */
static void
write_log_row(Oid relid, StatementInfo *info, CaptureFrame *frame,
			  double duration_ms)
{
	Relation	rel = table_open(relid, RowExclusiveLock);
	TupleDesc	desc = RelationGetDescr(rel);
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	HeapTuple	tuple;
	TimestampTz now;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
		{
			values[i] = (Datum) 0;
			nulls[i] = true;
			continue;
		}
		values[i] = column_value(NameStr(att->attname), relid, info, frame,
								 duration_ms, &nulls[i]);
	}
	tuple = heap_form_tuple(desc, values, nulls);
	CatalogTupleInsert(rel, tuple);
	table_close(rel, NoLock);
	CommandCounterIncrement();

	now = GetCurrentTimestamp();
	if (mig_ddl_log_retention > 0 &&
		(last_prune == 0 ||
		 TimestampDifferenceExceeds(last_prune, now, PRUNE_INTERVAL_MS)))
		prune_log(relid, now);
}


/* ----------------------------------------------------------------
 *		The hook
 * ----------------------------------------------------------------
 */

/*
 * call_next
 *		Run the statement: the previous hook, or the server.
 */
static void
call_next(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
		  ProcessUtilityContext context, ParamListInfo params,
		  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
#if PG_VERSION_NUM >= 140000
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
#else
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, context,
								params, queryEnv, dest, qc);
#endif
}

/*
 * run_in_frame
 *		Run the statement with frame pushed on the capture stack, popping it
 *		however the statement ends.
 */
static void
run_in_frame(CaptureFrame *frame,
			 PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			 ProcessUtilityContext context, ParamListInfo params,
			 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	frame->outer = capture_stack;
	capture_stack = frame;
	PG_TRY();
	{
		call_next(pstmt, queryString, readOnlyTree, context, params,
				  queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		capture_stack = frame->outer;
	}
	PG_END_TRY();
}

/*
 * describe_statement
 *		What the log row says about the statement, gathered before it runs
 *		(a statement may change the current role or the runner's state).
 */
static void
describe_statement(StatementInfo *info, PlannedStmt *pstmt,
				   const char *queryString, ProcessUtilityContext context)
{
	Node	   *stmt = pstmt->utilityStmt;
	bool		from_runner;

	info->started_at = GetCurrentTimestamp();
	info->role = GetUserNameFromId(GetUserId(), true);
	info->session_role = GetUserNameFromId(GetSessionUserId(), true);
	if (info->role == NULL)
		info->role = psprintf("%u", GetUserId());
	if (info->session_role == NULL)
		info->session_role = psprintf("%u", GetSessionUserId());
	info->command_tag = GetCommandTagName(CreateCommandTag(stmt));
	info->text = statement_text(queryString, pstmt->stmt_location,
								pstmt->stmt_len);
	info->revision = mig_running_revision ? pstrdup(mig_running_revision) : NULL;
	info->direction = mig_running_direction ? pstrdup(mig_running_direction) : NULL;

	/*
	 * A statement the runner itself hands to SPI is a revision's statement;
	 * anything else below the top level ran inside a function, a procedure
	 * or a DO block.
	 */
	from_runner = mig_running_revision != NULL &&
		mig_running_statement != NULL && queryString == mig_running_statement;
	info->nested = context != PROCESS_UTILITY_TOPLEVEL && !from_runner;
	info->search_path = mig_ddl_log_enabled ? mig_current_search_path() : NULL;
	info->schemas = NIL;
}

/*
 * capture_statement
 *		Police, run and record one DDL statement.
 */
static void
capture_statement(PlannedStmt *pstmt, const char *queryString,
				  bool readOnlyTree, ProcessUtilityContext context,
				  ParamListInfo params, QueryEnvironment *queryEnv,
				  DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	CaptureFrame frame;
	StatementInfo info;
	MemoryContext oldcxt;
	instr_time	start;
	instr_time	elapsed;
	bool		policed;
	bool		policy_done = false;
	bool		all_temporary;
	ListCell   *lc;
	Oid			relid;

	/* an outermost statement starts with an empty capture context */
	if (capture_stack == NULL)
		MemoryContextReset(capture_cxt);

	oldcxt = MemoryContextSwitchTo(capture_cxt);
	describe_statement(&info, pstmt, queryString, context);
	MemoryContextSwitchTo(oldcxt);

	policed = info.revision == NULL && mig_out_of_band_ddl != MIG_OOB_ALLOW &&
		!policy_exempt(stmt);
	if (policed)
		policy_done = precheck_policy(stmt, info.command_tag);
	lint_statement(stmt, info.text, info.revision);
	if (statement_has_secrets(stmt))
	{
		oldcxt = MemoryContextSwitchTo(capture_cxt);
		info.text = redact_literals(info.text);
		MemoryContextSwitchTo(oldcxt);
	}

	frame.capturing = true;
	frame.objects = NIL;
	INSTR_TIME_SET_CURRENT(start);
	run_in_frame(&frame, pstmt, queryString, readOnlyTree, context, params,
				 queryEnv, dest, qc);
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);

	if (policed && !policy_done)
		postcheck_policy(&frame, info.command_tag);

	if (!mig_ddl_log_enabled)
		return;

	/* skip a statement that touched temporary objects only */
	all_temporary = frame.objects != NIL;
	foreach(lc, frame.objects)
	{
		if (!((CapturedObject *) lfirst(lc))->temporary)
		{
			all_temporary = false;
			break;
		}
	}
	if (all_temporary && !mig_ddl_log_temp)
		return;

	/* the statement may have dropped the extension */
	relid = ddl_log_relid();
	if (!OidIsValid(relid) || XactReadOnly)
		return;

	oldcxt = MemoryContextSwitchTo(capture_cxt);
	info.schemas = touched_schemas(&frame, stmt);
	write_log_row(relid, &info, &frame, INSTR_TIME_GET_MILLISEC(elapsed));
	MemoryContextSwitchTo(oldcxt);
}

/*
 * mig_ProcessUtility
 *		The ProcessUtility hook.
 */
#if PG_VERSION_NUM >= 140000
static void
mig_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
				   bool readOnlyTree, ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
#else
static void
mig_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
				   ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
#endif
{
#if PG_VERSION_NUM < 140000
	bool		readOnlyTree = false;
#endif

	if (statement_wanted(pstmt, context))
	{
		capture_statement(pstmt, queryString, readOnlyTree, context, params,
						  queryEnv, dest, qc);
		return;
	}

	if (lint_wanted(pstmt, context))
		lint_statement(pstmt->utilityStmt,
					   statement_text(queryString, pstmt->stmt_location,
									  pstmt->stmt_len),
					   NULL);

	if (capture_stack != NULL && context != PROCESS_UTILITY_SUBCOMMAND)
	{
		/* a statement inside captured DDL: keep its events apart */
		CaptureFrame frame;

		frame.capturing = false;
		frame.objects = NIL;
		run_in_frame(&frame, pstmt, queryString, readOnlyTree, context,
					 params, queryEnv, dest, qc);
	}
	else
		call_next(pstmt, queryString, readOnlyTree, context, params,
				  queryEnv, dest, qc);
}


/* ----------------------------------------------------------------
 *		Event trigger functions
 * ----------------------------------------------------------------
 */

/*
 * capturing_now
 *		Is the innermost running statement one the hook captures?
 */
static bool
capturing_now(void)
{
	return capture_stack != NULL && capture_stack->capturing &&
		own_spi_depth == 0 && !creating_extension;
}

/*
 * note_object
 *		Add an object to the innermost frame (in the capture context).
 *		Objects created or altered are listed once each.
 */
static void
note_object(const char *type, const char *schema, const char *identity,
			bool dropped, bool temporary, bool listed)
{
	CaptureFrame *frame = capture_stack;
	MemoryContext oldcxt;
	CapturedObject *obj;
	ListCell   *lc;

	if (type == NULL || identity == NULL)
		return;
	if (listed && !dropped)
	{
		foreach(lc, frame->objects)
		{
			CapturedObject *other = (CapturedObject *) lfirst(lc);

			if (!other->dropped && strcmp(other->type, type) == 0 &&
				strcmp(other->identity, identity) == 0)
				return;
		}
	}
	oldcxt = MemoryContextSwitchTo(capture_cxt);
	obj = palloc(sizeof(CapturedObject));
	obj->type = pstrdup(type);
	obj->schema = schema ? pstrdup(schema) : NULL;
	obj->identity = pstrdup(identity);
	obj->dropped = dropped;
	obj->temporary = temporary;
	obj->listed = listed;
	frame->objects = lappend(frame->objects, obj);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * is_temp_schema_name
 *		The name event triggers give the schema of a temporary object.
 */
static bool
is_temp_schema_name(const char *schema)
{
	return schema != NULL && (strncmp(schema, "pg_temp", 7) == 0 ||
							  strncmp(schema, "pg_toast_temp", 13) == 0);
}

/*
 * column_number
 *		The 1-based position of a column of a result descriptor.
 */
static int
column_number(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
			return i + 1;
	elog(ERROR, "event trigger function result has no column \"%s\"", name);
	return 0;					/* keep compiler quiet */
}

/*
 * slot_text
 *		A text column of a slot as a C string, or NULL.
 */
static char *
slot_text(TupleTableSlot *slot, int attnum)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, attnum, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * collect_objects
 *		Read the objects of the firing event into the innermost frame:
 *		pg_event_trigger_ddl_commands() or pg_event_trigger_dropped_objects(),
 *		called directly (no SPI, no executor) with a materialize-mode
 *		ReturnSetInfo, as a FunctionScan would.
 */
static void
collect_objects(bool dropped)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "schemamig event objects",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	FmgrInfo	flinfo;
	ReturnSetInfo rsinfo;
	ExprContext *econtext;
	TupleTableSlot *slot;

	LOCAL_FCINFO(fcinfo, 0);

	fmgr_info(dropped ? F_PG_EVENT_TRIGGER_DROPPED_OBJECTS :
			  F_PG_EVENT_TRIGGER_DDL_COMMANDS, &flinfo);
	econtext = CreateStandaloneExprContext();
	memset(&rsinfo, 0, sizeof(rsinfo));
	rsinfo.type = T_ReturnSetInfo;
	rsinfo.econtext = econtext;
	rsinfo.allowedModes = SFRM_Materialize;
	rsinfo.returnMode = SFRM_Materialize;
	InitFunctionCallInfoData(*fcinfo, &flinfo, 0, InvalidOid, NULL,
							 (Node *) &rsinfo);
	(void) FunctionCallInvoke(fcinfo);

	if (rsinfo.setResult != NULL && rsinfo.setDesc != NULL)
	{
		TupleDesc	desc = rsinfo.setDesc;
		int			col_type = column_number(desc, "object_type");
		int			col_schema = column_number(desc, "schema_name");
		int			col_identity = column_number(desc, "object_identity");
		int			col_temp = dropped ? column_number(desc, "is_temporary") : 0;
		int			col_original = dropped ? column_number(desc, "original") : 0;
		int			col_normal = dropped ? column_number(desc, "normal") : 0;
		int			col_in_ext = dropped ? 0 : column_number(desc, "in_extension");

		slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
		while (tuplestore_gettupleslot(rsinfo.setResult, true, false, slot))
		{
			char	   *type = slot_text(slot, col_type);
			char	   *schema = slot_text(slot, col_schema);
			char	   *identity = slot_text(slot, col_identity);
			bool		isnull;

			if (dropped)
			{
				bool		temporary = DatumGetBool(slot_getattr(slot, col_temp, &isnull));
				bool		listed = DatumGetBool(slot_getattr(slot, col_original, &isnull)) ||
					DatumGetBool(slot_getattr(slot, col_normal, &isnull));

				note_object(type, schema, identity, true, temporary, listed);
			}
			else if (!DatumGetBool(slot_getattr(slot, col_in_ext, &isnull)))
				note_object(type, schema, identity, false,
							is_temp_schema_name(schema), true);
		}
		ExecDropSingleTupleTableSlot(slot);
		tuplestore_end(rsinfo.setResult);
	}
	FreeExprContext(econtext, true);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(cxt);
}

/*
 * schemamig_ddl_command_end
 *		Event trigger on ddl_command_end: note the objects the statement
 *		created or altered.  Does nothing unless the hook is capturing the
 *		statement (so nothing without preloading, nothing during CREATE or
 *		DROP EXTENSION schemamig).
 */
Datum
schemamig_ddl_command_end(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function can only be called as an event trigger")));
	if (capturing_now())
		collect_objects(false);
	PG_RETURN_NULL();
}

/*
 * schemamig_sql_drop
 *		Event trigger on sql_drop: note the objects the statement dropped.
 */
Datum
schemamig_sql_drop(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function can only be called as an event trigger")));
	if (capturing_now())
		collect_objects(true);
	PG_RETURN_NULL();
}


/* ----------------------------------------------------------------
 *		Protecting and pruning the log
 * ----------------------------------------------------------------
 */

/*
 * is_log_owner
 *		May the current user remove rows from the log: its owner (the role
 *		that created the extension) or a superuser?
 */
static bool
is_log_owner(Oid relid)
{
	if (superuser())
		return true;
#if PG_VERSION_NUM >= 160000
	return object_ownercheck(RelationRelationId, relid, GetUserId());
#else
	return pg_class_ownercheck(relid, GetUserId());
#endif
}

/*
 * schemamig_ddl_log_guard
 *		Trigger on schemamig.ddl_log: UPDATE is refused for everyone;
 *		DELETE and TRUNCATE only for the table's owner or a superuser (for
 *		retention).
 */
Datum
schemamig_ddl_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function can only be called as a trigger")));

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the DDL log is append-only"),
				 errdetail("UPDATE on schemamig.ddl_log is not allowed.")));

	if (!is_log_owner(RelationGetRelid(trigdata->tg_relation)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the DDL log is append-only"),
				 errdetail("Only the owner of schemamig.ddl_log or a superuser may remove its rows."),
				 errhint("Set schemamig.ddl_log_retention, or have the owner call mig_ddl_log_prune().")));

	/* a row trigger lets the row go; a statement trigger returns nothing */
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_trigtuple);
	return PointerGetDatum(NULL);
}

/*
 * mig_ddl_log_prune
 *		mig_ddl_log_prune(older_than interval DEFAULT NULL) RETURNS bigint:
 *		delete the log's rows older than older_than, or than
 *		schemamig.ddl_log_retention when NULL; returns how many.  Runs with
 *		the caller's rights: the owner of the log or a superuser.
 */
Datum
mig_ddl_log_prune(PG_FUNCTION_ARGS)
{
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz cutoff;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1];
	int			rc;
	uint64		deleted;

	if (!PG_ARGISNULL(0))
	{
		Interval   *older_than = PG_GETARG_INTERVAL_P(0);
		Interval	zero;

		memset(&zero, 0, sizeof(zero));
		if (DatumGetInt32(DirectFunctionCall2(interval_cmp,
											  IntervalPGetDatum(older_than),
											  IntervalPGetDatum(&zero))) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("retention period cannot be negative")));
		cutoff = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
														 TimestampTzGetDatum(now),
														 IntervalPGetDatum(older_than)));
	}
	else if (mig_ddl_log_retention > 0)
		cutoff = now - (int64) mig_ddl_log_retention * SECS_PER_MINUTE * USECS_PER_SEC;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no retention period given"),
				 errdetail("older_than is NULL and schemamig.ddl_log_retention is 0 (keep forever)."),
				 errhint("Call mig_ddl_log_prune('90 days'), or set schemamig.ddl_log_retention.")));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = TimestampTzGetDatum(cutoff);
	rc = SPI_execute_with_args("DELETE FROM " MIG_CATALOG_SCHEMA "." DDL_LOG_TABLE
							   " WHERE started_at < $1",
							   1, argtypes, values, NULL, false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "pruning the DDL log failed: %s", SPI_result_code_string(rc));
	deleted = SPI_processed;
	SPI_finish();
	PG_RETURN_INT64((int64) deleted);
}
