/*-------------------------------------------------------------------------
 *
 * api_check.c
 *	  SQL entry points of the checks: mig_check() and mig_check_report().
 *
 * IDENTIFICATION
 *	  src/api_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "check.h"
#include "schemamig.h"

PG_FUNCTION_INFO_V1(mig_check);
PG_FUNCTION_INFO_V1(mig_check_report);

/*
 * mig_check
 *		One row per finding: severity, code, object, message.  No row with
 *		severity 'error' means the database is clean.
 */
Datum
mig_check(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	List	   *findings;
	ListCell   *lc;

	mig_init_srf(fcinfo, false);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	findings = mig_check_findings();
	foreach(lc, findings)
	{
		MigFinding *f = (MigFinding *) lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(f->severity);
		values[1] = CStringGetTextDatum(f->code);
		if (f->object)
			values[2] = CStringGetTextDatum(f->object);
		else
			nulls[2] = true;
		values[3] = CStringGetTextDatum(f->message);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * mig_check_report
 *		The same findings as a readable text summary: a verdict line, counts,
 *		then one line per finding, and when objects drifted, a last line on
 *		how to adopt or undo the drift.
 */
Datum
mig_check_report(PG_FUNCTION_ARGS)
{
	List	   *findings;
	ListCell   *lc;
	StringInfoData buf;
	int			nerr = 0,
				nwarn = 0,
				ninfo = 0,
				ndrift = 0;
	text	   *result;
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext spicxt;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	findings = mig_check_findings();
	foreach(lc, findings)
	{
		MigFinding *f = (MigFinding *) lfirst(lc);

		if (strncmp(f->code, "drift.", 6) == 0 &&
			strcmp(f->code, "drift.no_snapshot") != 0)
			ndrift++;
		if (strcmp(f->severity, "error") == 0)
			nerr++;
		else if (strcmp(f->severity, "warning") == 0)
			nwarn++;
		else
			ninfo++;
	}

	initStringInfo(&buf);
	appendStringInfo(&buf, "schemamig check: %s\n",
					 nerr > 0 ? "FAILED" : nwarn > 0 ? "clean, with warnings" : "clean");
	appendStringInfo(&buf, "%d error%s, %d warning%s, %d info\n",
					 nerr, nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s", ninfo);
	foreach(lc, findings)
	{
		MigFinding *f = (MigFinding *) lfirst(lc);

		appendStringInfo(&buf, "%-7s %-28s %s\n",
						 f->severity, f->code, f->message);
	}
	/* what to do about drift: the two ways out */
	if (ndrift > 0)
		appendStringInfoString(&buf,
							   "Drift: to keep these changes, adopt them into a revision with "
							   "SELECT mig_adopt_drift(); to undo them, revert them by hand "
							   "(each message names the statement that made it, when the DDL log has it).\n");
	/* the result must outlive SPI's memory */
	spicxt = MemoryContextSwitchTo(caller);
	result = cstring_to_text(buf.data);
	MemoryContextSwitchTo(spicxt);
	SPI_finish();
	PG_RETURN_TEXT_P(result);
}
