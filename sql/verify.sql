--
-- mig_verify(): the round trip of every revision an upgrade would run
-- (upgrade, downgrade, schema and data compared, upgrade again), all rolled
-- back: the database is left exactly as it was.
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS vf_keep, vf_parent, vf_child, vf_a, vf_c;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;
CREATE TABLE vf_keep (id int);
INSERT INTO vf_keep VALUES (1), (2);
CREATE TABLE vf_parent (id int PRIMARY KEY);
CREATE TABLE vf_child (pid int REFERENCES vf_parent ON DELETE CASCADE);
INSERT INTO vf_parent VALUES (1);
INSERT INTO vf_child VALUES (1);

-- nothing pending: no rows
SELECT * FROM mig_verify();

-- a good revision; one whose downgrade forgets a column; one whose downgrade
-- drops too much; one that changes data it names (allowed); one whose
-- downgrade destroys rows of a table it does not name (through a cascade)
SELECT mig_revision('v1', NULL, 'CREATE TABLE vf_a (id int); INSERT INTO vf_a VALUES (1)', 'DROP TABLE vf_a');
SELECT mig_revision('v2', 'v1', 'ALTER TABLE vf_a ADD COLUMN b text', 'SELECT 1');
SELECT mig_revision('v3', 'v2', 'CREATE INDEX vf_ai ON vf_a (id)', 'DROP TABLE vf_a CASCADE');
SELECT mig_revision('v4', 'v3', 'UPDATE vf_keep SET id = id + 10', 'UPDATE vf_keep SET id = id - 10');
SELECT mig_revision('v5', 'v4', 'SELECT 1', 'DELETE FROM vf_parent');
SELECT mig_revision('v6', 'v5', 'CREATE TABLE vf_c (id int)', 'DROP TABLE vf_c');

SELECT revision, upgrade_ok, downgrade_ok, schema_restored, data_preserved,
       duration_ms >= 0 AS timed, first_difference
  FROM mig_verify();

-- the database is exactly as it was
SELECT count(*) AS current FROM mig_current();
SELECT count(*) AS history FROM schemamig.history;
SELECT count(*) AS tables FROM pg_class WHERE relname IN ('vf_a', 'vf_c');
SELECT * FROM vf_keep ORDER BY id;
SELECT count(*) AS child_rows FROM vf_child;

-- a range: up to a target, from the current heads
SELECT count(*) FROM mig_upgrade('v1');
SELECT revision, upgrade_ok, downgrade_ok, schema_restored, data_preserved FROM mig_verify('v2');
SELECT * FROM mig_current();

-- a failing upgrade stops the verification there
SELECT mig_revision('v7', 'v6', 'SELECT 1/0', 'SELECT 1');
SELECT revision, upgrade_ok, downgrade_ok, first_difference FROM mig_verify() WHERE revision IN ('v6', 'v7');
SELECT * FROM mig_current();

-- not for everybody: it runs revision SQL, even if it rolls it back
CREATE ROLE regress_mig_verifier;
SET ROLE regress_mig_verifier;
SELECT * FROM mig_verify();
RESET ROLE;
DROP ROLE regress_mig_verifier;

SET client_min_messages = warning;
DROP EXTENSION schemamig CASCADE;
DROP TABLE IF EXISTS vf_keep, vf_parent, vf_child, vf_a, vf_c;
