-- errors: NULL arguments, an empty graph, and the errors and corner cases
-- not covered by revision.sql and upgrade.sql.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS e_t;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

--
-- The empty graph.
--
SELECT count(*) AS heads FROM mig_heads();
SELECT count(*) AS current FROM mig_current();
SELECT count(*) AS revisions FROM mig_history();
SELECT count(*) AS upgraded FROM mig_upgrade('head');
SELECT count(*) AS upgraded FROM mig_upgrade('heads');
SELECT count(*) AS downgraded FROM mig_downgrade('base');
SELECT count(*) AS stamped FROM mig_stamp('base');
SELECT * FROM mig_sql('base', 'head');
SELECT count(*) AS history_rows FROM schemamig.history WHERE direction <> 'stamp';
SELECT * FROM mig_upgrade('abc123');
SELECT * FROM mig_downgrade('abc123');
SELECT * FROM mig_stamp('abc123');
SELECT mig_merge('heads');
SELECT mig_unregister('abc123');
CALL mig_upgrade_proc('head');
CALL mig_downgrade_proc('base');
SELECT count(*) AS current FROM mig_current();

--
-- NULL arguments.
--
SELECT * FROM mig_upgrade(NULL);
SELECT * FROM mig_downgrade(NULL);
SELECT * FROM mig_stamp(NULL);
CALL mig_upgrade_proc(NULL);
CALL mig_downgrade_proc(NULL);
SELECT * FROM mig_sql('base', NULL);
SELECT mig_merge(NULL);
SELECT mig_merge(NULL, 'message', 'm1');
-- mig_unregister is strict: NULL unregisters nothing
SELECT mig_unregister(NULL) IS NULL AS strict_null;
-- NULL upgrade SQL is the empty upgrade; NULL lists are empty lists
SELECT mig_revision('e1', NULL, NULL, NULL, NULL, NULL, NULL);
SELECT id, parents, branch_labels, depends_on, upgrade, downgrade IS NULL AS no_downgrade
  FROM schemamig.revision;
SELECT mig_revision('e1', NULL, '');
SELECT mig_revision('e1', '', '', NULL, NULL, '', ' , ');
SELECT count(*) AS revisions FROM schemamig.revision;
SELECT mig_unregister('e1');
-- empty or blank revision ids are invalid, as are ids with separators
SELECT mig_revision('');
SELECT mig_revision(' ');
SELECT mig_revision('a,b');
SELECT mig_revision('head');
SELECT mig_revision('base');
SELECT count(*) AS revisions FROM schemamig.revision;

--
-- Statements that cannot run in a migration: COPY to or from the client is
-- refused at registration; slipped into the catalog behind the extension's
-- back, it fails at run time and nothing changes.
--
CREATE TABLE e_t (id int);
SELECT mig_revision('e2', NULL, $$INSERT INTO e_t VALUES (1);
COPY e_t TO STDOUT;$$, '');
SELECT mig_revision('e2', NULL, 'INSERT INTO e_t VALUES (1)', '');
UPDATE schemamig.revision SET upgrade = E'INSERT INTO e_t VALUES (1);\nCOPY e_t TO STDOUT;' WHERE id = 'e2';
SELECT revision FROM mig_upgrade('head');
SELECT count(*) AS current FROM mig_current();
SELECT count(*) AS rows FROM e_t;
SELECT mig_unregister('e2');

--
-- Revision SQL changed behind the extension's back (a superuser editing the
-- catalog) is still checked when it runs.
--
SELECT mig_revision('e3', NULL, 'INSERT INTO e_t VALUES (1)', 'DELETE FROM e_t');
UPDATE schemamig.revision SET upgrade = E'INSERT INTO e_t VALUES (1);\nCOMMIT;' WHERE id = 'e3';
SELECT revision FROM mig_upgrade('head');
UPDATE schemamig.revision SET upgrade = E'INSERT INTO e_t VALUES (1);\nCREATE INDEX CONCURRENTLY e_t_idx ON e_t (id);' WHERE id = 'e3';
SELECT revision FROM mig_upgrade('head');
UPDATE schemamig.revision SET upgrade = 'INSERT INTO e_t VALUES (1) )' WHERE id = 'e3';
SELECT revision FROM mig_upgrade('head');
SELECT count(*) AS rows FROM e_t;
SELECT count(*) AS current FROM mig_current();
SELECT mig_unregister('e3');

--
-- The version table naming a revision that is not registered (edited by
-- hand): nothing moves until it is fixed.
--
SELECT mig_revision('e4', NULL, '', '');
INSERT INTO schemamig.version (revision) VALUES ('ghost');
SELECT * FROM mig_current();
SELECT revision, is_applied, is_current FROM mig_history();
SELECT * FROM mig_upgrade('head');
SELECT * FROM mig_downgrade('base');
SELECT * FROM mig_stamp('e4');
SELECT * FROM mig_sql(NULL, 'head');
DELETE FROM schemamig.version;
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('base');
SELECT mig_unregister('e4');

--
-- The GUCs.
--
SET schemamig.lock_wait_timeout = -1;
SET schemamig.lock_wait_timeout = '2s';
SHOW schemamig.lock_wait_timeout;
RESET schemamig.lock_wait_timeout;
SHOW schemamig.lock_wait_timeout;
SET schemamig.progress = maybe;
SET schemamig.no_such_setting = 1;
-- an unusable pinned search_path fails the revision, not the caller
SELECT mig_revision('e5', NULL, 'CREATE TABLE e_t2 (id int)', 'DROP TABLE e_t2');
SET schemamig.search_path = '';
SELECT revision FROM mig_upgrade('head');
SET schemamig.search_path = no_such_schema;
SELECT revision FROM mig_upgrade('head');
RESET schemamig.search_path;
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('base');
SELECT mig_unregister('e5');

--
-- The history's trigger function is only a trigger.
--
SELECT schemamig.history_append_only();

-- clean up
DROP TABLE e_t;
SELECT count(*) AS revisions FROM schemamig.revision;
