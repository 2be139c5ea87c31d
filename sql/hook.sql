-- hook: the DDL hook and schemamig.ddl_log (the test cluster preloads the
-- library): one row per committed DDL statement with its exact text, its
-- objects, its revision and whether it was nested in a function; rolled-back
-- and temporary DDL leave nothing; the out-of-band policy; who may change
-- the settings and the log; the extension dropped and created again; a
-- database without the extension is left alone.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS hook_t, hook_m1, hook_m2, hook_rev, hook_rev_fn, hook_fn_t,
	hook_user_t, hook_x1, hook_x2, hook_x3, hook_r1, hook_e1, hook_e2,
	hook_after CASCADE;
DROP SCHEMA IF EXISTS hook_free CASCADE;
DROP FUNCTION IF EXISTS hook_make_table(text);
DROP DATABASE IF EXISTS regress_hook_noext;
DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_hook_user') THEN
		DROP OWNED BY regress_hook_user;
		DROP ROLE regress_hook_user;
	END IF;
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_hook_secret') THEN
		DROP ROLE regress_hook_secret;
	END IF;
END
$$;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

-- the settings and their defaults
SELECT name, setting, unit, context FROM pg_settings
 WHERE name IN ('schemamig.ddl_log', 'schemamig.ddl_log_temp',
				'schemamig.ddl_log_retention', 'schemamig.out_of_band_ddl',
				'schemamig.managed_schemas', 'schemamig.lint')
 ORDER BY name;

-- CREATE EXTENSION schemamig itself is not logged
SELECT count(*) AS rows_after_create_extension FROM schemamig.ddl_log;

-- What the log says, without what changes from run to run.  (A temporary
-- view: creating it is DDL on a temporary object, which is not logged.)
CREATE TEMP VIEW log AS
SELECT command_tag, objects, dropped_objects, statement, revision, direction,
	   nested
  FROM schemamig.ddl_log ORDER BY id;
SELECT count(*) AS temp_view_logged FROM schemamig.ddl_log;

-- ------------------------------------------------------------------------
-- Every column of one row
-- ------------------------------------------------------------------------
BEGIN;
CREATE TABLE hook_t (id serial PRIMARY KEY, v text);
SELECT pg_current_xact_id() AS ddl_xid \gset
COMMIT;
SELECT started_at BETWEEN now() - interval '1 hour' AND clock_timestamp() AS started_at_ok,
	   duration_ms >= 0 AS duration_ok,
	   role, session_role,
	   application_name = current_setting('application_name') AS application_name_ok,
	   client_addr IS NOT DISTINCT FROM inet_client_addr() AS client_addr_ok,
	   backend_pid = pg_backend_pid() AS backend_pid_ok,
	   xid = :'ddl_xid'::xid8 AS xid_ok,
	   command_tag, objects, dropped_objects, statement, revision, direction,
	   nested
  FROM schemamig.ddl_log;
TRUNCATE schemamig.ddl_log;

-- ------------------------------------------------------------------------
-- One row per statement of a multi-statement query string, with exactly
-- that statement's text; statements that are not DDL are not logged
-- ------------------------------------------------------------------------
CREATE TABLE hook_m1 (a int) \; /* second */ ALTER TABLE hook_m1 ADD COLUMN b text \;   SELECT 1 AS not_ddl \;
	CREATE   INDEX hook_m1_a ON hook_m1 (a) \; DROP TABLE hook_m1;
SELECT * FROM log;
TRUNCATE schemamig.ddl_log;

-- ------------------------------------------------------------------------
-- Rolled-back DDL leaves no row
-- ------------------------------------------------------------------------
BEGIN;
CREATE TABLE hook_m2 (id int);
ROLLBACK;
BEGIN;
CREATE TABLE hook_m2 (id int);
SAVEPOINT s;
ALTER TABLE hook_m2 ADD COLUMN gone int;
ROLLBACK TO SAVEPOINT s;
COMMIT;
CREATE TABLE hook_m2 (id int);	-- fails: it exists
SELECT * FROM log;
TRUNCATE schemamig.ddl_log;

-- ------------------------------------------------------------------------
-- DDL of a revision is attributed to it; DDL nested in a function is
-- flagged, inside a revision and out of band
-- ------------------------------------------------------------------------
CREATE FUNCTION hook_make_table(name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('CREATE TABLE %I (id int)', name);
END
$$;
SELECT mig_revision('hook1', NULL,
	$$CREATE TABLE hook_rev (id int);
	  SELECT hook_make_table('hook_rev_fn')$$,
	'DROP TABLE hook_rev_fn; DROP TABLE hook_rev');
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('base');
SELECT hook_make_table('hook_fn_t');
DO $$ BEGIN DROP TABLE hook_fn_t; END $$;
SELECT * FROM log;
TRUNCATE schemamig.ddl_log;

-- ------------------------------------------------------------------------
-- Temporary objects are skipped, unless schemamig.ddl_log_temp is on
-- ------------------------------------------------------------------------
CREATE TEMP TABLE hook_tmp (id serial PRIMARY KEY);
CREATE INDEX ON hook_tmp (id);
DROP TABLE hook_tmp;
SELECT count(*) AS temp_rows FROM schemamig.ddl_log;
SET schemamig.ddl_log_temp = on;
CREATE TEMP TABLE hook_tmp (id int);
DROP TABLE hook_tmp;
RESET schemamig.ddl_log_temp;
SELECT * FROM log;
TRUNCATE schemamig.ddl_log;

-- schemamig.ddl_log = off records nothing
SET schemamig.ddl_log = off;
CREATE TABLE hook_x1 (id int);
DROP TABLE hook_x1;
RESET schemamig.ddl_log;
SELECT count(*) AS rows_with_ddl_log_off FROM schemamig.ddl_log;

-- passwords and connection strings are not kept
CREATE ROLE regress_hook_secret PASSWORD 'hunter2' VALID UNTIL 'infinity';
ALTER ROLE regress_hook_secret PASSWORD E'hunter\'3';
DROP ROLE regress_hook_secret;
SELECT command_tag, statement FROM log;
TRUNCATE schemamig.ddl_log;

-- ------------------------------------------------------------------------
-- The out-of-band policy
-- ------------------------------------------------------------------------
SHOW schemamig.out_of_band_ddl;
SET schemamig.out_of_band_ddl = warn;
CREATE TABLE hook_x1 (id int);
COMMENT ON TABLE hook_x1 IS 'warned after it ran';
SET schemamig.out_of_band_ddl = deny;
-- refused before running: the parse tree names a managed schema
CREATE TABLE hook_x2 (id int);
ALTER TABLE hook_x1 ADD COLUMN c int;
CREATE INDEX CONCURRENTLY hook_x1_id ON hook_x1 (id);
DROP TABLE public.hook_x1;
-- refused after running (rolled back): known from the objects it changed
CREATE FUNCTION hook_f() RETURNS int LANGUAGE sql AS 'SELECT 1';
COMMENT ON TABLE hook_x1 IS 'denied';
-- outside the managed schemas, on temporary objects, privileges and
-- REFRESH MATERIALIZED VIEW (recorded, never refused), and in a revision:
-- allowed
GRANT SELECT ON hook_x1 TO PUBLIC;
REVOKE SELECT ON hook_x1 FROM PUBLIC;
CREATE SCHEMA hook_free;
CREATE MATERIALIZED VIEW hook_free.mv AS SELECT 1 AS one;
SET schemamig.managed_schemas = 'public, hook_free';
REFRESH MATERIALIZED VIEW hook_free.mv;
RESET schemamig.managed_schemas;
CREATE TABLE hook_free.t (id int);
CREATE TEMP TABLE hook_tmp (id int);
DROP TABLE hook_tmp;
SELECT mig_revision('hook2', NULL, 'CREATE TABLE hook_x3 (id int)', 'DROP TABLE hook_x3');
SELECT revision FROM mig_upgrade('hook2');
-- DDL nested in a function is policed too
SELECT hook_make_table('hook_x2');
-- which schemas are managed is a setting too
SET schemamig.managed_schemas = 'hook_free';
CREATE TABLE hook_free.t2 (id int);
CREATE TABLE hook_x2 (id int);
DROP TABLE hook_x2;
SET schemamig.managed_schemas = '*';
DROP TABLE hook_free.t;
SET schemamig.managed_schemas = 'not a list,';
RESET schemamig.managed_schemas;
RESET schemamig.out_of_band_ddl;
SELECT command_tag, statement, revision FROM log;
TRUNCATE schemamig.ddl_log;

-- ------------------------------------------------------------------------
-- Privileges: only a superuser changes the settings; DDL by any role is
-- logged under its name; the log is append-only but for its owner
-- ------------------------------------------------------------------------
CREATE ROLE regress_hook_user NOLOGIN;
GRANT CREATE ON SCHEMA public TO regress_hook_user;
TRUNCATE schemamig.ddl_log;
SET ROLE regress_hook_user;
SET schemamig.out_of_band_ddl = allow;
SET schemamig.managed_schemas = 'nothing';
SET schemamig.ddl_log = off;
SET schemamig.ddl_log_temp = on;
SET schemamig.ddl_log_retention = '1min';
SET schemamig.lint = off;
CREATE TABLE hook_user_t (id int);
SELECT count(*) FROM schemamig.ddl_log;
DELETE FROM schemamig.ddl_log;
SELECT mig_ddl_log_prune('0');
RESET ROLE;
SELECT role, session_role, statement FROM schemamig.ddl_log;
-- with DELETE and UPDATE granted, the guard trigger still refuses
GRANT SELECT, DELETE, UPDATE ON schemamig.ddl_log TO regress_hook_user;
SET ROLE regress_hook_user;
DELETE FROM schemamig.ddl_log;
UPDATE schemamig.ddl_log SET role = 'nobody';
RESET ROLE;
-- a superuser may delete (retention) but not update
UPDATE schemamig.ddl_log SET role = 'nobody';
SELECT mig_ddl_log_prune();
SELECT mig_ddl_log_prune('-1 day');
SELECT mig_ddl_log_prune('1 day') AS pruned_recent;
SELECT mig_ddl_log_prune('0') AS pruned_all;
-- retention: the first DDL of a session prunes rows older than it
INSERT INTO schemamig.ddl_log (started_at, duration_ms, role, session_role,
							   backend_pid, command_tag, statement)
VALUES (now() - interval '3 days', 1, 'old', 'old', 0, 'CREATE TABLE', 'an old row');
\c
SET schemamig.progress = off;
SET schemamig.ddl_log_retention = '2d';
CREATE TABLE hook_r1 (id int);
SELECT command_tag, statement FROM schemamig.ddl_log ORDER BY id;
RESET schemamig.ddl_log_retention;
TRUNCATE schemamig.ddl_log;

-- ------------------------------------------------------------------------
-- DROP and CREATE EXTENSION work, in one transaction with other DDL too;
-- DDL without the extension is not logged (and does not fail)
-- ------------------------------------------------------------------------
BEGIN;
CREATE TABLE hook_e1 (id int);
DROP EXTENSION schemamig;
CREATE TABLE hook_e2 (id int);
CREATE EXTENSION schemamig;
CREATE TABLE hook_after (id int);
COMMIT;
SELECT command_tag, statement FROM schemamig.ddl_log ORDER BY id;

-- a database without the extension, where deny is set: left alone
CREATE DATABASE regress_hook_noext;
ALTER DATABASE regress_hook_noext SET schemamig.out_of_band_ddl = deny;
\set regress_db :DBNAME
\c regress_hook_noext
SHOW schemamig.out_of_band_ddl;
CREATE TABLE noext_t (id int);
CREATE INDEX ON noext_t (id);
DROP TABLE noext_t;
SELECT count(*) AS schemamig_schemas FROM pg_namespace WHERE nspname = 'schemamig';
\c :regress_db
DROP DATABASE regress_hook_noext;

-- clean up
SET client_min_messages = warning;
DROP TABLE hook_t, hook_x1, hook_x3, hook_r1, hook_e1, hook_e2, hook_after;
DROP SCHEMA hook_free CASCADE;
DROP FUNCTION hook_make_table(text);
DROP OWNED BY regress_hook_user;
DROP ROLE regress_hook_user;
DROP EXTENSION schemamig;
