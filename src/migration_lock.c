/*-------------------------------------------------------------------------
 *
 * migration_lock.c
 *	  The migration lock: one runner at a time per database.
 *
 * Every call that changes the graph or moves the database (registering,
 * upgrading, downgrading, stamping) takes an exclusive advisory lock on a
 * fixed key in the current database.  A second runner polls for it with a
 * growing sleep, up to schemamig.lock_wait_timeout, instead of queueing in
 * the lock manager: it stays cancellable, reports who holds the lock when it
 * gives up, and never becomes a waiter that other lockers queue behind.
 *
 * IDENTIFICATION
 *	  src/migration_lock.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "migration_lock.h"
#include "schemamig.h"

/*
 * migration_locktag
 *		Fill in the lock tag of the migration lock of this database.
 */
static void
migration_locktag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, MIG_LOCK_KEY1, MIG_LOCK_KEY2, 2);
}

/*
 * lock_holder_description
 *		Say which backend holds the migration lock, for the error message.
 *		Runs only on the error path.
 */
static char *
lock_holder_description(void)
{
	char	   *result = NULL;
	MemoryContext caller = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		return NULL;
	if (SPI_execute(psprintf("SELECT l.pid, coalesce(a.usename::text, '?'), "
							 "coalesce(a.application_name, ''), "
							 "coalesce(extract(epoch FROM now() - a.query_start)::int, 0) "
							 "FROM pg_catalog.pg_locks l "
							 "LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
							 "WHERE l.locktype = 'advisory' AND l.granted "
							 "AND l.database = %u AND l.classid = %u "
							 "AND l.objid = %u AND l.objsubid = 2 LIMIT 1",
							 MyDatabaseId, MIG_LOCK_KEY1, MIG_LOCK_KEY2),
					true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext spicxt = MemoryContextSwitchTo(caller);

		result = psprintf("Process %s (role \"%s\", application \"%s\") holds it; "
						  "its current statement started %s seconds ago.",
						  SPI_getvalue(tup, desc, 1), SPI_getvalue(tup, desc, 2),
						  SPI_getvalue(tup, desc, 3), SPI_getvalue(tup, desc, 4));
		MemoryContextSwitchTo(spicxt);
	}
	SPI_finish();
	return result;
}

/*
 * state_changed_since_snapshot
 *		Did a migration or a registration commit after this transaction's
 *		snapshot was taken?  Compares the catalog as the transaction
 *		snapshot sees it with the latest committed state.
 */
static bool
state_changed_since_snapshot(void)
{
	const char *sql =
		"SELECT (SELECT coalesce(max(id), 0) FROM schemamig.history)::text || '|' || "
		"(SELECT coalesce(max(seq), 0) || ':' || count(*) || ':' || coalesce(max(registered_at)::text, '') "
		"FROM schemamig.revision) || '|' || "
		"(SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM schemamig.version)";
	SPIPlanPtr	plan;
	char	   *seen;
	char	   *latest;
	bool		changed;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(sql, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed");
	if (SPI_execute_snapshot(plan, NULL, NULL, GetTransactionSnapshot(),
							 InvalidSnapshot, true, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed");
	seen = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (SPI_execute_snapshot(plan, NULL, NULL, GetLatestSnapshot(),
							 InvalidSnapshot, true, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed");
	latest = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	changed = strcmp(seen, latest) != 0;
	SPI_finish();
	return changed;
}

/*
 * mig_lock_acquire
 *		Take the migration lock, transaction-scoped or session-scoped.
 *
 * Polls with a sleep that doubles from 10 ms to 200 ms, so the wait can be
 * bounded and cancelled and no lock-manager queue forms behind us.  In
 * REPEATABLE READ or SERIALIZABLE, having waited means our snapshot predates
 * the other runner's commit: the version table we would read is stale, so
 * that is a serialization failure.
 */
bool
mig_lock_acquire(bool session)
{
	LOCKTAG		tag;
	TimestampTz start = GetCurrentTimestamp();
	long		sleep_ms = 10;
	bool		waited = false;

	migration_locktag(&tag);

	for (;;)
	{
		LockAcquireResult res;

		res = LockAcquire(&tag, ExclusiveLock, session, true);
		if (res != LOCKACQUIRE_NOT_AVAIL)
			break;

		if (mig_lock_wait_timeout == 0 ||
			TimestampDifferenceExceeds(start, GetCurrentTimestamp(),
									   mig_lock_wait_timeout))
		{
			char	   *holder = lock_holder_description();

			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("could not obtain the migration lock: another migration is running"),
					 holder ? errdetail_internal("%s", holder) : 0,
					 errhint("Wait for the other migration to finish, or raise schemamig.lock_wait_timeout (now %d ms).",
							 mig_lock_wait_timeout)));
		}

		waited = true;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 sleep_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		sleep_ms = Min(sleep_ms * 2, 200);
	}

	if (IsolationUsesXactSnapshot() &&
		(waited || state_changed_since_snapshot()))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to a concurrent migration"),
				 errdetail("Another migration committed after this transaction's snapshot was taken."),
				 errhint("Run migrations in READ COMMITTED, or retry the transaction.")));

	return waited;
}

/*
 * mig_lock_release_session
 *		Release the session-scoped migration lock taken by a procedure.
 */
void
mig_lock_release_session(void)
{
	LOCKTAG		tag;

	migration_locktag(&tag);
	(void) LockRelease(&tag, ExclusiveLock, true);
}
