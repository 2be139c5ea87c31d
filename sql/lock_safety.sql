-- lock_safety: the runner's lock_timeout, lock retries and per-statement
-- statement_timeout.  Their defaults, what a revision's statements see,
-- nothing leaking into the caller's session, a statement timeout naming the
-- revision, and retries running out against a lock that a prepared
-- transaction holds (the one way for a single session to be blocked).
-- Retrying until a lock comes free is in test/isolation/specs/lock_retry.spec.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS ls_t, ls_seen CASCADE;
RESET client_min_messages;
CREATE EXTENSION schemamig;

-- the defaults
SHOW schemamig.lock_timeout;
SHOW schemamig.lock_retries;
SHOW schemamig.lock_retry_backoff;
SHOW schemamig.lock_retry_backoff_max;
SHOW schemamig.statement_timeout;
SET schemamig.progress = off;

-- fields(sql): run sql and return its error's fields, with timings masked
CREATE FUNCTION pg_temp.fields(cmd text) RETURNS TABLE(field text, value text)
LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text; hnt text;
BEGIN
	EXECUTE cmd;
	RETURN QUERY VALUES ('result', 'no error');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	det = regexp_replace(det, '\d+\.\d s', 'N s', 'g');
	det = replace(det, '"' || current_user || '"', '"<user>"');
	RETURN QUERY VALUES ('sqlstate', st), ('message', msg), ('detail', det), ('hint', hnt);
END
$$;

CREATE TABLE ls_t (id int);
CREATE TABLE ls_seen (revision text, step int, lock_timeout text,
					  statement_timeout text, log_lock_waits text);

--
-- What a revision's statements see: lock_timeout set from
-- schemamig.lock_timeout, again whenever the revision changes that, or what
-- the revision set itself.  Every setting ends with the revision.
--
SELECT mig_revision('ls1', NULL, $$
INSERT INTO ls_seen VALUES ('ls1', 1, current_setting('lock_timeout'),
	current_setting('statement_timeout'), current_setting('log_lock_waits'));
SET schemamig.lock_timeout = '5s';
INSERT INTO ls_seen VALUES ('ls1', 3, current_setting('lock_timeout'),
	current_setting('statement_timeout'), current_setting('log_lock_waits'));
SET lock_timeout = '42ms';
INSERT INTO ls_seen VALUES ('ls1', 5, current_setting('lock_timeout'),
	current_setting('statement_timeout'), current_setting('log_lock_waits'));
$$, 'DELETE FROM ls_seen');
SELECT mig_revision('ls2', 'ls1', $$
INSERT INTO ls_seen VALUES ('ls2', 1, current_setting('lock_timeout'),
	current_setting('statement_timeout'), current_setting('log_lock_waits'));
$$, 'SELECT 1');

-- the caller's own settings come back unchanged
SET lock_timeout = '7s';
SET statement_timeout = '1min';
SELECT revision FROM mig_upgrade('head');
SELECT * FROM ls_seen ORDER BY revision, step;
SHOW lock_timeout;
SHOW statement_timeout;
SHOW schemamig.lock_timeout;
SHOW log_lock_waits;

-- schemamig.lock_timeout = 0: no limit (and nothing to retry)
SET schemamig.lock_timeout = 0;
SELECT revision FROM mig_downgrade('base');
SELECT revision FROM mig_upgrade('ls1');
SELECT lock_timeout FROM ls_seen WHERE step = 1;
RESET schemamig.lock_timeout;
SHOW lock_timeout;
RESET lock_timeout;
RESET statement_timeout;
-- also after a failed call rolled back to a savepoint
SELECT mig_revision('ls_bad', 'ls1', 'SELECT 1/0', 'SELECT 1');
BEGIN;
SET LOCAL lock_timeout = '3s';
SAVEPOINT s;
SELECT revision FROM mig_upgrade('ls_bad');
ROLLBACK TO SAVEPOINT s;
SHOW lock_timeout;
COMMIT;
SELECT mig_unregister('ls_bad');

--
-- schemamig.statement_timeout bounds each statement of a revision (the
-- server's statement_timeout only bounds the whole call): the error names
-- the revision and the statement.
--
SELECT mig_revision('ls3', 'ls2', $$SELECT 1;
SELECT pg_sleep(0.5);$$, 'SELECT 1', 'slow');
SET schemamig.statement_timeout = '50ms';
SELECT revision FROM mig_upgrade('head');
SELECT * FROM mig_current();
-- each statement gets the whole time: quick statements add up freely
SET schemamig.statement_timeout = '500ms';
SELECT mig_revision('ls3', 'ls2', $$SELECT pg_sleep(0.2);
SELECT pg_sleep(0.2);
SELECT pg_sleep(0.2);
SELECT pg_sleep(0.2);$$, 'SELECT 1', 'slow');
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('ls2');
RESET schemamig.statement_timeout;
-- a revision sets it for itself; it ends with the revision
SELECT mig_revision('ls3', 'ls2', $$SET schemamig.statement_timeout = '50ms';
SELECT pg_sleep(0.5);$$, 'SELECT 1', 'slow');
SELECT revision FROM mig_upgrade('head');
SHOW schemamig.statement_timeout;
-- ... whereas a plain SET statement_timeout in a revision bounds none of its
-- statements: they run inside one top-level statement, and the server arms
-- statement_timeout only when such a statement starts (which is why
-- missing-statement-timeout, in lint_locks, does not count it)
SELECT mig_revision('ls3', 'ls2', $$SET LOCAL statement_timeout = '50ms';
SELECT pg_sleep(0.3);$$, 'SELECT 1', 'slow');
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('ls2');
-- the caller's statement_timeout still bounds the whole call, and comes
-- first when it is the shorter one
SELECT mig_revision('ls3', 'ls2', 'SELECT pg_sleep(0.5)', 'SELECT 1', 'slow');
SET schemamig.statement_timeout = '10s';
SET statement_timeout = '100ms';
SELECT revision FROM mig_upgrade('head');
RESET statement_timeout;
RESET schemamig.statement_timeout;
SELECT mig_revision('ls3', 'ls2', 'SELECT 1', 'SELECT 1', 'quick');
SELECT revision FROM mig_upgrade('head');

--
-- Retries running out: a prepared transaction holds a lock on ls_t.  The
-- error keeps SQLSTATE 55P03 and says how often it tried, what it waited for
-- and who holds it.  With progress on, each retry is reported.
--
BEGIN;
LOCK TABLE ls_t IN SHARE MODE;
PREPARE TRANSACTION 'ls_holder';
SELECT mig_revision('ls4', 'ls3', $$CREATE TABLE ls_u (id int);
ALTER TABLE ls_t ADD COLUMN c int;$$, 'DROP TABLE ls_u; ALTER TABLE ls_t DROP COLUMN c', 'add c');
SET schemamig.lock_timeout = '200ms';
SET schemamig.lock_retries = 2;
SET schemamig.lock_retry_backoff = '10ms';
SET schemamig.progress = on;
SELECT * FROM pg_temp.fields($$SELECT * FROM mig_upgrade('head')$$);
SET schemamig.progress = off;
-- no retries: one attempt
SET schemamig.lock_retries = 0;
SELECT * FROM pg_temp.fields($$SELECT * FROM mig_upgrade('head')$$);
-- a procedure fails the same way
SELECT * FROM pg_temp.fields($$CALL mig_upgrade_proc('head')$$);
SELECT * FROM mig_current();
SELECT to_regclass('ls_u') AS ls_u;
-- NOWAIT inside a revision is lock_not_available too, and is retried
SELECT mig_revision('ls4', 'ls3', 'LOCK TABLE ls_t IN EXCLUSIVE MODE NOWAIT', 'SELECT 1', 'nowait');
SET schemamig.lock_retries = 1;
SELECT * FROM pg_temp.fields($$SELECT * FROM mig_upgrade('head')$$);
ROLLBACK PREPARED 'ls_holder';
-- the lock is free: the same call succeeds
SELECT mig_revision('ls4', 'ls3', $$CREATE TABLE ls_u (id int);
ALTER TABLE ls_t ADD COLUMN c int;$$, 'DROP TABLE ls_u; ALTER TABLE ls_t DROP COLUMN c', 'add c');
CALL mig_upgrade_proc('head');
SELECT * FROM mig_current();
SELECT string_agg(attname, ',' ORDER BY attnum) AS ls_t_columns
  FROM pg_attribute WHERE attrelid = 'ls_t'::regclass AND attnum > 0;
RESET schemamig.lock_timeout;
RESET schemamig.lock_retries;
RESET schemamig.lock_retry_backoff;
SHOW log_lock_waits;
SHOW deadlock_timeout;

SELECT revision FROM mig_downgrade('base');
DROP TABLE ls_t, ls_seen;
DROP EXTENSION schemamig;
