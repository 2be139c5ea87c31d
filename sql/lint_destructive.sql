-- lint_destructive: drops, renames and truncations that lose data or break
-- clients still using the old schema; each rule with a case that fires and
-- one that does not.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP SCHEMA IF EXISTS ld, ld_old CASCADE;
RESET client_min_messages;
CREATE EXTENSION schemamig;
CREATE SCHEMA ld;
CREATE SCHEMA ld_old;
SET search_path = ld, public;
SET schemamig.lint_large_table_size = 0;
-- a statement timeout in force, so that missing-statement-timeout (tested in
-- lint_locks) stays out of the other rules' findings
SET schemamig.statement_timeout = '1min';

CREATE FUNCTION pg_temp.lint(sql text)
RETURNS TABLE(rule text, severity text, stmt int, object text, message text)
LANGUAGE sql AS $$ SELECT rule, severity, statement, object, message FROM mig_lint(sql) $$;

CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL, legacy text);
CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint REFERENCES account (id));
INSERT INTO account SELECT g, 'a' || g || '@example.com' FROM generate_series(1, 5) g;

-- dropping-table
SELECT * FROM pg_temp.lint($$
DROP TABLE orders;
DROP TABLE account CASCADE;
$$);
SELECT * FROM pg_temp.lint($$
DROP TABLE IF EXISTS no_such_table;
CREATE TABLE scratch (id bigint);
DROP TABLE scratch;
$$);

-- dropping-column
SELECT * FROM pg_temp.lint($$
ALTER TABLE account DROP COLUMN legacy;
ALTER TABLE account DROP COLUMN IF EXISTS email CASCADE;
$$);
SELECT * FROM pg_temp.lint($$
ALTER TABLE account DROP COLUMN IF EXISTS no_such_column;
CREATE TABLE scratch (id bigint, tmp text);
ALTER TABLE scratch DROP COLUMN tmp;
$$);

-- dropping-schema
SELECT * FROM pg_temp.lint($$
DROP SCHEMA ld_old;
DROP SCHEMA ld_old CASCADE;
$$);
SELECT * FROM pg_temp.lint($$ DROP SCHEMA IF EXISTS no_such_schema $$);

-- dropping-not-null
SELECT * FROM pg_temp.lint($$ ALTER TABLE account ALTER COLUMN email DROP NOT NULL $$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE scratch (id bigint, v text NOT NULL);
ALTER TABLE scratch ALTER COLUMN v DROP NOT NULL;
$$);

-- renaming-table
SELECT * FROM pg_temp.lint($$ ALTER TABLE account RENAME TO customer $$);
SELECT * FROM pg_temp.lint($$
ALTER TABLE IF EXISTS no_such_table RENAME TO other;
CREATE TABLE scratch (id bigint);
ALTER TABLE scratch RENAME TO scratch2;
ALTER INDEX account_pkey RENAME TO account_pk;
$$);

-- renaming-column
SELECT * FROM pg_temp.lint($$ ALTER TABLE account RENAME COLUMN email TO mail $$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE scratch (id bigint, v text);
ALTER TABLE scratch RENAME COLUMN v TO w;
CREATE VIEW account_v AS SELECT id FROM account;
ALTER VIEW account_v RENAME COLUMN id TO account_id;
$$);

-- truncate-cascade
SELECT * FROM pg_temp.lint($$ TRUNCATE account CASCADE $$);
SELECT * FROM pg_temp.lint($$ TRUNCATE account RESTRICT $$) WHERE rule = 'truncate-cascade';

-- truncating-table
SELECT * FROM pg_temp.lint($$ TRUNCATE orders, account $$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE scratch (id bigint);
TRUNCATE scratch;
$$);

-- destructive findings do not depend on the table's size: a small table's
-- data is lost all the same
SET schemamig.lint_large_table_size = '1GB';
SELECT rule, severity FROM pg_temp.lint($$
DROP TABLE orders;
ALTER TABLE account DROP COLUMN legacy;
$$);

-- nothing was executed
SELECT count(*) AS accounts FROM account;
SELECT attname FROM pg_attribute WHERE attrelid = 'account'::regclass AND attnum > 0 ORDER BY attnum;

RESET schemamig.lint_large_table_size;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ld, ld_old CASCADE;
