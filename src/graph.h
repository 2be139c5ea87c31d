/*-------------------------------------------------------------------------
 *
 * graph.h
 *	  The revision graph in memory and the Alembic target grammar over it.
 *
 * The graph module is plain C over the structs below: no SPI, no catalog
 * access.  registry.c loads the rows, graph.c validates them, answers
 * questions about heads, bases and ancestry, resolves Alembic targets and
 * produces the plan (ordered steps and the version table after each step)
 * that runner.c executes.  Everything is palloc'd in CurrentMemoryContext;
 * callers build the graph in a short-lived context and delete it.
 *
 * Errors are raised with ereport() and carry a SQLSTATE a client can act on.
 *
 * IDENTIFICATION
 *	  src/graph.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_GRAPH_H
#define SCHEMAMIG_GRAPH_H

/*
 * One revision as registered: the input of mig_graph_build().
 *
 * parents are full revision ids (Alembic's down_revision; several for a
 * merge point).  depends are Alembic's depends_on as registered: full ids,
 * unique id prefixes, or branch labels.  labels are the branch labels this
 * revision declares.
 */
typedef struct MigRevDef
{
	char	   *id;
	int			nparents;
	char	  **parents;
	int			nlabels;
	char	  **labels;
	int			ndepends;
	char	  **depends;
} MigRevDef;

/* The validated graph; its layout is private to graph.c. */
typedef struct MigGraph MigGraph;

typedef enum MigCommand
{
	MIG_CMD_UPGRADE,
	MIG_CMD_DOWNGRADE,
	MIG_CMD_STAMP
} MigCommand;

/*
 * One step of a plan: run revision "rev" (an index into the graph) in the
 * given direction; afterwards the version table has lost the rows
 * "removed" and gained the rows "added" (indexes into the graph), exactly
 * as Alembic's head maintenance moves it.  Deltas, not copies of the
 * table, keep a plan linear in memory on graphs with many live heads.
 */
typedef struct MigStep
{
	int			rev;
	bool		upgrade;
	int			nremoved;
	int		   *removed;
	int			nadded;
	int		   *added;
} MigStep;

/*
 * A plan: the steps in execution order and the version table at the end.
 * For MIG_CMD_STAMP there are no steps, only final_heads.
 */
typedef struct MigPlan
{
	int			nsteps;
	MigStep    *steps;
	int			nfinal;
	int		   *final_heads;
} MigPlan;

/*
 * Build and validate a graph.  Raises an error for duplicate ids, invalid
 * ids, unknown parents or depends_on, a revision that is its own parent,
 * duplicate branch labels, and cycles (the message names the cycle).
 * The MigRevDef array is referenced, not copied.
 */
extern MigGraph *mig_graph_build(MigRevDef *revs, int nrevs);

extern int	mig_graph_nrevs(const MigGraph *g);
extern const MigRevDef *mig_graph_rev(const MigGraph *g, int idx);

/* Exact id lookup; -1 when absent. */
extern int	mig_graph_find(const MigGraph *g, const char *id);

/*
 * Heads and bases of the registered graph as Alembic reports them
 * (`alembic heads`, `alembic branches`/bases), as arrays of indexes.
 */
extern int *mig_graph_heads(const MigGraph *g, int *nheads);
extern int *mig_graph_bases(const MigGraph *g, int *nbases);

/*
 * Which revisions are applied, indexed like the graph: exactly those a
 * downgrade to base from the current heads would un-apply.  All false when
 * the version table names a revision that is not registered.
 */
extern bool *mig_graph_applied(const MigGraph *g, char **current,
							   int ncurrent);

/* Is a an ancestor of b (through parents and depends_on), or a == b? */
extern bool mig_graph_is_ancestor(const MigGraph *g, int a, int b);

/*
 * Resolve a target (the complete Alembic grammar) against the graph and the
 * current heads (full ids, as stored in the version table).  Returns the
 * revision indexes the target names; *nout = 0 for "base".
 */
extern int *mig_graph_resolve(const MigGraph *g, const char *target,
							  char **current, int ncurrent, int *nout);

/*
 * Plan a command from the current heads to target with Alembic 1.8's
 * semantics: which revisions run, in which order, and the version table
 * after each step.  Raises the errors Alembic raises (unknown or ambiguous
 * target, several heads for "head", a downgrade target that is not below
 * the current heads, ...).
 */
extern MigPlan *mig_graph_plan(const MigGraph *g, MigCommand cmd,
							   const char *target,
							   char **current, int ncurrent);

/* Validate a revision id's syntax (Alembic forbids '@', '-', '+', ':'). */
extern void mig_check_revision_id(const char *id);

/* Validate a branch label's syntax for revision rev. */
extern void mig_check_branch_label(const char *label, const char *rev);

#endif							/* SCHEMAMIG_GRAPH_H */
