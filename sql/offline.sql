-- offline: mig_sql(from, to), Alembic's --sql mode.  The script holds each
-- revision's statements and the version-table statements; producing it
-- changes nothing; running it (here statement by statement with psql's
-- \gexec) moves the database as mig_upgrade/mig_downgrade would.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS o_item, o_tag, o_b, o_c;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

SELECT mig_revision('o1', NULL,
$$CREATE TABLE o_item (
    id   int PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO o_item VALUES (1, 'it''s');$$,
$$DROP TABLE o_item;$$,
'create item');
SELECT mig_revision('o2', 'o1',
$$ALTER TABLE o_item ADD COLUMN price numeric(10,2);
CREATE INDEX o_item_name_idx ON o_item (name);$$,
$$DROP INDEX o_item_name_idx;
ALTER TABLE o_item DROP COLUMN price;$$);
SELECT mig_revision('o3', 'o2',
$$CREATE TABLE o_tag (item_id int REFERENCES o_item, tag text);$$,
$$DROP TABLE o_tag;$$,
'create tag');

-- the state before
SELECT count(*) AS history_rows FROM schemamig.history \gset

--
-- Upgrade from base to head.
--
SELECT * FROM mig_sql('base', 'head');
-- NULL from: from the current heads (none yet)
SELECT (SELECT array_agg(l) FROM mig_sql(NULL, 'head') AS l)
     = (SELECT array_agg(l) FROM mig_sql('base', 'head') AS l) AS same_script;
-- a middle range
SELECT * FROM mig_sql('o1', 'o2');
SELECT * FROM mig_sql('o1', 'heads');
-- from equal to to: an empty script
SELECT * FROM mig_sql('o3', 'o3');

--
-- Downgrade from head to base, and a middle range.
--
SELECT * FROM mig_sql('head', 'base');
SELECT * FROM mig_sql('o3', 'o1');
SELECT * FROM mig_sql('o2', '-1');

-- nothing moved
SELECT count(*) AS current_heads FROM mig_current();
SELECT count(*) = :history_rows AS history_unchanged FROM schemamig.history;
SELECT to_regclass('o_item') AS o_item;

-- from the current heads: at o1, the script starts at o1
SELECT revision FROM mig_upgrade('o1');
SELECT * FROM mig_sql(NULL, 'head');
SELECT * FROM mig_sql(NULL, 'base');
SELECT count(*) AS history_rows FROM schemamig.history \gset
SELECT * FROM mig_current();
SELECT count(*) = :history_rows AS history_unchanged FROM schemamig.history;
SELECT to_regclass('o_tag') AS o_tag;
SELECT revision FROM mig_downgrade('base');

--
-- The script runs, up and then down.
--
\set ECHO none
SELECT * FROM mig_sql('base', 'head') \gexec
\set ECHO all
SELECT * FROM mig_current();
SELECT * FROM o_item;
SELECT to_regclass('o_tag') AS o_tag, to_regclass('o_item_name_idx') AS o_item_name_idx;
\set ECHO none
SELECT * FROM mig_sql('head', 'base') \gexec
\set ECHO all
SELECT count(*) AS current_heads FROM mig_current();
SELECT to_regclass('o_item') AS o_item;

--
-- A revision whose SQL ends in a comment without a final semicolon, and a
-- branch merged back: the script still runs, and ends at the same heads.
--
SELECT mig_revision('o4', 'o3', $$ALTER TABLE o_tag ADD COLUMN note text -- why$$,
                    $$ALTER TABLE o_tag DROP COLUMN note /* no semicolon */$$);
SELECT mig_revision('o5b', 'o4', $$CREATE TABLE o_b (id int)$$, $$DROP TABLE o_b$$);
SELECT mig_revision('o5c', 'o4', $$CREATE TABLE o_c (id int)$$, $$DROP TABLE o_c$$);
SELECT mig_merge('o5b,o5c', 'merge b and c', 'o6');
-- no statement line ends inside a comment
SELECT count(*) AS statements_ending_in_a_comment
  FROM mig_sql('base', 'head') AS l
 WHERE l ~ '--[^\n]*;$';
-- every version-table statement is there
SELECT count(*) FILTER (WHERE l LIKE 'INSERT INTO schemamig.version%') AS inserts,
       count(*) FILTER (WHERE l LIKE 'UPDATE schemamig.version%') AS updates,
       count(*) FILTER (WHERE l LIKE 'DELETE FROM schemamig.version%') AS deletes,
       count(*) FILTER (WHERE l LIKE '-- Running upgrade %') AS revisions
  FROM mig_sql('base', 'head') AS l;
SELECT count(*) FILTER (WHERE l LIKE 'INSERT INTO schemamig.version%') AS inserts,
       count(*) FILTER (WHERE l LIKE 'UPDATE schemamig.version%') AS updates,
       count(*) FILTER (WHERE l LIKE 'DELETE FROM schemamig.version%') AS deletes,
       count(*) FILTER (WHERE l LIKE '-- Running downgrade %') AS revisions
  FROM mig_sql('head', 'base') AS l;
\set ECHO none
SELECT * FROM mig_sql('base', 'head') \gexec
\set ECHO all
SELECT * FROM mig_current();
SELECT attname FROM pg_attribute WHERE attrelid = 'o_tag'::regclass AND attname = 'note';
SELECT to_regclass('o_b') AS o_b, to_regclass('o_c') AS o_c;
\set ECHO none
SELECT * FROM mig_sql('head', 'base') \gexec
\set ECHO all
SELECT count(*) AS current_heads FROM mig_current();
SELECT to_regclass('o_item') AS o_item, to_regclass('o_b') AS o_b;

--
-- Errors.
--
SELECT mig_revision('o7', 'o6', 'SELECT 1', NULL, 'no downgrade');
SELECT * FROM mig_sql('head', 'base');
SELECT * FROM mig_sql('head', NULL);
SELECT * FROM mig_sql('nope', 'head');
SELECT * FROM mig_sql('base', 'nope');

-- clean up
SELECT mig_unregister(id) FROM schemamig.revision ORDER BY seq DESC;
SELECT count(*) AS history_rows FROM schemamig.history;
