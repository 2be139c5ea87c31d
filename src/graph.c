/*-------------------------------------------------------------------------
 *
 * graph.c
 *	  The revision graph in memory, Alembic's target grammar over it, and
 *	  the planner that turns "upgrade/downgrade/stamp <target>" into steps.
 *
 * This file re-implements, in plain C over index arrays, the parts of
 * Alembic 1.8 that decide what a migration command does:
 *
 *	- alembic/script/revision.py: RevisionMap (heads, real heads, bases,
 *	  depends_on resolution and normalization, branch labels), target
 *	  resolution (_resolve_revision_number, get_revisions, get_revision,
 *	  _revision_for_ident, filter_for_lineage, _walk), the parsing of
 *	  relative targets, _collect_upgrade_revisions,
 *	  _collect_downgrade_revisions and _topological_sort;
 *	- alembic/script/base.py: _stamp_revs;
 *	- alembic/runtime/migration.py: HeadMaintainer, RevisionStep and
 *	  StampStep, which decide the version table after every step.
 *
 * The functions below follow Alembic's control flow closely (the Python
 * name is given in each comment), so that the same graph, current heads
 * and command give the same revisions, the same order and the same
 * version table, and fail where Alembic fails.  What Alembic computes with
 * whole-graph sets and repeated traversals is computed here with epoch
 * marks, counters and bounded searches, so planning stays roughly linear
 * in the size of the graph (100,000 revisions plan in milliseconds).
 *
 * Where Alembic crashes (an assertion or a KeyError in its head
 * maintenance, typically with redundant parent links) we do the sensible
 * thing instead: the version table moves as the step implies.  Where it
 * crashes while parsing a target, we raise a proper error.
 *
 * Everything is palloc'd in CurrentMemoryContext (the graph remembers the
 * context it was built in for its lazily built indexes).  No SPI, no
 * catalog access.
 *
 * IDENTIFICATION
 *	  src/graph.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"

#include "graph.h"

/*
 * Special values standing for Python objects that are not revisions: None
 * (no revision, e.g. walking up from an empty database) and the string
 * "base" that Alembic's _walk() returns when walking below a base.
 */
#define RV_NONE		(-1)
#define RV_BASE		(-2)

/* Alembic's partial-id lookup only considers keys longer than this. */
#define PARTIAL_MIN_KEYLEN	3

/* How many names an error message lists before saying "and N more". */
#define MAX_LISTED	10


/* ----------------------------------------------------------------
 *		hash table: id or branch label -> revision index
 * ----------------------------------------------------------------
 */
typedef struct KeyEntry
{
	const char *key;
	int			idx;
	uint32		hash;
	char		status;
} KeyEntry;

/*
 * key_hash
 *		Hash a NUL-terminated key for the simplehash tables below.
 */
static inline uint32
key_hash(const char *key)
{
	return hash_bytes((const unsigned char *) key, (int) strlen(key));
}

#define SH_PREFIX		keytab
#define SH_ELEMENT_TYPE KeyEntry
#define SH_KEY_TYPE		const char *
#define SH_KEY			key
#define SH_HASH_KEY(tb, k)	key_hash(k)
#define SH_EQUAL(tb, a, b)	(strcmp(a, b) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a)	((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* One key of the sorted prefix index (ids and labels longer than 3). */
typedef struct PrefixKey
{
	const char *key;
	int			idx;
} PrefixKey;

/*
 * Adjacency lists in compressed form: the neighbours of node i are
 * v[off[i]] .. v[off[i + 1] - 1].
 */
typedef struct Adj
{
	int		   *off;
	int		   *v;
} Adj;

#define ADJ_LEN(a, i)	((a).off[(i) + 1] - (a).off[(i)])
#define ADJ_AT(a, i, k) ((a).v[(a).off[(i)] + (k)])

struct MigGraph
{
	int			n;
	MigRevDef  *defs;
	MemoryContext mcxt;			/* where the graph and its caches live */

	keytab_hash *ids;			/* revision id -> index */
	keytab_hash *labels;		/* branch label -> declaring revision */

	Adj			par;			/* down_revision, as declared */
	Adj			deps;			/* depends_on, resolved and deduplicated */
	Adj			adown;			/* _all_down_revisions: par + deps */
	Adj			ndown;			/* _normalized_down_revisions */
	Adj			vch;			/* nextrev: children through par */
	Adj			ach;			/* _all_nextrev: children through adown */
	Adj			nch;			/* children through ndown */

	int		   *topo;			/* topological number, parents first */

	int			nheads;			/* heads: no child through down_revision */
	int		   *heads;
	int			nreal;			/* _real_heads: no child at all */
	int		   *realheads;
	int			nbases;			/* bases: no down_revision */
	int		   *bases;

	/* sorted prefix index, built on first partial lookup */
	int			nkeys;
	PrefixKey  *keys;

	/* scratch space of mig_graph_is_ancestor / reaches() */
	uint32	   *qmark;
	uint32		qepoch;
	int		   *qstack;
};


/* ----------------------------------------------------------------
 *		small utilities
 * ----------------------------------------------------------------
 */

/* A growable array of ints. */
typedef struct IntList
{
	int			n;
	int			cap;
	int		   *v;
} IntList;

/*
 * il_init
 *		Make an empty list.
 */
static inline void
il_init(IntList *l)
{
	l->n = 0;
	l->cap = 0;
	l->v = NULL;
}

/*
 * il_push
 *		Append x, doubling the storage when full.
 */
static void
il_push(IntList *l, int x)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 8;
		if (l->v)
			l->v = repalloc(l->v, sizeof(int) * l->cap);
		else
			l->v = palloc(sizeof(int) * l->cap);
	}
	l->v[l->n++] = x;
}

/*
 * il_contains
 *		Linear membership test, for the short lists of parents and heads.
 */
static bool
il_contains(const int *v, int n, int x)
{
	int			i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/*
 * Epoch marks: a node is marked when its slot equals the current epoch, so
 * clearing all marks costs one increment instead of a memset.
 */
typedef struct Marks
{
	uint32	   *v;
	uint32		cur;
	int			n;
} Marks;

/*
 * marks_init
 *		Allocate marks for n nodes, all clear.
 */
static void
marks_init(Marks *m, int n)
{
	m->n = n;
	m->v = palloc0(sizeof(uint32) * Max(n, 1));
	m->cur = 1;
}

/*
 * marks_clear
 *		Clear every mark (start a new epoch).
 */
static void
marks_clear(Marks *m)
{
	if (++m->cur == 0)
	{
		memset(m->v, 0, sizeof(uint32) * Max(m->n, 1));
		m->cur = 1;
	}
}

#define MARK(m, i)		((m)->v[(i)] = (m)->cur)
#define MARKED(m, i)	((m)->v[(i)] == (m)->cur)

/*
 * rev_id
 *		The id of a revision index, for messages.
 */
static inline const char *
rev_id(const MigGraph *g, int idx)
{
	return g->defs[idx].id;
}

/*
 * quote_names
 *		Format names as "a", "b", "c" for an error message, listing at most
 *		MAX_LISTED of them.
 */
static char *
quote_names(const char *const *names, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n && i < MAX_LISTED; i++)
		appendStringInfo(&buf, "%s\"%s\"", i ? ", " : "", names[i]);
	if (n > MAX_LISTED)
		appendStringInfo(&buf, " and %d more", n - MAX_LISTED);
	return buf.data;
}

/*
 * quote_revs
 *		Format revision indexes as a quoted list of their ids.
 */
static char *
quote_revs(const MigGraph *g, const int *revs, int n)
{
	const char **names = palloc(sizeof(char *) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		names[i] = rev_id(g, revs[i]);
	return quote_names(names, n);
}

/*
 * adj_reverse
 *		The reverse of an adjacency relation (children from parents).  Each
 *		reversed list comes out in ascending node order, which is the order
 *		revisions were registered in.
 */
static Adj
adj_reverse(Adj fwd, int n)
{
	Adj			r;
	int		   *fill;
	int			i,
				k,
				total = fwd.off[n];

	r.off = palloc0(sizeof(int) * (n + 1));
	for (i = 0; i < total; i++)
		r.off[fwd.v[i] + 1]++;
	for (i = 0; i < n; i++)
		r.off[i + 1] += r.off[i];
	r.v = palloc(sizeof(int) * Max(total, 1));
	fill = palloc(sizeof(int) * Max(n, 1));
	memcpy(fill, r.off, sizeof(int) * n);
	for (i = 0; i < n; i++)
		for (k = fwd.off[i]; k < fwd.off[i + 1]; k++)
			r.v[fill[fwd.v[k]]++] = i;
	pfree(fill);
	return r;
}


/* ----------------------------------------------------------------
 *		validation of ids and labels
 * ----------------------------------------------------------------
 */

/*
 * is_reserved_name
 *		The words the target grammar gives a meaning to.
 */
static bool
is_reserved_name(const char *s)
{
	return strcmp(s, "head") == 0 || strcmp(s, "heads") == 0 ||
		strcmp(s, "base") == 0;
}

/*
 * has_space_or_control
 *		Does s contain whitespace or a control character?
 */
static bool
has_space_or_control(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *) s; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return true;
	return false;
}

/*
 * mig_check_revision_id
 *		Reject ids the target grammar could not address.
 *
 * Alembic forbids '@', '-' and '+' (Revision.verify_rev_id); we also forbid
 * ':' (range syntax of offline mode), commas (the separator of
 * down_revision lists), whitespace, empty ids and the reserved words.
 */
void
mig_check_revision_id(const char *id)
{
	if (id == NULL || id[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revision id must not be empty")));
	if (strpbrk(id, "@-+:,") != NULL || has_space_or_control(id))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid revision id \"%s\"", id),
				 errdetail("Revision ids cannot contain \"@\", \"-\", \"+\", \":\", commas, whitespace or control characters.")));
	if (is_reserved_name(id))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid revision id \"%s\"", id),
				 errdetail("\"head\", \"heads\" and \"base\" are reserved words of the target grammar.")));
}

/*
 * check_label
 *		Reject branch labels the target grammar could not address.
 *
 * Alembic accepts any string; a label with '@', a comma or whitespace, or
 * one of the reserved words, could never be named in a target, so we
 * refuse it when it is registered.
 */
void
mig_check_branch_label(const char *label, const char *rev)
{
	if (label == NULL || label[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("branch label of revision \"%s\" must not be empty",
						rev)));
	if (strpbrk(label, "@,") != NULL || has_space_or_control(label) ||
		is_reserved_name(label))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid branch label \"%s\" in revision \"%s\"",
						label, rev),
				 errdetail("Branch labels cannot contain \"@\", commas, whitespace or control characters, and cannot be \"head\", \"heads\" or \"base\".")));
}


/* ----------------------------------------------------------------
 *		exact and partial key lookup
 * ----------------------------------------------------------------
 */

/*
 * lookup_key
 *		Alembic's _revision_map[key]: an exact revision id or branch label.
 *		Returns the revision index or -1.
 */
static int
lookup_key(const MigGraph *g, const char *key)
{
	KeyEntry   *e;

	e = keytab_lookup(g->ids, key);
	if (e)
		return e->idx;
	e = keytab_lookup(g->labels, key);
	if (e)
		return e->idx;
	return -1;
}

/*
 * prefix_key_cmp
 *		qsort comparator of the prefix index.
 */
static int
prefix_key_cmp(const void *a, const void *b)
{
	return strcmp(((const PrefixKey *) a)->key, ((const PrefixKey *) b)->key);
}

/*
 * ensure_prefix_index
 *		Build, once, the sorted array of every id and label longer than
 *		three characters (the keys Alembic's partial lookup considers).
 */
static void
ensure_prefix_index(MigGraph *g)
{
	MemoryContext old;
	keytab_iterator it;
	KeyEntry   *e;
	int			n = 0;

	if (g->keys)
		return;
	old = MemoryContextSwitchTo(g->mcxt);
	g->keys = palloc(sizeof(PrefixKey) *
					 Max(g->ids->members + g->labels->members, 1));
	keytab_start_iterate(g->ids, &it);
	while ((e = keytab_iterate(g->ids, &it)) != NULL)
		if (strlen(e->key) > PARTIAL_MIN_KEYLEN)
		{
			g->keys[n].key = e->key;
			g->keys[n++].idx = e->idx;
		}
	keytab_start_iterate(g->labels, &it);
	while ((e = keytab_iterate(g->labels, &it)) != NULL)
		if (strlen(e->key) > PARTIAL_MIN_KEYLEN)
		{
			g->keys[n].key = e->key;
			g->keys[n++].idx = e->idx;
		}
	qsort(g->keys, n, sizeof(PrefixKey), prefix_key_cmp);
	g->nkeys = n;
	MemoryContextSwitchTo(old);
}

/*
 * prefix_candidates
 *		Every key (id or label, longer than three characters) that starts
 *		with prefix, by binary search over the sorted index.  Appends the
 *		positions in g->keys to out.
 */
static void
prefix_candidates(MigGraph *g, const char *prefix, IntList *out)
{
	size_t		plen = strlen(prefix);
	int			lo = 0,
				hi;

	ensure_prefix_index(g);
	hi = g->nkeys;
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strcmp(g->keys[mid].key, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < g->nkeys; lo++)
	{
		if (strncmp(g->keys[lo].key, prefix, plen) != 0)
			break;
		il_push(out, lo);
	}
}


/* ----------------------------------------------------------------
 *		building and validating the graph
 * ----------------------------------------------------------------
 */

/*
 * resolve_dependency
 *		Resolve one depends_on entry at build time: an exact id, an exact
 *		branch label (meaning the revision that declares it, as in Alembic's
 *		_add_depends_on), or a unique id/label prefix.
 */
static int
resolve_dependency(MigGraph *g, const char *dep, const char *rev)
{
	IntList		cand;
	int			idx = lookup_key(g, dep);

	if (idx >= 0)
		return idx;
	il_init(&cand);
	if (dep[0] != '\0')
		prefix_candidates(g, dep, &cand);
	if (cand.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("depends_on revision \"%s\" of revision \"%s\" not found",
						dep, rev)));
	if (cand.n > 1)
	{
		const char **names = palloc(sizeof(char *) * cand.n);
		int			i;

		for (i = 0; i < cand.n; i++)
			names[i] = g->keys[cand.v[i]].key;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("depends_on prefix \"%s\" of revision \"%s\" is ambiguous",
						dep, rev),
				 errdetail("It matches %s.", quote_names(names, cand.n))));
	}
	return g->keys[cand.v[0]].idx;
}

/*
 * detect_cycles
 *		Iterative depth-first search over parents and dependencies.  Raises
 *		an error naming the first cycle found; otherwise fills g->topo with
 *		post-order numbers, so every parent numbers lower than its children.
 */
static void
detect_cycles(MigGraph *g)
{
	int			n = g->n;
	char	   *color = palloc0(Max(n, 1));	/* 0 new, 1 on stack, 2 done */
	int		   *edge = palloc0(sizeof(int) * Max(n, 1));
	int		   *stack = palloc(sizeof(int) * Max(n, 1));
	int			sp = 0,
				counter = 0,
				s;

	g->topo = palloc(sizeof(int) * Max(n, 1));
	for (s = 0; s < n; s++)
	{
		if (color[s])
			continue;
		color[s] = 1;
		stack[sp++] = s;
		while (sp > 0)
		{
			int			v = stack[sp - 1];

			if (edge[v] < ADJ_LEN(g->adown, v))
			{
				int			w = ADJ_AT(g->adown, v, edge[v]);

				edge[v]++;
				if (color[w] == 0)
				{
					color[w] = 1;
					stack[sp++] = w;
				}
				else if (color[w] == 1)
				{
					StringInfoData buf;
					int			k = sp - 1;

					while (stack[k] != w)
						k--;
					initStringInfo(&buf);
					for (; k < sp; k++)
						appendStringInfo(&buf, "%s -> ", rev_id(g, stack[k]));
					appendStringInfoString(&buf, rev_id(g, w));
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
							 errmsg("revision graph contains a cycle"),
							 errdetail("The cycle is %s, each arrow leading from a revision to one of its parents or dependencies.",
									   buf.data)));
				}
			}
			else
			{
				color[v] = 2;
				g->topo[v] = counter++;
				sp--;
			}
		}
	}
	pfree(color);
	pfree(edge);
	pfree(stack);
}

/*
 * normalize_dependencies
 *		Alembic's _normalize_depends_on: drop from a revision's dependencies
 *		those that one of its down_revision ancestors already depends on,
 *		then build _normalized_down_revisions (parents, then the remaining
 *		dependencies, deduplicated).
 *
 * Instead of walking the ancestors of every revision, we group the
 * dependents of each dependency target d; when d has several dependents, a
 * single multi-source search up the down_revision children finds which
 * dependents descend from another one.
 */
static void
normalize_dependencies(MigGraph *g)
{
	int			n = g->n;
	int			ndeps = g->deps.off[n];
	bool	   *keep = palloc(sizeof(bool) * Max(ndeps, 1));
	Adj			dependents;
	int			total;
	Marks		member,
				seen;
	int		   *stack = palloc(sizeof(int) * Max(n, 1));
	int			d,
				i,
				k;

	for (k = 0; k < ndeps; k++)
		keep[k] = true;

	if (ndeps > 0)
	{
		dependents = adj_reverse(g->deps, n);
		marks_init(&member, n);
		marks_init(&seen, n);
		for (d = 0; d < n; d++)
		{
			int			sp = 0;

			if (ADJ_LEN(dependents, d) < 2)
				continue;
			marks_clear(&member);
			marks_clear(&seen);
			for (k = 0; k < ADJ_LEN(dependents, d); k++)
				MARK(&member, ADJ_AT(dependents, d, k));
			for (k = 0; k < ADJ_LEN(dependents, d); k++)
			{
				int			m = ADJ_AT(dependents, d, k);
				int			c;

				for (c = 0; c < ADJ_LEN(g->vch, m); c++)
				{
					int			ch = ADJ_AT(g->vch, m, c);

					if (!MARKED(&seen, ch))
					{
						MARK(&seen, ch);
						stack[sp++] = ch;
					}
				}
			}
			while (sp > 0)
			{
				int			z = stack[--sp];
				int			c;

				if (MARKED(&member, z))
				{
					for (c = g->deps.off[z]; c < g->deps.off[z + 1]; c++)
						if (g->deps.v[c] == d)
							keep[c] = false;
				}
				for (c = 0; c < ADJ_LEN(g->vch, z); c++)
				{
					int			ch = ADJ_AT(g->vch, z, c);

					if (!MARKED(&seen, ch))
					{
						MARK(&seen, ch);
						stack[sp++] = ch;
					}
				}
			}
		}
	}

	g->ndown.off = palloc(sizeof(int) * (n + 1));
	g->ndown.v = palloc(sizeof(int) * Max(g->adown.off[n], 1));
	total = 0;
	for (i = 0; i < n; i++)
	{
		g->ndown.off[i] = total;
		for (k = g->par.off[i]; k < g->par.off[i + 1]; k++)
			g->ndown.v[total++] = g->par.v[k];
		for (k = g->deps.off[i]; k < g->deps.off[i + 1]; k++)
			if (keep[k] && !il_contains(g->ndown.v + g->ndown.off[i],
										total - g->ndown.off[i], g->deps.v[k]))
				g->ndown.v[total++] = g->deps.v[k];
	}
	g->ndown.off[n] = total;
	pfree(keep);
	pfree(stack);
}

/*
 * mig_graph_build
 *		Validate the registered revisions and build the graph.
 *
 * Checks, in this order: revision ids, duplicate ids, branch labels
 * (syntax, clashes with ids, labels declared twice), parents (known, not
 * the revision itself, not listed twice), depends_on (resolvable, not the
 * revision itself), and cycles through parents and dependencies.
 */
MigGraph *
mig_graph_build(MigRevDef *revs, int nrevs)
{
	MigGraph   *g = palloc0(sizeof(MigGraph));
	int			n = nrevs;
	int			total,
				i,
				k;

	g->n = n;
	g->defs = revs;
	g->mcxt = CurrentMemoryContext;
	g->ids = keytab_create(CurrentMemoryContext, Max(n, 16), NULL);
	g->labels = keytab_create(CurrentMemoryContext, 16, NULL);

	/* ids */
	for (i = 0; i < n; i++)
	{
		KeyEntry   *e;
		bool		found;

		mig_check_revision_id(revs[i].id);
		e = keytab_insert(g->ids, revs[i].id, &found);
		if (found)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("duplicate revision \"%s\"", revs[i].id)));
		e->idx = i;
	}

	/* branch labels */
	for (i = 0; i < n; i++)
	{
		for (k = 0; k < revs[i].nlabels; k++)
		{
			const char *label = revs[i].labels[k];
			KeyEntry   *e;
			bool		found;

			mig_check_branch_label(label, revs[i].id);
			if (keytab_lookup(g->ids, label) != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("branch label \"%s\" of revision \"%s\" is already used as a revision id",
								label, revs[i].id)));
			e = keytab_insert(g->labels, label, &found);
			if (found)
			{
				if (e->idx == i)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_OBJECT),
							 errmsg("revision \"%s\" declares branch label \"%s\" more than once",
									revs[i].id, label)));
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("branch label \"%s\" of revision \"%s\" is already used by revision \"%s\"",
								label, revs[i].id, rev_id(g, e->idx))));
			}
			e->idx = i;
		}
	}

	/* parents, straight into compressed form */
	total = 0;
	for (i = 0; i < n; i++)
		total += revs[i].nparents;
	g->par.off = palloc(sizeof(int) * (n + 1));
	g->par.v = palloc(sizeof(int) * Max(total, 1));
	total = 0;
	for (i = 0; i < n; i++)
	{
		g->par.off[i] = total;
		for (k = 0; k < revs[i].nparents; k++)
		{
			const char *p = revs[i].parents[k];
			KeyEntry   *e = p ? keytab_lookup(g->ids, p) : NULL;

			if (e && e->idx == i)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("revision \"%s\" cannot be its own parent",
								revs[i].id)));
			if (e == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("parent revision \"%s\" of revision \"%s\" not found",
								p ? p : "", revs[i].id)));
			if (il_contains(g->par.v + g->par.off[i], total - g->par.off[i], e->idx))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("revision \"%s\" lists parent \"%s\" more than once",
								revs[i].id, p)));
			g->par.v[total++] = e->idx;
		}
	}
	g->par.off[n] = total;

	/* dependencies, resolved and deduplicated */
	total = 0;
	for (i = 0; i < n; i++)
		total += revs[i].ndepends;
	g->deps.off = palloc(sizeof(int) * (n + 1));
	g->deps.v = palloc(sizeof(int) * Max(total, 1));
	total = 0;
	for (i = 0; i < n; i++)
	{
		g->deps.off[i] = total;
		for (k = 0; k < revs[i].ndepends; k++)
		{
			const char *dep = revs[i].depends[k];
			int			d;

			if (dep == NULL || dep[0] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("depends_on entry of revision \"%s\" must not be empty",
								revs[i].id)));
			d = resolve_dependency(g, dep, revs[i].id);
			if (d == i)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("revision \"%s\" cannot depend on itself",
								revs[i].id)));
			if (!il_contains(g->deps.v + g->deps.off[i], total - g->deps.off[i], d))
				g->deps.v[total++] = d;
		}
	}
	g->deps.off[n] = total;

	if (total == 0)
	{
		/*
		 * No depends_on anywhere (the common case): every relation with
		 * dependencies is the plain one, share it.
		 */
		g->adown = g->par;
		detect_cycles(g);
		g->vch = adj_reverse(g->par, n);
		g->ach = g->vch;
		g->ndown = g->par;
		g->nch = g->vch;
	}
	else
	{
		/* _all_down_revisions: parents, then dependencies, deduplicated */
		g->adown.off = palloc(sizeof(int) * (n + 1));
		g->adown.v = palloc(sizeof(int) * Max(g->par.off[n] + total, 1));
		total = 0;
		for (i = 0; i < n; i++)
		{
			g->adown.off[i] = total;
			for (k = g->par.off[i]; k < g->par.off[i + 1]; k++)
				g->adown.v[total++] = g->par.v[k];
			for (k = g->deps.off[i]; k < g->deps.off[i + 1]; k++)
				if (!il_contains(g->adown.v + g->adown.off[i],
								 total - g->adown.off[i], g->deps.v[k]))
					g->adown.v[total++] = g->deps.v[k];
		}
		g->adown.off[n] = total;

		detect_cycles(g);
		g->vch = adj_reverse(g->par, n);
		g->ach = adj_reverse(g->adown, n);
		normalize_dependencies(g);
		g->nch = adj_reverse(g->ndown, n);
	}

	for (i = 0; i < n; i++)
	{
		if (ADJ_LEN(g->vch, i) == 0)
			g->nheads++;
		if (ADJ_LEN(g->ach, i) == 0)
			g->nreal++;
		if (ADJ_LEN(g->par, i) == 0)
			g->nbases++;
	}
	g->heads = palloc(sizeof(int) * Max(g->nheads, 1));
	g->realheads = palloc(sizeof(int) * Max(g->nreal, 1));
	g->bases = palloc(sizeof(int) * Max(g->nbases, 1));
	g->nheads = g->nreal = g->nbases = 0;
	for (i = 0; i < n; i++)
	{
		if (ADJ_LEN(g->vch, i) == 0)
			g->heads[g->nheads++] = i;
		if (ADJ_LEN(g->ach, i) == 0)
			g->realheads[g->nreal++] = i;
		if (ADJ_LEN(g->par, i) == 0)
			g->bases[g->nbases++] = i;
	}
	return g;
}

/*
 * mig_graph_nrevs
 *		Number of revisions in the graph.
 */
int
mig_graph_nrevs(const MigGraph *g)
{
	return g->n;
}

/*
 * mig_graph_rev
 *		The registered definition of revision idx.
 */
const MigRevDef *
mig_graph_rev(const MigGraph *g, int idx)
{
	Assert(idx >= 0 && idx < g->n);
	return &g->defs[idx];
}

/*
 * mig_graph_find
 *		Exact id lookup; -1 when absent.
 */
int
mig_graph_find(const MigGraph *g, const char *id)
{
	KeyEntry   *e;

	if (id == NULL)
		return -1;
	e = keytab_lookup(g->ids, id);
	return e ? e->idx : -1;
}

/*
 * copy_ints
 *		A palloc'd copy of an int array (never NULL).
 */
static int *
copy_ints(const int *v, int n)
{
	int		   *r = palloc(sizeof(int) * Max(n, 1));

	if (n > 0)
		memcpy(r, v, sizeof(int) * n);
	return r;
}

/*
 * mig_graph_heads
 *		Alembic's `heads`: revisions no down_revision points to, in
 *		registration order.  A revision that only other revisions'
 *		depends_on point to is still a head.
 */
int *
mig_graph_heads(const MigGraph *g, int *nheads)
{
	*nheads = g->nheads;
	return copy_ints(g->heads, g->nheads);
}

/*
 * mig_graph_bases
 *		Alembic's `bases`: revisions without a down_revision, in
 *		registration order.
 */
int *
mig_graph_bases(const MigGraph *g, int *nbases)
{
	*nbases = g->nbases;
	return copy_ints(g->bases, g->nbases);
}


/* ----------------------------------------------------------------
 *		ancestry
 * ----------------------------------------------------------------
 */

/*
 * reaches
 *		Is a an ancestor-or-self of b?  With versioned_only, only through
 *		down_revision (Alembic's include_dependencies=False); otherwise
 *		through parents and dependencies.
 *
 * A depth-first search down from b that never visits a node numbered
 * below a in the topological order, since no such node can lead to a.
 */
static bool
reaches(const MigGraph *gc, int a, int b, bool versioned_only)
{
	MigGraph   *g = (MigGraph *) gc;	/* only the scratch space changes */
	const Adj  *adj = versioned_only ? &g->par : &g->adown;
	int			sp = 0;
	int			floor;

	if (a == b)
		return true;
	if (a < 0 || b < 0)
		return false;
	floor = g->topo[a];
	if (g->topo[b] <= floor)
		return false;
	if (g->qmark == NULL)
	{
		g->qmark = MemoryContextAllocZero(g->mcxt, sizeof(uint32) * Max(g->n, 1));
		g->qstack = MemoryContextAlloc(g->mcxt, sizeof(int) * Max(g->n, 1));
		g->qepoch = 0;
	}
	if (++g->qepoch == 0)
	{
		memset(g->qmark, 0, sizeof(uint32) * Max(g->n, 1));
		g->qepoch = 1;
	}
	g->qmark[b] = g->qepoch;
	g->qstack[sp++] = b;
	while (sp > 0)
	{
		int			z = g->qstack[--sp];
		int			k;

		for (k = adj->off[z]; k < adj->off[z + 1]; k++)
		{
			int			p = adj->v[k];

			if (p == a)
				return true;
			if (g->topo[p] > floor && g->qmark[p] != g->qepoch)
			{
				g->qmark[p] = g->qepoch;
				g->qstack[sp++] = p;
			}
		}
	}
	return false;
}

/*
 * mig_graph_is_ancestor
 *		Is a an ancestor of b (through parents and depends_on), or a == b?
 */
bool
mig_graph_is_ancestor(const MigGraph *g, int a, int b)
{
	if (a < 0 || b < 0 || a >= g->n || b >= g->n)
		return false;
	return reaches(g, a, b, false);
}

/*
 * closure
 *		Mark in out (a bool array) every revision reachable from revs
 *		through adj (downward: ancestors; upward: descendants), the starting
 *		revisions included.  Alembic's _get_ancestor_nodes /
 *		_get_descendant_nodes without check.
 */
static void
closure(const MigGraph *g, const Adj *adj, const int *revs, int nrevs,
		bool *out)
{
	int		   *stack = palloc(sizeof(int) * Max(g->n, 1));
	int			sp = 0,
				i;

	for (i = 0; i < nrevs; i++)
		if (revs[i] >= 0 && !out[revs[i]])
		{
			out[revs[i]] = true;
			stack[sp++] = revs[i];
		}
	while (sp > 0)
	{
		int			z = stack[--sp];
		int			k;

		for (k = adj->off[z]; k < adj->off[z + 1]; k++)
			if (!out[adj->v[k]])
			{
				out[adj->v[k]] = true;
				stack[sp++] = adj->v[k];
			}
	}
	pfree(stack);
}


/* ----------------------------------------------------------------
 *		target resolution (Alembic's RevisionMap lookups)
 * ----------------------------------------------------------------
 */

/* State of one resolution or planning call. */
typedef struct Ctx
{
	MigGraph   *g;
	const char *target;			/* the user's target, for messages */
	char	  **current;		/* version table rows */
	int			ncurrent;
} Ctx;

/*
 * Result of _resolve_revision_number: either one raw identifier (a full
 * id, a prefix, a label, a number...) or a list of revisions (for "head",
 * "heads"; empty for "base").
 */
typedef struct ResNum
{
	char	   *label;			/* text before '@', or NULL */
	char	   *str;			/* raw identifier, or NULL */
	int			n;				/* when str == NULL: the revisions */
	int		   *revs;
} ResNum;

/* Precomputed answer of filter_for_lineage for one check_against. */
typedef struct Lineage
{
	bool		ready;
	bool		all;			/* no shares: everything qualifies */
	bool	   *in;				/* comparable with one of the shares */
} Lineage;

static void resolve_number(Ctx *cx, const char *id, ResNum *out);
static int	resolve_branch(Ctx *cx, const char *label);
static int	revision_for_ident(Ctx *cx, const char *ident, const char *branch);

/*
 * err_not_found
 *		Alembic's ResolutionError "No such revision or branch".
 */
static void
err_not_found(const char *ident)
{
	if (strlen(ident) <= PARTIAL_MIN_KEYLEN)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("revision \"%s\" not found", ident),
				 errhint("Partial revision ids need at least four characters.")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("revision \"%s\" not found", ident)));
}

/*
 * err_multiple_heads
 *		Alembic's MultipleHeads.
 */
static void
err_multiple_heads(const MigGraph *g, const int *heads, int n,
				   const char *argument)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("target \"%s\" matches multiple heads: %s",
					argument, quote_revs(g, heads, n)),
			 errhint("Use \"heads\" for all heads, or name one head with \"<label>@head\" or its revision id.")));
}

/*
 * err_walk_beyond
 *		A relative target walks past the end of the graph.
 */
static void
err_walk_beyond(Ctx *cx)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("relative target \"%s\" moves beyond the revision graph",
					cx->target)));
}

/*
 * err_no_migrations
 *		Alembic's "Relative revision %s didn't produce %d migrations" for a
 *		relative step in the wrong direction or from an empty database.
 */
static void
err_no_migrations(Ctx *cx, bool upgrade)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("relative target \"%s\" does not produce any %s",
					cx->target, upgrade ? "upgrade" : "downgrade"),
			 upgrade ?
			 errhint("Relative upgrade targets move up from the current heads, as in \"+1\".") :
			 errhint("Relative downgrade targets move down from the current heads, as in \"-1\".")));
}

/*
 * current_revs
 *		The current heads as revision indexes (get_revisions(heads)); every
 *		version table row must name a registered revision.
 */
static int *
current_revs(Ctx *cx)
{
	int		   *r = palloc(sizeof(int) * Max(cx->ncurrent, 1));
	int			i;

	for (i = 0; i < cx->ncurrent; i++)
	{
		r[i] = mig_graph_find(cx->g, cx->current[i]);
		if (r[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("current revision \"%s\" not found",
							cx->current[i] ? cx->current[i] : ""),
					 errdetail("The version table refers to a revision that is not registered.")));
	}
	return r;
}

/*
 * lineage_prepare
 *		Resolve check_against the way filter_for_lineage does (the
 *		_resolve_revision_number part, which may raise at once) and remember
 *		the shares, resolved later only if there is something to filter.
 */
typedef struct LineageSpec
{
	const char *check;
	bool		include_deps;
	bool		is_branch;		/* check names a branch: say so in errors */
	ResNum		rn;
	Lineage		lin;
} LineageSpec;

static void
lineage_spec_init(Ctx *cx, LineageSpec *ls, const char *check,
				  bool include_deps, bool is_branch)
{
	memset(ls, 0, sizeof(*ls));
	ls->check = check;
	ls->include_deps = include_deps;
	ls->is_branch = is_branch;
	resolve_number(cx, check, &ls->rn);
}

/*
 * lineage_ready
 *		Resolve the shares (each through _revision_for_ident, which may
 *		raise) and mark every revision that is an ancestor or a descendant
 *		of one of them: Alembic's _shares_lineage, computed once.
 */
static void
lineage_ready(Ctx *cx, LineageSpec *ls)
{
	MigGraph   *g = cx->g;
	IntList		shares;
	bool	   *up,
			   *down;
	int			i;

	if (ls->lin.ready)
		return;
	il_init(&shares);
	if (ls->rn.label)
		il_push(&shares, resolve_branch(cx, ls->rn.label));
	if (ls->rn.str)
		il_push(&shares, ls->is_branch ? resolve_branch(cx, ls->rn.str) :
				revision_for_ident(cx, ls->rn.str, NULL));
	else
		for (i = 0; i < ls->rn.n; i++)
			il_push(&shares, ls->rn.revs[i]);
	ls->lin.ready = true;
	if (shares.n == 0)
	{
		ls->lin.all = true;
		return;
	}
	up = palloc0(sizeof(bool) * Max(g->n, 1));
	down = palloc0(sizeof(bool) * Max(g->n, 1));
	closure(g, ls->include_deps ? &g->ach : &g->vch, shares.v, shares.n, up);
	closure(g, ls->include_deps ? &g->ndown : &g->par, shares.v, shares.n,
			down);
	for (i = 0; i < g->n; i++)
		up[i] = up[i] || down[i];
	pfree(down);
	ls->lin.in = up;
}

/*
 * lineage_filter
 *		Keep the revisions of in that share lineage with the spec.
 */
static void
lineage_filter(Ctx *cx, LineageSpec *ls, const int *in, int nin, IntList *out)
{
	int			i;

	if (nin == 0)
		return;
	lineage_ready(cx, ls);
	for (i = 0; i < nin; i++)
		if (ls->lin.all || (in[i] >= 0 && ls->lin.in[in[i]]))
			il_push(out, in[i]);
}

/*
 * filter_for_lineage
 *		Alembic's RevisionMap.filter_for_lineage, one-shot form.
 */
static void
filter_for_lineage(Ctx *cx, const int *in, int nin, const char *check,
				   bool include_deps, IntList *out)
{
	LineageSpec ls;

	/* only _stamp_revs filters by a whole target rather than a branch */
	lineage_spec_init(cx, &ls, check, include_deps, !include_deps);
	lineage_filter(cx, &ls, in, nin, out);
}

/*
 * resolve_number
 *		Alembic's _resolve_revision_number: split "label@rest", and turn
 *		"heads", "head" and "base" into revisions.
 */
static void
resolve_number(Ctx *cx, const char *id, ResNum *out)
{
	MigGraph   *g = cx->g;
	const char *at;
	const char *rest = id;
	int			i;

	memset(out, 0, sizeof(*out));
	if (id == NULL)
		return;					/* None: like "base" */
	at = strchr(id, '@');
	if (at)
	{
		out->label = pnstrdup(id, at - id);
		rest = at + 1;
	}
	if (strcmp(rest, "heads") == 0)
	{
		IntList		l;

		il_init(&l);
		if (out->label)
			filter_for_lineage(cx, g->heads, g->nheads, out->label, false, &l);
		else
			for (i = 0; i < g->nreal; i++)
				il_push(&l, g->realheads[i]);
		out->n = l.n;
		out->revs = l.v;
	}
	else if (strcmp(rest, "head") == 0)
	{
		/* get_current_head(branch_label) */
		IntList		l;

		il_init(&l);
		if (out->label)
			filter_for_lineage(cx, g->heads, g->nheads, out->label, false, &l);
		else
			for (i = 0; i < g->nheads; i++)
				il_push(&l, g->heads[i]);
		if (l.n > 1)
			err_multiple_heads(g, l.v, l.n, out->label ?
							   psprintf("%s@head", out->label) : "head");
		out->n = l.n;
		out->revs = l.v;
	}
	else if (strcmp(rest, "base") == 0)
		out->n = 0;
	else
		out->str = pstrdup(rest);
}

/*
 * resolve_branch
 *		Alembic's _resolve_branch: a branch label, or a revision id or prefix
 *		used as a branch name.
 */
static int
resolve_branch(Ctx *cx, const char *label)
{
	int			idx = lookup_key(cx->g, label);
	IntList		cand;

	if (idx >= 0)
		return idx;
	il_init(&cand);
	if (label[0] != '\0')
		prefix_candidates(cx->g, label, &cand);
	if (cand.n != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("branch \"%s\" not found", label)));
	return cx->g->keys[cand.v[0]].idx;
}

/*
 * revision_for_ident
 *		Alembic's _revision_for_ident: exact id or label, else a unique
 *		partial match among ids and labels longer than three characters
 *		(narrowed to the branch when one is given); then check that the
 *		revision belongs to the branch.  ident NULL stands for Alembic's
 *		empty tuple and gives RV_NONE.
 */
static int
revision_for_ident(Ctx *cx, const char *ident, const char *branch)
{
	MigGraph   *g = cx->g;
	int			branch_rev = -1;
	int			rev;

	if (branch && branch[0] != '\0')
		branch_rev = resolve_branch(cx, branch);

	if (ident == NULL)
		return RV_NONE;

	rev = lookup_key(g, ident);
	if (rev < 0)
	{
		IntList		cand;

		il_init(&cand);
		if (ident[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid target \"%s\"", cx->target),
					 errdetail("A revision identifier is empty.")));
		prefix_candidates(g, ident, &cand);
		if (branch_rev >= 0 && cand.n > 0)
		{
			/* filter_for_lineage(revs, check_branch) */
			IntList		revs,
						kept;
			int			i,
						j;

			il_init(&revs);
			il_init(&kept);
			for (i = 0; i < cand.n; i++)
				il_push(&revs, g->keys[cand.v[i]].idx);
			filter_for_lineage(cx, revs.v, revs.n, branch, false, &kept);
			/* map the kept revisions back to their keys, keeping order */
			j = 0;
			for (i = 0; i < cand.n && j < kept.n; i++)
				if (revs.v[i] == kept.v[j])
				{
					cand.v[j++] = cand.v[i];
				}
			cand.n = j;
		}
		if (cand.n == 0)
			err_not_found(ident);
		if (cand.n > 1)
		{
			const char **names = palloc(sizeof(char *) * cand.n);
			int			i;

			for (i = 0; i < cand.n; i++)
				names[i] = g->keys[cand.v[i]].key;
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("revision prefix \"%s\" is ambiguous", ident),
					 errdetail("It matches %s.", quote_names(names, cand.n))));
		}
		rev = g->keys[cand.v[0]].idx;
	}

	if (branch_rev >= 0 &&
		!reaches(g, rev, branch_rev, true) && !reaches(g, branch_rev, rev, true))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revision \"%s\" is not a member of branch \"%s\"",
						rev_id(g, rev), branch)));
	return rev;
}

/*
 * python_int
 *		Does s parse as a Python int (sign, digits, single underscores
 *		between digits)?  The value is clamped to +/- INT_MAX / 2.
 */
static bool
python_int(const char *s, long *val)
{
	const char *p = s;
	bool		neg = false;
	long		v = 0;
	bool		digit = false;

	if (*p == '+' || *p == '-')
		neg = (*p++ == '-');
	for (; *p; p++)
	{
		if (*p >= '0' && *p <= '9')
		{
			if (v < INT_MAX / 2)
				v = v * 10 + (*p - '0');
			digit = true;
		}
		else if (*p == '_' && digit && p[1] >= '0' && p[1] <= '9')
			continue;
		else
			return false;
	}
	if (!digit)
		return false;
	if (v > INT_MAX / 2)
		v = INT_MAX / 2;
	*val = neg ? -v : v;
	return true;
}

static int	walk(Ctx *cx, int start, long steps, const char *label);

/*
 * get_revisions
 *		Alembic's RevisionMap.get_revisions for one string: the revisions a
 *		target names.  May contain RV_NONE / RV_BASE when a "label@-N" walk
 *		runs off the graph, as in Alembic.
 */
static void
get_revisions(Ctx *cx, const char *id, IntList *out)
{
	MigGraph   *g = cx->g;
	ResNum		rn;
	long		rint;
	int			i;

	resolve_number(cx, id, &rn);
	if (rn.str && python_int(rn.str, &rint) && rint < 0)
	{
		/* branch@-n: walk down from the (real) heads on that branch */
		for (i = 0; i < g->nreal; i++)
		{
			int			h = g->realheads[i];

			if (rn.label)
			{
				/* "label in head.branch_labels": a versioned ancestor declares it */
				KeyEntry   *e = keytab_lookup(g->labels, rn.label);

				if (e == NULL || !reaches(g, e->idx, h, true))
					continue;
			}
			il_push(out, walk(cx, h, rint, NULL));
		}
		return;
	}
	if (rn.str)
		il_push(out, revision_for_ident(cx, rn.str, rn.label));
	else
		for (i = 0; i < rn.n; i++)
			il_push(out, revision_for_ident(cx, rev_id(g, rn.revs[i]), rn.label));
}

/*
 * get_revision
 *		Alembic's RevisionMap.get_revision: exactly one revision, or RV_NONE
 *		for "base"; several heads is an error.
 */
static int
get_revision(Ctx *cx, const char *id)
{
	ResNum		rn;

	resolve_number(cx, id, &rn);
	if (rn.str)
		return revision_for_ident(cx, rn.str, rn.label);
	if (rn.n > 1)
		err_multiple_heads(cx->g, rn.revs, rn.n, id);
	if (rn.n == 1)
		return revision_for_ident(cx, rev_id(cx->g, rn.revs[0]), rn.label);
	return revision_for_ident(cx, NULL, rn.label);
}

/*
 * walk
 *		Alembic's _walk (with no_overwalk): move steps revisions up (> 0,
 *		restricted to the branch when label is given) or down (< 0) from
 *		start.  Returns RV_NONE when the walk leaves the graph, RV_BASE when
 *		it ends just below a base.  A branch point or merge point on the way
 *		makes the walk ambiguous.
 */
static int
walk(Ctx *cx, int start, long steps, const char *label)
{
	MigGraph   *g = cx->g;
	int			initial = start;
	long		nsteps = steps < 0 ? -steps : steps;
	LineageSpec ls;
	bool		have_ls = false;
	long		i;

	/* filter_for_lineage resolves the label even when nothing is filtered */
	if (steps > 0 && label && label[0] != '\0')
	{
		lineage_spec_init(cx, &ls, label, false, true);
		have_ls = true;
	}
	for (i = 0; i < nsteps; i++)
	{
		const int  *cands;
		int			ncands;
		IntList		filtered;
		int			base_only = RV_BASE;

		if (steps > 0)
		{
			if (initial == RV_BASE)
				err_walk_beyond(cx);
			if (initial == RV_NONE)
			{
				cands = g->bases;
				ncands = g->nbases;
			}
			else
			{
				cands = &ADJ_AT(g->vch, initial, 0);
				ncands = ADJ_LEN(g->vch, initial);
			}
			if (have_ls && ncands > 0)
			{
				il_init(&filtered);
				lineage_filter(cx, &ls, cands, ncands, &filtered);
				cands = filtered.v;
				ncands = filtered.n;
			}
		}
		else
		{
			if (initial == RV_BASE)
			{
				cands = NULL;
				ncands = 0;
			}
			else
			{
				if (initial == RV_NONE)
				{
					cands = g->heads;
					ncands = g->nheads;
				}
				else
				{
					cands = &ADJ_AT(g->par, initial, 0);
					ncands = ADJ_LEN(g->par, initial);
				}
				if (ncands == 0)
				{
					cands = &base_only;
					ncands = 1;
				}
			}
		}
		if (ncands == 0)
			return RV_NONE;
		if (ncands > 1)
		{
			char	   *why;

			if (initial == RV_NONE)
				why = pstrdup(steps > 0 ? "There is more than one base." :
							  "There is more than one head.");
			else if (steps > 0)
				why = psprintf("Revision \"%s\" is a branch point.",
							   rev_id(g, initial));
			else
				why = psprintf("Revision \"%s\" is a merge point.",
							   rev_id(g, initial));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relative target \"%s\" is ambiguous", cx->target),
					 errdetail("%s", why),
					 errhint("Name the branch, as in \"<label>@+1\", or use a revision id.")));
		}
		initial = cands[0];
	}
	return initial;
}


/* ----------------------------------------------------------------
 *		target syntax
 * ----------------------------------------------------------------
 */

/* Result of matching Alembic's _relative_destination regular expression. */
typedef struct RelMatch
{
	char	   *label;			/* group 1 or NULL */
	char	   *symbol;			/* group 2 or NULL */
	char	   *relative;		/* group 3, e.g. "+2" */
	long		steps;			/* int(group 3), clamped */
	int			end;			/* length of the match */
} RelMatch;

/*
 * is_word_char
 *		Python's \w for our purposes: ASCII letters, digits, underscore, and
 *		any non-ASCII byte (non-ASCII letters are word characters).
 */
static inline bool
is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/*
 * match_at
 *		Try "(\w+)?((?:\+|-)\d+)" at position p of s.
 */
static bool
match_at(const char *s, int p, RelMatch *m)
{
	int			q = p,
				r;

	while (s[q] && is_word_char((unsigned char) s[q]))
		q++;
	if (!(s[q] == '+' || s[q] == '-') || !(s[q + 1] >= '0' && s[q + 1] <= '9'))
		return false;
	r = q + 1;
	while (s[r] >= '0' && s[r] <= '9')
		r++;
	m->symbol = q > p ? pnstrdup(s + p, q - p) : NULL;
	m->relative = pnstrdup(s + q, r - q);
	(void) python_int(m->relative, &m->steps);
	m->end = r;
	return true;
}

/*
 * match_relative
 *		Alembic's _relative_destination.match(target):
 *		"(?:(.+?)@)?(\w+)?((?:\+|-)\d+)" anchored at the start only.
 */
static bool
match_relative(const char *s, RelMatch *m)
{
	int			k;

	memset(m, 0, sizeof(*m));
	for (k = 1; s[k]; k++)
	{
		if (s[k] == '@' && match_at(s, k + 1, m))
		{
			m->label = pnstrdup(s, k);
			return true;
		}
	}
	return match_at(s, 0, m);
}

/*
 * check_target_syntax
 *		Reject targets Alembic would crash on or read surprisingly: empty,
 *		with whitespace, with more than one '@', with nothing before or after
 *		'@', or a relative target followed by trailing characters.
 */
static void
check_target_syntax(const char *target, bool relative)
{
	const char *at;
	RelMatch	m;

	if (target == NULL || target[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid target \"\""),
				 errhint("Use \"head\", \"heads\", \"base\", a revision id, a branch label with \"@\", or a relative step such as \"+1\".")));
	if (has_space_or_control(target))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid target \"%s\"", target),
				 errdetail("Targets cannot contain whitespace or control characters.")));
	at = strchr(target, '@');
	if (at && (at == target || at[1] == '\0' || strchr(at + 1, '@')))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid target \"%s\"", target),
				 errdetail("A branch target has the form \"<label>@<revision>\", \"<label>@head\", \"<label>@base\" or \"<label>@+N\".")));
	if (relative && match_relative(target, &m) && target[m.end] != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid target \"%s\"", target),
				 errdetail("Unexpected characters \"%s\" follow the relative step \"%s\".",
						   target + m.end, m.relative)));
}


/* ----------------------------------------------------------------
 *		upgrade and downgrade targets
 * ----------------------------------------------------------------
 */

/*
 * label_at
 *		"label@symbol", or symbol alone when label is NULL.
 */
static char *
label_at(const char *label, const char *symbol)
{
	return label ? psprintf("%s@%s", label, symbol) : pstrdup(symbol);
}

/*
 * parse_upgrade_target
 *		Alembic's _parse_upgrade_target: the revisions an upgrade target
 *		names, relative targets counted from the current heads.
 */
static void
parse_upgrade_target(Ctx *cx, const char *target, IntList *out)
{
	MigGraph   *g = cx->g;
	RelMatch	m;

	if (!match_relative(target, &m))
	{
		get_revisions(cx, target, out);
		return;
	}
	if (m.steps > 0)
	{
		if (m.symbol == NULL)
		{
			IntList		start;
			int			rev;

			il_init(&start);
			if (m.label == NULL)
			{
				/* start from the version table rows (None when empty) */
				if (cx->ncurrent == 0)
					il_push(&start, RV_NONE);
				else
				{
					int		   *cur = current_revs(cx);
					int			i;

					for (i = 0; i < cx->ncurrent; i++)
						il_push(&start, cur[i]);
				}
			}
			else
			{
				int		   *cur = current_revs(cx);

				filter_for_lineage(cx, cur, cx->ncurrent, m.label, false, &start);
				if (start.n == 0)
				{
					/*
					 * The branch is not at a head: its most recent applied
					 * revisions are the tips of the applied revisions on it.
					 */
					bool	   *act = palloc0(sizeof(bool) * Max(g->n, 1));
					bool	   *isdown = palloc0(sizeof(bool) * Max(g->n, 1));
					IntList		all,
								onbranch;
					int			i,
								k;

					closure(g, &g->ndown, cur, cx->ncurrent, act);
					il_init(&all);
					il_init(&onbranch);
					for (i = 0; i < g->n; i++)
						if (act[i])
							il_push(&all, i);
					filter_for_lineage(cx, all.v, all.n, m.label, false, &onbranch);
					for (i = 0; i < onbranch.n; i++)
						for (k = 0; k < ADJ_LEN(g->ndown, onbranch.v[i]); k++)
							isdown[ADJ_AT(g->ndown, onbranch.v[i], k)] = true;
					for (i = 0; i < onbranch.n; i++)
						if (!isdown[onbranch.v[i]])
							il_push(&start, onbranch.v[i]);
					if (start.n == 0)
						il_push(&start, RV_NONE);
				}
			}
			if (start.n > 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" is ambiguous", cx->target),
						 errdetail("The database has more than one current head."),
						 errhint("Name the branch, as in \"<label>@+1\".")));
			rev = walk(cx, start.v[0], m.steps, m.label);
			if (rev == RV_NONE)
				err_walk_beyond(cx);
			il_push(out, rev);
		}
		else
			il_push(out, walk(cx, get_revision(cx, m.symbol), m.steps, m.label));
	}
	else
	{
		if (m.symbol == NULL)
			err_no_migrations(cx, true);
		il_push(out, walk(cx, get_revision(cx, label_at(m.label, m.symbol)),
						  m.steps, NULL));
	}
}

/*
 * parse_downgrade_target
 *		Alembic's _parse_downgrade_target: the branch label (or NULL) and
 *		the revision a downgrade goes to (RV_NONE or RV_BASE for base).
 */
static int
parse_downgrade_target(Ctx *cx, const char *target, char **label_out)
{
	MigGraph   *g = cx->g;
	RelMatch	m;
	int			rev;

	*label_out = NULL;
	if (!match_relative(target, &m))
	{
		const char *at = strrchr(target, '@');

		if (at && at != target)
			*label_out = pnstrdup(target, at - target);
		return get_revision(cx, at ? at + 1 : target);
	}
	if (m.steps >= 0)
	{
		if (m.symbol == NULL)
			err_no_migrations(cx, false);
		rev = walk(cx, get_revision(cx, m.symbol), m.steps, m.label);
		if (rev == RV_NONE)
			err_walk_beyond(cx);
		*label_out = m.label;
		return rev;
	}
	else
	{
		bool		relative_revision = (m.symbol == NULL);
		char	   *label = m.label;
		char	   *symbol = m.symbol;

		if (relative_revision)
		{
			if (label)
			{
				int		   *cur = current_revs(cx);
				IntList		syms;

				il_init(&syms);
				filter_for_lineage(cx, cur, cx->ncurrent, label, false, &syms);
				if (syms.n == 0)
				{
					/* _get_all_current: tips of the applied revisions */
					bool	   *act = palloc0(sizeof(bool) * Max(g->n, 1));
					IntList		tips;
					int			i,
								k;

					closure(g, &g->ndown, cur, cx->ncurrent, act);
					il_init(&tips);
					for (i = 0; i < g->n; i++)
					{
						bool		tip = act[i];

						for (k = 0; tip && k < ADJ_LEN(g->vch, i); k++)
							if (act[ADJ_AT(g->vch, i, k)])
								tip = false;
						if (tip)
							il_push(&tips, i);
					}
					filter_for_lineage(cx, tips.v, tips.n, label, false, &syms);
				}
				if (syms.n != 1)
				{
					if (syms.n == 0)
						err_no_migrations(cx, false);
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("relative target \"%s\" is ambiguous",
									cx->target),
							 errdetail("More than one current head is on branch \"%s\".",
									   label)));
				}
				symbol = pstrdup(rev_id(g, syms.v[0]));
			}
			else
			{
				if (cx->ncurrent == 0)
					err_no_migrations(cx, false);
				(void) current_revs(cx);
				symbol = cx->current[0];
				label = symbol;
			}
		}
		rev = walk(cx, get_revision(cx, label_at(label, symbol)), m.steps, NULL);
		if (rev == RV_NONE)
		{
			if (relative_revision)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" moves beyond the revision graph",
								cx->target),
						 errdetail("There are fewer than %ld revisions below the current head \"%s\".",
								   -m.steps, symbol)));
			err_walk_beyond(cx);
		}
		*label_out = label;
		return rev;
	}
}


/* ----------------------------------------------------------------
 *		collecting the revisions a command runs
 * ----------------------------------------------------------------
 */

/*
 * ancestors_checked
 *		Alembic's _get_ancestor_nodes(targets, check=True): mark the
 *		ancestors of targets (themselves included) in out, and fail when one
 *		target is an ancestor of another ("overlaps").
 */
static void
ancestors_checked(Ctx *cx, const int *targets, int ntargets, bool *out)
{
	MigGraph   *g = cx->g;
	Marks		istarget,
				popped;
	IntList		stack;
	int			t;

	marks_init(&istarget, g->n);
	marks_init(&popped, g->n);
	il_init(&stack);
	for (t = 0; t < ntargets; t++)
		MARK(&istarget, targets[t]);
	for (t = 0; t < ntargets; t++)
	{
		IntList		overlaps;

		il_init(&overlaps);
		marks_clear(&popped);
		stack.n = 0;
		il_push(&stack, targets[t]);
		while (stack.n > 0)
		{
			int			z = stack.v[--stack.n];
			int			k;

			if (!MARKED(&popped, z))
			{
				MARK(&popped, z);
				if (z != targets[t] && MARKED(&istarget, z))
					il_push(&overlaps, z);
			}
			if (out[z])
				continue;
			out[z] = true;
			for (k = 0; k < ADJ_LEN(g->ndown, z); k++)
				il_push(&stack, ADJ_AT(g->ndown, z, k));
		}
		if (overlaps.n > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("requested revision \"%s\" overlaps with other requested revisions",
							rev_id(g, targets[t])),
					 errdetail("It descends from %s.",
							   quote_revs(g, overlaps.v, overlaps.n))));
	}
}

/*
 * collect_upgrade
 *		Alembic's _collect_upgrade_revisions with implicit_base=True (what
 *		`alembic upgrade` uses): the ancestors of the targets not yet
 *		applied.  Sets todo[] and returns the targets.
 */
static void
collect_upgrade(Ctx *cx, const char *target, bool *todo, IntList *targets)
{
	MigGraph   *g = cx->g;
	bool	   *cur = palloc0(sizeof(bool) * Max(g->n, 1));
	int		   *currev;
	int			i;

	parse_upgrade_target(cx, target, targets);
	for (i = 0; i < targets->n; i++)
		if (targets->v[i] < 0)
			err_walk_beyond(cx);	/* Alembic: is_revision() assertion */
	ancestors_checked(cx, targets->v, targets->n, todo);
	currev = current_revs(cx);
	ancestors_checked(cx, currev, cx->ncurrent, cur);
	for (i = 0; i < g->n; i++)
		todo[i] = todo[i] && !cur[i];
	pfree(cur);
}

/*
 * collect_downgrade
 *		Alembic's _collect_downgrade_revisions (implicit_base=False): the
 *		applied descendants of the target's children (or of every base for
 *		"base"), narrowed to a branch when one is named.  Sets todo[].
 */
static void
collect_downgrade(Ctx *cx, const char *target, bool *todo)
{
	MigGraph   *g = cx->g;
	char	   *label;
	int			trev;
	IntList		roots;
	int		   *cur;
	bool	   *act;
	bool		any = false;
	int			nroot_keys = 0;
	int			i;

	trev = parse_downgrade_target(cx, target, &label);
	if (trev == RV_BASE)
		trev = RV_NONE;

	il_init(&roots);
	if (trev == RV_NONE)
	{
		/*
		 * Alembic collects the bases from _revision_map.values(), where a
		 * base with branch labels appears once per key: count it so.
		 */
		for (i = 0; i < g->nbases; i++)
		{
			il_push(&roots, g->bases[i]);
			nroot_keys += 1 + g->defs[g->bases[i]].nlabels;
		}
	}
	else
	{
		for (i = 0; i < ADJ_LEN(g->vch, trev); i++)
			il_push(&roots, ADJ_AT(g->vch, trev, i));
		nroot_keys = roots.n;
	}

	if (label && label[0] != '\0' && nroot_keys > 1)
	{
		int			br = resolve_branch(cx, label);
		bool	   *anc = palloc0(sizeof(bool) * Max(g->n, 1));
		int			j = 0;

		closure(g, &g->par, &br, 1, anc);
		for (i = 0; i < roots.n; i++)
			if (anc[roots.v[i]])
				roots.v[j++] = roots.v[i];
		roots.n = j;
		if (j == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("downgrade target \"%s\" is not valid from the current heads",
							cx->target),
					 errdetail("No revision above the target is on branch \"%s\".",
							   label)));
	}

	cur = current_revs(cx);
	act = palloc0(sizeof(bool) * Max(g->n, 1));
	closure(g, &g->ndown, cur, cx->ncurrent, act);
	closure(g, &g->ach, roots.v, roots.n, todo);
	for (i = 0; i < g->n; i++)
	{
		todo[i] = todo[i] && act[i];
		any = any || todo[i];
	}

	if (trev != RV_NONE && !any && !il_contains(cur, cx->ncurrent, trev))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("downgrade target \"%s\" is not below the current heads",
						cx->target),
				 cx->ncurrent > 0 ?
				 errdetail("Revision \"%s\" is not an ancestor of the current heads %s.",
						   rev_id(g, trev), quote_names((const char *const *) cx->current,
														cx->ncurrent)) :
				 errdetail("The database is at base.")));
	pfree(act);
}


/* ----------------------------------------------------------------
 *		ordering (Alembic's _topological_sort)
 * ----------------------------------------------------------------
 */

/*
 * Alembic's _topological_sort keeps an ordered list of "current heads"
 * and a cursor.  The candidate under the cursor is emitted when no other
 * listed head descends from it; otherwise the cursor jumps to the first
 * listed head that does.  An emitted candidate is replaced in place by its
 * first not-yet-listed normalized parent still to do, the others are
 * appended; with none, its slot is removed and the cursor steps back.
 *
 * Alembic keeps a full ancestor set per listed head.  We use instead:
 *	- "another listed head descends from c" iff c has a child (through
 *	  normalized down revisions) still to do and not yet emitted, because
 *	  what is left to do is exactly the ancestors of the listed heads;
 *	- the jump target is found by scanning the list in order and searching
 *	  down from each head (never below c in the topological numbering),
 *	  with one visited set per jump.
 * The result is Alembic's order.  A work budget guards against graphs
 * where the scans would become quadratic; past it we fall back to a plain
 * reverse topological order.
 */
typedef struct TopoSlot
{
	int			node;
	int			prev;
	int			next;
} TopoSlot;

/*
 * topo_fallback
 *		A reverse topological order of todo (descendants first), by Kahn's
 *		algorithm over the pending child counts.  Used when the exact
 *		emulation exceeds its work budget.
 */
static int *
topo_fallback(MigGraph *g, const bool *todo, int ntodo)
{
	int		   *pc = palloc0(sizeof(int) * Max(g->n, 1));
	int		   *out = palloc(sizeof(int) * Max(ntodo, 1));
	int		   *stack = palloc(sizeof(int) * Max(ntodo, 1));
	int			sp = 0,
				nout = 0,
				i,
				k;

	for (i = 0; i < g->n; i++)
		if (todo[i])
			for (k = 0; k < ADJ_LEN(g->ndown, i); k++)
				if (todo[ADJ_AT(g->ndown, i, k)])
					pc[ADJ_AT(g->ndown, i, k)]++;
	for (i = g->n - 1; i >= 0; i--)
		if (todo[i] && pc[i] == 0)
			stack[sp++] = i;
	while (sp > 0)
	{
		int			c = stack[--sp];

		out[nout++] = c;
		for (k = ADJ_LEN(g->ndown, c) - 1; k >= 0; k--)
		{
			int			p = ADJ_AT(g->ndown, c, k);

			if (todo[p] && --pc[p] == 0)
				stack[sp++] = p;
		}
	}
	Assert(nout == ntodo);
	pfree(pc);
	pfree(stack);
	return out;
}

/*
 * topological_sort
 *		Alembic's _topological_sort(revisions, heads): todo[] in an order
 *		where every revision comes before its (normalized) down revisions.
 *		Upgrades run it reversed, downgrades as is.
 */
static int *
topological_sort(MigGraph *g, const bool *todo_in, const int *heads,
				 int nheads, int *nout)
{
	int			n = g->n;
	bool	   *todo = palloc(sizeof(bool) * Max(n, 1));
	int		   *pc = palloc0(sizeof(int) * Max(n, 1));
	int		   *slot_of = palloc(sizeof(int) * Max(n, 1));
	int		   *out;
	int		   *stack;
	TopoSlot   *slots;
	int			nslots = 0,
				first = -1,
				last = -1,
				cur,
				ntodo = 0,
				nemitted = 0,
				i,
				k;
	Marks		seen;
	int64		budget,
				work = 0;

	for (i = 0; i < n; i++)
	{
		todo[i] = todo_in[i];
		slot_of[i] = -1;
		if (todo[i])
		{
			ntodo++;
			for (k = 0; k < ADJ_LEN(g->ndown, i); k++)
				if (todo_in[ADJ_AT(g->ndown, i, k)])
					pc[ADJ_AT(g->ndown, i, k)]++;
		}
	}
	*nout = ntodo;
	out = palloc(sizeof(int) * Max(ntodo, 1));
	if (ntodo == 0)
		return out;

	budget = (int64) 64 * (ntodo + g->ndown.off[n]) + 100000;
	slots = palloc(sizeof(TopoSlot) * Max(ntodo, 1));
	stack = palloc(sizeof(int) * Max(n, 1));
	marks_init(&seen, n);

	/* initial list: the heads still to do, in registration order */
	{
		bool	   *ish = palloc0(sizeof(bool) * Max(n, 1));

		for (i = 0; i < nheads; i++)
			if (heads[i] >= 0 && todo[heads[i]])
				ish[heads[i]] = true;
		for (i = 0; i < n; i++)
			if (ish[i])
			{
				slots[nslots].node = i;
				slots[nslots].prev = last;
				slots[nslots].next = -1;
				if (last >= 0)
					slots[last].next = nslots;
				else
					first = nslots;
				slot_of[i] = nslots;
				last = nslots++;
			}
		pfree(ish);
	}
	if (first < 0)
		elog(ERROR, "topological sort found no head among the revisions to run");

	cur = first;
	while (first >= 0)
	{
		int			c = slots[cur].node;

		if (pc[c] > 0)
		{
			/* blocked: jump to the first listed head descending from c */
			int			s,
						found = -1;

			marks_clear(&seen);
			for (s = first; s >= 0 && found < 0; s = slots[s].next)
			{
				int			sp = 0;
				int			h = slots[s].node;

				if (s == cur || MARKED(&seen, h))
					continue;
				MARK(&seen, h);
				stack[sp++] = h;
				while (sp > 0 && found < 0)
				{
					int			z = stack[--sp];

					for (k = 0; k < ADJ_LEN(g->ndown, z); k++)
					{
						int			p = ADJ_AT(g->ndown, z, k);

						work++;
						if (p == c)
						{
							found = s;
							break;
						}
						if (todo[p] && g->topo[p] > g->topo[c] &&
							!MARKED(&seen, p))
						{
							MARK(&seen, p);
							stack[sp++] = p;
						}
					}
				}
				work++;
			}
			if (found < 0)
				elog(ERROR, "topological sort lost track of revision \"%s\"",
					 rev_id(g, c));
			cur = found;
			if (work > budget)
				break;
			continue;
		}

		/* emit c */
		out[nemitted++] = c;
		todo[c] = false;
		slot_of[c] = -1;
		for (k = 0; k < ADJ_LEN(g->ndown, c); k++)
		{
			int			p = ADJ_AT(g->ndown, c, k);

			if (todo[p])
				pc[p]--;
		}

		{
			bool		replaced = false;

			for (k = 0; k < ADJ_LEN(g->ndown, c); k++)
			{
				int			p = ADJ_AT(g->ndown, c, k);

				if (!todo[p] || slot_of[p] >= 0)
					continue;
				if (!replaced)
				{
					slots[cur].node = p;
					slot_of[p] = cur;
					replaced = true;
				}
				else
				{
					slots[nslots].node = p;
					slots[nslots].prev = last;
					slots[nslots].next = -1;
					slots[last].next = nslots;
					slot_of[p] = nslots;
					last = nslots++;
				}
			}
			if (!replaced)
			{
				/* remove the slot; cursor to max(idx - 1, 0) */
				int			pv = slots[cur].prev,
							nx = slots[cur].next;

				if (pv >= 0)
					slots[pv].next = nx;
				else
					first = nx;
				if (nx >= 0)
					slots[nx].prev = pv;
				else
					last = pv;
				cur = pv >= 0 ? pv : first;
			}
		}
	}

	if (nemitted < ntodo)
	{
		/* over budget: a plain reverse topological order instead */
		pfree(out);
		out = topo_fallback(g, todo_in, ntodo);
	}
	pfree(todo);
	pfree(pc);
	pfree(slot_of);
	pfree(stack);
	pfree(slots);
	pfree(seen.v);
	return out;
}


/* ----------------------------------------------------------------
 *		the version table (Alembic's HeadMaintainer)
 * ----------------------------------------------------------------
 */

/* A bump allocator for the per-step copies of the version table. */
typedef struct IntArena
{
	int		   *cur;
	int			left;
} IntArena;

/*
 * arena_copy
 *		Copy n ints into the arena (NULL for n == 0).
 */
static int *
arena_copy(IntArena *a, const int *v, int n)
{
	int		   *r;

	if (n == 0)
		return NULL;
	if (n > a->left)
	{
		int			sz = Max(n, 16384);

		a->cur = palloc(sizeof(int) * sz);
		a->left = sz;
	}
	r = a->cur;
	memcpy(r, v, sizeof(int) * n);
	a->cur += n;
	a->left -= n;
	return r;
}

/*
 * The version table as Alembic maintains it, in row order: inserts append
 * a row, updates rewrite a row in place, deletes remove one.  pos[] gives
 * each revision's row or -1; applied[] is the set of revisions the table
 * implies (the ancestors of its rows), kept exact step by step.
 */
typedef struct HeadTable
{
	int			n;
	int		   *rows;
	int		   *pos;
	IntList		added;			/* rows inserted by the current step */
	IntList		removed;		/* rows deleted by the current step */
	bool	   *applied;
	Marks		seen;
	int		   *stack;
} HeadTable;

/*
 * ht_init
 *		Load the current heads (deduplicated, in row order).
 */
static void
ht_init(MigGraph *g, HeadTable *ht, const int *cur, int ncur)
{
	int			i;

	ht->n = 0;
	ht->rows = palloc(sizeof(int) * Max(g->n, 1));
	ht->pos = palloc(sizeof(int) * Max(g->n, 1));
	for (i = 0; i < g->n; i++)
		ht->pos[i] = -1;
	for (i = 0; i < ncur; i++)
		if (ht->pos[cur[i]] < 0)
		{
			ht->pos[cur[i]] = ht->n;
			ht->rows[ht->n++] = cur[i];
		}
	il_init(&ht->added);
	il_init(&ht->removed);
	ht->applied = palloc0(sizeof(bool) * Max(g->n, 1));
	closure(g, &g->ndown, ht->rows, ht->n, ht->applied);
	marks_init(&ht->seen, g->n);
	ht->stack = palloc(sizeof(int) * Max(g->n, 1));
}

/*
 * ht_insert / ht_delete / ht_update
 *		Row operations; the caller has checked Alembic's preconditions.
 */
static void
ht_insert(HeadTable *ht, int v)
{
	Assert(ht->pos[v] < 0);
	ht->pos[v] = ht->n;
	ht->rows[ht->n++] = v;
	il_push(&ht->added, v);
}

static void
ht_delete(HeadTable *ht, int v)
{
	int			p = ht->pos[v],
				i;

	Assert(p >= 0);
	for (i = p + 1; i < ht->n; i++)
	{
		ht->rows[i - 1] = ht->rows[i];
		ht->pos[ht->rows[i]] = i - 1;
	}
	ht->n--;
	ht->pos[v] = -1;
	il_push(&ht->removed, v);
}

static void
ht_update(HeadTable *ht, int from, int to)
{
	int			p = ht->pos[from];

	Assert(p >= 0 && ht->pos[to] < 0);
	ht->rows[p] = to;
	ht->pos[to] = p;
	ht->pos[from] = -1;
	il_push(&ht->removed, from);
	il_push(&ht->added, to);
}

/*
 * ht_take_delta
 *		Store the rows the step just applied removed and added into st (a
 *		row both added and removed within the step cancels out), and start
 *		a new step.  Steps carry deltas, not copies of the table, so a plan
 *		stays linear in memory however many heads are alive at once.
 */
static void
ht_take_delta(HeadTable *ht, MigStep *st, IntArena *arena)
{
	int			i,
				j;

	for (i = 0; i < ht->added.n; i++)
		for (j = 0; j < ht->removed.n; j++)
			if (ht->added.v[i] >= 0 && ht->added.v[i] == ht->removed.v[j])
			{
				ht->added.v[i] = -1;
				ht->removed.v[j] = -1;
				break;
			}
	st->nremoved = 0;
	st->nadded = 0;
	for (i = 0; i < ht->removed.n; i++)
		if (ht->removed.v[i] >= 0)
			ht->removed.v[st->nremoved++] = ht->removed.v[i];
	for (i = 0; i < ht->added.n; i++)
		if (ht->added.v[i] >= 0)
			ht->added.v[st->nadded++] = ht->added.v[i];
	st->removed = arena_copy(arena, ht->removed.v, st->nremoved);
	st->added = arena_copy(arena, ht->added.v, st->nadded);
	ht->added.n = 0;
	ht->removed.n = 0;
}

/*
 * ht_covered
 *		Is x an ancestor-or-self of a row other than those in excl?  That is
 *		Alembic's "x in ancestors(heads - excl)" of merge_branch_idents and
 *		_unmerge_to_revisions.
 *
 * Every applied revision is below some row.  So x is covered as soon as
 * we find, going up through applied revisions from x, a row outside excl,
 * or a revision that is not an ancestor of any excl member (some other row
 * must be above it).
 */
static bool
ht_covered(MigGraph *g, HeadTable *ht, int x, const int *excl, int nexcl)
{
	int			sp = 0;

	if (x < 0 || !ht->applied[x])
		return false;
	marks_clear(&ht->seen);
	MARK(&ht->seen, x);
	ht->stack[sp++] = x;
	while (sp > 0)
	{
		int			y = ht->stack[--sp];
		bool		below_excl = false;
		int			k;

		if (ht->pos[y] >= 0 && !il_contains(excl, nexcl, y))
			return true;
		for (k = 0; k < nexcl && !below_excl; k++)
			below_excl = reaches(g, y, excl[k], false);
		if (!below_excl)
			return true;
		for (k = 0; k < ADJ_LEN(g->nch, y); k++)
		{
			int			c = ADJ_AT(g->nch, y, k);

			if (ht->applied[c] && !MARKED(&ht->seen, c))
			{
				MARK(&ht->seen, c);
				ht->stack[sp++] = c;
			}
		}
	}
	return false;
}

/*
 * ht_step
 *		Alembic's HeadMaintainer.update_to_step for a RevisionStep: run
 *		revision r up or down and move the version table exactly as
 *		should_delete_branch, should_create_branch, should_merge_branches,
 *		should_unmerge_branches and update_version_num decide.  Where
 *		Alembic would crash (a row to delete or update is missing, or the
 *		new row exists already), do what the step implies instead.
 */
static void
ht_step(MigGraph *g, HeadTable *ht, int r, bool upgrade)
{
	const int  *nd = &ADJ_AT(g->ndown, r, 0);
	int			nnd = ADJ_LEN(g->ndown, r);
	int			inheads = 0,
				last_in = -1,
				i;

	for (i = 0; i < nnd; i++)
		if (ht->pos[nd[i]] >= 0)
		{
			inheads++;
			last_in = nd[i];
		}

	if (!upgrade)
	{
		if (ht->pos[r] >= 0)
		{
			IntList		to;

			il_init(&to);
			if (nnd > 0)
			{
				if (ht->n > 1)
				{
					for (i = 0; i < nnd; i++)
						if (!ht_covered(g, ht, nd[i], &r, 1))
							il_push(&to, nd[i]);
				}
				else
					for (i = 0; i < nnd; i++)
						il_push(&to, nd[i]);
			}
			if (to.n == 0)
			{
				/* should_delete_branch */
				ht_delete(ht, r);
				goto done;
			}
			if (nnd > 1 || to.n > 1)
			{
				/* should_unmerge_branches: insert to[:-1], update r -> to[-1] */
				bool		ok = true;

				for (i = 0; i < to.n; i++)
					if (ht->pos[to.v[i]] >= 0)
						ok = false;
				if (ok)
				{
					for (i = 0; i < to.n - 1; i++)
						ht_insert(ht, to.v[i]);
					ht_update(ht, r, to.v[to.n - 1]);
					goto done;
				}
			}
			else if (nnd == 1 && ht->pos[nd[0]] < 0)
			{
				/* update_version_num: r -> its single down revision */
				ht_update(ht, r, nd[0]);
				goto done;
			}
		}

		/* Alembic would fail here; remove r, add what is not covered */
		if (ht->pos[r] >= 0)
		{
			IntList		add;

			il_init(&add);
			for (i = 0; i < nnd; i++)
				if (ht->pos[nd[i]] < 0 && !ht_covered(g, ht, nd[i], &r, 1))
					il_push(&add, nd[i]);
			if (add.n == 0)
				ht_delete(ht, r);
			else
			{
				for (i = 0; i < add.n - 1; i++)
					ht_insert(ht, add.v[i]);
				ht_update(ht, r, add.v[add.n - 1]);
			}
		}
		goto done;
	}
	else
	{
		if (ht->pos[r] >= 0)
			goto done;			/* cannot happen: r is not applied yet */
		if (nnd == 0 || inheads == 0)
		{
			/* should_create_branch */
			ht_insert(ht, r);
			goto done;
		}
		if (nnd > 1 && inheads > 1)
		{
			/* should_merge_branches */
			IntList		from;
			bool		ok = true;

			il_init(&from);
			if (ht->n > inheads)
			{
				for (i = 0; i < nnd; i++)
					if (!ht_covered(g, ht, nd[i], nd, nnd))
						il_push(&from, nd[i]);
			}
			else
				for (i = 0; i < nnd; i++)
					il_push(&from, nd[i]);
			for (i = 0; i < from.n; i++)
				if (ht->pos[from.v[i]] < 0)
					ok = false;
			if (ok && from.n > 0)
			{
				for (i = 0; i < from.n - 1; i++)
					ht_delete(ht, from.v[i]);
				ht_update(ht, from.v[from.n - 1], r);
				goto done;
			}
		}
		else if (inheads == 1)
		{
			/* update_version_num: the one down revision in the table -> r */
			ht_update(ht, last_in, r);
			goto done;
		}

		/* Alembic would fail here; replace the down revisions by r */
		for (i = 0; i < nnd; i++)
			if (ht->pos[nd[i]] >= 0 && nd[i] != last_in)
				ht_delete(ht, nd[i]);
		ht_update(ht, last_in, r);
	}

done:
	ht->applied[r] = upgrade;
}

/*
 * ht_stamp_step
 *		Alembic's HeadMaintainer.update_to_step for a StampStep moving the
 *		rows from[] to revision to (RV_NONE: delete), with is_upgrade and
 *		branch_move as _stamp_revs sets them.
 */
static void
ht_stamp_step(MigGraph *g, HeadTable *ht, const int *from, int nfrom, int to,
			  bool is_upgrade, bool branch_move)
{
	int			i;
	bool		from_missing = false;

	for (i = 0; i < nfrom; i++)
		if (ht->pos[from[i]] < 0)
			from_missing = true;

	if (!is_upgrade && branch_move)
	{
		/* should_delete_branch */
		if (nfrom == 1 && !from_missing)
		{
			ht_delete(ht, from[0]);
			return;
		}
	}
	else if (is_upgrade && (branch_move || from_missing) &&
			 to >= 0 && ht->pos[to] < 0)
	{
		/* should_create_branch */
		ht_insert(ht, to);
		return;
	}
	else if (nfrom > 1)
	{
		/* should_merge_branches */
		if (!from_missing && to >= 0 && ht->pos[to] < 0)
		{
			for (i = 0; i < nfrom - 1; i++)
				ht_delete(ht, from[i]);
			ht_update(ht, from[nfrom - 1], to);
			return;
		}
	}
	else if (nfrom == 1 && !from_missing && to >= 0 && ht->pos[to] < 0)
	{
		/* update_version_num */
		ht_update(ht, from[0], to);
		return;
	}

	/* Alembic would fail here: drop the rows from, add to */
	for (i = 0; i < nfrom; i++)
		if (ht->pos[from[i]] >= 0)
			ht_delete(ht, from[i]);
	if (to >= 0 && ht->pos[to] < 0)
		ht_insert(ht, to);
}


/* ----------------------------------------------------------------
 *		plans
 * ----------------------------------------------------------------
 */

/*
 * plan_stamp
 *		Alembic's ScriptDirectory._stamp_revs followed by the head
 *		maintenance of MigrationContext.stamp.
 */
static void
plan_stamp(Ctx *cx, const char *target, MigPlan *plan)
{
	MigGraph   *g = cx->g;
	int		   *cur = current_revs(cx);
	IntList		filtered,
				dests;
	HeadTable	ht;
	int			d,
				i,
				j;

	il_init(&filtered);
	il_init(&dests);
	{
		IntList		f;

		il_init(&f);
		filter_for_lineage(cx, cur, cx->ncurrent, target, true, &f);
		for (i = 0; i < f.n; i++)
			if (!il_contains(filtered.v, filtered.n, f.v[i]))
				il_push(&filtered, f.v[i]);
	}
	get_revisions(cx, target, &dests);
	if (dests.n == 0)
		il_push(&dests, RV_NONE);

	ht_init(g, &ht, cur, cx->ncurrent);
	for (d = 0; d < dests.n; d++)
	{
		int			dest = dests.v[d];
		bool		above = false,
					below = false;

		if (dest == RV_NONE)
		{
			for (i = 0; i < filtered.n; i++)
				ht_stamp_step(g, &ht, &filtered.v[i], 1, RV_NONE, false, true);
			continue;
		}
		if (dest == RV_BASE)
			err_walk_beyond(cx);	/* Alembic: is_revision() assertion */
		if (il_contains(filtered.v, filtered.n, dest))
			continue;
		for (j = 0; j < filtered.n; j++)
		{
			if (reaches(g, dest, filtered.v[j], false))
				above = true;
			else if (reaches(g, filtered.v[j], dest, false))
				below = true;
		}
		if (above)
			ht_stamp_step(g, &ht, filtered.v, filtered.n, dest, false, false);
		else if (below)
			ht_stamp_step(g, &ht, filtered.v, filtered.n, dest, true, false);
		else
			ht_stamp_step(g, &ht, NULL, 0, dest, true, true);
	}
	plan->nsteps = 0;
	plan->steps = NULL;
	plan->nfinal = ht.n;
	plan->final_heads = copy_ints(ht.rows, ht.n);
}

/*
 * mig_graph_plan
 *		Plan an upgrade, downgrade or stamp to target from the current heads
 *		(the version table rows) with Alembic 1.8's semantics: the revisions
 *		to run, their order, and the version table after each step.
 */
MigPlan *
mig_graph_plan(const MigGraph *gc, MigCommand cmd, const char *target,
			   char **current, int ncurrent)
{
	MigGraph   *g = (MigGraph *) gc;
	MigPlan    *plan = palloc0(sizeof(MigPlan));
	Ctx			cx;
	bool	   *todo;
	int		   *order;
	int			norder,
				i;
	HeadTable	ht;
	IntArena	arena = {NULL, 0};
	bool		upgrade = (cmd == MIG_CMD_UPGRADE);

	cx.g = g;
	cx.target = target ? target : "";
	cx.current = current;
	cx.ncurrent = ncurrent;

	check_target_syntax(target, cmd != MIG_CMD_STAMP);

	if (cmd == MIG_CMD_STAMP)
	{
		plan_stamp(&cx, target, plan);
		return plan;
	}

	todo = palloc0(sizeof(bool) * Max(g->n, 1));
	if (upgrade)
	{
		IntList		targets;

		il_init(&targets);
		collect_upgrade(&cx, target, todo, &targets);
		order = topological_sort(g, todo, targets.v, targets.n, &norder);
		/* upgrades run the sorted list backwards */
		for (i = 0; i < norder / 2; i++)
		{
			int			t = order[i];

			order[i] = order[norder - 1 - i];
			order[norder - 1 - i] = t;
		}
	}
	else
	{
		int		   *cur;

		collect_downgrade(&cx, target, todo);
		cur = current_revs(&cx);
		order = topological_sort(g, todo, cur, ncurrent, &norder);
	}

	ht_init(g, &ht, current_revs(&cx), ncurrent);
	plan->nsteps = norder;
	plan->steps = palloc(sizeof(MigStep) * Max(norder, 1));
	for (i = 0; i < norder; i++)
	{
		MigStep    *st = &plan->steps[i];

		ht_step(g, &ht, order[i], upgrade);
		st->rev = order[i];
		st->upgrade = upgrade;
		ht_take_delta(&ht, st, &arena);
	}
	plan->nfinal = ht.n;
	plan->final_heads = copy_ints(ht.rows, ht.n);
	return plan;
}

/*
 * mig_graph_resolve
 *		The revisions a target names, for display and checks: a relative
 *		step down ("-1", "<label>@-2", "<rev>-1") is read as a downgrade
 *		target, everything else as an upgrade target; *nout = 0 for base.
 */
int *
mig_graph_resolve(const MigGraph *gc, const char *target,
				  char **current, int ncurrent, int *nout)
{
	MigGraph   *g = (MigGraph *) gc;
	Ctx			cx;
	RelMatch	m;
	IntList		out;
	int			i;

	cx.g = g;
	cx.target = target ? target : "";
	cx.current = current;
	cx.ncurrent = ncurrent;
	check_target_syntax(target, true);
	il_init(&out);

	if (match_relative(target, &m) && m.steps < 0)
	{
		char	   *label;
		int			rev = parse_downgrade_target(&cx, target, &label);

		if (rev >= 0)
			il_push(&out, rev);
	}
	else
	{
		parse_upgrade_target(&cx, target, &out);
		for (i = 0; i < out.n; i++)
			if (out.v[i] < 0)
				err_walk_beyond(&cx);
	}
	*nout = out.n;
	return out.v ? out.v : palloc(sizeof(int));
}

/*
 * mig_graph_applied
 *		Which revisions are applied: exactly those a downgrade to base from
 *		the current heads would un-apply (Alembic's own answer, merge points
 *		and depends_on included).  All false when the version table names a
 *		revision that is not registered.
 */
bool *
mig_graph_applied(const MigGraph *g, char **current, int ncurrent)
{
	int			n = mig_graph_nrevs(g);
	bool	   *applied = palloc0(sizeof(bool) * Max(n, 1));
	MigPlan    *plan;
	int			i;

	if (ncurrent == 0)
		return applied;
	for (i = 0; i < ncurrent; i++)
		if (mig_graph_find(g, current[i]) < 0)
			return applied;

	plan = mig_graph_plan(g, MIG_CMD_DOWNGRADE, "base", current, ncurrent);
	for (i = 0; i < plan->nsteps; i++)
		applied[plan->steps[i].rev] = true;
	return applied;
}
