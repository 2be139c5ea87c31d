/*-------------------------------------------------------------------------
 *
 * api_revision.c
 *	  SQL entry points that register revisions: mig_revision, mig_merge,
 *	  mig_unregister; and the trigger that keeps the history append-only.
 *
 * Registering is idempotent: the same revision with the same content (by
 * checksum over the parser's token stream) is a no-op, so a deploy can
 * re-run a file of mig_revision calls.  New content replaces a revision that
 * is not applied; an applied revision's content cannot change.  New
 * revisions are checked incrementally (parents, labels and dependencies
 * exist; no SQL that cannot run in a migration) so that registering
 * thousands of revisions stays linear; replacing one revalidates the whole
 * graph, since only a replacement can introduce a cycle.
 *
 * IDENTIFICATION
 *	  src/api_revision.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "port.h"
#include "utils/builtins.h"

#include "graph.h"
#include "migration_lock.h"
#include "registry.h"
#include "schemamig.h"
#include "sqltext.h"

PG_FUNCTION_INFO_V1(mig_revision);
PG_FUNCTION_INFO_V1(mig_merge);
PG_FUNCTION_INFO_V1(mig_unregister);
PG_FUNCTION_INFO_V1(schemamig_history_append_only);

/*
 * split_list
 *		Split "a, b,c" into trimmed, non-empty items.  NULL gives none.
 *		Duplicates are an error naming the argument.
 */
static char **
split_list(const char *s, const char *argname, int *n)
{
	char	  **items;
	int			count = 0;
	const char *p;

	*n = 0;
	if (s == NULL)
		return NULL;

	items = palloc(sizeof(char *) * (strlen(s) / 2 + 2));
	p = s;
	while (*p)
	{
		const char *start;
		const char *end;
		int			i;
		char	   *item;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
							   end[-1] == '\n' || end[-1] == '\r'))
			end--;
		if (*p == ',')
			p++;
		if (end == start)
			continue;
		item = pnstrdup(start, end - start);
		for (i = 0; i < count; i++)
			if (strcmp(items[i], item) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s lists \"%s\" twice", argname, item)));
		items[count++] = item;
	}
	*n = count;
	return items;
}

/*
 * generate_revision_id
 *		A new 12-hex-digit id, as Alembic's uuid4().hex[-12:].
 */
static char *
generate_revision_id(void)
{
	uint8		bytes[6];
	char	   *id = palloc(13);

	if (!pg_strong_random(bytes, sizeof(bytes)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random revision id")));
	hex_encode((char *) bytes, sizeof(bytes), id);
	id[12] = '\0';
	return id;
}

/*
 * check_sql
 *		Parse one direction's SQL and refuse transaction control in it.
 */
static void
check_sql(const char *id, const char *direction, const char *sql)
{
	List	   *stmts;
	ListCell   *lc;

	if (sql == NULL)
		return;
	stmts = sqltext_split(sql, psprintf("revision \"%s\" %s", id, direction));
	foreach(lc, stmts)
	{
		MigStatement *st = (MigStatement *) lfirst(lc);
		const char *what = sqltext_transaction_control(st->parsetree);

		if (IsA(st->parsetree, CopyStmt) &&
			((CopyStmt *) st->parsetree)->filename == NULL &&
			!((CopyStmt *) st->parsetree)->is_program)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("revision \"%s\" %s copies from or to the client at statement %d (line %d)",
							id, direction, st->number, st->lineno),
					 errdetail("COPY FROM STDIN and COPY TO STDOUT need a client connection, and a migration runs inside the server."),
					 errhint("Use INSERT statements, or COPY from a file the server can read.")));
		if (what != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("revision \"%s\" %s contains transaction control at statement %d (line %d): %s",
							id, direction, st->number, st->lineno, what),
					 errdetail("schemamig runs each revision inside a transaction that it commits or rolls back itself."),
					 errhint("Remove the %s statement; use CALL mig_upgrade_proc() to commit after each revision.",
							 what)));
	}
}

/*
 * check_new_revision
 *		Incremental checks for a revision not yet registered: its parents
 *		and dependencies exist, its labels are free.
 */
static void
check_new_revision(MigRevisionRow *row)
{
	int			i;

	for (i = 0; i < row->nparents; i++)
	{
		if (strcmp(row->parents[i], row->id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("revision \"%s\" cannot be its own down_revision", row->id)));
		if (!registry_exists(row->parents[i]))
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("down_revision \"%s\" of revision \"%s\" is not registered",
							row->parents[i], row->id),
					 errhint("Register the parent revisions first.")));
	}

	for (i = 0; i < row->nlabels; i++)
	{
		char	   *owner;

		mig_check_branch_label(row->labels[i], row->id);
		if (strcmp(row->labels[i], row->id) == 0 ||
			registry_exists(row->labels[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("branch label \"%s\" is the id of a revision", row->labels[i])));
		owner = registry_label_owner(row->labels[i]);
		if (owner != NULL && strcmp(owner, row->id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("branch label \"%s\" is already used by revision \"%s\"",
							row->labels[i], owner)));
	}

	for (i = 0; i < row->ndepends; i++)
	{
		const char *dep = row->depends[i];
		int			j;

		if (strcmp(dep, row->id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("revision \"%s\" cannot depend on itself", row->id)));
		for (j = 0; j < row->nlabels; j++)
			if (strcmp(dep, row->labels[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("revision \"%s\" cannot depend on its own branch label \"%s\"",
								row->id, dep)));
		if (!registry_exists(dep) && registry_label_owner(dep) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("depends_on \"%s\" of revision \"%s\" is neither a registered revision nor a branch label",
							dep, row->id),
					 errhint("Register the revision it depends on first.")));
	}
}

/*
 * is_applied
 *		Is revision id applied, i.e. would a downgrade to base from the
 *		current heads un-apply it?
 */
static bool
is_applied(const MigGraph *g, const char *id)
{
	char	  **current;
	int			ncurrent;
	MigPlan    *plan;
	int			i;

	current = registry_current_heads(&ncurrent);
	if (ncurrent == 0)
		return false;
	for (i = 0; i < ncurrent; i++)
	{
		if (strcmp(current[i], id) == 0)
			return true;
		if (mig_graph_find(g, current[i]) < 0)
			return false;
	}
	plan = mig_graph_plan(g, MIG_CMD_DOWNGRADE, "base", current, ncurrent);
	for (i = 0; i < plan->nsteps; i++)
		if (strcmp(mig_graph_rev(g, plan->steps[i].rev)->id, id) == 0)
			return true;
	return false;
}

/*
 * replace_revision
 *		New content for an existing revision: refuse if it is applied,
 *		otherwise validate the whole graph with the replacement in place.
 */
static void
replace_revision(MigRevisionRow *row, MigRevisionRow *old)
{
	int			n;
	MigRevDef  *defs = registry_load_defs(&n);
	MigGraph   *g = mig_graph_build(defs, n);
	int			i;

	if (is_applied(g, row->id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is applied and its content cannot change", row->id),
				 errdetail("The stored checksum is %s; the new content's is %s.",
						   old->checksum, row->checksum),
				 errhint("Write a new revision for the change, or downgrade below \"%s\" first.",
						 row->id)));

	for (i = 0; i < n; i++)
	{
		if (strcmp(defs[i].id, row->id) != 0)
			continue;
		defs[i].parents = row->parents;
		defs[i].nparents = row->nparents;
		defs[i].labels = row->labels;
		defs[i].nlabels = row->nlabels;
		defs[i].depends = row->depends;
		defs[i].ndepends = row->ndepends;
	}
	(void) mig_graph_build(defs, n);
}

/*
 * register_revision
 *		Register row (all fields but checksum filled in); returns nothing,
 *		raises on every invalid input.  Caller holds the migration lock and
 *		is connected to SPI.
 */
static void
register_revision(MigRevisionRow *row)
{
	MigRevisionRow *old;

	mig_check_revision_id(row->id);
	check_sql(row->id, "upgrade", row->upgrade);
	check_sql(row->id, "downgrade", row->downgrade);
	row->checksum = registry_checksum(row);

	old = registry_fetch(row->id);
	if (old == NULL)
	{
		char	   *owner = registry_label_owner(row->id);

		if (owner != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("revision id \"%s\" is already a branch label of revision \"%s\"",
							row->id, owner)));
		check_new_revision(row);
		registry_store(row, false);
		return;
	}

	if (strcmp(old->checksum, row->checksum) == 0)
	{
		/* same content: only a changed message is written */
		if ((old->message == NULL) != (row->message == NULL) ||
			(old->message && strcmp(old->message, row->message) != 0))
		{
			old->message = row->message;
			registry_store(old, true);
		}
		return;
	}

	check_new_revision(row);
	replace_revision(row, old);
	registry_store(row, true);
}

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
 * mig_register_revision
 *		Register a revision from C with every rule of mig_revision() (the
 *		migration lock, the checks, the idempotence and replacement rules);
 *		row->id NULL generates an id.  Returns the id.
 */
char *
mig_register_revision(MigRevisionRow *row)
{
	if (row->id == NULL)
		row->id = generate_revision_id();
	if (row->upgrade == NULL)
		row->upgrade = "";

	(void) mig_lock_acquire(false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	register_revision(row);
	/* the checksum was computed in SPI's memory, gone after SPI_finish */
	row->checksum = NULL;
	SPI_finish();
	return row->id;
}

/*
 * mig_revision
 *		Register a revision; returns its id.
 */
Datum
mig_revision(PG_FUNCTION_ARGS)
{
	MigRevisionRow row;

	memset(&row, 0, sizeof(row));
	row.id = text_arg(fcinfo, 0);
	row.parents = split_list(text_arg(fcinfo, 1), "down_revision", &row.nparents);
	row.upgrade = text_arg(fcinfo, 2);
	row.downgrade = text_arg(fcinfo, 3);
	row.message = text_arg(fcinfo, 4);
	row.labels = split_list(text_arg(fcinfo, 5), "branch_labels", &row.nlabels);
	row.depends = split_list(text_arg(fcinfo, 6), "depends_on", &row.ndepends);

	PG_RETURN_TEXT_P(cstring_to_text(mig_register_revision(&row)));
}

/*
 * mig_merge
 *		Register a merge revision over the given revisions ("a,b", or
 *		"heads" for every head of the graph), with empty upgrade and
 *		downgrade, as `alembic merge` does.
 */
Datum
mig_merge(PG_FUNCTION_ARGS)
{
	MigRevisionRow row;
	char	   *revisions = text_arg(fcinfo, 0);

	if (revisions == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revisions to merge cannot be null"),
				 errhint("Name two or more revisions as 'a,b', or use 'heads'.")));

	memset(&row, 0, sizeof(row));
	row.message = text_arg(fcinfo, 1);
	row.id = text_arg(fcinfo, 2);
	if (row.id == NULL)
		row.id = generate_revision_id();
	row.upgrade = "";
	row.downgrade = "";

	(void) mig_lock_acquire(false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (strcmp(revisions, "heads") == 0)
	{
		int			n;
		MigRevDef  *defs = registry_load_defs(&n);
		MigGraph   *g = mig_graph_build(defs, n);
		int			nheads;
		int		   *heads = mig_graph_heads(g, &nheads);
		int			i;

		row.parents = palloc(sizeof(char *) * Max(nheads, 1));
		for (i = 0; i < nheads; i++)
			row.parents[i] = pstrdup(mig_graph_rev(g, heads[i])->id);
		row.nparents = nheads;
	}
	else
		row.parents = split_list(revisions, "revisions", &row.nparents);

	if (row.nparents < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a merge needs at least two revisions, got %d", row.nparents),
				 errhint("Name two or more revisions as 'a,b', or use 'heads' when the graph has several heads.")));

	register_revision(&row);
	SPI_finish();

	PG_RETURN_TEXT_P(cstring_to_text(row.id));
}

/*
 * mig_unregister
 *		Remove a revision that is not applied and that nothing refers to.
 */
Datum
mig_unregister(PG_FUNCTION_ARGS)
{
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			n;
	MigRevDef  *defs;
	MigGraph   *g;
	int			idx;
	int			i,
				j;

	(void) mig_lock_acquire(false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	defs = registry_load_defs(&n);
	g = mig_graph_build(defs, n);
	idx = mig_graph_find(g, id);
	if (idx < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("revision \"%s\" not found", id)));
	if (is_applied(g, id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is applied and cannot be unregistered", id),
				 errhint("Downgrade below it first.")));

	for (i = 0; i < n; i++)
	{
		for (j = 0; j < defs[i].nparents; j++)
			if (strcmp(defs[i].parents[j], id) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("revision \"%s\" cannot be unregistered: revision \"%s\" is its child",
								id, defs[i].id)));
		for (j = 0; j < defs[i].ndepends; j++)
		{
			int			k;
			bool		refers = strcmp(defs[i].depends[j], id) == 0;

			for (k = 0; k < defs[idx].nlabels && !refers; k++)
				refers = strcmp(defs[i].depends[j], defs[idx].labels[k]) == 0;
			if (refers && i != idx)
				ereport(ERROR,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("revision \"%s\" cannot be unregistered: revision \"%s\" depends on it",
								id, defs[i].id)));
		}
	}

	registry_delete(id);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * schemamig_history_append_only
 *		Trigger refusing UPDATE, DELETE and TRUNCATE on the history.
 */
Datum
schemamig_history_append_only(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function can only be called as a trigger")));

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("the migration history is append-only"),
			 errdetail("%s on schemamig.history is not allowed.",
					   TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "UPDATE" :
					   TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ? "DELETE" :
					   "TRUNCATE")));
	PG_RETURN_NULL();
}
