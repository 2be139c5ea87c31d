/*-------------------------------------------------------------------------
 *
 * graphtest.c
 *	  A test-only SQL entry point over src/graph.c, used by difftest.py to
 *	  compare the planner with Alembic directly (without the catalog and
 *	  runner layers).  Not part of the extension: difftest.py compiles it
 *	  with graph.c into a throwaway shared library and creates the function
 *	  from that file's absolute path.
 *
 *	  graphtest_plan(ids text[], parents text[], labels text[],
 *					 depends text[], cmd text, target text, current text[])
 *	  RETURNS text
 *
 *	  parents/labels/depends hold one comma-separated list per revision
 *	  (NULL or '' for none).  cmd is 'upgrade', 'downgrade', 'stamp',
 *	  'resolve' or 'info'.  The result is JSON:
 *		{"steps": [["rev", "up", ["head", ...]], ...], "final": [...]}
 *		{"revs": [...]}                      (resolve)
 *		{"heads": [...], "bases": [...]}     (info)
 *	  Errors are raised as they come from graph.c.
 *
 *	  graphtest_bench(shape text, n int, cmd text, target text,
 *					  current text[]) RETURNS text
 *
 *	  Builds a synthetic graph of n revisions in C ("chain", "wide",
 *	  "fan", "random", "deps"), then times mig_graph_build and
 *	  mig_graph_plan.  Returns a line of measurements.
 *
 * IDENTIFICATION
 *	  test/alembic/graphtest.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "graph.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(graphtest_plan);
PG_FUNCTION_INFO_V1(graphtest_bench);

/*
 * text_array_elems
 *		Deconstruct a text[] into C strings (NULL elements stay NULL).
 */
static char **
text_array_elems(ArrayType *arr, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **out;
	int			i;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, n);
	out = palloc(sizeof(char *) * Max(*n, 1));
	for (i = 0; i < *n; i++)
		out[i] = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
	return out;
}

/*
 * split_list
 *		Split "a,b" into its parts; NULL or "" gives none.
 */
static char **
split_list(char *s, int *n)
{
	char	  **out;
	char	   *tok;
	int			cap = 4;

	*n = 0;
	out = palloc(sizeof(char *) * cap);
	if (s == NULL || s[0] == '\0')
		return out;
	for (tok = strtok(pstrdup(s), ","); tok; tok = strtok(NULL, ","))
	{
		if (*n == cap)
		{
			cap *= 2;
			out = repalloc(out, sizeof(char *) * cap);
		}
		out[(*n)++] = tok;
	}
	return out;
}

/*
 * append_ids
 *		Append a JSON array of the ids of revision indexes.
 */
static void
append_ids(StringInfo buf, const MigGraph *g, const int *v, int n)
{
	int			i;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < n; i++)
		appendStringInfo(buf, "%s\"%s\"", i ? ", " : "", mig_graph_rev(g, v[i])->id);
	appendStringInfoChar(buf, ']');
}

/*
 * graphtest_plan
 *		Build the graph, run one command through graph.c, return JSON.
 */
Datum
graphtest_plan(PG_FUNCTION_ARGS)
{
	int			n,
				n2,
				n3,
				n4,
				ncur = 0,
				i;
	char	  **ids = text_array_elems(PG_GETARG_ARRAYTYPE_P(0), &n);
	char	  **parents = text_array_elems(PG_GETARG_ARRAYTYPE_P(1), &n2);
	char	  **labels = text_array_elems(PG_GETARG_ARRAYTYPE_P(2), &n3);
	char	  **depends = text_array_elems(PG_GETARG_ARRAYTYPE_P(3), &n4);
	char	   *cmd = text_to_cstring(PG_GETARG_TEXT_PP(4));
	char	   *target = PG_ARGISNULL(5) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(5));
	char	  **current = PG_ARGISNULL(6) ? NULL :
		text_array_elems(PG_GETARG_ARRAYTYPE_P(6), &ncur);
	MigRevDef  *defs;
	MigGraph   *g;
	StringInfoData buf;

	if (n2 != n || n3 != n || n4 != n)
		elog(ERROR, "arrays must have the same length");
	defs = palloc0(sizeof(MigRevDef) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		defs[i].id = ids[i];
		defs[i].parents = split_list(parents[i], &defs[i].nparents);
		defs[i].labels = split_list(labels[i], &defs[i].nlabels);
		defs[i].depends = split_list(depends[i], &defs[i].ndepends);
	}
	g = mig_graph_build(defs, n);
	initStringInfo(&buf);

	if (strcmp(cmd, "info") == 0)
	{
		int			nh,
					nb;
		int		   *h = mig_graph_heads(g, &nh);
		int		   *b = mig_graph_bases(g, &nb);

		appendStringInfoString(&buf, "{\"heads\": ");
		append_ids(&buf, g, h, nh);
		appendStringInfoString(&buf, ", \"bases\": ");
		append_ids(&buf, g, b, nb);
		appendStringInfoChar(&buf, '}');
	}
	else if (strcmp(cmd, "resolve") == 0)
	{
		int			nr;
		int		   *r = mig_graph_resolve(g, target, current, ncur, &nr);

		appendStringInfoString(&buf, "{\"revs\": ");
		append_ids(&buf, g, r, nr);
		appendStringInfoChar(&buf, '}');
	}
	else
	{
		MigCommand	c;
		MigPlan    *plan;
		int		   *rows;
		int			nrows = 0;

		if (strcmp(cmd, "upgrade") == 0)
			c = MIG_CMD_UPGRADE;
		else if (strcmp(cmd, "downgrade") == 0)
			c = MIG_CMD_DOWNGRADE;
		else if (strcmp(cmd, "stamp") == 0)
			c = MIG_CMD_STAMP;
		else
			elog(ERROR, "unrecognized command \"%s\"", cmd);
		plan = mig_graph_plan(g, c, target, current, ncur);
		/* replay the steps' deltas over the current rows */
		rows = palloc(sizeof(int) * (mig_graph_nrevs(g) + ncur + 1));
		for (i = 0; i < ncur; i++)
			rows[nrows++] = mig_graph_find(g, current[i]);
		appendStringInfoString(&buf, "{\"steps\": [");
		for (i = 0; i < plan->nsteps; i++)
		{
			MigStep    *st = &plan->steps[i];
			int			j,
						k,
						m;

			for (j = 0; j < st->nremoved; j++)
				for (k = 0; k < nrows; k++)
					if (rows[k] == st->removed[j])
					{
						for (m = k + 1; m < nrows; m++)
							rows[m - 1] = rows[m];
						nrows--;
						break;
					}
			for (j = 0; j < st->nadded; j++)
				rows[nrows++] = st->added[j];
			appendStringInfo(&buf, "%s[\"%s\", \"%s\", ", i ? ", " : "",
							 mig_graph_rev(g, st->rev)->id,
							 st->upgrade ? "up" : "down");
			append_ids(&buf, g, rows, nrows);
			appendStringInfoChar(&buf, ']');
		}
		appendStringInfoString(&buf, "], \"final\": ");
		append_ids(&buf, g, plan->final_heads, plan->nfinal);
		appendStringInfoChar(&buf, '}');
	}
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}

/*
 * cpu_ms
 *		Process CPU time in milliseconds.
 */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/*
 * one_list
 *		A one-element string list.
 */
static char **
one_list(char *s, int *n)
{
	char	  **l = palloc(sizeof(char *));

	l[0] = s;
	*n = 1;
	return l;
}

/*
 * graphtest_bench
 *		Time build and plan over a synthetic graph.
 *
 * chain:  r0 <- r1 <- ... (linear)
 * wide:   one base, sqrt(n) branches of sqrt(n) revisions, one merge on top
 * fan:    n/2 bases, each with one child, merged pairwise up a tree
 * random: each revision has 1 parent among the last 50, 10% are merges of
 *		   2-4 recent heads, 2% are new bases
 * deps:   a chain where every 10th revision depends on one 100 back
 */
Datum
graphtest_bench(PG_FUNCTION_ARGS)
{
	char	   *shape = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			n = PG_GETARG_INT32(1);
	char	   *cmd = text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(3));
	int			ncur = 0;
	char	  **current = PG_ARGISNULL(4) ? NULL :
		text_array_elems(PG_GETARG_ARRAYTYPE_P(4), &ncur);
	MigRevDef  *defs = palloc0(sizeof(MigRevDef) * Max(n, 1));
	MigGraph   *g;
	MigPlan    *plan;
	MigCommand	c;
	double		t0,
				t1,
				t2;
	int64		heads_total = 0;
	int			i;
	uint32		seed = 12345;

#define RND() (seed = seed * 1103515245 + 12345, (seed >> 8) & 0xffffff)

	for (i = 0; i < n; i++)
		defs[i].id = psprintf("%012x", (unsigned) (i * 2654435761u) ^ 0xabcdef);

	if (strcmp(shape, "chain") == 0 || strcmp(shape, "deps") == 0)
	{
		for (i = 1; i < n; i++)
			defs[i].parents = one_list(defs[i - 1].id, &defs[i].nparents);
		if (strcmp(shape, "deps") == 0)
			for (i = 100; i < n; i += 10)
				defs[i].depends = one_list(defs[i - 100].id, &defs[i].ndepends);
	}
	else if (strcmp(shape, "wide") == 0)
	{
		int			k = 1;
		int			len,
					b,
					next = 1;
		char	  **tops;

		while (k * k < n)
			k++;
		len = (n - 2) / k;
		tops = palloc(sizeof(char *) * k);
		for (b = 0; b < k; b++)
		{
			int			j;

			for (j = 0; j < len; j++, next++)
				defs[next].parents = one_list(j == 0 ? defs[0].id : defs[next - 1].id,
											  &defs[next].nparents);
			tops[b] = defs[next - 1].id;
		}
		for (; next < n - 1; next++)
			defs[next].parents = one_list(defs[next - 1].id, &defs[next].nparents);
		tops[k - 1] = defs[n - 2].id;
		defs[n - 1].parents = tops;
		defs[n - 1].nparents = k;
	}
	else if (strcmp(shape, "fan") == 0)
	{
		int			half = n / 2;
		int			next = half;
		int			lo = 0,
					hi = half;

		/* level 0: bases 0..half-1; merge pairs until one is left */
		while (hi - lo > 1 && next < n)
		{
			int			start = next;
			int			j;

			for (j = lo; j + 1 < hi && next < n; j += 2, next++)
			{
				defs[next].parents = palloc(sizeof(char *) * 2);
				defs[next].parents[0] = defs[j].id;
				defs[next].parents[1] = defs[j + 1].id;
				defs[next].nparents = 2;
			}
			if (j < hi && next < n)
			{
				defs[next].parents = one_list(defs[j].id, &defs[next].nparents);
				next++;
			}
			lo = start;
			hi = next;
		}
		for (; next < n; next++)
			defs[next].parents = one_list(defs[next - 1].id, &defs[next].nparents);
	}
	else if (strcmp(shape, "random") == 0)
	{
		bool	   *haschild = palloc0(sizeof(bool) * n);

		for (i = 1; i < n; i++)
		{
			int			r = RND() % 100;

			if (r < 2)
				continue;
			if (r < 12)
			{
				int			want = 2 + RND() % 3,
							got = 0,
							j;

				defs[i].parents = palloc(sizeof(char *) * want);
				for (j = i - 1; j >= 0 && j >= i - 400 && got < want; j--)
					if (!haschild[j] && (RND() % 3) == 0)
					{
						defs[i].parents[got++] = defs[j].id;
						haschild[j] = true;
					}
				if (got == 0)
				{
					defs[i].parents[got++] = defs[i - 1].id;
					haschild[i - 1] = true;
				}
				defs[i].nparents = got;
			}
			else
			{
				int			p = i - 1 - (int) (RND() % Min(i, 50));

				defs[i].parents = one_list(defs[p].id, &defs[i].nparents);
				haschild[p] = true;
			}
		}
	}
	else
		elog(ERROR, "unrecognized shape \"%s\"", shape);

	if (strcmp(cmd, "upgrade") == 0)
		c = MIG_CMD_UPGRADE;
	else if (strcmp(cmd, "downgrade") == 0)
		c = MIG_CMD_DOWNGRADE;
	else
		c = MIG_CMD_STAMP;

	t0 = cpu_ms();
	g = mig_graph_build(defs, n);
	t1 = cpu_ms();
	plan = mig_graph_plan(g, c, target, current, ncur);
	t2 = cpu_ms();
	for (i = 0; i < plan->nsteps; i++)
		heads_total += plan->steps[i].nremoved + plan->steps[i].nadded;
	PG_RETURN_TEXT_P(cstring_to_text(psprintf(
		"%s n=%d %s %s: build %.1f ms, plan %.1f ms, %d steps, %d final heads, %lld head changes",
		shape, n, cmd, target, t1 - t0, t2 - t1, plan->nsteps, plan->nfinal,
		(long long) heads_total)));
}
