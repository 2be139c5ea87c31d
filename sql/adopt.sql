--
-- adopt: mig_adopt_drift() turns the out-of-band DDL recorded since the
-- snapshot of the current heads into a new revision recorded as applied:
-- upgrade = the logged statements (or the model diff), downgrade = the model
-- diff back to the snapshot, verified by a round trip that is rolled back.
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP EVENT TRIGGER IF EXISTS ad_watch;
DROP EXTENSION IF EXISTS citext;
DROP TABLE IF EXISTS ad_account, ad_audit, ad_from_do, ad_watched, ad_watched_audit, ad_log CASCADE;
DROP SCHEMA IF EXISTS ad_app, ad_other, ad_util CASCADE;
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['regress_adopt_nobody', 'regress_adopt_runner'] LOOP
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
CREATE ROLE regress_adopt_nobody NOLOGIN;
CREATE ROLE regress_adopt_runner NOLOGIN NOSUPERUSER;

-- helpers, in a schema that is not managed (their DDL is never adopted):
-- a revision's SQL without the times of its ddl_log comments, and the
-- drift and error findings of mig_check()
CREATE SCHEMA ad_util;
CREATE FUNCTION ad_util.sql(rev text, dir text) RETURNS text
LANGUAGE sql AS $$
	SELECT regexp_replace(CASE dir WHEN 'upgrade' THEN upgrade ELSE downgrade END,
						  ' at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC', ' at <time>', 'g')
	  FROM schemamig.revision WHERE id = rev
$$;
CREATE FUNCTION ad_util.findings() RETURNS TABLE(severity text, code text, object text)
LANGUAGE sql AS $$
	SELECT severity, code, object FROM mig_check()
	 WHERE code LIKE 'drift.%' OR severity = 'error' ORDER BY code, object
$$;
CREATE FUNCTION ad_util.state() RETURNS TABLE(revisions bigint, current text, history bigint, snapshots bigint)
LANGUAGE sql AS $$
	SELECT (SELECT count(*) FROM schemamig.revision),
		   (SELECT string_agg(revision, ',' ORDER BY revision) FROM schemamig.version),
		   (SELECT count(*) FROM schemamig.history),
		   (SELECT count(*) FROM schemamig.snapshot)
$$;
CREATE FUNCTION ad_util.columns(t regclass) RETURNS text
LANGUAGE sql AS $$
	SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
	  FROM pg_attribute WHERE attrelid = t AND attnum > 0 AND NOT attisdropped
$$;

-- the first revision; its upgrade takes the snapshot of heads {ad1}
SELECT mig_revision('ad1', NULL,
	'CREATE TABLE ad_account (id bigint PRIMARY KEY, email text, legacy text)',
	'DROP TABLE ad_account', 'accounts');
SELECT revision FROM mig_upgrade('head');

-- nothing changed yet: nothing to adopt (a NOTICE, NULL, nothing registered)
SELECT mig_adopt_drift() IS NULL AS nothing;
SELECT * FROM ad_util.state();

--
-- Changes made by hand: a table, a column, an index, a dropped column.
--
CREATE TABLE ad_audit (id bigint, at timestamptz DEFAULT now());
ALTER TABLE ad_account ADD COLUMN created timestamptz;
CREATE INDEX ad_account_email ON ad_account (email);
ALTER TABLE ad_account DROP COLUMN legacy;
SELECT * FROM ad_util.findings();

-- adopted: the upgrade is those statements, each as logged; the downgrade
-- is derived from the models (live -> snapshot)
SELECT mig_adopt_drift('ad2', 'hand changes in production');
SELECT ad_util.sql('ad2', 'upgrade');
SELECT ad_util.sql('ad2', 'downgrade');
SELECT id, parents, message FROM schemamig.revision WHERE id = 'ad2';
-- recorded as applied: version table, a stamp noted in the history, a
-- snapshot of the new heads; mig_check() is clean
SELECT * FROM mig_current();
SELECT revision, direction, heads_before, heads_after, target, note
  FROM schemamig.history ORDER BY id;
SELECT revision, is_applied, is_current, is_head FROM mig_history();
SELECT * FROM ad_util.findings();
SELECT * FROM ad_util.state();

-- the adopted revision round-trips: down reverts the hand changes, up
-- makes them again, and nothing drifts either way
SELECT revision FROM mig_downgrade('ad1');
SELECT ad_util.columns('ad_account'), to_regclass('ad_audit') AS audit,
	   to_regclass('ad_account_email') AS email_index;
SELECT * FROM ad_util.findings();
SELECT revision FROM mig_upgrade('head');
SELECT ad_util.columns('ad_account'), to_regclass('ad_audit') AS audit,
	   to_regclass('ad_account_email') AS email_index;
SELECT * FROM ad_util.findings();

-- arguments
SELECT mig_adopt_drift(source => 'guess');
SELECT mig_adopt_drift('bad id');
SELECT mig_adopt_drift('ad1');

--
-- Several managed schemas.  What is adopted: statements that touched a
-- managed schema, under the search_path they ran with (a SET where it
-- differs from the runner's pinned one), DDL run by a DO block (the
-- nested statement itself), GRANT.  What is not: a schema that is not
-- managed, REFRESH MATERIALIZED VIEW (data), roles, and DDL that ran inside
-- another adopted statement (here an event trigger's, which replaying that
-- statement runs again).
--
SET schemamig.managed_schemas = 'public, ad_app';
SELECT mig_revision('ad3', 'ad2', $$
	CREATE SCHEMA ad_app;
	CREATE TABLE ad_app.item (id int PRIMARY KEY);
	CREATE MATERIALIZED VIEW ad_app.item_count AS SELECT count(*) FROM ad_app.item;
$$, 'DROP SCHEMA ad_app CASCADE', 'app schema');
SELECT revision FROM mig_upgrade('head');
CREATE SCHEMA ad_other;
CREATE FUNCTION ad_other.watch() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT FROM pg_event_trigger_ddl_commands()
			   WHERE object_identity = 'public.ad_watched') THEN
		EXECUTE 'CREATE TABLE public.ad_watched_audit (id int)';
	END IF;
END
$$;
CREATE EVENT TRIGGER ad_watch ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
	EXECUTE FUNCTION ad_other.watch();

SET search_path = ad_app, public;
CREATE TABLE tag (id int);
ALTER TABLE item ADD COLUMN name text;
RESET search_path;
DO $$ BEGIN EXECUTE 'CREATE TABLE public.ad_from_do (id int)'; END $$;
CREATE TABLE ad_watched (id int);
CREATE TABLE ad_other.scratch (id int);
REFRESH MATERIALIZED VIEW ad_app.item_count;
GRANT SELECT ON ad_app.item TO regress_adopt_nobody;
-- the log: search_path resolved, schemas touched, nested
SELECT id, command_tag, search_path, schemas, nested
  FROM schemamig.ddl_log WHERE revision IS NULL
   AND id > (SELECT max(id) FROM schemamig.ddl_log WHERE revision = 'ad3') ORDER BY id;
SELECT * FROM ad_util.findings();

SELECT mig_adopt_drift('ad4', 'two schemas');
SELECT ad_util.sql('ad4', 'upgrade');
SELECT ad_util.sql('ad4', 'downgrade');
SELECT * FROM ad_util.findings();

-- round trip of the two-schema revision (the event trigger makes its table
-- again when the adopted CREATE TABLE ad_watched runs)
SELECT revision FROM mig_downgrade('ad3');
SELECT to_regclass('ad_app.tag') AS tag, to_regclass('ad_from_do') AS from_do,
	   to_regclass('ad_watched_audit') AS watched_audit,
	   has_table_privilege('regress_adopt_nobody', 'ad_app.item', 'SELECT') AS granted;
SELECT revision FROM mig_upgrade('head');
SELECT to_regclass('ad_app.tag') AS tag, to_regclass('ad_from_do') AS from_do,
	   to_regclass('ad_watched_audit') AS watched_audit,
	   has_table_privilege('regress_adopt_nobody', 'ad_app.item', 'SELECT') AS granted;
SELECT * FROM ad_util.findings();
DROP EVENT TRIGGER ad_watch;

--
-- CREATE INDEX CONCURRENTLY is adopted as it ran (such a revision is run by
-- hand elsewhere, as any revision with it); the verification builds the
-- same index without CONCURRENTLY, inside its rolled-back subtransaction.
--
CREATE INDEX CONCURRENTLY ad_item_name ON ad_app.item (name);
SELECT mig_adopt_drift('ad5', 'index built concurrently');
SELECT ad_util.sql('ad5', 'upgrade');
SELECT ad_util.sql('ad5', 'downgrade');
SELECT * FROM ad_util.findings();

--
-- The log cannot explain the drift: recording was off.  An error says so;
-- source => 'diff' adopts the model difference instead.
--
SET schemamig.ddl_log = off;
ALTER TABLE ad_account ADD COLUMN note text;
SELECT mig_adopt_drift('ad6');
RESET schemamig.ddl_log;
SELECT mig_adopt_drift('ad6');
-- only part of it was recorded: the per-schema check passes, and the round
-- trip finds what the logged statements do not make; this error comes
-- after the revision was registered and stamped, and leaves nothing of it
ALTER TABLE ad_account ADD COLUMN note2 text;
SELECT * FROM ad_util.state();
SELECT mig_adopt_drift('ad6');
SELECT * FROM ad_util.state();
SELECT count(*) AS ad6 FROM schemamig.revision WHERE id = 'ad6';
-- verify => false skips the round trip and trusts the log: here that would
-- record an upgrade without the unrecorded column (rolled back)
BEGIN;
SELECT mig_adopt_drift('ad6', verify => false);
SELECT ad_util.sql('ad6', 'upgrade');
ROLLBACK;
-- the model diff explains all of it
SELECT mig_adopt_drift('ad6', 'columns added while recording was off', source => 'diff');
SELECT ad_util.sql('ad6', 'upgrade');
SELECT ad_util.sql('ad6', 'downgrade');
SELECT * FROM ad_util.findings();

--
-- What the model diff cannot express is caught by the verification: a diff
-- never drops an extension, so the derived downgrade cannot restore the
-- snapshot.  Nothing is registered.
--
CREATE EXTENSION citext SCHEMA public;
SELECT mig_adopt_drift('ad_ext');
SELECT count(*) AS ad_ext FROM schemamig.revision WHERE id = 'ad_ext';
DROP EXTENSION citext;
SELECT * FROM ad_util.findings();

--
-- Several current heads: the adopted revision is their merge point.  A
-- revision registered but not applied: the adopted one branches off the
-- current heads next to it, and a NOTICE says the graph has two heads.
--
SELECT mig_revision('ad7a', 'ad6', 'CREATE TABLE ad_app.left_side (id int)', 'DROP TABLE ad_app.left_side');
SELECT mig_revision('ad7b', 'ad6', 'CREATE TABLE ad_app.right_side (id int)', 'DROP TABLE ad_app.right_side');
SELECT revision FROM mig_upgrade('heads') ORDER BY 1;
ALTER TABLE ad_app.left_side ADD COLUMN x int;
SELECT mig_adopt_drift('ad8', 'on two heads');
SELECT id, parents FROM schemamig.revision WHERE id = 'ad8';
SELECT * FROM mig_current();
SELECT * FROM mig_heads();
SELECT mig_revision('ad9', 'ad8', 'CREATE TABLE ad_app.pending (id int)', 'DROP TABLE ad_app.pending');
ALTER TABLE ad_app.right_side ADD COLUMN y int;
SELECT mig_adopt_drift('ad10', 'next to a pending revision');
SELECT * FROM mig_heads();
SELECT mig_merge('heads', 'merge', 'ad11');
SELECT revision FROM mig_upgrade('head');
SELECT * FROM ad_util.findings();

--
-- No snapshot for the current heads: an error with a hint.
--
SET schemamig.snapshots = off;
SELECT mig_revision('ad12', 'ad11', 'SELECT 1', 'SELECT 1');
SELECT revision FROM mig_upgrade('head');
RESET schemamig.snapshots;
ALTER TABLE ad_account ADD COLUMN late text;
SELECT mig_adopt_drift();
SELECT code, object FROM mig_check() WHERE code LIKE 'drift.%';

--
-- Privileges: a role without EXECUTE is refused; a migration role needs
-- SELECT on the DDL log for source 'log' (the log is not readable by
-- PUBLIC).  Neither changes anything.
--
SELECT * FROM ad_util.state();
SET ROLE regress_adopt_nobody;
SELECT mig_adopt_drift();
RESET ROLE;
SELECT mig_grant_runner('regress_adopt_runner');
SET ROLE regress_adopt_runner;
SELECT mig_adopt_drift();
RESET ROLE;
SELECT * FROM ad_util.state();

-- clean up
RESET schemamig.managed_schemas;
SET client_min_messages = warning;
DROP EXTENSION schemamig CASCADE;
DROP TABLE ad_account, ad_audit, ad_from_do, ad_watched, ad_watched_audit CASCADE;
DROP SCHEMA ad_app, ad_other, ad_util CASCADE;
DROP OWNED BY regress_adopt_runner;
DROP ROLE regress_adopt_nobody, regress_adopt_runner;
RESET client_min_messages;
