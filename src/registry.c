/*-------------------------------------------------------------------------
 *
 * registry.c
 *	  Catalog reads and writes: revisions, the version table, the history.
 *
 * Every statement is prepared once per backend and kept (SPI_keepplan), so
 * that registering thousands of revisions or loading a 100,000-revision
 * graph costs one execution per call, not a parse and a plan.  All names are
 * schema-qualified: nothing here depends on the caller's search_path.
 *
 * IDENTIFICATION
 *	  src/registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "lib/stringinfo.h"
#include "sqltext.h"

#include "registry.h"
#include "schemamig.h"

/* The statements, each prepared on first use. */
enum
{
	Q_LOAD_DEFS,
	Q_CURRENT,
	Q_FETCH,
	Q_EXISTS,
	Q_LABEL_OWNER,
	Q_INSERT,
	Q_UPDATE,
	Q_DELETE,
	Q_HEADS_DELETE,
	Q_HEADS_INSERT,
	Q_HISTORY,
	Q_LAST_UPGRADES,
	Q_NO_DOWNGRADE,
	Q_MESSAGES,
	Q_ALL_ROWS,
	Q_LAST_HISTORY,
	Q_HEADS_REMOVE,
	NUM_QUERIES
};

typedef struct RegistryQuery
{
	const char *sql;
	int			nargs;
	Oid			argtypes[12];
} RegistryQuery;

static const RegistryQuery queries[NUM_QUERIES] = {
	[Q_LOAD_DEFS] = {
		"SELECT id, parents, branch_labels, depends_on "
		"FROM schemamig.revision ORDER BY seq", 0, {0}
	},
	[Q_CURRENT] = {
		"SELECT revision FROM schemamig.version ORDER BY revision", 0, {0}
	},
	[Q_FETCH] = {
		"SELECT id, parents, branch_labels, depends_on, message, upgrade, "
		"downgrade, checksum, registered_by::text, registered_at::text "
		"FROM schemamig.revision WHERE id = $1", 1, {TEXTOID}
	},
	[Q_EXISTS] = {
		"SELECT 1 FROM schemamig.revision WHERE id = $1", 1, {TEXTOID}
	},
	[Q_LABEL_OWNER] = {
		"SELECT id FROM schemamig.revision WHERE branch_labels @> ARRAY[$1]", 1, {TEXTOID}
	},
	[Q_INSERT] = {
		"INSERT INTO schemamig.revision (id, parents, branch_labels, depends_on, "
		"message, upgrade, downgrade, checksum) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8,
		{TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID,
		TEXTOID, TEXTOID}
	},
	[Q_UPDATE] = {
		"UPDATE schemamig.revision SET parents = $2, branch_labels = $3, "
		"depends_on = $4, message = $5, upgrade = $6, downgrade = $7, "
		"checksum = $8, registered_by = current_user, registered_at = now() "
		"WHERE id = $1", 8,
		{TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID,
		TEXTOID, TEXTOID}
	},
	[Q_DELETE] = {
		"DELETE FROM schemamig.revision WHERE id = $1", 1, {TEXTOID}
	},
	[Q_HEADS_DELETE] = {
		"DELETE FROM schemamig.version WHERE revision <> ALL ($1)", 1,
		{TEXTARRAYOID}
	},
	[Q_HEADS_INSERT] = {
		"INSERT INTO schemamig.version (revision) SELECT unnest($1) "
		"ON CONFLICT (revision) DO NOTHING", 1, {TEXTARRAYOID}
	},
	[Q_HISTORY] = {
		"INSERT INTO schemamig.history (revision, direction, started_at, "
		"duration_ms, heads_before, heads_after, target, note) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8,
		{TEXTOID, TEXTOID, TIMESTAMPTZOID, FLOAT8OID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTOID, TEXTOID}
	},
	[Q_LAST_UPGRADES] = {
		"SELECT revision, to_char(started_at AT TIME ZONE 'UTC', "
		"'YYYY-MM-DD HH24:MI:SS.US+00'), duration_ms, role::text, direction, "
		"heads_before, heads_after FROM schemamig.history "
		"WHERE direction IN ('upgrade', 'stamp') ORDER BY id", 0, {0}
	},
	[Q_NO_DOWNGRADE] = {
		"SELECT id FROM schemamig.revision WHERE id = ANY ($1) "
		"AND downgrade IS NULL LIMIT 1", 1, {TEXTARRAYOID}
	},
	[Q_MESSAGES] = {
		"SELECT id, message FROM schemamig.revision WHERE message IS NOT NULL",
		0, {0}
	},
	[Q_ALL_ROWS] = {
		"SELECT id, parents, branch_labels, depends_on, message, upgrade, "
		"downgrade, checksum FROM schemamig.revision ORDER BY seq", 0, {0}
	},
	[Q_HEADS_REMOVE] = {
		"DELETE FROM schemamig.version WHERE revision = ANY ($1)", 1,
		{TEXTARRAYOID}
	},
	[Q_LAST_HISTORY] = {
		"SELECT heads_after FROM schemamig.history ORDER BY id DESC LIMIT 1",
		0, {0}
	},
};

static SPIPlanPtr plans[NUM_QUERIES];

/*
 * get_plan
 *		The saved plan of query q, prepared on first use.
 */
static SPIPlanPtr
get_plan(int q)
{
	if (plans[q] == NULL)
	{
		SPIPlanPtr	plan;

		/*
		 * The label lookup is planned per call: a generic plan made while
		 * the table is nearly empty would scan it sequentially forever.
		 */
		plan = SPI_prepare_cursor(queries[q].sql, queries[q].nargs,
								  (Oid *) queries[q].argtypes,
								  q == Q_LABEL_OWNER ? CURSOR_OPT_CUSTOM_PLAN : 0);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 queries[q].sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		plans[q] = plan;
	}
	return plans[q];
}

/*
 * run
 *		Execute query q with the given arguments; nulls as SPI_execute_plan
 *		takes them (NULL pointer = no nulls).
 *
 * Reads pass read_only = false too: that makes SPI take a fresh snapshot
 * (after waiting for the migration lock we must see the other runner's
 * commit) and see this call's own earlier writes.
 */
static int
run(int q, Datum *values, const char *nulls, bool read_only, long count)
{
	int			rc;
	MemoryContext caller = CurrentMemoryContext;

	rc = SPI_execute_plan(get_plan(q), values, nulls, read_only, count);
	/* SPI returns in its procedure context: stay in the caller's */
	MemoryContextSwitchTo(caller);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s",
			 queries[q].sql, SPI_result_code_string(rc));
	return rc;
}

/*
 * text_array
 *		Build a text[] Datum from C strings.
 */
static Datum
text_array(char **items, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * compare_cstrings
 *		qsort comparator for C strings.
 */
static int
compare_cstrings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * sorted_text_array
 *		A text[] Datum of the strings in sorted order: head lists are sets,
 *		and the history should show them the same way every time.
 */
static Datum
sorted_text_array(char **items, int n)
{
	char	  **copy = palloc(sizeof(char *) * Max(n, 1));

	memcpy(copy, items, sizeof(char *) * n);
	qsort(copy, n, sizeof(char *), compare_cstrings);
	return text_array(copy, n);
}

/*
 * array_strings
 *		Deconstruct a text[] column of the current SPI row into C strings
 *		allocated in cxt.
 */
static char **
array_strings(HeapTuple tup, TupleDesc desc, int col, int *n, MemoryContext cxt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	char	  **result;
	int			i;
	MemoryContext old;

	*n = 0;
	if (isnull)
		return NULL;
	arr = DatumGetArrayTypeP(d);
	if (ARR_NDIM(arr) == 0)
		return NULL;
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &nelems);
	old = MemoryContextSwitchTo(cxt);
	result = palloc(sizeof(char *) * nelems);
	for (i = 0; i < nelems; i++)
		result[i] = nulls[i] ? pstrdup("") : TextDatumGetCString(elems[i]);
	MemoryContextSwitchTo(old);
	*n = nelems;
	return result;
}

/*
 * value_string
 *		A text column of the current SPI row as a C string in cxt, or NULL.
 */
static char *
value_string(HeapTuple tup, TupleDesc desc, int col, MemoryContext cxt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);
	MemoryContext old;
	char	   *result;

	if (isnull)
		return NULL;
	old = MemoryContextSwitchTo(cxt);
	result = TextDatumGetCString(d);
	MemoryContextSwitchTo(old);
	return result;
}

/*
 * fill_row
 *		The content columns of a revision row (id, parents, branch_labels,
 *		depends_on, message, upgrade, downgrade, checksum: columns 1 to 8 of
 *		Q_FETCH and Q_ALL_ROWS) into row, allocated in cxt.
 */
static void
fill_row(MigRevisionRow *row, HeapTuple tup, TupleDesc desc, MemoryContext cxt)
{
	row->id = value_string(tup, desc, 1, cxt);
	row->parents = array_strings(tup, desc, 2, &row->nparents, cxt);
	row->labels = array_strings(tup, desc, 3, &row->nlabels, cxt);
	row->depends = array_strings(tup, desc, 4, &row->ndepends, cxt);
	row->message = value_string(tup, desc, 5, cxt);
	row->upgrade = value_string(tup, desc, 6, cxt);
	row->downgrade = value_string(tup, desc, 7, cxt);
	row->checksum = value_string(tup, desc, 8, cxt);
}

/*
 * registry_load_defs
 *		Load the graph fields of every revision, in registration order.
 *
 * One query; the tuple table is freed before returning, so peak memory is
 * the rows once plus the result.
 */
MigRevDef *
registry_load_defs(int *nrevs)
{
	MemoryContext cxt = CurrentMemoryContext;
	MigRevDef  *defs;
	uint64		i;

	run(Q_LOAD_DEFS, NULL, NULL, false, 0);
	defs = palloc0(sizeof(MigRevDef) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MigRevDef  *d = &defs[i];

		d->id = value_string(tup, desc, 1, cxt);
		d->parents = array_strings(tup, desc, 2, &d->nparents, cxt);
		d->labels = array_strings(tup, desc, 3, &d->nlabels, cxt);
		d->depends = array_strings(tup, desc, 4, &d->ndepends, cxt);
	}
	*nrevs = (int) SPI_processed;
	SPI_freetuptable(SPI_tuptable);
	return defs;
}

/*
 * registry_current_heads
 *		The version table's rows, sorted.
 */
char	  **
registry_current_heads(int *nheads)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	  **heads;
	uint64		i;

	run(Q_CURRENT, NULL, NULL, false, 0);
	heads = palloc(sizeof(char *) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
		heads[i] = value_string(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, cxt);
	*nheads = (int) SPI_processed;
	SPI_freetuptable(SPI_tuptable);
	return heads;
}

/*
 * registry_fetch
 *		A revision's complete row, or NULL when it is not registered.
 */
MigRevisionRow *
registry_fetch(const char *id)
{
	MemoryContext cxt = CurrentMemoryContext;
	Datum		arg = CStringGetTextDatum(id);
	MigRevisionRow *row;
	HeapTuple	tup;
	TupleDesc	desc;

	run(Q_FETCH, &arg, NULL, false, 1);
	if (SPI_processed == 0)
		return NULL;

	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	row = palloc0(sizeof(MigRevisionRow));
	fill_row(row, tup, desc, cxt);
	row->registered_by = value_string(tup, desc, 9, cxt);
	row->registered_at = value_string(tup, desc, 10, cxt);
	SPI_freetuptable(SPI_tuptable);
	return row;
}

/*
 * registry_exists
 *		Is a revision with exactly this id registered?
 */
bool
registry_exists(const char *id)
{
	Datum		arg = CStringGetTextDatum(id);

	run(Q_EXISTS, &arg, NULL, false, 1);
	return SPI_processed > 0;
}

/*
 * registry_label_owner
 *		The revision that declares branch label "label", or NULL.
 */
char *
registry_label_owner(const char *label)
{
	MemoryContext cxt = CurrentMemoryContext;
	Datum		arg = CStringGetTextDatum(label);
	char	   *result = NULL;

	run(Q_LABEL_OWNER, &arg, NULL, false, 1);
	if (SPI_processed > 0)
		result = value_string(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, cxt);
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * registry_store
 *		Insert a revision, or replace the content of an existing one.
 */
void
registry_store(const MigRevisionRow *row, bool replace)
{
	Datum		values[8];
	char		nulls[8];

	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(row->id);
	values[1] = text_array(row->parents, row->nparents);
	values[2] = text_array(row->labels, row->nlabels);
	values[3] = text_array(row->depends, row->ndepends);
	if (row->message)
		values[4] = CStringGetTextDatum(row->message);
	else
		nulls[4] = 'n';
	values[5] = CStringGetTextDatum(row->upgrade ? row->upgrade : "");
	if (row->downgrade)
		values[6] = CStringGetTextDatum(row->downgrade);
	else
		nulls[6] = 'n';
	values[7] = CStringGetTextDatum(row->checksum);

	run(replace ? Q_UPDATE : Q_INSERT, values, nulls, false, 0);
}

/*
 * registry_delete
 *		Remove a revision row.
 */
void
registry_delete(const char *id)
{
	Datum		arg = CStringGetTextDatum(id);

	run(Q_DELETE, &arg, NULL, false, 0);
}

/*
 * registry_set_heads
 *		Make the version table hold exactly heads: rows that stay keep their
 *		"since" timestamp.
 */
void
registry_set_heads(char **heads, int nheads)
{
	Datum		arr = text_array(heads, nheads);

	run(Q_HEADS_DELETE, &arr, NULL, false, 0);
	if (nheads > 0)
		run(Q_HEADS_INSERT, &arr, NULL, false, 0);
}

/*
 * registry_move_heads
 *		Remove and add version-table rows: one plan step's delta.
 */
void
registry_move_heads(char **removed, int nremoved, char **added, int nadded)
{
	Datum		arr;

	if (nremoved > 0)
	{
		arr = text_array(removed, nremoved);
		run(Q_HEADS_REMOVE, &arr, NULL, false, 0);
	}
	if (nadded > 0)
	{
		arr = text_array(added, nadded);
		run(Q_HEADS_INSERT, &arr, NULL, false, 0);
	}
}

/*
 * registry_append_history
 *		Append one row to the history.
 */
void
registry_append_history(const MigHistoryEntry *e)
{
	Datum		values[8];
	char		nulls[8];

	memset(nulls, ' ', sizeof(nulls));
	if (e->revision)
		values[0] = CStringGetTextDatum(e->revision);
	else
		nulls[0] = 'n';
	values[1] = CStringGetTextDatum(e->direction);
	values[2] = TimestampTzGetDatum(e->started_at);
	values[3] = Float8GetDatum(e->duration_ms);
	values[4] = sorted_text_array(e->heads_before, e->nheads_before);
	values[5] = sorted_text_array(e->heads_after, e->nheads_after);
	if (e->target)
		values[6] = CStringGetTextDatum(e->target);
	else
		nulls[6] = 'n';
	if (e->note)
		values[7] = CStringGetTextDatum(e->note);
	else
		nulls[7] = 'n';

	run(Q_HISTORY, values, nulls, false, 0);
}

/*
 * applied_by_heads
 *		Mark in out[] the revisions that heads (ids) have applied: those a
 *		downgrade to base would un-apply.  Nothing when a head is unknown.
 */
static void
applied_by_heads(const MigGraph *g, char **heads, int nheads, bool *out)
{
	MigPlan    *plan;
	int			i;

	memset(out, 0, sizeof(bool) * Max(mig_graph_nrevs(g), 1));
	if (nheads == 0)
		return;
	for (i = 0; i < nheads; i++)
		if (mig_graph_find(g, heads[i]) < 0)
			return;
	plan = mig_graph_plan(g, MIG_CMD_DOWNGRADE, "base", heads, nheads);
	for (i = 0; i < plan->nsteps; i++)
		out[plan->steps[i].rev] = true;
}

/*
 * registry_last_upgrades
 *		For each revision of g, the history row that last applied it: its
 *		last upgrade, or a later stamp that made it applied (duration -1:
 *		no SQL ran).  Rows are replayed in order, so a revision that was
 *		un-applied and stamped again never shows its older upgrade.
 */
void
registry_last_upgrades(const MigGraph *g, char **applied_at,
					   double *duration_ms, char **applied_by)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			n = mig_graph_nrevs(g);
	bool	   *before = palloc(sizeof(bool) * Max(n, 1));
	bool	   *after = palloc(sizeof(bool) * Max(n, 1));
	SPITupleTable *tuptable;
	uint64		nrows;
	uint64		i;
	int			k;

	for (k = 0; k < n; k++)
	{
		applied_at[k] = NULL;
		duration_ms[k] = -1;
		applied_by[k] = NULL;
	}

	run(Q_LAST_UPGRADES, NULL, NULL, false, 0);
	tuptable = SPI_tuptable;
	nrows = SPI_processed;
	for (i = 0; i < nrows; i++)
	{
		HeapTuple	tup = tuptable->vals[i];
		TupleDesc	desc = tuptable->tupdesc;
		char	   *direction = value_string(tup, desc, 5, cxt);
		bool		isnull;
		Datum		d;

		if (strcmp(direction, "upgrade") == 0)
		{
			char	   *id = value_string(tup, desc, 1, cxt);
			int			idx = id ? mig_graph_find(g, id) : -1;

			if (idx < 0)
				continue;
			applied_at[idx] = value_string(tup, desc, 2, cxt);
			d = SPI_getbinval(tup, desc, 3, &isnull);
			duration_ms[idx] = isnull ? -1 : DatumGetFloat8(d);
			applied_by[idx] = value_string(tup, desc, 4, cxt);
		}
		else
		{
			int			nb,
						na;
			char	  **hb = array_strings(tup, desc, 6, &nb, cxt);
			char	  **ha = array_strings(tup, desc, 7, &na, cxt);

			applied_by_heads(g, hb, nb, before);
			applied_by_heads(g, ha, na, after);
			for (k = 0; k < n; k++)
				if (after[k] && !before[k])
				{
					applied_at[k] = value_string(tup, desc, 2, cxt);
					duration_ms[k] = -1;
					applied_by[k] = value_string(tup, desc, 4, cxt);
				}
		}
	}
	SPI_freetuptable(tuptable);
}

/*
 * registry_first_without_downgrade
 *		One of ids that was registered without downgrade SQL, or NULL.
 */
char *
registry_first_without_downgrade(char **ids, int n)
{
	MemoryContext cxt = CurrentMemoryContext;
	Datum		arr = text_array(ids, n);
	char	   *result = NULL;

	run(Q_NO_DOWNGRADE, &arr, NULL, false, 1);
	if (SPI_processed > 0)
		result = value_string(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, cxt);
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * registry_load_messages
 *		Each revision's message, in an array indexed like the graph.
 */
char	  **
registry_load_messages(const MigGraph *g)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	  **messages = palloc0(sizeof(char *) * Max(mig_graph_nrevs(g), 1));
	uint64		i;

	run(Q_MESSAGES, NULL, NULL, false, 0);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *id = value_string(tup, desc, 1, cxt);
		int			idx = mig_graph_find(g, id);

		if (idx >= 0)
			messages[idx] = value_string(tup, desc, 2, cxt);
	}
	SPI_freetuptable(SPI_tuptable);
	return messages;
}

/*
 * append_directives
 *		Append every "schemamig:" directive of sql (the rest of its line)
 *		to buf.
 */
static void
append_directives(StringInfo buf, const char *sql)
{
	const char *p = sql;

	while (p != NULL && (p = strstr(p, "schemamig:")) != NULL)
	{
		const char *end = strchr(p, '\n');

		if (end == NULL)
			end = p + strlen(p);
		appendBinaryStringInfo(buf, p, end - p);
		appendStringInfoChar(buf, '\n');
		p = end;
	}
}

/*
 * registry_checksum
 *		The checksum stored with a revision: over everything that makes its
 *		content (its place in the graph and its SQL in both directions; the
 *		message is metadata, not content), normalized by the scanner so that
 *		whitespace and comments do not count.  The SQL must already have
 *		been accepted by sqltext_split().
 */
char *
registry_checksum(const MigRevisionRow *row)
{
	const char *parts[6];
	StringInfoData p,
				l,
				d,
				x;
	int			i;

	initStringInfo(&p);
	for (i = 0; i < row->nparents; i++)
		appendStringInfo(&p, "%s\x1f", row->parents[i]);
	initStringInfo(&l);
	for (i = 0; i < row->nlabels; i++)
		appendStringInfo(&l, "%s\x1f", row->labels[i]);
	initStringInfo(&d);
	for (i = 0; i < row->ndepends; i++)
		appendStringInfo(&d, "%s\x1f", row->depends[i]);

	/*
	 * Comments do not count, except schemamig's own directives
	 * ("schemamig:ignore ..."): adding one changes what the runner
	 * enforces, so it is content.
	 */
	initStringInfo(&x);
	append_directives(&x, row->upgrade);
	appendStringInfoChar(&x, '\x1f');
	append_directives(&x, row->downgrade);

	/* the lists are hashed as quoted literals so the scanner keeps them */
	parts[0] = quote_literal_cstr(p.data);
	parts[1] = quote_literal_cstr(l.data);
	parts[2] = quote_literal_cstr(d.data);
	parts[3] = row->upgrade;
	parts[4] = row->downgrade;
	parts[5] = x.len > 1 ? quote_literal_cstr(x.data) : NULL;
	return sqltext_checksum(parts, x.len > 1 ? 6 : 5);
}

/*
 * registry_load_rows
 *		Every revision's complete row (without registration metadata), in
 *		registration order.
 */
MigRevisionRow *
registry_load_rows(int *nrows)
{
	MemoryContext cxt = CurrentMemoryContext;
	MigRevisionRow *rows;
	SPITupleTable *tuptable;
	uint64		n;
	uint64		i;

	run(Q_ALL_ROWS, NULL, NULL, false, 0);
	tuptable = SPI_tuptable;
	n = SPI_processed;
	rows = palloc0(sizeof(MigRevisionRow) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = tuptable->vals[i];
		TupleDesc	desc = tuptable->tupdesc;
		fill_row(&rows[i], tup, desc, cxt);
	}
	SPI_freetuptable(tuptable);
	*nrows = (int) n;
	return rows;
}

/*
 * registry_last_history_heads
 *		heads_after of the newest history row; false when there is none.
 */
bool
registry_last_history_heads(char ***heads, int *nheads)
{
	MemoryContext cxt = CurrentMemoryContext;
	bool		found = false;

	*heads = NULL;
	*nheads = 0;
	run(Q_LAST_HISTORY, NULL, NULL, false, 1);
	if (SPI_processed > 0)
	{
		*heads = array_strings(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
							   nheads, cxt);
		found = true;
	}
	SPI_freetuptable(SPI_tuptable);
	return found;
}
