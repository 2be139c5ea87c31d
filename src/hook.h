/*-------------------------------------------------------------------------
 *
 * hook.h
 *	  The DDL hook: records every DDL statement in schemamig.ddl_log and
 *	  enforces the out-of-band DDL and lint policies.
 *
 * The hook is a ProcessUtility hook, installed only when the library is
 * loaded through shared_preload_libraries.  The GUCs below are defined
 * either way, so that they can be set per database or role and read by the
 * rest of the extension.
 *
 * IDENTIFICATION
 *	  src/hook.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_HOOK_H
#define SCHEMAMIG_HOOK_H

/* schemamig.out_of_band_ddl */
typedef enum MigOutOfBandPolicy
{
	MIG_OOB_ALLOW,
	MIG_OOB_WARN,
	MIG_OOB_DENY
} MigOutOfBandPolicy;

/* schemamig.lint */
typedef enum MigLintMode
{
	MIG_LINT_OFF,
	MIG_LINT_WARN,
	MIG_LINT_DENY
} MigLintMode;

/* GUC variables (hook.c) */
extern bool mig_ddl_log_enabled;
extern bool mig_ddl_log_temp;
extern int	mig_ddl_log_retention;
extern int	mig_out_of_band_ddl;
extern char *mig_managed_schemas;
extern int	mig_lint_mode;

/*
 * Define the hook's GUCs and, when called while shared_preload_libraries is
 * being processed, install the ProcessUtility hook.  Called from _PG_init.
 */
extern void mig_hook_init(void);

/* Is the DDL hook installed in this backend (library preloaded)? */
extern bool mig_hook_is_installed(void);

/*
 * The schemas unqualified names are looked up in right now, as a
 * search_path value ("$user" resolved, missing schemas left out); what
 * schemamig.ddl_log records per statement.
 */
extern char *mig_current_search_path(void);

#endif							/* SCHEMAMIG_HOOK_H */
