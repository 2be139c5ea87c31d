--
-- schemamig.lint applies to revisions the runner executes: deny refuses a
-- revision with an error-level finding before any of it runs, warn runs it
-- with a WARNING, off says nothing; suppression comments in the revision
-- work as in mig_lint().
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS le_big;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;
SET schemamig.lint_large_table_size = '8kB';
CREATE TABLE le_big AS SELECT g AS id FROM generate_series(1, 5000) g;
SELECT mig_revision('le1', NULL, 'CREATE INDEX le_big_id ON le_big (id)', 'DROP INDEX le_big_id');

SHOW schemamig.lint;
SET schemamig.lint = deny;
SELECT revision FROM mig_upgrade('head');
SELECT count(*) AS applied FROM mig_current();
SELECT count(*) AS index_exists FROM pg_class WHERE relname = 'le_big_id';

SET schemamig.lint = warn;
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('base');

-- a suppression comment in the revision accepts the risk under deny
SELECT mig_revision('le1', NULL, $$-- schemamig:ignore require-concurrent-index-creation
CREATE INDEX le_big_id ON le_big (id)$$, 'DROP INDEX le_big_id');
SET schemamig.lint = deny;
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('base');

-- off: nothing
SET schemamig.lint = off;
SELECT mig_revision('le1', NULL, 'CREATE INDEX le_big_id ON le_big (id)', 'DROP INDEX le_big_id');
SELECT revision FROM mig_upgrade('head');
SELECT revision FROM mig_downgrade('base');

SET client_min_messages = warning;
DROP EXTENSION schemamig CASCADE;
DROP TABLE le_big;
