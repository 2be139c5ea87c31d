/*-------------------------------------------------------------------------
 *
 * lint_rules.c
 *	  The rule catalogue of the migration linter: one function per rule and
 *	  the table (lint_rules[]) that both runs them and documents them (the
 *	  README's rule table is mig_lint_rules() printed).
 *
 * Each check is called once for the statement as a whole (ls->cmd NULL) and
 * once per ALTER TABLE subcommand (ls->cmd set), and reports through
 * lint_report(), which applies suppression comments, the exemption of
 * relations created earlier in the script and the size threshold.  Where
 * the server decides what a statement will really do (the lock level of an
 * ALTER TABLE, whether a type change rewrites the table, whether a CHECK
 * constraint already proves NOT NULL or a partition bound, whether a
 * default is volatile), the rules ask the server's own code.
 *
 * IDENTIFICATION
 *	  src/lint_rules.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "parser/parse_type.h"
#include "parser/parse_utilcmd.h"
#include "parser/scansup.h"
#include "partitioning/partbounds.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "lint_internal.h"
#include "sqltext.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/*
 * at_cmd
 *		The current ALTER TABLE subcommand if it has the given subtype.
 */
static AlterTableCmd *
at_cmd(LintStmt *ls, AlterTableType subtype)
{
	if (ls->cmd != NULL && ls->cmd->subtype == subtype)
		return ls->cmd;
	return NULL;
}

/*
 * col_name
 *		"schema.table.column", quoted.
 */
static char *
col_name(LintRel *rel, const char *column)
{
	return psprintf("%s.%s", rel->name, quote_identifier(column));
}

/*
 * find_constraint
 *		The first constraint of the given type in a column's constraint list.
 */
static Constraint *
find_constraint(List *constraints, ConstrType contype)
{
	ListCell   *lc;

	foreach(lc, constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		if (IsA(c, Constraint) && c->contype == contype)
			return c;
	}
	return NULL;
}

/*
 * added_column
 *		The ColumnDef of an ADD COLUMN subcommand, or NULL.
 */
static ColumnDef *
added_column(LintStmt *ls)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_AddColumn);

	if (cmd == NULL || cmd->def == NULL || !IsA(cmd->def, ColumnDef))
		return NULL;
	return (ColumnDef *) cmd->def;
}

/*
 * added_constraint
 *		The Constraint of an ADD CONSTRAINT subcommand, or NULL.
 */
static Constraint *
added_constraint(LintStmt *ls)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_AddConstraint);

	if (cmd == NULL || cmd->def == NULL || !IsA(cmd->def, Constraint))
		return NULL;
	return (Constraint *) cmd->def;
}

/*
 * constraint_label
 *		"KIND constraint name" or "a KIND constraint", for messages.
 */
static char *
constraint_label(const char *kind, Constraint *c)
{
	if (c->conname)
		return psprintf("%s constraint %s", kind, quote_identifier(c->conname));
	return psprintf("a %s constraint", kind);
}

/*
 * lookup_column
 *		A column of a relation of the catalog; false when absent.
 */
static bool
lookup_column(LintRel *rel, const char *column, Form_pg_attribute out)
{
	HeapTuple	tup;

	if (rel == NULL || !OidIsValid(rel->relid) || column == NULL)
		return false;
	tup = SearchSysCacheAttName(rel->relid, column);
	if (!HeapTupleIsValid(tup))
		return false;
	memcpy(out, GETSTRUCT(tup), ATTRIBUTE_FIXED_PART_SIZE);
	ReleaseSysCache(tup);
	return true;
}

/*
 * stmt_columns
 *		The columns a statement defines, with the relation they belong to:
 *		every ColumnDef of CREATE TABLE, the column of ADD COLUMN, and the
 *		new type of ALTER COLUMN ... TYPE (as a ColumnDef naming the column).
 */
static List *
stmt_columns(LintStmt *ls, RangeVar **relation)
{
	*relation = NULL;
	if (ls->cmd == NULL && IsA(ls->stmt, CreateStmt))
	{
		CreateStmt *s = (CreateStmt *) ls->stmt;
		List	   *cols = NIL;
		ListCell   *lc;

		foreach(lc, s->tableElts)
			if (IsA(lfirst(lc), ColumnDef))
				cols = lappend(cols, lfirst(lc));
		*relation = s->relation;
		return cols;
	}
	if (ls->cmd != NULL && ls->cmd->def != NULL && IsA(ls->cmd->def, ColumnDef) &&
		(ls->cmd->subtype == AT_AddColumn || ls->cmd->subtype == AT_AlterColumnType))
	{
		ColumnDef  *cd = (ColumnDef *) ls->cmd->def;

		*relation = ls->rel->rv;
		if (ls->cmd->subtype == AT_AlterColumnType)
		{
			ColumnDef  *named = makeColumnDef(ls->cmd->name, InvalidOid, -1, InvalidOid);

			named->typeName = cd->typeName;
			return list_make1(named);
		}
		return list_make1(cd);
	}
	return NIL;
}

/*
 * column_object
 *		"schema.table.column" for a column of a statement's relation.
 */
static char *
column_object(LintStmt *ls, RangeVar *relation, const char *column)
{
	return col_name(lint_rel(ls, relation), column);
}

/*
 * relation_indexes
 *		OIDs of the indexes of a table, from pg_index.
 */
static List *
relation_indexes(Oid relid)
{
	Relation	pg_index;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *result = NIL;

	pg_index = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(pg_index, IndexIndrelidIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		result = lappend_oid(result, ((Form_pg_index) GETSTRUCT(tup))->indexrelid);
	systable_endscan(scan);
	table_close(pg_index, AccessShareLock);
	return result;
}

/*
 * index_am
 *		The access method of an index.
 */
static Oid
index_am(Oid indexoid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(indexoid));
	Oid			am = InvalidOid;

	if (HeapTupleIsValid(tup))
	{
		am = ((Form_pg_class) GETSTRUCT(tup))->relam;
		ReleaseSysCache(tup);
	}
	return am;
}

/*
 * rel_is_partitioned
 *		Is the relation a partitioned table?
 */
static bool
rel_is_partitioned(LintRel *rel)
{
	return rel != NULL && rel->relkind == RELKIND_PARTITIONED_TABLE;
}

/* ------------------------------------------------------------------------
 * Rules: adding columns
 * ------------------------------------------------------------------------ */

/*
 * check_volatile_default
 *		ADD COLUMN with a volatile default (serial included): PostgreSQL 11+
 *		stores a constant or stable default once in the catalog, but a
 *		volatile one must be computed for every existing row, which rewrites
 *		the table.
 */
static void
check_volatile_default(LintStmt *ls, const LintRule *rule)
{
	ColumnDef  *cd = added_column(ls);
	Constraint *def;
	char	   *func = NULL;
	Oid			inttype;

	if (cd == NULL)
		return;
	def = find_constraint(cd->constraints, CONSTR_DEFAULT);
	if (def != NULL && lint_expr_volatile(def->raw_expr, &func))
		lint_report(ls, rule, ls->rel, col_name(ls->rel, cd->colname), NULL,
					"Adds column %s with a volatile default that calls %s: every existing row gets its own value, so the table %s is rewritten under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done.",
					quote_identifier(cd->colname), func, lint_rel_desc(ls->rel));
	else if (lint_is_serial(cd->typeName, &inttype))
		lint_report(ls, rule, ls->rel, col_name(ls->rel, cd->colname), NULL,
					"Adds column %s of type %s, whose default nextval() is volatile: every existing row gets its own value, so the table %s is rewritten under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done.",
					quote_identifier(cd->colname), strVal(llast(cd->typeName->names)),
					lint_rel_desc(ls->rel));
}

/*
 * check_generated_column
 *		ADD COLUMN ... GENERATED ALWAYS AS (expr) STORED or GENERATED ... AS
 *		IDENTITY: the value of every existing row is computed, which
 *		rewrites the table.
 */
static void
check_generated_column(LintStmt *ls, const LintRule *rule)
{
	ColumnDef  *cd = added_column(ls);
	Constraint *c;

	if (cd == NULL)
		return;
	if ((c = find_constraint(cd->constraints, CONSTR_GENERATED)) != NULL)
	{
#if PG_VERSION_NUM >= 180000
		if (c->generated_kind == ATTRIBUTE_GENERATED_VIRTUAL)
			return;
#endif
		lint_report(ls, rule, ls->rel, col_name(ls->rel, cd->colname), NULL,
					"Adds the stored generated column %s: its value is computed for every existing row, so the table %s is rewritten under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done.",
					quote_identifier(cd->colname), lint_rel_desc(ls->rel));
	}
	else if (find_constraint(cd->constraints, CONSTR_IDENTITY) != NULL)
		lint_report(ls, rule, ls->rel, col_name(ls->rel, cd->colname), NULL,
					"Adds the identity column %s: every existing row draws a value from the sequence, so the table %s is rewritten under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done.",
					quote_identifier(cd->colname), lint_rel_desc(ls->rel));
}

/*
 * check_required_column
 *		ADD COLUMN ... NOT NULL (or PRIMARY KEY) without a default fails as
 *		soon as the table has a row.
 */
static void
check_required_column(LintStmt *ls, const LintRule *rule)
{
	ColumnDef  *cd = added_column(ls);
	Oid			inttype;

	if (cd == NULL || ls->rel->created)
		return;
	if (find_constraint(cd->constraints, CONSTR_NOTNULL) == NULL &&
		find_constraint(cd->constraints, CONSTR_PRIMARY) == NULL &&
		!cd->is_not_null)
		return;
	if (find_constraint(cd->constraints, CONSTR_DEFAULT) != NULL ||
		find_constraint(cd->constraints, CONSTR_IDENTITY) != NULL ||
		find_constraint(cd->constraints, CONSTR_GENERATED) != NULL ||
		lint_is_serial(cd->typeName, &inttype))
		return;

	if (lint_rel_size(ls->rel) == 0)
		lint_report_sev(ls, rule, MIG_LINT_INFO, ls->rel,
						col_name(ls->rel, cd->colname), NULL,
						"Adds the NOT NULL column %s without a default. The table %s is empty now, so this works here, but it fails on any database where the table has rows.",
						quote_identifier(cd->colname), ls->rel->name);
	else
		lint_report(ls, rule, ls->rel, col_name(ls->rel, cd->colname), NULL,
					"Adds the NOT NULL column %s without a default: existing rows would hold NULL, so the statement fails with \"column contains null values\" as soon as the table %s has a row.",
					quote_identifier(cd->colname), lint_rel_desc(ls->rel));
}

/* ------------------------------------------------------------------------
 * Rules: changing a column's type
 * ------------------------------------------------------------------------ */

/*
 * requires_rewrite
 *		The server's test (ATColumnChangeRequiresRewrite in tablecmds.c) on
 *		the planned conversion expression: only relabelings, constraint-free
 *		domain coercions and, when the session time zone is UTC, the
 *		timestamp <-> timestamptz conversions keep the stored bytes.
 */
static bool
requires_rewrite(Node *expr, AttrNumber attnum)
{
	for (;;)
	{
		if (IsA(expr, Var) && ((Var *) expr)->varattno == attnum)
			return false;
		else if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
		{
			CoerceToDomain *d = (CoerceToDomain *) expr;

			if (DomainHasConstraints(d->resulttype))
				return true;
			expr = (Node *) d->arg;
		}
		else if (IsA(expr, FuncExpr))
		{
			FuncExpr   *f = (FuncExpr *) expr;

			switch (f->funcid)
			{
				case F_TIMESTAMPTZ_TIMESTAMP:
				case F_TIMESTAMP_TIMESTAMPTZ:
					if (TimestampTimestampTzRequiresRewrite())
						return true;
					expr = linitial(f->args);
					break;
				default:
					return true;
			}
		}
		else
			return true;
	}
}

/*
 * using_is_plain
 *		Is a USING expression just the column itself, possibly cast to the
 *		new type (what ALTER COLUMN TYPE does without USING)?
 */
static bool
using_is_plain(Node *expr, const char *column)
{
	if (expr == NULL)
		return true;
	if (IsA(expr, TypeCast))
		expr = ((TypeCast *) expr)->arg;
	if (IsA(expr, ColumnRef))
	{
		ColumnRef  *cr = (ColumnRef *) expr;
		Node	   *last = llast(cr->fields);

		return IsA(last, String) && strcmp(strVal(last), column) == 0;
	}
	return false;
}

/* What a type change will do, as the server would decide it */
typedef struct TypeChange
{
	bool		known;			/* the column and both types are known */
	bool		fails;			/* no assignment cast: the statement fails */
	bool		rewrite;		/* the table is rewritten */
	bool		using_expr;		/* rewrite because of a USING expression */
	FormData_pg_attribute att;	/* the column now */
	Oid			newtype;
	int32		newtypmod;
	Oid			newcoll;
} TypeChange;

/*
 * judge_type_change
 *		Build the conversion the server would build for ALTER COLUMN TYPE
 *		(the column coerced by assignment to the new type, planned so that
 *		length-coercion support functions simplify it), and test it as the
 *		server does.
 */
static TypeChange
judge_type_change(LintStmt *ls, AlterTableCmd *cmd)
{
	TypeChange	tc;
	ColumnDef  *cd = (ColumnDef *) cmd->def;
	ParseState *pstate;
	Node	   *expr;

	memset(&tc, 0, sizeof(tc));
	if (!lookup_column(ls->rel, cmd->name, &tc.att))
		return tc;
	tc.newtype = mig_lint_type_oid(cd->typeName, &tc.newtypmod);
	if (!OidIsValid(tc.newtype))
		return tc;
	tc.known = true;
	pstate = make_parsestate(NULL);
	tc.newcoll = GetColumnDefCollation(pstate, cd, tc.newtype);

	if (!using_is_plain(cd->raw_default, cmd->name))
	{
		tc.rewrite = tc.using_expr = true;
		return tc;
	}

	/* USING col::newtype converts as an explicit cast does */
	expr = (Node *) makeVar(1, tc.att.attnum, tc.att.atttypid, tc.att.atttypmod,
							tc.att.attcollation, 0);
	expr = coerce_to_target_type(pstate, expr, tc.att.atttypid,
								 tc.newtype, tc.newtypmod,
								 (cd->raw_default != NULL && IsA(cd->raw_default, TypeCast)) ?
								 COERCION_EXPLICIT : COERCION_ASSIGNMENT,
								 COERCE_IMPLICIT_CAST, -1);
	if (expr == NULL)
	{
		tc.fails = tc.rewrite = true;
		return tc;
	}
	assign_expr_collations(pstate, expr);
	expr = (Node *) expression_planner((Expr *) expr);
	tc.rewrite = requires_rewrite(expr, tc.att.attnum);
	return tc;
}

/*
 * rebuilt_indexes
 *		Names of the indexes a type change without rewrite still rebuilds:
 *		indexes with an expression or predicate over the column, and those
 *		whose operator class or collation for the column changes (the server
 *		reuses an index only when CheckIndexCompatible() says so).
 */
static List *
rebuilt_indexes(LintRel *rel, const TypeChange *tc)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, relation_indexes(rel->relid))
	{
		Oid			indexoid = lfirst_oid(lc);
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
		Form_pg_index ind;
		bool		uses = false;
		bool		rebuild = false;
		bool		isnull;
		Datum		d;
		int			i;

		if (!HeapTupleIsValid(tup))
			continue;
		ind = (Form_pg_index) GETSTRUCT(tup);

		/* expressions and predicates over the column: never reused */
		if (!heap_attisnull(tup, Anum_pg_index_indexprs, NULL) ||
			!heap_attisnull(tup, Anum_pg_index_indpred, NULL))
		{
			Bitmapset  *atts = NULL;
			char	   *s;

			d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indexprs, &isnull);
			if (!isnull)
			{
				s = TextDatumGetCString(d);
				pull_varattnos(stringToNode(s), 1, &atts);
			}
			d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indpred, &isnull);
			if (!isnull)
			{
				s = TextDatumGetCString(d);
				pull_varattnos(stringToNode(s), 1, &atts);
			}
			if (bms_is_member(tc->att.attnum - FirstLowInvalidHeapAttributeNumber, atts))
				uses = rebuild = true;
		}

		/* key columns: the operator class and collation must stay */
		for (i = 0; i < ind->indnatts; i++)
		{
			oidvector  *classes;
			oidvector  *colls;
			Oid			am;
			Oid			oldclass;
			Oid			newclass;

			if (ind->indkey.values[i] != tc->att.attnum)
				continue;
			uses = true;
			if (i >= ind->indnkeyatts)
				continue;		/* INCLUDE column: no operator class */
			d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indclass, &isnull);
			classes = (oidvector *) DatumGetPointer(d);
			d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indcollation, &isnull);
			colls = (oidvector *) DatumGetPointer(d);
			oldclass = classes->values[i];
			am = index_am(indexoid);
			newclass = oldclass;
			if (GetDefaultOpClass(tc->att.atttypid, am) == oldclass)
				newclass = GetDefaultOpClass(tc->newtype, am);
			if (newclass != oldclass ||
				colls->values[i] != tc->newcoll ||
				(IsPolymorphicType(get_opclass_input_type(oldclass)) &&
				 tc->att.atttypid != tc->newtype))
				rebuild = true;
		}
		ReleaseSysCache(tup);
		if (uses && rebuild)
			result = lappend(result, pstrdup(quote_identifier(get_rel_name(indexoid))));
	}
	return result;
}

/*
 * new_type_text
 *		The new type of a type change, with its collation when that changes.
 */
static char *
new_type_text(const TypeChange *tc)
{
	char	   *t = format_type_with_typemod(tc->newtype, tc->newtypmod);

	if (OidIsValid(tc->newcoll) && tc->newcoll != tc->att.attcollation)
		return psprintf("%s COLLATE %s", t,
						quote_identifier(get_collation_name(tc->newcoll)));
	return t;
}

/*
 * name_list_text
 *		"a, b, c" from a list of strings.
 */
static char *
name_list_text(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
	{
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, (char *) lfirst(lc));
	}
	return buf.data;
}

/*
 * check_column_type
 *		ALTER COLUMN ... TYPE that rewrites the table.  Changes the server
 *		makes in place (binary-coercible casts, varchar(n) to a larger n or to
 *		text, numeric precision increases at the same scale, timestamp <->
 *		timestamptz under a UTC session) pass.
 */
static void
check_column_type(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_AlterColumnType);
	ColumnDef  *cd;
	TypeChange	tc;
	char	   *object;
	int			nindexes;

	if (cmd == NULL || ls->rel->created)
		return;
	cd = (ColumnDef *) cmd->def;
	object = col_name(ls->rel, cmd->name);
	tc = judge_type_change(ls, cmd);
	if (!tc.known)
	{
		int32		typmod = -1;
		Oid			typid = mig_lint_type_oid(cd->typeName, &typmod);

		lint_report(ls, rule, ls->rel, object, NULL,
					"Changes the type of column %s to %s. The column or the type is not in the catalog, so whether the table is rewritten under an ACCESS EXCLUSIVE lock cannot be judged here.",
					quote_identifier(cmd->name),
					OidIsValid(typid) ? format_type_with_typemod(typid, typmod) :
					TypeNameToString(cd->typeName));
		return;
	}
	if (!tc.rewrite)
		return;

	nindexes = list_length(relation_indexes(ls->rel->relid));
	if (tc.fails)
		lint_report(ls, rule, ls->rel, object, NULL,
					"Changes the type of column %s from %s to %s, for which there is no assignment cast: the statement fails unless a USING clause converts the values, and then rewrites the table %s under an ACCESS EXCLUSIVE lock.",
					quote_identifier(cmd->name),
					format_type_with_typemod(tc.att.atttypid, tc.att.atttypmod),
					format_type_with_typemod(tc.newtype, tc.newtypmod),
					lint_rel_desc(ls->rel));
	else
		lint_report(ls, rule, ls->rel, object, NULL,
					"Changes the type of column %s from %s to %s%s: the table %s is rewritten%s under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done.",
					quote_identifier(cmd->name),
					format_type_with_typemod(tc.att.atttypid, tc.att.atttypmod),
					new_type_text(&tc),
					tc.using_expr ? " with a USING expression" : "",
					lint_rel_desc(ls->rel),
					nindexes == 0 ? "" :
					psprintf(" and its %d index%s rebuilt", nindexes,
							 nindexes == 1 ? " is" : "es are"));
}

/*
 * check_indexed_column_type
 *		ALTER COLUMN ... TYPE that keeps the table but not an index on the
 *		column: the index is rebuilt under ACCESS EXCLUSIVE.
 */
static void
check_indexed_column_type(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_AlterColumnType);
	TypeChange	tc;
	List	   *indexes;

	if (cmd == NULL || ls->rel->created)
		return;
	tc = judge_type_change(ls, cmd);
	if (!tc.known || tc.rewrite)
		return;
	indexes = rebuilt_indexes(ls->rel, &tc);
	if (indexes == NIL)
		return;
	lint_report(ls, rule, ls->rel, col_name(ls->rel, cmd->name), NULL,
				"Changes the type of column %s from %s to %s without rewriting the table, but the index%s %s on it %s rebuilt under an ACCESS EXCLUSIVE lock on %s, blocking reads and writes until %s done.",
				quote_identifier(cmd->name),
				format_type_with_typemod(tc.att.atttypid, tc.att.atttypmod),
				new_type_text(&tc),
				list_length(indexes) == 1 ? "" : "es",
				name_list_text(indexes),
				list_length(indexes) == 1 ? "is" : "are",
				lint_rel_desc(ls->rel),
				list_length(indexes) == 1 ? "it is" : "they are");
}

/* ------------------------------------------------------------------------
 * Rules: constraints
 * ------------------------------------------------------------------------ */

/*
 * not_null_implied
 *		Does a validated CHECK constraint of the table prove the column NOT
 *		NULL?  Then SET NOT NULL skips its scan (the server's
 *		NotNullImpliedByRelConstraints, PostgreSQL 12+).
 */
static bool
not_null_implied(Oid relid, const FormData_pg_attribute *att)
{
	Relation	pg_constraint;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *clauses = NIL;
	NullTest   *nt;

	pg_constraint = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(pg_constraint, ConstraintRelidTypidNameIndexId,
							  true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		Datum		bin;
		bool		isnull;
		Node	   *expr;

		if (con->contype != CONSTRAINT_CHECK || !con->convalidated)
			continue;
		bin = heap_getattr(tup, Anum_pg_constraint_conbin,
						   RelationGetDescr(pg_constraint), &isnull);
		if (isnull)
			continue;
		expr = stringToNode(TextDatumGetCString(bin));
		expr = eval_const_expressions(NULL, expr);
		expr = (Node *) canonicalize_qual((Expr *) expr, true);
		clauses = list_concat(clauses, make_ands_implicit((Expr *) expr));
	}
	systable_endscan(scan);
	table_close(pg_constraint, AccessShareLock);

	if (clauses == NIL)
		return false;
	nt = makeNode(NullTest);
	nt->arg = (Expr *) makeVar(1, att->attnum, att->atttypid, att->atttypmod,
							   att->attcollation, 0);
	nt->nulltesttype = IS_NOT_NULL;
	nt->argisrow = false;
	nt->location = -1;
	return predicate_implied_by(list_make1(nt), clauses, false);
}

/*
 * set_not_null_hint
 *		The safe way to make a column NOT NULL on this server version.
 */
static const char *
set_not_null_hint(void)
{
#if PG_VERSION_NUM >= 180000
	return "Add the constraint as ALTER TABLE ... ADD CONSTRAINT ... NOT NULL col NOT VALID (or CHECK (col IS NOT NULL) NOT VALID), then VALIDATE CONSTRAINT in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes continue).";
#else
	return NULL;
#endif
}

/*
 * check_set_not_null
 *		SET NOT NULL scans the whole table under ACCESS EXCLUSIVE, unless a
 *		validated CHECK constraint already proves the column NOT NULL.
 */
static void
check_set_not_null(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_SetNotNull);
	FormData_pg_attribute att;
	const char *column = NULL;

	if (cmd != NULL)
		column = cmd->name;
#if PG_VERSION_NUM >= 180000
	else
	{
		Constraint *c = added_constraint(ls);

		if (c != NULL && c->contype == CONSTR_NOTNULL && !c->skip_validation &&
			c->keys != NIL)
			column = strVal(linitial(c->keys));
	}
#endif
	if (column == NULL || ls->rel->created)
		return;

	if (lookup_column(ls->rel, column, &att))
	{
		if (att.attnotnull)
			return;				/* already NOT NULL: nothing happens */
		if (not_null_implied(ls->rel->relid, &att))
			return;				/* a validated CHECK proves it: no scan */
	}
	lint_report(ls, rule, ls->rel, col_name(ls->rel, column), set_not_null_hint(),
				"Sets NOT NULL on column %s: the whole table %s is scanned under an ACCESS EXCLUSIVE lock, blocking reads and writes until every row is checked.",
				quote_identifier(column), lint_rel_desc(ls->rel));
}

/*
 * constraint_is_enforced
 *		Will the constraint be checked against existing rows?  (NOT VALID
 *		skips that; PostgreSQL 18 also has NOT ENFORCED.)
 */
static bool
constraint_validates(Constraint *c)
{
	if (c->skip_validation)
		return false;
#if PG_VERSION_NUM >= 180000
	if (!c->is_enforced)
		return false;
#endif
	return true;
}

/*
 * check_check_constraint
 *		ADD CONSTRAINT ... CHECK without NOT VALID: every row is checked
 *		under ACCESS EXCLUSIVE.
 */
static void
check_check_constraint(LintStmt *ls, const LintRule *rule)
{
	Constraint *c = added_constraint(ls);
	ColumnDef  *cd = added_column(ls);

	if (c != NULL && c->contype == CONSTR_CHECK && constraint_validates(c))
		lint_report(ls, rule, ls->rel, NULL, NULL,
					"Adds %s: every row of %s is checked under an ACCESS EXCLUSIVE lock, blocking reads and writes until the scan is done.",
					constraint_label("CHECK", c), lint_rel_desc(ls->rel));
	else if (cd != NULL && find_constraint(cd->constraints, CONSTR_CHECK) != NULL)
		lint_report(ls, rule, ls->rel, col_name(ls->rel, cd->colname),
					"Add the column without the CHECK, then add the CHECK as a table constraint NOT VALID and VALIDATE it in a later migration.",
					"Adds column %s with a CHECK constraint: every row of %s is checked under an ACCESS EXCLUSIVE lock, blocking reads and writes until the scan is done.",
					quote_identifier(cd->colname), lint_rel_desc(ls->rel));
}

/*
 * check_foreign_key
 *		ADD FOREIGN KEY (or ADD COLUMN ... REFERENCES) without NOT VALID:
 *		every row is checked while both tables are locked SHARE ROW
 *		EXCLUSIVE.
 */
static void
check_foreign_key(LintStmt *ls, const LintRule *rule)
{
	Constraint *c = added_constraint(ls);
	ColumnDef  *cd = added_column(ls);

	if (c != NULL && c->contype == CONSTR_FOREIGN && constraint_validates(c))
		lint_report(ls, rule, ls->rel, NULL, NULL,
					"Adds %s referencing %s: every row of %s is checked while both tables are locked SHARE ROW EXCLUSIVE, blocking writes to both until the scan is done.",
					constraint_label("FOREIGN KEY", c), lint_rel(ls, c->pktable)->name,
					lint_rel_desc(ls->rel));
	else if (cd != NULL &&
			 (c = find_constraint(cd->constraints, CONSTR_FOREIGN)) != NULL)
		lint_report(ls, rule, ls->rel, col_name(ls->rel, cd->colname),
					"Add the column without REFERENCES, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID and VALIDATE it in a later migration.",
					"Adds column %s referencing %s: every row of %s is checked under an ACCESS EXCLUSIVE lock (SHARE ROW EXCLUSIVE on %s) until the scan is done.",
					quote_identifier(cd->colname), lint_rel(ls, c->pktable)->name,
					lint_rel_desc(ls->rel), lint_rel(ls, c->pktable)->name);
}

/*
 * check_unique_constraint
 *		ADD UNIQUE / PRIMARY KEY without USING INDEX builds the index under
 *		ACCESS EXCLUSIVE.
 */
static void
check_unique_constraint(LintStmt *ls, const LintRule *rule)
{
	Constraint *c = added_constraint(ls);
	ColumnDef  *cd = added_column(ls);

	if (c != NULL && (c->contype == CONSTR_UNIQUE || c->contype == CONSTR_PRIMARY) &&
		c->indexname == NULL)
		lint_report(ls, rule, ls->rel, NULL, NULL,
					"Adds %s: its unique index is built under an ACCESS EXCLUSIVE lock on %s, blocking reads and writes until the build is done.",
					constraint_label(c->contype == CONSTR_PRIMARY ? "PRIMARY KEY" : "UNIQUE", c),
					lint_rel_desc(ls->rel));
	else if (cd != NULL &&
			 ((c = find_constraint(cd->constraints, CONSTR_UNIQUE)) != NULL ||
			  (c = find_constraint(cd->constraints, CONSTR_PRIMARY)) != NULL))
		lint_report(ls, rule, ls->rel, col_name(ls->rel, cd->colname), NULL,
					"Adds column %s with a %s constraint: its unique index is built under an ACCESS EXCLUSIVE lock on %s, blocking reads and writes until the build is done.",
					quote_identifier(cd->colname),
					c->contype == CONSTR_PRIMARY ? "PRIMARY KEY" : "UNIQUE",
					lint_rel_desc(ls->rel));
}

/*
 * check_exclusion_constraint
 *		ADD EXCLUDE builds its index under ACCESS EXCLUSIVE, with no
 *		concurrent alternative.
 */
static void
check_exclusion_constraint(LintStmt *ls, const LintRule *rule)
{
	Constraint *c = added_constraint(ls);

	if (c != NULL && c->contype == CONSTR_EXCLUSION)
		lint_report(ls, rule, ls->rel, NULL, NULL,
					"Adds %s: its index is built and every row checked under an ACCESS EXCLUSIVE lock on %s, blocking reads and writes until done; there is no concurrent way to add it.",
					constraint_label("EXCLUDE", c), lint_rel_desc(ls->rel));
}

/*
 * check_validate_same_transaction
 *		VALIDATE CONSTRAINT of a constraint added NOT VALID earlier in the
 *		same script: the ADD's lock is still held during the scan.
 */
static void
check_validate_same_transaction(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_ValidateConstraint);
	ListCell   *lc;

	if (cmd == NULL || cmd->name == NULL)
		return;
	foreach(lc, ls->state->created)
	{
		LintName   *n = (LintName *) lfirst(lc);
		LintLocked *held;

		if (n->kind != 'c' || strcmp(n->name, cmd->name) != 0 ||
			strcmp(n->relname, ls->rel->rv->relname) != 0)
			continue;
		held = OidIsValid(ls->rel->relid) ? lint_locked(ls->state, ls->rel->relid) : NULL;
		if (held != NULL)
			lint_report(ls, rule, ls->rel, NULL, NULL,
						"Validates constraint %s, which statement %d added NOT VALID in the same transaction: the %s lock statement %d took on %s is held until commit, so the scan blocks %s anyway and NOT VALID gains nothing.",
						quote_identifier(cmd->name), n->statement,
						mig_lint_lock_name(held->mode), held->statement,
						lint_rel_desc(ls->rel),
						held->mode < AccessExclusiveLock ? "writes" : "reads and writes");
		else
			lint_report(ls, rule, ls->rel, NULL, NULL,
						"Validates constraint %s, which statement %d added NOT VALID in the same transaction: the lock that statement took on %s is held until commit, so the scan blocks writes anyway and NOT VALID gains nothing.",
						quote_identifier(cmd->name), n->statement, lint_rel_desc(ls->rel));
		return;
	}
}

/* ------------------------------------------------------------------------
 * Rules: indexes, partitions and maintenance commands
 * ------------------------------------------------------------------------ */

/*
 * check_index_creation
 *		CREATE INDEX without CONCURRENTLY blocks writes for the whole build.
 */
static void
check_index_creation(LintStmt *ls, const LintRule *rule)
{
	IndexStmt  *s;
	LintRel    *rel;

	if (ls->cmd != NULL || !IsA(ls->stmt, IndexStmt))
		return;
	s = (IndexStmt *) ls->stmt;
	if (s->concurrent)
		return;
	rel = lint_rel(ls, s->relation);
	lint_report(ls, rule, rel, NULL,
				rel_is_partitioned(rel) ?
				"A partitioned table cannot be indexed concurrently: CREATE INDEX ... ON ONLY the parent (instant), CREATE INDEX CONCURRENTLY on each partition, then ALTER INDEX ... ATTACH PARTITION each one." : NULL,
				"Builds %sindex %s on %s under a SHARE lock, blocking writes (INSERT, UPDATE, DELETE) until the build is done.",
				s->unique ? "unique " : "",
				s->idxname ? quote_identifier(s->idxname) : "(unnamed)",
				lint_rel_desc(rel));
}

/*
 * check_index_deletion
 *		DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table.
 */
static void
check_index_deletion(LintStmt *ls, const LintRule *rule)
{
	DropStmt   *s;
	LintRel    *idx;
	LintRel    *table = NULL;

	if (ls->cmd != NULL || !IsA(ls->stmt, DropStmt))
		return;
	s = (DropStmt *) ls->stmt;
	if (s->removeType != OBJECT_INDEX || s->concurrent || s->objects == NIL)
		return;
	idx = lint_rel(ls, makeRangeVarFromNameList((List *) linitial(s->objects)));
	if (idx->created)
		return;
	if (!OidIsValid(idx->relid) && s->missing_ok)
		return;
	if (OidIsValid(idx->relid))
	{
		Oid			heap = IndexGetRelation(idx->relid, true);

		if (OidIsValid(heap))
			table = lint_rel_oid(ls, heap);
	}
	lint_report(ls, rule, table, idx->name, NULL,
				"Drops index %s with an ACCESS EXCLUSIVE lock on %s: quick once granted, but it waits for every running query on the table, and every query queued behind it waits too.",
				idx->name, table ? lint_rel_desc(table) : "its table");
}

/*
 * reindex_concurrently
 *		Does a REINDEX statement have the CONCURRENTLY option?
 */
static bool
reindex_concurrently(ReindexStmt *s)
{
	return sqltext_option_set(s->params, "concurrently");
}

/*
 * check_reindex
 *		REINDEX without CONCURRENTLY: the index is locked ACCESS EXCLUSIVE
 *		(queries that would use it wait) and the table SHARE.
 */
static void
check_reindex(LintStmt *ls, const LintRule *rule)
{
	ReindexStmt *s;
	LintRel    *rel;
	LintRel    *table;

	if (ls->cmd != NULL || !IsA(ls->stmt, ReindexStmt))
		return;
	s = (ReindexStmt *) ls->stmt;
	if (reindex_concurrently(s) || s->relation == NULL)
		return;
	rel = lint_rel(ls, s->relation);
	table = rel;
	if (s->kind == REINDEX_OBJECT_INDEX && OidIsValid(rel->relid))
	{
		Oid			heap = IndexGetRelation(rel->relid, true);

		if (OidIsValid(heap))
			table = lint_rel_oid(ls, heap);
	}
	if (s->kind == REINDEX_OBJECT_INDEX)
		lint_report(ls, rule, rel, NULL, NULL,
					"Rebuilds index %s under an ACCESS EXCLUSIVE lock on the index and a SHARE lock on %s: writes, and reads that would use the index, wait until the build is done.",
					lint_rel_desc(rel), table->name);
	else
		lint_report(ls, rule, rel, NULL, NULL,
					"Rebuilds every index of %s under a SHARE lock on the table and ACCESS EXCLUSIVE on each index: writes, and reads that would use an index, wait until all are rebuilt.",
					lint_rel_desc(rel));
}

/*
 * check_partition_detach
 *		DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the
 *		partitioned table.
 */
static void
check_partition_detach(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_DetachPartition);
	PartitionCmd *pc;

	if (cmd == NULL || cmd->def == NULL || !IsA(cmd->def, PartitionCmd))
		return;
	pc = (PartitionCmd *) cmd->def;
	if (pc->concurrent)
		return;
	lint_report(ls, rule, ls->rel, NULL, NULL,
				"Detaches partition %s from %s under an ACCESS EXCLUSIVE lock on both: every query on the partitioned table waits while the lock is queued and held.",
				lint_rel(ls, pc->name)->name, lint_rel_desc(ls->rel));
}

/*
 * bound_is_constant
 *		Is every value of a raw partition bound a constant (no function
 *		call the linter would have to evaluate)?
 */
static bool
bound_has_call_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall) || IsA(node, SubLink))
		return true;
	return raw_expression_tree_walker(node, bound_has_call_walker, context);
}

/*
 * bound_is_constant
 *		Does the bound hold only constants (evaluating it runs nothing but
 *		type input functions)?
 */
static bool
bound_is_constant(PartitionBoundSpec *spec)
{
	return !bound_has_call_walker((Node *) spec->listdatums, NULL) &&
		!bound_has_call_walker((Node *) spec->lowerdatums, NULL) &&
		!bound_has_call_walker((Node *) spec->upperdatums, NULL);
}

/*
 * attach_needs_scan
 *		Will ATTACH PARTITION scan the partition?  The server skips the scan
 *		when the partition's constraints (validated CHECKs and NOT NULLs)
 *		imply the partition constraint (PartConstraintImpliedByRelConstraint).
 *		*known is false when this cannot be judged without waiting for a
 *		lock or evaluating a function.
 */
static bool
attach_needs_scan(LintRel *parent, LintRel *part, PartitionBoundSpec *spec,
				  bool *known)
{
	Relation	prel;
	Relation	crel;
	PartitionBoundSpec *bound;
	List	   *qual;
	bool		implied;

	*known = false;
	if (!OidIsValid(parent->relid) || !OidIsValid(part->relid) ||
		parent->relkind != RELKIND_PARTITIONED_TABLE ||
		part->relkind != RELKIND_RELATION || spec == NULL || spec->is_default ||
		!bound_is_constant(spec))
		return true;
	if (!ConditionalLockRelationOid(parent->relid, AccessShareLock))
		return true;
	if (!ConditionalLockRelationOid(part->relid, AccessShareLock))
	{
		UnlockRelationOid(parent->relid, AccessShareLock);
		return true;
	}
	prel = relation_open(parent->relid, NoLock);
	crel = relation_open(part->relid, NoLock);

	bound = transformPartitionBound(make_parsestate(NULL), prel, spec);
#if PG_VERSION_NUM >= 150000
	qual = get_qual_from_partbound(prel, bound);
#else
	qual = get_qual_from_partbound(crel, prel, bound);
#endif
	qual = list_concat(qual, RelationGetPartitionQual(prel));
	qual = (List *) eval_const_expressions(NULL, (Node *) qual);
	qual = map_partition_varattnos(qual, 1, crel, prel);
	implied = PartConstraintImpliedByRelConstraint(crel, qual);

	relation_close(crel, NoLock);
	relation_close(prel, NoLock);
	UnlockRelationOid(part->relid, AccessShareLock);
	UnlockRelationOid(parent->relid, AccessShareLock);
	*known = true;
	return !implied;
}

/*
 * check_attach_partition
 *		ATTACH PARTITION scans the partition under ACCESS EXCLUSIVE unless a
 *		CHECK constraint matching the bound exists on it.
 */
static void
check_attach_partition(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_AttachPartition);
	PartitionCmd *pc;
	LintRel    *part;
	bool		known;

	if (cmd == NULL || cmd->def == NULL || !IsA(cmd->def, PartitionCmd))
		return;
	pc = (PartitionCmd *) cmd->def;
	part = lint_rel(ls, pc->name);
	if (part->created || ls->rel->created)
		return;
	if (!attach_needs_scan(ls->rel, part, pc->bound, &known))
		return;
	lint_report(ls, rule, part, NULL, NULL,
				"Attaches %s to %s%s: every row of the partition is scanned to validate the partition bound, under an ACCESS EXCLUSIVE lock on the partition (SHARE UPDATE EXCLUSIVE on the parent).",
				lint_rel_desc(part), ls->rel->name,
				known ? " without a CHECK constraint that implies its bound" :
				" (whether a CHECK constraint on it implies the bound cannot be judged here)");
}

/*
 * check_vacuum_full
 *		VACUUM FULL rewrites under ACCESS EXCLUSIVE.
 */
static void
check_vacuum_full(LintStmt *ls, const LintRule *rule)
{
	VacuumStmt *s;
	ListCell   *lc;
	bool		full = false;

	if (ls->cmd != NULL || !IsA(ls->stmt, VacuumStmt))
		return;
	s = (VacuumStmt *) ls->stmt;
	full = sqltext_option_set(s->options, "full");
	if (!full || !s->is_vacuumcmd)
		return;
	if (s->rels == NIL)
	{
		lint_report(ls, rule, NULL, NULL, NULL,
					"VACUUM FULL rewrites every table of the database, each under an ACCESS EXCLUSIVE lock that blocks reads and writes until it is done.");
		return;
	}
	foreach(lc, s->rels)
	{
		VacuumRelation *vr = (VacuumRelation *) lfirst(lc);
		LintRel    *rel;

		if (vr->relation == NULL)
			continue;
		rel = lint_rel(ls, vr->relation);
		lint_report(ls, rule, rel, NULL, NULL,
					"VACUUM FULL rewrites %s under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done.",
					lint_rel_desc(rel));
	}
}

/*
 * check_cluster
 *		CLUSTER rewrites under ACCESS EXCLUSIVE.
 */
static void
check_cluster(LintStmt *ls, const LintRule *rule)
{
	ClusterStmt *s;
	LintRel    *rel;

	if (ls->cmd != NULL || !IsA(ls->stmt, ClusterStmt))
		return;
	s = (ClusterStmt *) ls->stmt;
	if (s->relation == NULL)
	{
		lint_report(ls, rule, NULL, NULL, NULL,
					"CLUSTER rewrites every previously clustered table of the database, each under an ACCESS EXCLUSIVE lock that blocks reads and writes until it is done.");
		return;
	}
	rel = lint_rel(ls, s->relation);
	lint_report(ls, rule, rel, NULL, NULL,
				"CLUSTER rewrites %s in index order under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done.",
				lint_rel_desc(rel));
}

/*
 * check_set_tablespace
 *		SET TABLESPACE copies the files under ACCESS EXCLUSIVE.
 */
static void
check_set_tablespace(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_SetTableSpace);

	if (cmd != NULL)
		lint_report(ls, rule, ls->rel, NULL, NULL,
					"Moves %s to tablespace %s: its files are copied under an ACCESS EXCLUSIVE lock, blocking reads and writes until the copy is done.",
					lint_rel_desc(ls->rel), quote_identifier(cmd->name));
	else if (ls->cmd == NULL && IsA(ls->stmt, AlterTableMoveAllStmt))
	{
		AlterTableMoveAllStmt *s = (AlterTableMoveAllStmt *) ls->stmt;

		lint_report(ls, rule, NULL, quote_identifier(s->orig_tablespacename), NULL,
					"Moves every relation of tablespace %s to %s: each one's files are copied under an ACCESS EXCLUSIVE lock, blocking reads and writes until its copy is done.",
					quote_identifier(s->orig_tablespacename),
					quote_identifier(s->new_tablespacename));
	}
}

/*
 * check_set_logged
 *		SET LOGGED / SET UNLOGGED rewrite the table.
 */
static void
check_set_logged(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_SetLogged);

	if (cmd == NULL)
		cmd = at_cmd(ls, AT_SetUnLogged);
	if (cmd == NULL)
		return;
	lint_report(ls, rule, ls->rel, NULL, NULL,
				"SET %s rewrites %s%s under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done.",
				cmd->subtype == AT_SetLogged ? "LOGGED" : "UNLOGGED",
				lint_rel_desc(ls->rel),
				cmd->subtype == AT_SetLogged ? " and writes all of it to the WAL" : "");
}

/*
 * check_set_access_method
 *		SET ACCESS METHOD (PostgreSQL 15+) rewrites the table.
 */
static void
check_set_access_method(LintStmt *ls, const LintRule *rule)
{
#if PG_VERSION_NUM >= 150000
	AlterTableCmd *cmd = at_cmd(ls, AT_SetAccessMethod);

	if (cmd != NULL)
		lint_report(ls, rule, ls->rel, NULL, NULL,
					"SET ACCESS METHOD %s rewrites %s under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done.",
					cmd->name ? quote_identifier(cmd->name) : "DEFAULT",
					lint_rel_desc(ls->rel));
#endif
}

/*
 * check_refresh_matview
 *		REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks readers.
 */
static void
check_refresh_matview(LintStmt *ls, const LintRule *rule)
{
	RefreshMatViewStmt *s;
	LintRel    *rel;

	if (ls->cmd != NULL || !IsA(ls->stmt, RefreshMatViewStmt))
		return;
	s = (RefreshMatViewStmt *) ls->stmt;
	if (s->concurrent || s->skipData)
		return;
	rel = lint_rel(ls, s->relation);
	lint_report(ls, rule, rel, NULL, NULL,
				"Refreshes materialized view %s under an ACCESS EXCLUSIVE lock: queries on it wait until its query has run and the result is written.",
				lint_rel_desc(rel));
}

/*
 * check_domain_constraint
 *		ALTER DOMAIN ADD CONSTRAINT (or SET NOT NULL) checks every column of
 *		the domain in every table.
 */
static void
check_domain_constraint(LintStmt *ls, const LintRule *rule)
{
	AlterDomainStmt *s;
	char	   *schema;
	char	   *name;

	if (ls->cmd != NULL || !IsA(ls->stmt, AlterDomainStmt))
		return;
	s = (AlterDomainStmt *) ls->stmt;
	if (list_length(s->typeName) <= 2)
	{
		DeconstructQualifiedName(s->typeName, &schema, &name);
		if (lint_is_created(ls->state, 't', schema, name))
			return;
	}
	if (s->subtype == 'C' && s->def != NULL && IsA(s->def, Constraint) &&
		constraint_validates((Constraint *) s->def))
		lint_report(ls, rule, NULL, mig_lint_qualified_name(s->typeName), NULL,
					"Adds a constraint to domain %s: every column of that type in every table is checked, each table under a SHARE lock that blocks writes until its scan is done.",
					mig_lint_qualified_name(s->typeName));
	else if (s->subtype == 'O')
		lint_report(ls, rule, NULL, mig_lint_qualified_name(s->typeName),
					"Add a CHECK (VALUE IS NOT NULL) constraint NOT VALID instead, and VALIDATE it in a later migration.",
					"Sets NOT NULL on domain %s: every column of that type in every table is checked, each table under a SHARE lock that blocks writes until its scan is done.",
					mig_lint_qualified_name(s->typeName));
}

/*
 * check_backfill
 *		UPDATE or DELETE of an existing table in a migration: without WHERE
 *		it touches every row in one transaction, and after DDL on the same
 *		table it runs while that DDL's lock is held.
 */
static void
check_backfill(LintStmt *ls, const LintRule *rule)
{
	RangeVar   *rv;
	Node	   *where;
	LintRel    *rel;
	LintLocked *held = NULL;
	const char *verb;

	if (ls->cmd != NULL)
		return;
	if (IsA(ls->stmt, UpdateStmt))
	{
		rv = ((UpdateStmt *) ls->stmt)->relation;
		where = ((UpdateStmt *) ls->stmt)->whereClause;
		verb = "Updates";
	}
	else if (IsA(ls->stmt, DeleteStmt))
	{
		rv = ((DeleteStmt *) ls->stmt)->relation;
		where = ((DeleteStmt *) ls->stmt)->whereClause;
		verb = "Deletes";
	}
	else
		return;
	rel = lint_rel(ls, rv);
	if (OidIsValid(rel->relid))
		held = lint_locked(ls->state, rel->relid);
	if (held != NULL && held->mode >= ShareLock)
		lint_report(ls, rule, rel, NULL, NULL,
					"%s rows of %s while the %s lock statement %d took on it is held: %s until the migration commits.",
					verb, lint_rel_desc(rel), mig_lint_lock_name(held->mode), held->statement,
					held->mode == AccessExclusiveLock ? "reads and writes of the table wait" :
					"writes to the table wait");
	else if (where == NULL)
		lint_report(ls, rule, rel, NULL, NULL,
					"%s every row of %s in the migration's single transaction: the rows stay locked against other writers until it commits, and the table bloats.",
					verb, lint_rel_desc(rel));
}

/*
 * check_missing_lock_timeout
 *		The first statement taking a lock that conflicts with writes (SHARE
 *		or stronger) on an existing table, with no lock_timeout in force:
 *		while it waits in the lock queue, every query on the table queues
 *		behind it.
 */
static void
check_missing_lock_timeout(LintStmt *ls, const LintRule *rule)
{
	MigLintState *st = ls->state;
	LintRel    *rel = NULL;
	LOCKMODE	mode;

	if (ls->cmd != NULL || st->lock_timeout_set || st->lock_timeout_reported)
		return;
	mode = lint_statement_lock(ls, &rel);
	if (mode < ShareLock || rel == NULL)
		return;
	if (lint_report(ls, rule, NULL, rel->name, NULL,
					"Locks %s in %s mode with no lock_timeout set: if a long transaction holds a conflicting lock, this statement waits in the lock queue, and every query on the table queues behind it for as long.",
					rel->name, mig_lint_lock_name(mode)))
		st->lock_timeout_reported = true;
}

/*
 * check_missing_statement_timeout
 *		The first statement taking a lock that conflicts with writes (SHARE
 *		or stronger) on an existing table, with no statement timeout in
 *		force: once granted, the lock is held for as long as the statement
 *		runs, and nothing bounds that.
 */
static void
check_missing_statement_timeout(LintStmt *ls, const LintRule *rule)
{
	MigLintState *st = ls->state;
	LintRel    *rel = NULL;
	LOCKMODE	mode;

	if (ls->cmd != NULL || st->statement_timeout_set ||
		st->statement_timeout_reported)
		return;
	mode = lint_statement_lock(ls, &rel);
	if (mode < ShareLock || rel == NULL)
		return;
	if (lint_report(ls, rule, NULL, rel->name, NULL,
					"Locks %s in %s mode with no statement timeout in force: nothing bounds how long the statement runs, and %s wait for as long.%s",
					rel->name, mig_lint_lock_name(mode),
					mode == AccessExclusiveLock ? "reads and writes of the table" :
					"writes to the table",
					st->statement_timeout_ignored ?
					" A SET statement_timeout in the script does not bound it: schemamig runs a revision's statements inside one top-level statement, and the server arms statement_timeout only when such a statement starts." : ""))
		st->statement_timeout_reported = true;
}

/*
 * check_concurrently_in_transaction / check_non_transactional
 *		Statements that refuse to run in a transaction block, which is where
 *		schemamig runs every revision.
 */
static void
report_non_transactional(LintStmt *ls, const LintRule *rule, bool concurrently)
{
	const char *what;

	if (ls->cmd != NULL || !ls->state->options.in_transaction)
		return;
	what = sqltext_nontransactional(ls->stmt);
	if (what == NULL || (strstr(what, "CONCURRENTLY") != NULL) != concurrently)
		return;
	lint_report(ls, rule, NULL, NULL, NULL,
				"%s cannot run inside a transaction block, and schemamig runs each revision in one: the migration fails.",
				what);
}

/*
 * check_concurrently_in_transaction
 *		CREATE/DROP INDEX, REINDEX, DETACH PARTITION ... CONCURRENTLY.
 */
static void
check_concurrently_in_transaction(LintStmt *ls, const LintRule *rule)
{
	report_non_transactional(ls, rule, true);
}

/*
 * check_non_transactional
 *		VACUUM, CREATE DATABASE, ALTER SYSTEM and the like.
 */
static void
check_non_transactional(LintStmt *ls, const LintRule *rule)
{
	report_non_transactional(ls, rule, false);
}

/* ------------------------------------------------------------------------
 * Rules: destructive and incompatible changes
 * ------------------------------------------------------------------------ */

/*
 * check_drop_relation
 *		DROP TABLE of a table that exists outside the script.
 */
static void
check_drop_table(LintStmt *ls, const LintRule *rule)
{
	DropStmt   *s;
	ListCell   *lc;

	if (ls->cmd != NULL || !IsA(ls->stmt, DropStmt))
		return;
	s = (DropStmt *) ls->stmt;
	if (s->removeType != OBJECT_TABLE)
		return;
	foreach(lc, s->objects)
	{
		LintRel    *rel = lint_rel(ls, makeRangeVarFromNameList((List *) lfirst(lc)));

		if (rel->created || (!OidIsValid(rel->relid) && s->missing_ok))
			continue;
		lint_report(ls, rule, NULL, rel->name, NULL,
					"Drops table %s and its data%s: clients still using it fail as soon as this commits.",
					lint_rel_desc(rel),
					s->behavior == DROP_CASCADE ?
					", and with CASCADE every view and foreign key that depends on it" : "");
	}
}

/*
 * check_drop_column
 *		ALTER TABLE ... DROP COLUMN.
 */
static void
check_drop_column(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_DropColumn);
	FormData_pg_attribute att;

	if (cmd == NULL || ls->rel->created)
		return;
	if (cmd->missing_ok && OidIsValid(ls->rel->relid) &&
		!lookup_column(ls->rel, cmd->name, &att))
		return;
	lint_report(ls, rule, NULL, col_name(ls->rel, cmd->name), NULL,
				"Drops column %s of %s and its data: clients that still select or write it fail as soon as this commits%s.",
				quote_identifier(cmd->name), ls->rel->name,
				cmd->behavior == DROP_CASCADE ?
				", and CASCADE also drops the views and constraints that use it" : "");
}

/*
 * check_drop_schema
 *		DROP SCHEMA.
 */
static void
check_drop_schema(LintStmt *ls, const LintRule *rule)
{
	DropStmt   *s;
	ListCell   *lc;

	if (ls->cmd != NULL || !IsA(ls->stmt, DropStmt))
		return;
	s = (DropStmt *) ls->stmt;
	if (s->removeType != OBJECT_SCHEMA)
		return;
	foreach(lc, s->objects)
	{
		char	   *name = strVal(lfirst(lc));

		if (s->missing_ok && !OidIsValid(get_namespace_oid(name, true)))
			continue;
		lint_report(ls, rule, NULL, quote_identifier(name), NULL,
					"Drops schema %s%s: clients still using its objects fail as soon as this commits.",
					quote_identifier(name),
					s->behavior == DROP_CASCADE ? " and, with CASCADE, every object in it and its data" : "");
	}
}

/*
 * check_drop_not_null
 *		ALTER COLUMN ... DROP NOT NULL.
 */
static void
check_drop_not_null(LintStmt *ls, const LintRule *rule)
{
	AlterTableCmd *cmd = at_cmd(ls, AT_DropNotNull);

	if (cmd == NULL || ls->rel->created)
		return;
	lint_report(ls, rule, NULL, col_name(ls->rel, cmd->name), NULL,
				"Drops NOT NULL from column %s: clients that assume a value break on the first NULL, and putting NOT NULL back later scans the whole table under ACCESS EXCLUSIVE.",
				quote_identifier(cmd->name));
}

/*
 * check_rename_table
 *		ALTER TABLE ... RENAME TO.
 */
static void
check_rename_table(LintStmt *ls, const LintRule *rule)
{
	RenameStmt *s;
	LintRel    *rel;

	if (ls->cmd != NULL || !IsA(ls->stmt, RenameStmt))
		return;
	s = (RenameStmt *) ls->stmt;
	if (s->renameType != OBJECT_TABLE || s->relation == NULL)
		return;
	rel = lint_rel(ls, s->relation);
	if (rel->created || (!OidIsValid(rel->relid) && s->missing_ok))
		return;
	lint_report(ls, rule, NULL, rel->name, NULL,
				"Renames table %s to %s: clients using the old name fail as soon as this commits.",
				rel->name, quote_identifier(s->newname));
}

/*
 * check_rename_column
 *		ALTER TABLE ... RENAME COLUMN.
 */
static void
check_rename_column(LintStmt *ls, const LintRule *rule)
{
	RenameStmt *s;
	LintRel    *rel;

	if (ls->cmd != NULL || !IsA(ls->stmt, RenameStmt))
		return;
	s = (RenameStmt *) ls->stmt;
	if (s->renameType != OBJECT_COLUMN || s->relation == NULL ||
		s->relationType != OBJECT_TABLE)
		return;
	rel = lint_rel(ls, s->relation);
	if (rel->created || (!OidIsValid(rel->relid) && s->missing_ok))
		return;
	lint_report(ls, rule, NULL, col_name(rel, s->subname), NULL,
				"Renames column %s of %s to %s: clients using the old name fail as soon as this commits.",
				quote_identifier(s->subname), rel->name, quote_identifier(s->newname));
}

/*
 * truncated_tables
 *		The tables of a TRUNCATE that exist outside the script, as "a, b".
 */
static char *
truncated_tables(LintStmt *ls, TruncateStmt *s, LintRel **first, int *n)
{
	List	   *names = NIL;
	ListCell   *lc;

	*first = NULL;
	*n = 0;
	foreach(lc, s->relations)
	{
		LintRel    *rel = lint_rel(ls, (RangeVar *) lfirst(lc));

		if (rel->created)
			continue;
		if (*first == NULL)
			*first = rel;
		names = lappend(names, rel->name);
		(*n)++;
	}
	return names ? name_list_text(names) : NULL;
}

/*
 * check_truncate_cascade
 *		TRUNCATE ... CASCADE empties the referencing tables too.
 */
static void
check_truncate_cascade(LintStmt *ls, const LintRule *rule)
{
	TruncateStmt *s;
	LintRel    *first;
	char	   *names;
	int			n;

	if (ls->cmd != NULL || !IsA(ls->stmt, TruncateStmt))
		return;
	s = (TruncateStmt *) ls->stmt;
	if (s->behavior != DROP_CASCADE)
		return;
	names = truncated_tables(ls, s, &first, &n);
	if (names == NULL)
		return;
	lint_report(ls, rule, NULL, first->name, NULL,
				"TRUNCATE ... CASCADE empties %s and also every table with a foreign key to it, recursively, under ACCESS EXCLUSIVE locks: data you did not name is deleted.",
				names);
}

/*
 * check_truncate
 *		TRUNCATE of an existing table deletes its data.
 */
static void
check_truncate(LintStmt *ls, const LintRule *rule)
{
	TruncateStmt *s;
	LintRel    *first;
	char	   *names;
	int			n;

	if (ls->cmd != NULL || !IsA(ls->stmt, TruncateStmt))
		return;
	s = (TruncateStmt *) ls->stmt;
	if (s->behavior == DROP_CASCADE)
		return;
	names = truncated_tables(ls, s, &first, &n);
	if (names == NULL)
		return;
	lint_report(ls, rule, NULL, first->name, NULL,
				n == 1 ?
				"Empties %s under an ACCESS EXCLUSIVE lock: all its rows are deleted, and every query on it waits while the lock is queued and held." :
				"Empties %s under ACCESS EXCLUSIVE locks: all their rows are deleted, and every query on them waits while the locks are queued and held.",
				names);
}

/*
 * check_transaction_control
 *		BEGIN, COMMIT, SAVEPOINT ... in a migration.
 */
static void
check_transaction_control(LintStmt *ls, const LintRule *rule)
{
	const char *what;

	if (ls->cmd != NULL || !ls->state->options.in_transaction)
		return;
	what = sqltext_transaction_control(ls->stmt);
	if (what != NULL)
		lint_report(ls, rule, NULL, NULL, NULL,
					"%s inside a migration: schemamig runs each revision in a transaction it commits or rolls back itself, and refuses to register SQL with transaction control.",
					what);
}

/* ------------------------------------------------------------------------
 * Rules: types
 * ------------------------------------------------------------------------ */

/*
 * column_type
 *		The type of a ColumnDef (the integer type for serial), InvalidOid
 *		when unknown; *typmod receives the typmod.
 */
static Oid
column_type(ColumnDef *cd, int32 *typmod, bool *serial)
{
	Oid			t;

	*typmod = -1;
	*serial = false;
	if (cd->typeName == NULL)
		return InvalidOid;
	if (lint_is_serial(cd->typeName, &t))
	{
		*serial = true;
		return t;
	}
	t = mig_lint_type_oid(cd->typeName, typmod);
	return OidIsValid(t) ? getBaseType(t) : InvalidOid;
}

/*
 * pk_columns
 *		Names of the primary key columns a statement declares (column
 *		constraints and table constraints of CREATE TABLE, ADD COLUMN ...
 *		PRIMARY KEY, ADD PRIMARY KEY (...)).
 */
static List *
pk_columns(LintStmt *ls)
{
	List	   *result = NIL;
	ListCell   *lc;

	if (ls->cmd == NULL && IsA(ls->stmt, CreateStmt))
	{
		foreach(lc, ((CreateStmt *) ls->stmt)->tableElts)
		{
			Node	   *elt = lfirst(lc);

			if (IsA(elt, ColumnDef) &&
				find_constraint(((ColumnDef *) elt)->constraints, CONSTR_PRIMARY))
				result = lappend(result, ((ColumnDef *) elt)->colname);
			else if (IsA(elt, Constraint) &&
					 ((Constraint *) elt)->contype == CONSTR_PRIMARY)
			{
				ListCell   *k;

				foreach(k, ((Constraint *) elt)->keys)
					result = lappend(result, strVal(lfirst(k)));
			}
		}
	}
	else if (added_column(ls) != NULL)
	{
		ColumnDef  *cd = added_column(ls);

		if (find_constraint(cd->constraints, CONSTR_PRIMARY))
			result = lappend(result, cd->colname);
	}
	else if (added_constraint(ls) != NULL &&
			 added_constraint(ls)->contype == CONSTR_PRIMARY &&
			 added_constraint(ls)->indexname == NULL)
	{
		foreach(lc, added_constraint(ls)->keys)
			result = lappend(result, strVal(lfirst(lc)));
	}
	return result;
}

/*
 * check_int_primary_key
 *		A primary key of integer or smallint (serial included).
 */
static void
check_int_primary_key(LintStmt *ls, const LintRule *rule)
{
	List	   *keys = pk_columns(ls);
	RangeVar   *relation;
	List	   *cols;
	ListCell   *lc;

	if (keys == NIL)
		return;
	cols = stmt_columns(ls, &relation);
	if (relation == NULL && ls->rel != NULL)
		relation = ls->rel->rv;
	foreach(lc, keys)
	{
		char	   *key = (char *) lfirst(lc);
		Oid			t = InvalidOid;
		bool		serial = false;
		int32		typmod;
		ListCell   *c;
		FormData_pg_attribute att;

		foreach(c, cols)
		{
			ColumnDef  *cd = (ColumnDef *) lfirst(c);

			if (strcmp(cd->colname, key) == 0)
				t = column_type(cd, &typmod, &serial);
		}
		if (!OidIsValid(t) && ls->rel != NULL && lookup_column(ls->rel, key, &att))
			t = getBaseType(att.atttypid);
		if (t != INT4OID && t != INT2OID)
			continue;
		lint_report(ls, rule, NULL, column_object(ls, relation, key), NULL,
					"The primary key column %s is %s%s: its values run out at %s, and changing the type later rewrites the table and every table referencing it.",
					quote_identifier(key), serial ? "serial, an " : "",
					t == INT4OID ? "integer" : "smallint",
					t == INT4OID ? "2,147,483,647" : "32,767");
	}
}

/*
 * check_serial
 *		serial / bigserial / smallserial columns.
 */
static void
check_serial(LintStmt *ls, const LintRule *rule)
{
	RangeVar   *relation;
	ListCell   *lc;

	foreach(lc, stmt_columns(ls, &relation))
	{
		ColumnDef  *cd = (ColumnDef *) lfirst(lc);
		Oid			t;

		if (ls->cmd != NULL && ls->cmd->subtype == AT_AlterColumnType)
			continue;
		if (lint_is_serial(cd->typeName, &t))
			lint_report(ls, rule, NULL, column_object(ls, relation, cd->colname), NULL,
						"Column %s is %s: a sequence with its own owner and privileges, which CREATE TABLE ... LIKE and most tools copy wrongly, and whose values a client can overwrite.",
						quote_identifier(cd->colname), strVal(llast(cd->typeName->names)));
	}
}

/*
 * report_column_type
 *		Report every column of the statement whose type (or array element
 *		type) is typid.
 */
static void
report_column_type(LintStmt *ls, const LintRule *rule, Oid typid,
				   const char *fmt)
{
	RangeVar   *relation;
	ListCell   *lc;

	foreach(lc, stmt_columns(ls, &relation))
	{
		ColumnDef  *cd = (ColumnDef *) lfirst(lc);
		int32		typmod;
		bool		serial;
		Oid			t = column_type(cd, &typmod, &serial);
		Oid			elem = OidIsValid(t) ? get_element_type(t) : InvalidOid;

		if (t != typid && elem != typid)
			continue;
		if (typid == VARCHAROID && typmod < 0)
			continue;			/* varchar without a limit is text */
		lint_report(ls, rule, NULL, column_object(ls, relation, cd->colname), NULL,
					fmt, quote_identifier(cd->colname), format_type_with_typemod(t, typmod));
	}
}

/*
 * check_char
 *		char(n) columns.
 */
static void
check_char(LintStmt *ls, const LintRule *rule)
{
	report_column_type(ls, rule, BPCHAROID,
					   "Column %s is %s: values are padded with blanks to the length, comparisons ignore trailing blanks, and it is no faster than text.");
}

/*
 * check_timestamp
 *		timestamp without time zone columns.
 */
static void
check_timestamp(LintStmt *ls, const LintRule *rule)
{
	report_column_type(ls, rule, TIMESTAMPOID,
					   "Column %s is %s: it stores wall-clock times with no zone, so values written from sessions in different time zones, or across DST changes, are ambiguous.");
}

/*
 * check_json
 *		json columns.
 */
static void
check_json(LintStmt *ls, const LintRule *rule)
{
	report_column_type(ls, rule, JSONOID,
					   "Column %s is %s: it has no equality operator (SELECT DISTINCT, UNION and GROUP BY over it fail), cannot be indexed with GIN, and is reparsed on every access.");
}

/*
 * check_varchar
 *		varchar(n) columns.
 */
static void
check_varchar(LintStmt *ls, const LintRule *rule)
{
	report_column_type(ls, rule, VARCHAROID,
					   "Column %s is %s: raising the limit later still takes an ACCESS EXCLUSIVE lock, and lowering it rewrites the table.");
}

/* ------------------------------------------------------------------------
 * Rules: everything else
 * ------------------------------------------------------------------------ */

/*
 * check_domain_with_constraint
 *		CREATE DOMAIN ... CHECK / NOT NULL.
 */
static void
check_domain_with_constraint(LintStmt *ls, const LintRule *rule)
{
	CreateDomainStmt *s;
	ListCell   *lc;

	if (ls->cmd != NULL || !IsA(ls->stmt, CreateDomainStmt))
		return;
	s = (CreateDomainStmt *) ls->stmt;
	foreach(lc, s->constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		if (c->contype == CONSTR_CHECK || c->contype == CONSTR_NOTNULL)
		{
			lint_report(ls, rule, NULL, mig_lint_qualified_name(s->domainname), NULL,
						"Creates domain %s with a %s constraint: changing it later (ALTER DOMAIN ... ADD CONSTRAINT) checks every column of the type in every table under SHARE locks, and dropping it cannot be done per table.",
						mig_lint_qualified_name(s->domainname),
						c->contype == CONSTR_CHECK ? "CHECK" : "NOT NULL");
			return;
		}
	}
}

/*
 * check_enum_value
 *		A value added to an enum type in the script cannot be used until the
 *		transaction commits (PostgreSQL 12+); before 12, ADD VALUE could not
 *		run in a transaction block at all.
 */
static void
check_enum_value(LintStmt *ls, const LintRule *rule)
{
	ListCell   *lc;
	List	   *strings;

	if (ls->cmd != NULL)
		return;
#if PG_VERSION_NUM < 120000
	if (IsA(ls->stmt, AlterEnumStmt) && ((AlterEnumStmt *) ls->stmt)->oldVal == NULL &&
		ls->state->options.in_transaction)
	{
		lint_report(ls, rule, NULL, mig_lint_qualified_name(((AlterEnumStmt *) ls->stmt)->typeName),
					"Run ALTER TYPE ... ADD VALUE by hand outside a transaction, then record the revision with mig_stamp().",
					"ALTER TYPE ... ADD VALUE cannot run inside a transaction block on PostgreSQL %d, and schemamig runs each revision in one: the migration fails.",
					PG_VERSION_NUM / 10000);
		return;
	}
#endif
	if (ls->state->enum_values == NIL || ls->text == NULL)
		return;
	strings = lint_tokens(ls->text, 's');
	foreach(lc, ls->state->enum_values)
	{
		LintEnumValue *ev = (LintEnumValue *) lfirst(lc);
		ListCell   *s;

		foreach(s, strings)
		{
			if (strcmp((char *) lfirst(s), ev->value) != 0)
				continue;
			lint_report(ls, rule, NULL, ev->type, NULL,
						"Uses '%s', which statement %d adds to enum type %s in the same transaction: a new enum value cannot be used before that transaction commits, so the statement fails with \"unsafe use of new value\".",
						ev->value, ev->statement, ev->type);
			break;
		}
	}
}

/*
 * check_identifier_length
 *		Identifiers longer than NAMEDATALEN - 1 bytes are silently truncated.
 */
static void
check_identifier_length(LintStmt *ls, const LintRule *rule)
{
	List	   *seen = NIL;
	ListCell   *lc;

	if (ls->cmd != NULL)
		return;
	foreach(lc, lint_tokens(ls->text, 'i'))
	{
		char	   *ident = (char *) lfirst(lc);
		int			len = strlen(ident);
		char	   *cut;
		ListCell   *s;
		bool		dup = false;

		if (len < NAMEDATALEN)
			continue;
		foreach(s, seen)
			if (strcmp((char *) lfirst(s), ident) == 0)
				dup = true;
		if (dup)
			continue;
		seen = lappend(seen, ident);
		cut = pstrdup(ident);
		truncate_identifier(cut, len, false);
		lint_report(ls, rule, NULL, quote_identifier(cut), NULL,
					"The identifier \"%s\" is %d bytes long; PostgreSQL truncates identifiers to %d bytes, so it becomes \"%s\" (two names that differ only after that point collide).",
					ident, len, NAMEDATALEN - 1, cut);
	}
}

/*
 * check_index_columns
 *		A non-unique index over more than three columns.
 */
static void
check_index_columns(LintStmt *ls, const LintRule *rule)
{
	IndexStmt  *s;

	if (ls->cmd != NULL || !IsA(ls->stmt, IndexStmt))
		return;
	s = (IndexStmt *) ls->stmt;
	if (s->unique || s->primary || s->isconstraint ||
		list_length(s->indexParams) <= 3)
		return;
	lint_report(ls, rule, NULL,
				s->idxname ? mig_lint_object_name(s->relation->schemaname, s->idxname) :
				lint_rel(ls, s->relation)->name, NULL,
				"Creates a non-unique index over %d columns: its later columns rarely narrow a search, while they make the index larger and every write slower.",
				list_length(s->indexParams));
}

/* ------------------------------------------------------------------------
 * The catalogue
 * ------------------------------------------------------------------------ */

const LintRule lint_rules[] = {
	/* adding columns */
	{"adding-column-with-volatile-default", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "rewrite",
		"ADD COLUMN with a volatile DEFAULT (random(), clock_timestamp(), gen_random_uuid(), nextval(), serial); constant and stable defaults are stored in the catalog (PostgreSQL 11+) and pass",
		"Add the column without a default, then ALTER COLUMN ... SET DEFAULT (applies to new rows only), then fill existing rows in batches.",
	check_volatile_default},
	{"adding-generated-column", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "rewrite",
		"ADD COLUMN ... GENERATED ALWAYS AS (...) STORED or GENERATED ... AS IDENTITY on an existing table",
		"Add a plain nullable column, fill it in batches (and keep it filled with a trigger), then make it NOT NULL safely; attach an identity with ALTER COLUMN ... ADD GENERATED ... AS IDENTITY once it is NOT NULL.",
	check_generated_column},
	{"adding-required-column", MIG_LINT_ERROR, 0, "locks",
		"ACCESS EXCLUSIVE", "fails on a non-empty table",
		"ADD COLUMN ... NOT NULL (or PRIMARY KEY) without a DEFAULT on an existing table; info when the table is empty now",
		"Add the column with a constant DEFAULT (no rewrite on PostgreSQL 11+), or add it nullable, backfill, then make it NOT NULL safely.",
	check_required_column},

	/* changing columns */
	{"changing-column-type", MIG_LINT_ERROR, LINT_GATED, "types",
		"ACCESS EXCLUSIVE", "rewrite and index rebuild",
		"ALTER COLUMN ... TYPE that rewrites the table, judged by the server's own coercion logic: binary-coercible casts, varchar(n) to a larger n or to text, numeric precision increases at the same scale, and timestamp <-> timestamptz when the session TimeZone is UTC pass",
		"Add a new column of the new type, write to both, backfill in batches, switch readers, then drop the old column.",
	check_column_type},
	{"changing-indexed-column-type", MIG_LINT_WARNING, LINT_GATED, "types",
		"ACCESS EXCLUSIVE", "index rebuild",
		"ALTER COLUMN ... TYPE without a table rewrite that still rebuilds an index on the column (its operator class or collation changes, or an expression or predicate uses the column)",
		"Build the replacement index CONCURRENTLY first where possible, or run the change when the table is quiet with a short lock_timeout.",
	check_indexed_column_type},
	{"setting-not-null", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "scan",
		"ALTER COLUMN ... SET NOT NULL on an existing table, unless a validated CHECK constraint already proves the column NOT NULL (then the server skips the scan)",
		"Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes continue), then SET NOT NULL, which uses the validated constraint and skips the scan, and drop the CHECK.",
	check_set_not_null},

	/* constraints */
	{"adding-check-constraint", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "scan",
		"ADD CONSTRAINT ... CHECK without NOT VALID (or ADD COLUMN with a CHECK) on an existing table",
		"Add it NOT VALID (brief lock; new rows are checked), then VALIDATE CONSTRAINT in a later migration, which takes only SHARE UPDATE EXCLUSIVE.",
	check_check_constraint},
	{"adding-foreign-key-constraint", MIG_LINT_ERROR, LINT_GATED, "locks",
		"SHARE ROW EXCLUSIVE on both tables", "scan",
		"ADD FOREIGN KEY without NOT VALID (or ADD COLUMN ... REFERENCES) on an existing table",
		"Add it NOT VALID (brief lock), then VALIDATE CONSTRAINT in a later migration (SHARE UPDATE EXCLUSIVE on the table, ROW SHARE on the referenced one).",
	check_foreign_key},
	{"adding-unique-constraint", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "index build",
		"ADD UNIQUE or ADD PRIMARY KEY without USING INDEX (or ADD COLUMN ... UNIQUE / PRIMARY KEY) on an existing table",
		"CREATE UNIQUE INDEX CONCURRENTLY first (outside a transaction), then ADD CONSTRAINT ... UNIQUE USING INDEX (or PRIMARY KEY USING INDEX), which is instant.",
	check_unique_constraint},
	{"adding-exclusion-constraint", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "index build and scan",
		"ADD CONSTRAINT ... EXCLUDE on an existing table",
		"There is no concurrent way: add exclusion constraints when the table is created or small, or in a maintenance window with a short lock_timeout.",
	check_exclusion_constraint},
	{"validate-constraint-in-same-transaction", MIG_LINT_WARNING, LINT_GATED, "locks",
		"the ADD CONSTRAINT's lock, held", "scan",
		"VALIDATE CONSTRAINT of a constraint added NOT VALID earlier in the same script: the ADD's lock is still held during the scan",
		"Validate it in a later migration: a separate transaction (a later deploy, or a later revision run with CALL mig_upgrade_proc()).",
	check_validate_same_transaction},

	/* indexes, partitions, maintenance */
	{"require-concurrent-index-creation", MIG_LINT_ERROR, LINT_GATED, "locks",
		"SHARE", "index build",
		"CREATE INDEX without CONCURRENTLY on an existing table",
		"CREATE INDEX CONCURRENTLY (reads and writes continue). It cannot run in a transaction: give it a revision of its own and run that SQL outside one, then mig_stamp().",
	check_index_creation},
	{"require-concurrent-index-deletion", MIG_LINT_WARNING, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "-",
		"DROP INDEX without CONCURRENTLY on an existing table",
		"DROP INDEX CONCURRENTLY, in a revision of its own run outside a transaction.",
	check_index_deletion},
	{"require-concurrent-reindex", MIG_LINT_ERROR, LINT_GATED, "locks",
		"SHARE on the table, ACCESS EXCLUSIVE on the index", "index build",
		"REINDEX INDEX or REINDEX TABLE without CONCURRENTLY",
		"REINDEX ... CONCURRENTLY, outside a transaction.",
	check_reindex},
	{"require-concurrent-partition-detach", MIG_LINT_WARNING, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE on the parent and the partition", "-",
		"ALTER TABLE ... DETACH PARTITION without CONCURRENTLY",
		"DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+, outside a transaction), which takes only SHARE UPDATE EXCLUSIVE on the parent.",
	check_partition_detach},
	{"attach-partition-without-check", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE on the partition, SHARE UPDATE EXCLUSIVE on the parent", "scan",
		"ATTACH PARTITION of an existing table that has no valid CHECK constraint implying the partition bound (judged with the server's own implication test)",
		"Before attaching, ADD CONSTRAINT ... CHECK (<the bound>, with the key columns IS NOT NULL unless they are NOT NULL) NOT VALID and VALIDATE it; ATTACH PARTITION then skips the scan, and the CHECK can be dropped afterwards.",
	check_attach_partition},
	{"vacuum-full", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "rewrite",
		"VACUUM FULL",
		"Use pg_repack or pg_squeeze, which rebuild a table online; plain VACUUM needs no strong lock.",
	check_vacuum_full},
	{"cluster", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "rewrite",
		"CLUSTER",
		"Use pg_repack (--order-by reorders a table online).",
	check_cluster},
	{"set-tablespace", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "copy of the files",
		"ALTER TABLE / ALTER INDEX ... SET TABLESPACE, ALTER TABLE ALL IN TABLESPACE",
		"Build a new index CONCURRENTLY in the target tablespace and drop the old one, or move tables online with pg_repack --tablespace.",
	check_set_tablespace},
	{"set-logged-unlogged", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "rewrite (SET LOGGED also writes the table to the WAL)",
		"ALTER TABLE ... SET LOGGED / SET UNLOGGED",
		"Choose the persistence when creating the table; to change it on a large table, create a new table and copy in batches.",
	check_set_logged},
	{"set-access-method", MIG_LINT_ERROR, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "rewrite",
		"ALTER TABLE ... SET ACCESS METHOD (PostgreSQL 15+)",
		"Create a new table with the access method and copy in batches, or change it while the table is small.",
	check_set_access_method},
	{"refresh-materialized-view", MIG_LINT_WARNING, LINT_GATED, "locks",
		"ACCESS EXCLUSIVE", "rebuild",
		"REFRESH MATERIALIZED VIEW without CONCURRENTLY",
		"REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view), which keeps it readable.",
	check_refresh_matview},
	{"adding-domain-constraint", MIG_LINT_ERROR, 0, "locks",
		"SHARE on every table using the domain", "scan",
		"ALTER DOMAIN ... ADD CONSTRAINT without NOT VALID, ALTER DOMAIN ... SET NOT NULL",
		"ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID, then ALTER DOMAIN ... VALIDATE CONSTRAINT in a later migration.",
	check_domain_constraint},
	{"backfill-in-transaction", MIG_LINT_WARNING, LINT_GATED, "locks",
		"ROW EXCLUSIVE, plus the locks earlier statements hold", "every row updated",
		"UPDATE or DELETE without WHERE of an existing table, or any UPDATE or DELETE of a table an earlier statement of the script locked SHARE or stronger",
		"Backfill in batches (by key range), outside the transaction that changes the schema: a later revision run with CALL mig_upgrade_proc(), or a background job.",
	check_backfill},
	{"missing-lock-timeout", MIG_LINT_WARNING, 0, "locks",
		"SHARE or stronger", "-",
		"the first statement taking a lock that blocks writes on an existing table, when no lock_timeout is in force (SET lock_timeout earlier in the script, the session's lock_timeout, or schemamig's runner)",
		"Start the script with SET lock_timeout = '2s' (SET LOCAL works too) and retry when it expires.",
	check_missing_lock_timeout},
	{"missing-statement-timeout", MIG_LINT_INFO, 0, "locks",
		"SHARE or stronger", "-",
		"the first statement taking a lock that blocks writes on an existing table, when no statement timeout is in force (schemamig.statement_timeout, which the runner arms for each statement, also when the script SETs it; the session's statement_timeout or transaction_timeout; out of band, SET statement_timeout earlier in the transaction)",
		"SET schemamig.statement_timeout = '5min' (in the session, or at the top of the revision) to bound each statement and so how long it holds its lock; out of band, SET statement_timeout.",
	check_missing_statement_timeout},
	{"concurrently-in-transaction", MIG_LINT_ERROR, 0, "locks",
		"-", "fails",
		"CREATE INDEX / DROP INDEX / REINDEX / DETACH PARTITION ... CONCURRENTLY, which cannot run in the transaction schemamig runs each revision in",
		"Put it in a revision of its own and run that SQL by hand outside a transaction, then record the revision with mig_stamp().",
	check_concurrently_in_transaction},
	{"non-transactional-statement", MIG_LINT_ERROR, 0, "misc",
		"-", "fails",
		"VACUUM, CREATE/DROP DATABASE, CREATE/DROP TABLESPACE, ALTER SYSTEM, database-wide REINDEX and CLUSTER, subscriptions: statements that cannot run in a transaction",
		"Run it by hand outside a transaction (it is not a schema migration), or in a revision of its own recorded with mig_stamp().",
	check_non_transactional},

	/* destructive and incompatible changes */
	{"dropping-table", MIG_LINT_WARNING, 0, "destructive",
		"ACCESS EXCLUSIVE", "data loss",
		"DROP TABLE of a table that exists outside the script",
		"Stop using the table in the application and deploy that first; keep a backup, or rename it aside and drop it in a later migration.",
	check_drop_table},
	{"dropping-column", MIG_LINT_WARNING, 0, "destructive",
		"ACCESS EXCLUSIVE", "data loss",
		"ALTER TABLE ... DROP COLUMN",
		"Stop reading and writing the column in the application (e.g. ignore it in the ORM) and deploy that first, then drop it.",
	check_drop_column},
	{"dropping-schema", MIG_LINT_WARNING, 0, "destructive",
		"ACCESS EXCLUSIVE on its objects", "data loss",
		"DROP SCHEMA",
		"Make sure nothing uses the schema any more; drop its objects explicitly rather than with CASCADE.",
	check_drop_schema},
	{"dropping-not-null", MIG_LINT_WARNING, 0, "destructive",
		"ACCESS EXCLUSIVE", "-",
		"ALTER COLUMN ... DROP NOT NULL",
		"Make sure every client handles NULL in the column before dropping NOT NULL.",
	check_drop_not_null},
	{"renaming-table", MIG_LINT_WARNING, 0, "destructive",
		"ACCESS EXCLUSIVE", "-",
		"ALTER TABLE ... RENAME TO",
		"Expand and contract: create the new table (or a view under the new name), write to both, backfill, switch readers, then drop the old name.",
	check_rename_table},
	{"renaming-column", MIG_LINT_WARNING, 0, "destructive",
		"ACCESS EXCLUSIVE", "-",
		"ALTER TABLE ... RENAME COLUMN",
		"Expand and contract: add the new column, write to both, backfill, switch readers, then drop the old column.",
	check_rename_column},
	{"truncate-cascade", MIG_LINT_ERROR, 0, "destructive",
		"ACCESS EXCLUSIVE on every table reached", "data loss",
		"TRUNCATE ... CASCADE",
		"Name every table to empty explicitly, without CASCADE.",
	check_truncate_cascade},
	{"truncating-table", MIG_LINT_WARNING, 0, "destructive",
		"ACCESS EXCLUSIVE", "data loss",
		"TRUNCATE of a table that exists outside the script",
		"Make sure the data is really disposable; to empty a large hot table, DELETE in batches instead.",
	check_truncate},
	{"transaction-control", MIG_LINT_ERROR, 0, "misc",
		"-", "refused",
		"BEGIN, COMMIT, ROLLBACK, SAVEPOINT ... in a migration",
		"Remove it; schemamig commits or rolls back each migration itself (CALL mig_upgrade_proc() commits after each revision).",
	check_transaction_control},

	/* types */
	{"prefer-bigint-primary-key", MIG_LINT_WARNING, 0, "types",
		"-", "-",
		"a primary key column of type integer, smallint, serial or smallserial",
		"Use bigint, ideally bigint GENERATED ALWAYS AS IDENTITY.",
	check_int_primary_key},
	{"prefer-identity", MIG_LINT_INFO, 0, "types",
		"-", "-",
		"serial, bigserial or smallserial columns",
		"Use bigint GENERATED ALWAYS AS IDENTITY (or BY DEFAULT).",
	check_serial},
	{"prefer-text-over-char", MIG_LINT_WARNING, 0, "types",
		"-", "-",
		"char(n) / character(n) columns",
		"Use text (with a CHECK on length(...) if a limit is needed).",
	check_char},
	{"prefer-timestamptz", MIG_LINT_WARNING, 0, "types",
		"-", "-",
		"timestamp without time zone columns",
		"Use timestamptz (timestamp with time zone).",
	check_timestamp},
	{"prefer-jsonb", MIG_LINT_WARNING, 0, "types",
		"-", "-",
		"json columns",
		"Use jsonb.",
	check_json},
	{"prefer-text-field", MIG_LINT_INFO, 0, "types",
		"-", "-",
		"varchar(n) columns",
		"Use text with a CHECK (length(col) <= n) constraint, which can be replaced NOT VALID without a long lock.",
	check_varchar},

	/* everything else */
	{"creating-domain-with-constraint", MIG_LINT_WARNING, 0, "misc",
		"-", "-",
		"CREATE DOMAIN with a CHECK or NOT NULL constraint",
		"Put CHECK constraints on the table columns instead: they can be added NOT VALID and validated online, table by table.",
	check_domain_with_constraint},
	{"adding-enum-value", MIG_LINT_ERROR, 0, "misc",
		"-", "fails",
		"a value added with ALTER TYPE ... ADD VALUE used later in the same transaction (server version aware: before PostgreSQL 12 ADD VALUE itself could not run in a transaction)",
		"Add the value in a revision of its own, committed before the revisions that use it (CALL mig_upgrade_proc() commits after each revision).",
	check_enum_value},
	{"identifier-too-long", MIG_LINT_WARNING, 0, "misc",
		"-", "-",
		"identifiers longer than 63 bytes, which the server truncates",
		"Use a name of at most 63 bytes.",
	check_identifier_length},
	{"index-too-many-columns", MIG_LINT_INFO, 0, "misc",
		"-", "-",
		"a non-unique index over more than three columns",
		"Lead with the most selective columns and keep non-unique indexes to three columns or fewer.",
	check_index_columns},
	{"invalid-suppression", MIG_LINT_WARNING, 0, "misc",
		"-", "-",
		"a schemamig:ignore or schemamig:ignore-file comment naming something that is not a rule",
		"Name rules by their id, as mig_lint() reports them (see mig_lint_rules()).",
	NULL},
};

const int	lint_nrules = lengthof(lint_rules);
