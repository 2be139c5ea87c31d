/*-------------------------------------------------------------------------
 *
 * check.h
 *	  mig_check(): is the database where its history says it is, and is
 *	  that history sound?
 *
 * IDENTIFICATION
 *	  src/check.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_CHECK_H
#define SCHEMAMIG_CHECK_H

#include "nodes/pg_list.h"

/* One finding: a row of mig_check(). */
typedef struct MigFinding
{
	const char *severity;		/* "error", "warning", "info" */
	const char *code;			/* stable code, documented in README */
	char	   *object;			/* revision id, label, ... or NULL */
	char	   *message;
	int			seq;			/* order found, for a stable sort */
} MigFinding;

/* GUC: severity of several heads, "warning" or "error" */
extern int	mig_check_multiple_heads;

/* Define the GUCs of this module; called from _PG_init. */
extern void mig_check_init(void);

/*
 * Run every check; a List of MigFinding, errors first.  Caller is
 * connected to SPI.
 */
extern List *mig_check_findings(void);

#endif							/* SCHEMAMIG_CHECK_H */
