/*-------------------------------------------------------------------------
 *
 * report.h
 *	  The migration report: mig_report() and mig_report_plan(), the Markdown
 *	  a DBA hands to a change board (changes, safety analysis, testing
 *	  results, deployment plan, risk).
 *
 * IDENTIFICATION
 *	  src/report.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_REPORT_H
#define SCHEMAMIG_REPORT_H

/*
 * schemamig.report_rewrite_rate: the rate, in MB/s, at which the report
 * assumes a statement reads or writes table data (rewrites, scans, index
 * builds, row updates) when it estimates durations from live sizes.
 */
extern int	mig_report_rewrite_rate;

/* Define the report's GUC; called from _PG_init. */
extern void mig_report_init(void);

#endif							/* SCHEMAMIG_REPORT_H */
