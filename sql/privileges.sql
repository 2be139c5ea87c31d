-- privileges: what an unprivileged role can and cannot do, the append-only
-- history (even for a superuser), and a migration role set up with
-- mig_grant_runner().
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS priv_base, priv_t;
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['regress_mig_nobody', 'regress_mig_runner'] LOOP
		IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('DROP OWNED BY %I', r);
			EXECUTE format('DROP ROLE %I', r);
		END IF;
	END LOOP;
END
$$;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

CREATE ROLE regress_mig_nobody NOLOGIN;
CREATE ROLE regress_mig_runner NOLOGIN NOSUPERUSER;
GRANT CREATE ON SCHEMA public TO regress_mig_runner;

-- a superuser registers and applies the first revision
SELECT mig_revision('p1', NULL, 'CREATE TABLE priv_base (id int)', 'DROP TABLE priv_base', 'base table');
SELECT revision FROM mig_upgrade('head');

--
-- An unprivileged role reads, and changes nothing.
--
SET ROLE regress_mig_nobody;
SELECT mig_revision('p2', 'p1', 'CREATE TABLE priv_t (id int)');
SELECT mig_merge('p1,p2', NULL, 'p3');
SELECT mig_unregister('p1');
SELECT * FROM mig_upgrade('head');
SELECT * FROM mig_downgrade('base');
SELECT * FROM mig_stamp('base');
CALL mig_upgrade_proc('head');
CALL mig_downgrade_proc('base');
SELECT mig_grant_runner('regress_mig_nobody');
INSERT INTO schemamig.revision (id, checksum) VALUES ('p9', 'x');
UPDATE schemamig.revision SET upgrade = 'DROP TABLE priv_base';
DELETE FROM schemamig.revision;
INSERT INTO schemamig.version (revision) VALUES ('p9');
UPDATE schemamig.version SET revision = 'p9';
DELETE FROM schemamig.version;
TRUNCATE schemamig.version;
INSERT INTO schemamig.history (revision, direction, started_at) VALUES ('p9', 'upgrade', now());
UPDATE schemamig.history SET outcome = 'failed';
DELETE FROM schemamig.history;
TRUNCATE schemamig.history;
SET schemamig.search_path = pg_temp;
-- reading is allowed
SELECT * FROM mig_current();
SELECT * FROM mig_heads();
SELECT revision, message, is_applied, is_current, is_head, applied_by FROM mig_history();
SELECT id, message FROM schemamig.revision;
SELECT revision FROM schemamig.version;
SELECT revision, direction, role FROM schemamig.history;
SELECT * FROM mig_sql('p1', 'base');
RESET ROLE;
SELECT * FROM mig_current();
SELECT count(*) AS revisions FROM schemamig.revision;

--
-- Nobody, not even a superuser, rewrites the history.
--
SELECT count(*) AS history_rows FROM schemamig.history;
UPDATE schemamig.history SET outcome = 'failed';
DELETE FROM schemamig.history;
DELETE FROM schemamig.history WHERE revision = 'p1';
TRUNCATE schemamig.history;
-- not even with triggers off for replication (each attempt is rolled back
-- in any case)
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE schemamig.history SET outcome = 'failed';
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM schemamig.history;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
TRUNCATE schemamig.history;
ROLLBACK;
SELECT count(*) AS history_rows, bool_and(outcome = 'ok') AS all_ok FROM schemamig.history;
-- the refusal has its own SQLSTATE (insufficient_privilege)
DO $$
BEGIN
	DELETE FROM schemamig.history;
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'caught: %', SQLERRM;
END
$$;

--
-- A migration role: NOSUPERUSER, may create in the schema it migrates.
--
SELECT mig_grant_runner('regress_mig_runner');
SET ROLE regress_mig_runner;
SELECT mig_revision('p2', 'p1',
$$CREATE TABLE priv_t (id int PRIMARY KEY);
INSERT INTO priv_t VALUES (1);$$,
$$DROP TABLE priv_t;$$, 'runner table');
SELECT mig_revision('p2', 'p1',
$$CREATE TABLE priv_t (id int PRIMARY KEY);
INSERT INTO priv_t VALUES (1);$$,
$$DROP TABLE priv_t;$$, 'runner''s table');
SELECT revision, message FROM mig_upgrade('head');
SELECT * FROM mig_current();
SELECT * FROM priv_t;
SELECT id, registered_by FROM schemamig.revision ORDER BY seq;
SELECT revision, direction, role, backend_pid = pg_backend_pid() AS my_pid
  FROM schemamig.history ORDER BY id;
SELECT tableowner FROM pg_tables WHERE tablename = 'priv_t';
SELECT revision, message FROM mig_downgrade('p1');
SELECT to_regclass('priv_t') AS priv_t;
SELECT * FROM mig_stamp('p2');
SELECT * FROM mig_stamp('p1');
CALL mig_upgrade_proc('head');
SELECT * FROM mig_current();
CALL mig_downgrade_proc('p1');
SELECT * FROM mig_current();
SELECT mig_merge('p1,p2', 'no-op merge', 'p3');
SELECT mig_unregister('p3');
-- the runner cannot rewrite the history either
UPDATE schemamig.history SET outcome = 'failed';
DELETE FROM schemamig.history;
TRUNCATE schemamig.history;
-- nor move the pinned search_path, nor grant itself more
SET schemamig.search_path = pg_temp;
SELECT mig_grant_runner('regress_mig_nobody');
-- it runs revision SQL with its own rights: p1's table is not its own
SELECT revision FROM mig_downgrade('base');
SELECT * FROM mig_current();
RESET ROLE;

-- clean up (roles are cluster-wide)
SELECT revision FROM mig_downgrade('base');
SELECT to_regclass('priv_base') AS priv_base, to_regclass('priv_t') AS priv_t;
DROP OWNED BY regress_mig_runner;
DROP ROLE regress_mig_runner;
DROP ROLE regress_mig_nobody;
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname LIKE 'regress_mig%';
