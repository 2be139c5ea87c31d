/*-------------------------------------------------------------------------
 *
 * report.c
 *	  The migration report: mig_report(), the Markdown a DBA hands to a
 *	  change board for one revision (title block, changes, safety analysis,
 *	  testing results, deployment plan, risk), in the shape of
 *	  ../shared/docs/report-template.md; and mig_report_plan(), one report
 *	  over every revision a deployment to a target runs.
 *
 * Everything in the report comes from the server itself, never from running
 * the revision: the changes from walking the raw parse trees of its SQL
 * (sqltext_split), the locks, lint findings and the work each finding
 * stands for from the linter (mig_lint_revision), the live size and row
 * estimate of every table a statement locks (mig_lint_relation_size, which
 * never waits for a lock), the state from the revision graph and the
 * version table.  Only with verify => true does the revision's SQL run:
 * inside mig_verify_target()'s round trip, which is always rolled back.
 *
 * The output is deterministic for a given catalog and data: no timings
 * unless the round trip ran.
 *
 * IDENTIFICATION
 *	  src/report.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>

#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "storage/lockdefs.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "graph.h"
#include "hook.h"
#include "lint.h"
#include "registry.h"
#include "report.h"
#include "runner.h"
#include "schemamig.h"
#include "sqltext.h"
#include "verify.h"

PG_FUNCTION_INFO_V1(mig_report);
PG_FUNCTION_INFO_V1(mig_report_plan);

/* GUC variable (report.h) */
int			mig_report_rewrite_rate = 100;

/* The groups of the Changes section, in the template's order. */
typedef enum ChangeGroup
{
	CG_TABLES,
	CG_COLUMNS,
	CG_INDEXES,
	CG_FOREIGN_KEYS,
	CG_OTHER,
	CG_DATA,
	CG_NGROUPS
} ChangeGroup;

static const char *const group_titles[CG_NGROUPS] = {
	"Tables", "Columns", "Indexes", "Foreign keys", "Other objects",
	"Data changes"
};

/* How a change line is marked. */
typedef enum ChangeKind
{
	CK_ADDED,
	CK_MODIFIED,
	CK_REMOVED
} ChangeKind;

static const char *const kind_names[] = {"added", "modified", "removed"};

/* One line of the Changes section. */
typedef struct ReportChange
{
	ChangeGroup group;
	ChangeKind	kind;
	int			statement;
	char	   *text;			/* Markdown, without the marker */
} ReportChange;

/* A constraint added earlier in the revision, to group later commands. */
typedef struct AddedConstraint
{
	char	   *table;
	char	   *name;
	ChangeGroup group;
} AddedConstraint;

/* One statement that destroys data, for the data-loss list. */
typedef struct ReportLoss
{
	int			statement;
	char	   *text;			/* Markdown: what is destroyed */
	Oid			relid;			/* the table whose data it is, if known */
} ReportLoss;

/*
 * The walk over a revision's statements: what it changes, what it destroys,
 * and what cannot run.
 */
typedef struct ReportWalk
{
	const char *sql;			/* the upgrade SQL: node locations index it */
	MigStatement *st;			/* the statement being walked */
	List	   *changes;		/* ReportChange */
	List	   *losses;			/* ReportLoss */
	List	   *cannot_run;		/* char *: why a statement cannot run */
	List	   *created;		/* char *: relations created so far */
	List	   *constraints;	/* AddedConstraint */
	List	   *nontx;			/* int: statements that cannot run in a
								 * transaction block */
	List	   *unestimated;	/* char *: data changes whose work depends on
								 * the rows they match */
	List	   *filtered;		/* int: UPDATE/DELETE statements with WHERE */
	List	   *row_changes;	/* char *: UPDATE/DELETE of some rows of an
								 * existing table */
	int			nremovals;		/* objects removed (any kind) */
} ReportWalk;

/* The live size of a relation, read once per report. */
typedef struct ReportSize
{
	Oid			relid;
	MigRelSize	size;
} ReportSize;

/* Table work a lint finding stands for, for the duration estimate. */
typedef struct ReportWork
{
	int			statement;
	MigLintLock *lock;			/* the table and the lock held on it */
	MigLintWork work;
	MigRelSize *size;
	double		seconds;
} ReportWork;

/* Everything one report says, gathered before any of it is written. */
typedef struct Report
{
	MigRevisionRow *row;		/* the revision */
	bool		applied;
	char	   *applied_at;		/* last upgrade, when applied */
	char	   *applied_by;
	char	  **before;			/* pending revisions an upgrade to it runs
								 * first, in order */
	int			nbefore;
	int			nup;			/* statements of the upgrade and downgrade */
	int			ndown;
	ReportWalk	walk;
	List	   *findings;		/* MigLintFinding, suppressed ones kept */
	List	   *locks;			/* MigLintLock */
	List	   *sizes;			/* ReportSize */
	List	   *work;			/* ReportWork */
	List	   *unestimated;	/* char * */
	double		total_seconds;
	bool		verify;			/* the round trip was asked for */
	bool		in_plan;		/* one revision of mig_report_plan() */
	MigVerifyResult *verified;	/* its result, when it ran */
	int			nerrors;		/* unsuppressed lint findings */
	int			nwarnings;
	List	   *blocked;		/* char *: why it cannot run as it is */
	List	   *high;			/* char *: reasons for HIGH */
	List	   *medium;			/* char *: reasons for MEDIUM */
} Report;

/*
 * mig_report_init
 *		Define schemamig.report_rewrite_rate; called from _PG_init.
 */
void
mig_report_init(void)
{
	DefineCustomIntVariable("schemamig.report_rewrite_rate",
							"Rate, in MB/s, at which mig_report() assumes table data is read or written.",
							"Used to estimate how long statements that rewrite, scan or index a "
							"table take, from the table's live size.",
							&mig_report_rewrite_rate,
							100, 1, INT_MAX / 1024,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
}

/* ------------------------------------------------------------------------
 * Markdown helpers
 * ------------------------------------------------------------------------ */

/*
 * md_code
 *		s as inline code: in backticks, with a longer fence when s itself
 *		contains one, and newlines folded (inline code is one line).
 */
static char *
md_code(const char *s)
{
	StringInfoData buf;
	bool		tick = strchr(s, '`') != NULL;

	initStringInfo(&buf);
	appendStringInfoString(&buf, tick ? "`` " : "`");
	for (const char *p = s; *p; p++)
	{
		if (*p == '\n' || *p == '\r' || *p == '\t')
		{
			/* one blank for a run of whitespace */
			if (buf.len > 0 && buf.data[buf.len - 1] != ' ')
				appendStringInfoChar(&buf, ' ');
		}
		else
			appendStringInfoChar(&buf, *p);
	}
	appendStringInfoString(&buf, tick ? " ``" : "`");
	return buf.data;
}

/*
 * md_cell
 *		s for a Markdown table cell: pipes escaped, newlines folded.
 */
static char *
md_cell(const char *s)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (const char *p = s; *p; p++)
	{
		if (*p == '|')
			appendStringInfoString(&buf, "\\|");
		else if (*p == '\n' || *p == '\r')
			appendStringInfoChar(&buf, ' ');
		else
			appendStringInfoChar(&buf, *p);
	}
	return buf.data;
}

/*
 * code_list
 *		"`a`, `b`" from an array of strings; "none" when empty.
 */
static char *
code_list(char **items, int n)
{
	StringInfoData buf;

	if (n == 0)
		return pstrdup("none");
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", md_code(items[i]));
	return buf.data;
}

/*
 * duration_text
 *		An estimated duration in seconds, rounded as an estimate deserves.
 */
static char *
duration_text(double seconds)
{
	if (seconds < 1.0)
		return pstrdup("under 1 s");
	if (seconds < 60.0)
		return psprintf("about %.0f s", seconds);
	if (seconds < 3600.0)
		return psprintf("about %.0f min", ceil(seconds / 60.0));
	return psprintf("about %.0f h %.0f min", floor(seconds / 3600.0),
					ceil(fmod(seconds, 3600.0) / 60.0));
}

/*
 * rows_text
 *		The planner's row estimate as the report prints it.
 */
static char *
rows_text(double rows)
{
	if (rows < 0)
		return pstrdup("unknown (never analyzed)");
	return psprintf("%.0f", rows);
}

/* ------------------------------------------------------------------------
 * The walk over the parse trees: recording
 * ------------------------------------------------------------------------ */

/*
 * add_change
 *		Record one line of the Changes section for the current statement.
 */
static void
add_change(ReportWalk *w, ChangeGroup group, ChangeKind kind,
		   const char *fmt,...)
pg_attribute_printf(4, 5);

static void
add_change(ReportWalk *w, ChangeGroup group, ChangeKind kind,
		   const char *fmt,...)
{
	ReportChange *c = palloc(sizeof(ReportChange));
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	c->group = group;
	c->kind = kind;
	c->statement = w->st->number;
	c->text = buf.data;
	w->changes = lappend(w->changes, c);
}

/*
 * add_loss
 *		Record that the current statement destroys data (of relid, when the
 *		catalog knows the table).
 */
static void
add_loss(ReportWalk *w, Oid relid, const char *fmt,...)
pg_attribute_printf(3, 4);

static void
add_loss(ReportWalk *w, Oid relid, const char *fmt,...)
{
	ReportLoss *l = palloc(sizeof(ReportLoss));
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	l->statement = w->st->number;
	l->text = buf.data;
	l->relid = relid;
	w->losses = lappend(w->losses, l);
}

/*
 * rel_name
 *		The qualified name of a relation a statement names (where it will be
 *		created when the catalog does not know it), and whether it is new:
 *		created earlier in this revision, or not in the catalog at all.
 */
static char *
rel_name(ReportWalk *w, RangeVar *rv, Oid *relid, bool *created)
{
	char	   *name = mig_lint_relation_name(rv, relid);
	ListCell   *lc;

	*created = false;
	foreach(lc, w->created)
	{
		if (strcmp((char *) lfirst(lc), name) == 0)
		{
			*created = true;
			*relid = InvalidOid;
			break;
		}
	}
	return name;
}

/*
 * note_created
 *		Remember a relation the revision creates: later statements on it
 *		touch a new, empty table that nobody else sees yet.
 */
static void
note_created(ReportWalk *w, const char *name)
{
	w->created = lappend(w->created, pstrdup(name));
}

/*
 * expr_text
 *		The source text of a raw expression, as the revision wrote it.  The
 *		raw tree knows where the expression's leftmost token is, not where
 *		it ends; the scanner cuts it (sqltext_expr_text).  An opening
 *		parenthesis right before that token belongs to the expression
 *		(DEFAULT (a + b) * 2) when a keyword precedes the expression
 *		(after_keyword); elsewhere (an index column list) a parenthesis
 *		before it can be the syntax's own, and is left out.
 */
static char *
expr_text(ReportWalk *w, Node *expr, bool column_constraint, bool after_keyword)
{
	int			loc = expr ? exprLocation(expr) : -1;
	char	   *text = NULL;

	if (loc >= 0)
	{
		int			start = loc;
		int			p = loc - 1;

		while (after_keyword && p >= 0 && (w->sql[p] == '(' || isspace((unsigned char) w->sql[p])))
		{
			if (w->sql[p] == '(')
				start = p;
			p--;
		}
		text = sqltext_expr_text(w->sql, start, false, column_constraint);
	}
	return text ? text : pstrdup("(expression)");
}

/*
 * statement_clause
 *		The text of the current statement after keyword kw (lower case)
 *		outside parentheses: an index predicate, a WHERE condition.
 */
static char *
statement_clause(ReportWalk *w, const char *kw)
{
	return sqltext_clause_text(w->sql, w->st->location,
							   w->st->location + w->st->length, kw);
}

/*
 * objtype_name
 *		An object type as the report names it ("table", "function").
 */
static const char *
objtype_name(ObjectType type)
{
	switch (type)
	{
		case OBJECT_TABLE:
			return "table";
		case OBJECT_INDEX:
			return "index";
		case OBJECT_SEQUENCE:
			return "sequence";
		case OBJECT_VIEW:
			return "view";
		case OBJECT_MATVIEW:
			return "materialized view";
		case OBJECT_FOREIGN_TABLE:
			return "foreign table";
		case OBJECT_COLUMN:
			return "column";
		case OBJECT_TYPE:
			return "type";
		case OBJECT_DOMAIN:
			return "domain";
		case OBJECT_FUNCTION:
			return "function";
		case OBJECT_PROCEDURE:
			return "procedure";
		case OBJECT_ROUTINE:
			return "routine";
		case OBJECT_AGGREGATE:
			return "aggregate";
		case OBJECT_SCHEMA:
			return "schema";
		case OBJECT_EXTENSION:
			return "extension";
		case OBJECT_TRIGGER:
			return "trigger";
		case OBJECT_POLICY:
			return "policy";
		case OBJECT_RULE:
			return "rule";
		case OBJECT_TABCONSTRAINT:
			return "constraint";
		case OBJECT_DOMCONSTRAINT:
			return "domain constraint";
		case OBJECT_COLLATION:
			return "collation";
		case OBJECT_CONVERSION:
			return "conversion";
		case OBJECT_OPERATOR:
			return "operator";
		case OBJECT_STATISTIC_EXT:
			return "statistics object";
		case OBJECT_PUBLICATION:
			return "publication";
		case OBJECT_EVENT_TRIGGER:
			return "event trigger";
		case OBJECT_LANGUAGE:
			return "language";
		case OBJECT_CAST:
			return "cast";
		case OBJECT_ROLE:
			return "role";
		case OBJECT_DATABASE:
			return "database";
		case OBJECT_TABLESPACE:
			return "tablespace";
		case OBJECT_FOREIGN_SERVER:
			return "server";
		case OBJECT_FDW:
			return "foreign-data wrapper";
		case OBJECT_LARGEOBJECT:
			return "large object";
		default:
			return "object";
	}
}

/*
 * object_text
 *		The name of an object as a DROP, COMMENT, GRANT or ALTER names it:
 *		relations qualified the linter's way, functions with their argument
 *		types, triggers, policies and rules with their table.
 */
static char *
object_text(ObjectType type, Node *object)
{
	if (object == NULL)
		return pstrdup("?");
	if (IsA(object, String))
		return pstrdup(quote_identifier(strVal(object)));
	if (IsA(object, TypeName))
		return TypeNameToString((TypeName *) object);
	if (IsA(object, ObjectWithArgs))
	{
		ObjectWithArgs *owa = (ObjectWithArgs *) object;
		char	   *name = NameListToQuotedString(owa->objname);

		if (owa->args_unspecified)
			return name;
		return psprintf("%s(%s)", name, TypeNameListToString(owa->objargs));
	}
	if (IsA(object, List))
	{
		List	   *names = (List *) object;

		if ((type == OBJECT_TRIGGER || type == OBJECT_POLICY ||
			 type == OBJECT_RULE || type == OBJECT_TABCONSTRAINT) &&
			list_length(names) >= 2)
			return psprintf("%s on %s", quote_identifier(strVal(llast(names))),
							mig_lint_qualified_name(list_truncate(list_copy(names),
																  list_length(names) - 1)));
		if (type == OBJECT_SCHEMA || type == OBJECT_EXTENSION ||
			type == OBJECT_ROLE || type == OBJECT_LANGUAGE)
			return NameListToQuotedString(names);
		return mig_lint_qualified_name(names);
	}
	return pstrdup("?");
}

/*
 * role_text
 *		A role as a GRANT or a policy names it.
 */
static char *
role_text(RoleSpec *r)
{
	switch (r->roletype)
	{
		case ROLESPEC_CSTRING:
			return pstrdup(quote_identifier(r->rolename));
		case ROLESPEC_CURRENT_ROLE:
			return pstrdup("CURRENT_ROLE");
		case ROLESPEC_CURRENT_USER:
			return pstrdup("CURRENT_USER");
		case ROLESPEC_SESSION_USER:
			return pstrdup("SESSION_USER");
		case ROLESPEC_PUBLIC:
			return pstrdup("PUBLIC");
	}
	return pstrdup("?");
}

/*
 * name_list_text
 *		"a, b" from a list of String nodes, each quoted as an identifier.
 */
static char *
name_list_text(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "",
						 quote_identifier(strVal(lfirst(lc))));
	return buf.data;
}

/* ------------------------------------------------------------------------
 * The walk: tables, columns and constraints
 * ------------------------------------------------------------------------ */

/*
 * fk_action_name
 *		A foreign key's referential action as SQL spells it.
 */
static const char *
fk_action_name(char action)
{
	switch (action)
	{
		case FKCONSTR_ACTION_RESTRICT:
			return "RESTRICT";
		case FKCONSTR_ACTION_CASCADE:
			return "CASCADE";
		case FKCONSTR_ACTION_SETNULL:
			return "SET NULL";
		case FKCONSTR_ACTION_SETDEFAULT:
			return "SET DEFAULT";
		default:
			return "NO ACTION";
	}
}

/*
 * constraint_group
 *		Where a constraint named by a later command (DROP, VALIDATE, RENAME)
 *		belongs: one added earlier in the revision, else the catalog's.
 */
static ChangeGroup
constraint_group(ReportWalk *w, Oid relid, const char *table, const char *name)
{
	ListCell   *lc;
	Oid			conoid;
	ChangeGroup group = CG_OTHER;

	foreach(lc, w->constraints)
	{
		AddedConstraint *ac = (AddedConstraint *) lfirst(lc);

		if (strcmp(ac->table, table) == 0 && strcmp(ac->name, name) == 0)
			return ac->group;
	}
	if (!OidIsValid(relid))
		return CG_OTHER;
	conoid = get_relation_constraint_oid(relid, name, true);
	if (OidIsValid(conoid))
	{
		HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));

		if (HeapTupleIsValid(tup))
		{
			char		contype = ((Form_pg_constraint) GETSTRUCT(tup))->contype;

			if (contype == CONSTRAINT_FOREIGN)
				group = CG_FOREIGN_KEYS;
			else if (contype == CONSTRAINT_PRIMARY || contype == CONSTRAINT_UNIQUE ||
					 contype == CONSTRAINT_EXCLUSION)
				group = CG_INDEXES;
			ReleaseSysCache(tup);
		}
	}
	return group;
}

/*
 * constraint_label
 *		"`name`: " before a constraint's line, or "" for an unnamed one.
 */
static char *
constraint_label(Constraint *c)
{
	if (c->conname == NULL)
		return pstrdup("");
	return psprintf("%s: ", md_code(quote_identifier(c->conname)));
}

/*
 * walk_constraint
 *		A table or column constraint added to table: foreign keys, keys and
 *		exclusion constraints (which build an index), CHECK constraints.
 *		NOT NULL, DEFAULT and the like are part of the column's own line.
 */
static void
walk_constraint(ReportWalk *w, const char *table, Constraint *c,
				const char *colname)
{
	char	   *cols = colname ? pstrdup(quote_identifier(colname)) : NULL;
	const char *notvalid = c->skip_validation ?
	", NOT VALID (existing rows are not checked)" : "";
	ChangeGroup group;

	switch (c->contype)
	{
		case CONSTR_FOREIGN:
			{
				Oid			pkrelid;
				char	   *ref = mig_lint_relation_name(c->pktable, &pkrelid);
				char	   *pkcols = c->pk_attrs ? name_list_text(c->pk_attrs) : NULL;

				if (cols == NULL)
					cols = name_list_text(c->fk_attrs);
				group = CG_FOREIGN_KEYS;
				add_change(w, group, CK_ADDED,
						   "%s%s (%s) → %s%s, ON DELETE %s%s%s%s",
						   constraint_label(c), md_code(table), cols,
						   md_code(ref),
						   pkcols ? psprintf(" (%s)", pkcols) : " (its primary key)",
						   fk_action_name(c->fk_del_action),
						   c->fk_upd_action != FKCONSTR_ACTION_NOACTION ?
						   psprintf(", ON UPDATE %s", fk_action_name(c->fk_upd_action)) : "",
						   c->deferrable ? ", deferrable" : "",
						   notvalid);
				break;
			}
		case CONSTR_PRIMARY:
		case CONSTR_UNIQUE:
			if (cols == NULL)
				cols = c->keys ? name_list_text(c->keys) : NULL;
			group = CG_INDEXES;
			add_change(w, group, CK_ADDED, "%s%s on %s%s%s%s",
					   constraint_label(c),
					   c->contype == CONSTR_PRIMARY ? "primary key" : "unique constraint",
					   md_code(table),
					   cols ? psprintf(" (%s)", cols) : "",
					   c->indexname ? psprintf(", using the existing index %s",
											   md_code(quote_identifier(c->indexname))) : "",
					   c->nulls_not_distinct ? ", NULLS NOT DISTINCT" : "");
			break;
		case CONSTR_EXCLUSION:
			group = CG_INDEXES;
			add_change(w, group, CK_ADDED, "%sexclusion constraint on %s",
					   constraint_label(c), md_code(table));
			break;
		case CONSTR_CHECK:
			{
				char	   *cond = sqltext_paren_text(w->sql, c->location);

				group = CG_OTHER;
				add_change(w, group, CK_ADDED, "%scheck constraint on %s: %s%s",
						   constraint_label(c), md_code(table),
						   md_code(cond ? cond : "(condition)"), notvalid);
				break;
			}
		default:
			return;
	}
	if (c->conname != NULL)
	{
		AddedConstraint *ac = palloc(sizeof(AddedConstraint));

		ac->table = pstrdup(table);
		ac->name = pstrdup(c->conname);
		ac->group = group;
		w->constraints = lappend(w->constraints, ac);
	}
}

/*
 * column_text
 *		A new column as the report describes it: type, nullability, default
 *		or generation, and the keys it belongs to (pk and unique: key
 *		columns of the table's own constraints).  Its foreign keys and CHECK
 *		constraints get lines of their own (walk_constraint).
 */
static char *
column_text(ReportWalk *w, const char *table, ColumnDef *cd, List *pk,
			List *unique)
{
	StringInfoData buf;
	bool		notnull = cd->is_not_null;
	bool		primary = false;
	bool		uniq = false;
	char	   *def = NULL;
	char	   *gen = NULL;
	ListCell   *lc;

	foreach(lc, cd->constraints)
	{
		Constraint *c = lfirst_node(Constraint, lc);

		switch (c->contype)
		{
			case CONSTR_NOTNULL:
				notnull = true;
				break;
			case CONSTR_PRIMARY:
				primary = notnull = true;
				break;
			case CONSTR_UNIQUE:
				uniq = true;
				break;
			case CONSTR_DEFAULT:
				def = expr_text(w, c->raw_expr, true, true);
				break;
			case CONSTR_IDENTITY:
				gen = psprintf("identity, GENERATED %s",
							   c->generated_when == ATTRIBUTE_IDENTITY_ALWAYS ?
							   "ALWAYS" : "BY DEFAULT");
				notnull = true;
				break;
			case CONSTR_GENERATED:
				{
					char	   *e = sqltext_paren_text(w->sql, c->location);

					gen = psprintf("generated from %s, STORED",
								   md_code(e ? e : "(expression)"));
					break;
				}
			default:
				break;
		}
	}
	foreach(lc, pk)
		if (strcmp(strVal(lfirst(lc)), cd->colname) == 0)
			primary = notnull = true;
	foreach(lc, unique)
		if (strcmp(strVal(lfirst(lc)), cd->colname) == 0)
			uniq = true;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s %s, %s",
					 md_code(psprintf("%s.%s", table, quote_identifier(cd->colname))),
					 md_code(mig_lint_type_text(cd->typeName)),
					 notnull ? "NOT NULL" : "nullable");
	if (def)
		appendStringInfo(&buf, ", default %s", md_code(def));
	if (gen)
		appendStringInfo(&buf, ", %s", gen);
	if (primary)
		appendStringInfoString(&buf, ", primary key");
	else if (uniq)
		appendStringInfoString(&buf, ", unique");
	return buf.data;
}

/*
 * walk_column_constraints
 *		The foreign keys, keys and CHECK constraints written on a column.
 */
static void
walk_column_constraints(ReportWalk *w, const char *table, ColumnDef *cd)
{
	ListCell   *lc;

	foreach(lc, cd->constraints)
		walk_constraint(w, table, lfirst_node(Constraint, lc), cd->colname);
}

/*
 * partition_strategy_name
 *		"list", "range" or "hash", as PARTITION BY was written: a string in
 *		the parse tree up to PostgreSQL 15, an enum from 16 on.
 */
static const char *
partition_strategy_name(PartitionSpec *spec)
{
#if PG_VERSION_NUM >= 160000
	switch (spec->strategy)
	{
		case PARTITION_STRATEGY_LIST:
			return "list";
		case PARTITION_STRATEGY_RANGE:
			return "range";
		case PARTITION_STRATEGY_HASH:
			return "hash";
	}
	return "?";
#else
	return spec->strategy;
#endif
}

/*
 * walk_create_table
 *		CREATE TABLE: the table, each column, and each constraint.
 */
static void
walk_create_table(ReportWalk *w, CreateStmt *s)
{
	Oid			relid;
	bool		created;
	char	   *table = rel_name(w, s->relation, &relid, &created);
	List	   *pk = NIL;
	List	   *unique = NIL;
	StringInfoData what;
	ListCell   *lc;

	initStringInfo(&what);
	appendStringInfoString(&what, md_code(table));
	if (s->inhRelations != NIL)
	{
		Oid			parent;

		appendStringInfo(&what, s->partbound ? ", a partition of %s" : ", inheriting from %s",
						 md_code(mig_lint_relation_name(linitial_node(RangeVar, s->inhRelations),
														&parent)));
	}
	if (s->partspec != NULL)
		appendStringInfo(&what, ", partitioned by %s",
						 partition_strategy_name(s->partspec));
	if (s->relation->relpersistence == RELPERSISTENCE_UNLOGGED)
		appendStringInfoString(&what, ", UNLOGGED");
	if (s->if_not_exists && OidIsValid(relid))
		appendStringInfoString(&what, " (IF NOT EXISTS, and it exists here: nothing happens)");
	add_change(w, CG_TABLES, CK_ADDED, "%s", what.data);
	note_created(w, table);

	/* key columns of table constraints, for the columns' lines */
	foreach(lc, s->tableElts)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		if (!IsA(c, Constraint))
			continue;
		if (c->contype == CONSTR_PRIMARY)
			pk = list_concat(pk, c->keys);
		else if (c->contype == CONSTR_UNIQUE)
			unique = list_concat(unique, c->keys);
	}
	foreach(lc, s->tableElts)
	{
		Node	   *elt = lfirst(lc);

		if (IsA(elt, ColumnDef))
		{
			add_change(w, CG_COLUMNS, CK_ADDED, "%s",
					   column_text(w, table, (ColumnDef *) elt, pk, unique));
			walk_column_constraints(w, table, (ColumnDef *) elt);
		}
		else if (IsA(elt, Constraint))
			walk_constraint(w, table, (Constraint *) elt, NULL);
		else if (IsA(elt, TableLikeClause))
		{
			Oid			like;

			add_change(w, CG_COLUMNS, CK_ADDED, "%s: the columns of %s (LIKE)",
					   md_code(table),
					   md_code(mig_lint_relation_name(((TableLikeClause *) elt)->relation,
													  &like)));
		}
	}
}

/*
 * numeric_narrower
 *		Does numeric typmod b keep fewer digits than a, before or after the
 *		point?
 */
static bool
numeric_narrower(int32 a, int32 b)
{
	int			aprec = ((a - VARHDRSZ) >> 16) & 0xffff;
	int			bprec = ((b - VARHDRSZ) >> 16) & 0xffff;
	int			ascale = (((a - VARHDRSZ) & 0x7ff) ^ 1024) - 1024;
	int			bscale = (((b - VARHDRSZ) & 0x7ff) ^ 1024) - 1024;

	return bscale < ascale || bprec - bscale < aprec - ascale;
}

/*
 * type_change
 *		ALTER COLUMN ... TYPE on an existing column: the old type into
 *		*oldtype (NULL when the catalog does not know the column), and
 *		whether the change narrows it: a type without an implicit cast from
 *		the old one (bigint to integer, timestamptz to date), or the same
 *		family with a smaller length, precision or scale.  Values that do not
 *		fit make the statement fail, or are rounded or truncated.
 */
static bool
type_change(Oid relid, const char *column, ColumnDef *cd, char **oldtype)
{
	AttrNumber	attnum;
	Oid			oldtyp;
	int32		oldmod;
	Oid			oldcoll;
	Oid			newtyp;
	int32		newmod = -1;

	*oldtype = NULL;
	if (!OidIsValid(relid))
		return false;
	attnum = get_attnum(relid, column);
	if (attnum == InvalidAttrNumber)
		return false;
	get_atttypetypmodcoll(relid, attnum, &oldtyp, &oldmod, &oldcoll);
	*oldtype = format_type_with_typemod(oldtyp, oldmod);
	newtyp = mig_lint_type_oid(cd->typeName, &newmod);
	if (!OidIsValid(newtyp))
		return true;			/* unknown: assume the worst */
	if (newtyp == oldtyp)
	{
		if (newmod < 0)
			return false;
		if (oldmod < 0)
			return true;
		if (oldtyp == NUMERICOID)
			return numeric_narrower(oldmod, newmod);
		return newmod < oldmod;
	}
	if (!can_coerce_type(1, &oldtyp, &newtyp, COERCION_IMPLICIT))
		return true;
	return newmod >= 0;
}

/*
 * using_is_plain
 *		Is a USING expression just the column, possibly cast (what ALTER
 *		COLUMN TYPE does without USING)?
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
		Node	   *last = llast(((ColumnRef *) expr)->fields);

		return IsA(last, String) && strcmp(strVal(last), column) == 0;
	}
	return false;
}

/*
 * walk_alter_column_type
 *		ALTER COLUMN ... TYPE: the old and new type, and whether values can
 *		be lost on the way.
 */
static void
walk_alter_column_type(ReportWalk *w, const char *table, Oid relid,
					   bool created, AlterTableCmd *cmd)
{
	ColumnDef  *cd = (ColumnDef *) cmd->def;
	char	   *col = md_code(psprintf("%s.%s", table, quote_identifier(cmd->name)));
	char	   *newtype = mig_lint_type_text(cd->typeName);
	char	   *oldtype;
	bool		narrows = type_change(relid, cmd->name, cd, &oldtype);
	bool		plain = using_is_plain(cd->raw_default, cmd->name);
	char	   *using = plain ? NULL : expr_text(w, cd->raw_default, false, true);

	add_change(w, CG_COLUMNS, CK_MODIFIED, "%s type %s%s%s",
			   col, oldtype ? psprintf("%s → ", md_code(oldtype)) : "",
			   md_code(newtype),
			   using ? psprintf(", converted with USING %s", md_code(using)) : "");
	if (created)
		return;
	if (!plain)
		add_loss(w, relid, "changes the type of %s to %s converting every value with USING %s: what the expression does not keep is lost",
				 col, md_code(newtype), md_code(using));
	else if (narrows && oldtype != NULL)
		add_loss(w, relid, "narrows %s from %s to %s: values that do not fit make the statement fail, or are rounded or truncated",
				 col, md_code(oldtype), md_code(newtype));
}

/*
 * column_command_text
 *		What an ALTER TABLE subcommand on a column does, or NULL when the
 *		subcommand is not about one column.
 */
static const char *
column_command_text(AlterTableCmd *cmd)
{
	switch (cmd->subtype)
	{
		case AT_DropNotNull:
			return "NOT NULL dropped: NULLs allowed";
		case AT_SetNotNull:
			return "set NOT NULL";
		case AT_DropExpression:
			return "generation expression dropped: a plain column now";
		case AT_SetStatistics:
			return "statistics target changed";
		case AT_SetOptions:
		case AT_ResetOptions:
			return "attribute options changed";
		case AT_SetStorage:
			return "storage changed";
		case AT_SetCompression:
			return "compression changed";
		case AT_AlterColumnGenericOptions:
			return "foreign-data options changed";
		case AT_AddIdentity:
			return "made an identity column";
		case AT_SetIdentity:
			return "identity options changed";
		case AT_DropIdentity:
			return "identity dropped";
		default:
			return NULL;
	}
}

/*
 * table_command_text
 *		What a table-level ALTER TABLE subcommand does (not columns and
 *		constraints, which walk_alter_table handles).
 */
static char *
table_command_text(AlterTableCmd *cmd)
{
	switch (cmd->subtype)
	{
		case AT_ChangeOwner:
			return psprintf("owner changed to %s", role_text(cmd->newowner));
		case AT_ClusterOn:
			return psprintf("clustered on index %s", quote_identifier(cmd->name));
		case AT_DropCluster:
			return pstrdup("cluster index dropped");
		case AT_SetLogged:
			return pstrdup("set LOGGED (the table is rewritten)");
		case AT_SetUnLogged:
			return pstrdup("set UNLOGGED (the table is rewritten; not crash-safe any more)");
		case AT_SetAccessMethod:
			return psprintf("access method set to %s (the table is rewritten)",
							quote_identifier(cmd->name));
		case AT_SetTableSpace:
			return psprintf("moved to tablespace %s (the files are copied)",
							quote_identifier(cmd->name));
		case AT_SetRelOptions:
		case AT_ResetRelOptions:
		case AT_ReplaceRelOptions:
			return pstrdup("storage parameters changed");
		case AT_EnableTrig:
		case AT_EnableAlwaysTrig:
		case AT_EnableReplicaTrig:
		case AT_EnableTrigAll:
		case AT_EnableTrigUser:
			return psprintf("trigger %s enabled", cmd->name ? quote_identifier(cmd->name) : "(all)");
		case AT_DisableTrig:
		case AT_DisableTrigAll:
		case AT_DisableTrigUser:
			return psprintf("trigger %s disabled", cmd->name ? quote_identifier(cmd->name) : "(all)");
		case AT_EnableRule:
		case AT_EnableAlwaysRule:
		case AT_EnableReplicaRule:
			return psprintf("rule %s enabled", quote_identifier(cmd->name));
		case AT_DisableRule:
			return psprintf("rule %s disabled", quote_identifier(cmd->name));
		case AT_AddInherit:
		case AT_DropInherit:
			{
				Oid			parent;

				return psprintf(cmd->subtype == AT_AddInherit ?
								"now inherits from %s" : "no longer inherits from %s",
								mig_lint_relation_name((RangeVar *) cmd->def, &parent));
			}
		case AT_AddOf:
			return pstrdup("made a typed table");
		case AT_DropOf:
			return pstrdup("no longer a typed table");
		case AT_ReplicaIdentity:
			return pstrdup("replica identity changed");
		case AT_EnableRowSecurity:
			return pstrdup("row level security enabled");
		case AT_DisableRowSecurity:
			return pstrdup("row level security disabled");
		case AT_ForceRowSecurity:
			return pstrdup("row level security forced for the owner");
		case AT_NoForceRowSecurity:
			return pstrdup("row level security no longer forced for the owner");
		case AT_GenericOptions:
			return pstrdup("foreign-data options changed");
		case AT_DetachPartitionFinalize:
			return psprintf("detaching partition %s finalized",
							((PartitionCmd *) cmd->def)->name->relname);
		default:
			return psprintf("ALTER subcommand %d", (int) cmd->subtype);
	}
}

/*
 * relation_group
 *		The Changes group of a relation of the given object type.
 */
static ChangeGroup
relation_group(ObjectType type)
{
	switch (type)
	{
		case OBJECT_TABLE:
		case OBJECT_FOREIGN_TABLE:
			return CG_TABLES;
		case OBJECT_INDEX:
			return CG_INDEXES;
		default:
			return CG_OTHER;
	}
}

/*
 * walk_alter_table
 *		ALTER TABLE (and ALTER INDEX, VIEW, SEQUENCE, TYPE ... through the
 *		same statement): one line per subcommand.
 */
static void
walk_alter_table(ReportWalk *w, AlterTableStmt *s)
{
	Oid			relid;
	bool		created;
	char	   *table = rel_name(w, s->relation, &relid, &created);
	ChangeGroup tgroup = relation_group(s->objtype);
	const char *prefix = tgroup == CG_OTHER ?
	psprintf("%s ", objtype_name(s->objtype)) : "";
	ListCell   *lc;

	foreach(lc, s->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		const char *coltext = column_command_text(cmd);
		char	   *col = cmd->name ?
		md_code(psprintf("%s.%s", table, quote_identifier(cmd->name))) : NULL;

		if (coltext != NULL && col != NULL)
		{
			add_change(w, CG_COLUMNS, CK_MODIFIED, "%s %s", col, coltext);
			continue;
		}
		switch (cmd->subtype)
		{
			case AT_AddColumn:
			case AT_AddColumnToView:
				add_change(w, CG_COLUMNS, CK_ADDED, "%s",
						   column_text(w, table, (ColumnDef *) cmd->def, NIL, NIL));
				walk_column_constraints(w, table, (ColumnDef *) cmd->def);
				break;
			case AT_ColumnDefault:
				if (cmd->def == NULL)
					add_change(w, CG_COLUMNS, CK_MODIFIED, "%s default dropped", col);
				else
					add_change(w, CG_COLUMNS, CK_MODIFIED,
							   "%s default set to %s (for rows inserted from now on)",
							   col, md_code(expr_text(w, cmd->def, false, true)));
				break;
			case AT_DropColumn:
				add_change(w, CG_COLUMNS, CK_REMOVED, "%s%s", col,
						   cmd->behavior == DROP_CASCADE ? " (CASCADE: dependent objects are dropped too)" : "");
				w->nremovals++;
				if (!created)
					add_loss(w, relid, "drops column %s: its values are lost", col);
				break;
			case AT_AlterColumnType:
				walk_alter_column_type(w, table, relid, created, cmd);
				break;
			case AT_AddConstraint:
				walk_constraint(w, table, (Constraint *) cmd->def, NULL);
				break;
			case AT_AlterConstraint:
				{
					Constraint *c = (Constraint *) cmd->def;

					add_change(w, constraint_group(w, relid, table, c->conname),
							   CK_MODIFIED, "constraint %s on %s: now %s",
							   md_code(quote_identifier(c->conname)), md_code(table),
							   c->deferrable ? (c->initdeferred ? "DEFERRABLE INITIALLY DEFERRED" :
												"DEFERRABLE") : "NOT DEFERRABLE");
					break;
				}
			case AT_ValidateConstraint:
				add_change(w, constraint_group(w, relid, table, cmd->name),
						   CK_MODIFIED, "constraint %s on %s validated (existing rows are checked)",
						   md_code(quote_identifier(cmd->name)), md_code(table));
				break;
			case AT_DropConstraint:
				add_change(w, constraint_group(w, relid, table, cmd->name),
						   CK_REMOVED, "constraint %s on %s%s",
						   md_code(quote_identifier(cmd->name)), md_code(table),
						   cmd->behavior == DROP_CASCADE ? " (CASCADE: dependent objects are dropped too)" : "");
				w->nremovals++;
				break;
			case AT_AttachPartition:
			case AT_DetachPartition:
				{
					PartitionCmd *pc = (PartitionCmd *) cmd->def;
					Oid			part;

					add_change(w, CG_TABLES, CK_MODIFIED, "%s: partition %s %s%s",
							   md_code(table),
							   md_code(mig_lint_relation_name(pc->name, &part)),
							   cmd->subtype == AT_AttachPartition ? "attached" : "detached",
							   pc->concurrent ? " CONCURRENTLY" : "");
					break;
				}
			default:
				add_change(w, tgroup, CK_MODIFIED, "%s%s: %s", prefix,
						   md_code(table), table_command_text(cmd));
				break;
		}
	}
}

/* ------------------------------------------------------------------------
 * The walk: indexes, drops, renames
 * ------------------------------------------------------------------------ */

/*
 * walk_index
 *		CREATE INDEX: name, table, columns, unique, partial (with its
 *		predicate as written), concurrently or not.
 */
static void
walk_index(ReportWalk *w, IndexStmt *s)
{
	Oid			relid;
	bool		created;
	char	   *table = rel_name(w, s->relation, &relid, &created);
	StringInfoData cols;
	StringInfoData what;
	ListCell   *lc;

	initStringInfo(&cols);
	foreach(lc, s->indexParams)
	{
		IndexElem  *e = lfirst_node(IndexElem, lc);

		if (cols.len > 0)
			appendStringInfoString(&cols, ", ");
		if (e->name)
			appendStringInfoString(&cols, quote_identifier(e->name));
		else
			appendStringInfoString(&cols, expr_text(w, e->expr, false, false));
		if (e->ordering == SORTBY_DESC)
			appendStringInfoString(&cols, " DESC");
	}

	initStringInfo(&what);
	appendStringInfo(&what, "%s%s on %s (%s)",
					 s->unique ? "unique index " : "index ",
					 s->idxname ? md_code(quote_identifier(s->idxname)) : "(unnamed)",
					 md_code(table), cols.data);
	if (s->accessMethod && strcmp(s->accessMethod, DEFAULT_INDEX_TYPE) != 0)
		appendStringInfo(&what, " USING %s", s->accessMethod);
	if (s->indexIncludingParams != NIL)
	{
		resetStringInfo(&cols);
		foreach(lc, s->indexIncludingParams)
		{
			IndexElem  *e = lfirst_node(IndexElem, lc);

			appendStringInfo(&cols, "%s%s", cols.len > 0 ? ", " : "",
							 e->name ? quote_identifier(e->name) : "(expression)");
		}
		appendStringInfo(&what, " INCLUDE (%s)", cols.data);
	}
	if (s->nulls_not_distinct)
		appendStringInfoString(&what, ", NULLS NOT DISTINCT");
	if (s->whereClause != NULL)
	{
		char	   *pred = statement_clause(w, "where");

		appendStringInfo(&what, ", partial: WHERE %s",
						 md_code(pred ? pred : "(predicate)"));
	}
	if (s->concurrent)
		appendStringInfoString(&what, ", built CONCURRENTLY (reads and writes continue)");
	else if (created)
		appendStringInfoString(&what, ", on a table new in this revision");
	else
		appendStringInfoString(&what, ", built under a SHARE lock (writes wait)");
	if (s->if_not_exists && s->idxname &&
		OidIsValid(get_relname_relid(s->idxname,
									 OidIsValid(relid) ? get_rel_namespace(relid) : InvalidOid)))
		appendStringInfoString(&what, " (IF NOT EXISTS, and it exists here: nothing happens)");
	add_change(w, CG_INDEXES, CK_ADDED, "%s", what.data);
}

/*
 * walk_drop
 *		DROP of any kind: one removal per object; tables with rows, schemas
 *		and types dropped with CASCADE lose data.
 */
static void
walk_drop(ReportWalk *w, DropStmt *s)
{
	ListCell   *lc;
	const char *cascade = s->behavior == DROP_CASCADE ?
	" (CASCADE: dependent objects are dropped too)" : "";

	foreach(lc, s->objects)
	{
		Node	   *obj = lfirst(lc);
		ObjectType	type = s->removeType;
		char	   *name;
		Oid			relid = InvalidOid;
		bool		created = false;
		bool		relation = (type == OBJECT_TABLE || type == OBJECT_INDEX ||
								type == OBJECT_VIEW || type == OBJECT_MATVIEW ||
								type == OBJECT_SEQUENCE || type == OBJECT_FOREIGN_TABLE);

		if (relation && IsA(obj, List))
			name = rel_name(w, makeRangeVarFromNameList((List *) obj), &relid, &created);
		else
			name = object_text(type, obj);
		w->nremovals++;
		switch (type)
		{
			case OBJECT_TABLE:
			case OBJECT_FOREIGN_TABLE:
				add_change(w, CG_TABLES, CK_REMOVED, "%s%s", md_code(name), cascade);
				if (type == OBJECT_TABLE && !created)
					add_loss(w, relid, "drops table %s: all its rows are lost", md_code(name));
				break;
			case OBJECT_INDEX:
				add_change(w, CG_INDEXES, CK_REMOVED, "index %s%s%s", md_code(name),
						   s->concurrent ? ", CONCURRENTLY" : "", cascade);
				break;
			case OBJECT_SCHEMA:
				add_change(w, CG_OTHER, CK_REMOVED, "schema %s%s", md_code(name), cascade);
				if (s->behavior == DROP_CASCADE)
					add_loss(w, InvalidOid, "drops schema %s with CASCADE: every table in it and its rows are lost",
							 md_code(name));
				break;
			case OBJECT_TYPE:
			case OBJECT_DOMAIN:
			case OBJECT_EXTENSION:
				add_change(w, CG_OTHER, CK_REMOVED, "%s %s%s", objtype_name(type),
						   md_code(name), cascade);
				if (s->behavior == DROP_CASCADE)
					add_loss(w, InvalidOid, "drops %s %s with CASCADE: columns of its types are dropped with their values",
							 objtype_name(type), md_code(name));
				break;
			default:
				add_change(w, CG_OTHER, CK_REMOVED, "%s %s%s", objtype_name(type),
						   md_code(name), cascade);
				break;
		}
	}
}

/*
 * walk_rename
 *		RENAME of any kind: tables, columns, indexes and constraints in
 *		their groups, everything else under other objects.
 */
static void
walk_rename(ReportWalk *w, RenameStmt *s)
{
	Oid			relid = InvalidOid;
	bool		created = false;
	char	   *table = s->relation ? rel_name(w, s->relation, &relid, &created) : NULL;
	char	   *to = md_code(quote_identifier(s->newname));

	switch (s->renameType)
	{
		case OBJECT_TABLE:
		case OBJECT_FOREIGN_TABLE:
			add_change(w, CG_TABLES, CK_MODIFIED, "%s renamed to %s", md_code(table), to);
			break;
		case OBJECT_INDEX:
			add_change(w, CG_INDEXES, CK_MODIFIED, "index %s renamed to %s", md_code(table), to);
			break;
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_SEQUENCE:
			add_change(w, CG_OTHER, CK_MODIFIED, "%s %s renamed to %s",
					   objtype_name(s->renameType), md_code(table), to);
			break;
		case OBJECT_COLUMN:
		case OBJECT_ATTRIBUTE:
			add_change(w, CG_COLUMNS, CK_MODIFIED, "%s renamed to %s",
					   md_code(psprintf("%s.%s", table, quote_identifier(s->subname))), to);
			break;
		case OBJECT_TABCONSTRAINT:
			add_change(w, constraint_group(w, relid, table, s->subname), CK_MODIFIED,
					   "constraint %s on %s renamed to %s",
					   md_code(quote_identifier(s->subname)), md_code(table), to);
			break;
		case OBJECT_TRIGGER:
		case OBJECT_POLICY:
		case OBJECT_RULE:
			add_change(w, CG_OTHER, CK_MODIFIED, "%s %s on %s renamed to %s",
					   objtype_name(s->renameType), md_code(quote_identifier(s->subname)),
					   md_code(table), to);
			break;
		default:
			add_change(w, CG_OTHER, CK_MODIFIED, "%s %s renamed to %s",
					   objtype_name(s->renameType),
					   md_code(table ? table : object_text(s->renameType, s->object)), to);
			break;
	}

	/* a relation created earlier keeps being new under its new name */
	if (created && table != NULL &&
		(s->renameType == OBJECT_TABLE || s->renameType == OBJECT_VIEW ||
		 s->renameType == OBJECT_SEQUENCE || s->renameType == OBJECT_INDEX))
		note_created(w, mig_lint_object_name(s->relation->schemaname, s->newname));
}

/* ------------------------------------------------------------------------
 * The walk: data changes
 * ------------------------------------------------------------------------ */

/*
 * target_columns
 *		"a, b" from an UPDATE's SET list.
 */
static char *
target_columns(List *targets)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, targets)
	{
		ResTarget  *rt = lfirst_node(ResTarget, lc);

		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "",
						 rt->name ? quote_identifier(rt->name) : "?");
	}
	return buf.data;
}

/*
 * walk_data
 *		INSERT, UPDATE, DELETE, MERGE, TRUNCATE and COPY: the rows they
 *		write, and whether they destroy data (UPDATE or DELETE without
 *		WHERE, TRUNCATE of an existing table).
 */
static void
walk_data(ReportWalk *w, Node *stmt)
{
	Oid			relid;
	bool		created;
	char	   *table;
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_InsertStmt:
			{
				InsertStmt *s = (InsertStmt *) stmt;
				SelectStmt *sel = (SelectStmt *) s->selectStmt;
				char	   *rows;

				table = rel_name(w, s->relation, &relid, &created);
				if (sel == NULL)
					rows = pstrdup("1 row (DEFAULT VALUES)");
				else if (sel->valuesLists != NIL)
					rows = psprintf("%d row%s (VALUES)", list_length(sel->valuesLists),
									list_length(sel->valuesLists) == 1 ? "" : "s");
				else
					rows = pstrdup("the rows of a query");
				add_change(w, CG_DATA, CK_ADDED, "rows into %s: %s%s", md_code(table), rows,
						   s->onConflictClause == NULL ? "" :
						   s->onConflictClause->action == ONCONFLICT_UPDATE ?
						   ", ON CONFLICT DO UPDATE (existing rows are updated)" :
						   ", ON CONFLICT DO NOTHING");
				break;
			}
		case T_UpdateStmt:
			{
				UpdateStmt *s = (UpdateStmt *) stmt;
				char	   *cols = target_columns(s->targetList);

				table = rel_name(w, s->relation, &relid, &created);
				if (s->whereClause != NULL)
				{
					char	   *where = statement_clause(w, "where");

					add_change(w, CG_DATA, CK_MODIFIED, "rows of %s: SET %s WHERE %s",
							   md_code(table), cols, md_code(where ? where : "(condition)"));
					w->filtered = lappend_int(w->filtered, w->st->number);
					if (!created)
					{
						w->unestimated = lappend(w->unestimated,
												 psprintf("statement %d updates the rows of %s its WHERE matches: not estimated",
														  w->st->number, md_code(table)));
						w->row_changes = lappend(w->row_changes,
												 psprintf("statement %d updates rows of %s (those its WHERE matches): the downgrade does not restore their previous values",
														  w->st->number, md_code(table)));
					}
				}
				else
				{
					add_change(w, CG_DATA, CK_MODIFIED, "every row of %s (no WHERE): SET %s",
							   md_code(table), cols);
					if (!created)
						add_loss(w, relid, "updates every row of %s (no WHERE): the previous values of %s are lost",
								 md_code(table), cols);
				}
				break;
			}
		case T_DeleteStmt:
			{
				DeleteStmt *s = (DeleteStmt *) stmt;

				table = rel_name(w, s->relation, &relid, &created);
				if (s->whereClause != NULL)
				{
					char	   *where = statement_clause(w, "where");

					add_change(w, CG_DATA, CK_REMOVED, "rows of %s WHERE %s",
							   md_code(table), md_code(where ? where : "(condition)"));
					w->filtered = lappend_int(w->filtered, w->st->number);
					if (!created)
					{
						w->unestimated = lappend(w->unestimated,
												 psprintf("statement %d deletes the rows of %s its WHERE matches: not estimated",
														  w->st->number, md_code(table)));
						w->row_changes = lappend(w->row_changes,
												 psprintf("statement %d deletes rows of %s (those its WHERE matches): the downgrade does not bring them back",
														  w->st->number, md_code(table)));
					}
				}
				else
				{
					add_change(w, CG_DATA, CK_REMOVED, "every row of %s (no WHERE)", md_code(table));
					if (!created)
						add_loss(w, relid, "deletes every row of %s (no WHERE)", md_code(table));
				}
				break;
			}
		case T_MergeStmt:
			table = rel_name(w, ((MergeStmt *) stmt)->relation, &relid, &created);
			add_change(w, CG_DATA, CK_MODIFIED, "rows of %s (MERGE: inserted, updated or deleted)",
					   md_code(table));
			break;
		case T_TruncateStmt:
			foreach(lc, ((TruncateStmt *) stmt)->relations)
			{
				table = rel_name(w, lfirst_node(RangeVar, lc), &relid, &created);
				add_change(w, CG_DATA, CK_REMOVED, "every row of %s (TRUNCATE%s)", md_code(table),
						   ((TruncateStmt *) stmt)->behavior == DROP_CASCADE ?
						   " CASCADE: and of every table referencing it" : "");
				if (!created)
					add_loss(w, relid, "truncates %s: all its rows are lost%s", md_code(table),
							 ((TruncateStmt *) stmt)->behavior == DROP_CASCADE ?
							 ", and those of every table that references it (CASCADE)" : "");
			}
			break;
		case T_CopyStmt:
			{
				CopyStmt   *s = (CopyStmt *) stmt;
				const char *source = s->filename == NULL ?
				(s->is_from ? "STDIN" : "STDOUT") :
				(s->is_program ? "a program" : "a server file");

				table = s->relation ? md_code(rel_name(w, s->relation, &relid, &created)) :
					pstrdup("a query");
				if (s->is_from)
					add_change(w, CG_DATA, CK_ADDED, "rows into %s from %s (COPY)", table, source);
				else
					add_change(w, CG_OTHER, CK_MODIFIED, "%s copied to %s (COPY TO: reads only)",
							   table, source);
				if (s->filename == NULL)
					w->cannot_run = lappend(w->cannot_run,
											psprintf("statement %d (line %d): COPY %s %s cannot run through the runner, which executes statements with SPI: only a server file or program can be copied",
													 w->st->number, w->st->lineno,
													 s->is_from ? "FROM" : "TO", source));
				break;
			}
		default:
			break;
	}
}

/* ------------------------------------------------------------------------
 * The walk: other objects, and the statement dispatcher
 * ------------------------------------------------------------------------ */

/*
 * walk_function
 *		CREATE FUNCTION / PROCEDURE: its signature, and whether one with the
 *		same name and argument types exists already (then OR REPLACE
 *		modifies it).
 */
static void
walk_function(ReportWalk *w, CreateFunctionStmt *s)
{
	StringInfoData args;
	Oid			argtypes[FUNC_MAX_ARGS];
	int			nargs = 0;
	bool		known = true;
	ListCell   *lc;
	Oid			existing = InvalidOid;

	initStringInfo(&args);
	foreach(lc, s->parameters)
	{
		FunctionParameter *p = lfirst_node(FunctionParameter, lc);
		int32		typmod;
		Oid			t;

		if (p->mode == FUNC_PARAM_OUT || p->mode == FUNC_PARAM_TABLE)
			continue;
		appendStringInfo(&args, "%s%s", args.len > 0 ? ", " : "",
						 mig_lint_type_text(p->argType));
		t = mig_lint_type_oid(p->argType, &typmod);
		if (!OidIsValid(t) || nargs >= FUNC_MAX_ARGS)
			known = false;
		else
			argtypes[nargs++] = t;
	}
	if (known)
		existing = LookupFuncName(s->funcname, nargs, argtypes, true);
	add_change(w, CG_OTHER, OidIsValid(existing) ? CK_MODIFIED : CK_ADDED,
			   "%s %s%s%s",
			   s->is_procedure ? "procedure" : "function",
			   md_code(psprintf("%s(%s)", mig_lint_qualified_name(s->funcname), args.data)),
			   s->returnType ? psprintf(" returning %s",
										md_code(mig_lint_type_text(s->returnType))) : "",
			   OidIsValid(existing) ? " (OR REPLACE: the existing definition is replaced)" : "");
}

/*
 * trigger_text
 *		When a trigger fires: "BEFORE INSERT OR UPDATE FOR EACH ROW".
 */
static char *
trigger_text(CreateTrigStmt *s)
{
	StringInfoData buf;
	static const struct
	{
		int16		bit;
		const char *name;
	}			events[] = {
		{TRIGGER_TYPE_INSERT, "INSERT"}, {TRIGGER_TYPE_UPDATE, "UPDATE"},
		{TRIGGER_TYPE_DELETE, "DELETE"}, {TRIGGER_TYPE_TRUNCATE, "TRUNCATE"}
	};
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoString(&buf, s->timing & TRIGGER_TYPE_BEFORE ? "BEFORE" :
						   s->timing & TRIGGER_TYPE_INSTEAD ? "INSTEAD OF" : "AFTER");
	for (int i = 0; i < lengthof(events); i++)
	{
		if ((s->events & events[i].bit) == 0)
			continue;
		appendStringInfo(&buf, "%s%s", first ? " " : " OR ", events[i].name);
		first = false;
	}
	appendStringInfoString(&buf, s->row ? " FOR EACH ROW" : " FOR EACH STATEMENT");
	return buf.data;
}

/*
 * grant_text
 *		A GRANT or REVOKE of privileges on objects, as one line.
 */
static char *
grant_text(GrantStmt *s)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoString(&buf, s->is_grant ? "GRANT " : "REVOKE ");
	if (s->privileges == NIL)
		appendStringInfoString(&buf, "ALL");
	foreach(lc, s->privileges)
	{
		AccessPriv *p = lfirst_node(AccessPriv, lc);

		appendStringInfo(&buf, "%s%s", first ? "" : ", ",
						 p->priv_name ? asc_toupper(p->priv_name, strlen(p->priv_name)) : "ALL");
		if (p->cols)
			appendStringInfo(&buf, " (%s)", name_list_text(p->cols));
		first = false;
	}
	appendStringInfo(&buf, " ON %s%s ",
					 s->targtype == ACL_TARGET_ALL_IN_SCHEMA ? "all objects of type " : "",
					 objtype_name(s->objtype));
	first = true;
	foreach(lc, s->objects)
	{
		Node	   *o = lfirst(lc);
		char	   *name;

		if (IsA(o, RangeVar))
		{
			Oid			relid;

			name = mig_lint_relation_name((RangeVar *) o, &relid);
		}
		else if (s->targtype == ACL_TARGET_ALL_IN_SCHEMA)
			name = psprintf("in schema %s", object_text(OBJECT_SCHEMA, o));
		else
			name = object_text(s->objtype, o);
		appendStringInfo(&buf, "%s%s", first ? "" : ", ", name);
		first = false;
	}
	appendStringInfoString(&buf, s->is_grant ? " TO " : " FROM ");
	first = true;
	foreach(lc, s->grantees)
	{
		appendStringInfo(&buf, "%s%s", first ? "" : ", ", role_text(lfirst_node(RoleSpec, lc)));
		first = false;
	}
	return buf.data;
}

/*
 * statement_summary
 *		The statement's text folded on one line, cut after 100 bytes (on a
 *		character boundary), for lines that quote what was not analysed.
 */
static char *
statement_summary(ReportWalk *w)
{
	char	   *text = pstrdup(w->st->text);
	int			len = strlen(text);

	if (len > 100)
	{
		len = pg_mbcliplen(text, len, 100);
		text[len] = '\0';
		return psprintf("%s ...", text);
	}
	return text;
}

/*
 * tag_kind
 *		added / modified / removed from a command tag (CREATE, DROP, other).
 */
static ChangeKind
tag_kind(const char *tag)
{
	if (strncmp(tag, "CREATE", 6) == 0)
		return CK_ADDED;
	if (strncmp(tag, "DROP", 4) == 0)
		return CK_REMOVED;
	return CK_MODIFIED;
}

/*
 * walk_statement
 *		One statement of the revision into the Changes section (and the
 *		data-loss and cannot-run lists).  Every statement yields at least one
 *		line: what is not recognised appears under other objects with its
 *		command tag and text.
 */
static void
walk_statement(ReportWalk *w, Node *stmt)
{
	const char *tag = GetCommandTagName(CreateCommandTag(stmt));
	const char *nontx = sqltext_nontransactional(stmt);
	Oid			relid;
	bool		created;
	ListCell   *lc;

	if (nontx != NULL)
	{
		w->nontx = lappend_int(w->nontx, w->st->number);
		w->cannot_run = lappend(w->cannot_run,
								psprintf("statement %d (line %d): %s cannot run inside a transaction block, and schemamig runs each revision in one, so the runner refuses this revision",
										 w->st->number, w->st->lineno, nontx));
	}

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			walk_create_table(w, (CreateStmt *) stmt);
			break;
		case T_AlterTableStmt:
			walk_alter_table(w, (AlterTableStmt *) stmt);
			break;
		case T_IndexStmt:
			walk_index(w, (IndexStmt *) stmt);
			break;
		case T_DropStmt:
			walk_drop(w, (DropStmt *) stmt);
			break;
		case T_RenameStmt:
			walk_rename(w, (RenameStmt *) stmt);
			break;
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
		case T_TruncateStmt:
		case T_CopyStmt:
			walk_data(w, stmt);
			break;
		case T_CreateFunctionStmt:
			walk_function(w, (CreateFunctionStmt *) stmt);
			break;
		case T_ViewStmt:
			{
				ViewStmt   *s = (ViewStmt *) stmt;
				char	   *name = rel_name(w, s->view, &relid, &created);
				bool		replaces = s->replace && OidIsValid(relid);

				add_change(w, CG_OTHER, replaces ? CK_MODIFIED : CK_ADDED, "view %s%s",
						   md_code(name), replaces ? " (OR REPLACE: its definition is replaced)" : "");
				note_created(w, name);
				break;
			}
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *s = (CreateTableAsStmt *) stmt;
				char	   *name = rel_name(w, s->into->rel, &relid, &created);

				if (s->objtype == OBJECT_MATVIEW)
					add_change(w, CG_OTHER, CK_ADDED, "materialized view %s%s", md_code(name),
							   s->into->skipData ? " (WITH NO DATA)" : " (filled by its query)");
				else
				{
					add_change(w, CG_TABLES, CK_ADDED, "%s (CREATE TABLE AS: columns from a query)",
							   md_code(name));
					if (!s->into->skipData)
						add_change(w, CG_DATA, CK_ADDED, "rows into %s: the rows of a query (CREATE TABLE AS)",
								   md_code(name));
				}
				note_created(w, name);
				break;
			}
		case T_CreateEnumStmt:
			{
				CreateEnumStmt *s = (CreateEnumStmt *) stmt;
				StringInfoData vals;

				initStringInfo(&vals);
				foreach(lc, s->vals)
					appendStringInfo(&vals, "%s%s", vals.len > 0 ? ", " : "",
									 quote_literal_cstr(strVal(lfirst(lc))));
				add_change(w, CG_OTHER, CK_ADDED, "enum type %s (%s)",
						   md_code(mig_lint_qualified_name(s->typeName)), vals.data);
				break;
			}
		case T_AlterEnumStmt:
			{
				AlterEnumStmt *s = (AlterEnumStmt *) stmt;
				char	   *type = md_code(mig_lint_qualified_name(s->typeName));

				if (s->oldVal != NULL)
					add_change(w, CG_OTHER, CK_MODIFIED, "enum type %s: value %s renamed to %s",
							   type, quote_literal_cstr(s->oldVal), quote_literal_cstr(s->newVal));
				else
					add_change(w, CG_OTHER, CK_MODIFIED, "enum type %s: value %s added%s",
							   type, quote_literal_cstr(s->newVal),
							   s->newValNeighbor ? psprintf(" %s %s", s->newValIsAfter ? "after" : "before",
															quote_literal_cstr(s->newValNeighbor)) : "");
				break;
			}
		case T_CompositeTypeStmt:
			add_change(w, CG_OTHER, CK_ADDED, "composite type %s",
					   md_code(rel_name(w, ((CompositeTypeStmt *) stmt)->typevar, &relid, &created)));
			break;
		case T_CreateDomainStmt:
			add_change(w, CG_OTHER, CK_ADDED, "domain %s over %s",
					   md_code(mig_lint_qualified_name(((CreateDomainStmt *) stmt)->domainname)),
					   md_code(mig_lint_type_text(((CreateDomainStmt *) stmt)->typeName)));
			break;
		case T_CreateSeqStmt:
			{
				char	   *name = rel_name(w, ((CreateSeqStmt *) stmt)->sequence, &relid, &created);

				add_change(w, CG_OTHER, CK_ADDED, "sequence %s", md_code(name));
				note_created(w, name);
				break;
			}
		case T_AlterSeqStmt:
			add_change(w, CG_OTHER, CK_MODIFIED, "sequence %s: options changed",
					   md_code(rel_name(w, ((AlterSeqStmt *) stmt)->sequence, &relid, &created)));
			break;
		case T_CreateTrigStmt:
			{
				CreateTrigStmt *s = (CreateTrigStmt *) stmt;

				add_change(w, CG_OTHER, CK_ADDED, "trigger %s on %s, %s, executes %s",
						   md_code(quote_identifier(s->trigname)),
						   md_code(rel_name(w, s->relation, &relid, &created)),
						   trigger_text(s),
						   md_code(psprintf("%s()", NameListToQuotedString(s->funcname))));
				break;
			}
		case T_CreatePolicyStmt:
			{
				CreatePolicyStmt *s = (CreatePolicyStmt *) stmt;
				StringInfoData roles;

				initStringInfo(&roles);
				foreach(lc, s->roles)
					appendStringInfo(&roles, "%s%s", roles.len > 0 ? ", " : "",
									 role_text(lfirst_node(RoleSpec, lc)));
				add_change(w, CG_OTHER, CK_ADDED, "policy %s on %s, %s FOR %s TO %s",
						   md_code(quote_identifier(s->policy_name)),
						   md_code(rel_name(w, s->table, &relid, &created)),
						   s->permissive ? "PERMISSIVE" : "RESTRICTIVE",
						   asc_toupper(s->cmd_name, strlen(s->cmd_name)),
						   roles.len > 0 ? roles.data : "PUBLIC");
				break;
			}
		case T_AlterPolicyStmt:
			add_change(w, CG_OTHER, CK_MODIFIED, "policy %s on %s",
					   md_code(quote_identifier(((AlterPolicyStmt *) stmt)->policy_name)),
					   md_code(rel_name(w, ((AlterPolicyStmt *) stmt)->table, &relid, &created)));
			break;
		case T_GrantStmt:
			add_change(w, CG_OTHER, CK_MODIFIED, "privileges: %s",
					   md_code(grant_text((GrantStmt *) stmt)));
			break;
		case T_CommentStmt:
			{
				CommentStmt *s = (CommentStmt *) stmt;

				add_change(w, CG_OTHER, CK_MODIFIED, "comment on %s %s %s",
						   objtype_name(s->objtype), md_code(object_text(s->objtype, s->object)),
						   s->comment ? "set" : "removed");
				break;
			}
		case T_CreateSchemaStmt:
			{
				CreateSchemaStmt *s = (CreateSchemaStmt *) stmt;

				add_change(w, CG_OTHER, CK_ADDED, "schema %s",
						   md_code(s->schemaname ? quote_identifier(s->schemaname) : "(named after its owner)"));
				foreach(lc, s->schemaElts)
					walk_statement(w, lfirst(lc));
				break;
			}
		case T_CreateExtensionStmt:
			add_change(w, CG_OTHER, CK_ADDED, "extension %s",
					   md_code(quote_identifier(((CreateExtensionStmt *) stmt)->extname)));
			break;
		case T_VariableSetStmt:
			add_change(w, CG_OTHER, CK_MODIFIED, "setting for the rest of the revision: %s",
					   md_code(statement_summary(w)));
			break;
		case T_DoStmt:
		case T_CallStmt:
		case T_SelectStmt:
			add_change(w, CG_OTHER, CK_MODIFIED, "%s statement, not analysed (the code it runs can change anything): %s",
					   tag, md_code(statement_summary(w)));
			break;
		default:
			add_change(w, CG_OTHER, tag_kind(tag), "%s: %s", tag,
					   md_code(statement_summary(w)));
			break;
	}
}

/* ------------------------------------------------------------------------
 * Analysis: sizes, table work, verdicts
 * ------------------------------------------------------------------------ */

/*
 * relation_size
 *		The live size of relid, read once per report (never waits for a
 *		lock; see mig_lint_relation_size).
 */
static MigRelSize *
relation_size(Report *r, Oid relid)
{
	ReportSize *rs;
	ListCell   *lc;

	foreach(lc, r->sizes)
	{
		rs = (ReportSize *) lfirst(lc);
		if (rs->relid == relid)
			return &rs->size;
	}
	rs = palloc(sizeof(ReportSize));
	rs->relid = relid;
	mig_lint_relation_size(relid, &rs->size);
	r->sizes = lappend(r->sizes, rs);
	return &rs->size;
}

/*
 * size_text
 *		A relation's live size as the report prints it: the table, and the
 *		total with indexes and TOAST when that differs.
 */
static char *
size_text(MigRelSize *size)
{
	if (size->table_bytes < 0)
		return pstrdup("unknown");
	if (size->total_bytes > size->table_bytes)
		return psprintf("%s (%s with indexes and TOAST)", mig_lint_size_text(size->table_bytes),
						mig_lint_size_text(size->total_bytes));
	return mig_lint_size_text(size->table_bytes);
}

/*
 * size_prose
 *		A relation's live size and row estimate for a sentence: "1184 kB,
 *		1672 kB with indexes, 20000 rows".
 */
static char *
size_prose(MigRelSize *size)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (size->table_bytes < 0)
		appendStringInfoString(&buf, "size unknown");
	else
		appendStringInfoString(&buf, mig_lint_size_text(size->table_bytes));
	if (size->total_bytes > size->table_bytes && size->table_bytes >= 0)
		appendStringInfo(&buf, ", %s with indexes and TOAST", mig_lint_size_text(size->total_bytes));
	if (size->rows < 0)
		appendStringInfoString(&buf, ", row count unknown (never analyzed)");
	else
		appendStringInfo(&buf, ", %.0f row%s", size->rows, size->rows == 1 ? "" : "s");
	return buf.data;
}

/*
 * lock_blocks
 *		What other sessions cannot do on a table while the lock is held.
 */
static const char *
lock_blocks(LOCKMODE mode)
{
	if (mode >= AccessExclusiveLock)
		return "reads and writes";
	if (mode >= ShareLock)
		return "writes (reads continue)";
	if (mode == ShareUpdateExclusiveLock)
		return "schema changes and VACUUM (reads and writes continue)";
	return "schema changes only (reads and writes continue)";
}

/*
 * is_large
 *		Is a table large by schemamig.lint_large_table_size (0: every table)?
 */
static bool
is_large(MigRelSize *size)
{
	return mig_lint_large_table_kb == 0 ||
		size->table_bytes >= (int64) mig_lint_large_table_kb * 1024;
}

/*
 * work_verb
 *		What a statement does to a table's rows, for the estimate.
 */
static const char *
work_verb(MigLintWork work)
{
	switch (work)
	{
		case MIG_LINT_WORK_SCAN:
			return "scans";
		case MIG_LINT_WORK_INDEX_BUILD:
			return "builds an index over";
		case MIG_LINT_WORK_ROWS:
			return "writes every row of";
		case MIG_LINT_WORK_REWRITE:
			return "rewrites";
		default:
			return "touches";
	}
}

/*
 * finding_lock
 *		The lock entry of the table a finding is about: the statement's lock
 *		on the relation the finding names (or whose column it names), else
 *		the statement's first lock on a table of the catalog.
 */
static MigLintLock *
finding_lock(Report *r, MigLintFinding *f)
{
	MigLintLock *fallback = NULL;
	ListCell   *lc;

	foreach(lc, r->locks)
	{
		MigLintLock *l = (MigLintLock *) lfirst(lc);
		size_t		len = strlen(l->relation);

		if (l->statement != f->statement)
			continue;
		if (f->object != NULL && strncmp(f->object, l->relation, len) == 0 &&
			(f->object[len] == '\0' || f->object[len] == '.'))
			return l;
		if (fallback == NULL && OidIsValid(l->relid) && !l->created)
			fallback = l;
	}
	return fallback;
}

/*
 * estimate_work
 *		The table work of each finding (suppressed or not: suppressing a
 *		finding does not make the work go away), one entry per statement and
 *		table with the heaviest work, timed at schemamig.report_rewrite_rate.
 *		A scan or index build reads the table once; writing every row reads
 *		the table and writes it again; a rewrite reads it and writes the
 *		table, its TOAST and its indexes anew.
 */
static void
estimate_work(Report *r)
{
	double		rate = (double) mig_report_rewrite_rate * 1024.0 * 1024.0;
	ListCell   *lc;

	foreach(lc, r->findings)
	{
		MigLintFinding *f = (MigLintFinding *) lfirst(lc);
		MigLintWork work = mig_lint_rule_work(f->rule);
		MigLintLock *lock;
		ReportWork *rw = NULL;
		ListCell   *lc2;
		double		bytes;

		if (work == MIG_LINT_WORK_NONE)
			continue;
		/* an UPDATE or DELETE with WHERE writes the rows it matches, not all */
		if (work == MIG_LINT_WORK_ROWS && list_member_int(r->walk.filtered, f->statement))
			continue;
		lock = finding_lock(r, f);
		if (lock == NULL || !OidIsValid(lock->relid) || lock->created)
			continue;
		foreach(lc2, r->work)
		{
			ReportWork *x = (ReportWork *) lfirst(lc2);

			if (x->statement == f->statement && x->lock->relid == lock->relid)
				rw = x;
		}
		if (rw != NULL && rw->work >= work)
			continue;
		if (rw == NULL)
		{
			rw = palloc0(sizeof(ReportWork));
			rw->statement = f->statement;
			rw->lock = lock;
			rw->size = relation_size(r, lock->relid);
			r->work = lappend(r->work, rw);
		}
		rw->work = work;
		bytes = Max(rw->size->table_bytes, 0);
		if (work == MIG_LINT_WORK_ROWS)
			bytes *= 2;
		else if (work == MIG_LINT_WORK_REWRITE)
			bytes += rw->size->total_bytes >= 0 ? rw->size->total_bytes : bytes;
		rw->seconds = bytes / rate;
	}
	r->total_seconds = 0;
	foreach(lc, r->work)
		r->total_seconds += ((ReportWork *) lfirst(lc))->seconds;
}

/*
 * lock_wait_ms
 *		The longest a statement waits for its locks before the runner gives
 *		up: every attempt waits schemamig.lock_timeout, and the retries sleep
 *		from lock_retry_backoff, doubling up to lock_retry_backoff_max.  -1:
 *		no limit (lock_timeout 0).
 */
static double
lock_wait_ms(void)
{
	double		total;
	double		sleep = mig_lock_retry_backoff;

	if (mig_lock_timeout <= 0)
		return -1;
	total = (double) mig_lock_timeout * (mig_lock_retries + 1);
	for (int i = 0; i < mig_lock_retries; i++)
	{
		total += Min(sleep, (double) mig_lock_retry_backoff_max);
		sleep *= 2;
	}
	return total;
}

/*
 * statement_is_nontx
 *		Did the walk find that this statement cannot run in a transaction?
 */
static bool
statement_is_nontx(Report *r, int statement)
{
	return list_member_int(r->walk.nontx, statement);
}

/*
 * compute_verdicts
 *		Why the revision is blocked, and the reasons for HIGH and MEDIUM
 *		risk (README, "Migration report"):
 *
 *		blocked: a statement cannot run (outside a transaction only, COPY to
 *		or from the client, a lint finding whose statement fails), the runner
 *		refuses it (schemamig.lint = deny and a lint error), or the round
 *		trip's upgrade failed;
 *		HIGH: blocked, data loss, table work on a large table under a lock
 *		that blocks writes, objects removed without a downgrade, lint
 *		errors, a round trip that did not come back;
 *		MEDIUM: a lock that blocks writes on a table that has rows, UPDATE
 *		or DELETE of some rows of an existing table, lint warnings, no
 *		downgrade.
 */
static void
compute_verdicts(Report *r)
{
	ListCell   *lc;
	List	   *seen = NIL;

	r->blocked = list_copy(r->walk.cannot_run);
	foreach(lc, r->findings)
	{
		MigLintFinding *f = (MigLintFinding *) lfirst(lc);

		if (f->severity == MIG_LINT_ERROR && mig_lint_rule_fails(f->rule) &&
			!statement_is_nontx(r, f->statement))
			r->blocked = lappend(r->blocked,
								 psprintf("statement %d fails when it runs (lint rule %s): %s",
										  f->statement, md_code(f->rule), f->message));
		if (f->suppressed)
			continue;
		if (f->severity == MIG_LINT_ERROR)
			r->nerrors++;
		else if (f->severity == MIG_LINT_WARNING)
			r->nwarnings++;
	}
	if (r->nerrors > 0 && mig_lint_mode == MIG_LINT_DENY)
		r->blocked = lappend(r->blocked,
							 psprintf("schemamig.lint = deny: the runner refuses the revision for its %d lint error%s",
									  r->nerrors, r->nerrors == 1 ? "" : "s"));
	if (r->verified != NULL && !r->verified->upgrade_ok)
		r->blocked = lappend(r->blocked,
							 psprintf("round trip: %s",
									  r->verified->first_difference ?
									  r->verified->first_difference : "(no message)"));

	/* HIGH */
	foreach(lc, r->blocked)
		r->high = lappend(r->high, psprintf("blocked: %s", (char *) lfirst(lc)));
	foreach(lc, r->walk.losses)
	{
		ReportLoss *l = (ReportLoss *) lfirst(lc);

		r->high = lappend(r->high, psprintf("data loss: statement %d %s", l->statement, l->text));
	}
	foreach(lc, r->work)
	{
		ReportWork *w = (ReportWork *) lfirst(lc);

		if (w->lock->mode >= ShareLock && is_large(w->size))
			r->high = lappend(r->high,
							  psprintf("statement %d %s %s (%s, at least schemamig.lint_large_table_size) holding %s: %s wait for %s",
									   w->statement, work_verb(w->work), md_code(w->lock->relation),
									   mig_lint_size_text(w->size->table_bytes),
									   mig_lint_lock_name(w->lock->mode),
									   lock_blocks(w->lock->mode), duration_text(w->seconds)));
	}
	if (r->row->downgrade == NULL && (r->walk.nremovals > 0 || r->walk.losses != NIL))
		r->high = lappend(r->high, pstrdup("no downgrade, and the revision removes objects: only a backup brings them back"));
	if (r->nerrors > 0)
		r->high = lappend(r->high, psprintf("%d lint error%s (see Lint findings)", r->nerrors,
											r->nerrors == 1 ? "" : "s"));
	/* without a downgrade the round trip cannot come back: said above */
	if (r->verified != NULL && r->verified->upgrade_ok && r->row->downgrade != NULL &&
		!(r->verified->downgrade_ok && r->verified->schema_restored &&
		  r->verified->data_preserved))
		r->high = lappend(r->high, psprintf("the round trip did not come back: %s",
											r->verified->first_difference ?
											r->verified->first_difference : "see Testing results"));

	/* MEDIUM */
	foreach(lc, r->locks)
	{
		MigLintLock *l = (MigLintLock *) lfirst(lc);
		MigRelSize *size;
		ListCell   *lc2;
		bool		strongest = true;

		if (l->mode < ShareLock || !OidIsValid(l->relid) || l->created ||
			list_member_oid(seen, l->relid))
			continue;
		size = relation_size(r, l->relid);
		if (size->table_bytes <= 0 && size->rows <= 0)
			continue;
		/* one reason per table: its strongest lock, first statement taking it */
		foreach(lc2, r->locks)
		{
			MigLintLock *o = (MigLintLock *) lfirst(lc2);

			if (o->relid == l->relid && o->mode > l->mode)
				strongest = false;
		}
		if (!strongest)
			continue;
		seen = lappend_oid(seen, l->relid);
		r->medium = lappend(r->medium,
							psprintf("statement %d takes %s on %s (%s): %s wait while it runs",
									 l->statement, mig_lint_lock_name(l->mode),
									 md_code(l->relation), size_prose(size),
									 lock_blocks(l->mode)));
	}
	r->medium = list_concat(r->medium, r->walk.row_changes);
	if (r->nwarnings > 0)
		r->medium = lappend(r->medium, psprintf("%d lint warning%s (see Lint findings)",
												r->nwarnings, r->nwarnings == 1 ? "" : "s"));
	if (r->row->downgrade == NULL && r->walk.nremovals == 0 && r->walk.losses == NIL)
		r->medium = lappend(r->medium, pstrdup("no downgrade: schemamig cannot undo the revision"));
}

/*
 * risk_level
 *		LOW, MEDIUM or HIGH from the reasons found.
 */
static const char *
risk_level(Report *r)
{
	if (r->high != NIL)
		return "HIGH";
	if (r->medium != NIL)
		return "MEDIUM";
	return "LOW";
}

/* ------------------------------------------------------------------------
 * Writing the report
 * ------------------------------------------------------------------------ */

/*
 * downgrade_target
 *		The mig_downgrade() target that takes a database at this revision
 *		back below it: its parent, or "<id>-1" for a base revision (to
 *		before it, leaving other branches alone) and a merge point (back to
 *		all its parents).
 */
static char *
downgrade_target(Report *r)
{
	if (r->row->nparents == 1)
		return pstrdup(r->row->parents[0]);
	return psprintf("%s-1", r->row->id);
}

/*
 * write_title
 *		The title block: id, message, parents, registration, state, status.
 */
static void
write_title(StringInfo out, Report *r)
{
	MigRevisionRow *row = r->row;
	const char *level = risk_level(r);

	appendStringInfo(out, "# Migration report: %s%s%s\n\n", md_code(row->id),
					 row->message ? " — " : "", row->message ? row->message : "");
	appendStringInfoString(out, "| | |\n|---|---|\n");
	appendStringInfo(out, "| Revision | %s |\n", md_code(row->id));
	appendStringInfo(out, "| Message | %s |\n", row->message ? md_cell(row->message) : "(none)");
	appendStringInfo(out, "| Parents | %s%s |\n",
					 row->nparents == 0 ? "none (a base revision)" : code_list(row->parents, row->nparents),
					 row->nparents > 1 ? " (a merge point)" : "");
	if (row->nlabels > 0)
		appendStringInfo(out, "| Branch labels | %s |\n", code_list(row->labels, row->nlabels));
	if (row->ndepends > 0)
		appendStringInfo(out, "| Depends on | %s |\n", code_list(row->depends, row->ndepends));
	appendStringInfo(out, "| Registered | %s by %s |\n", row->registered_at,
					 md_code(row->registered_by));
	if (r->applied)
		appendStringInfo(out, "| State | applied%s |\n",
						 r->applied_at ? psprintf(" (last upgraded %s by %s)", r->applied_at,
												  md_code(r->applied_by ? r->applied_by : "?")) : "");
	else if (r->nbefore == 0)
		appendStringInfoString(out, "| State | pending: the next revision an upgrade runs |\n");
	else
		appendStringInfo(out, "| State | pending: an upgrade to it runs %d pending revision%s first (%s) |\n",
						 r->nbefore, r->nbefore == 1 ? "" : "s", code_list(r->before, r->nbefore));
	appendStringInfo(out, "| Statements | %d in the upgrade, %s |\n", r->nup,
					 row->downgrade == NULL ? "no downgrade" :
					 psprintf("%d in the downgrade", r->ndown));
	if (r->blocked != NIL)
		appendStringInfo(out, "| Status | **blocked**: %s |\n",
						 md_cell((char *) linitial(r->blocked)));
	else if (strcmp(level, "LOW") != 0)
		appendStringInfo(out, "| Status | **needs attention**: risk %s (see Risk) |\n", level);
	else
		appendStringInfoString(out, "| Status | **ready**: risk LOW |\n");
}

/*
 * write_changes
 *		The Changes section: one group per kind, one line per change.
 */
static void
write_changes(StringInfo out, Report *r)
{
	appendStringInfo(out, "\n## Changes\n\nRead from the revision's %d statement%s with the server's parser; nothing was executed.\n",
					 r->nup, r->nup == 1 ? "" : "s");
	for (int g = 0; g < CG_NGROUPS; g++)
	{
		ListCell   *lc;
		bool		any = false;

		appendStringInfo(out, "\n### %s\n\n", group_titles[g]);
		foreach(lc, r->walk.changes)
		{
			ReportChange *c = (ReportChange *) lfirst(lc);

			if (c->group != g)
				continue;
			appendStringInfo(out, "- **%s** %s (statement %d)\n", kind_names[c->kind],
							 c->text, c->statement);
			any = true;
		}
		if (!any)
			appendStringInfoString(out, "- none\n");
	}
}

/*
 * write_locks
 *		The blocking operations table: every table lock each statement takes,
 *		with the table's live size and row estimate.
 */
static void
write_locks(StringInfo out, Report *r)
{
	ListCell   *lc;

	appendStringInfoString(out, "\n### Blocking operations\n\n");
	if (r->locks == NIL)
	{
		appendStringInfoString(out, "None: no statement locks a table.\n");
		return;
	}
	appendStringInfoString(out, "| statement | lock | on | blocks | size | rows (estimate) |\n"
						   "|---|---|---|---|---|---|\n");
	foreach(lc, r->locks)
	{
		MigLintLock *l = (MigLintLock *) lfirst(lc);
		const char *blocks = lock_blocks(l->mode);
		char	   *size;
		char	   *rows;

		if (l->created)
		{
			blocks = "nobody (new in this revision, invisible until it commits)";
			size = pstrdup("new, empty");
			rows = pstrdup("0");
		}
		else if (!OidIsValid(l->relid))
		{
			size = pstrdup("not in the database yet");
			rows = pstrdup("-");
		}
		else
		{
			MigRelSize *s = relation_size(r, l->relid);

			size = size_text(s);
			rows = rows_text(s->rows);
		}
		appendStringInfo(out, "| %d | %s | %s | %s | %s | %s |\n", l->statement,
						 mig_lint_lock_name(l->mode), md_code(md_cell(l->relation)),
						 blocks, size, rows);
	}
	appendStringInfoString(out, "\nLock levels are the server's own for each statement; every lock is held until the revision's transaction commits. Sizes and row estimates (`pg_class.reltuples`) are this database's, now: report against production, or a copy of it, for production's.\n");
}

/*
 * write_safety
 *		The safety analysis: downgrade, data loss, blocking operations,
 *		estimated duration, lint findings.
 */
static void
write_safety(StringInfo out, Report *r)
{
	ListCell   *lc;
	double		wait = lock_wait_ms();

	appendStringInfoString(out, "\n## Safety analysis\n\n### Downgrade\n\n");
	if (r->row->downgrade == NULL)
		appendStringInfoString(out, "**Not written.** schemamig cannot undo this revision: going back means restoring a backup, or writing the reverse SQL by hand.\n");
	else
		appendStringInfo(out, "Written: %d statement%s. `SELECT * FROM mig_downgrade('%s');` runs it.\n",
						 r->ndown, r->ndown == 1 ? "" : "s", downgrade_target(r));

	appendStringInfoString(out, "\n### Data-loss risk\n\n");
	if (r->walk.losses == NIL)
		appendStringInfoString(out, "None: no statement drops a table, a column or a schema (or types) with their data, truncates, updates or deletes every row, or narrows a column's type.\n");
	foreach(lc, r->walk.losses)
	{
		ReportLoss *l = (ReportLoss *) lfirst(lc);

		appendStringInfo(out, "- statement %d %s", l->statement, l->text);
		if (OidIsValid(l->relid))
		{
			MigRelSize *s = relation_size(r, l->relid);

			appendStringInfo(out, " (now %s)", size_prose(s));
		}
		appendStringInfoString(out, "\n");
	}

	write_locks(out, r);

	appendStringInfoString(out, "\n### Estimated duration\n\n");
	foreach(lc, r->work)
	{
		ReportWork *w = (ReportWork *) lfirst(lc);

		appendStringInfo(out, "- statement %d %s %s (%s) holding %s: %s\n", w->statement,
						 work_verb(w->work), md_code(w->lock->relation),
						 w->work == MIG_LINT_WORK_REWRITE && w->size->total_bytes > w->size->table_bytes ?
						 psprintf("%s, %s with indexes and TOAST", mig_lint_size_text(w->size->table_bytes),
								  mig_lint_size_text(w->size->total_bytes)) :
						 mig_lint_size_text(w->size->table_bytes),
						 mig_lint_lock_name(w->lock->mode), duration_text(w->seconds));
	}
	foreach(lc, r->walk.unestimated)
		appendStringInfo(out, "- %s\n", (char *) lfirst(lc));
	if (r->work != NIL)
		appendStringInfo(out, "\nTable work in total: %s.\n", duration_text(r->total_seconds));
	else if (r->walk.unestimated != NIL)
		appendStringInfoString(out, "\nNo statement rewrites, scans or indexes a whole existing table; the data changes above take as long as the rows they match.\n");
	else
		appendStringInfoString(out, "No statement rewrites, scans or indexes an existing table: the schema changes are catalog updates, which take milliseconds once their locks are granted.\n");
	appendStringInfo(out, "\nThis is an estimate from the sizes above, assuming table data is read or written at schemamig.report_rewrite_rate = %d MB/s: a scan or an index build reads the table once, writing every row reads it and writes it again, a rewrite reads it and writes the table and its indexes anew. ",
					 mig_report_rewrite_rate);
	if (wait < 0)
		appendStringInfoString(out, "Waiting for locks comes on top, without limit: schemamig.lock_timeout is 0.\n");
	else
		appendStringInfo(out, "Waiting for locks comes on top: at most %.1f s per statement before the runner gives up (schemamig.lock_timeout = %d ms per attempt, %d retries).\n",
						 wait / 1000.0, mig_lock_timeout, mig_lock_retries);

	appendStringInfoString(out, "\n### Lint findings\n\n");
	if (r->findings == NIL)
		appendStringInfoString(out, "None.\n");
	foreach(lc, r->findings)
	{
		MigLintFinding *f = (MigLintFinding *) lfirst(lc);

		appendStringInfo(out, "- statement %d, %s (%s%s)%s: %s\n  Safer: %s\n",
						 f->statement, md_code(f->rule), mig_lint_severity_name(f->severity),
						 f->suppressed ? ", **accepted**: suppressed with schemamig:ignore" : "",
						 f->object ? psprintf(" on %s", md_code(f->object)) : "",
						 f->message, f->hint);
	}
	if (r->findings != NIL)
		appendStringInfo(out, "\nschemamig.lint = %s: %s\n",
						 mig_lint_mode == MIG_LINT_DENY ? "deny" :
						 mig_lint_mode == MIG_LINT_WARN ? "warn" : "off",
						 mig_lint_mode == MIG_LINT_DENY ?
						 "the runner refuses a revision with an error that is not suppressed." :
						 mig_lint_mode == MIG_LINT_WARN ?
						 "the runner warns about these findings and runs the revision." :
						 "the runner does not check these findings.");
}

/*
 * write_testing
 *		Testing results: the round trip's outcome, or why it did not run.
 */
static void
write_testing(StringInfo out, Report *r)
{
	MigVerifyResult *v = r->verified;

	appendStringInfoString(out, "\n## Testing results\n\n");
	if (r->applied)
	{
		appendStringInfo(out, "Not run: the revision is applied, and a round trip starts from the state before it. Verify on a copy of the database that is below it, or before it is applied (`SELECT * FROM mig_verify('%s');`).\n",
						 r->row->id);
		return;
	}
	if (!r->verify)
	{
		appendStringInfo(out, "Round-trip verification was not run. `SELECT mig_report('%s', verify => true);` runs it (it needs the rights of a migration runner): upgrade, downgrade, schema and data compared with before, upgrade again, all rolled back.\n",
						 r->row->id);
		return;
	}
	if (v == NULL)
	{
		appendStringInfoString(out, r->in_plan ?
							   "Not run: the round trips stopped at an earlier revision whose upgrade failed.\n" :
							   "The round trip produced no result.\n");
		return;
	}
	appendStringInfoString(out, "| check | result |\n|---|---|\n");
	appendStringInfo(out, "| upgrade | %s |\n", v->upgrade_ok ? "ok" : "**failed**");
	if (r->row->downgrade == NULL && v->upgrade_ok)
	{
		appendStringInfoString(out, "| downgrade | not possible: none is written |\n"
							   "| schema restored | not checked |\n"
							   "| data preserved | not checked |\n"
							   "| first difference | none in the upgrade |\n");
	}
	else
	{
		appendStringInfo(out, "| downgrade | %s |\n", !v->upgrade_ok ? "not run" :
						 v->downgrade_ok ? "ok" : "**failed**");
		appendStringInfo(out, "| schema restored | %s |\n", !v->upgrade_ok ? "not run" :
						 v->schema_restored ? "yes" : "**no**");
		appendStringInfo(out, "| data preserved | %s |\n", !v->upgrade_ok ? "not run" :
						 v->data_preserved ? "yes" : "**no**");
		appendStringInfo(out, "| first difference | %s |\n",
						 v->first_difference ? md_cell(v->first_difference) : "none");
	}
	appendStringInfo(out, "| duration | %.1f ms |\n", v->duration_ms);
	appendStringInfo(out, "\nRun inside a subtransaction that was rolled back: this database is unchanged.%s\n",
					 r->nbefore > 0 && !r->in_plan ? psprintf(" The %d pending revision%s before it %s applied plainly first, and rolled back too.",
											   r->nbefore, r->nbefore == 1 ? "" : "s",
											   r->nbefore == 1 ? "was" : "were") : "");
}

/*
 * write_plan
 *		The deployment plan: numbered steps from backup to rollback.
 */
static void
write_plan(StringInfo out, Report *r)
{
	const char *id = r->row->id;
	double		wait = lock_wait_ms();
	StringInfoData tables;
	ListCell   *lc;
	List	   *seen = NIL;
	int			step = 1;

	initStringInfo(&tables);
	foreach(lc, r->locks)
	{
		MigLintLock *l = (MigLintLock *) lfirst(lc);

		if (l->created || list_member(seen, makeString(l->relation)))
			continue;
		seen = lappend(seen, makeString(l->relation));
		appendStringInfo(&tables, "%s%s", tables.len > 0 ? ", " : "", md_code(l->relation));
	}

	appendStringInfoString(out, "\n## Deployment plan\n\n");
	if (r->applied)
		appendStringInfoString(out, "The revision is applied in this database; these are the steps for the others.\n\n");
	appendStringInfo(out, "%d. **Backup.** Confirm that a recent backup (or a point-in-time recovery window) of the database exists%s.\n",
					 step++, r->walk.losses != NIL ?
					 ": it is the only way back for the data listed under Data-loss risk" :
					 r->row->downgrade == NULL ? ": without a downgrade it is the way back" : "");
	appendStringInfo(out, "%d. **Staging.** Register the revision on a staging database with production's schema and a realistic copy of its data, and run `SELECT * FROM mig_upgrade('%s');` there.\n",
					 step++, id);
	appendStringInfo(out, "%d. **Verify.** %s\n", step++,
					 r->verified != NULL ?
					 psprintf("Done in this report (see Testing results); if this database is not staging, repeat it there: `SELECT mig_report('%s', verify => true);`.", id) :
					 psprintf("On staging, `SELECT mig_report('%s', verify => true);`: upgrade, downgrade, schema and data compared, all rolled back.", id));
	if (r->walk.nontx != NIL)
	{
		StringInfoData nums;

		initStringInfo(&nums);
		foreach(lc, r->walk.nontx)
			appendStringInfo(&nums, "%s%d", nums.len > 0 ? ", " : "", lfirst_int(lc));
		appendStringInfo(out, "%d. **Apply by hand.** Statement%s %s cannot run inside a transaction block, so schemamig refuses to run this revision. Run its statements by hand (psql, one at a time, outside BEGIN ... COMMIT), then record the revision without running it: `SELECT mig_stamp('%s');`.\n",
						 step++, list_length(r->walk.nontx) == 1 ? "" : "s", nums.data, id);
	}
	else
	{
		appendStringInfo(out, "%d. **Apply.** `SELECT * FROM mig_upgrade('%s');` runs %s in one transaction: all of it commits, or nothing does.",
						 step++, id, r->nbefore == 0 ? "it" :
						 psprintf("the %d pending revision%s before it and it", r->nbefore,
								  r->nbefore == 1 ? "" : "s"));
		if (r->nbefore > 0)
			appendStringInfo(out, " `CALL mig_upgrade_proc('%s');` commits after each revision instead, releasing each one's locks.", id);
		if (wait < 0)
			appendStringInfoString(out, " schemamig.lock_timeout is 0: a statement waits for its locks without limit, and every query on the table queues behind it meanwhile.");
		else
			appendStringInfo(out, " Each statement runs with lock_timeout %d ms (schemamig.lock_timeout) and is retried up to %d times (sleeping %d ms, doubling up to %d ms), at most %.1f s of waiting before the call fails and rolls back.",
							 mig_lock_timeout, mig_lock_retries, mig_lock_retry_backoff,
							 mig_lock_retry_backoff_max, wait / 1000.0);
		if (mig_statement_timeout > 0)
			appendStringInfo(out, " A statement running longer than %d ms (schemamig.statement_timeout) is cancelled.",
							 mig_statement_timeout);
		else
			appendStringInfoString(out, " No statement_timeout (schemamig.statement_timeout is 0).");
		appendStringInfoString(out, "\n");
	}
	appendStringInfo(out, "%d. **Watch.** Follow the progress NOTICE, sessions waiting for locks (`pg_stat_activity.wait_event_type = 'Lock'`)%s%s, and the server log; afterwards `SELECT * FROM mig_check();` reports no error.\n",
					 step++, tables.len > 0 ? " on " : "", tables.data);
	if (r->row->downgrade != NULL)
		appendStringInfo(out, "%d. **Roll back** if needed: `SELECT * FROM mig_downgrade('%s');` runs the downgrade (%d statement%s)%s.\n",
						 step++, downgrade_target(r), r->ndown, r->ndown == 1 ? "" : "s",
						 r->walk.losses != NIL ?
						 "; it cannot bring back the data the upgrade destroyed: restore that from the backup" : "");
	else
		appendStringInfo(out, "%d. **Roll back** if needed: there is no downgrade. Restore the backup, or write the reverse SQL, run it by hand and record it with `SELECT mig_stamp('%s');`.\n",
						 step++, downgrade_target(r));
}

/*
 * write_risk
 *		The risk level and the reasons that set it.
 */
static void
write_risk(StringInfo out, Report *r)
{
	const char *level = risk_level(r);
	List	   *reasons = r->high != NIL ? r->high : r->medium;
	ListCell   *lc;

	appendStringInfo(out, "\n## Risk\n\n**%s**\n\n", level);
	foreach(lc, reasons)
		appendStringInfo(out, "- %s\n", (char *) lfirst(lc));
	if (r->high != NIL && r->medium != NIL)
	{
		appendStringInfoString(out, "\nAlso (medium):\n\n");
		foreach(lc, r->medium)
			appendStringInfo(out, "- %s\n", (char *) lfirst(lc));
	}
	if (reasons == NIL)
		appendStringInfoString(out, "- no data loss, no lock that blocks writes on a table with rows, no rows of an existing table changed, no lint warning or error, and a downgrade is written\n");
}

/* ------------------------------------------------------------------------
 * Gathering, and the SQL entry point
 * ------------------------------------------------------------------------ */

/*
 * load_revision
 *		Read revision idx of g with its state: applied (when and by whom it
 *		was last upgraded) or pending (and which pending revisions an
 *		upgrade to it runs first).  Expects an SPI connection.
 */
static void
load_revision(Report *r, MigGraph *g, char **current, int ncurrent, int idx,
			  bool *applied)
{
	const char *id = mig_graph_rev(g, idx)->id;
	int			n = mig_graph_nrevs(g);

	r->row = registry_fetch(id);
	if (r->row == NULL)
		elog(ERROR, "revision \"%s\" vanished from the catalog", id);
	r->applied = applied[idx];
	if (r->applied)
	{
		char	  **at = palloc(sizeof(char *) * n);
		double	   *ms = palloc(sizeof(double) * n);
		char	  **by = palloc(sizeof(char *) * n);

		registry_last_upgrades(g, at, ms, by);
		r->applied_at = at[idx];
		r->applied_by = by[idx];
	}
	else
	{
		MigPlan    *plan = mig_graph_plan(g, MIG_CMD_UPGRADE, id, current, ncurrent);

		r->before = palloc(sizeof(char *) * Max(plan->nsteps, 1));
		for (int i = 0; i < plan->nsteps; i++)
			if (plan->steps[i].rev != idx)
				r->before[r->nbefore++] = mig_graph_rev(g, plan->steps[i].rev)->id;
	}
}

/*
 * gather_revision
 *		Resolve the revision argument to exactly one registered revision and
 *		read it with its state: applied (when and by whom) or pending (and
 *		which pending revisions an upgrade to it runs first).  Connects to
 *		SPI for the catalog reads; everything is allocated in cxt.
 */
static void
gather_revision(Report *r, const char *target, MemoryContext cxt)
{
	MigRevDef  *defs;
	MigGraph   *g;
	char	  **current;
	int			ncurrent;
	int		   *idx;
	int			nidx;
	int			n;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(cxt);

	defs = registry_load_defs(&n);
	g = mig_graph_build(defs, n);
	current = registry_current_heads(&ncurrent);
	idx = mig_graph_resolve(g, target, current, ncurrent, &nidx);
	if (nidx == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target \"%s\" names no revision", target),
				 errhint("Name one revision: a full id, a unique prefix, \"<label>@head\" or \"head\".")));
	if (nidx > 1)
	{
		StringInfoData ids;

		initStringInfo(&ids);
		for (int i = 0; i < nidx; i++)
			appendStringInfo(&ids, "%s\"%s\"", i > 0 ? ", " : "",
							 mig_graph_rev(g, idx[i])->id);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target \"%s\" names %d revisions", target, nidx),
				 errdetail("It names %s.", ids.data),
				 errhint("A report describes one revision: name one of them.")));
	}
	load_revision(r, g, current, ncurrent, idx[0], mig_graph_applied(g, current, ncurrent));

	SPI_finish();
	MemoryContextSwitchTo(cxt);
}

/*
 * analyse_sql
 *		Parse the revision's SQL and walk it; lint it as the runner will run
 *		it, keeping the suppressed findings and every table lock.  Names
 *		resolve with schemamig.search_path, as when the revision runs.
 */
static void
analyse_sql(Report *r)
{
	const char *id = r->row->id;
	List	   *stmts;
	int			nestlevel = -1;
	ListCell   *lc;

	if (mig_search_path != NULL)
	{
		nestlevel = NewGUCNestLevel();
		(void) set_config_option("search_path", mig_search_path,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}

	stmts = sqltext_split(r->row->upgrade, psprintf("revision \"%s\" upgrade", id));
	r->nup = list_length(stmts);
	if (r->row->downgrade != NULL)
		r->ndown = list_length(sqltext_split(r->row->downgrade,
											 psprintf("revision \"%s\" downgrade", id)));

	r->walk.sql = r->row->upgrade;
	foreach(lc, stmts)
	{
		r->walk.st = (MigStatement *) lfirst(lc);
		walk_statement(&r->walk, r->walk.st->parsetree);
	}
	r->findings = mig_lint_revision(stmts, true, &r->locks);

	if (nestlevel >= 0)
		AtEOXact_GUC(false, nestlevel);
}

/*
 * check_verify_privilege
 *		verify => true runs the revision's SQL (rolled back): only for those
 *		who may run mig_verify() (in nsp, the extension's schema, where
 *		mig_report() itself lives): migration runners.
 */
static void
check_verify_privilege(const char *what, Oid nsp)
{
	Oid			argtypes[1] = {TEXTOID};
	Oid			fn;

	fn = LookupFuncName(list_make2(makeString(get_namespace_name(nsp)),
								   makeString("mig_verify")),
						1, argtypes, true);
#if PG_VERSION_NUM >= 160000
	if (!OidIsValid(fn) ||
		object_aclcheck(ProcedureRelationId, fn, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
#else
	if (!OidIsValid(fn) || pg_proc_aclcheck(fn, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
#endif
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to verify %s", what),
				 errdetail("verify => true runs the revision's SQL in a round trip that is rolled back, which needs the rights of a migration runner (EXECUTE on mig_verify)."),
				 errhint("Run the report without verify, or have the extension's owner run SELECT mig_grant_runner('%s').",
						 GetUserNameFromId(GetUserId(), false))));
}

/*
 * write_report
 *		The whole report of one revision, in the template's order.
 */
static void
write_report(StringInfo out, Report *r)
{
	write_title(out, r);
	write_changes(out, r);
	write_safety(out, r);
	write_testing(out, r);
	write_plan(out, r);
	write_risk(out, r);
}

/*
 * mig_report
 *		mig_report(revision text, verify boolean DEFAULT false) RETURNS text:
 *		the Markdown report of one revision.
 */
Datum
mig_report(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt;
	Report		r;
	StringInfoData out;
	text	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision cannot be null"),
				 errhint("Name one revision: a full id, a unique prefix, \"<label>@head\" or \"head\".")));

	cxt = AllocSetContextCreate(caller, "mig_report", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	memset(&r, 0, sizeof(r));
	r.verify = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);

	gather_revision(&r, text_to_cstring(PG_GETARG_TEXT_PP(0)), cxt);
	if (r.verify && !r.applied)
		check_verify_privilege(psprintf("revision \"%s\"", r.row->id),
							   get_func_namespace(fcinfo->flinfo->fn_oid));
	analyse_sql(&r);
	if (r.verify && !r.applied)
	{
		List	   *results = mig_verify_target(r.row->id, r.row->id);

		MemoryContextSwitchTo(cxt);
		if (results != NIL)
			r.verified = (MigVerifyResult *) llast(results);
	}
	estimate_work(&r);
	compute_verdicts(&r);

	initStringInfo(&out);
	write_report(&out, &r);

	MemoryContextSwitchTo(caller);
	result = cstring_to_text(out.data);
	MemoryContextDelete(cxt);
	PG_RETURN_TEXT_P(result);
}

/* ------------------------------------------------------------------------
 * The report of a whole deployment: mig_report_plan()
 * ------------------------------------------------------------------------ */

/*
 * append_demoted
 *		Append a revision's report with every heading one level down, so
 *		that it nests under the plan's own sections.
 */
static void
append_demoted(StringInfo out, const char *doc)
{
	const char *p = doc;

	while (*p)
	{
		const char *eol = strchr(p, '\n');
		int			len = eol ? (int) (eol - p + 1) : (int) strlen(p);

		if (*p == '#')
			appendStringInfoChar(out, '#');
		appendBinaryStringInfo(out, p, len);
		p += len;
	}
}

/*
 * status_word
 *		A revision's status as the summary table shows it.
 */
static const char *
status_word(Report *r)
{
	if (r->blocked != NIL)
		return "**blocked**";
	if (strcmp(risk_level(r), "LOW") != 0)
		return "needs attention";
	return "ready";
}

/*
 * write_plan_report
 *		The plan's own sections: title block, summary of the revisions,
 *		overall risk with each revision's reasons, how to deploy the whole,
 *		then every revision's report.
 */
static void
write_plan_report(StringInfo out, const char *target, char **current,
				  int ncurrent, Report *reports, int n)
{
	const char *overall = "LOW";
	bool		blocked = false;
	List	   *nontx = NIL;
	ListCell   *lc;

	for (int i = 0; i < n; i++)
	{
		const char *level = risk_level(&reports[i]);

		if (strcmp(level, "HIGH") == 0 ||
			(strcmp(level, "MEDIUM") == 0 && strcmp(overall, "LOW") == 0))
			overall = level;
		if (reports[i].blocked != NIL)
			blocked = true;
		if (reports[i].walk.nontx != NIL)
			nontx = lappend(nontx, reports[i].row->id);
	}

	appendStringInfo(out, "# Migration plan: %s\n\n| | |\n|---|---|\n", md_code(target));
	appendStringInfo(out, "| Target | %s |\n", md_code(target));
	appendStringInfo(out, "| Current heads | %s |\n",
					 ncurrent == 0 ? "none (nothing applied)" : code_list(current, ncurrent));
	if (n == 0)
	{
		appendStringInfoString(out, "| Revisions to run | none: the database is at the target already |\n| Status | **ready**: nothing to do |\n\n## Risk\n\n**LOW**\n\n- nothing to run\n");
		return;
	}
	{
		char	  **ids = palloc(sizeof(char *) * n);

		for (int i = 0; i < n; i++)
			ids[i] = reports[i].row->id;
		appendStringInfo(out, "| Revisions to run | %d, in this order: %s |\n", n, code_list(ids, n));
	}
	appendStringInfo(out, "| Status | %s |\n",
					 blocked ? "**blocked**: see the revisions marked blocked" :
					 strcmp(overall, "LOW") != 0 ?
					 psprintf("**needs attention**: risk %s (see Risk)", overall) :
					 "**ready**: risk LOW");

	appendStringInfoString(out, "\n## Summary\n\n| # | revision | message | statements | downgrade | status | risk |\n|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < n; i++)
	{
		Report	   *r = &reports[i];

		appendStringInfo(out, "| %d | %s | %s | %d | %s | %s | %s |\n", i + 1,
						 md_code(r->row->id), r->row->message ? md_cell(r->row->message) : "",
						 r->nup, r->row->downgrade ? "written" : "**none**",
						 status_word(r), risk_level(r));
	}

	appendStringInfo(out, "\n## Risk\n\n**%s**: the highest risk of the revisions.\n\n", overall);
	for (int i = 0; i < n; i++)
	{
		Report	   *r = &reports[i];
		List	   *reasons = r->high != NIL ? r->high : r->medium;

		foreach(lc, reasons)
			appendStringInfo(out, "- %s (%s): %s\n", md_code(r->row->id), risk_level(r),
							 (char *) lfirst(lc));
	}
	if (strcmp(overall, "LOW") == 0)
		appendStringInfoString(out, "- no revision has a reason for more\n");

	appendStringInfoString(out, "\n## Deployment\n\n");
	if (nontx != NIL)
	{
		StringInfoData ids;

		initStringInfo(&ids);
		foreach(lc, nontx)
			appendStringInfo(&ids, "%s%s", ids.len > 0 ? ", " : "", md_code((char *) lfirst(lc)));
		appendStringInfo(out, "schemamig refuses to run %s: %s statements that cannot run inside a transaction block. Upgrade to the revision before each, run its statements by hand and record it with `mig_stamp`, then go on (see each revision's deployment plan).\n",
						 list_length(nontx) == 1 ? "one of them" : "some of them", ids.data);
	}
	else
		appendStringInfo(out, "`SELECT * FROM mig_upgrade('%s');` runs the %d revision%s in one transaction: all of them commit, or none does. `CALL mig_upgrade_proc('%s');` commits after each revision instead, so that each one's locks are released as it commits and an interruption keeps the revisions done so far. Each revision's own plan below says what to check and how to roll it back.\n",
						 target, n, n == 1 ? "" : "s", target);

	for (int i = 0; i < n; i++)
	{
		StringInfoData one;

		initStringInfo(&one);
		write_report(&one, &reports[i]);
		appendStringInfoString(out, "\n");
		append_demoted(out, one.data);
		pfree(one.data);
	}
}

/*
 * mig_report_plan
 *		mig_report_plan(target text DEFAULT 'heads', verify boolean DEFAULT
 *		false) RETURNS text: one report over every revision an upgrade from
 *		the current heads to target would run, with the overall risk; with
 *		verify, the round trips of mig_verify(target).
 */
Datum
mig_report_plan(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt;
	const char *target;
	bool		verify = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	MigGraph   *g;
	MigPlan    *plan;
	char	  **current;
	int			ncurrent;
	bool	   *applied;
	Report	   *reports;
	int			n;
	StringInfoData out;
	text	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migration target cannot be null"),
				 errhint("Use \"heads\", \"head\", a revision id or a relative target such as \"+2\".")));

	cxt = AllocSetContextCreate(caller, "mig_report_plan", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(cxt);
	{
		MigRevDef  *defs = registry_load_defs(&n);

		g = mig_graph_build(defs, n);
	}
	current = registry_current_heads(&ncurrent);
	plan = mig_graph_plan(g, MIG_CMD_UPGRADE, target, current, ncurrent);
	applied = mig_graph_applied(g, current, ncurrent);
	n = plan->nsteps;
	reports = palloc0(sizeof(Report) * Max(n, 1));
	for (int i = 0; i < n; i++)
		load_revision(&reports[i], g, current, ncurrent, plan->steps[i].rev, applied);
	SPI_finish();
	MemoryContextSwitchTo(cxt);

	if (verify && n > 0)
		check_verify_privilege(psprintf("target \"%s\"", target),
							   get_func_namespace(fcinfo->flinfo->fn_oid));
	for (int i = 0; i < n; i++)
	{
		reports[i].verify = verify;
		reports[i].in_plan = true;
		analyse_sql(&reports[i]);
	}
	if (verify && n > 0)
	{
		ListCell   *lc;

		foreach(lc, mig_verify_target(target, NULL))
		{
			MigVerifyResult *v = (MigVerifyResult *) lfirst(lc);

			for (int i = 0; i < n; i++)
				if (strcmp(reports[i].row->id, v->revision) == 0)
					reports[i].verified = v;
		}
		MemoryContextSwitchTo(cxt);
	}
	for (int i = 0; i < n; i++)
	{
		estimate_work(&reports[i]);
		compute_verdicts(&reports[i]);
	}

	initStringInfo(&out);
	write_plan_report(&out, target, current, ncurrent, reports, n);

	MemoryContextSwitchTo(caller);
	result = cstring_to_text(out.data);
	MemoryContextDelete(cxt);
	PG_RETURN_TEXT_P(result);
}
