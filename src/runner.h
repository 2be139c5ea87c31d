/*-------------------------------------------------------------------------
 *
 * runner.h
 *	  Executes a plan step by step: a revision's statements, the version
 *	  table, the history, timing and progress.
 *
 * IDENTIFICATION
 *	  src/runner.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_RUNNER_H
#define SCHEMAMIG_RUNNER_H

#include "graph.h"
#include "registry.h"

/*
 * The revision whose SQL is running right now in this backend, and its
 * direction, or NULL outside a migration.  The DDL hook reads these to tell
 * migration DDL from out-of-band DDL.
 */
extern const char *mig_running_revision;
extern const char *mig_running_direction;

/*
 * The text of the revision statement the runner is executing right now (the
 * very pointer it hands to SPI), or NULL.  The DDL hook compares it with the
 * query string it is given to tell the revision's own statements from DDL
 * nested in a function that a revision statement called.
 */
extern const char *mig_running_statement;

/*
 * GUC variables (runner.c), in milliseconds but for lock_retries:
 * schemamig.lock_timeout, lock_retries, lock_retry_backoff,
 * lock_retry_backoff_max and statement_timeout.  The migration report
 * reads them to say what a deployment will run with.
 */
extern int	mig_lock_timeout;
extern int	mig_lock_retries;
extern int	mig_lock_retry_backoff;
extern int	mig_lock_retry_backoff_max;
extern int	mig_statement_timeout;

/* What one executed step reports back. */
typedef struct MigStepResult
{
	char	   *revision;
	char	   *message;
	double		duration_ms;
} MigStepResult;

/*
 * Run step k (0-based) of n of a plan from heads_before: the revision's SQL
 * in the step's direction, then the version table and a history row.
 * Caller is connected to SPI and holds the migration lock.
 */
extern MigStepResult runner_run_step(const MigGraph *g, const MigStep *step,
									 char **heads_before, int nheads_before,
									 const char *target, int k, int n);

/* The version table after a step, from the one before it. */
extern char **runner_heads_after(const MigGraph *g, const MigStep *step,
								 char **before, int nbefore, int *nafter);

/* Revision ids of an array of graph indexes. */
extern char **runner_ids(const MigGraph *g, const int *idx, int n);

/*
 * Refuse a plan that cannot complete before running any of it: a downgrade
 * through a revision without downgrade SQL.
 */
extern void runner_check_plan(const MigGraph *g, const MigPlan *plan,
							  bool parse_all);

/*
 * Record a stamp in the version table and the history; note (or NULL) goes
 * into the history row.
 */
extern void runner_stamp(const MigGraph *g, const MigPlan *plan,
						 char **heads_before, int nheads_before,
						 const char *target, const char *note);

/*
 * Run sql as revision id's statements in direction, as runner_run_step()
 * does (search_path pinned, lock_timeout and retries, lint when asked),
 * without moving the version table or writing history.  Returns the
 * milliseconds taken.
 */
extern double runner_run_sql(const char *id, const char *direction,
							 const char *sql, bool lint);

/*
 * Translate "out of shared memory" (a full lock table after many revisions
 * in one transaction) into an error that says what to do; rethrows every
 * other error unchanged.  Call from a PG_CATCH block.
 */
extern void runner_rethrow(MemoryContext cxt, int nsteps_done);

/*
 * Define the runner's GUCs (schemamig.lock_timeout, lock_retries,
 * lock_retry_backoff, lock_retry_backoff_max, statement_timeout) and install
 * its log hook.  Called once from _PG_init.
 */
extern void mig_runner_init(void);

#endif							/* SCHEMAMIG_RUNNER_H */
