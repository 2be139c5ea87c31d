-- revision: registering revisions with mig_revision, mig_merge and
-- mig_unregister.  Generated ids, idempotent re-registration, the normalized
-- checksum, replacing an unapplied revision, refusing to change an applied
-- one, and every validation error of registration.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS rev_t, rev_u;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

-- err(sql): run sql, return "SQLSTATE: message" of its error (or "ok")
CREATE FUNCTION pg_temp.err(cmd text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE cmd;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

--
-- Generated ids: 12 lowercase hex digits, a new one per call.
--
SELECT mig_revision(NULL) ~ '^[0-9a-f]{12}$' AS generated_id_is_12_hex;
SELECT mig_revision(NULL, NULL, 'SELECT 1') <> mig_revision(NULL, NULL, 'SELECT 1')
       AS ids_differ;
SELECT count(*) AS registered,
       bool_and(id ~ '^[0-9a-f]{12}$') AS all_12_hex,
       bool_and(parents = '{}') AS all_bases
  FROM schemamig.revision;
SELECT mig_unregister(id) FROM schemamig.revision ORDER BY seq DESC;
SELECT count(*) AS left_over FROM schemamig.revision;

--
-- A revision as stored.
--
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$,
'create rev_t');
SELECT id, parents, branch_labels, depends_on, message, upgrade, downgrade,
       checksum ~ '^[0-9a-f]{64}$' AS checksum_is_sha256,
       registered_by = current_user AS registered_by_me,
       registered_at <= now() AS registered_at_ok
  FROM schemamig.revision;
SELECT checksum AS a1_sum, seq AS a1_seq FROM schemamig.revision WHERE id = 'a1' \gset

-- the same content again: a no-op that returns the id
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$,
'create rev_t');
SELECT count(*) AS revisions, bool_and(checksum = :'a1_sum') AS same_checksum,
       bool_and(seq = :a1_seq) AS same_seq
  FROM schemamig.revision;

-- whitespace, comments, the case of keywords and unquoted identifiers, and
-- quoting an already lower-case identifier are not content: same checksum,
-- and the stored text is left as it was
SELECT mig_revision('a1', NULL,
$$  -- the table
create   TABLE Rev_T (ID INT Primary Key,
                     NAME text);   /* and /* nested */ its index */
Create Index "rev_t_name" ON REV_T (Name);$$,
$$drop
  table "rev_t" -- gone
  ;$$,
'create rev_t');
SELECT checksum = :'a1_sum' AS same_checksum,
       upgrade LIKE 'CREATE TABLE rev_t (id int PRIMARY KEY, name text);%' AS text_kept
  FROM schemamig.revision WHERE id = 'a1';

-- nor are empty statements and a final semicolon
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text);;
CREATE INDEX rev_t_name ON rev_t (name)$$,
$$DROP TABLE rev_t$$,
'create rev_t');
SELECT checksum = :'a1_sum' AS same_checksum FROM schemamig.revision WHERE id = 'a1';

-- real changes change the checksum; a1 is not applied, so each replaces it
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id bigint PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$, 'create rev_t');
SELECT checksum <> :'a1_sum' AS changed, upgrade LIKE '%bigint%' AS replaced
  FROM schemamig.revision WHERE id = 'a1';
-- a quoted mixed-case identifier is another name
SELECT mig_revision('a1', NULL,
$$CREATE TABLE "Rev_T" (id int PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON "Rev_T" (name);$$,
$$DROP TABLE rev_t;$$, 'create rev_t');
SELECT checksum <> :'a1_sum' AS changed FROM schemamig.revision WHERE id = 'a1';
-- a string literal's case is content
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text DEFAULT 'X');
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$, 'create rev_t');
SELECT checksum AS lit_upper FROM schemamig.revision WHERE id = 'a1' \gset
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text DEFAULT 'x');
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$, 'create rev_t');
SELECT checksum <> :'lit_upper' AS changed FROM schemamig.revision WHERE id = 'a1';
-- the downgrade is content too: NULL (none written) is not ''
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON rev_t (name);$$,
NULL, 'create rev_t');
SELECT checksum AS no_down FROM schemamig.revision WHERE id = 'a1' \gset
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON rev_t (name);$$,
'', 'create rev_t');
SELECT checksum <> :'no_down' AS changed, checksum <> :'a1_sum' AS differs_from_original,
       downgrade = '' AS empty_downgrade
  FROM schemamig.revision WHERE id = 'a1';
-- back to the original content: the original checksum again
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$, 'create rev_t');
SELECT checksum = :'a1_sum' AS original_checksum, seq = :a1_seq AS same_seq,
       count(*) OVER () AS revisions
  FROM schemamig.revision WHERE id = 'a1';

-- a message-only change is not content: same checksum, new message
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$, 'create the rev_t table');
SELECT message, checksum = :'a1_sum' AS same_checksum FROM schemamig.revision WHERE id = 'a1';
-- and a NULL message clears it
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$);
SELECT message IS NULL AS no_message FROM schemamig.revision WHERE id = 'a1';

-- place in the graph is content: a child, then the same child with a label,
-- a dependency, and another parent
SELECT mig_revision('a2', 'a1', 'CREATE TABLE rev_u (id int)', 'DROP TABLE rev_u', 'create rev_u');
SELECT checksum AS a2_sum FROM schemamig.revision WHERE id = 'a2' \gset
SELECT mig_revision('a2', 'a1', 'CREATE TABLE rev_u (id int)', 'DROP TABLE rev_u', 'create rev_u', 'trunk');
SELECT branch_labels, checksum <> :'a2_sum' AS changed FROM schemamig.revision WHERE id = 'a2';
SELECT mig_revision('a2', 'a1', 'CREATE TABLE rev_u (id int)', 'DROP TABLE rev_u', 'create rev_u', NULL, 'a1');
SELECT branch_labels, depends_on, checksum <> :'a2_sum' AS changed FROM schemamig.revision WHERE id = 'a2';
SELECT mig_revision('a2', NULL, 'CREATE TABLE rev_u (id int)', 'DROP TABLE rev_u', 'create rev_u');
SELECT parents, depends_on, checksum <> :'a2_sum' AS changed FROM schemamig.revision WHERE id = 'a2';
-- lists are trimmed: ' a1 , ' is a1
SELECT mig_revision('a2', ' a1 , ', 'CREATE TABLE rev_u (id int)', 'DROP TABLE rev_u', 'create rev_u');
SELECT parents, checksum = :'a2_sum' AS original_checksum FROM schemamig.revision WHERE id = 'a2';

--
-- An applied revision's content cannot change; its message can.
--
SELECT revision FROM mig_upgrade('a1');
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text);
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$, 'create rev_t');
SELECT message FROM schemamig.revision WHERE id = 'a1';
\set VERBOSITY terse
SELECT mig_revision('a1', NULL,
$$CREATE TABLE rev_t (id int PRIMARY KEY, name text, extra int);
CREATE INDEX rev_t_name ON rev_t (name);$$,
$$DROP TABLE rev_t;$$, 'create rev_t');
\set VERBOSITY default
-- the detail names both checksums, the hint says what to do
DO $$
DECLARE
	st text; msg text; det text; hnt text;
BEGIN
	PERFORM mig_revision('a1', NULL,
		'CREATE TABLE rev_t (id int PRIMARY KEY, name text, extra int); CREATE INDEX rev_t_name ON rev_t (name);',
		'DROP TABLE rev_t;', 'create rev_t');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RAISE NOTICE 'sqlstate: %', st;
	RAISE NOTICE 'message: %', msg;
	RAISE NOTICE 'detail: %', regexp_replace(det, '[0-9a-f]{64}', '<sha256>', 'g');
	RAISE NOTICE 'hint: %', hnt;
END
$$;
-- a parent change on the applied revision is a content change too
SELECT pg_temp.err($$SELECT mig_revision('a1', 'a2', 'CREATE TABLE rev_t (id int PRIMARY KEY, name text); CREATE INDEX rev_t_name ON rev_t (name);', 'DROP TABLE rev_t;')$$);
-- nothing changed
SELECT checksum = :'a1_sum' AS original_checksum, parents, message
  FROM schemamig.revision WHERE id = 'a1';
-- a2 is not applied: it can still be replaced
SELECT mig_revision('a2', 'a1', 'CREATE TABLE rev_u (id bigint)', 'DROP TABLE rev_u', 'create rev_u');
SELECT upgrade FROM schemamig.revision WHERE id = 'a2';
SELECT revision FROM mig_downgrade('base');
SELECT to_regclass('rev_t') AS rev_t_after_downgrade;

--
-- Invalid revision ids and labels.
--
SELECT pg_temp.err(format('SELECT mig_revision(%L)', id)) AS result, id
  FROM (VALUES ('a@b'), ('a-b'), ('a+b'), ('a:b'), ('-1'), ('head@x')) AS v(id);
SELECT mig_revision('x@y');
SELECT mig_revision('');
SELECT mig_revision('head');
-- branch labels follow their own rules: no "@", commas, whitespace or
-- reserved words, but "-" is fine (as in Alembic)
SELECT mig_revision('b1', NULL, '', NULL, NULL, 'bad@label');
SELECT mig_revision('b1', NULL, '', NULL, NULL, 'heads');
SELECT count(*) AS registered FROM schemamig.revision;

--
-- Parents.
--
SELECT mig_revision('b1', 'nope');
SELECT mig_revision('b1', 'a1,nope');
SELECT mig_revision('b1', 'b1');
SELECT mig_revision('b1', 'a1,a1');
SELECT mig_revision('b1', 'a1, a2 ,a1');

--
-- Branch labels.
--
SELECT mig_revision('b1', 'a2', '', NULL, NULL, 'feature');
-- "-" is allowed in a label (tried in a transaction rolled back, so that
-- nothing below depends on it)
BEGIN;
SELECT mig_revision('b3', 'a2', '', NULL, NULL, 'my-feature, other');
SELECT branch_labels FROM schemamig.revision WHERE id = 'b3';
ROLLBACK;
SELECT mig_revision('b2', 'a2', '', NULL, NULL, 'feature');
SELECT mig_revision('b2', 'a2', '', NULL, NULL, 'other, feature');
SELECT mig_revision('b2', 'a2', '', NULL, NULL, 'x,x');
-- a label cannot be a revision id, nor a revision id a label
SELECT mig_revision('b2', 'a2', '', NULL, NULL, 'a1');
SELECT mig_revision('feature', 'a2');
-- not even the revision's own id (Alembic: "Branch name ... already used");
-- rolled back in any case: such a revision would make the graph invalid
BEGIN;
SELECT mig_revision('b2', 'a2', '', NULL, NULL, 'b2');
ROLLBACK;
SELECT id, branch_labels FROM schemamig.revision WHERE branch_labels <> '{}' ORDER BY seq;
-- re-registering b1 with its own label is fine
SELECT mig_revision('b1', 'a2', '', NULL, NULL, 'feature');

--
-- depends_on.
--
SELECT mig_revision('c1', 'a2', '', NULL, NULL, NULL, 'zz');
SELECT mig_revision('c1', 'a2', '', NULL, NULL, 'clabel', 'clabel');
SELECT mig_revision('c1', 'a2', '', NULL, NULL, NULL, 'c1');
SELECT mig_revision('c1', 'a2', '', NULL, NULL, NULL, 'a1,a1');
-- a revision id or a branch label is fine
SELECT mig_revision('c1', 'a2', '', NULL, NULL, NULL, 'feature, a1');
SELECT id, parents, depends_on FROM schemamig.revision WHERE id = 'c1';

--
-- Replacing an unapplied revision is validated like a new one.
--
SELECT pg_temp.err($$SELECT mig_revision('c1', 'nope')$$) AS unknown_parent;
SELECT pg_temp.err($$SELECT mig_revision('c1', 'c1')$$) AS self_parent;
SELECT pg_temp.err($$SELECT mig_revision('c1', 'a2', '', NULL, NULL, 'bad@label')$$) AS invalid_label;
SELECT pg_temp.err($$SELECT mig_revision('c1', 'a2', '', NULL, NULL, 'a1')$$) AS label_is_id;
SELECT pg_temp.err($$SELECT mig_revision('c1', 'a2', '', NULL, NULL, 'feature')$$) AS label_taken;
SELECT pg_temp.err($$SELECT mig_revision('c1', 'a2', '', NULL, NULL, 'c1')$$) AS own_id_label;
SELECT pg_temp.err($$SELECT mig_revision('c1', 'a2', '', NULL, NULL, NULL, 'zz')$$) AS unknown_dep;
SELECT pg_temp.err($$SELECT mig_revision('c1', 'a2', '', NULL, NULL, NULL, 'c1')$$) AS self_dep;
SELECT pg_temp.err($$SELECT mig_revision('c1', 'a2', '', NULL, NULL, 'cl', 'cl')$$) AS own_label_dep;
-- a replacement that would close a cycle (a1 below its own descendant)
SELECT mig_revision('a1', 'c1', 'CREATE TABLE rev_t (id int PRIMARY KEY, name text); CREATE INDEX rev_t_name ON rev_t (name);', 'DROP TABLE rev_t;');
SELECT id, parents, branch_labels, depends_on FROM schemamig.revision ORDER BY seq;

--
-- Transaction control is refused at registration, with the statement
-- number and its line.
--
SELECT mig_revision('t1', NULL,
$$CREATE TABLE tc (id int);
INSERT INTO tc VALUES (1);
COMMIT;$$);
SELECT mig_revision('t1', NULL,
$$-- a comment line

/* a block
   comment */ BEGIN;
CREATE TABLE tc (id int);$$);
SELECT mig_revision('t1', NULL, 'CREATE TABLE tc (id int)',
$$DROP TABLE tc;
SAVEPOINT before_drop;$$);
SELECT mig_revision('t1', NULL, 'CREATE TABLE tc (id int); ROLLBACK');
SELECT pg_temp.err(format('SELECT mig_revision(%L, NULL, %L)', 't1', 'SELECT 1; ' || s)) AS result
  FROM (VALUES ('START TRANSACTION'), ('END'), ('ABORT'), ('RELEASE SAVEPOINT s'),
               ('ROLLBACK TO SAVEPOINT s'), ('PREPARE TRANSACTION ''x'''),
               ('COMMIT PREPARED ''x'''), ('ROLLBACK PREPARED ''x''')) AS v(s);
-- statements that only look like transaction control are fine
SELECT mig_revision('t1', NULL, $$CREATE TABLE tc (note text DEFAULT 'COMMIT;'); -- ROLLBACK;
COMMENT ON TABLE tc IS 'BEGIN; SAVEPOINT x';$$, 'DROP TABLE tc');
SELECT mig_unregister('t1');

--
-- Syntax errors are refused at registration and name the revision.
--
SELECT mig_revision('s1', NULL, $$CREATE TABLE ok (id int);
CREATE TABLE bad (id int,);$$);
SELECT mig_revision('s1', NULL, 'CREATE TABLE ok (id int)', 'DROP TABLE ok; DROP TABEL bad');
SELECT mig_revision('s1', NULL, 'SELECT ''unterminated');
SELECT count(*) AS registered, bool_or(id IN ('t1', 's1')) AS refused_ones_stored
  FROM schemamig.revision;

--
-- mig_merge.
--
SELECT mig_revision('m1', NULL, '', '', 'merge base');
SELECT mig_revision('m2a', 'm1', '', '', 'left');
SELECT mig_revision('m2b', 'm1', '', '', 'right');
SELECT mig_merge('m2a,m2b', 'merge left and right', 'm3');
SELECT id, parents, upgrade, downgrade, message FROM schemamig.revision WHERE id = 'm3';
-- idempotent like mig_revision
SELECT mig_merge('m2a, m2b', 'merge left and right', 'm3');
SELECT count(*) AS m3_rows FROM schemamig.revision WHERE id = 'm3';
-- fewer than two revisions
SELECT mig_merge('m3');
SELECT mig_merge('m3,,');
SELECT mig_merge('m3,m3');
SELECT mig_merge('m3,nope', NULL, 'm4');
-- 'heads': every head of the graph, with a generated id
SELECT array_agg(h ORDER BY h) AS heads_before FROM mig_heads() AS h;
SELECT mig_merge('heads', 'merge everything') ~ '^[0-9a-f]{12}$' AS generated_id;
SELECT array(SELECT unnest(parents) ORDER BY 1) AS parents, message, upgrade, downgrade
  FROM schemamig.revision ORDER BY seq DESC LIMIT 1;
SELECT count(*) AS heads_after FROM mig_heads();
-- now a single head: nothing to merge
SELECT mig_merge('heads');

--
-- mig_unregister.
--
SELECT mig_unregister('nope');
SELECT mig_unregister('m1');
SELECT mig_unregister('a1');
SELECT mig_unregister('feature');
-- b1 declares the label "feature" that c1 depends on
SELECT mig_unregister(id) FROM schemamig.revision ORDER BY seq DESC LIMIT 1;
SELECT mig_unregister('b1');
SELECT mig_unregister('c1');
SELECT mig_unregister('b1');
SELECT id FROM schemamig.revision ORDER BY seq;
-- the label is free again
SELECT mig_revision('b9', 'a2', '', NULL, NULL, 'feature');
-- an applied revision cannot be unregistered; one above the current heads can
SELECT revision FROM mig_upgrade('a2');
SELECT mig_unregister('a2');
SELECT mig_unregister('b9');
SELECT mig_unregister('a2');
SELECT mig_unregister('a1');
SELECT revision FROM mig_downgrade('base');
SELECT mig_unregister('a2');
SELECT id FROM schemamig.revision ORDER BY seq;
SELECT to_regclass('rev_t') AS rev_t, to_regclass('rev_u') AS rev_u;
