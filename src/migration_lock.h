/*-------------------------------------------------------------------------
 *
 * migration_lock.h
 *	  The migration lock: one runner at a time per database.
 *
 * IDENTIFICATION
 *	  src/migration_lock.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_MIGRATION_LOCK_H
#define SCHEMAMIG_MIGRATION_LOCK_H

/*
 * The advisory lock key, as pg_advisory_lock(int4, int4) would take it:
 * pg_locks shows it as locktype 'advisory', classid 1396918349 ('SCHM'),
 * objid 1296647969 ('MIG!'), objsubid 2.
 */
#define MIG_LOCK_KEY1	0x5343484D
#define MIG_LOCK_KEY2	0x4D494721

/*
 * Take the migration lock, waiting up to schemamig.lock_wait_timeout.
 * session = false: released at transaction end; true: held until
 * mig_lock_release_session().  Returns true if it had to wait.
 */
extern bool mig_lock_acquire(bool session);
extern void mig_lock_release_session(void);

#endif							/* SCHEMAMIG_MIGRATION_LOCK_H */
