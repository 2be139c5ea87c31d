-- history: mig_history() and the schemamig.history log after upgrades,
-- downgrades and stamps.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS h_t1, h_t2, h_t3, h_side;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

-- the columns of mig_history()
SELECT pg_get_function_result('mig_history()'::regprocedure);

SELECT mig_revision('h1', NULL, 'CREATE TABLE h_t1 (id int)', 'DROP TABLE h_t1', 'first', 'main');
SELECT mig_revision('h2', 'h1', 'CREATE TABLE h_t2 (id int)', 'DROP TABLE h_t2', 'second');
SELECT mig_revision('s1', NULL, 'CREATE TABLE h_side (id int)', 'DROP TABLE h_side', 'side branch', 'side');
SELECT mig_revision('h3', 'h2', 'CREATE TABLE h_t3 (id int)', 'DROP TABLE h_t3', NULL, NULL, 'h1');

-- a view that shows what is deterministic
CREATE TEMP VIEW hist AS
SELECT revision, down_revision, branch_labels, depends_on, message,
       is_applied, is_current, is_head,
       applied_at IS NOT NULL AS has_applied_at,
       duration_ms >= 0 AS has_duration,
       applied_by
  FROM mig_history();
CREATE TEMP VIEW log AS
SELECT id, revision, direction, heads_before, heads_after, outcome, target,
       role = current_user AS by_me,
       backend_pid = pg_backend_pid() AS my_pid,
       started_at IS NOT NULL AND started_at <= clock_timestamp() AS started,
       duration_ms >= 0 AS has_duration,
       xid IS NOT NULL AS has_xid
  FROM schemamig.history;

-- nothing applied yet, the registration order
SELECT * FROM hist;
SELECT count(*) AS log_rows FROM schemamig.history;

--
-- Upgrades.
--
SELECT coalesce(max(id), 0) AS last_id FROM schemamig.history \gset
SELECT revision FROM mig_upgrade('h2');
SELECT * FROM hist;
SELECT revision, direction, heads_before, heads_after, outcome, target, by_me, my_pid, started, has_duration, has_xid FROM log WHERE id > :last_id ORDER BY id;
-- both steps of one call are one transaction
SELECT count(DISTINCT xid) AS transactions FROM schemamig.history;
-- mig_history's timings are those of the log
SELECT h.revision, h.applied_at = l.started_at AS same_time,
       h.duration_ms = l.duration_ms AS same_duration
  FROM mig_history() h JOIN schemamig.history l ON l.revision = h.revision
 ORDER BY h.revision;
-- whatever the session's DateStyle and TimeZone
SET datestyle = 'Postgres, MDY';
SET timezone = 'Asia/Kolkata';
SELECT h.revision, h.applied_at = l.started_at AS same_time
  FROM mig_history() h JOIN schemamig.history l ON l.revision = h.revision
 ORDER BY h.revision;
SET datestyle = 'SQL, DMY';
SET timezone = 'America/New_York';
SELECT h.revision, h.applied_at = l.started_at AS same_time
  FROM mig_history() h JOIN schemamig.history l ON l.revision = h.revision
 ORDER BY h.revision;
RESET datestyle;
RESET timezone;
SELECT coalesce(max(id), 0) AS last_id FROM schemamig.history \gset
SELECT revision FROM mig_upgrade('s1');
SELECT revision FROM mig_upgrade('h3');
SELECT * FROM hist;
SELECT revision, direction, heads_before, heads_after, outcome, target, by_me, my_pid, started, has_duration, has_xid FROM log WHERE id > :last_id ORDER BY id;
SELECT * FROM mig_current();

--
-- Downgrades.
--
SELECT coalesce(max(id), 0) AS last_id FROM schemamig.history \gset
SELECT revision FROM mig_downgrade('side@base');
SELECT revision FROM mig_downgrade('h1');
SELECT * FROM hist;
SELECT revision, direction, heads_before, heads_after, outcome, target, by_me, my_pid, started, has_duration, has_xid FROM log WHERE id > :last_id ORDER BY id;
-- a failed call leaves no trace in the log
SELECT mig_revision('h4', 'h3', 'SELECT 1/0', NULL, 'fails');
SELECT coalesce(max(id), 0) AS last_id FROM schemamig.history \gset
SELECT * FROM mig_upgrade('h4');
SELECT count(*) AS new_rows FROM schemamig.history WHERE id > :last_id;
SELECT mig_unregister('h4');
SELECT coalesce(max(id), 0) AS last_id FROM schemamig.history \gset
SELECT revision FROM mig_downgrade('base');
SELECT * FROM hist;
SELECT revision, direction, heads_before, heads_after, outcome, target, by_me, my_pid, started, has_duration, has_xid FROM log WHERE id > :last_id ORDER BY id;

--
-- Stamps: the version table moves, no SQL runs, the log says so.
--
SELECT coalesce(max(id), 0) AS last_id FROM schemamig.history \gset
SELECT * FROM mig_stamp('h2');
SELECT * FROM mig_current();
SELECT to_regclass('h_t1') AS h_t1, to_regclass('h_t2') AS h_t2;
SELECT revision, direction, heads_before, heads_after, outcome, target, by_me, my_pid, started, has_duration, has_xid FROM log WHERE id > :last_id ORDER BY id;
-- an applied revision always has an applied_at, never one from before it
-- was last un-applied; a stamp ran no SQL, so there is no duration
CREATE TEMP VIEW applied AS
SELECT revision, is_applied, is_current,
       applied_at IS NOT NULL AS has_applied_at,
       applied_at > (SELECT max(started_at) FROM schemamig.history l
                      WHERE l.revision = h.revision AND l.direction = 'downgrade')
         IS NOT FALSE AS after_last_downgrade,
       applied_at = (SELECT max(started_at) FROM schemamig.history l
                      WHERE l.direction = 'stamp') AS stamp_time,
       duration_ms IS NULL AS no_duration,
       applied_by
  FROM mig_history() h;
SELECT * FROM applied;
SELECT coalesce(max(id), 0) AS last_id FROM schemamig.history \gset
SELECT * FROM mig_stamp('heads');
SELECT * FROM mig_current();
SELECT revision, is_applied, is_current, is_head FROM mig_history();
SELECT * FROM applied;
SELECT revision, direction, heads_before, heads_after, outcome, target, by_me, my_pid, started, has_duration, has_xid FROM log WHERE id > :last_id ORDER BY id;
SELECT coalesce(max(id), 0) AS last_id FROM schemamig.history \gset
SELECT * FROM mig_stamp('base');
SELECT count(*) AS current FROM mig_current();
SELECT revision, is_applied, is_current, has_applied_at FROM hist;
SELECT revision, direction, heads_before, heads_after, outcome, target, by_me, my_pid, started, has_duration, has_xid FROM log WHERE id > :last_id ORDER BY id;
-- stamping base again is recorded again
SELECT count(*) AS stamped FROM mig_stamp('base');
SELECT count(*) AS stamps FROM schemamig.history WHERE direction = 'stamp';
-- stamping a head, then upgrading from there runs only what is above it
SELECT * FROM mig_stamp('h1');
CREATE TABLE h_t1 (id int);
SELECT revision FROM mig_upgrade('main@head');
SELECT * FROM mig_current();
SELECT revision, is_applied, is_current, has_applied_at, applied_by FROM hist;
SELECT * FROM applied;

-- the per-revision-commit procedure writes one transaction per step
SELECT revision FROM mig_downgrade('base');
SELECT coalesce(max(id), 0) AS last_id FROM schemamig.history \gset
CALL mig_upgrade_proc('h3');
SELECT revision, direction, heads_before, heads_after, target
  FROM schemamig.history WHERE id > :last_id ORDER BY id;
SELECT count(DISTINCT xid) AS transactions FROM schemamig.history WHERE id > :last_id;
CALL mig_downgrade_proc('base');

-- clean up
SELECT count(*) AS current FROM mig_current();
SELECT to_regclass('h_t1') AS h_t1, to_regclass('h_side') AS h_side;
DROP VIEW hist, log, applied;
