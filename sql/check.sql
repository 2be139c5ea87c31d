--
-- mig_check(): one case that triggers each finding code and one that does
-- not.  Corruption is simulated the way it happens in real life: a
-- superuser editing the catalog tables by hand.
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS ck_a, ck_b, ck_c;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

-- env.weak_policy: the defaults let out-of-band DDL pass and lint nothing
SELECT severity, code, object FROM mig_check();
SET schemamig.out_of_band_ddl = warn;
SET schemamig.lint = warn;
SELECT count(*) AS weak FROM mig_check() WHERE code = 'env.weak_policy';
RESET schemamig.out_of_band_ddl;
RESET schemamig.lint;
-- env.recording_off
SET schemamig.ddl_log = off;
SELECT severity, code, object FROM mig_check();
RESET schemamig.ddl_log;

-- the rest of this file looks at everything but the policy advice
CREATE TEMP VIEW ck AS SELECT * FROM mig_check() WHERE code <> 'env.weak_policy';

-- an empty database is clean (the regression cluster preloads the library)
SELECT * FROM ck;

-- a linear history, fully applied: clean
SELECT mig_revision('c1', NULL, 'CREATE TABLE ck_a (id int)', 'DROP TABLE ck_a', 'a');
SELECT mig_revision('c2', 'c1', 'CREATE TABLE ck_b (id int)', 'DROP TABLE ck_b', 'b');
SELECT count(*) FROM mig_upgrade('head');
SELECT * FROM ck;

-- state.pending: registered, not applied, listed in order
SELECT mig_revision('c3', 'c2', 'CREATE TABLE ck_c (id int)', 'DROP TABLE ck_c', 'c');
SELECT mig_revision('c4', 'c3', 'SELECT 1', 'SELECT 1', 'd');
SELECT * FROM ck;
SELECT count(*) FROM mig_upgrade('head');
SELECT count(*) AS findings FROM ck;

-- graph.no_downgrade (warning), pending too
SELECT mig_revision('c5', 'c4', 'SELECT 1', NULL, 'no way back');
SELECT * FROM ck;
SELECT count(*) FROM mig_upgrade('head');

-- graph.multiple_heads: a warning, an error under the GUC
SELECT mig_revision('b1', 'c5', 'SELECT 1', 'SELECT 1', 'branch one');
SELECT mig_revision('b2', 'c5', 'SELECT 1', 'SELECT 1', 'branch two');
SELECT count(*) FROM mig_upgrade('heads');
SELECT severity, code, object FROM ck;
SET schemamig.check_multiple_heads = error;
SELECT severity, code, object FROM ck;
RESET schemamig.check_multiple_heads;
SELECT mig_merge('b1,b2', 'merge', 'm1');
SELECT count(*) FROM mig_upgrade('head');
SELECT severity, code, object FROM ck;

-- integrity.checksum_mismatch: an applied revision edited by hand is an
-- error; an unapplied one a warning
UPDATE schemamig.revision SET upgrade = 'CREATE TABLE ck_a (id bigint)' WHERE id = 'c1';
SELECT * FROM ck;
UPDATE schemamig.revision SET upgrade = 'CREATE TABLE ck_a (id int)' WHERE id = 'c1';
-- formatting only: same checksum, clean
UPDATE schemamig.revision SET upgrade = E'create table  CK_A (\n  id int -- key\n)' WHERE id = 'c1';
SELECT count(*) AS findings FROM ck;
SELECT mig_revision('p1', 'm1', 'SELECT 1', 'SELECT 1', 'pending');
UPDATE schemamig.revision SET downgrade = 'SELECT 2' WHERE id = 'p1';
SELECT severity, code, object FROM ck;
SELECT mig_unregister('p1');

-- integrity.unknown_version: the version table names an unregistered id
INSERT INTO schemamig.version (revision) VALUES ('ghost');
SELECT severity, code, object, message FROM ck;
DELETE FROM schemamig.version WHERE revision = 'ghost';

-- integrity.overlapping_heads: an ancestor next to its descendant
INSERT INTO schemamig.version (revision) VALUES ('c2');
SELECT severity, code, object, message FROM ck;
DELETE FROM schemamig.version WHERE revision = 'c2';

-- integrity.history_mismatch: the version table moved without history
UPDATE schemamig.version SET revision = 'b1' WHERE revision = 'm1';
SELECT severity, code, object, message FROM ck;
UPDATE schemamig.version SET revision = 'm1' WHERE revision = 'b1';
SELECT count(*) AS findings FROM ck;

-- graph.missing_parent / graph.missing_dependency / graph.duplicate_label /
-- graph.cycle: the graph cannot be built; each cause on its own row
BEGIN;
UPDATE schemamig.revision SET parents = '{nope}' WHERE id = 'c3';
SELECT severity, code, object, message FROM ck;
ROLLBACK;
BEGIN;
UPDATE schemamig.revision SET depends_on = '{nolabel}' WHERE id = 'c3';
SELECT severity, code, object, message FROM ck;
ROLLBACK;
BEGIN;
UPDATE schemamig.revision SET branch_labels = '{dup}' WHERE id IN ('b1', 'b2');
SELECT severity, code, object, message FROM ck;
UPDATE schemamig.revision SET branch_labels = '{c1}' WHERE id = 'b1';
UPDATE schemamig.revision SET branch_labels = '{}' WHERE id = 'b2';
SELECT severity, code, object, message FROM ck;
ROLLBACK;
BEGIN;
UPDATE schemamig.revision SET parents = '{c3}' WHERE id = 'c1';
SELECT severity, code, object FROM ck;
SELECT message ~ 'cycle' AS names_cycle FROM ck WHERE code = 'graph.cycle';
ROLLBACK;
SELECT count(*) AS findings FROM ck;

-- drift: the live schema against the snapshot of the current heads, each
-- object with the DDL-log rows that explain it
CREATE TABLE ck_extra (id int);
ALTER TABLE ck_b ADD COLUMN note text;
ALTER TABLE ck_c ALTER COLUMN id TYPE bigint;
SELECT severity, code, object, regexp_replace(message, 'at [0-9-]+ [0-9:]+ UTC', 'at <time>', 'g') AS message
  FROM ck WHERE code LIKE 'drift.%';
-- the text summary ends with what to do about drift
SELECT substring(mig_check_report() from 'Drift: [^\n]*') AS advice;
DROP TABLE ck_extra;
ALTER TABLE ck_b DROP COLUMN note;
ALTER TABLE ck_c ALTER COLUMN id TYPE int;
SELECT count(*) AS drift FROM ck WHERE code LIKE 'drift.%';
-- a dropped table, and a change made with the DDL log off is unexplained
SET schemamig.ddl_log = off;
DROP TABLE ck_a;
SELECT severity, code, object, message FROM ck WHERE code LIKE 'drift.%' OR code LIKE 'env.%';
RESET schemamig.ddl_log;
CREATE TABLE ck_a (id int);
SELECT count(*) AS drift FROM ck WHERE code LIKE 'drift.%';
-- a stamp takes a new snapshot: the change is adopted
CREATE TABLE ck_adopted (id int);
SELECT count(*) AS drift FROM ck WHERE code LIKE 'drift.%';
SELECT * FROM mig_stamp('m1');
SELECT count(*) AS drift FROM ck WHERE code LIKE 'drift.%';
DROP TABLE ck_adopted;
SELECT * FROM mig_stamp('m1');
RESET schemamig.out_of_band_ddl;

-- mig_check_report(): the same as readable text
SELECT mig_check_report();
INSERT INTO schemamig.version (revision) VALUES ('ghost');
SELECT mig_check_report();
DELETE FROM schemamig.version WHERE revision = 'ghost';

-- mig_check() never changes anything and anybody may run it
CREATE ROLE regress_mig_checker;
SET ROLE regress_mig_checker;
SELECT count(*) AS findings FROM mig_check() WHERE code <> 'env.weak_policy';
RESET ROLE;
DROP ROLE regress_mig_checker;

SELECT count(*) FROM mig_downgrade('c5');
SELECT severity, code, object FROM ck;
SET client_min_messages = warning;
DROP EXTENSION schemamig CASCADE;
DROP TABLE IF EXISTS ck_a, ck_b, ck_c;
