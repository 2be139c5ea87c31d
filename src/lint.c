/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  The engine of the migration linter: it walks the raw parse trees of a
 *	  script's statements, hands each statement (and each ALTER TABLE
 *	  subcommand) to every rule of the catalogue in lint_rules.c, and gives
 *	  the rules live facts: which relations exist and how large they are,
 *	  which were created earlier in the same script, which locks earlier
 *	  statements already hold, whether a lock_timeout and a statement
 *	  timeout are in force.
 *
 * Nothing is executed.  Statements are parsed with the server's own parser
 * (sqltext_split) and looked at; catalog lookups never raise an error for a
 * missing object, since a revision usually refers to objects that earlier
 * revisions create.  The only locks taken on user relations are conditional
 * ACCESS SHARE locks, to read a relation's size or test a partition bound;
 * they never wait (without one, the size comes from pg_class.relpages and
 * the bound is not judged).
 *
 * Suppression comments: "-- schemamig:ignore rule[, rule ...]" (or the same
 * in a block comment) among the comments right before a statement
 * suppresses those rules for that statement; "-- schemamig:ignore-file
 * rule[, ...]" anywhere before a statement suppresses them for the whole
 * script (the whole revision).  "all" names every rule.  A ':' or '(' ends
 * the list, so a reason can follow.
 *
 * Also here: the schemamig.lint and schemamig.lint_large_table_size GUCs,
 * enforcement (mig_lint_enforce) and the SQL functions mig_lint() and
 * mig_lint_rules().
 *
 * IDENTIFICATION
 *	  src/lint.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <limits.h>

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_type.h"
#include "parser/scansup.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "hook.h"
#include "lint_internal.h"
#include "schemamig.h"
#include "sqltext.h"

/* GUC variables (schemamig.lint itself is defined in hook.c) */
int			mig_lint_large_table_kb = 10 * 1024;

/* This backend's local transaction id (moved into vxid in PostgreSQL 17) */
#if PG_VERSION_NUM >= 170000
#define MY_LXID		(MyProc->vxid.lxid)
#else
#define MY_LXID		(MyProc->lxid)
#endif

/* The state mig_lint_enforce_statement() keeps for the current transaction */
static MigLintState *xact_state = NULL;
static LocalTransactionId xact_state_lxid = InvalidLocalTransactionId;
static char *xact_state_revision = NULL;

static const LintRule *find_rule(const char *id);

PG_FUNCTION_INFO_V1(mig_lint);
PG_FUNCTION_INFO_V1(mig_lint_rules);

/*
 * mig_lint_init
 *		Define the linter's GUC.  Called from _PG_init before the "schemamig"
 *		prefix is reserved.  (schemamig.lint, the enforcement mode, is
 *		defined by the DDL hook's mig_hook_init.)
 */
void
mig_lint_init(void)
{
	DefineCustomIntVariable("schemamig.lint_large_table_size",
							"Tables smaller than this are small for the linter.",
							"Lock, rewrite and scan findings on a smaller table are reported "
							"with severity info.  0 treats every table as large.",
							&mig_lint_large_table_kb,
							10 * 1024, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
}

/*
 * mig_lint_severity_name
 *		The name mig_lint() reports for a severity.
 */
const char *
mig_lint_severity_name(MigLintSeverity severity)
{
	switch (severity)
	{
		case MIG_LINT_INFO:
			return "info";
		case MIG_LINT_WARNING:
			return "warning";
		case MIG_LINT_ERROR:
			return "error";
	}
	return "error";
}

/* ------------------------------------------------------------------------
 * Live facts for the rules
 * ------------------------------------------------------------------------ */

/*
 * mig_lint_object_name
 *		The qualified, quoted name an object written as [schema.]name has or
 *		will have: unqualified names land in the first existing schema of
 *		search_path.
 */
char *
mig_lint_object_name(const char *schema, const char *name)
{
	if (schema == NULL)
	{
		List	   *path = fetch_search_path(false);

		if (path != NIL)
		{
			char	   *nsp = get_namespace_name(linitial_oid(path));

			if (nsp != NULL)
				return quote_qualified_identifier(nsp, name);
		}
		return pstrdup(quote_identifier(name));
	}
	return quote_qualified_identifier(schema, name);
}

/*
 * mig_lint_qualified_name
 *		A qualified name from a parser name list, quoted, with the creation
 *		schema added when the list has no schema.
 */
char *
mig_lint_qualified_name(List *names)
{
	char	   *schema;
	char	   *name;

	if (list_length(names) > 2)
		return NameListToQuotedString(names);
	DeconstructQualifiedName(names, &schema, &name);
	return mig_lint_object_name(schema, name);
}

/*
 * lint_namespace
 *		The OID of a schema the current user may look into (USAGE), or
 *		InvalidOid: the linter treats what it cannot see as unknown rather
 *		than raising "permission denied".
 */
Oid
lint_namespace(const char *name)
{
	Oid			nsp = get_namespace_oid(name, true);

	if (!OidIsValid(nsp))
		return InvalidOid;
#if PG_VERSION_NUM >= 160000
	if (object_aclcheck(NamespaceRelationId, nsp, GetUserId(), ACL_USAGE) != ACLCHECK_OK)
		return InvalidOid;
#else
	if (pg_namespace_aclcheck(nsp, GetUserId(), ACL_USAGE) != ACLCHECK_OK)
		return InvalidOid;
#endif
	return nsp;
}

/*
 * name_matches
 *		Does a name written as (schema, name) denote the created entry?  An
 *		unqualified name on either side matches any schema.
 */
static bool
name_matches(const LintName *n, const char *schema, const char *name)
{
	if (strcmp(n->name, name) != 0)
		return false;
	return schema == NULL || n->schema == NULL || strcmp(schema, n->schema) == 0;
}

/*
 * lint_is_created
 *		Was an object of this kind and name created earlier in the script?
 */
bool
lint_is_created(MigLintState *state, char kind, const char *schema,
				const char *name)
{
	ListCell   *lc;

	if (name == NULL)
		return false;
	foreach(lc, state->created)
	{
		LintName   *n = (LintName *) lfirst(lc);

		if (n->kind == kind && name_matches(n, schema, name))
			return true;
	}
	return false;
}

/*
 * lint_add_created
 *		Remember an object created (or a constraint added NOT VALID) by this
 *		statement.
 */
void
lint_add_created(MigLintState *state, char kind, const char *schema,
				 const char *name, const char *relname, int statement)
{
	LintName   *n = palloc0(sizeof(LintName));

	n->kind = kind;
	n->schema = schema ? pstrdup(schema) : NULL;
	n->name = pstrdup(name);
	n->relname = relname ? pstrdup(relname) : NULL;
	n->statement = statement;
	state->created = lappend(state->created, n);
}

/*
 * lint_rel
 *		Resolve a relation named by the statement: created earlier in the
 *		script, in the catalog, or unknown.  Never raises an error for a
 *		missing relation or schema, and takes no lock.
 */
LintRel *
lint_rel(LintStmt *ls, RangeVar *rv)
{
	ListCell   *lc;
	LintRel    *rel;

	foreach(lc, ls->rels)
	{
		rel = (LintRel *) lfirst(lc);
		if (rel->rv == rv)
			return rel;
	}

	rel = palloc0(sizeof(LintRel));
	rel->rv = rv;
	rel->size = -1;
	if (lint_is_created(ls->state, 'r', rv->schemaname, rv->relname))
	{
		rel->created = true;
		rel->name = mig_lint_object_name(rv->schemaname, rv->relname);
	}
	else
	{
		rel->name = mig_lint_relation_name(rv, &rel->relid);
		if (OidIsValid(rel->relid))
			rel->relkind = get_rel_relkind(rel->relid);
	}
	ls->rels = lappend(ls->rels, rel);
	return rel;
}

/*
 * mig_lint_relation_name
 *		The qualified name of a relation a statement names: its own when the
 *		catalog knows it (*relid set), else where it will be created.  Takes
 *		no lock and raises no error.
 */
char *
mig_lint_relation_name(RangeVar *rv, Oid *relid)
{
	Oid			oid = InvalidOid;

	if (rv->schemaname == NULL || OidIsValid(lint_namespace(rv->schemaname)))
		oid = RangeVarGetRelid(rv, NoLock, true);
	if (OidIsValid(oid))
	{
		char	   *nsp = get_namespace_name(get_rel_namespace(oid));
		char	   *relname = get_rel_name(oid);

		if (nsp != NULL && relname != NULL)
		{
			*relid = oid;
			return quote_qualified_identifier(nsp, relname);
		}
	}
	*relid = InvalidOid;
	return mig_lint_object_name(rv->schemaname, rv->relname);
}

/*
 * lint_rel_oid
 *		A LintRel for a relation known by OID (an index's table, say).
 */
LintRel *
lint_rel_oid(LintStmt *ls, Oid relid)
{
	char	   *nsp = get_namespace_name(get_rel_namespace(relid));
	char	   *relname = get_rel_name(relid);
	RangeVar   *rv;

	if (nsp == NULL || relname == NULL)
		return NULL;
	rv = makeRangeVar(nsp, relname, -1);
	return lint_rel(ls, rv);
}

/*
 * relation_bytes
 *		Size of one relation's main fork.  The exact size when an ACCESS
 *		SHARE lock is free right now (never waits: the linter must not queue
 *		behind the locks it warns about), pg_class.relpages otherwise.
 */
static int64
relation_bytes(Oid relid)
{
	int64		bytes = -1;

	if (ConditionalLockRelationOid(relid, AccessShareLock))
	{
		Relation	r = try_relation_open(relid, NoLock);

		if (r != NULL)
		{
			if (RELKIND_HAS_STORAGE(r->rd_rel->relkind))
				bytes = (int64) RelationGetNumberOfBlocks(r) * BLCKSZ;
			else
				bytes = 0;
			relation_close(r, NoLock);
		}
		UnlockRelationOid(relid, AccessShareLock);
	}
	if (bytes < 0)
	{
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));

		if (HeapTupleIsValid(tup))
		{
			Form_pg_class cls = (Form_pg_class) GETSTRUCT(tup);

			bytes = (int64) Max(cls->relpages, 0) * BLCKSZ;
			ReleaseSysCache(tup);
		}
	}
	return bytes;
}

/*
 * lint_rel_size
 *		Size in bytes of a relation of the catalog (of all its partitions for
 *		a partitioned table or index); -1 when unknown.
 */
int64
lint_rel_size(LintRel *rel)
{
	if (rel->size_done)
		return rel->size;
	rel->size_done = true;
	rel->size = -1;
	if (!OidIsValid(rel->relid))
		return -1;

	if (rel->relkind == RELKIND_PARTITIONED_TABLE ||
		rel->relkind == RELKIND_PARTITIONED_INDEX)
	{
		List	   *children = find_all_inheritors(rel->relid, NoLock, NULL);
		ListCell   *lc;
		int64		total = 0;

		foreach(lc, children)
		{
			int64		b = relation_bytes(lfirst_oid(lc));

			if (b > 0)
				total += b;
		}
		rel->size = total;
	}
	else
		rel->size = relation_bytes(rel->relid);
	return rel->size;
}

/*
 * mig_lint_size_text
 *		A size as pg_size_pretty() prints it.
 */
char *
mig_lint_size_text(int64 bytes)
{
	return text_to_cstring(DatumGetTextPP(DirectFunctionCall1(pg_size_pretty,
															  Int64GetDatum(bytes))));
}

/*
 * lint_rel_desc
 *		"schema.table (12 MB)" when the size is known, the name otherwise.
 */
char *
lint_rel_desc(LintRel *rel)
{
	int64		size = lint_rel_size(rel);

	if (size < 0)
		return rel->name;
	return psprintf("%s (%s)", rel->name, mig_lint_size_text(size));
}

/*
 * relation_total_bytes
 *		pg_total_relation_size() of one relation (table, TOAST table and
 *		every index), when ACCESS SHARE locks on all of them are free right
 *		now; -1 otherwise.  pg_total_relation_size() opens each of them with
 *		a lock that could wait behind a REINDEX or an ALTER TABLE; taking the
 *		locks conditionally first means it never does.
 */
static int64
relation_total_bytes(Oid relid)
{
	List	   *locked = NIL;
	List	   *todo = list_make1_oid(relid);
	bool		ok = true;
	int64		bytes = -1;
	ListCell   *lc;

	/* the list grows while it is walked: a table's TOAST table and indexes */
	for (int i = 0; i < list_length(todo) && ok; i++)
	{
		Oid			oid = list_nth_oid(todo, i);
		Relation	r;

		if (!ConditionalLockRelationOid(oid, AccessShareLock))
		{
			ok = false;
			break;
		}
		locked = lappend_oid(locked, oid);
		r = try_relation_open(oid, NoLock);
		if (r == NULL)
		{
			ok = false;
			break;
		}
		if (r->rd_rel->relkind != RELKIND_INDEX)
		{
			todo = list_concat(todo, RelationGetIndexList(r));
			if (OidIsValid(r->rd_rel->reltoastrelid))
				todo = lappend_oid(todo, r->rd_rel->reltoastrelid);
		}
		relation_close(r, NoLock);
	}
	if (ok)
		bytes = DatumGetInt64(DirectFunctionCall1(pg_total_relation_size,
												  ObjectIdGetDatum(relid)));
	foreach(lc, locked)
		UnlockRelationOid(lfirst_oid(lc), AccessShareLock);
	return bytes;
}

/*
 * mig_lint_relation_size
 *		The live size of a relation (of all partitions of a partitioned
 *		table) and the planner's row estimate, read without waiting for any
 *		lock: the table's size comes from pg_class.relpages when its lock is
 *		taken, the total is unknown (-1) then.
 */
void
mig_lint_relation_size(Oid relid, MigRelSize *size)
{
	char		relkind = get_rel_relkind(relid);
	List	   *rels;
	ListCell   *lc;

	size->table_bytes = -1;
	size->total_bytes = -1;
	size->rows = -1;
	if (relkind == '\0')
		return;
	if (relkind == RELKIND_PARTITIONED_TABLE)
		rels = find_all_inheritors(relid, NoLock, NULL);
	else
		rels = list_make1_oid(relid);

	size->table_bytes = 0;
	size->total_bytes = 0;
	foreach(lc, rels)
	{
		Oid			oid = lfirst_oid(lc);
		int64		table = relation_bytes(oid);
		int64		total = relation_total_bytes(oid);
		HeapTuple	tup;

		if (table > 0)
			size->table_bytes += table;
		if (total < 0 || size->total_bytes < 0)
			size->total_bytes = -1;
		else
			size->total_bytes += total;
		tup = SearchSysCache1(RELOID, ObjectIdGetDatum(oid));
		if (HeapTupleIsValid(tup))
		{
			Form_pg_class cls = (Form_pg_class) GETSTRUCT(tup);

			if (cls->reltuples >= 0 && cls->relkind != RELKIND_PARTITIONED_TABLE)
				size->rows = Max(size->rows, 0) + cls->reltuples;
			ReleaseSysCache(tup);
		}
	}
}

/*
 * mig_lint_rule_work
 *		What a finding of this rule does to the table's rows, read from the
 *		rule's documented effect (lint_rules.c), so that the catalogue stays
 *		the one place that says it.
 */
MigLintWork
mig_lint_rule_work(const char *rule)
{
	const LintRule *r = find_rule(rule);
	const char *e;

	if (r == NULL)
		return MIG_LINT_WORK_NONE;
	e = r->effect;
	if (strncmp(e, "rewrite", 7) == 0 || strncmp(e, "rebuild", 7) == 0 ||
		strncmp(e, "copy", 4) == 0)
		return MIG_LINT_WORK_REWRITE;
	if (strncmp(e, "index build", 11) == 0 || strncmp(e, "index rebuild", 13) == 0)
		return MIG_LINT_WORK_INDEX_BUILD;
	if (strncmp(e, "scan", 4) == 0)
		return MIG_LINT_WORK_SCAN;
	if (strncmp(e, "every row", 9) == 0)
		return MIG_LINT_WORK_ROWS;
	return MIG_LINT_WORK_NONE;
}

/*
 * mig_lint_rule_fails
 *		Does a finding of this rule (at severity error) mean the statement
 *		fails or is refused when the revision runs, rather than that it is
 *		slow or risky?  Read from the rule's documented effect, like
 *		mig_lint_rule_work().
 */
bool
mig_lint_rule_fails(const char *rule)
{
	const LintRule *r = find_rule(rule);

	return r != NULL && (strncmp(r->effect, "fails", 5) == 0 ||
						 strcmp(r->effect, "refused") == 0);
}

/*
 * mig_lint_type_text
 *		A type as format_type() prints it when the catalog knows it, as
 *		written (TypeNameToString) otherwise.
 */
char *
mig_lint_type_text(TypeName *typeName)
{
	int32		typmod = -1;
	Oid			typid = mig_lint_type_oid(typeName, &typmod);

	if (OidIsValid(typid))
		return format_type_with_typemod(typid, typmod);
	return TypeNameToString(typeName);
}

/*
 * mig_lint_lock_name
 *		A lock mode as the documentation spells it: "ACCESS EXCLUSIVE".
 */
const char *
mig_lint_lock_name(LOCKMODE mode)
{
	switch (mode)
	{
		case AccessShareLock:
			return "ACCESS SHARE";
		case RowShareLock:
			return "ROW SHARE";
		case RowExclusiveLock:
			return "ROW EXCLUSIVE";
		case ShareUpdateExclusiveLock:
			return "SHARE UPDATE EXCLUSIVE";
		case ShareLock:
			return "SHARE";
		case ShareRowExclusiveLock:
			return "SHARE ROW EXCLUSIVE";
		case ExclusiveLock:
			return "EXCLUSIVE";
		case AccessExclusiveLock:
			return "ACCESS EXCLUSIVE";
	}
	return "no";
}

/*
 * lint_locked
 *		The lock an earlier statement of the script took on relid, or NULL.
 */
LintLocked *
lint_locked(MigLintState *state, Oid relid)
{
	ListCell   *lc;

	foreach(lc, state->locked)
	{
		LintLocked *l = (LintLocked *) lfirst(lc);

		if (l->relid == relid)
			return l;
	}
	return NULL;
}

/*
 * first_relation
 *		A LintRel for the first name of a DropStmt-style object list.
 */
static LintRel *
first_relation(LintStmt *ls, List *objects)
{
	if (objects == NIL || !IsA(linitial(objects), List))
		return NULL;
	return lint_rel(ls, makeRangeVarFromNameList((List *) linitial(objects)));
}

/*
 * statement_lock
 *		The main table lock the statement takes and that relation, whether
 *		or not the script created it.  NoLock when none.
 */
static LOCKMODE
statement_lock(LintStmt *ls, LintRel **relp)
{
	Node	   *stmt = ls->stmt;
	LOCKMODE	mode = NoLock;
	LintRel    *rel = NULL;

	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
			{
				AlterTableStmt *s = (AlterTableStmt *) stmt;

				if (s->objtype != OBJECT_TYPE && s->cmds != NIL)
				{
					rel = lint_rel(ls, s->relation);
					mode = AlterTableGetLockLevel(s->cmds);
				}
				break;
			}
		case T_IndexStmt:
			{
				IndexStmt  *s = (IndexStmt *) stmt;

				rel = lint_rel(ls, s->relation);
				mode = s->concurrent ? ShareUpdateExclusiveLock : ShareLock;
				break;
			}
		case T_DropStmt:
			{
				DropStmt   *s = (DropStmt *) stmt;

				if (s->concurrent)
					break;
				switch (s->removeType)
				{
					case OBJECT_INDEX:
						rel = first_relation(ls, s->objects);
						if (rel != NULL && OidIsValid(rel->relid))
						{
							Oid			heap = IndexGetRelation(rel->relid, true);

							if (OidIsValid(heap))
								rel = lint_rel_oid(ls, heap);
						}
						mode = AccessExclusiveLock;
						break;
					case OBJECT_TABLE:
					case OBJECT_VIEW:
					case OBJECT_MATVIEW:
					case OBJECT_FOREIGN_TABLE:
					case OBJECT_SEQUENCE:
						rel = first_relation(ls, s->objects);
						mode = AccessExclusiveLock;
						break;
					default:
						break;
				}
				break;
			}
		case T_RenameStmt:
			{
				RenameStmt *s = (RenameStmt *) stmt;

				if (s->relation != NULL)
				{
					rel = lint_rel(ls, s->relation);
					mode = (s->renameType == OBJECT_INDEX) ?
						ShareUpdateExclusiveLock : AccessExclusiveLock;
				}
				break;
			}
		case T_TruncateStmt:
			{
				TruncateStmt *s = (TruncateStmt *) stmt;

				if (s->relations != NIL)
				{
					rel = lint_rel(ls, linitial_node(RangeVar, s->relations));
					mode = AccessExclusiveLock;
				}
				break;
			}
		case T_ClusterStmt:
			{
				ClusterStmt *s = (ClusterStmt *) stmt;

				if (s->relation != NULL)
				{
					rel = lint_rel(ls, s->relation);
					mode = AccessExclusiveLock;
				}
				break;
			}
		case T_VacuumStmt:
			{
				VacuumStmt *s = (VacuumStmt *) stmt;

				if (sqltext_option_set(s->options, "full") && s->rels != NIL)
				{
					VacuumRelation *vr = linitial_node(VacuumRelation, s->rels);

					if (vr->relation != NULL)
					{
						rel = lint_rel(ls, vr->relation);
						mode = AccessExclusiveLock;
					}
				}
				break;
			}
		case T_ReindexStmt:
			{
				ReindexStmt *s = (ReindexStmt *) stmt;

				if (s->relation != NULL &&
					!sqltext_option_set(s->params, "concurrently"))
				{
					rel = lint_rel(ls, s->relation);
					if (s->kind == REINDEX_OBJECT_INDEX)
					{
						/* the index is locked ACCESS EXCLUSIVE: queries on its table wait */
						if (OidIsValid(rel->relid))
						{
							Oid			heap = IndexGetRelation(rel->relid, true);

							if (OidIsValid(heap))
								rel = lint_rel_oid(ls, heap);
						}
						mode = AccessExclusiveLock;
					}
					else
						mode = ShareLock;
				}
				break;
			}
		case T_RefreshMatViewStmt:
			{
				RefreshMatViewStmt *s = (RefreshMatViewStmt *) stmt;

				rel = lint_rel(ls, s->relation);
				mode = s->concurrent ? ExclusiveLock : AccessExclusiveLock;
				break;
			}
		case T_CreateTrigStmt:
			{
				CreateTrigStmt *s = (CreateTrigStmt *) stmt;

				rel = lint_rel(ls, s->relation);
				mode = ShareRowExclusiveLock;
				break;
			}
		case T_LockStmt:
			{
				LockStmt   *s = (LockStmt *) stmt;

				if (s->relations != NIL)
				{
					rel = lint_rel(ls, linitial_node(RangeVar, s->relations));
					mode = s->mode;
				}
				break;
			}
		case T_CreateStmt:
			{
				CreateStmt *s = (CreateStmt *) stmt;
				ListCell   *lc;

				/* CREATE TABLE ... PARTITION OF locks the parent */
				if (s->partbound != NULL && s->inhRelations != NIL)
				{
					rel = lint_rel(ls, linitial_node(RangeVar, s->inhRelations));
					mode = AccessExclusiveLock;
					break;
				}
				/* a foreign key locks the referenced table */
				foreach(lc, s->tableElts)
				{
					Node	   *elt = lfirst(lc);
					List	   *cons = NIL;
					ListCell   *lc2;

					if (IsA(elt, Constraint))
						cons = list_make1(elt);
					else if (IsA(elt, ColumnDef))
						cons = ((ColumnDef *) elt)->constraints;
					foreach(lc2, cons)
					{
						Constraint *c = (Constraint *) lfirst(lc2);

						if (c->contype == CONSTR_FOREIGN && c->pktable != NULL)
						{
							LintRel    *pk = lint_rel(ls, c->pktable);

							if (!pk->created)
							{
								rel = pk;
								mode = ShareRowExclusiveLock;
								break;
							}
						}
					}
					if (rel != NULL)
						break;
				}
				break;
			}
		default:
			break;
	}

	*relp = rel;
	return rel ? mode : NoLock;
}

/*
 * lint_statement_lock
 *		The strongest table lock the statement takes on a relation that
 *		exists outside the script (conflicting with other sessions), and
 *		that relation.  NoLock when none.
 */
LOCKMODE
lint_statement_lock(LintStmt *ls, LintRel **relp)
{
	LintRel    *rel = NULL;
	LOCKMODE	mode = statement_lock(ls, &rel);

	if (rel != NULL && rel->created)
	{
		rel = NULL;
		mode = NoLock;
	}
	if (relp)
		*relp = rel;
	return rel ? mode : NoLock;
}

/*
 * add_lock
 *		Note that the statement locks rel in mode (keeping the strongest mode
 *		per relation).
 */
static void
add_lock(LintStmt *ls, LintRel *rel, LOCKMODE mode)
{
	ListCell   *lc;
	MigLintLock *l;

	if (rel == NULL || mode == NoLock)
		return;
	foreach(lc, ls->state->locks)
	{
		l = (MigLintLock *) lfirst(lc);
		if (l->statement == ls->number && strcmp(l->relation, rel->name) == 0)
		{
			if (mode > l->mode)
				l->mode = mode;
			return;
		}
	}
	l = palloc0(sizeof(MigLintLock));
	l->statement = ls->number;
	l->relation = pstrdup(rel->name);
	l->relid = rel->relid;
	l->created = rel->created;
	l->mode = mode;
	ls->state->locks = lappend(ls->state->locks, l);
}

/*
 * add_foreign_key_locks
 *		A foreign key locks the table it references SHARE ROW EXCLUSIVE.
 *		elt is a table element or a list of column constraints.
 */
static void
add_foreign_key_locks(LintStmt *ls, List *constraints)
{
	ListCell   *lc;

	foreach(lc, constraints)
	{
		Node	   *n = lfirst(lc);

		if (IsA(n, ColumnDef))
			add_foreign_key_locks(ls, ((ColumnDef *) n)->constraints);
		else if (IsA(n, Constraint) &&
				 ((Constraint *) n)->contype == CONSTR_FOREIGN &&
				 ((Constraint *) n)->pktable != NULL)
			add_lock(ls, lint_rel(ls, ((Constraint *) n)->pktable),
					 ShareRowExclusiveLock);
	}
}

/*
 * index_table
 *		The table of an index named by a DROP INDEX name list (the index's
 *		own entry when the catalog does not know it).
 */
static LintRel *
index_table(LintStmt *ls, List *names)
{
	LintRel    *rel = lint_rel(ls, makeRangeVarFromNameList(names));

	if (OidIsValid(rel->relid))
	{
		Oid			heap = IndexGetRelation(rel->relid, true);

		if (OidIsValid(heap))
		{
			LintRel    *t = lint_rel_oid(ls, heap);

			if (t != NULL)
				return t;
		}
	}
	return rel;
}

/*
 * collect_locks
 *		Every table lock the statement takes, for mig_lint_analyze(): the
 *		main one (statement_lock), every further relation of statements that
 *		name several, the tables foreign keys reference, partitions attached
 *		or detached, the rows that INSERT, UPDATE and DELETE write (ROW
 *		EXCLUSIVE), and the ACCESS EXCLUSIVE of CREATE/ALTER POLICY and
 *		CREATE RULE.
 */
static void
collect_locks(LintStmt *ls)
{
	Node	   *stmt = ls->stmt;
	LintRel    *rel = NULL;
	LOCKMODE	mode = statement_lock(ls, &rel);
	ListCell   *lc;

	add_lock(ls, rel, mode);
	switch (nodeTag(stmt))
	{
		case T_DropStmt:
			{
				DropStmt   *s = (DropStmt *) stmt;

				foreach(lc, s->objects)
				{
					if (!IsA(lfirst(lc), List))
						break;
					if (s->removeType == OBJECT_INDEX)
						add_lock(ls, index_table(ls, (List *) lfirst(lc)),
								 s->concurrent ? ShareUpdateExclusiveLock :
								 AccessExclusiveLock);
					else if (s->removeType == OBJECT_TABLE ||
							 s->removeType == OBJECT_VIEW ||
							 s->removeType == OBJECT_MATVIEW ||
							 s->removeType == OBJECT_FOREIGN_TABLE ||
							 s->removeType == OBJECT_SEQUENCE)
						add_lock(ls, lint_rel(ls, makeRangeVarFromNameList((List *) lfirst(lc))),
								 AccessExclusiveLock);
				}
				break;
			}
		case T_TruncateStmt:
			foreach(lc, ((TruncateStmt *) stmt)->relations)
				add_lock(ls, lint_rel(ls, lfirst_node(RangeVar, lc)),
						 AccessExclusiveLock);
			break;
		case T_LockStmt:
			foreach(lc, ((LockStmt *) stmt)->relations)
				add_lock(ls, lint_rel(ls, lfirst_node(RangeVar, lc)),
						 ((LockStmt *) stmt)->mode);
			break;
		case T_CreateStmt:
			add_foreign_key_locks(ls, ((CreateStmt *) stmt)->tableElts);
			break;
		case T_AlterTableStmt:
			{
				AlterTableStmt *s = (AlterTableStmt *) stmt;

				if (s->objtype == OBJECT_TYPE)
					break;
				foreach(lc, s->cmds)
				{
					AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

					if (cmd->def == NULL)
						continue;
					if ((cmd->subtype == AT_AddConstraint ||
						 cmd->subtype == AT_AddColumn))
						add_foreign_key_locks(ls, list_make1(cmd->def));
					else if ((cmd->subtype == AT_AttachPartition ||
							  cmd->subtype == AT_DetachPartition) &&
							 IsA(cmd->def, PartitionCmd))
					{
						PartitionCmd *pc = (PartitionCmd *) cmd->def;

						add_lock(ls, lint_rel(ls, pc->name),
								 pc->concurrent ? ShareUpdateExclusiveLock :
								 AccessExclusiveLock);
					}
				}
				break;
			}
		case T_InsertStmt:
			add_lock(ls, lint_rel(ls, ((InsertStmt *) stmt)->relation),
					 RowExclusiveLock);
			break;
		case T_UpdateStmt:
			add_lock(ls, lint_rel(ls, ((UpdateStmt *) stmt)->relation),
					 RowExclusiveLock);
			break;
		case T_DeleteStmt:
			add_lock(ls, lint_rel(ls, ((DeleteStmt *) stmt)->relation),
					 RowExclusiveLock);
			break;
		case T_CreatePolicyStmt:
			add_lock(ls, lint_rel(ls, ((CreatePolicyStmt *) stmt)->table),
					 AccessExclusiveLock);
			break;
		case T_AlterPolicyStmt:
			add_lock(ls, lint_rel(ls, ((AlterPolicyStmt *) stmt)->table),
					 AccessExclusiveLock);
			break;
		case T_RuleStmt:
			add_lock(ls, lint_rel(ls, ((RuleStmt *) stmt)->relation),
					 AccessExclusiveLock);
			break;
		default:
			break;
	}
}

/*
 * function_is_volatile
 *		Is any function of that name (in the named schema, or in the
 *		search_path) that accepts nargs arguments volatile?  A name the
 *		catalog does not know counts as volatile (*unknown set).
 */
static bool
function_is_volatile(List *funcname, int nargs, bool *unknown)
{
	char	   *schema;
	char	   *name;
	Oid			nsp = InvalidOid;
	List	   *path = NIL;
	CatCList   *cl;
	bool		found = false;
	bool		vol = false;
	int			i;

	DeconstructQualifiedName(funcname, &schema, &name);
	if (schema != NULL)
	{
		nsp = lint_namespace(schema);
		if (!OidIsValid(nsp))
		{
			*unknown = true;
			return true;
		}
	}
	else
		path = fetch_search_path(true);

	cl = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(name));
	for (i = 0; i < cl->n_members; i++)
	{
		Form_pg_proc p = (Form_pg_proc) GETSTRUCT(&cl->members[i]->tuple);

		if (schema != NULL ? p->pronamespace != nsp :
			!list_member_oid(path, p->pronamespace))
			continue;
		if (!OidIsValid(p->provariadic) &&
			(nargs > p->pronargs || nargs < p->pronargs - p->pronargdefaults))
			continue;
		found = true;
		if (p->provolatile == PROVOLATILE_VOLATILE)
			vol = true;
	}
	ReleaseSysCacheList(cl);

	*unknown = !found;
	return vol || !found;
}

/* State of volatile_walker */
typedef struct VolatileContext
{
	char	   *funcname;
} VolatileContext;

/*
 * volatile_walker
 *		Find the first call of a volatile (or unknown) function in a raw
 *		expression.
 */
static bool
volatile_walker(Node *node, void *context)
{
	VolatileContext *ctx = (VolatileContext *) context;

	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall   *fc = (FuncCall *) node;
		bool		unknown = false;

		if (function_is_volatile(fc->funcname, list_length(fc->args), &unknown))
		{
			ctx->funcname = psprintf(unknown ? "%s() (not in the catalog, assumed volatile)" : "%s()",
									 NameListToString(fc->funcname));
			return true;
		}
	}
	return raw_expression_tree_walker(node, volatile_walker, context);
}

/*
 * lint_expr_volatile
 *		Does a raw expression (a column default) call a volatile function?
 *		Judged from pg_proc.provolatile, as the server judges whether ADD
 *		COLUMN ... DEFAULT must rewrite the table.
 */
bool
lint_expr_volatile(Node *raw, char **funcname)
{
	VolatileContext ctx;

	ctx.funcname = NULL;
	if (raw == NULL)
		return false;
	if (volatile_walker(raw, &ctx))
	{
		if (funcname)
			*funcname = ctx.funcname;
		return true;
	}
	return false;
}

/*
 * mig_lint_type_oid
 *		The type a TypeName denotes (and its typmod), or InvalidOid when the
 *		catalog does not know it (yet).
 */
Oid
mig_lint_type_oid(TypeName *tn, int32 *typmod)
{
	Type		tup;
	Oid			oid;
	int32		mod = -1;

	/* a qualified name in a schema the user cannot look into: unknown */
	if (tn->names != NIL && list_length(tn->names) >= 2 &&
		!OidIsValid(lint_namespace(strVal(list_nth(tn->names, list_length(tn->names) - 2)))))
		return InvalidOid;
	tup = LookupTypeName(NULL, tn, &mod, true);
	if (tup == NULL)
		return InvalidOid;
	oid = typeTypeId(tup);
	ReleaseSysCache(tup);
	if (typmod)
		*typmod = mod;
	return oid;
}

/*
 * lint_is_serial
 *		Is the TypeName one of the serial pseudo-types?  *inttype gets the
 *		integer type behind it.
 */
bool
lint_is_serial(TypeName *tn, Oid *inttype)
{
	char	   *name;
	Oid			t = InvalidOid;

	if (tn == NULL || tn->names == NIL || tn->arrayBounds != NIL ||
		list_length(tn->names) > 2)
		return false;
	if (list_length(tn->names) == 2 &&
		strcmp(strVal(linitial(tn->names)), "pg_catalog") != 0)
		return false;
	name = strVal(llast(tn->names));
	if (strcmp(name, "serial") == 0 || strcmp(name, "serial4") == 0)
		t = INT4OID;
	else if (strcmp(name, "bigserial") == 0 || strcmp(name, "serial8") == 0)
		t = INT8OID;
	else if (strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0)
		t = INT2OID;
	if (inttype)
		*inttype = t;
	return OidIsValid(t);
}

/* ------------------------------------------------------------------------
 * A small lexer for what the parse tree loses: comments, the length of
 * identifiers before truncation, string literals
 * ------------------------------------------------------------------------ */

/*
 * skip_comment
 *		If text[pos] starts a comment, return the offset after it (and its
 *		content in *content when asked); else return pos.
 */
static int
skip_comment(const char *text, int pos, int len, StringInfo content)
{
	if (pos + 1 < len && text[pos] == '-' && text[pos + 1] == '-')
	{
		int			start = pos + 2;

		pos = start;
		while (pos < len && text[pos] != '\n')
			pos++;
		if (content)
			appendBinaryStringInfo(content, text + start, pos - start);
		return pos;
	}
	if (pos + 1 < len && text[pos] == '/' && text[pos + 1] == '*')
	{
		int			depth = 1;
		int			start = pos + 2;

		pos = start;
		while (pos < len && depth > 0)
		{
			if (pos + 1 < len && text[pos] == '*' && text[pos + 1] == '/')
			{
				depth--;
				pos += 2;
			}
			else if (pos + 1 < len && text[pos] == '/' && text[pos + 1] == '*')
			{
				depth++;
				pos += 2;
			}
			else
				pos++;
		}
		if (content)
			appendBinaryStringInfo(content, text + start,
								   Max(pos - 2 - start, 0));
		return pos;
	}
	return pos;
}

/*
 * ident_char
 *		Can c continue an unquoted identifier?
 */
static bool
ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || IS_HIGHBIT_SET(c);
}

/*
 * lint_tokens
 *		Identifiers (kind 'i': unquoted ones downcased, quoted ones decoded,
 *		neither truncated) or string literal values (kind 's') of a
 *		statement's text, in order.  Comments are skipped.
 */
List *
lint_tokens(const char *text, char kind)
{
	List	   *result = NIL;
	int			len;
	int			pos = 0;

	if (text == NULL)
		return NIL;
	len = strlen(text);
	while (pos < len)
	{
		unsigned char c = (unsigned char) text[pos];
		int			next = skip_comment(text, pos, len, NULL);

		if (next != pos)
		{
			pos = next;
			continue;
		}
		if (c == '\'' || ((c == 'e' || c == 'E') && pos + 1 < len && text[pos + 1] == '\''))
		{
			/* string literal; E'' strings honour backslash escapes */
			bool		escapes = (c != '\'');
			StringInfoData buf;

			initStringInfo(&buf);
			pos += escapes ? 2 : 1;
			while (pos < len)
			{
				if (escapes && text[pos] == '\\' && pos + 1 < len)
				{
					appendStringInfoChar(&buf, text[pos + 1]);
					pos += 2;
				}
				else if (text[pos] == '\'')
				{
					if (pos + 1 < len && text[pos + 1] == '\'')
					{
						appendStringInfoChar(&buf, '\'');
						pos += 2;
					}
					else
					{
						pos++;
						break;
					}
				}
				else
					appendStringInfoChar(&buf, text[pos++]);
			}
			if (kind == 's')
				result = lappend(result, buf.data);
		}
		else if (c == '$' && pos + 1 < len &&
				 !isdigit((unsigned char) text[pos + 1]))
		{
			/* dollar quoting: $tag$ ... $tag$ */
			int			t = pos + 1;
			char	   *tag;
			char	   *end;

			while (t < len && text[t] != '$' && ident_char((unsigned char) text[t]))
				t++;
			if (t >= len || text[t] != '$')
			{
				pos++;
				continue;
			}
			tag = pnstrdup(text + pos, t - pos + 1);
			end = strstr(text + t + 1, tag);
			if (end == NULL)
			{
				if (kind == 's')
					result = lappend(result, pstrdup(text + t + 1));
				pos = len;
			}
			else
			{
				if (kind == 's')
					result = lappend(result, pnstrdup(text + t + 1, end - (text + t + 1)));
				pos = (end - text) + strlen(tag);
			}
		}
		else if (c == '"' ||
				 ((c == 'u' || c == 'U') && pos + 2 < len && text[pos + 1] == '&' && text[pos + 2] == '"'))
		{
			/* quoted identifier (U&"..." escapes are kept as written) */
			StringInfoData buf;

			initStringInfo(&buf);
			pos += (c == '"') ? 1 : 3;
			while (pos < len)
			{
				if (text[pos] == '"')
				{
					if (pos + 1 < len && text[pos + 1] == '"')
					{
						appendStringInfoChar(&buf, '"');
						pos += 2;
					}
					else
					{
						pos++;
						break;
					}
				}
				else
					appendStringInfoChar(&buf, text[pos++]);
			}
			if (kind == 'i')
				result = lappend(result, buf.data);
		}
		else if (isalpha(c) || c == '_' || IS_HIGHBIT_SET(c))
		{
			int			start = pos;

			while (pos < len && ident_char((unsigned char) text[pos]))
				pos++;
			if (kind == 'i')
				result = lappend(result,
								 downcase_identifier(text + start, pos - start, false, false));
		}
		else if (isdigit(c))
		{
			while (pos < len && (isalnum((unsigned char) text[pos]) || text[pos] == '.' || text[pos] == '_'))
				pos++;
		}
		else
			pos++;
	}
	return result;
}

/* ------------------------------------------------------------------------
 * Suppression comments
 * ------------------------------------------------------------------------ */

/*
 * find_rule
 *		The catalogue entry of a rule id, or NULL.
 */
static const LintRule *
find_rule(const char *id)
{
	int			i;

	for (i = 0; i < lint_nrules; i++)
		if (strcmp(lint_rules[i].id, id) == 0)
			return &lint_rules[i];
	return NULL;
}

/*
 * parse_rule_list
 *		Parse "rule[, rule ...]" after a directive into *rules; unknown
 *		names go to *bad.  ':' or '(' ends the list.
 */
static void
parse_rule_list(const char *p, List **rules, List **bad)
{
	for (;;)
	{
		const char *start;
		char	   *id;

		while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == ':' || *p == '(' || (p[0] == '-' && p[1] == '-') ||
			(p[0] == '*' && p[1] == '/'))
			break;
		start = p;
		while (*p && (isalnum((unsigned char) *p) || *p == '-' || *p == '_'))
			p++;
		if (p == start)
			break;
		id = downcase_identifier(start, p - start, false, false);
		if (strcmp(id, "all") == 0 || find_rule(id) != NULL)
			*rules = lappend(*rules, id);
		else if (bad)
			*bad = lappend(*bad, id);
	}
}

/*
 * parse_directives
 *		Look through the blanks and comments at the start of text for
 *		"schemamig:ignore" (rules for the next statement, into *next) and
 *		"schemamig:ignore-file" (rules for the whole script, into *file).
 *		Stops at the first token that is not a comment.
 */
static void
parse_directives(const char *text, List **next, List **file, List **bad)
{
	int			len;
	int			pos = 0;

	if (text == NULL)
		return;
	len = strlen(text);
	while (pos < len)
	{
		StringInfoData content;
		int			after;
		const char *p;

		if (isspace((unsigned char) text[pos]) || text[pos] == ';')
		{
			pos++;
			continue;
		}
		initStringInfo(&content);
		after = skip_comment(text, pos, len, &content);
		if (after == pos)
			break;				/* the statement itself */
		pos = after;

		p = content.data;
		while (*p == ' ' || *p == '\t' || *p == '*')
			p++;
		if (pg_strncasecmp(p, "schemamig:ignore-file", 21) == 0)
		{
			if (file)
				parse_rule_list(p + 21, file, bad);
		}
		else if (pg_strncasecmp(p, "schemamig:ignore", 16) == 0 &&
				 (p[16] == '\0' || isspace((unsigned char) p[16]) || p[16] == ','))
		{
			if (next)
				parse_rule_list(p + 16, next, bad);
		}
	}
}

/*
 * rule_in
 *		Does a list of suppressed rule ids name id (or "all")?
 */
static bool
rule_in(List *rules, const char *id)
{
	ListCell   *lc;

	foreach(lc, rules)
	{
		const char *r = (const char *) lfirst(lc);

		if (strcmp(r, id) == 0 || strcmp(r, "all") == 0)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------------
 * Reporting
 * ------------------------------------------------------------------------ */

/*
 * report_va
 *		Add a finding with the given severity, unless suppressed (or, with
 *		keep_suppressed, flagged as suppressed); LINT_GATED rules are dropped
 *		for relations created earlier in the script and downgraded to info
 *		for relations below schemamig.lint_large_table_size.  Returns whether
 *		a finding that counts was added.
 */
static bool report_va(LintStmt *ls, const LintRule *rule,
					  MigLintSeverity severity, LintRel *rel,
					  const char *object, const char *hint,
					  const char *fmt, va_list args) pg_attribute_printf(7, 0);

static bool
report_va(LintStmt *ls, const LintRule *rule, MigLintSeverity severity,
		  LintRel *rel, const char *object, const char *hint,
		  const char *fmt, va_list args)
{
	MigLintFinding *f;
	StringInfoData msg;
	bool		suppressed;

	suppressed = rule_in(ls->suppress, rule->id) ||
		rule_in(ls->state->ignore_file, rule->id);
	if (suppressed && !ls->state->options.keep_suppressed)
		return false;

	initStringInfo(&msg);
	for (;;)
	{
		va_list		copy;
		int			needed;

		va_copy(copy, args);
		needed = appendStringInfoVA(&msg, fmt, copy);
		va_end(copy);
		if (needed == 0)
			break;
		enlargeStringInfo(&msg, needed);
	}

	if ((rule->flags & LINT_GATED) && rel != NULL)
	{
		int64		size;
		int64		threshold = (int64) mig_lint_large_table_kb * 1024;

		if (rel->created)
			return false;
		size = lint_rel_size(rel);
		if (size >= 0 && threshold > 0 && size < threshold &&
			severity > MIG_LINT_INFO)
		{
			severity = MIG_LINT_INFO;
			appendStringInfo(&msg,
							 " The table is small (%s, below schemamig.lint_large_table_size = %s), so this is brief.",
							 mig_lint_size_text(size), mig_lint_size_text(threshold));
		}
	}

	f = palloc0(sizeof(MigLintFinding));
	f->rule = rule->id;
	f->severity = severity;
	f->statement = ls->number;
	f->object = object ? pstrdup(object) : (rel ? pstrdup(rel->name) : NULL);
	f->message = msg.data;
	f->hint = pstrdup(hint ? hint : rule->hint);
	f->suppressed = suppressed;
	ls->findings = lappend(ls->findings, f);
	return !suppressed;
}

/*
 * lint_report
 *		Report a finding with the rule's own severity (see report_va).
 */
bool
lint_report(LintStmt *ls, const LintRule *rule, LintRel *rel,
			const char *object, const char *hint, const char *fmt,...)
{
	va_list		args;
	bool		done;

	va_start(args, fmt);
	done = report_va(ls, rule, rule->severity, rel, object, hint, fmt, args);
	va_end(args);
	return done;
}

/*
 * lint_report_sev
 *		Report a finding with a severity the rule chose from live facts.
 */
bool
lint_report_sev(LintStmt *ls, const LintRule *rule, MigLintSeverity severity,
				LintRel *rel, const char *object, const char *hint,
				const char *fmt,...)
{
	va_list		args;
	bool		done;

	va_start(args, fmt);
	done = report_va(ls, rule, severity, rel, object, hint, fmt, args);
	va_end(args);
	return done;
}

/* ------------------------------------------------------------------------
 * The statement walk
 * ------------------------------------------------------------------------ */

/*
 * const_string
 *		The text of a raw constant (string, integer or float), or NULL.
 */
static char *
const_string(Node *n)
{
	Node	   *v;

	if (n == NULL || !IsA(n, A_Const))
		return NULL;
#if PG_VERSION_NUM >= 150000
	if (((A_Const *) n)->isnull)
		return NULL;
#endif
	v = (Node *) &((A_Const *) n)->val;
	if (IsA(v, String))
		return strVal(v);
	if (IsA(v, Integer))
		return psprintf("%d", intVal(v));
	if (IsA(v, Float))
		return strVal(v);
	return NULL;
}

/*
 * timeout_value_set
 *		Does a timeout value (as written, in milliseconds by default) turn
 *		the timeout on?
 */
static bool
timeout_value_set(const char *value)
{
	int			ms = 0;

	if (value == NULL)
		return false;
	if (!parse_int(value, &ms, GUC_UNIT_MS, NULL))
		return true;			/* the server will say what is wrong */
	return ms > 0;
}

/*
 * session_statement_timeout
 *		Does the session's statement_timeout (or, from PostgreSQL 17 on, its
 *		transaction_timeout) bound what runs now?  For statements the runner
 *		runs, it bounds the whole call, and so each statement.
 */
static bool
session_statement_timeout(void)
{
	if (StatementTimeout > 0)
		return true;
#if PG_VERSION_NUM >= 170000
	if (TransactionTimeout > 0)
		return true;
#endif
	return false;
}

/*
 * track_setting
 *		The script sets (or, with value NULL, resets) the setting name.
 */
static void
track_setting(LintStmt *ls, const char *name, const char *value)
{
	MigLintState *state = ls->state;

	if (pg_strcasecmp(name, "lock_timeout") == 0)
		state->lock_timeout_set = timeout_value_set(value);
	else if (pg_strcasecmp(name, "statement_timeout") == 0)
	{
		/* not armed again for statements run inside one (see lint.h) */
		if (!state->options.by_runner)
			state->statement_timeout_set = timeout_value_set(value);
		else if (timeout_value_set(value))
			state->statement_timeout_ignored = true;
	}
	else if (pg_strcasecmp(name, "schemamig.statement_timeout") == 0)
	{
		/* the runner arms it for each statement */
		if (state->options.by_runner)
			state->statement_timeout_set = timeout_value_set(value) ||
				session_statement_timeout();
	}
}

/*
 * track_settings
 *		Follow SET / RESET / set_config() of lock_timeout, statement_timeout
 *		and schemamig.statement_timeout.
 */
static void
track_settings(LintStmt *ls)
{
	Node	   *stmt = ls->stmt;

	if (IsA(stmt, VariableSetStmt))
	{
		VariableSetStmt *s = (VariableSetStmt *) stmt;

		if (s->kind == VAR_RESET_ALL)
		{
			ls->state->lock_timeout_set = ls->state->options.lock_timeout_set;
			ls->state->statement_timeout_set =
				ls->state->options.statement_timeout_set;
		}
		else if (s->name)
			track_setting(ls, s->name,
						  s->kind == VAR_SET_VALUE && s->args != NIL ?
						  const_string(linitial(s->args)) : NULL);
	}
	else if (IsA(stmt, SelectStmt))
	{
		ListCell   *lc;

		foreach(lc, ((SelectStmt *) stmt)->targetList)
		{
			ResTarget  *rt = (ResTarget *) lfirst(lc);
			FuncCall   *fc;
			char	   *name;

			if (!IsA(rt, ResTarget) || rt->val == NULL || !IsA(rt->val, FuncCall))
				continue;
			fc = (FuncCall *) rt->val;
			if (strcmp(strVal(llast(fc->funcname)), "set_config") != 0 ||
				list_length(fc->args) != 3)
				continue;
			name = const_string(linitial(fc->args));
			if (name)
				track_setting(ls, name, const_string(lsecond(fc->args)));
		}
	}
}

/*
 * track_objects
 *		After a statement: remember what it created, the NOT VALID
 *		constraints it added, the enum values it added, and the locks it
 *		took on relations that exist outside the script.
 */
static void
track_objects(LintStmt *ls)
{
	MigLintState *state = ls->state;
	Node	   *stmt = ls->stmt;
	LintRel    *lockrel = NULL;
	LOCKMODE	mode;

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			{
				RangeVar   *rv = ((CreateStmt *) stmt)->relation;

				lint_add_created(state, 'r', rv->schemaname, rv->relname, NULL, ls->number);
				break;
			}
		case T_CreateTableAsStmt:
			{
				RangeVar   *rv = ((CreateTableAsStmt *) stmt)->into->rel;

				lint_add_created(state, 'r', rv->schemaname, rv->relname, NULL, ls->number);
				break;
			}
		case T_ViewStmt:
			{
				RangeVar   *rv = ((ViewStmt *) stmt)->view;

				lint_add_created(state, 'r', rv->schemaname, rv->relname, NULL, ls->number);
				break;
			}
		case T_CreateSeqStmt:
			{
				RangeVar   *rv = ((CreateSeqStmt *) stmt)->sequence;

				lint_add_created(state, 'r', rv->schemaname, rv->relname, NULL, ls->number);
				break;
			}
		case T_IndexStmt:
			{
				IndexStmt  *s = (IndexStmt *) stmt;

				if (s->idxname)
					lint_add_created(state, 'r', s->relation->schemaname, s->idxname,
									 NULL, ls->number);
				break;
			}
		case T_CreateEnumStmt:
		case T_CreateRangeStmt:
		case T_CreateDomainStmt:
		case T_CompositeTypeStmt:
			{
				List	   *names;
				char	   *schema;
				char	   *name;

				if (IsA(stmt, CreateEnumStmt))
					names = ((CreateEnumStmt *) stmt)->typeName;
				else if (IsA(stmt, CreateRangeStmt))
					names = ((CreateRangeStmt *) stmt)->typeName;
				else if (IsA(stmt, CreateDomainStmt))
					names = ((CreateDomainStmt *) stmt)->domainname;
				else
					names = list_make2(makeString(((CompositeTypeStmt *) stmt)->typevar->schemaname ?
												  ((CompositeTypeStmt *) stmt)->typevar->schemaname : ""),
									   makeString(((CompositeTypeStmt *) stmt)->typevar->relname));
				if (list_length(names) > 2)
					break;
				DeconstructQualifiedName(names, &schema, &name);
				if (schema != NULL && schema[0] == '\0')
					schema = NULL;
				lint_add_created(state, 't', schema, name, NULL, ls->number);
				break;
			}
		case T_RenameStmt:
			{
				RenameStmt *s = (RenameStmt *) stmt;

				/* a relation created in the script keeps its exemption */
				if (s->relation != NULL && s->newname != NULL &&
					(s->renameType == OBJECT_TABLE || s->renameType == OBJECT_INDEX ||
					 s->renameType == OBJECT_VIEW || s->renameType == OBJECT_MATVIEW ||
					 s->renameType == OBJECT_SEQUENCE) &&
					lint_is_created(state, 'r', s->relation->schemaname, s->relation->relname))
					lint_add_created(state, 'r', s->relation->schemaname, s->newname,
									 NULL, ls->number);
				break;
			}
		case T_AlterTableStmt:
			{
				AlterTableStmt *s = (AlterTableStmt *) stmt;
				ListCell   *lc;

				foreach(lc, s->cmds)
				{
					AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
					Constraint *c;

					if (cmd->subtype != AT_AddConstraint || cmd->def == NULL ||
						!IsA(cmd->def, Constraint))
						continue;
					c = (Constraint *) cmd->def;
					if (c->skip_validation && c->conname != NULL)
						lint_add_created(state, 'c', s->relation->schemaname, c->conname,
										 s->relation->relname, ls->number);
				}
				break;
			}
		case T_AlterEnumStmt:
			{
				AlterEnumStmt *s = (AlterEnumStmt *) stmt;
				char	   *schema;
				char	   *name;

				if (s->newVal == NULL || s->oldVal != NULL ||
					list_length(s->typeName) > 2)
					break;
				DeconstructQualifiedName(s->typeName, &schema, &name);
				if (!lint_is_created(state, 't', schema, name))
				{
					LintEnumValue *ev = palloc0(sizeof(LintEnumValue));

					ev->type = mig_lint_qualified_name(s->typeName);
					ev->value = pstrdup(s->newVal);
					ev->statement = ls->number;
					state->enum_values = lappend(state->enum_values, ev);
				}
				break;
			}
		default:
			break;
	}

	/* locks held from now on, for later statements' findings */
	mode = lint_statement_lock(ls, &lockrel);
	if (mode != NoLock && lockrel != NULL && OidIsValid(lockrel->relid))
	{
		LintLocked *l = lint_locked(state, lockrel->relid);

		if (l == NULL)
		{
			l = palloc0(sizeof(LintLocked));
			l->relid = lockrel->relid;
			l->mode = mode;
			l->statement = ls->number;
			state->locked = lappend(state->locked, l);
		}
		else if (mode > l->mode)
		{
			l->mode = mode;
			l->statement = ls->number;
		}
	}
}

/*
 * lint_one
 *		Lint one statement: suppression comments in leading, every rule over
 *		the statement and over each ALTER TABLE subcommand, then bookkeeping.
 */
static List *
lint_one(Node *parsetree, const char *text, const char *leading, int number,
		 MigLintState *state)
{
	LintStmt	ls;
	List	   *bad = NIL;
	ListCell   *lc;
	int			i;

	memset(&ls, 0, sizeof(ls));
	ls.state = state;
	ls.number = number;
	ls.stmt = parsetree;
	ls.text = text;

	parse_directives(leading, &ls.suppress, &state->ignore_file, &bad);
	foreach(lc, bad)
	{
		const LintRule *r = find_rule("invalid-suppression");

		lint_report(&ls, r, NULL, NULL, NULL,
					"The schemamig:ignore comment before this statement names \"%s\", which is not a lint rule.",
					(char *) lfirst(lc));
	}

	if (IsA(parsetree, AlterTableStmt) &&
		((AlterTableStmt *) parsetree)->objtype != OBJECT_TYPE)
		ls.rel = lint_rel(&ls, ((AlterTableStmt *) parsetree)->relation);

	/* the statement as a whole */
	for (i = 0; i < lint_nrules; i++)
		if (lint_rules[i].check)
			lint_rules[i].check(&ls, &lint_rules[i]);

	/* each subcommand of ALTER TABLE */
	if (ls.rel != NULL)
	{
		foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
		{
			ls.cmd = (AlterTableCmd *) lfirst(lc);
			for (i = 0; i < lint_nrules; i++)
				if (lint_rules[i].check)
					lint_rules[i].check(&ls, &lint_rules[i]);
		}
		ls.cmd = NULL;
	}

	track_settings(&ls);
	track_objects(&ls);
	if (state->want_locks)
		collect_locks(&ls);
	return ls.findings;
}

/*
 * lock_timeout_in_force
 *		Is a lock_timeout already in force where the statements will run: the
 *		session's own, or (by_runner: statements run by schemamig's runner)
 *		the one the runner applies to each statement, schemamig.lock_timeout?
 */
static bool
lock_timeout_in_force(bool by_runner)
{
	const char *runner;

	if (LockTimeout > 0)
		return true;
	if (!by_runner)
		return false;
	runner = GetConfigOption("schemamig.lock_timeout", true, false);
	return runner != NULL && timeout_value_set(runner);
}

/*
 * statement_timeout_in_force
 *		Does a statement timeout already bound the statements: the session's,
 *		or (by_runner) schemamig.statement_timeout, which the runner arms for
 *		each statement?
 */
static bool
statement_timeout_in_force(bool by_runner)
{
	const char *runner;

	if (session_statement_timeout())
		return true;
	if (!by_runner)
		return false;
	runner = GetConfigOption("schemamig.statement_timeout", true, false);
	return runner != NULL && timeout_value_set(runner);
}

/*
 * mig_lint_state_create
 *		New per-script state.
 */
MigLintState *
mig_lint_state_create(const MigLintOptions *options)
{
	MigLintState *state = palloc0(sizeof(MigLintState));

	state->options = *options;
	state->lock_timeout_set = options->lock_timeout_set;
	state->statement_timeout_set = options->statement_timeout_set;
	return state;
}

/*
 * mig_lint_statement
 *		Lint one statement with the state of its script (see lint.h).
 */
List *
mig_lint_statement(Node *parsetree, const char *stmt_text, MigLintState *state)
{
	int			number = ++state->nstatements;

	if (parsetree == NULL)
		return NIL;
	if (IsA(parsetree, RawStmt))
		parsetree = ((RawStmt *) parsetree)->stmt;
	return lint_one(parsetree, stmt_text, stmt_text, number, state);
}

/*
 * mig_lint_statements
 *		Lint a list of MigStatement as one script.
 */
List *
mig_lint_statements(List *stmts, const MigLintOptions *options)
{
	return mig_lint_analyze(stmts, options, NULL);
}

/*
 * mig_lint_analyze
 *		Lint a list of MigStatement as one script and, when locks is not
 *		NULL, collect the table locks of every statement into *locks.
 */
List *
mig_lint_analyze(List *stmts, const MigLintOptions *options, List **locks)
{
	MigLintState *state = mig_lint_state_create(options);
	List	   *result = NIL;
	ListCell   *lc;

	state->want_locks = (locks != NULL);

	/* ignore-file applies to the whole script, statements before it too */
	foreach(lc, stmts)
		parse_directives(((MigStatement *) lfirst(lc))->leading, NULL,
						 &state->ignore_file, NULL);

	foreach(lc, stmts)
	{
		MigStatement *st = (MigStatement *) lfirst(lc);

		state->nstatements = st->number;
		result = list_concat(result,
							 lint_one(st->parsetree, st->text, st->leading,
									  st->number, state));
	}
	if (locks != NULL)
		*locks = state->locks;
	return result;
}

/*
 * mig_lint_revision
 *		Lint a revision's statements as the runner runs them: one
 *		transaction, schemamig.search_path pinned, the runner's lock_timeout
 *		in force.
 */
List *
mig_lint_revision(List *stmts, bool keep_suppressed, List **locks)
{
	MigLintOptions options;
	List	   *findings;
	int			nestlevel = -1;

	memset(&options, 0, sizeof(options));
	options.in_transaction = true;
	options.lock_timeout_set = lock_timeout_in_force(true);
	options.by_runner = true;
	options.statement_timeout_set = statement_timeout_in_force(true);
	options.keep_suppressed = keep_suppressed;

	/* revision SQL resolves names with the runner's search_path */
	if (mig_search_path != NULL)
	{
		nestlevel = NewGUCNestLevel();
		(void) set_config_option("search_path", mig_search_path,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	findings = mig_lint_analyze(stmts, &options, locks);
	if (nestlevel >= 0)
		AtEOXact_GUC(false, nestlevel);
	return findings;
}

/*
 * mig_lint_script
 *		Lint a whole script, as schemamig would run it (one transaction).
 */
List *
mig_lint_script(const char *sql)
{
	MigLintOptions options;
	List	   *stmts = sqltext_split(sql, "the SQL given to mig_lint");

	memset(&options, 0, sizeof(options));
	options.in_transaction = true;
	options.lock_timeout_set = lock_timeout_in_force(true);
	options.by_runner = true;
	options.statement_timeout_set = statement_timeout_in_force(true);
	return mig_lint_statements(stmts, &options);
}

/* ------------------------------------------------------------------------
 * Enforcement
 * ------------------------------------------------------------------------ */

/*
 * statement_line
 *		The line of statement number n in stmts, or 0.
 */
static int
statement_line(List *stmts, int n)
{
	ListCell   *lc;

	foreach(lc, stmts)
	{
		MigStatement *st = (MigStatement *) lfirst(lc);

		if (st->number == n)
			return st->lineno;
	}
	return 0;
}

/*
 * where_text
 *		"revision \"x\" statement 2 (line 3)", "statement 2" or, for a
 *		single out-of-band statement, NULL.
 */
static char *
where_text(List *stmts, const char *revision, int n)
{
	int			line = statement_line(stmts, n);

	if (revision != NULL && line > 0)
		return psprintf("revision \"%s\" statement %d (line %d)", revision, n, line);
	if (revision != NULL)
		return psprintf("a statement of revision \"%s\"", revision);
	if (list_length(stmts) > 1)
		return psprintf("statement %d", n);
	return NULL;
}

/*
 * act_on_findings
 *		Report findings as schemamig.lint says: WARNINGs for warning (and, in
 *		warn mode, error) severity, then in deny mode an ERROR for the first
 *		finding of severity error.
 */
static void
act_on_findings(List *findings, List *stmts, const char *revision)
{
	MigLintFinding *deny = NULL;
	int			ndeny = 0;
	ListCell   *lc;
	char	   *where;

	foreach(lc, findings)
	{
		MigLintFinding *f = (MigLintFinding *) lfirst(lc);

		if (f->severity == MIG_LINT_INFO)
			continue;
		if (mig_lint_mode == MIG_LINT_DENY && f->severity == MIG_LINT_ERROR)
		{
			if (deny == NULL)
				deny = f;
			ndeny++;
			continue;
		}
		where = where_text(stmts, revision, f->statement);
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("lint rule \"%s\" (%s) on %s%s%s",
						f->rule, mig_lint_severity_name(f->severity),
						f->object ? f->object : "the statement",
						where ? " in " : "", where ? where : ""),
				 errdetail_internal("%s", f->message),
				 f->hint ? errhint("%s", f->hint) : 0));
	}

	if (deny != NULL)
	{
		where = where_text(stmts, revision, deny->statement);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s is denied by lint rule \"%s\" on %s",
						where ? where : "statement", deny->rule,
						deny->object ? deny->object : "the statement"),
				 ndeny > 1 ?
				 errdetail_internal("%s (%d more finding%s of severity error.)",
									deny->message, ndeny - 1, ndeny > 2 ? "s" : "") :
				 errdetail_internal("%s", deny->message),
				 errhint("%s To accept the risk, put \"-- schemamig:ignore %s\" right before the statement; schemamig.lint = deny refuses findings of severity error.",
						 deny->hint ? deny->hint : "", deny->rule)));
	}
}

/*
 * mig_lint_enforce
 *		Lint a revision's (or an out-of-band command's) statements and act
 *		on schemamig.lint (see lint.h).
 */
void
mig_lint_enforce(List *stmts, const char *revision)
{
	List	   *findings;

	if (mig_lint_mode == MIG_LINT_OFF || stmts == NIL)
		return;

	if (revision != NULL)
		findings = mig_lint_revision(stmts, false, NULL);
	else
	{
		MigLintOptions options;

		memset(&options, 0, sizeof(options));
		options.in_transaction = IsTransactionBlock();
		options.lock_timeout_set = lock_timeout_in_force(false);
		options.by_runner = false;
		options.statement_timeout_set = statement_timeout_in_force(false);
		findings = mig_lint_statements(stmts, &options);
	}
	act_on_findings(findings, stmts, revision);
}

/*
 * mig_lint_enforce_statement
 *		Lint one statement the DDL hook sees, with a state kept for the
 *		current transaction (and revision), and act on schemamig.lint.
 */
void
mig_lint_enforce_statement(Node *parsetree, const char *stmt_text,
						   const char *revision)
{
	List	   *findings;

	if (mig_lint_mode == MIG_LINT_OFF || parsetree == NULL)
		return;

	if (xact_state == NULL || xact_state_lxid != MY_LXID ||
		(revision == NULL) != (xact_state_revision == NULL) ||
		(revision != NULL && strcmp(revision, xact_state_revision) != 0))
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
		MigLintOptions options;

		memset(&options, 0, sizeof(options));
		options.in_transaction = (revision != NULL) || IsTransactionBlock();
		options.lock_timeout_set = lock_timeout_in_force(revision != NULL);
		options.by_runner = (revision != NULL);
		options.statement_timeout_set = statement_timeout_in_force(revision != NULL);
		xact_state = mig_lint_state_create(&options);
		xact_state_revision = revision ? pstrdup(revision) : NULL;
		xact_state_lxid = MY_LXID;
		MemoryContextSwitchTo(old);
	}

	/* a SET lock_timeout between statements is not DDL the hook passes on */
	if (LockTimeout > 0)
		xact_state->lock_timeout_set = true;
	if (session_statement_timeout())
		xact_state->statement_timeout_set = true;

	/* the state's lists must outlive the statement */
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

		findings = mig_lint_statement(parsetree, stmt_text, xact_state);
		MemoryContextSwitchTo(old);
	}
	act_on_findings(findings, NIL, revision);
}

/* ------------------------------------------------------------------------
 * SQL functions
 * ------------------------------------------------------------------------ */

/*
 * mig_lint
 *		mig_lint(sql text) RETURNS TABLE(rule, severity, statement, object,
 *		message, hint): the findings for a script, which is parsed and never
 *		executed.
 */
Datum
mig_lint(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	List	   *findings;
	ListCell   *lc;

	mig_init_srf(fcinfo, false);
	findings = mig_lint_script(sql);

	foreach(lc, findings)
	{
		MigLintFinding *f = (MigLintFinding *) lfirst(lc);
		Datum		values[6];
		bool		nulls[6];

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(f->rule);
		values[1] = CStringGetTextDatum(mig_lint_severity_name(f->severity));
		values[2] = Int32GetDatum(f->statement);
		if (f->object)
			values[3] = CStringGetTextDatum(f->object);
		else
			nulls[3] = true;
		values[4] = CStringGetTextDatum(f->message);
		if (f->hint)
			values[5] = CStringGetTextDatum(f->hint);
		else
			nulls[5] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * mig_lint_rules
 *		The rule catalogue: id, severity, family, lock, effect, whether the
 *		table's size and the script's own objects gate it, what it flags,
 *		and the safe alternative.
 */
Datum
mig_lint_rules(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	mig_init_srf(fcinfo, false);
	for (i = 0; i < lint_nrules; i++)
	{
		const LintRule *r = &lint_rules[i];
		Datum		values[8];
		bool		nulls[8];

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(r->id);
		values[1] = CStringGetTextDatum(mig_lint_severity_name(r->severity));
		values[2] = CStringGetTextDatum(r->family);
		values[3] = CStringGetTextDatum(r->lock);
		values[4] = CStringGetTextDatum(r->effect);
		values[5] = BoolGetDatum((r->flags & LINT_GATED) != 0);
		values[6] = CStringGetTextDatum(r->what);
		values[7] = CStringGetTextDatum(r->hint);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
