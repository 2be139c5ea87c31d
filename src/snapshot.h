/*-------------------------------------------------------------------------
 *
 * snapshot.h
 *	  Schema snapshots per set of heads, and drift against them.
 *
 * IDENTIFICATION
 *	  src/snapshot.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_SNAPSHOT_H
#define SCHEMAMIG_SNAPSHOT_H

#include "nodes/pg_list.h"

#include "model.h"

/* GUC: store snapshots at all */
extern bool mig_snapshots;

/* How drift findings are appended (check.c's add()). */
typedef List *(*MigAddFinding) (List *findings, const char *severity,
								const char *code, const char *object,
								char *message);

extern void mig_snapshot_init(void);

/* The existing schemas of schemamig.managed_schemas ("*": all user schemas). */
extern List *mig_managed_schema_list(void);

/* "table public.t", "column public.t.c" for a message. */
extern char *mig_object_label(const MigModel *m, const MigObject *obj);

/* Store the models of the managed schemas for these heads. */
extern void mig_snapshot_take(char **heads, int nheads);

/* Drift findings: the live managed schemas against the heads' snapshot. */
extern List *mig_snapshot_drift(List *findings, char **heads, int nheads,
								MigAddFinding add);

/* The stored model of schema for these heads (NULL: none), and its time. */
extern MigModel *mig_snapshot_load(char **heads, int nheads,
								   const char *schema, char **taken_at);

/* How actual differs from expected, as drift compares (NULL: alike). */
extern char *mig_snapshot_first_difference(const MigModel *expected,
										   const MigModel *actual);

/* Store a model as the snapshot of schema for these heads. */
extern void mig_snapshot_store(char **heads, int nheads, const char *schema,
							   const MigModel *model);

#endif							/* SCHEMAMIG_SNAPSHOT_H */
