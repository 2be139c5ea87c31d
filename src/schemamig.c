/*-------------------------------------------------------------------------
 *
 * schemamig.c
 *	  Module entry point of schemamig: defines the GUCs and the small helpers
 *	  that every other module shares.  Nothing else lives here.
 *
 * IDENTIFICATION
 *	  src/schemamig.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "check.h"
#include "snapshot.h"
#include "hook.h"
#include "lint.h"
#include "report.h"
#include "runner.h"
#include "schemamig.h"

PG_MODULE_MAGIC;

/* GUC variables */
char	   *mig_search_path = NULL;
int			mig_lock_wait_timeout = 60000;
bool		mig_notice_progress = true;

void		_PG_init(void);

/*
 * _PG_init
 *		Define the GUCs.  Works whether the library is preloaded or loaded on
 *		first use of a function.
 */
void
_PG_init(void)
{
	DefineCustomStringVariable("schemamig.search_path",
							   "The search_path pinned while revision SQL runs.",
							   "Revision SQL never runs with the caller's search_path; "
							   "unqualified names resolve in these schemas.",
							   &mig_search_path,
							   "public",
							   PGC_SUSET,
							   GUC_LIST_INPUT,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("schemamig.lock_wait_timeout",
							"How long a migration waits for another runner to finish.",
							"0 fails at once when another migration is running.",
							&mig_lock_wait_timeout,
							60000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("schemamig.progress",
							 "Report each revision run with a NOTICE.",
							 NULL,
							 &mig_notice_progress,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	mig_hook_init();
	mig_check_init();
	mig_snapshot_init();
	mig_runner_init();
	mig_lint_init();
	mig_report_init();

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("schemamig");
#else
	EmitWarningsOnPlaceholders("schemamig");
#endif
}

/*
 * mig_init_srf
 *		Set up a materialized set-returning function's tuplestore and
 *		descriptor, on every supported server version.  scalar: the
 *		function returns SETOF a base type, whose descriptor the executor
 *		supplies.
 */
void
mig_init_srf(FunctionCallInfo fcinfo, bool scalar)
{
#if PG_VERSION_NUM >= 150000
	InitMaterializedSRF(fcinfo, scalar ? MAT_SRF_USE_EXPECTED_DESC : 0);
#else
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcontext;
	TupleDesc	tupdesc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));

	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (scalar)
		tupdesc = CreateTupleDescCopy(rsinfo->expectedDesc);
	else if (get_call_result_type(fcinfo, NULL, &tupdesc) == TYPEFUNC_COMPOSITE)
		tupdesc = CreateTupleDescCopy(tupdesc);
	else
		elog(ERROR, "return type must be a row type");
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = tupdesc;
	MemoryContextSwitchTo(oldcontext);
#endif
}
