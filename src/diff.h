/*-------------------------------------------------------------------------
 *
 * diff.h
 *	  Two schema models -> the ordered DDL that turns the first into the
 *	  second.
 *
 * IDENTIFICATION
 *	  src/diff.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_DIFF_H
#define SCHEMAMIG_DIFF_H

#include "nodes/pg_list.h"

#include "model.h"

/* Something the user must know about the statements: data loss, ... */
typedef struct MigDiffWarning
{
	char	   *message;		/* errmsg style: lower case, no period */
	char	   *detail;			/* a full sentence, or NULL */
	char	   *hint;			/* a full sentence, or NULL */
} MigDiffWarning;

typedef struct MigDiffResult
{
	List	   *statements;		/* char *, each ending with ';' */
	List	   *warnings;		/* MigDiffWarning * */
} MigDiffResult;

/* Flags of mig_diff_compute() */
#define MIG_DIFF_CONCURRENTLY	0x01	/* CREATE / DROP INDEX CONCURRENTLY on
										 * existing tables (statements that
										 * cannot run in a transaction block) */
#define MIG_DIFF_SKIP_SCHEMA	0x02	/* ignore the schema's own owner, ACL,
										 * comment and default privileges */

/*
 * The statements that make the schema of model target look like model
 * desired, with every name qualified with target's schema.  desired may
 * describe another schema: its references to itself are rewritten to the
 * target schema first.
 */
extern MigDiffResult *mig_diff_compute(const MigModel *target,
									  const MigModel *desired,
									  int flags);

/*
 * The scratch schema mig_autogenerate() is running desired-state SQL in
 * right now, or NULL.  That SQL runs in a subtransaction that is always
 * rolled back, so the DDL hook has nothing to record or refuse while this
 * is set.
 */
extern const char *mig_scratch_schema;

/* Report the warnings of a result with ereport(WARNING). */
extern void mig_diff_report(const MigDiffResult *result);

/*
 * A result as revision SQL: its warnings as "-- WARNING:" comments, then
 * its statements, one per line (api_diff.c).
 */
extern char *mig_diff_script(const MigDiffResult *result);

#endif							/* SCHEMAMIG_DIFF_H */
