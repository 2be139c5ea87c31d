/*-------------------------------------------------------------------------
 *
 * check.c
 *	  mig_check(): the one call that asks "is this database where its
 *	  history says it is, and is that history sound?".
 *
 * Every check reports instead of raising: a graph that cannot be built, a
 * tampered revision or a version table naming an unknown revision are
 * findings, each with a stable code (documented in README.md), a severity
 * and a message precise enough to act on.  The families:
 *
 *	graph.*		the registered graph: validity, several heads, missing
 *				parents and dependencies, labels, revisions without downgrade
 *	integrity.*	stored content against its checksum, the version table
 *				against the graph and against the history
 *	state.*		revisions registered but not applied
 *	env.*		how the server runs the extension
 *
 * IDENTIFICATION
 *	  src/check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/varlena.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "check.h"
#include "graph.h"
#include "hook.h"
#include "registry.h"
#include "snapshot.h"

int			mig_check_multiple_heads = 0;

static const struct config_enum_entry severity_options[] = {
	{"warning", 0, false},
	{"error", 1, false},
	{NULL, 0, false}
};

/*
 * mig_check_init
 *		Define this module's GUC.
 */
void
mig_check_init(void)
{
	DefineCustomEnumVariable("schemamig.check_multiple_heads",
							 "Severity mig_check() gives a graph with several heads.",
							 "\"warning\" (the default) or \"error\" for teams that keep one head.",
							 &mig_check_multiple_heads,
							 0,
							 severity_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

/*
 * add
 *		Append a finding.
 */
static List *
add(List *findings, const char *severity, const char *code,
	const char *object, char *message)
{
	MigFinding *f = palloc(sizeof(MigFinding));

	f->severity = severity;
	f->code = code;
	f->object = object ? pstrdup(object) : NULL;
	f->message = message;
	f->seq = list_length(findings);
	return lappend(findings, f);
}

/*
 * try_build_graph
 *		Build the graph in a subtransaction; on failure return NULL and the
 *		engine's error (message and detail) in *error.
 */
static MigGraph *
try_build_graph(MigRevDef *defs, int n, char **error)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	MigGraph   *volatile g = NULL;

	*error = NULL;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		g = mig_graph_build(defs, n);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		*error = edata->detail ?
			psprintf("%s: %s", edata->message, edata->detail) :
			pstrdup(edata->message);
		g = NULL;
	}
	PG_END_TRY();
	return g;
}

/* An entry of the name table: a revision id or a branch label. */
typedef struct NameEntry
{
	char		name[NAMEDATALEN * 2];
	const char *revision;		/* the revision with this id or label */
	bool		is_label;
} NameEntry;

/*
 * check_raw_graph
 *		Checks that need no built graph: parents and dependencies that are
 *		not registered, labels declared twice or equal to an id, revisions
 *		without downgrade.  These explain most reasons a graph cannot be
 *		built, each on its own row.  One hash table of ids and labels keeps
 *		it linear.
 */
static List *
check_raw_graph(List *findings, MigRevisionRow *rows, int n, bool *explained)
{
	HASHCTL		ctl;
	HTAB	   *names;
	int			i,
				j;

	*explained = false;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN * 2;
	ctl.entrysize = sizeof(NameEntry);
	ctl.hcxt = CurrentMemoryContext;
	names = hash_create("schemamig check names", Max(n, 16) * 2, &ctl,
						HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	/* ids first, then labels, so a label equal to an id is seen */
	for (i = 0; i < n; i++)
	{
		NameEntry  *e;
		bool		found;

		if (strlen(rows[i].id) >= NAMEDATALEN * 2)
			continue;
		e = hash_search(names, rows[i].id, HASH_ENTER, &found);
		e->revision = rows[i].id;
		e->is_label = false;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < rows[i].nlabels; j++)
		{
			NameEntry  *e;
			bool		found;

			if (strlen(rows[i].labels[j]) >= NAMEDATALEN * 2)
				continue;
			e = hash_search(names, rows[i].labels[j], HASH_ENTER, &found);
			if (!found)
			{
				e->revision = rows[i].id;
				e->is_label = true;
				continue;
			}
			*explained = true;
			if (!e->is_label)
				findings = add(findings, "error", "graph.duplicate_label", rows[i].labels[j],
							   psprintf("branch label \"%s\" of revision \"%s\" is also a revision id",
										rows[i].labels[j], rows[i].id));
			else
				findings = add(findings, "error", "graph.duplicate_label", rows[i].labels[j],
							   psprintf("branch label \"%s\" is declared by revisions \"%s\" and \"%s\"",
										rows[i].labels[j], e->revision, rows[i].id));
		}

	for (i = 0; i < n; i++)
	{
		for (j = 0; j < rows[i].nparents; j++)
		{
			NameEntry  *e = hash_search(names, rows[i].parents[j], HASH_FIND, NULL);

			if (e == NULL || e->is_label)
			{
				findings = add(findings, "error", "graph.missing_parent", rows[i].id,
							   psprintf("revision \"%s\" names down_revision \"%s\", which is not registered",
										rows[i].id, rows[i].parents[j]));
				*explained = true;
			}
		}
		for (j = 0; j < rows[i].ndepends; j++)
		{
			if (hash_search(names, rows[i].depends[j], HASH_FIND, NULL) == NULL)
			{
				findings = add(findings, "error", "graph.missing_dependency", rows[i].id,
							   psprintf("revision \"%s\" depends on \"%s\", which is neither a registered revision nor a branch label",
										rows[i].id, rows[i].depends[j]));
				*explained = true;
			}
		}
		if (rows[i].downgrade == NULL)
			findings = add(findings, "warning", "graph.no_downgrade", rows[i].id,
						   psprintf("revision \"%s\" has no downgrade: it cannot be un-applied",
									rows[i].id));
	}
	hash_destroy(names);
	return findings;
}

/*
 * join_ids
 *		"a", "b", "c" for a message.
 */
static char *
join_ids(const MigGraph *g, const int *idx, char **ids, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s\"%s\"", i > 0 ? ", " : "",
						 idx ? mig_graph_rev(g, idx[i])->id : ids[i]);
	return buf.data;
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
 * same_heads
 *		Do two head lists hold the same ids?  Sorts both in place.
 */
static bool
same_heads(char **a, int na, char **b, int nb)
{
	int			i;

	if (na != nb)
		return false;
	qsort(a, na, sizeof(char *), compare_cstrings);
	qsort(b, nb, sizeof(char *), compare_cstrings);
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/*
 * check_with_graph
 *		Checks over the built graph: several heads, the version table,
 *		checksums of applied revisions, the history, pending revisions.
 */
static List *
check_with_graph(List *findings, const MigGraph *g, MigRevisionRow *rows,
				 int nrows)
{
	int		   *heads;
	int			nheads;
	char	  **current;
	int			ncurrent;
	char	  **hist;
	int			nhist;
	bool	   *applied;
	bool		has_history;
	bool		current_ok = true;
	int			i,
				j;

	heads = mig_graph_heads(g, &nheads);
	if (nheads > 1)
		findings = add(findings, mig_check_multiple_heads ? "error" : "warning",
					   "graph.multiple_heads", NULL,
					   psprintf("the graph has %d heads: %s; \"head\" is ambiguous until they are merged",
								nheads, join_ids(g, heads, NULL, nheads)));

	current = registry_current_heads(&ncurrent);
	for (i = 0; i < ncurrent; i++)
		if (mig_graph_find(g, current[i]) < 0)
		{
			findings = add(findings, "error", "integrity.unknown_version", current[i],
						   psprintf("the version table names revision \"%s\", which is not registered",
									current[i]));
			current_ok = false;
		}
	if (current_ok)
		for (i = 0; i < ncurrent; i++)
			for (j = 0; j < ncurrent; j++)
				if (i != j &&
					mig_graph_is_ancestor(g, mig_graph_find(g, current[i]),
										  mig_graph_find(g, current[j])))
				{
					findings = add(findings, "error", "integrity.overlapping_heads", current[i],
								   psprintf("the version table holds \"%s\" and its descendant \"%s\"",
											current[i], current[j]));
					current_ok = false;
				}

	/* applied revisions: what a downgrade to base would un-apply */
	applied = palloc0(sizeof(bool) * Max(mig_graph_nrevs(g), 1));
	if (current_ok && ncurrent > 0)
	{
		MigPlan    *plan = mig_graph_plan(g, MIG_CMD_DOWNGRADE, "base",
										  current, ncurrent);

		for (i = 0; i < plan->nsteps; i++)
			applied[plan->steps[i].rev] = true;
	}

	for (i = 0; i < nrows; i++)
	{
		char	   *sum = registry_checksum(&rows[i]);
		int			idx = mig_graph_find(g, rows[i].id);

		if (strcmp(sum, rows[i].checksum) == 0)
			continue;
		if (idx >= 0 && applied[idx])
			findings = add(findings, "error", "integrity.checksum_mismatch", rows[i].id,
						   psprintf("applied revision \"%s\" was changed after it was registered: its content no longer matches its checksum",
									rows[i].id));
		else
			findings = add(findings, "warning", "integrity.checksum_mismatch", rows[i].id,
						   psprintf("revision \"%s\" was changed behind schemamig's back: its content no longer matches its checksum",
									rows[i].id));
	}

	has_history = registry_last_history_heads(&hist, &nhist);
	if (has_history)
	{
		char	  **cur = palloc(sizeof(char *) * Max(ncurrent, 1));

		memcpy(cur, current, sizeof(char *) * ncurrent);
		if (!same_heads(hist, nhist, cur, ncurrent))
			findings = add(findings, "error", "integrity.history_mismatch", NULL,
						   psprintf("the version table holds %s but the history's last step left %s",
									ncurrent ? join_ids(g, NULL, cur, ncurrent) : "nothing",
									nhist ? join_ids(g, NULL, hist, nhist) : "nothing"));
	}
	else if (ncurrent > 0)
		findings = add(findings, "error", "integrity.history_mismatch", NULL,
					   psprintf("the version table holds %s but the history is empty",
								join_ids(g, NULL, current, ncurrent)));

	/* drift: the live managed schemas against the current heads' snapshot */
	if (current_ok && (has_history || ncurrent > 0))
		findings = mig_snapshot_drift(findings, current, ncurrent, add);

	/* pending: what an upgrade to heads would run */
	if (current_ok && nheads > 0)
	{
		MigPlan    *plan = mig_graph_plan(g, MIG_CMD_UPGRADE, "heads",
										  current, ncurrent);

		for (i = 0; i < plan->nsteps; i++)
		{
			const MigRevDef *d = mig_graph_rev(g, plan->steps[i].rev);

			findings = add(findings, "warning", "state.pending", d->id,
						   psprintf("revision \"%s\" is registered but not applied (%d of %d pending)",
									d->id, i + 1, plan->nsteps));
		}
	}
	return findings;
}

/*
 * check_environment
 *		How the server runs the extension.
 */
static List *
check_environment(List *findings)
{
	const char *preload = GetConfigOption("shared_preload_libraries", true, false);
	List	   *libs = NIL;
	ListCell   *lc;
	bool		found = false;
	char	   *copy = pstrdup(preload ? preload : "");

	if (SplitIdentifierString(copy, ',', &libs))
		foreach(lc, libs)
		{
			const char *lib = (const char *) lfirst(lc);
			const char *base = strrchr(lib, '/');

			base = base ? base + 1 : lib;
			if (strcmp(base, "schemamig") == 0 || strcmp(base, "schemamig.so") == 0)
				found = true;
		}
	if (!found)
		findings = add(findings, "warning", "env.not_preloaded", NULL,
					   pstrdup("schemamig is not in shared_preload_libraries: DDL outside migrations is not recorded or checked"));
	else if (!mig_ddl_log_enabled)
		findings = add(findings, "warning", "env.recording_off", NULL,
					   pstrdup("schemamig.ddl_log is off: DDL is not recorded, and drift cannot be explained"));
	if (mig_out_of_band_ddl == MIG_OOB_ALLOW)
		findings = add(findings, "info", "env.weak_policy", "schemamig.out_of_band_ddl",
					   pstrdup("schemamig.out_of_band_ddl is \"allow\": DDL outside revisions passes silently; \"warn\" or \"deny\" is recommended in production"));
	if (mig_lint_mode == MIG_LINT_OFF)
		findings = add(findings, "info", "env.weak_policy", "schemamig.lint",
					   pstrdup("schemamig.lint is \"off\": revisions and out-of-band DDL are not linted; \"warn\" is recommended"));
	return findings;
}

/*
 * severity_rank
 *		Sort key: errors, then warnings, then info.
 */
static int
severity_rank(const char *s)
{
	return strcmp(s, "error") == 0 ? 0 : strcmp(s, "warning") == 0 ? 1 : 2;
}

/*
 * compare_findings
 *		list_sort comparator: by severity, then in the order found.
 */
static int
compare_findings(const ListCell *a, const ListCell *b)
{
	const MigFinding *fa = lfirst(a);
	const MigFinding *fb = lfirst(b);

	if (severity_rank(fa->severity) != severity_rank(fb->severity))
		return severity_rank(fa->severity) - severity_rank(fb->severity);
	return fa->seq - fb->seq;
}

/*
 * mig_check_findings
 *		Run every check.
 */
List *
mig_check_findings(void)
{
	List	   *findings = NIL;
	int			n;
	MigRevDef  *defs = registry_load_defs(&n);
	int			nrows;
	MigRevisionRow *rows = registry_load_rows(&nrows);
	bool		explained;
	char	   *error;
	MigGraph   *g;

	findings = check_raw_graph(findings, rows, nrows, &explained);
	g = try_build_graph(defs, n, &error);
	if (g == NULL)
	{
		if (!explained)
			findings = add(findings, "error",
						   strstr(error, "cycle") ? "graph.cycle" : "graph.invalid",
						   NULL, error);
	}
	else
		findings = check_with_graph(findings, g, rows, nrows);

	findings = check_environment(findings);
	list_sort(findings, compare_findings);
	return findings;
}
