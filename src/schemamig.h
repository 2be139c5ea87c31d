/*-------------------------------------------------------------------------
 *
 * schemamig.h
 *	  Declarations shared by the modules of the schemamig extension: GUC
 *	  variables, the names of the catalog, and version compatibility.
 *
 * IDENTIFICATION
 *	  src/schemamig.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_H
#define SCHEMAMIG_H

#include "fmgr.h"

/* The schema holding the extension's catalog tables. */
#define MIG_CATALOG_SCHEMA	"schemamig"

/* GUC variables (schemamig.c) */
extern char *mig_search_path;
extern int	mig_lock_wait_timeout;
extern bool mig_notice_progress;

/*
 * Materialized set-returning functions: InitMaterializedSRF() appeared in
 * PostgreSQL 15 (as SetSingleFuncCall in 15.0, renamed in later minors and
 * in 16); mig_init_srf() hides the difference.
 */
extern void mig_init_srf(FunctionCallInfo fcinfo, bool scalar);

#endif							/* SCHEMAMIG_H */
