-- lint_misc: the remaining rules (transaction control, statements that cannot
-- run in a transaction, domains, enum values, long identifiers, wide
-- indexes), suppression comments, the rule catalogue, and mig_lint itself:
-- parse only, never execute, callable by everybody.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP SCHEMA IF EXISTS lm CASCADE;
DROP ROLE IF EXISTS lint_nobody;
RESET client_min_messages;
CREATE EXTENSION schemamig;
CREATE SCHEMA lm;
SET search_path = lm, public;
SET schemamig.lint_large_table_size = 0;
-- a statement timeout in force, so that missing-statement-timeout (tested in
-- lint_locks) stays out of the other rules' findings
SET schemamig.statement_timeout = '1min';

CREATE FUNCTION pg_temp.lint(sql text)
RETURNS TABLE(rule text, severity text, stmt int, object text, message text)
LANGUAGE sql AS $$ SELECT rule, severity, statement, object, message FROM mig_lint(sql) $$;

CREATE TABLE t (id bigint PRIMARY KEY, a text, b text, c text, d text);
CREATE TYPE mood AS ENUM ('sad', 'ok');

-- transaction-control
SELECT * FROM pg_temp.lint($$
BEGIN;
CREATE TABLE x (id bigint);
SAVEPOINT s1;
COMMIT;
$$);
SELECT * FROM pg_temp.lint($$ CREATE TABLE x (id bigint) $$);

-- non-transactional-statement
SELECT * FROM pg_temp.lint($$
VACUUM t;
CREATE DATABASE lint_never_created;
ALTER SYSTEM SET work_mem = '8MB';
REINDEX SCHEMA lm;
$$);
SELECT * FROM pg_temp.lint($$ ANALYZE t $$);

-- creating-domain-with-constraint
SELECT * FROM pg_temp.lint($$
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN required_text AS text NOT NULL;
$$);
SELECT * FROM pg_temp.lint($$ CREATE DOMAIN label AS text $$);

-- adding-enum-value: a value added in the transaction cannot be used in it
SELECT * FROM pg_temp.lint($$
ALTER TYPE mood ADD VALUE 'happy';
ALTER TABLE t ADD COLUMN m mood DEFAULT 'happy';
INSERT INTO t (id, m) VALUES (1, E'happy');
$$);
-- ... unless the type is created in the same transaction too, or the value
-- is not used (a string elsewhere in a comment does not count)
SELECT * FROM pg_temp.lint($$
CREATE TYPE fresh_mood AS ENUM ('a');
ALTER TYPE fresh_mood ADD VALUE 'b';
CREATE TABLE fm (m fresh_mood DEFAULT 'b');
ALTER TYPE mood ADD VALUE 'calm' BEFORE 'ok';
-- the default becomes 'calm' in the next revision
SELECT 1;
$$);

-- identifier-too-long (the server's own notice says it truncates)
SELECT * FROM pg_temp.lint($$
CREATE TABLE this_table_name_is_far_too_long_for_postgres_which_cuts_at_63_bytes (id bigint);
CREATE INDEX "a_quoted_index_name_that_is_also_longer_than_sixty_three_bytes_x" ON t (a);
$$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE exactly_sixty_three_bytes_long_name_xxxxxxxxxxxxxxxxxxxxxxxxxxx (id bigint);
COMMENT ON TABLE t IS 'a string literal that is longer than sixty-three bytes is not an identifier at all';
$$);

-- index-too-many-columns
SELECT * FROM pg_temp.lint($$ CREATE INDEX t_wide ON t (a, b, c, d) $$) WHERE rule = 'index-too-many-columns';
SELECT * FROM pg_temp.lint($$
CREATE UNIQUE INDEX t_wide_u ON t (a, b, c, d);
CREATE INDEX t_three ON t (a, b, c);
$$) WHERE rule = 'index-too-many-columns';

-- suppression: "-- schemamig:ignore rule[, rule]" before a statement
-- suppresses those rules for that statement only
SELECT * FROM pg_temp.lint($$
-- schemamig:ignore require-concurrent-index-creation
CREATE INDEX t_a ON t (a);
CREATE INDEX t_b ON t (b);
$$);
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD COLUMN e text;
/* schemamig:ignore adding-check-constraint, setting-not-null */
ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a <> ''), ALTER COLUMN b SET NOT NULL;
-- schemamig:ignore dropping-column: nobody reads it since release 42
ALTER TABLE t DROP COLUMN d;
-- an ordinary comment in between
-- SCHEMAMIG:IGNORE Renaming-Column
ALTER TABLE t RENAME COLUMN c TO cc;
$$);
-- a suppression applies to the statement after it, not to the one before
SELECT rule, stmt FROM pg_temp.lint($$
ALTER TABLE t DROP COLUMN d; -- schemamig:ignore dropping-column
ALTER TABLE t DROP COLUMN c;
$$);
-- "-- schemamig:ignore-file rule" anywhere: the whole script (revision)
SELECT rule, stmt FROM pg_temp.lint($$
ALTER TABLE t DROP COLUMN d;
ALTER TABLE t RENAME COLUMN c TO cc;
-- schemamig:ignore-file dropping-column
ALTER TABLE t DROP COLUMN b;
$$);
-- "all" suppresses every rule
SELECT rule, stmt FROM pg_temp.lint($$
-- schemamig:ignore all
TRUNCATE t CASCADE;
TRUNCATE t CASCADE;
$$);
-- invalid-suppression: a name that is no rule is reported, not ignored
SELECT * FROM pg_temp.lint($$
-- schemamig:ignore droping-column, dropping-column
ALTER TABLE t DROP COLUMN d;
$$);
SELECT * FROM pg_temp.lint($$
-- schemamig:ignore-file renaming-column
ALTER TABLE t RENAME COLUMN d TO dd;
$$);
-- directives inside string literals or later in a statement do not count
SELECT rule, stmt FROM pg_temp.lint($$
ALTER TABLE t DROP COLUMN d /* schemamig:ignore dropping-column */;
COMMENT ON TABLE t IS '-- schemamig:ignore-file all';
ALTER TABLE t DROP COLUMN c;
$$);

-- the hint column: the safe alternative
SELECT rule, hint FROM mig_lint($$ ALTER TABLE t ALTER COLUMN a SET NOT NULL $$);

-- the rule catalogue: every rule once, documented
SELECT count(*) AS rules, count(DISTINCT rule) AS distinct_ids,
       bool_and(rule ~ '^[a-z]+(-[a-z0-9]+)*$') AS kebab_case,
       bool_and(description <> '' AND hint <> '' AND lock <> '' AND effect <> '') AS documented
  FROM mig_lint_rules();
SELECT rule, severity, family, lock, effect, size_gated FROM mig_lint_rules() ORDER BY family, rule;

-- mig_lint parses with the server's parser and runs nothing
SELECT * FROM pg_temp.lint('');
SELECT * FROM pg_temp.lint('-- only a comment');
SELECT * FROM mig_lint(NULL);
SELECT * FROM pg_temp.lint($$ ALTER TABLE t ADD COLUMN x int; SELEC 1 $$);
SELECT * FROM pg_temp.lint($$ DROP TABLE t; DROP SCHEMA lm CASCADE $$);
SELECT count(*) AS t_still_there FROM pg_class WHERE relname = 't' AND relnamespace = 'lm'::regnamespace;
SELECT provolatile, proparallel, prosecdef FROM pg_proc WHERE proname = 'mig_lint';

-- callable by anybody, with the caller's rights; objects the caller cannot
-- see are linted as unknown
CREATE ROLE lint_nobody;
SET ROLE lint_nobody;
SELECT rule, severity, statement, object FROM mig_lint($$ CREATE INDEX ON lm.t (a); DROP TABLE lm.t $$);
RESET ROLE;
DROP ROLE lint_nobody;

-- enforcement of out-of-band DDL (the DDL hook calls the linter before the
-- statement runs; revisions are linted whole by the runner)
SHOW schemamig.lint;
CREATE TABLE e (id bigint PRIMARY KEY, a text, b text);
SET schemamig.lint = warn;
CREATE INDEX e_a ON e (a);
ALTER TABLE e ADD COLUMN c text;
-- the session's own lock_timeout counts
SET lock_timeout = '5s';
SET schemamig.lint = deny;
CREATE INDEX e_b ON e (b);
ALTER TABLE e DROP COLUMN c;
-- (psql does not send "--" comment lines that precede a statement, so out
-- of band the directive goes in a block comment)
/* schemamig:ignore require-concurrent-index-creation */ CREATE INDEX e_b ON e (b);
-- objects created earlier in the same transaction are exempt
BEGIN;
CREATE TABLE e2 (id bigint, v text);
CREATE INDEX e2_v ON e2 (v);
COMMIT;
-- small tables are info, which is never reported
SET schemamig.lint_large_table_size = '1MB';
CREATE INDEX e_a_b ON e (a, b);
RESET schemamig.lint;
RESET schemamig.lint_large_table_size;
RESET lock_timeout;
SELECT indexrelid::regclass FROM pg_index WHERE indrelid IN ('e'::regclass, 'e2'::regclass) ORDER BY 1::text;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA lm CASCADE;
