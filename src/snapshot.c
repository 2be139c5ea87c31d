/*-------------------------------------------------------------------------
 *
 * snapshot.c
 *	  Schema snapshots: the model of the managed schemas stored for the
 *	  current heads, and drift, the live schema compared with it.
 *
 * At the end of every call that moves the version table (mig_upgrade,
 * mig_downgrade, mig_stamp and the per-revision-commit procedures) the
 * model of every schema in schemamig.managed_schemas is stored in
 * schemamig.snapshot with the new heads.  The states inside one atomic call
 * are never visible to anybody, so they are not snapshotted, and the
 * procedures snapshot once at the end too: that keeps a 1,000-revision
 * upgrade at one model load, not a thousand.
 *
 * Drift compares, object by object, the snapshot of the current heads with
 * the live catalog: what was added, dropped or changed since, each with the
 * out-of-band rows of the DDL log that explain it.
 *
 * IDENTIFICATION
 *	  src/snapshot.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "hook.h"
#include "model.h"
#include "snapshot.h"

bool		mig_snapshots = true;

/*
 * mig_snapshot_init
 *		Define this module's GUC.
 */
void
mig_snapshot_init(void)
{
	DefineCustomBoolVariable("schemamig.snapshots",
							 "Store the model of the managed schemas whenever the version table moves.",
							 "mig_check() compares the live schema with the snapshot of the current heads to find drift.",
							 &mig_snapshots,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
}

/*
 * mig_managed_schema_list
 *		The existing schemas of schemamig.managed_schemas ("*": every
 *		schema that is not a system or temporary schema).
 */
List *
mig_managed_schema_list(void)
{
	char	   *copy = pstrdup(mig_managed_schemas ? mig_managed_schemas : "public");
	List	   *names = NIL;
	List	   *result = NIL;
	ListCell   *lc;

	if (strcmp(copy, "*") == 0)
	{
		if (SPI_execute("SELECT nspname FROM pg_catalog.pg_namespace "
						"WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' "
						"AND nspname <> 'schemamig' ORDER BY 1", true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not list schemas");
		for (uint64 i = 0; i < SPI_processed; i++)
			result = lappend(result, SPI_getvalue(SPI_tuptable->vals[i],
												  SPI_tuptable->tupdesc, 1));
		return result;
	}
	if (!SplitIdentifierString(copy, ',', &names))
		return NIL;
	foreach(lc, names)
	{
		char	   *name = (char *) lfirst(lc);

		if (OidIsValid(get_namespace_oid(name, true)))
			result = lappend(result, pstrdup(name));
	}
	return result;
}

/*
 * heads_array
 *		A sorted text[] Datum of the heads.
 */
static Datum
heads_array(char **heads, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	char	  **sorted = palloc(sizeof(char *) * Max(n, 1));
	int			i,
				j;

	memcpy(sorted, heads, sizeof(char *) * n);
	/* insertion sort: head lists are short */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--)
		{
			char	   *t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(sorted[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * store_jsonb
 *		Store the jsonb form of a model as the snapshot of schema for these
 *		heads, replacing an older one of the same heads and schema.
 */
static void
store_jsonb(char **heads, int nheads, const char *schema, Datum model)
{
	Oid			types[3] = {TEXTARRAYOID, NAMEOID, JSONBOID};
	Datum		values[3];

	values[0] = heads_array(heads, nheads);
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	values[2] = model;
	if (SPI_execute_with_args("DELETE FROM schemamig.snapshot "
							  "WHERE heads = $1 AND schema_name = $2",
							  2, types, values, NULL, false, 0) < 0 ||
		SPI_execute_with_args("INSERT INTO schemamig.snapshot (heads, schema_name, model) "
							  "VALUES ($1, $2, $3)",
							  3, types, values, NULL, false, 0) < 0)
		elog(ERROR, "could not store the schema snapshot");
}

/*
 * mig_snapshot_take
 *		Store the model of every managed schema for these heads, replacing
 *		an older snapshot of the same heads and schema.  Caller is
 *		connected to SPI.
 */
void
mig_snapshot_take(char **heads, int nheads)
{
	List	   *schemas;
	ListCell   *lc;

	if (!mig_snapshots)
		return;

	schemas = mig_managed_schema_list();
	foreach(lc, schemas)
	{
		const char *schema = (const char *) lfirst(lc);
		MemoryContext model_cxt;
		MemoryContext oldcxt;
		MigModel   *model;
		Datum		jsonb;

		/*
		 * The model (and what reading it leaves behind) goes away as soon as
		 * its jsonb form exists, before the INSERT compresses and toasts
		 * that: the peak is the larger of the two steps, not their sum.
		 */
		model_cxt = AllocSetContextCreate(CurrentMemoryContext,
										  "schemamig snapshot model",
										  ALLOCSET_DEFAULT_SIZES);
		oldcxt = MemoryContextSwitchTo(model_cxt);
		model = mig_model_load(schema);
		MemoryContextSwitchTo(oldcxt);

		/*
		 * Reading the catalogs freed more memory than the model keeps (the
		 * catalog queries' hash tables and rows), and glibc keeps freed heap
		 * memory resident until told otherwise: give it back before the
		 * jsonb form is built, so that the two do not add up in the
		 * backend's peak (0.7 MB less for 1,000 tables).
		 */
#ifdef __GLIBC__
		malloc_trim(0);
#endif
		jsonb = mig_model_to_jsonb(model);
		MemoryContextDelete(model_cxt);
		store_jsonb(heads, nheads, schema, jsonb);
	}
}

/*
 * load_snapshot
 *		The snapshot of schema for these heads, or NULL; its time in
 *		*taken_at (text).
 */
static MigModel *
load_snapshot(char **heads, int nheads, const char *schema, char **taken_at)
{
	Oid			types[2] = {TEXTARRAYOID, NAMEOID};
	Datum		values[2];
	bool		isnull;
	Datum		model;

	values[0] = heads_array(heads, nheads);
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	if (SPI_execute_with_args("SELECT model, taken_at::text FROM schemamig.snapshot "
							  "WHERE heads = $1 AND schema_name = $2 "
							  "ORDER BY id DESC LIMIT 1",
							  2, types, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the schema snapshot");
	if (SPI_processed == 0)
		return NULL;
	*taken_at = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	model = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	model = PointerGetDatum(PG_DETOAST_DATUM_COPY(model));
	return mig_model_from_jsonb(model);
}

/*
 * mig_object_label
 *		"table public.t", "column public.t.c" for a message.
 */
char *
mig_object_label(const MigModel *m, const MigObject *obj)
{
	if (obj->parent)
		return psprintf("%s %s.%s.%s", mig_kind_name(obj->kind),
						quote_identifier(m->schema), obj->parent, obj->name);
	return psprintf("%s %s.%s", mig_kind_name(obj->kind),
					quote_identifier(m->schema), obj->name);
}

/*
 * explain_change
 *		The out-of-band DDL-log rows since the snapshot that touched the
 *		object (or the table holding it): " (by ROLE at TIME: STATEMENT)",
 *		or why nothing explains it.
 */
static char *
explain_change(const MigModel *m, const MigObject *obj, const char *since)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	StringInfoData buf;
	const char *owner = obj->parent ? obj->parent : obj->name;
	char	   *paren;

	if (!mig_hook_is_installed() || !mig_ddl_log_enabled)
		return pstrdup(" (unexplained: DDL recording is off)");

	/* functions are named with their signature; match on the name */
	paren = strchr(owner, '(');
	if (paren)
		owner = pnstrdup(owner, paren - owner);

	values[0] = CStringGetTextDatum(psprintf("%s.%s", quote_identifier(m->schema), owner));
	values[1] = CStringGetTextDatum(since);
	if (SPI_execute_with_args("SELECT role, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', "
							  "statement FROM schemamig.ddl_log l "
							  "WHERE l.revision IS NULL AND l.started_at >= $2::timestamptz "
							  "AND EXISTS (SELECT 1 FROM unnest(l.objects || l.dropped_objects) o "
							  "            WHERE position(' ' || $1 IN ' ' || o) > 0 "
							  "              AND (length(o) = position(' ' || $1 IN ' ' || o) + length($1) - 1 "
							  "                   OR substr(o, position(' ' || $1 IN ' ' || o) + length($1), 1) IN ('.', '('))) "
							  "ORDER BY l.id",
							  2, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the DDL log");
	if (SPI_processed == 0)
		return pstrdup(" (unexplained: no DDL log row since the snapshot)");

	initStringInfo(&buf);
	for (uint64 i = 0; i < SPI_processed && i < 3; i++)
		appendStringInfo(&buf, "%sby %s at %s: %s",
						 i == 0 ? " (" : "; ",
						 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1),
						 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2),
						 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3));
	if (SPI_processed > 3)
		appendStringInfo(&buf, "; and %d more", (int) SPI_processed - 3);
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * same_object
 *		Are two objects equal in every attribute that is not informational
 *		(names starting with "_")?
 */
static bool
same_object(const MigObject *a, const MigObject *b, const char **first)
{
	int			i = 0,
				j = 0;

	while (i < a->nattrs || j < b->nattrs)
	{
		int			c;

		if (i < a->nattrs && a->attrs[i].name[0] == '_')
		{
			i++;
			continue;
		}
		if (j < b->nattrs && b->attrs[j].name[0] == '_')
		{
			j++;
			continue;
		}
		if (i >= a->nattrs)
			c = 1;
		else if (j >= b->nattrs)
			c = -1;
		else
			c = strcmp(a->attrs[i].name, b->attrs[j].name);
		if (c != 0 ||
			strcmp(a->attrs[i].value ? a->attrs[i].value : "",
				   b->attrs[j].value ? b->attrs[j].value : "") != 0)
		{
			*first = c > 0 ? b->attrs[j].name : a->attrs[i].name;
			return false;
		}
		i++;
		j++;
	}
	return true;
}

/*
 * mig_snapshot_drift
 *		Drift findings for the current heads, appended through add().
 */
List *
mig_snapshot_drift(List *findings, char **heads, int nheads,
				   MigAddFinding add)
{
	List	   *schemas = mig_managed_schema_list();
	ListCell   *lc;

	foreach(lc, schemas)
	{
		const char *schema = (const char *) lfirst(lc);
		char	   *since = NULL;
		MigModel   *snap = load_snapshot(heads, nheads, schema, &since);
		MigModel   *live;
		int			i = 0,
					j = 0;

		if (snap == NULL)
		{
			findings = add(findings, "info", "drift.no_snapshot", schema,
						   psprintf("no snapshot of schema \"%s\" for the current heads: drift cannot be checked until the next upgrade, downgrade or stamp",
									schema));
			continue;
		}
		live = mig_model_load(schema);

		/* both models are sorted by key: merge */
		while (i < snap->nobjects || j < live->nobjects)
		{
			int			c;
			const char *attr = NULL;

			if (i >= snap->nobjects)
				c = 1;
			else if (j >= live->nobjects)
				c = -1;
			else
				c = strcmp(snap->objects[i].key, live->objects[j].key);

			if (c < 0)
			{
				MigObject  *o = &snap->objects[i++];

				findings = add(findings, "error", "drift.dropped", mig_object_label(snap, o),
							   psprintf("%s was dropped outside a migration%s",
										mig_object_label(snap, o),
										explain_change(snap, o, since)));
			}
			else if (c > 0)
			{
				MigObject  *o = &live->objects[j++];

				findings = add(findings, "error", "drift.added", mig_object_label(live, o),
							   psprintf("%s was added outside a migration%s",
										mig_object_label(live, o),
										explain_change(live, o, since)));
			}
			else
			{
				MigObject  *a = &snap->objects[i++];
				MigObject  *b = &live->objects[j++];

				if (!same_object(a, b, &attr))
					findings = add(findings, "error", "drift.changed", mig_object_label(live, b),
								   psprintf("%s was changed outside a migration (%s differs)%s",
											mig_object_label(live, b), attr,
											explain_change(live, b, since)));
			}
		}
	}
	return findings;
}

/*
 * mig_snapshot_load
 *		The stored model of schema for these heads, or NULL when there is
 *		none; the time it was taken (text) in *taken_at.  Caller is
 *		connected to SPI.
 */
MigModel *
mig_snapshot_load(char **heads, int nheads, const char *schema,
				  char **taken_at)
{
	return load_snapshot(heads, nheads, schema, taken_at);
}

/*
 * mig_snapshot_first_difference
 *		How model actual differs from model expected, compared as drift is
 *		(informational attributes aside): "table public.t is missing",
 *		"index public.i is extra", "column public.t.c differs in
 *		type"; NULL when they are alike.
 */
char *
mig_snapshot_first_difference(const MigModel *expected, const MigModel *actual)
{
	int			i = 0,
				j = 0;

	while (i < expected->nobjects || j < actual->nobjects)
	{
		int			c;
		const char *attr = NULL;

		if (i >= expected->nobjects)
			c = 1;
		else if (j >= actual->nobjects)
			c = -1;
		else
			c = strcmp(expected->objects[i].key, actual->objects[j].key);

		if (c < 0)
			return psprintf("%s is missing",
							mig_object_label(expected, &expected->objects[i]));
		if (c > 0)
			return psprintf("%s is extra",
							mig_object_label(actual, &actual->objects[j]));
		if (!same_object(&expected->objects[i], &actual->objects[j], &attr))
			return psprintf("%s differs in %s",
							mig_object_label(actual, &actual->objects[j]), attr);
		i++;
		j++;
	}
	return NULL;
}

/*
 * mig_snapshot_store
 *		Store model as the snapshot of schema for these heads, replacing an
 *		older one of the same heads and schema (what mig_snapshot_take()
 *		does with a model it loads itself).  Caller is connected to SPI.
 *
 * mig_adopt_drift() stores the live models it compared and adopted, not
 * models read again at the end: a change made meanwhile by another session
 * then shows as drift instead of passing into the reference unnoticed.
 */
void
mig_snapshot_store(char **heads, int nheads, const char *schema,
				   const MigModel *model)
{
	store_jsonb(heads, nheads, schema, mig_model_to_jsonb(model));
}
