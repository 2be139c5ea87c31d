-- upgrade: moving a real schema up and down with mig_upgrade, mig_downgrade
-- and the per-revision-commit procedures.  Atomicity of a failing call,
-- errors that say where they happened, the pinned search_path, statements
-- that cannot run in a transaction, and downgrades that cannot complete.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS orders, account, sp_t, u_marker, u_never, u_ok CASCADE;
DROP SCHEMA IF EXISTS other CASCADE;
RESET client_min_messages;
CREATE EXTENSION schemamig;

-- progress NOTICEs are on by default; they carry timings, so switch them off
SHOW schemamig.progress;
SHOW schemamig.search_path;
SET schemamig.progress = off;

-- sqlstate(sql): run sql, return the SQLSTATE of its error (or "ok")
CREATE FUNCTION pg_temp.sqlstate(cmd text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE cmd;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;

-- the user's schema, one revision at a time
SELECT mig_revision('u1', NULL,
$$CREATE TABLE account (
    id    int PRIMARY KEY,
    email text NOT NULL
);
INSERT INTO account VALUES (1, 'Ann@example.com'), (2, 'bob@example.com');$$,
$$DROP TABLE account;$$,
'create account');
SELECT mig_revision('u2', 'u1',
$$CREATE UNIQUE INDEX account_email_idx ON account (lower(email));
ALTER TABLE account ADD COLUMN created date;
UPDATE account SET created = ('2024-01-0' || id)::date;$$,
$$DROP INDEX account_email_idx;
ALTER TABLE account DROP COLUMN created;$$,
'unique email, add created');
SELECT mig_revision('u3', 'u2',
$$CREATE TABLE orders (id int PRIMARY KEY, account_id int NOT NULL REFERENCES account);
CREATE INDEX orders_account_idx ON orders (account_id);
INSERT INTO orders VALUES (10, 1), (11, 1), (12, 2);$$,
$$DROP TABLE orders;$$);

--
-- Upgrade in two calls, downgrade in two calls.
--
SELECT count(*) AS current_heads FROM mig_current();
SELECT revision, message, duration_ms >= 0 AS timed FROM mig_upgrade('u2');
SELECT * FROM mig_current();
SELECT revision, since <= now() AS since_set FROM schemamig.version;
SELECT * FROM account ORDER BY id;
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'account' ORDER BY 1;
SELECT revision, message, duration_ms >= 0 AS timed FROM mig_upgrade('head');
SELECT * FROM mig_current();
SELECT o.id, a.email FROM orders o JOIN account a ON a.id = o.account_id ORDER BY o.id;
-- already at head: nothing runs, nothing is recorded
SELECT count(*) AS history_rows FROM schemamig.history \gset
SELECT count(*) AS applied FROM mig_upgrade('head');
SELECT count(*) = :history_rows AS history_unchanged FROM schemamig.history;
-- the unique index works
INSERT INTO account VALUES (3, 'ANN@example.com');
-- down to u1: u3 then u2, in that order
SELECT revision, message, duration_ms >= 0 AS timed FROM mig_downgrade('u1');
SELECT * FROM mig_current();
SELECT to_regclass('orders') AS orders, to_regclass('account_email_idx') AS email_idx;
SELECT attname FROM pg_attribute
 WHERE attrelid = 'account'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT revision, message, duration_ms >= 0 AS timed FROM mig_downgrade('base');
SELECT count(*) AS current_heads FROM mig_current();
SELECT count(*) AS version_rows FROM schemamig.version;
SELECT to_regclass('account') AS account;
-- at base: nothing to downgrade
SELECT count(*) AS unapplied FROM mig_downgrade('base');
-- the whole way up in one call
SELECT revision, message, duration_ms >= 0 AS timed FROM mig_upgrade();
SELECT * FROM mig_current();
SELECT count(*) AS orders FROM orders;

--
-- A failing statement rolls back the whole call.
--
SELECT revision FROM mig_downgrade('base');
SELECT count(*) AS history_rows FROM schemamig.history \gset
SELECT mig_revision('u4', 'u3',
$$CREATE TABLE u_ok (id int);
INSERT INTO u_ok
SELECT id FROM no_such_table
WHERE id > 0;
CREATE TABLE u_never (id int);$$,
$$DROP TABLE u_never;
DROP TABLE u_ok;$$,
'fails at statement 2');
SELECT revision FROM mig_upgrade('head');
SELECT to_regclass('account') AS account, to_regclass('orders') AS orders,
       to_regclass('u_ok') AS u_ok, to_regclass('u_never') AS u_never;
SELECT count(*) AS current_heads FROM mig_current();
SELECT count(*) = :history_rows AS history_unchanged FROM schemamig.history;
-- the error keeps its SQLSTATE (undefined_table)
SELECT pg_temp.sqlstate($$SELECT * FROM mig_upgrade('head')$$);
-- a run-time error (not a parse-analysis one) is reported at its statement too
SELECT mig_revision('u4', 'u3',
$$CREATE TABLE u_ok (id int PRIMARY KEY);
INSERT INTO u_ok VALUES (1);

INSERT INTO u_ok VALUES (2), (1);$$,
$$DROP TABLE u_ok;$$,
'fails at statement 3');
SELECT revision FROM mig_upgrade('head');
SELECT pg_temp.sqlstate($$SELECT * FROM mig_upgrade('head')$$);
SELECT count(*) AS current_heads FROM mig_current();
SELECT to_regclass('account') AS account, to_regclass('u_ok') AS u_ok;
-- the line is right after multibyte text too
SELECT mig_revision('u4', 'u3',
$$SELECT 'ééééééééééééééééééééééééééééééééééééééééééééééééééé' AS a,
       1 AS b,
       2 AS c,
       no_such_column AS d;$$,
$$SELECT 1;$$);
SELECT revision FROM mig_upgrade('head');
-- from u3, the same: u3's tables stay, u4's do not appear
SELECT mig_revision('u4', 'u3',
$$CREATE TABLE u_ok (id int PRIMARY KEY);
INSERT INTO u_ok VALUES (1);

INSERT INTO u_ok VALUES (2), (1);$$,
$$DROP TABLE u_ok;$$,
'fails at statement 3');
SELECT revision FROM mig_upgrade('u3');
SELECT revision FROM mig_upgrade('head');
SELECT * FROM mig_current();
SELECT to_regclass('orders') AS orders, to_regclass('u_ok') AS u_ok;
-- a failing downgrade names the direction and rolls back as well
SELECT mig_revision('u4', 'u3', $$CREATE TABLE u_ok (id int);$$,
$$SELECT 1 / (SELECT count(*) FROM u_ok);
DROP TABLE u_ok;$$,
'downgrade fails');
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('base');
SELECT pg_temp.sqlstate($$SELECT * FROM mig_downgrade('base')$$);
SELECT * FROM mig_current();
SELECT to_regclass('u_ok') AS u_ok, to_regclass('account') AS account;
-- the caller can catch the error and go on: nothing of the call remains
DO $$
BEGIN
	PERFORM * FROM mig_downgrade('base');
EXCEPTION WHEN division_by_zero THEN
	RAISE NOTICE 'caught: %', SQLERRM;
END
$$;
SELECT * FROM mig_current();
-- u4 is applied: its downgrade cannot be fixed by re-registering it
\set VERBOSITY terse
SELECT mig_revision('u4', 'u3', $$CREATE TABLE u_ok (id int);$$, $$DROP TABLE u_ok;$$);
\set VERBOSITY default
-- undo it by hand, stamp below it, then fix it
DROP TABLE u_ok;
SELECT * FROM mig_stamp('u3');
SELECT mig_revision('u4', 'u3', $$CREATE TABLE u_ok (id int);$$, $$DROP TABLE u_ok;$$);
SELECT revision FROM mig_downgrade('base');

--
-- search_path is pinned to schemamig.search_path while revision SQL runs.
--
CREATE SCHEMA other;
SELECT mig_revision('p1', 'u4',
$$CREATE TABLE sp_t AS SELECT current_setting('search_path') AS search_path;$$,
$$DROP TABLE sp_t;$$);
SET search_path = other, public;
SELECT revision FROM mig_upgrade('head');
SHOW search_path;
SELECT to_regclass('public.sp_t') AS in_public, to_regclass('other.sp_t') AS in_other;
SELECT search_path FROM public.sp_t;
SELECT revision FROM mig_downgrade('u4');
-- a revision that changes search_path (or any setting) itself does not
-- change the caller's
SELECT mig_revision('p1', 'u4',
$$SET search_path = other;
SET lock_timeout = '7s';
CREATE TABLE sp_t (id int);$$,
$$SET search_path = other;
DROP TABLE sp_t;$$);
SELECT revision FROM mig_upgrade('head');
SHOW search_path;
SHOW lock_timeout;
-- (put them back in any case, so that a failure here does not cascade)
SET search_path = other, public;
RESET lock_timeout;
SELECT to_regclass('public.sp_t') AS in_public, to_regclass('other.sp_t') AS in_other;
SELECT revision FROM mig_downgrade('u4');
SHOW search_path;
RESET search_path;
-- schemamig.search_path chooses where unqualified names go
SELECT mig_revision('p1', 'u4',
$$CREATE TABLE sp_t AS SELECT current_setting('search_path') AS search_path;$$,
$$DROP TABLE sp_t;$$);
SET schemamig.search_path = other;
SELECT revision FROM mig_upgrade('head');
SHOW search_path;
SELECT to_regclass('public.sp_t') AS in_public, to_regclass('other.sp_t') AS in_other;
SELECT search_path FROM other.sp_t;
SELECT revision FROM mig_downgrade('u4');
RESET schemamig.search_path;
SELECT to_regclass('other.sp_t') AS in_other;
SELECT mig_unregister('p1');

--
-- CREATE INDEX CONCURRENTLY registers, but cannot run in a migration.
--
SELECT mig_revision('c1', 'u4',
$$ALTER TABLE account ADD COLUMN note text;
CREATE INDEX CONCURRENTLY account_note_idx
    ON account (note);$$,
$$DROP INDEX account_note_idx;$$, 'concurrent index');
SELECT revision FROM mig_upgrade('head');
SELECT * FROM mig_current();
SELECT attname FROM pg_attribute WHERE attrelid = 'account'::regclass AND attname = 'note';
SELECT pg_temp.sqlstate($$SELECT * FROM mig_upgrade('head')$$);
-- so does DROP INDEX CONCURRENTLY in a downgrade, and VACUUM
SELECT mig_revision('c1', 'u4', $$CREATE INDEX account_note_idx ON account (email);$$,
                    $$DROP INDEX CONCURRENTLY account_note_idx;$$);
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('u4');
SELECT * FROM mig_current();
SELECT * FROM mig_stamp('u4');
SELECT mig_revision('c1', 'u4', $$VACUUM account;$$, $$SELECT 1$$);
SELECT revision FROM mig_upgrade('head');
DROP INDEX account_note_idx;
SELECT mig_unregister('c1');

--
-- A downgrade through a revision without downgrade SQL is refused before
-- anything runs.
--
SELECT mig_revision('n1', 'u4', $$CREATE TABLE u_marker (id int);$$, NULL, 'no downgrade');
SELECT mig_revision('n2', 'n1', $$ALTER TABLE u_marker ADD COLUMN v int;$$,
                    $$ALTER TABLE u_marker DROP COLUMN v;$$, 'has a downgrade');
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('base');
SELECT revision FROM mig_downgrade('u4');
-- n2's downgrade did not run
SELECT attname FROM pg_attribute WHERE attrelid = 'u_marker'::regclass AND attname = 'v';
SELECT * FROM mig_current();
-- down to n1 is possible
SELECT revision FROM mig_downgrade('n1');
SELECT * FROM mig_current();
-- an empty downgrade ('') is a written downgrade that does nothing
SELECT mig_revision('n2', 'n1', $$ALTER TABLE u_marker ADD COLUMN v int;$$, '', 'empty downgrade');
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('n1');
SELECT attname FROM pg_attribute WHERE attrelid = 'u_marker'::regclass AND attname = 'v';
-- undo n1 by hand and move the version table, as the hint says
DROP TABLE u_marker;
SELECT * FROM mig_stamp('u4');
SELECT mig_unregister('n2');
SELECT mig_unregister('n1');

--
-- The per-revision-commit procedures.
--
SELECT revision FROM mig_downgrade('base');
SELECT max(id) AS last_history_id FROM schemamig.history \gset
CALL mig_upgrade_proc('head');
SELECT * FROM mig_current();
SELECT count(*) AS orders FROM orders;
-- one history row per revision, each in its own transaction
SELECT count(*) AS steps, count(DISTINCT xid) AS transactions
  FROM schemamig.history WHERE id > :last_history_id;
CALL mig_downgrade_proc('base');
SELECT count(*) AS current_heads FROM mig_current();
SELECT to_regclass('account') AS account;
-- the default target is head
CALL mig_upgrade_proc();
SELECT * FROM mig_current();
CALL mig_downgrade_proc('u2');
SELECT * FROM mig_current();
CALL mig_upgrade_proc('u3');
SELECT * FROM mig_current();
CALL mig_downgrade_proc('base');
-- a failure keeps the revisions committed before it; the failing one is
-- rolled back
SELECT mig_revision('u4', 'u3', $$CREATE TABLE u_ok (id int);
SELECT 1/0;$$, $$DROP TABLE u_ok;$$);
CALL mig_upgrade_proc('head');
SELECT * FROM mig_current();
SELECT to_regclass('orders') AS orders, to_regclass('u_ok') AS u_ok;
SELECT mig_revision('u4', 'u3', $$CREATE TABLE u_ok (id int);$$, $$DROP TABLE u_ok;$$);
CALL mig_upgrade_proc('head');
SELECT * FROM mig_current();
-- a downgrade through a revision without downgrade is refused before any commit
SELECT mig_revision('n1', 'u4', $$CREATE TABLE u_marker (id int);$$, NULL);
SELECT mig_revision('n2', 'n1', $$SELECT 1$$, $$SELECT 1$$);
CALL mig_upgrade_proc('head');
CALL mig_downgrade_proc('base');
SELECT * FROM mig_current();
SELECT revision FROM mig_downgrade('n1');
DROP TABLE u_marker;
SELECT * FROM mig_stamp('u4');
SELECT mig_unregister('n2');
SELECT mig_unregister('n1');
-- inside a transaction block the procedures cannot commit: the block
-- decides, and a ROLLBACK undoes everything
CALL mig_downgrade_proc('base');
BEGIN;
CALL mig_upgrade_proc('head');
SELECT * FROM mig_current();
SELECT count(*) AS orders FROM orders;
ROLLBACK;
SELECT count(*) AS current_heads FROM mig_current();
SELECT to_regclass('account') AS account;
BEGIN;
CALL mig_upgrade_proc('head');
CALL mig_downgrade_proc('u2');
COMMIT;
SELECT * FROM mig_current();
CALL mig_downgrade_proc('base');
SELECT count(*) AS current_heads FROM mig_current();

-- clean up
SELECT mig_unregister(id) FROM schemamig.revision ORDER BY seq DESC;
DROP SCHEMA other;
