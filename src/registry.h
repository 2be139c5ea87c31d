/*-------------------------------------------------------------------------
 *
 * registry.h
 *	  Reads and writes of the catalog tables: revisions, the version table
 *	  and the history.  The only module that runs SQL against them.
 *
 * All functions expect the caller to be connected to SPI and return memory
 * allocated in the caller's current memory context at the time of the call.
 *
 * IDENTIFICATION
 *	  src/registry.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_REGISTRY_H
#define SCHEMAMIG_REGISTRY_H

#include "datatype/timestamp.h"
#include "graph.h"

/* A revision's full row. */
typedef struct MigRevisionRow
{
	char	   *id;
	char	  **parents;
	int			nparents;
	char	  **labels;
	int			nlabels;
	char	  **depends;
	int			ndepends;
	char	   *message;		/* may be NULL */
	char	   *upgrade;
	char	   *downgrade;		/* NULL: no downgrade written */
	char	   *checksum;
	char	   *registered_by;
	char	   *registered_at;
} MigRevisionRow;

/* One history row to append. */
typedef struct MigHistoryEntry
{
	const char *revision;		/* NULL for a stamp to base */
	const char *direction;		/* "upgrade", "downgrade", "stamp" */
	TimestampTz started_at;
	double		duration_ms;
	char	  **heads_before;
	int			nheads_before;
	char	  **heads_after;
	int			nheads_after;
	const char *target;
	const char *note;			/* NULL, or why ("adopted drift") */
} MigHistoryEntry;

/* Every revision's graph fields, in registration order. */
extern MigRevDef *registry_load_defs(int *nrevs);

/* The version table, sorted. */
extern char **registry_current_heads(int *nheads);

/* One revision's row, or NULL. */
extern MigRevisionRow *registry_fetch(const char *id);

/* Does a revision with this id exist?  Which revision declares label? */
extern bool registry_exists(const char *id);
extern char *registry_label_owner(const char *label);

/* Insert a new revision or replace an existing one's content. */
extern void registry_store(const MigRevisionRow *row, bool replace);

/* Delete a revision row. */
extern void registry_delete(const char *id);

/* The checksum over a revision's content (see registry.c). */
extern char *registry_checksum(const MigRevisionRow *row);

/* Every revision's row, in registration order. */
extern MigRevisionRow *registry_load_rows(int *nrows);

/* heads_after of the newest history row; false when the history is empty. */
extern bool registry_last_history_heads(char ***heads, int *nheads);

/* Each revision's message, indexed like the graph (NULL when none). */
extern char **registry_load_messages(const MigGraph *g);

/* One of ids registered without downgrade SQL, or NULL. */
extern char *registry_first_without_downgrade(char **ids, int n);

/* Make the version table hold exactly these heads. */
extern void registry_set_heads(char **heads, int nheads);

/* Remove and add version-table rows (one step's delta). */
extern void registry_move_heads(char **removed, int nremoved,
								char **added, int nadded);

/* Append a history row. */
extern void registry_append_history(const MigHistoryEntry *entry);

/*
 * The last upgrade of each revision of g from the history: when (text),
 * how long, by whom; arrays indexed like the graph, NULL/-1 when none.
 */
extern void registry_last_upgrades(const MigGraph *g, char **applied_at,
								   double *duration_ms, char **applied_by);

/*
 * Register a revision with every rule of mig_revision() (api_revision.c):
 * takes the migration lock, connects to SPI itself; row->id NULL generates
 * an id.  Returns the id.
 */
extern char *mig_register_revision(MigRevisionRow *row);

#endif							/* SCHEMAMIG_REGISTRY_H */
