/*-------------------------------------------------------------------------
 *
 * verify.h
 *	  Round-trip verification of pending revisions (upgrade, downgrade,
 *	  schema and data compared, upgrade again), always rolled back.
 *	  mig_verify() is its SQL face; the migration report runs it for the
 *	  revisions it describes.
 *
 * IDENTIFICATION
 *	  src/verify.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_VERIFY_H
#define SCHEMAMIG_VERIFY_H

#include "nodes/pg_list.h"

/* The round trip of one revision: one row of mig_verify(). */
typedef struct MigVerifyResult
{
	char	   *revision;
	bool		upgrade_ok;
	bool		downgrade_ok;
	bool		schema_restored;
	bool		data_preserved;
	double		duration_ms;
	char	   *first_difference;	/* the first object or table that
									 * differs, or the error; NULL when none */
} MigVerifyResult;

/*
 * Verify every revision an upgrade from the current heads to target would
 * run, in order (only: just that revision; the pending revisions before it
 * are applied plainly), stopping after a revision whose upgrade fails.
 * Takes the migration lock; everything it runs is rolled back, so the
 * database, the version table and the history are left exactly as they
 * were.  Returns a List of MigVerifyResult allocated in the caller's
 * memory context.
 */
extern List *mig_verify_target(const char *target, const char *only);

#endif							/* SCHEMAMIG_VERIFY_H */
