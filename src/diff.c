/*-------------------------------------------------------------------------
 *
 * diff.c
 *	  The diff engine: two schema models -> the ordered DDL that makes the
 *	  first look like the second.
 *
 * Objects are matched by key (kind, parent, name).  Each pair gets an
 * action: none, create, drop, alter in place, or recreate (drop, then
 * create) when PostgreSQL has no ALTER for the change.  Recreating or
 * dropping an object then spreads to what depends on it in the target:
 * views over a column whose type changes, foreign keys that reference a
 * recreated primary key, a column default that calls a recreated function
 * (reset: DROP DEFAULT before, SET DEFAULT after), and so on.
 *
 * The statements are grouped in nodes: a "pre" node per target object
 * (statements that release a dependency before it is dropped: DROP
 * DEFAULT, OWNED BY NONE), a "drop" node per target object and an "up"
 * node (create or alter) per desired object.  Edges order them: dependents
 * are dropped before what they depend on; dependencies are created before
 * their dependents; an object is dropped before it is recreated; an alter
 * that removes a dependency runs before the dependency is dropped.  A
 * topological sort (Kahn's, with drops preferred, then object kind, then
 * key, so the output is deterministic) gives the order.  Statements that
 * need everything in place (OWNED BY, CLUSTER ON, REPLICA IDENTITY USING
 * INDEX) come last.
 *
 * A drop that may be a rename is never silent: every drop of a table or a
 * column comes with a warning about data loss, naming the object that may
 * be its new name.
 *
 * IDENTIFICATION
 *	  src/diff.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/extension.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "diff.h"
#include "model.h"

typedef enum Action
{
	ACT_NONE,
	ACT_CREATE,
	ACT_DROP,
	ACT_ALTER,
	ACT_RECREATE
} Action;

typedef enum NodePhase
{
	PHASE_PRE,
	PHASE_DROP,
	PHASE_UP
} NodePhase;

typedef struct DiffState
{
	const MigModel *t;			/* the target as it is */
	const MigModel *d;			/* the desired state, renamed to t's schema */
	const char *qs;				/* quoted target schema */
	bool		concurrently;
	char	   *runner;			/* current_user: owner of what is created */
	int			nt;
	int			nd;
	int		   *t2d;			/* matching objects, -1 when none */
	int		   *d2t;
	Action	   *tact;
	Action	   *dact;
	bool	   *type_changed;	/* target column whose type changes */
	bool	   *enum_swap;		/* target enum recreated under its columns */
	bool	   *reset_default;	/* target column: DROP DEFAULT first */
	bool	   *unown;			/* target sequence: OWNED BY NONE first */
	bool	   *timplicit;		/* dropped along with its parent */
	bool	   *dimplicit;		/* created along with its parent */
	bool	   *claimed;		/* desired object already named as a
								 * possible rename */
	int		  **tkids;			/* sub-objects of each target object */
	int		   *ntkids;
	int		  **dkids;			/* sub-objects of each desired object */
	int		   *ndkids;
	/* the node graph */
	int			nnodes;
	List	  **stmts;			/* per node */
	int		   *nsucc;
	int		   *succcap;
	int		  **succ;
	int		   *indeg;
	List	   *post;			/* statements after everything else */
	List	   *warnings;
} DiffState;

/* ------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------ */

#define T(s, i) (&(s)->t->objects[i])
#define D(s, j) (&(s)->d->objects[j])

/*
 * str_eq
 *		Equal strings, NULL equal to NULL.
 */
static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * attr_eq
 *		Do two objects have the same value (or both none) for an attribute?
 */
static bool
attr_eq(const MigObject *a, const MigObject *b, const char *name)
{
	return str_eq(mig_attr(a, name), mig_attr(b, name));
}

/*
 * objects_equal
 *		Same attributes, ignoring informational ones (names starting "_").
 */
static bool
objects_equal(const MigObject *a, const MigObject *b)
{
	int			i = 0,
				j = 0;

	for (;;)
	{
		while (i < a->nattrs && a->attrs[i].name[0] == '_')
			i++;
		while (j < b->nattrs && b->attrs[j].name[0] == '_')
			j++;
		if (i >= a->nattrs || j >= b->nattrs)
			return i >= a->nattrs && j >= b->nattrs;
		if (strcmp(a->attrs[i].name, b->attrs[j].name) != 0 ||
			strcmp(a->attrs[i].value, b->attrs[j].value) != 0)
			return false;
		i++;
		j++;
	}
}

/*
 * has
 *		Is the boolean attribute set?
 */
static bool
has(const MigObject *obj, const char *name)
{
	return mig_attr(obj, name) != NULL;
}

/*
 * qn
 *		A name qualified with the target schema.
 */
static char *
qn(DiffState *s, const char *name)
{
	return psprintf("%s.%s", s->qs, quote_identifier(name));
}

/*
 * obj_qname
 *		The qualified name of a top-level object (functions: signature).
 */
static char *
obj_qname(DiffState *s, const MigObject *obj)
{
	if (obj->kind == MIG_OBJ_FUNCTION)
		return psprintf("%s.%s", s->qs, obj->name);
	return qn(s, obj->kind == MIG_OBJ_SCHEMA ? "" : obj->name);
}

/*
 * parent_qname
 *		The qualified name of a sub-object's table or type.
 */
static char *
parent_qname(DiffState *s, const MigObject *obj)
{
	return qn(s, obj->parent);
}

/*
 * add
 *		Append a formatted statement to a list.
 */
static void
add(List **list, const char *fmt,...) pg_attribute_printf(2, 3);

static void
add(List **list, const char *fmt,...)
{
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
	*list = lappend(*list, buf.data);
}

/*
 * warn
 *		Record a warning.
 */
static void
warn(DiffState *s, char *message, char *detail, char *hint)
{
	MigDiffWarning *w = palloc0(sizeof(MigDiffWarning));

	w->message = message;
	w->detail = detail;
	w->hint = hint;
	s->warnings = lappend(s->warnings, w);
}

/*
 * strip_semicolon
 *		A definition without its trailing semicolon and whitespace.
 */
static char *
strip_semicolon(const char *def)
{
	char	   *r = pstrdup(def);
	int			n = strlen(r);

	while (n > 0 && (r[n - 1] == ';' || r[n - 1] == ' ' || r[n - 1] == '\n' ||
					 r[n - 1] == '\t' || r[n - 1] == '\r'))
		r[--n] = '\0';
	return r;
}

/*
 * split_list
 *		Split "a, b, c" (sep ", ") or "a,b" (sep ",") into a list of strings.
 */
static List *
split_list(const char *s, const char *sep)
{
	List	   *out = NIL;
	size_t		seplen = strlen(sep);

	if (s == NULL || *s == '\0')
		return NIL;
	for (;;)
	{
		const char *p = strstr(s, sep);

		if (p == NULL)
		{
			out = lappend(out, pstrdup(s));
			break;
		}
		out = lappend(out, pnstrdup(s, p - s));
		s = p + seplen;
	}
	return out;
}

/*
 * list_has_str
 *		Does a list of strings contain s?
 */
static bool
list_has_str(List *l, const char *s)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp((char *) lfirst(lc), s) == 0)
			return true;
	return false;
}

/*
 * option_name
 *		"fillfactor" of "fillfactor=70".
 */
static char *
option_name(const char *opt)
{
	const char *eq = strchr(opt, '=');

	return eq ? pnstrdup(opt, eq - opt) : pstrdup(opt);
}

/*
 * options_diff
 *		Statements turning storage options from into to: "<prefix> RESET
 *		(...)" and "<prefix> SET (...)".
 */
static void
options_diff(List **out, const char *prefix, const char *from, const char *to)
{
	List	   *f = split_list(from, ", ");
	List	   *t = split_list(to, ", ");
	List	   *tnames = NIL;
	StringInfoData reset,
				set;
	ListCell   *lc;

	if (str_eq(from, to))
		return;
	initStringInfo(&reset);
	initStringInfo(&set);
	foreach(lc, t)
		tnames = lappend(tnames, option_name(lfirst(lc)));
	foreach(lc, f)
	{
		char	   *name = option_name(lfirst(lc));

		if (!list_has_str(tnames, name))
			appendStringInfo(&reset, "%s%s", reset.len ? ", " : "", name);
	}
	foreach(lc, t)
	{
		if (!list_has_str(f, lfirst(lc)))
			appendStringInfo(&set, "%s%s", set.len ? ", " : "", (char *) lfirst(lc));
	}
	if (reset.len)
		add(out, "%s RESET (%s);", prefix, reset.data);
	if (set.len)
		add(out, "%s SET (%s);", prefix, set.data);
}

/*
 * comment_diff
 *		COMMENT ON <what> IS ... when the comment changes.
 */
static void
comment_diff(List **out, const char *what, const char *from, const char *to)
{
	if (str_eq(from, to))
		return;
	add(out, "COMMENT ON %s IS %s;", what, to ? quote_literal_cstr(to) : "NULL");
}

/*
 * owner_diff
 *		ALTER <what> OWNER TO ... when the owner changes.
 */
static void
owner_diff(List **out, const char *what, const char *from, const char *to)
{
	if (to == NULL || str_eq(from, to))
		return;
	add(out, "ALTER %s OWNER TO %s;", what, quote_identifier(to));
}

/*
 * default_acl
 *		The ACL an object of this kind gets when owner creates it, in the
 *		model's notation (acldefault()).
 */
static char *
default_acl(const MigObject *obj, const char *owner)
{
	const char *o = quote_identifier(owner);

	switch (obj->kind)
	{
		case MIG_OBJ_TABLE:
		case MIG_OBJ_VIEW:
			return psprintf("%s=DELETE,%s=INSERT,%s=REFERENCES,%s=SELECT,%s=TRIGGER,%s=TRUNCATE,%s=UPDATE",
							o, o, o, o, o, o, o);
		case MIG_OBJ_SEQUENCE:
			return psprintf("%s=SELECT,%s=UPDATE,%s=USAGE", o, o, o);
		case MIG_OBJ_FUNCTION:
			return psprintf("PUBLIC=EXECUTE,%s=EXECUTE", o);
		case MIG_OBJ_TYPE:
			return psprintf("PUBLIC=USAGE,%s=USAGE", o);
		case MIG_OBJ_SCHEMA:
			return psprintf("%s=CREATE,%s=USAGE", o, o);
		default:
			return NULL;
	}
}

/* One parsed ACL entry. */
typedef struct AclEntry
{
	char	   *grantee;
	char	   *priv;
	bool		grantable;
	bool		matched;
} AclEntry;

/*
 * parse_acl
 *		"alice=SELECT*,PUBLIC=USAGE" -> entries; owner entries of from_owner
 *		are renamed to to_owner (ALTER ... OWNER TO carries them over).
 */
static AclEntry *
parse_acl(const char *acl, int *n, const char *from_owner, const char *to_owner)
{
	List	   *items = split_list(acl, ",");
	AclEntry   *out = palloc0(sizeof(AclEntry) * Max(list_length(items), 1));
	ListCell   *lc;
	const char *fo = from_owner ? quote_identifier(from_owner) : NULL;

	*n = 0;
	foreach(lc, items)
	{
		char	   *item = lfirst(lc);
		char	   *eq = strrchr(item, '=');
		AclEntry   *e = &out[*n];
		int			len;

		if (eq == NULL)
			continue;
		e->grantee = pnstrdup(item, eq - item);
		e->priv = pstrdup(eq + 1);
		len = strlen(e->priv);
		if (len > 0 && e->priv[len - 1] == '*')
		{
			e->grantable = true;
			e->priv[len - 1] = '\0';
		}
		if (fo && to_owner && strcmp(e->grantee, fo) == 0)
			e->grantee = pstrdup(quote_identifier(to_owner));
		(*n)++;
	}
	return out;
}

/*
 * acl_diff
 *		GRANT and REVOKE statements turning ACL from into ACL to.  on is
 *		"TABLE s.t" (or, for default privileges, "TABLES" with prefix
 *		"ALTER DEFAULT PRIVILEGES FOR ROLE r IN SCHEMA s "); cols is a
 *		column list "(c)" for column privileges, or "".
 */
static void
acl_diff(List **out, const char *prefix, const char *on, const char *cols,
		 const char *from, const char *to, const char *from_owner,
		 const char *to_owner)
{
	int			nf,
				nt,
				i,
				j;
	AclEntry   *f,
			   *t;

	if (str_eq(from, to) && str_eq(from_owner, to_owner))
		return;
	f = parse_acl(from, &nf, from_owner, to_owner);
	t = parse_acl(to, &nt, NULL, NULL);

	for (i = 0; i < nf; i++)
		for (j = 0; j < nt; j++)
			if (!t[j].matched && strcmp(f[i].grantee, t[j].grantee) == 0 &&
				strcmp(f[i].priv, t[j].priv) == 0)
			{
				if (f[i].grantable && !t[j].grantable)
					add(out, "%sREVOKE GRANT OPTION FOR %s%s ON %s FROM %s;", prefix,
						f[i].priv, cols, on, f[i].grantee);
				else if (!f[i].grantable && t[j].grantable)
					add(out, "%sGRANT %s%s ON %s TO %s WITH GRANT OPTION;", prefix,
						t[j].priv, cols, on, t[j].grantee);
				f[i].matched = t[j].matched = true;
				break;
			}

	/* revoke what goes, grant what comes, one statement per grantee */
	for (i = 0; i < nf; i++)
	{
		StringInfoData privs;

		if (f[i].matched)
			continue;
		initStringInfo(&privs);
		for (j = i; j < nf; j++)
			if (!f[j].matched && strcmp(f[j].grantee, f[i].grantee) == 0)
			{
				appendStringInfo(&privs, "%s%s%s", privs.len ? ", " : "", f[j].priv, cols);
				if (j != i)
					f[j].matched = true;
			}
		add(out, "%sREVOKE %s ON %s FROM %s;", prefix, privs.data, on, f[i].grantee);
		f[i].matched = true;
	}
	for (i = 0; i < 2; i++)
	{
		/* i = 0: plain grants; i = 1: grants with grant option */
		for (j = 0; j < nt; j++)
		{
			StringInfoData privs;
			int			k;

			if (t[j].matched || t[j].grantable != (i == 1))
				continue;
			initStringInfo(&privs);
			for (k = j; k < nt; k++)
				if (!t[k].matched && t[k].grantable == t[j].grantable &&
					strcmp(t[k].grantee, t[j].grantee) == 0)
				{
					appendStringInfo(&privs, "%s%s%s", privs.len ? ", " : "", t[k].priv, cols);
					if (k != j)
						t[k].matched = true;
				}
			add(out, "%sGRANT %s ON %s TO %s%s;", prefix, privs.data, on, t[j].grantee,
				t[j].grantable ? " WITH GRANT OPTION" : "");
			t[j].matched = true;
		}
	}
}

/*
 * object_sql_kind
 *		The keyword naming an object in COMMENT ON, ALTER ... OWNER, GRANT.
 */
static const char *
object_sql_kind(const MigObject *obj)
{
	switch (obj->kind)
	{
		case MIG_OBJ_TABLE:
			return "TABLE";
		case MIG_OBJ_SEQUENCE:
			return "SEQUENCE";
		case MIG_OBJ_VIEW:
			return has(obj, "materialized") ? "MATERIALIZED VIEW" : "VIEW";
		case MIG_OBJ_FUNCTION:
			return str_eq(mig_attr(obj, "function_kind"), "procedure") ? "PROCEDURE" : "FUNCTION";
		case MIG_OBJ_TYPE:
			return str_eq(mig_attr(obj, "type_kind"), "domain") ? "DOMAIN" : "TYPE";
		case MIG_OBJ_INDEX:
			return "INDEX";
		case MIG_OBJ_STATISTICS:
			return "STATISTICS";
		case MIG_OBJ_SCHEMA:
			return "SCHEMA";
		case MIG_OBJ_EXTENSION:
			return "EXTENSION";
		default:
			return "";
	}
}

/*
 * grant_target
 *		"TABLE s.t" etc. for GRANT (views and sequences have their own
 *		keywords; materialized views are tables to GRANT).
 */
static char *
grant_target(DiffState *s, const MigObject *obj)
{
	const char *kw;

	switch (obj->kind)
	{
		case MIG_OBJ_TABLE:
		case MIG_OBJ_VIEW:
			kw = "TABLE";
			break;
		case MIG_OBJ_SCHEMA:
			return psprintf("SCHEMA %s", s->qs);
		default:
			kw = object_sql_kind(obj);
			break;
	}
	return psprintf("%s %s", kw, obj_qname(s, obj));
}

/*
 * common_diff
 *		Owner, privileges and comment of a top-level object, from (NULL: a
 *		fresh object created by the runner) to to.
 */
static void
common_diff(DiffState *s, List **out, const MigObject *from, const MigObject *to)
{
	const char *kind = object_sql_kind(to);
	char	   *name = to->kind == MIG_OBJ_SCHEMA ? (char *) s->qs : obj_qname(s, to);
	char	   *what = psprintf("%s %s", kind, name);
	const char *from_owner = from ? mig_attr(from, "owner") : s->runner;
	const char *to_owner = mig_attr(to, "owner");
	const char *from_acl;

	owner_diff(out, what, from_owner, to_owner);
	/* no "acl": the default one, what the owner gets (acldefault()) */
	if (mig_attr(to, "acl") != NULL || (from && mig_attr(from, "acl") != NULL))
	{
		const char *to_acl = mig_attr(to, "acl");

		from_acl = from ? mig_attr(from, "acl") : NULL;
		if (from_acl == NULL)
			from_acl = default_acl(to, from_owner ? from_owner : s->runner);
		if (to_acl == NULL)
			to_acl = default_acl(to, to_owner ? to_owner : s->runner);
		acl_diff(out, "", grant_target(s, to), "", from_acl, to_acl,
				 from_owner, to_owner);
	}
	comment_diff(out, what, from ? mig_attr(from, "comment") : NULL,
				 mig_attr(to, "comment"));
}

/*
 * build_kids
 *		For each object of a model, the indexes of its sub-objects.
 */
static void
build_kids(const MigModel *m, int ***kids, int **nkids)
{
	int			n = m->nobjects;
	int		   *fill = palloc0(sizeof(int) * (n + 1));
	int			i;

	*nkids = palloc0(sizeof(int) * (n + 1));
	*kids = palloc0(sizeof(int *) * (n + 1));
	for (i = 0; i < n; i++)
		if (m->objects[i].parent_idx >= 0)
			(*nkids)[m->objects[i].parent_idx]++;
	for (i = 0; i < n; i++)
		(*kids)[i] = palloc(sizeof(int) * Max((*nkids)[i], 1));
	for (i = 0; i < n; i++)
	{
		int			p = m->objects[i].parent_idx;

		if (p >= 0)
			(*kids)[p][fill[p]++] = i;
	}
}

/* ------------------------------------------------------------------------
 * The node graph
 * ------------------------------------------------------------------------ */

/*
 * pre_node
 *		The pre node of target object i.  Node numbers: pre nodes
 *		0..nt-1, drop nodes nt..2nt-1, up nodes 2nt..2nt+nd-1.
 */
static int
pre_node(DiffState *s, int i)
{
	return i;
}

/*
 * drop_node
 *		The node that drops target object i: its own, its parent's when it
 *		goes with its parent, the swap node of an enum recreated in place;
 *		-1 when it is not dropped.
 */
static int
drop_node(DiffState *s, int i)
{
	int			hops = 0;

	while (i >= 0 && hops++ < 8)
	{
		if (s->enum_swap[i])
			return 2 * s->nt + s->t2d[i];
		if (s->tact[i] != ACT_DROP && s->tact[i] != ACT_RECREATE)
			return -1;
		if (!s->timplicit[i])
			return s->nt + i;
		i = T(s, i)->parent_idx;
	}
	return -1;
}

/*
 * inherited_parent_column
 *		For an inherited column of a desired table: the same column of the
 *		table it inherits from or is a partition of, or -1.
 */
static int
inherited_parent_column(DiffState *s, int j)
{
	const MigObject *col = D(s, j);
	const MigObject *tbl;
	const char *parents;
	List	   *l;
	ListCell   *lc;
	size_t		qslen = strlen(s->qs);

	if (col->parent_idx < 0)
		return -1;
	tbl = D(s, col->parent_idx);
	parents = mig_attr(tbl, "partition_of");
	if (parents == NULL)
		parents = mig_attr(tbl, "inherits");
	l = split_list(parents, ", ");
	foreach(lc, l)
	{
		char	   *p = lfirst(lc);
		char	   *key;
		int			k;

		if (strncmp(p, s->qs, qslen) != 0 || p[qslen] != '.')
			continue;
		key = psprintf("column:%s.%s", p + qslen + 1, quote_identifier(col->name));
		k = mig_model_find(s->d, key);
		if (k >= 0)
			return k;
	}
	return -1;
}

/*
 * up_node
 *		The node that creates or alters desired object j: its own, or the
 *		one that creates it along with its parent; -1 when none does.
 */
static int
up_node(DiffState *s, int j)
{
	int			hops = 0;

	while (j >= 0 && hops++ < 8)
	{
		if (s->dact[j] == ACT_NONE)
			return -1;
		if (!s->dimplicit[j])
			return 2 * s->nt + j;
		if (D(s, j)->kind == MIG_OBJ_COLUMN && has(D(s, j), "inherited"))
		{
			int			k = inherited_parent_column(s, j);

			if (k >= 0 && s->dact[k] != ACT_NONE)
			{
				j = k;
				continue;
			}
		}
		j = D(s, j)->parent_idx;
	}
	return -1;
}

/*
 * edge
 *		Node a runs before node b.
 */
static void
edge(DiffState *s, int a, int b)
{
	if (a < 0 || b < 0 || a == b)
		return;
	if (s->nsucc[a] >= s->succcap[a])
	{
		s->succcap[a] = Max(4, s->succcap[a] * 2);
		s->succ[a] = s->succ[a] ? repalloc(s->succ[a], sizeof(int) * s->succcap[a]) :
			palloc(sizeof(int) * s->succcap[a]);
	}
	s->succ[a][s->nsucc[a]++] = b;
	s->indeg[b]++;
}

/* ------------------------------------------------------------------------
 * Actions
 * ------------------------------------------------------------------------ */

/*
 * enum_values
 *		The labels of an enum's "values" attribute ('a', 'b'), as quoted
 *		literals.
 */
static List *
enum_values(const char *values)
{
	List	   *out = NIL;
	const char *p = values;

	if (values == NULL)
		return NIL;
	while (*p)
	{
		const char *start;

		while (*p && *p != '\'')
			p++;
		if (!*p)
			break;
		start = p++;
		while (*p)
		{
			if (*p == '\'' && p[1] == '\'')
				p += 2;
			else if (*p == '\'')
				break;
			else
				p++;
		}
		if (*p == '\'')
			p++;
		out = lappend(out, pnstrdup(start, p - start));
	}
	return out;
}

/*
 * is_subsequence
 *		Does every element of a appear in b, in the same order?
 */
static bool
is_subsequence(List *a, List *b)
{
	ListCell   *la,
			   *lb;

	lb = list_head(b);
	foreach(la, a)
	{
		while (lb != NULL && strcmp(lfirst(la), lfirst(lb)) != 0)
			lb = lnext(b, lb);
		if (lb == NULL)
			return false;
		lb = lnext(b, lb);
	}
	return true;
}

/*
 * columns_compatible
 *		May CREATE OR REPLACE VIEW go from columns a to columns b (same
 *		names and types, possibly more at the end)?
 */
static bool
columns_compatible(const char *a, const char *b)
{
	size_t		la;

	if (a == NULL || b == NULL)
		return false;
	la = strlen(a);
	return strncmp(a, b, la) == 0 && (b[la] == '\0' || strncmp(b + la, ", ", 2) == 0);
}

/*
 * classify
 *		The action for a pair of different objects: alter in place, or
 *		recreate.
 */
static Action
classify(DiffState *s, int i, int j)
{
	const MigObject *a = T(s, i);
	const MigObject *b = D(s, j);

	switch (a->kind)
	{
		case MIG_OBJ_TABLE:
			if (!attr_eq(a, b, "partition_by") || !attr_eq(a, b, "of_type"))
				return ACT_RECREATE;
			return ACT_ALTER;
		case MIG_OBJ_COLUMN:
			if (!attr_eq(a, b, "generated") && (has(a, "generated") || has(b, "generated")))
				return ACT_RECREATE;
			if (!has(b, "inherited") &&
				(!attr_eq(a, b, "type") || !attr_eq(a, b, "collation")))
				s->type_changed[i] = true;
			return ACT_ALTER;
		case MIG_OBJ_CONSTRAINT:
		case MIG_OBJ_DOMAIN_CONSTRAINT:
			if (!attr_eq(a, b, "definition") || (!has(a, "not_valid") && has(b, "not_valid")))
				return ACT_RECREATE;
			return ACT_ALTER;
		case MIG_OBJ_INDEX:
			if (!attr_eq(a, b, "definition") || (has(a, "invalid") && !has(b, "invalid")))
				return ACT_RECREATE;
			return ACT_ALTER;
		case MIG_OBJ_VIEW:
			if (!attr_eq(a, b, "materialized"))
				return ACT_RECREATE;
			if (!attr_eq(a, b, "definition"))
			{
				if (has(b, "materialized"))
					return ACT_RECREATE;
				if (!columns_compatible(mig_attr(a, "_columns"), mig_attr(b, "_columns")))
					return ACT_RECREATE;
			}
			return ACT_ALTER;
		case MIG_OBJ_FUNCTION:
			if (!attr_eq(a, b, "arguments") || !attr_eq(a, b, "result") ||
				!attr_eq(a, b, "function_kind"))
				return ACT_RECREATE;
			return ACT_ALTER;
		case MIG_OBJ_TRIGGER:
			if (!attr_eq(a, b, "definition") &&
				strncmp(mig_attr(b, "definition"), "CREATE CONSTRAINT", 17) == 0)
				return ACT_RECREATE;
			return ACT_ALTER;
		case MIG_OBJ_POLICY:
			if (!attr_eq(a, b, "permissive") || !attr_eq(a, b, "command") ||
				!attr_eq(a, b, "roles") || !attr_eq(a, b, "using_expression") ||
				!attr_eq(a, b, "check_expression"))
				return ACT_RECREATE;
			return ACT_ALTER;
		case MIG_OBJ_TYPE:
			if (!attr_eq(a, b, "type_kind"))
				return ACT_RECREATE;
			if (str_eq(mig_attr(a, "type_kind"), "enum") && !attr_eq(a, b, "values") &&
				!is_subsequence(enum_values(mig_attr(a, "values")),
								enum_values(mig_attr(b, "values"))))
				s->enum_swap[i] = true;
			if (!attr_eq(a, b, "base_type") || !attr_eq(a, b, "collation") ||
				!attr_eq(a, b, "subtype") || !attr_eq(a, b, "subtype_opclass") ||
				!attr_eq(a, b, "range_collation") || !attr_eq(a, b, "canonical") ||
				!attr_eq(a, b, "subtype_diff") || !attr_eq(a, b, "multirange"))
				return ACT_RECREATE;
			return ACT_ALTER;
		case MIG_OBJ_STATISTICS:
			if (!attr_eq(a, b, "definition"))
				return ACT_RECREATE;
			return ACT_ALTER;
		default:
			return ACT_ALTER;
	}
}

/*
 * is_container
 *		Do this object's sub-objects go away when it is dropped?
 */
static bool
is_container(MigObjKind kind)
{
	return kind == MIG_OBJ_TABLE || kind == MIG_OBJ_VIEW || kind == MIG_OBJ_TYPE;
}

/*
 * mark_recreate
 *		Recreate target object i (and, for a table, view or type, all its
 *		sub-objects); pushes what changed on the work stack.
 */
static void
mark_recreate(DiffState *s, int i, int *stack, int *nstack)
{
	int			j = s->t2d[i];
	int			k;

	if (s->tact[i] == ACT_RECREATE || s->tact[i] == ACT_DROP)
		return;
	if (j < 0)
	{
		s->tact[i] = ACT_DROP;
		stack[(*nstack)++] = i;
		return;
	}
	s->tact[i] = ACT_RECREATE;
	s->dact[j] = ACT_RECREATE;
	s->enum_swap[i] = false;
	stack[(*nstack)++] = i;
	if (is_container(T(s, i)->kind))
		for (k = 0; k < s->ntkids[i]; k++)
			mark_recreate(s, s->tkids[i][k], stack, nstack);
}

/*
 * d_depends_on
 *		Does desired object j depend on the desired counterpart of target
 *		object k?
 */
static bool
d_depends_on(DiffState *s, int j, int k)
{
	int			dk = s->t2d[k];
	int			n;

	if (j < 0 || dk < 0)
		return false;
	for (n = 0; n < D(s, j)->ndeps; n++)
		if (D(s, j)->deps[n].target == dk)
			return true;
	return false;
}

/*
 * propagate
 *		Spread drops, recreations and column type changes to the target
 *		objects that depend on them (see the file header).
 */
static void
propagate(DiffState *s)
{
	int		   *stack = palloc(sizeof(int) * (s->nt * 2 + 1));
	int			nstack = 0;
	int		   *rcount = palloc0(sizeof(int) * (s->nt + 1));
	int		  **rdeps = palloc0(sizeof(int *) * (s->nt + 1));
	int		  **rflags = palloc0(sizeof(int *) * (s->nt + 1));
	int		   *rfill = palloc0(sizeof(int) * (s->nt + 1));
	bool	   *seen = palloc0(sizeof(bool) * (s->nt + 1));
	int			i,
				n;

	/* reverse dependencies of the target */
	for (i = 0; i < s->nt; i++)
		for (n = 0; n < T(s, i)->ndeps; n++)
			rcount[T(s, i)->deps[n].target]++;
	for (i = 0; i < s->nt; i++)
	{
		rdeps[i] = palloc(sizeof(int) * Max(rcount[i], 1));
		rflags[i] = palloc(sizeof(int) * Max(rcount[i], 1));
	}
	for (i = 0; i < s->nt; i++)
		for (n = 0; n < T(s, i)->ndeps; n++)
		{
			int			k = T(s, i)->deps[n].target;

			rdeps[k][rfill[k]] = i;
			rflags[k][rfill[k]] = T(s, i)->deps[n].flags;
			rfill[k]++;
		}

	for (i = 0; i < s->nt; i++)
		if (s->tact[i] == ACT_DROP || s->tact[i] == ACT_RECREATE ||
			s->type_changed[i] || s->enum_swap[i])
			stack[nstack++] = i;

	while (nstack > 0)
	{
		int			k = stack[--nstack];
		bool		gone = (s->tact[k] == ACT_DROP || s->tact[k] == ACT_RECREATE);

		if (seen[k] && !gone)
			continue;
		seen[k] = true;
		for (n = 0; n < rcount[k]; n++)
		{
			int			x = rdeps[k][n];
			int			flags = rflags[k][n];
			const MigObject *xo = T(s, x);
			int			xj = s->t2d[x];

			if (s->tact[x] == ACT_DROP || s->tact[x] == ACT_RECREATE)
				continue;
			if (xo->parent_idx == k && gone && is_container(T(s, k)->kind))
				continue;

			if (!gone && s->enum_swap[k])
			{
				/* the enum is swapped under its columns */
				if (xo->kind == MIG_OBJ_COLUMN && !has(xo, "generated"))
				{
					if (flags & MIG_DEP_DEFAULT)
					{
						s->reset_default[x] = true;
						if (s->tact[x] == ACT_NONE)
							s->tact[x] = s->dact[xj] = ACT_ALTER;
					}
					continue;
				}
				mark_recreate(s, x, stack, &nstack);
				continue;
			}
			if (!gone)
			{
				/* a column's type changes: what cannot follow is recreated */
				if (xo->kind == MIG_OBJ_VIEW || xo->kind == MIG_OBJ_TRIGGER ||
					xo->kind == MIG_OBJ_POLICY || xo->kind == MIG_OBJ_STATISTICS ||
					xo->kind == MIG_OBJ_FUNCTION ||
					(xo->kind == MIG_OBJ_COLUMN && has(xo, "generated")))
					mark_recreate(s, x, stack, &nstack);
				continue;
			}

			switch (xo->kind)
			{
				case MIG_OBJ_COLUMN:
					if (flags & MIG_DEP_DEFAULT)
					{
						if (has(xo, "generated"))
							mark_recreate(s, x, stack, &nstack);
						else
						{
							s->reset_default[x] = true;
							if (s->tact[x] == ACT_NONE)
								s->tact[x] = s->dact[xj] = ACT_ALTER;
						}
					}
					else if (d_depends_on(s, xj, k) || s->tact[x] == ACT_NONE)
						mark_recreate(s, x, stack, &nstack);
					break;
				case MIG_OBJ_TABLE:
				case MIG_OBJ_SEQUENCE:
				case MIG_OBJ_VIEW:
				case MIG_OBJ_FUNCTION:
				case MIG_OBJ_TYPE:
					/* an alter that drops the dependency runs first */
					if (s->tact[x] == ACT_ALTER && !d_depends_on(s, xj, k) &&
						s->tact[k] == ACT_DROP)
						break;
					mark_recreate(s, x, stack, &nstack);
					break;
				default:
					mark_recreate(s, x, stack, &nstack);
					break;
			}
		}
	}
}

/* ------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------ */

/*
 * column_definition
 *		A column as CREATE TABLE or ADD COLUMN writes it.
 */
static char *
column_definition(DiffState *s, const MigObject *col)
{
	StringInfoData buf;
	const char *v;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s %s", quote_identifier(col->name), mig_attr(col, "type"));
	if ((v = mig_attr(col, "compression")) != NULL)
		appendStringInfo(&buf, " COMPRESSION %s", v);
	if ((v = mig_attr(col, "collation")) != NULL)
		appendStringInfo(&buf, " COLLATE %s", v);
	if ((v = mig_attr(col, "generated")) != NULL)
		appendStringInfo(&buf, " GENERATED ALWAYS AS (%s) STORED", v);
	if ((v = mig_attr(col, "default")) != NULL)
		appendStringInfo(&buf, " DEFAULT %s", v);
	if (has(col, "not_null"))
		appendStringInfoString(&buf, " NOT NULL");
	if ((v = mig_attr(col, "identity")) != NULL)
	{
		appendStringInfo(&buf, " GENERATED %s AS IDENTITY (", v);
		if (mig_attr(col, "identity_sequence"))
			appendStringInfo(&buf, "SEQUENCE NAME %s.%s ", s->qs, mig_attr(col, "identity_sequence"));
		appendStringInfo(&buf, "%s)", mig_attr(col, "identity_options") ?
						 mig_attr(col, "identity_options") : "");
	}
	return buf.data;
}

/*
 * inline_column
 *		The state of a column right after column_definition() created it:
 *		the attributes it sets, nothing else.
 */
static MigObject *
inline_column(const MigObject *col)
{
	static const char *const inline_attrs[] = {
		"_position", "collation", "compression", "default", "generated",
		"identity", "identity_options", "identity_sequence", "inherited",
		"not_null", "storage", "type"
	};
	MigObject  *o = palloc(sizeof(MigObject));
	int			i,
				k;

	*o = *col;
	o->attrs = palloc(sizeof(MigAttr) * Max(col->nattrs, 1));
	o->nattrs = 0;
	for (i = 0; i < col->nattrs; i++)
		for (k = 0; k < lengthof(inline_attrs); k++)
			if (strcmp(col->attrs[i].name, inline_attrs[k]) == 0)
			{
				o->attrs[o->nattrs] = col->attrs[i];
				/* a new column has its type's storage */
				if (strcmp(col->attrs[i].name, "storage") == 0 && mig_attr(col, "_type_storage"))
					o->attrs[o->nattrs].value = (char *) mig_attr(col, "_type_storage");
				o->nattrs++;
				break;
			}
	return o;
}

/*
 * identity_set_options
 *		"START WITH 1 INCREMENT BY 1 ..." as ALTER COLUMN ... SET wants it:
 *		each option prefixed with SET.
 */
static char *
identity_set_options(const char *opts)
{
	static const char *const words[] = {
		"START WITH", "INCREMENT BY", "MINVALUE", "MAXVALUE", "CACHE", "NO CYCLE", "CYCLE"
	};
	StringInfoData buf;
	const char *p = opts;

	initStringInfo(&buf);
	while (*p)
	{
		int			k;
		bool		hit = false;

		for (k = 0; k < lengthof(words); k++)
		{
			size_t		n = strlen(words[k]);

			if (strncmp(p, words[k], n) == 0 && (p == opts || p[-1] == ' '))
			{
				appendStringInfo(&buf, "SET %s", words[k]);
				p += n;
				hit = true;
				break;
			}
		}
		if (!hit)
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

/*
 * alter_column
 *		Statements turning column from into column to (same table).
 *		default_cleared: the default of from was already dropped.
 */
static void
alter_column(DiffState *s, List **out, const MigObject *from, const MigObject *to,
			 bool default_cleared)
{
	char	   *qt = parent_qname(s, to);
	const char *c = quote_identifier(to->name);
	char	   *pfx = psprintf("ALTER TABLE %s ALTER COLUMN %s", qt, c);
	bool		fid = has(from, "identity");
	bool		tid = has(to, "identity");
	const char *from_storage = mig_attr(from, "storage");
	const char *v;

	if (!has(to, "inherited") &&
		(!attr_eq(from, to, "type") || !attr_eq(from, to, "collation")))
	{
		/* a new type brings its own storage */
		if (!attr_eq(from, to, "type"))
			from_storage = mig_attr(to, "_type_storage");
		if (has(from, "default") && !default_cleared)
		{
			add(out, "%s DROP DEFAULT;", pfx);
			default_cleared = true;
		}
		if (has(to, "generated"))
			add(out, "%s TYPE %s%s%s;", pfx, mig_attr(to, "type"),
				has(to, "collation") ? " COLLATE " : "",
				has(to, "collation") ? mig_attr(to, "collation") : "");
		else
			add(out, "%s TYPE %s%s%s USING %s::%s;", pfx, mig_attr(to, "type"),
				has(to, "collation") ? " COLLATE " : "",
				has(to, "collation") ? mig_attr(to, "collation") : "",
				c, mig_attr(to, "type"));
	}

	/* identity: dropped before NOT NULL goes, added after it comes */
	if (fid && !tid)
		add(out, "%s DROP IDENTITY;", pfx);

	if (!str_eq(default_cleared ? NULL : mig_attr(from, "default"), mig_attr(to, "default")))
	{
		if ((v = mig_attr(to, "default")) != NULL)
			add(out, "%s SET DEFAULT %s;", pfx, v);
		else
			add(out, "%s DROP DEFAULT;", pfx);
	}
	if (has(to, "not_null") && !has(from, "not_null"))
		add(out, "%s SET NOT NULL;", pfx);
	else if (!has(to, "not_null") && has(from, "not_null") && !has(to, "inherited"))
		add(out, "%s DROP NOT NULL;", pfx);

	if (!fid && tid)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfo(&buf, "%s ADD GENERATED %s AS IDENTITY (", pfx, mig_attr(to, "identity"));
		if (mig_attr(to, "identity_sequence"))
			appendStringInfo(&buf, "SEQUENCE NAME %s.%s ", s->qs, mig_attr(to, "identity_sequence"));
		appendStringInfo(&buf, "%s);", mig_attr(to, "identity_options") ?
						 mig_attr(to, "identity_options") : "");
		*out = lappend(*out, buf.data);
	}
	else if (fid && tid)
	{
		if (!attr_eq(from, to, "identity"))
			add(out, "%s SET GENERATED %s;", pfx, mig_attr(to, "identity"));
		if (!attr_eq(from, to, "identity_options") && mig_attr(to, "identity_options"))
			add(out, "%s %s;", pfx, identity_set_options(mig_attr(to, "identity_options")));
		if (!attr_eq(from, to, "identity_sequence") && mig_attr(from, "identity_sequence") &&
			mig_attr(to, "identity_sequence"))
			add(out, "ALTER SEQUENCE %s.%s RENAME TO %s;", s->qs,
				mig_attr(from, "identity_sequence"), mig_attr(to, "identity_sequence"));
	}

	if (!str_eq(from_storage, mig_attr(to, "storage")) && mig_attr(to, "storage"))
		add(out, "%s SET STORAGE %s;", pfx, mig_attr(to, "storage"));
	if (!attr_eq(from, to, "compression"))
		add(out, "%s SET COMPRESSION %s;", pfx,
			mig_attr(to, "compression") ? mig_attr(to, "compression") : "default");
	if (!attr_eq(from, to, "statistics"))
		add(out, "%s SET STATISTICS %s;", pfx,
			mig_attr(to, "statistics") ? mig_attr(to, "statistics") : "-1");
	options_diff(out, pfx, mig_attr(from, "options"), mig_attr(to, "options"));
	acl_diff(out, "", psprintf("TABLE %s", qt), psprintf(" (%s)", c),
			 mig_attr(from, "acl"), mig_attr(to, "acl"), NULL, NULL);
	comment_diff(out, psprintf("COLUMN %s.%s", qt, c), mig_attr(from, "comment"),
				 mig_attr(to, "comment"));
}

/*
 * parent_is_new
 *		Is the table (or view, or type) of desired sub-object j created by
 *		this diff (so empty, or unused)?
 */
static bool
parent_is_new(DiffState *s, int j)
{
	int			p = D(s, j)->parent_idx;

	return p >= 0 && (s->dact[p] == ACT_CREATE || s->dact[p] == ACT_RECREATE);
}

/*
 * parent_partitioned
 *		Is the table of desired sub-object j partitioned?
 */
static bool
parent_partitioned(DiffState *s, int j)
{
	int			p = D(s, j)->parent_idx;

	return p >= 0 && has(D(s, p), "partition_by");
}

/*
 * create_table
 *		CREATE TABLE with its own columns, then what CREATE TABLE cannot say.
 */
static void
create_table(DiffState *s, List **out, int j)
{
	const MigObject *tbl = D(s, j);
	StringInfoData buf;
	const char *v;
	int			k,
				n;
	int			ncols = 0;
	int		   *cols = palloc(sizeof(int) * Max(s->nd, 1));
	bool		partition = has(tbl, "partition_of");

	/* columns in position order */
	for (n = 0; n < s->ndkids[j]; n++)
		if (D(s, (k = s->dkids[j][n]))->kind == MIG_OBJ_COLUMN)
		{
			int			p = ncols++;
			int			pos = atoi(mig_attr(D(s, k), "_position") ?
								   mig_attr(D(s, k), "_position") : "0");

			while (p > 0 && atoi(mig_attr(D(s, cols[p - 1]), "_position") ?
								 mig_attr(D(s, cols[p - 1]), "_position") : "0") > pos)
			{
				cols[p] = cols[p - 1];
				p--;
			}
			cols[p] = k;
		}

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %sTABLE %s",
					 str_eq(mig_attr(tbl, "persistence"), "unlogged") ? "UNLOGGED " : "",
					 qn(s, tbl->name));
	if (partition)
		appendStringInfo(&buf, " PARTITION OF %s %s", mig_attr(tbl, "partition_of"),
						 mig_attr(tbl, "partition_bound"));
	else if ((v = mig_attr(tbl, "of_type")) != NULL)
		appendStringInfo(&buf, " OF %s", v);
	else
	{
		bool		first = true;

		appendStringInfoString(&buf, " (");
		for (k = 0; k < ncols; k++)
		{
			if (has(D(s, cols[k]), "inherited"))
				continue;
			appendStringInfo(&buf, "%s\n    %s", first ? "" : ",",
							 column_definition(s, D(s, cols[k])));
			first = false;
		}
		appendStringInfoString(&buf, first ? ")" : "\n)");
		if ((v = mig_attr(tbl, "inherits")) != NULL)
			appendStringInfo(&buf, " INHERITS (%s)", v);
	}
	if ((v = mig_attr(tbl, "partition_by")) != NULL)
		appendStringInfo(&buf, " PARTITION BY %s", v);
	if ((v = mig_attr(tbl, "access_method")) != NULL)
		appendStringInfo(&buf, " USING %s", v);
	if ((v = mig_attr(tbl, "options")) != NULL)
		appendStringInfo(&buf, " WITH (%s)", v);
	if ((v = mig_attr(tbl, "tablespace")) != NULL)
		appendStringInfo(&buf, " TABLESPACE %s", v);
	appendStringInfoChar(&buf, ';');
	*out = lappend(*out, buf.data);

	if (has(tbl, "row_security"))
		add(out, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY;", qn(s, tbl->name));
	if (has(tbl, "force_row_security"))
		add(out, "ALTER TABLE %s FORCE ROW LEVEL SECURITY;", qn(s, tbl->name));
	common_diff(s, out, NULL, tbl);

	/* what the column definitions could not say */
	for (k = 0; k < ncols; k++)
	{
		const MigObject *col = D(s, cols[k]);
		const MigObject *from;

		if (has(col, "inherited") || partition || has(tbl, "of_type"))
		{
			int			pc = inherited_parent_column(s, cols[k]);

			/* inherited: starts as its parent's column (default, not null) */
			from = pc >= 0 ? inline_column(D(s, pc)) : inline_column(col);
			if (pc >= 0)
			{
				MigObject  *f = (MigObject *) from;
				int			a,
							b = 0;

				/* an identity is not inherited */
				for (a = 0; a < f->nattrs; a++)
					if (strncmp(f->attrs[a].name, "identity", 8) != 0)
						f->attrs[b++] = f->attrs[a];
				f->nattrs = b;
			}
		}
		else
			from = inline_column(col);
		alter_column(s, out, from, col, false);
	}
}

/*
 * add_constraint
 *		ALTER TABLE ... ADD CONSTRAINT, the safe way when the table exists:
 *		foreign keys and checks NOT VALID, then VALIDATE; with concurrently,
 *		a primary key or unique constraint over an index built CONCURRENTLY.
 */
static void
add_constraint(DiffState *s, List **out, int j)
{
	const MigObject *con = D(s, j);
	char	   *qt = parent_qname(s, con);
	const char *type = mig_attr(con, "type");
	const char *def = mig_attr(con, "definition");
	const char *name = quote_identifier(con->name);
	bool		existing = !parent_is_new(s, j);
	bool		partitioned = parent_partitioned(s, j);

	if (existing && (str_eq(type, "foreign key") || str_eq(type, "check")) &&
		!(partitioned && str_eq(type, "foreign key")))
	{
		add(out, "ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID;", qt, name, def);
		if (!has(con, "not_valid"))
			add(out, "ALTER TABLE %s VALIDATE CONSTRAINT %s;", qt, name);
	}
	else if (existing && s->concurrently && !partitioned &&
			 ((str_eq(type, "primary key") && strncmp(def, "PRIMARY KEY (", 13) == 0) ||
			  (str_eq(type, "unique") && strncmp(def, "UNIQUE (", 8) == 0)) &&
			 strchr(strchr(def, '(') , ')') != NULL &&
			 strchr(strchr(def, '('), ')')[1] == '\0')
	{
		/* "PRIMARY KEY (a, b)": the index first, without blocking writes */
		add(out, "CREATE UNIQUE INDEX CONCURRENTLY %s ON %s USING btree %s;", name, qt,
			strchr(def, '('));
		add(out, "ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s;", qt, name,
			str_eq(type, "primary key") ? "PRIMARY KEY" : "UNIQUE", name);
	}
	else
		add(out, "ALTER TABLE %s ADD CONSTRAINT %s %s%s;", qt, name, def,
			has(con, "not_valid") ? " NOT VALID" : "");
	comment_diff(out, psprintf("CONSTRAINT %s ON %s", name, qt), NULL, mig_attr(con, "comment"));
}

/*
 * create_index
 *		The index definition, CONCURRENTLY when asked for and possible.
 */
static void
create_index(DiffState *s, List **out, int j)
{
	const MigObject *idx = D(s, j);
	const char *def = mig_attr(idx, "definition");
	const char *v;
	const char *only = strstr(def, " ON ONLY ");

	/* an index of a partitioned table: build it on the partitions too */
	if (only != NULL)
		def = psprintf("%.*s ON %s", (int) (only - def), def, only + 9);

	if (s->concurrently && !parent_is_new(s, j) && !parent_partitioned(s, j))
	{
		const char *p = strstr(def, "INDEX ");

		add(out, "%.*sINDEX CONCURRENTLY %s;", (int) (p - def), def, p + 6);
	}
	else
		add(out, "%s;", def);
	if ((v = mig_attr(idx, "tablespace")) != NULL)
		add(out, "ALTER INDEX %s SET TABLESPACE %s;", qn(s, idx->name), v);
	if (has(idx, "clustered"))
		s->post = lappend(s->post, psprintf("ALTER TABLE %s CLUSTER ON %s;",
											parent_qname(s, idx), quote_identifier(idx->name)));
	comment_diff(out, psprintf("INDEX %s", qn(s, idx->name)), NULL, mig_attr(idx, "comment"));
}

/*
 * sequence_clause
 *		The options of CREATE / ALTER SEQUENCE.
 */
static char *
sequence_clause(const MigObject *seq)
{
	return psprintf("AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %sCYCLE",
					mig_attr(seq, "data_type"), mig_attr(seq, "increment"),
					mig_attr(seq, "minvalue"), mig_attr(seq, "maxvalue"),
					mig_attr(seq, "start"), mig_attr(seq, "cache"),
					has(seq, "cycle") ? "" : "NO ");
}

/*
 * owned_by_key
 *		The model key of the column an owned_by attribute names, when the
 *		column is in the target schema; NULL otherwise.
 */
static char *
owned_by_key(DiffState *s, const char *owned_by)
{
	size_t		qslen = strlen(s->qs);

	if (owned_by == NULL || strncmp(owned_by, s->qs, qslen) != 0 || owned_by[qslen] != '.')
		return NULL;
	return psprintf("column:%s", owned_by + qslen + 1);
}

/*
 * create_type
 *		CREATE TYPE / CREATE DOMAIN (domain constraints and attributes of
 *		existing composite types are objects of their own).
 */
static void
create_type(DiffState *s, List **out, int j, const char *name)
{
	const MigObject *typ = D(s, j);
	const char *kind = mig_attr(typ, "type_kind");
	StringInfoData buf;
	const char *v;
	int			k;

	initStringInfo(&buf);
	if (str_eq(kind, "enum"))
		appendStringInfo(&buf, "CREATE TYPE %s AS ENUM (%s);", name,
						 mig_attr(typ, "values") ? mig_attr(typ, "values") : "");
	else if (str_eq(kind, "domain"))
	{
		appendStringInfo(&buf, "CREATE DOMAIN %s AS %s", name, mig_attr(typ, "base_type"));
		if ((v = mig_attr(typ, "collation")) != NULL)
			appendStringInfo(&buf, " COLLATE %s", v);
		if ((v = mig_attr(typ, "default")) != NULL)
			appendStringInfo(&buf, " DEFAULT %s", v);
		if (has(typ, "not_null"))
			appendStringInfoString(&buf, " NOT NULL");
		appendStringInfoChar(&buf, ';');
	}
	else if (str_eq(kind, "composite"))
	{
		int			n = 0;
		int		   *atts = palloc(sizeof(int) * Max(s->nd, 1));

		int			c;

		for (c = 0; c < s->ndkids[j]; c++)
			if (D(s, (k = s->dkids[j][c]))->kind == MIG_OBJ_ATTRIBUTE)
			{
				int			p = n++;
				int			pos = atoi(mig_attr(D(s, k), "_position") ?
									   mig_attr(D(s, k), "_position") : "0");

				while (p > 0 && atoi(mig_attr(D(s, atts[p - 1]), "_position") ?
									 mig_attr(D(s, atts[p - 1]), "_position") : "0") > pos)
				{
					atts[p] = atts[p - 1];
					p--;
				}
				atts[p] = k;
			}
		appendStringInfo(&buf, "CREATE TYPE %s AS (", name);
		for (k = 0; k < n; k++)
		{
			const MigObject *a = D(s, atts[k]);

			appendStringInfo(&buf, "%s%s %s", k ? ", " : "", quote_identifier(a->name),
							 mig_attr(a, "type"));
			if ((v = mig_attr(a, "collation")) != NULL)
				appendStringInfo(&buf, " COLLATE %s", v);
		}
		appendStringInfoString(&buf, ");");
	}
	else if (str_eq(kind, "range"))
	{
		appendStringInfo(&buf, "CREATE TYPE %s AS RANGE (SUBTYPE = %s", name,
						 mig_attr(typ, "subtype"));
		if ((v = mig_attr(typ, "subtype_opclass")) != NULL)
			appendStringInfo(&buf, ", SUBTYPE_OPCLASS = %s", v);
		if ((v = mig_attr(typ, "range_collation")) != NULL)
			appendStringInfo(&buf, ", COLLATION = %s", v);
		if ((v = mig_attr(typ, "canonical")) != NULL)
			appendStringInfo(&buf, ", CANONICAL = %s", v);
		if ((v = mig_attr(typ, "subtype_diff")) != NULL)
			appendStringInfo(&buf, ", SUBTYPE_DIFF = %s", v);
		if ((v = mig_attr(typ, "multirange")) != NULL)
			appendStringInfo(&buf, ", MULTIRANGE_TYPE_NAME = %s.%s", s->qs, v);
		appendStringInfoString(&buf, ");");
	}
	*out = lappend(*out, buf.data);
}

/*
 * enum_add_values
 *		ALTER TYPE ... ADD VALUE for each label of to missing from from,
 *		each placed BEFORE the next existing label (or AFTER the previous).
 */
static void
enum_add_values(List **out, const char *name, List *from, List *to)
{
	List	   *cur = list_copy(from);
	int			n = list_length(to);
	int			i,
				k;

	for (i = 0; i < n; i++)
	{
		char	   *v = list_nth(to, i);

		if (list_has_str(cur, v))
			continue;
		for (k = i + 1; k < n; k++)
			if (list_has_str(cur, list_nth(to, k)))
				break;
		if (k < n)
			add(out, "ALTER TYPE %s ADD VALUE %s BEFORE %s;", name, v, (char *) list_nth(to, k));
		else if (i > 0)
			add(out, "ALTER TYPE %s ADD VALUE %s AFTER %s;", name, v, (char *) list_nth(to, i - 1));
		else
			add(out, "ALTER TYPE %s ADD VALUE %s;", name, v);
		cur = lappend(cur, v);
	}
}

/*
 * enum_swap
 *		Replace an enum whose labels are removed or reordered: rename it,
 *		create the new one, convert its columns through text, drop the old.
 */
static void
enum_swap(DiffState *s, List **out, int i, int j)
{
	const MigObject *old = T(s, i);
	const char *name = obj_qname(s, D(s, j));
	char	   *oldname = psprintf("%.50s_mig_old", old->name);
	char	   *typ = pstrdup(name);
	char	   *arr = psprintf("%s[]", name);
	int			k;

	warn(s, psprintf("enum \"%s\" loses or reorders labels and is recreated", old->name),
		 psprintf("Labels of the old type: %s. Labels of the new one: %s.",
				  mig_attr(old, "values") ? mig_attr(old, "values") : "none",
				  mig_attr(D(s, j), "values") ? mig_attr(D(s, j), "values") : "none"),
		 pstrdup("Converting a column fails if a row holds a label that is removed; update those rows first."));
	add(out, "ALTER TYPE %s RENAME TO %s;", name, quote_identifier(oldname));
	create_type(s, out, j, name);
	for (k = 0; k < s->nt; k++)
	{
		const MigObject *col = T(s, k);
		int			dk = s->t2d[k];
		const char *dt;

		if (col->kind != MIG_OBJ_COLUMN || dk < 0 || s->tact[k] == ACT_DROP ||
			s->tact[k] == ACT_RECREATE || has(col, "inherited"))
			continue;
		dt = mig_attr(D(s, dk), "type");
		if (!str_eq(mig_attr(col, "type"), typ) && !str_eq(mig_attr(col, "type"), arr))
			continue;
		if (!str_eq(dt, typ) && !str_eq(dt, arr))
			continue;
		if (has(col, "default") && !s->reset_default[k])
			add(out, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;",
				qn(s, col->parent), quote_identifier(col->name));
		add(out, "ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::text%s::%s;",
			qn(s, col->parent), quote_identifier(col->name), dt,
			quote_identifier(col->name), str_eq(dt, arr) ? "[]" : "", dt);
		if (has(col, "default") && !s->reset_default[k] && has(D(s, dk), "default"))
			add(out, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;",
				qn(s, col->parent), quote_identifier(col->name),
				mig_attr(D(s, dk), "default"));
	}
	add(out, "DROP TYPE %s.%s;", s->qs, quote_identifier(oldname));
}

/*
 * gen_create
 *		The statements that create desired object j.
 */
static void
gen_create(DiffState *s, List **out, int j)
{
	const MigObject *o = D(s, j);
	const char *v;

	switch (o->kind)
	{
		case MIG_OBJ_SCHEMA:
			break;
		case MIG_OBJ_EXTENSION:
			if (OidIsValid(get_extension_oid(o->name, true)))
				warn(s, psprintf("extension \"%s\" is not created in schema %s", o->name, s->qs),
					 psprintf("Extension \"%s\" is installed in another schema of this database, and an extension is installed once per database.", o->name),
					 NULL);
			else
				add(out, "CREATE EXTENSION IF NOT EXISTS %s WITH SCHEMA %s%s%s;",
					quote_identifier(o->name), s->qs,
					mig_attr(o, "version") ? " VERSION " : "",
					mig_attr(o, "version") ? quote_literal_cstr(mig_attr(o, "version")) : "");
			break;
		case MIG_OBJ_TYPE:
			create_type(s, out, j, obj_qname(s, o));
			common_diff(s, out, NULL, o);
			break;
		case MIG_OBJ_ATTRIBUTE:
			add(out, "ALTER TYPE %s ADD ATTRIBUTE %s %s%s%s;", parent_qname(s, o),
				quote_identifier(o->name), mig_attr(o, "type"),
				has(o, "collation") ? " COLLATE " : "",
				has(o, "collation") ? mig_attr(o, "collation") : "");
			break;
		case MIG_OBJ_DOMAIN_CONSTRAINT:
			if (!parent_is_new(s, j))
			{
				add(out, "ALTER DOMAIN %s ADD CONSTRAINT %s %s NOT VALID;", parent_qname(s, o),
					quote_identifier(o->name), mig_attr(o, "definition"));
				if (!has(o, "not_valid"))
					add(out, "ALTER DOMAIN %s VALIDATE CONSTRAINT %s;", parent_qname(s, o),
						quote_identifier(o->name));
			}
			else
				add(out, "ALTER DOMAIN %s ADD CONSTRAINT %s %s%s;", parent_qname(s, o),
					quote_identifier(o->name), mig_attr(o, "definition"),
					has(o, "not_valid") ? " NOT VALID" : "");
			comment_diff(out, psprintf("CONSTRAINT %s ON DOMAIN %s", quote_identifier(o->name),
									   parent_qname(s, o)), NULL, mig_attr(o, "comment"));
			break;
		case MIG_OBJ_SEQUENCE:
			add(out, "CREATE %sSEQUENCE %s %s;",
				str_eq(mig_attr(o, "persistence"), "unlogged") ? "UNLOGGED " : "",
				obj_qname(s, o), sequence_clause(o));
			common_diff(s, out, NULL, o);
			if ((v = mig_attr(o, "owned_by")) != NULL)
				s->post = lappend(s->post, psprintf("ALTER SEQUENCE %s OWNED BY %s;",
													obj_qname(s, o), v));
			break;
		case MIG_OBJ_FUNCTION:
			add(out, "%s;", strip_semicolon(mig_attr(o, "definition")));
			common_diff(s, out, NULL, o);
			break;
		case MIG_OBJ_TABLE:
			create_table(s, out, j);
			if ((v = mig_attr(o, "replica_identity")) != NULL)
				s->post = lappend(s->post, psprintf("ALTER TABLE %s REPLICA IDENTITY %s;",
													obj_qname(s, o), v));
			break;
		case MIG_OBJ_COLUMN:
			add(out, "ALTER TABLE %s ADD COLUMN %s;", parent_qname(s, o), column_definition(s, o));
			alter_column(s, out, inline_column(o), o, false);
			break;
		case MIG_OBJ_CONSTRAINT:
			add_constraint(s, out, j);
			break;
		case MIG_OBJ_INDEX:
			create_index(s, out, j);
			break;
		case MIG_OBJ_VIEW:
			if (has(o, "materialized"))
				add(out, "CREATE MATERIALIZED VIEW %s%s%s%s%s AS %s WITH DATA;", obj_qname(s, o),
					has(o, "options") ? " WITH (" : "", has(o, "options") ? mig_attr(o, "options") : "",
					has(o, "options") ? ")" : "",
					has(o, "tablespace") ? psprintf(" TABLESPACE %s", mig_attr(o, "tablespace")) : "",
					strip_semicolon(mig_attr(o, "definition")));
			else
				add(out, "CREATE VIEW %s%s%s%s AS %s;", obj_qname(s, o),
					has(o, "options") ? " WITH (" : "", has(o, "options") ? mig_attr(o, "options") : "",
					has(o, "options") ? ")" : "", strip_semicolon(mig_attr(o, "definition")));
			common_diff(s, out, NULL, o);
			break;
		case MIG_OBJ_TRIGGER:
			add(out, "%s;", mig_attr(o, "definition"));
			if ((v = mig_attr(o, "enabled")) != NULL)
				add(out, "ALTER TABLE %s %s TRIGGER %s;", parent_qname(s, o), v,
					quote_identifier(o->name));
			comment_diff(out, psprintf("TRIGGER %s ON %s", quote_identifier(o->name),
									   parent_qname(s, o)), NULL, mig_attr(o, "comment"));
			break;
		case MIG_OBJ_POLICY:
			{
				StringInfoData buf;

				initStringInfo(&buf);
				appendStringInfo(&buf, "CREATE POLICY %s ON %s AS %s FOR %s TO %s",
								 quote_identifier(o->name), parent_qname(s, o),
								 mig_attr(o, "permissive"), mig_attr(o, "command"),
								 mig_attr(o, "roles") ? mig_attr(o, "roles") : "PUBLIC");
				if ((v = mig_attr(o, "using_expression")) != NULL)
					appendStringInfo(&buf, " USING (%s)", v);
				if ((v = mig_attr(o, "check_expression")) != NULL)
					appendStringInfo(&buf, " WITH CHECK (%s)", v);
				appendStringInfoChar(&buf, ';');
				*out = lappend(*out, buf.data);
				comment_diff(out, psprintf("POLICY %s ON %s", quote_identifier(o->name),
										   parent_qname(s, o)), NULL, mig_attr(o, "comment"));
				break;
			}
		case MIG_OBJ_STATISTICS:
			add(out, "%s;", mig_attr(o, "definition"));
			if ((v = mig_attr(o, "statistics")) != NULL)
				add(out, "ALTER STATISTICS %s SET STATISTICS %s;", obj_qname(s, o), v);
			common_diff(s, out, NULL, o);
			break;
		case MIG_OBJ_DEFAULT_ACL:
			acl_diff(out, psprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s ",
								   mig_attr(o, "role"), s->qs),
					 mig_attr(o, "object_type"), "", NULL, mig_attr(o, "acl"), NULL, NULL);
			break;
		case MIG_NUM_OBJ_KINDS:
			break;
	}
}

/*
 * gen_drop
 *		The statements that drop target object i.
 */
static void
gen_drop(DiffState *s, List **out, int i)
{
	const MigObject *o = T(s, i);
	bool		recreated = (s->tact[i] == ACT_RECREATE);

	if (recreated && o->kind == MIG_OBJ_COLUMN && !has(o, "generated") && !has(o, "inherited"))
		warn(s, psprintf("column \"%s\" of table \"%s\" is dropped and added again, losing its data",
						 o->name, o->parent),
			 pstrdup("It becomes a generated column, or an object it depends on is recreated, and PostgreSQL cannot change that in place."),
			 pstrdup("Review the statements; copy the data aside first if it matters."));
	if (recreated && o->kind == MIG_OBJ_TABLE)
		warn(s, psprintf("table \"%s\" is dropped and created again, losing its data", o->name),
			 pstrdup("Its partitioning, its type or an object it depends on changes, and PostgreSQL cannot change that in place."),
			 pstrdup("Review the statements; copy the data aside first if it matters."));

	switch (o->kind)
	{
		case MIG_OBJ_SCHEMA:
			break;
		case MIG_OBJ_EXTENSION:
			warn(s, psprintf("extension \"%s\" is not dropped", o->name),
				 psprintf("Extension \"%s\" is installed in schema %s but not in the desired schema.",
						  o->name, s->qs),
				 pstrdup("Drop it by hand if it is no longer needed."));
			break;
		case MIG_OBJ_TYPE:
			add(out, "DROP %s %s;", object_sql_kind(o), obj_qname(s, o));
			break;
		case MIG_OBJ_ATTRIBUTE:
			add(out, "ALTER TYPE %s DROP ATTRIBUTE %s;", parent_qname(s, o), quote_identifier(o->name));
			break;
		case MIG_OBJ_DOMAIN_CONSTRAINT:
			add(out, "ALTER DOMAIN %s DROP CONSTRAINT %s;", parent_qname(s, o), quote_identifier(o->name));
			break;
		case MIG_OBJ_SEQUENCE:
			add(out, "DROP SEQUENCE %s;", obj_qname(s, o));
			break;
		case MIG_OBJ_FUNCTION:
			add(out, "DROP %s %s;", object_sql_kind(o), obj_qname(s, o));
			break;
		case MIG_OBJ_TABLE:
			if (!recreated)
			{
				/* a table of the desired schema with the same columns? */
				int			k;
				char	   *candidate = NULL;

				for (k = 0; k < s->nd && candidate == NULL; k++)
				{
					const MigObject *d = D(s, k);
					int			a,
								b;
					int			na = 0,
								nb = 0,
								same = 0;

					if (d->kind != MIG_OBJ_TABLE || s->dact[k] != ACT_CREATE || s->claimed[k])
						continue;
					for (a = 0; a < s->ntkids[i]; a++)
					{
						const MigObject *tc = T(s, s->tkids[i][a]);

						if (tc->kind != MIG_OBJ_COLUMN)
							continue;
						na++;
						for (b = 0; b < s->ndkids[k]; b++)
						{
							const MigObject *dc = D(s, s->dkids[k][b]);

							if (dc->kind == MIG_OBJ_COLUMN && strcmp(dc->name, tc->name) == 0 &&
								attr_eq(dc, tc, "type"))
								same++;
						}
					}
					for (b = 0; b < s->ndkids[k]; b++)
						if (D(s, s->dkids[k][b])->kind == MIG_OBJ_COLUMN)
							nb++;
					if (na == nb && same == na)
					{
						candidate = d->name;
						s->claimed[k] = true;
					}
				}
				warn(s, psprintf("dropping table \"%s\" loses its data", o->name),
					 candidate ?
					 psprintf("Table \"%s\" with the same columns is created: if \"%s\" was renamed, this drops the data instead.",
							  candidate, o->name) :
					 psprintf("Table \"%s\" is not in the desired schema.", o->name),
					 candidate ?
					 psprintf("Replace the DROP TABLE and CREATE TABLE with ALTER TABLE %s RENAME TO %s.",
							  obj_qname(s, o), quote_identifier(candidate)) :
					 pstrdup("If it was renamed, replace the DROP TABLE and CREATE TABLE with ALTER TABLE ... RENAME TO."));
			}
			add(out, "DROP TABLE %s;", obj_qname(s, o));
			break;
		case MIG_OBJ_COLUMN:
			if (!recreated && !has(o, "generated"))
			{
				int			k;
				char	   *candidate = NULL;
				int			dt = mig_model_find(s->d, psprintf("table:%s",
															   quote_identifier(o->parent)));

				for (k = 0; dt >= 0 && k < s->ndkids[dt] && candidate == NULL; k++)
				{
					int			c = s->dkids[dt][k];

					if (D(s, c)->kind == MIG_OBJ_COLUMN && s->dact[c] == ACT_CREATE &&
						!s->dimplicit[c] && !s->claimed[c] && attr_eq(D(s, c), o, "type"))
					{
						candidate = D(s, c)->name;
						s->claimed[c] = true;
					}
				}
				warn(s, psprintf("dropping column \"%s\" of table \"%s\" loses its data",
								 o->name, o->parent),
					 candidate ?
					 psprintf("Column \"%s\" of the same type is added to the table: if \"%s\" was renamed, this drops the data instead.",
							  candidate, o->name) :
					 psprintf("Column \"%s\" is not in the desired table.", o->name),
					 candidate ?
					 psprintf("Replace the DROP COLUMN and ADD COLUMN with ALTER TABLE %s RENAME COLUMN %s TO %s.",
							  parent_qname(s, o), quote_identifier(o->name), quote_identifier(candidate)) :
					 pstrdup("If it was renamed, replace the DROP COLUMN and ADD COLUMN with ALTER TABLE ... RENAME COLUMN."));
			}
			add(out, "ALTER TABLE %s DROP COLUMN %s;", parent_qname(s, o), quote_identifier(o->name));
			break;
		case MIG_OBJ_CONSTRAINT:
			add(out, "ALTER TABLE %s DROP CONSTRAINT %s;", parent_qname(s, o), quote_identifier(o->name));
			break;
		case MIG_OBJ_INDEX:
			{
				int			p = o->parent_idx;
				bool		concurrently = s->concurrently && p >= 0 &&
					!has(T(s, p), "partition_by");

				add(out, "DROP INDEX %s%s;", concurrently ? "CONCURRENTLY " : "", obj_qname(s, o));
				break;
			}
		case MIG_OBJ_VIEW:
			add(out, "DROP %s %s;", object_sql_kind(o), obj_qname(s, o));
			break;
		case MIG_OBJ_TRIGGER:
			add(out, "DROP TRIGGER %s ON %s;", quote_identifier(o->name), parent_qname(s, o));
			break;
		case MIG_OBJ_POLICY:
			add(out, "DROP POLICY %s ON %s;", quote_identifier(o->name), parent_qname(s, o));
			break;
		case MIG_OBJ_STATISTICS:
			add(out, "DROP STATISTICS %s;", obj_qname(s, o));
			break;
		case MIG_OBJ_DEFAULT_ACL:
			acl_diff(out, psprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s ",
								   mig_attr(o, "role"), s->qs),
					 mig_attr(o, "object_type"), "", mig_attr(o, "acl"), NULL, NULL, NULL);
			break;
		case MIG_NUM_OBJ_KINDS:
			break;
	}
}

/*
 * gen_alter
 *		The statements that turn target object i into desired object j in
 *		place.
 */
static void
gen_alter(DiffState *s, List **out, int i, int j)
{
	const MigObject *a = T(s, i);
	const MigObject *b = D(s, j);
	char	   *name = obj_qname(s, b);
	const char *v;

	switch (b->kind)
	{
		case MIG_OBJ_SCHEMA:
			common_diff(s, out, a, b);
			break;
		case MIG_OBJ_EXTENSION:
			if (!attr_eq(a, b, "version") && mig_attr(b, "version"))
				add(out, "ALTER EXTENSION %s UPDATE TO %s;", quote_identifier(b->name),
					quote_literal_cstr(mig_attr(b, "version")));
			break;
		case MIG_OBJ_TYPE:
			{
				const char *kind = mig_attr(b, "type_kind");

				if (s->enum_swap[i])
				{
					enum_swap(s, out, i, j);
					common_diff(s, out, NULL, b);
					break;
				}
				if (str_eq(kind, "enum") && !attr_eq(a, b, "values"))
					enum_add_values(out, name, enum_values(mig_attr(a, "values")),
									enum_values(mig_attr(b, "values")));
				if (str_eq(kind, "domain"))
				{
					if (!attr_eq(a, b, "default"))
					{
						if ((v = mig_attr(b, "default")) != NULL)
							add(out, "ALTER DOMAIN %s SET DEFAULT %s;", name, v);
						else
							add(out, "ALTER DOMAIN %s DROP DEFAULT;", name);
					}
					if (!attr_eq(a, b, "not_null"))
						add(out, "ALTER DOMAIN %s %s NOT NULL;", name,
							has(b, "not_null") ? "SET" : "DROP");
				}
				common_diff(s, out, a, b);
				break;
			}
		case MIG_OBJ_ATTRIBUTE:
			if (!attr_eq(a, b, "type") || !attr_eq(a, b, "collation"))
				add(out, "ALTER TYPE %s ALTER ATTRIBUTE %s TYPE %s%s%s;", parent_qname(s, b),
					quote_identifier(b->name), mig_attr(b, "type"),
					has(b, "collation") ? " COLLATE " : "",
					has(b, "collation") ? mig_attr(b, "collation") : "");
			break;
		case MIG_OBJ_DOMAIN_CONSTRAINT:
			if (has(a, "not_valid") && !has(b, "not_valid"))
				add(out, "ALTER DOMAIN %s VALIDATE CONSTRAINT %s;", parent_qname(s, b),
					quote_identifier(b->name));
			comment_diff(out, psprintf("CONSTRAINT %s ON DOMAIN %s", quote_identifier(b->name),
									   parent_qname(s, b)), mig_attr(a, "comment"),
						 mig_attr(b, "comment"));
			break;
		case MIG_OBJ_SEQUENCE:
			if (!attr_eq(a, b, "data_type") || !attr_eq(a, b, "increment") ||
				!attr_eq(a, b, "minvalue") || !attr_eq(a, b, "maxvalue") ||
				!attr_eq(a, b, "start") || !attr_eq(a, b, "cache") || !attr_eq(a, b, "cycle"))
				add(out, "ALTER SEQUENCE %s %s;", name, sequence_clause(b));
			if (!attr_eq(a, b, "persistence"))
				add(out, "ALTER SEQUENCE %s SET %s;", name,
					has(b, "persistence") ? "UNLOGGED" : "LOGGED");
			if ((!attr_eq(a, b, "owned_by") && !(s->unown[i] && !has(b, "owned_by"))) ||
				(s->unown[i] && has(b, "owned_by")))
				s->post = lappend(s->post, psprintf("ALTER SEQUENCE %s OWNED BY %s;", name,
													mig_attr(b, "owned_by") ? mig_attr(b, "owned_by") : "NONE"));
			common_diff(s, out, a, b);
			break;
		case MIG_OBJ_FUNCTION:
			if (!attr_eq(a, b, "definition"))
				add(out, "%s;", strip_semicolon(mig_attr(b, "definition")));
			common_diff(s, out, a, b);
			break;
		case MIG_OBJ_TABLE:
			{
				char	   *pfx = psprintf("ALTER TABLE %s", name);

				if (!attr_eq(a, b, "persistence"))
					add(out, "%s SET %s;", pfx, has(b, "persistence") ? "UNLOGGED" : "LOGGED");
				if (!attr_eq(a, b, "partition_of") || !attr_eq(a, b, "partition_bound"))
				{
					if ((v = mig_attr(a, "partition_of")) != NULL)
						add(out, "ALTER TABLE %s DETACH PARTITION %s;", v, name);
					/* attached at the end, when its columns are all there */
					if ((v = mig_attr(b, "partition_of")) != NULL)
						s->post = lappend(s->post,
										  psprintf("ALTER TABLE %s ATTACH PARTITION %s %s;", v, name,
												   mig_attr(b, "partition_bound")));
				}
				if (!attr_eq(a, b, "inherits"))
				{
					List	   *from = split_list(mig_attr(a, "inherits"), ", ");
					List	   *to = split_list(mig_attr(b, "inherits"), ", ");
					ListCell   *lc;

					foreach(lc, from)
						if (!list_has_str(to, lfirst(lc)))
						add(out, "%s NO INHERIT %s;", pfx, (char *) lfirst(lc));
					foreach(lc, to)
						if (!list_has_str(from, lfirst(lc)))
						s->post = lappend(s->post, psprintf("%s INHERIT %s;", pfx,
															(char *) lfirst(lc)));
				}
				options_diff(out, pfx, mig_attr(a, "options"), mig_attr(b, "options"));
				if (!attr_eq(a, b, "tablespace"))
					add(out, "%s SET TABLESPACE %s;", pfx,
						mig_attr(b, "tablespace") ? mig_attr(b, "tablespace") : "pg_default");
				if (!attr_eq(a, b, "access_method"))
					add(out, "%s SET ACCESS METHOD %s;", pfx,
						mig_attr(b, "access_method") ? mig_attr(b, "access_method") : "heap");
				if (!attr_eq(a, b, "row_security"))
					add(out, "%s %s ROW LEVEL SECURITY;", pfx,
						has(b, "row_security") ? "ENABLE" : "DISABLE");
				if (!attr_eq(a, b, "force_row_security"))
					add(out, "%s %sFORCE ROW LEVEL SECURITY;", pfx,
						has(b, "force_row_security") ? "" : "NO ");
				if (!attr_eq(a, b, "replica_identity"))
					s->post = lappend(s->post, psprintf("%s REPLICA IDENTITY %s;", pfx,
														mig_attr(b, "replica_identity") ?
														mig_attr(b, "replica_identity") : "DEFAULT"));
				common_diff(s, out, a, b);
				break;
			}
		case MIG_OBJ_COLUMN:
			alter_column(s, out, a, b, s->reset_default[i]);
			break;
		case MIG_OBJ_CONSTRAINT:
			if (has(a, "not_valid") && !has(b, "not_valid"))
				add(out, "ALTER TABLE %s VALIDATE CONSTRAINT %s;", parent_qname(s, b),
					quote_identifier(b->name));
			comment_diff(out, psprintf("CONSTRAINT %s ON %s", quote_identifier(b->name),
									   parent_qname(s, b)), mig_attr(a, "comment"),
						 mig_attr(b, "comment"));
			break;
		case MIG_OBJ_INDEX:
			if (!attr_eq(a, b, "tablespace"))
				add(out, "ALTER INDEX %s SET TABLESPACE %s;", name,
					mig_attr(b, "tablespace") ? mig_attr(b, "tablespace") : "pg_default");
			if (!attr_eq(a, b, "clustered"))
				s->post = lappend(s->post, has(b, "clustered") ?
								  psprintf("ALTER TABLE %s CLUSTER ON %s;", parent_qname(s, b),
										   quote_identifier(b->name)) :
								  psprintf("ALTER TABLE %s SET WITHOUT CLUSTER;", parent_qname(s, b)));
			comment_diff(out, psprintf("INDEX %s", name), mig_attr(a, "comment"),
						 mig_attr(b, "comment"));
			break;
		case MIG_OBJ_VIEW:
			if (!attr_eq(a, b, "definition"))
				add(out, "CREATE OR REPLACE VIEW %s%s%s%s AS %s;", name,
					has(b, "options") ? " WITH (" : "", has(b, "options") ? mig_attr(b, "options") : "",
					has(b, "options") ? ")" : "", strip_semicolon(mig_attr(b, "definition")));
			else
				options_diff(out, psprintf("ALTER %s %s", object_sql_kind(b), name),
							 mig_attr(a, "options"), mig_attr(b, "options"));
			if (!attr_eq(a, b, "tablespace"))
				add(out, "ALTER MATERIALIZED VIEW %s SET TABLESPACE %s;", name,
					mig_attr(b, "tablespace") ? mig_attr(b, "tablespace") : "pg_default");
			common_diff(s, out, a, b);
			break;
		case MIG_OBJ_TRIGGER:
			if (!attr_eq(a, b, "definition"))
			{
				const char *def = mig_attr(b, "definition");

				if (strncmp(def, "CREATE TRIGGER ", 15) == 0)
					add(out, "CREATE OR REPLACE TRIGGER %s;", def + 15);
				else
					add(out, "%s;", def);
			}
			if (!attr_eq(a, b, "enabled"))
				add(out, "ALTER TABLE %s %s TRIGGER %s;", parent_qname(s, b),
					mig_attr(b, "enabled") ? mig_attr(b, "enabled") : "ENABLE",
					quote_identifier(b->name));
			comment_diff(out, psprintf("TRIGGER %s ON %s", quote_identifier(b->name),
									   parent_qname(s, b)), mig_attr(a, "comment"),
						 mig_attr(b, "comment"));
			break;
		case MIG_OBJ_POLICY:
			comment_diff(out, psprintf("POLICY %s ON %s", quote_identifier(b->name),
									   parent_qname(s, b)), mig_attr(a, "comment"),
						 mig_attr(b, "comment"));
			break;
		case MIG_OBJ_STATISTICS:
			if (!attr_eq(a, b, "statistics"))
				add(out, "ALTER STATISTICS %s SET STATISTICS %s;", name,
					mig_attr(b, "statistics") ? mig_attr(b, "statistics") : "-1");
			common_diff(s, out, a, b);
			break;
		case MIG_OBJ_DEFAULT_ACL:
			acl_diff(out, psprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s ",
								   mig_attr(b, "role"), s->qs),
					 mig_attr(b, "object_type"), "", mig_attr(a, "acl"), mig_attr(b, "acl"),
					 NULL, NULL);
			break;
		case MIG_NUM_OBJ_KINDS:
			break;
	}
}

/* ------------------------------------------------------------------------
 * Ordering
 * ------------------------------------------------------------------------ */

/*
 * node_before
 *		The priority of ready nodes: pre, then drop, then up; drops of later
 *		kinds first, creates of earlier kinds first; then by key.
 */
static bool
node_before(DiffState *s, int a, int b)
{
	int			pa = a < s->nt ? 0 : a < 2 * s->nt ? 1 : 2;
	int			pb = b < s->nt ? 0 : b < 2 * s->nt ? 1 : 2;
	const MigObject *oa = pa < 2 ? T(s, a % s->nt) : D(s, a - 2 * s->nt);
	const MigObject *ob = pb < 2 ? T(s, b % s->nt) : D(s, b - 2 * s->nt);
	int			ka = pa == 1 ? -(int) oa->kind : (int) oa->kind;
	int			kb = pb == 1 ? -(int) ob->kind : (int) ob->kind;
	int			c;

	if (pa != pb)
		return pa < pb;
	if (ka != kb)
		return ka < kb;
	/* foreign keys after the other constraints */
	if (oa->kind == MIG_OBJ_CONSTRAINT)
	{
		bool		fa = str_eq(mig_attr(oa, "type"), "foreign key");
		bool		fb = str_eq(mig_attr(ob, "type"), "foreign key");

		if (fa != fb)
			return pa == 1 ? fa : fb;
	}
	c = strcmp(oa->key, ob->key);
	if (c != 0)
		return c < 0;
	return a < b;
}

/*
 * heap_push
 *		Add a node to a binary heap of node numbers ordered by node_before.
 */
static void
heap_push(DiffState *s, int *heap, int *n, int node)
{
	int			i = (*n)++;

	heap[i] = node;
	while (i > 0 && node_before(s, heap[i], heap[(i - 1) / 2]))
	{
		int			p = (i - 1) / 2;
		int			tmp = heap[p];

		heap[p] = heap[i];
		heap[i] = tmp;
		i = p;
	}
}

/*
 * heap_pop
 *		Remove and return the first node of the heap.
 */
static int
heap_pop(DiffState *s, int *heap, int *n)
{
	int			top = heap[0];
	int			i = 0;

	heap[0] = heap[--(*n)];
	for (;;)
	{
		int			l = 2 * i + 1,
					r = l + 1,
					m = i;

		if (l < *n && node_before(s, heap[l], heap[m]))
			m = l;
		if (r < *n && node_before(s, heap[r], heap[m]))
			m = r;
		if (m == i)
			break;
		{
			int			tmp = heap[m];

			heap[m] = heap[i];
			heap[i] = tmp;
		}
		i = m;
	}
	return top;
}

/*
 * order_nodes
 *		Topological sort of the nodes that have statements; returns the
 *		statements in order.  A dependency cycle (which the catalogs allow
 *		in a few corners) is broken at the node of highest priority, with a
 *		warning.
 */
static List *
order_nodes(DiffState *s)
{
	int		   *heap = palloc(sizeof(int) * (s->nnodes + 1));
	int			nheap = 0;
	bool	   *done = palloc0(sizeof(bool) * (s->nnodes + 1));
	List	   *out = NIL;
	int			remaining = 0;
	int			i;

	for (i = 0; i < s->nnodes; i++)
	{
		/* a node with nothing to say and nothing to order is done */
		if (s->stmts[i] == NIL && s->nsucc[i] == 0 && s->indeg[i] == 0)
		{
			done[i] = true;
			continue;
		}
		remaining++;
		if (s->indeg[i] == 0)
			heap_push(s, heap, &nheap, i);
	}
	while (remaining > 0)
	{
		int			node;
		int			k;

		if (nheap == 0)
		{
			/* a cycle: take the best remaining node */
			int			best = -1;

			for (i = 0; i < s->nnodes; i++)
				if (!done[i] && (best < 0 || node_before(s, i, best)))
					best = i;
			warn(s, pstrdup("dependency cycle between the objects to create or drop"),
				 psprintf("The statements of %s were placed without all their dependencies in front of them.",
						  best < 2 * s->nt ? T(s, best % s->nt)->key : D(s, best - 2 * s->nt)->key),
				 pstrdup("Review the order of the statements."));
			s->indeg[best] = 0;
			heap_push(s, heap, &nheap, best);
		}
		node = heap_pop(s, heap, &nheap);
		if (done[node])
			continue;
		done[node] = true;
		remaining--;
		out = list_concat(out, s->stmts[node]);
		for (k = 0; k < s->nsucc[node]; k++)
		{
			int			n = s->succ[node][k];

			if (--s->indeg[n] == 0 && !done[n])
				heap_push(s, heap, &nheap, n);
		}
	}
	return list_concat(out, s->post);
}

/* ------------------------------------------------------------------------
 * The entry point
 * ------------------------------------------------------------------------ */

/*
 * mig_diff_compute
 *		See diff.h.
 */
MigDiffResult *
mig_diff_compute(const MigModel *target, const MigModel *desired, int flags)
{
	DiffState	st;
	DiffState  *s = &st;
	MigDiffResult *result = palloc0(sizeof(MigDiffResult));
	int			i,
				j,
				n;

	memset(s, 0, sizeof(DiffState));
	s->t = target;
	s->d = strcmp(target->schema, desired->schema) == 0 ? desired :
		mig_model_rename(desired, target->schema);
	s->qs = quote_identifier(target->schema);
	s->concurrently = (flags & MIG_DIFF_CONCURRENTLY) != 0;
	s->runner = GetUserNameFromId(GetUserId(), false);
	s->nt = s->t->nobjects;
	s->nd = s->d->nobjects;
	s->t2d = palloc(sizeof(int) * (s->nt + 1));
	s->d2t = palloc(sizeof(int) * (s->nd + 1));
	s->tact = palloc0(sizeof(Action) * (s->nt + 1));
	s->dact = palloc0(sizeof(Action) * (s->nd + 1));
	s->type_changed = palloc0(sizeof(bool) * (s->nt + 1));
	s->enum_swap = palloc0(sizeof(bool) * (s->nt + 1));
	s->reset_default = palloc0(sizeof(bool) * (s->nt + 1));
	s->unown = palloc0(sizeof(bool) * (s->nt + 1));
	s->timplicit = palloc0(sizeof(bool) * (s->nt + 1));
	s->dimplicit = palloc0(sizeof(bool) * (s->nd + 1));
	s->claimed = palloc0(sizeof(bool) * (s->nd + 1));
	build_kids(s->t, &s->tkids, &s->ntkids);
	build_kids(s->d, &s->dkids, &s->ndkids);

	/* match by key (both arrays are sorted by key) */
	for (i = 0; i < s->nt; i++)
		s->t2d[i] = -1;
	for (j = 0; j < s->nd; j++)
		s->d2t[j] = -1;
	i = j = 0;
	while (i < s->nt || j < s->nd)
	{
		int			c = i >= s->nt ? 1 : j >= s->nd ? -1 :
		strcmp(T(s, i)->key, D(s, j)->key);

		if (c == 0)
		{
			s->t2d[i] = j;
			s->d2t[j] = i;
			if ((flags & MIG_DIFF_SKIP_SCHEMA) &&
				(T(s, i)->kind == MIG_OBJ_SCHEMA || T(s, i)->kind == MIG_OBJ_DEFAULT_ACL))
				;
			else if (!objects_equal(T(s, i), D(s, j)))
				s->tact[i] = s->dact[j] = classify(s, i, j);
			i++;
			j++;
		}
		else if (c < 0)
		{
			if (!(flags & MIG_DIFF_SKIP_SCHEMA) || T(s, i)->kind != MIG_OBJ_DEFAULT_ACL)
				s->tact[i] = ACT_DROP;
			i++;
		}
		else
		{
			if (!(flags & MIG_DIFF_SKIP_SCHEMA) || D(s, j)->kind != MIG_OBJ_DEFAULT_ACL)
				s->dact[j] = ACT_CREATE;
			j++;
		}
	}

	/* sub-objects of containers that are recreated are recreated */
	for (i = 0; i < s->nt; i++)
	{
		int			p = T(s, i)->parent_idx;

		if (p >= 0 && s->tact[p] == ACT_RECREATE && s->t2d[i] >= 0 &&
			s->tact[i] != ACT_RECREATE)
			s->tact[i] = s->dact[s->t2d[i]] = ACT_RECREATE;
	}

	propagate(s);

	/* what goes with its parent, what comes with it */
	for (i = 0; i < s->nt; i++)
	{
		const MigObject *o = T(s, i);
		int			p = o->parent_idx;

		if (s->tact[i] != ACT_DROP && s->tact[i] != ACT_RECREATE)
			continue;
		if (p >= 0 && (s->tact[p] == ACT_DROP || s->tact[p] == ACT_RECREATE) &&
			is_container(T(s, p)->kind))
			s->timplicit[i] = true;
		else if (o->kind == MIG_OBJ_COLUMN && has(o, "inherited"))
			s->timplicit[i] = true;
	}
	for (i = 0; i < s->nt; i++)
	{
		const MigObject *o = T(s, i);
		char	   *ck;
		int			c;

		if (o->kind != MIG_OBJ_SEQUENCE || (ck = owned_by_key(s, mig_attr(o, "owned_by"))) == NULL)
			continue;
		c = mig_model_find(s->t, ck);
		if (c < 0 || (s->tact[c] != ACT_DROP && s->tact[c] != ACT_RECREATE &&
					  (T(s, c)->parent_idx < 0 ||
					   (s->tact[T(s, c)->parent_idx] != ACT_DROP &&
						s->tact[T(s, c)->parent_idx] != ACT_RECREATE))))
			continue;
		/* its column goes: the sequence goes with it, or is released */
		if (s->tact[i] == ACT_DROP)
			s->timplicit[i] = true;
		else
		{
			s->unown[i] = true;
			if (s->tact[i] == ACT_NONE)
				s->tact[i] = s->dact[s->t2d[i]] = ACT_ALTER;
		}
	}
	for (j = 0; j < s->nd; j++)
	{
		const MigObject *o = D(s, j);
		int			p = o->parent_idx;

		if (s->dact[j] != ACT_CREATE && s->dact[j] != ACT_RECREATE)
			continue;
		if ((o->kind == MIG_OBJ_COLUMN || o->kind == MIG_OBJ_ATTRIBUTE) && p >= 0 &&
			(s->dact[p] == ACT_CREATE || s->dact[p] == ACT_RECREATE))
			s->dimplicit[j] = true;
		else if (o->kind == MIG_OBJ_COLUMN && has(o, "inherited"))
			s->dimplicit[j] = true;
	}

	/* the nodes and their statements */
	s->nnodes = 2 * s->nt + s->nd;
	s->stmts = palloc0(sizeof(List *) * (s->nnodes + 1));
	s->nsucc = palloc0(sizeof(int) * (s->nnodes + 1));
	s->succcap = palloc0(sizeof(int) * (s->nnodes + 1));
	s->succ = palloc0(sizeof(int *) * (s->nnodes + 1));
	s->indeg = palloc0(sizeof(int) * (s->nnodes + 1));

	for (i = 0; i < s->nt; i++)
	{
		const MigObject *o = T(s, i);

		if (s->reset_default[i] && has(o, "default"))
			add(&s->stmts[pre_node(s, i)], "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;",
				parent_qname(s, o), quote_identifier(o->name));
		if (s->unown[i])
			add(&s->stmts[pre_node(s, i)], "ALTER SEQUENCE %s OWNED BY NONE;", obj_qname(s, o));
		if ((s->tact[i] == ACT_DROP || s->tact[i] == ACT_RECREATE) && !s->timplicit[i])
			gen_drop(s, &s->stmts[s->nt + i], i);
	}
	for (j = 0; j < s->nd; j++)
	{
		if (s->dimplicit[j])
			continue;
		if (s->dact[j] == ACT_CREATE || s->dact[j] == ACT_RECREATE)
			gen_create(s, &s->stmts[2 * s->nt + j], j);
		else if (s->dact[j] == ACT_ALTER)
			gen_alter(s, &s->stmts[2 * s->nt + j], s->d2t[j], j);
	}

	/* the edges */
	for (i = 0; i < s->nt; i++)
	{
		const MigObject *o = T(s, i);
		int			dn = drop_node(s, i);
		int			jd = s->t2d[i];
		int			un = jd >= 0 ? up_node(s, jd) : -1;

		if (s->stmts[pre_node(s, i)] != NIL)
		{
			edge(s, pre_node(s, i), un);
			for (n = 0; n < o->ndeps; n++)
				edge(s, pre_node(s, i), drop_node(s, o->deps[n].target));
		}
		if (dn >= 0)
		{
			/* dependents first */
			for (n = 0; n < o->ndeps; n++)
				edge(s, dn, drop_node(s, o->deps[n].target));
			if (s->tact[i] == ACT_RECREATE && !s->enum_swap[i])
				edge(s, dn, un);
		}
		else if (s->tact[i] == ACT_ALTER && un >= 0)
		{
			/* an alter that removes a dependency runs before its drop */
			for (n = 0; n < o->ndeps; n++)
			{
				int			k = o->deps[n].target;

				if (!d_depends_on(s, jd, k) || s->tact[k] == ACT_DROP)
					edge(s, un, drop_node(s, k));
			}
		}
	}
	for (j = 0; j < s->nd; j++)
	{
		const MigObject *o = D(s, j);
		int			un = up_node(s, j);

		if (un < 0)
			continue;
		for (n = 0; n < o->ndeps; n++)
		{
			/* created with its parent: the parent's node is its own */
			if (s->dimplicit[j] && o->deps[n].target == o->parent_idx)
				continue;
			edge(s, up_node(s, o->deps[n].target), un);
		}
	}

	/* objects the model does not cover */
	if (target->nunsupported > 0 || desired->nunsupported > 0)
	{
		StringInfoData buf;

		List	   *seen = NIL;

		initStringInfo(&buf);
		for (i = 0; i < target->nunsupported + desired->nunsupported; i++)
		{
			char	   *u = i < target->nunsupported ? target->unsupported[i] :
			desired->unsupported[i - target->nunsupported];

			if (list_has_str(seen, u))
				continue;
			seen = lappend(seen, u);
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", u);
		}
		warn(s, pstrdup("some objects are not compared"),
			 psprintf("mig_diff does not compare these objects: %s.", buf.data),
			 pstrdup("Write the statements for them by hand."));
	}

	result->statements = order_nodes(s);
	result->warnings = s->warnings;
	return result;
}

/*
 * mig_diff_report
 *		Raise each warning of a result as a WARNING.
 */
void
mig_diff_report(const MigDiffResult *result)
{
	ListCell   *lc;

	foreach(lc, result->warnings)
	{
		MigDiffWarning *w = lfirst(lc);

		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("%s", w->message),
				 w->detail ? errdetail("%s", w->detail) : 0,
				 w->hint ? errhint("%s", w->hint) : 0));
	}
}
