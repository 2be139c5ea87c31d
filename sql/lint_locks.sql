-- lint_locks: mig_lint's lock, rewrite and scan rules, each with a case that
-- fires and one that does not; the live table-size gating; the exemption of
-- objects created earlier in the same script; missing lock_timeout.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP SCHEMA IF EXISTS ll CASCADE;
RESET client_min_messages;
CREATE EXTENSION schemamig;
CREATE SCHEMA ll;
SET search_path = ll, public;

-- findings without the (static) hint column
CREATE FUNCTION pg_temp.lint(sql text)
RETURNS TABLE(rule text, severity text, stmt int, object text, message text)
LANGUAGE sql AS $$ SELECT rule, severity, statement, object, message FROM mig_lint(sql) $$;

-- every table counts as large unless a test says otherwise
SET schemamig.lint_large_table_size = 0;
-- a statement timeout in force, so that missing-statement-timeout (tested
-- below) stays out of the other rules' findings
SET schemamig.statement_timeout = '1min';

CREATE TABLE parent (id bigint PRIMARY KEY);
CREATE TABLE t (id bigint PRIMARY KEY, a text, pid bigint, n int);
INSERT INTO t SELECT g, 'x' || g, 1, g FROM generate_series(1, 10) g;
CREATE TABLE empty_t (id bigint);
CREATE INDEX t_a ON t (a);

-- adding-column-with-volatile-default: volatile defaults and serial rewrite
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD COLUMN r float8 DEFAULT random();
ALTER TABLE t ADD COLUMN u text DEFAULT md5(clock_timestamp()::text);
ALTER TABLE t ADD COLUMN s serial;
ALTER TABLE t ADD COLUMN f int DEFAULT no_such_function();
$$);
-- ... constant and stable defaults are stored in the catalog: nothing
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD COLUMN c1 int DEFAULT 5;
ALTER TABLE t ADD COLUMN c2 timestamptz DEFAULT now();
ALTER TABLE t ADD COLUMN c3 text DEFAULT 'x' || 'y';
ALTER TABLE t ADD COLUMN c4 int;
$$);

-- adding-generated-column
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD COLUMN g bigint GENERATED ALWAYS AS (n * 2) STORED;
ALTER TABLE t ADD COLUMN i bigint GENERATED ALWAYS AS IDENTITY;
$$);
SELECT * FROM pg_temp.lint($$ ALTER TABLE t ALTER COLUMN n SET DEFAULT 0 $$);

-- adding-required-column: fails on a table with rows, info on an empty one
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD COLUMN req int NOT NULL;
ALTER TABLE empty_t ADD COLUMN req int NOT NULL;
$$);
SELECT * FROM pg_temp.lint($$ ALTER TABLE t ADD COLUMN req int NOT NULL DEFAULT 0 $$);

-- setting-not-null; not when a validated CHECK already proves it, nor when
-- the column is NOT NULL already
CREATE TABLE chk (id bigint NOT NULL, c int, d int,
                  CONSTRAINT chk_c CHECK (c IS NOT NULL),
                  CONSTRAINT chk_d CHECK (d IS NOT NULL) NOT VALID);
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ALTER COLUMN n SET NOT NULL;
ALTER TABLE chk ALTER COLUMN d SET NOT NULL;
$$);
SELECT * FROM pg_temp.lint($$
ALTER TABLE chk ALTER COLUMN c SET NOT NULL;
ALTER TABLE chk ALTER COLUMN id SET NOT NULL;
$$);

-- adding-check-constraint
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD CONSTRAINT n_pos CHECK (n > 0);
ALTER TABLE t ADD CHECK (n < 100);
ALTER TABLE t ADD COLUMN k int CHECK (k > 0);
$$);
SELECT * FROM pg_temp.lint($$ ALTER TABLE t ADD CONSTRAINT n_pos CHECK (n > 0) NOT VALID $$);

-- adding-foreign-key-constraint
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD CONSTRAINT t_pid FOREIGN KEY (pid) REFERENCES parent (id);
ALTER TABLE t ADD COLUMN pid2 bigint REFERENCES parent (id);
$$);
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD CONSTRAINT t_pid FOREIGN KEY (pid) REFERENCES parent (id) NOT VALID;
CREATE TABLE child (id bigint PRIMARY KEY, pid bigint REFERENCES parent (id));
$$);

-- adding-unique-constraint
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);
ALTER TABLE empty_t ADD PRIMARY KEY (id);
ALTER TABLE t ADD COLUMN code text UNIQUE;
$$);
CREATE UNIQUE INDEX t_a_uniq ON t (a);
SELECT * FROM pg_temp.lint($$ ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_uniq $$);

-- adding-exclusion-constraint
SELECT * FROM pg_temp.lint($$ ALTER TABLE t ADD CONSTRAINT t_excl EXCLUDE USING btree (a WITH =) $$);
SELECT * FROM pg_temp.lint($$ CREATE TABLE ex (a text, EXCLUDE USING btree (a WITH =)) $$);

-- validate-constraint-in-same-transaction
SELECT * FROM pg_temp.lint($$
ALTER TABLE t ADD CONSTRAINT n_pos CHECK (n > 0) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT n_pos;
ALTER TABLE t ADD CONSTRAINT t_pid FOREIGN KEY (pid) REFERENCES parent (id) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT t_pid;
$$);
-- validating a constraint added by an earlier migration is the safe way
ALTER TABLE t ADD CONSTRAINT n_pos CHECK (n > 0) NOT VALID;
SELECT * FROM pg_temp.lint($$ ALTER TABLE t VALIDATE CONSTRAINT n_pos $$);

-- require-concurrent-index-creation (with the partitioned-table hint)
CREATE TABLE pt (id bigint, d date) PARTITION BY RANGE (d);
CREATE TABLE pt_2019 PARTITION OF pt FOR VALUES FROM ('2019-01-01') TO ('2020-01-01');
SELECT * FROM pg_temp.lint($$
CREATE INDEX t_n ON t (n);
CREATE UNIQUE INDEX ON t (a, n);
$$);
SELECT rule, hint FROM mig_lint($$ CREATE INDEX ON pt (d) $$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE fresh (id bigint, v text);
CREATE INDEX fresh_v ON fresh (v);
$$);

-- require-concurrent-index-deletion
SELECT * FROM pg_temp.lint($$ DROP INDEX t_a $$);
SELECT * FROM pg_temp.lint($$
DROP INDEX IF EXISTS no_such_index;
CREATE TABLE fresh (id bigint);
CREATE INDEX fresh_id ON fresh (id);
DROP INDEX fresh_id;
$$);

-- require-concurrent-reindex
SELECT * FROM pg_temp.lint($$
REINDEX TABLE t;
REINDEX INDEX t_a;
$$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY);
REINDEX (VERBOSE) TABLE fresh;
$$);

-- concurrently-in-transaction: schemamig runs revisions in a transaction
SELECT * FROM pg_temp.lint($$
CREATE INDEX CONCURRENTLY t_n ON t (n);
DROP INDEX CONCURRENTLY t_a;
REINDEX TABLE CONCURRENTLY t;
ALTER TABLE pt DETACH PARTITION pt_2019 CONCURRENTLY;
$$);
SELECT * FROM pg_temp.lint($$ ALTER TABLE t ALTER COLUMN a SET STATISTICS 500 $$);

-- require-concurrent-partition-detach
SELECT * FROM pg_temp.lint($$ ALTER TABLE pt DETACH PARTITION pt_2019 $$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE pt_2018 PARTITION OF pt FOR VALUES FROM ('2018-01-01') TO ('2019-01-01');
$$);

-- attach-partition-without-check: the server's own implication test; a
-- CHECK without "d IS NOT NULL" does not imply a range bound
CREATE TABLE p20_plain (id bigint, d date);
CREATE TABLE p20_check (id bigint, d date,
    CHECK (d >= '2020-01-01' AND d < '2021-01-01'));
CREATE TABLE p20_full (id bigint, d date,
    CHECK (d IS NOT NULL AND d >= '2020-01-01' AND d < '2021-01-01'));
CREATE TABLE p20_notnull (id bigint, d date NOT NULL,
    CHECK (d >= '2020-01-01' AND d < '2021-01-01'));
SELECT * FROM pg_temp.lint($$
ALTER TABLE pt ATTACH PARTITION p20_plain FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE pt ATTACH PARTITION p20_check FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE pt ATTACH PARTITION p20_full FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE pt ATTACH PARTITION p20_notnull FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE p21 (id bigint, d date);
ALTER TABLE pt ATTACH PARTITION p21 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
$$);

-- vacuum-full (VACUUM itself cannot run in a transaction either)
SELECT * FROM pg_temp.lint($$ VACUUM FULL t $$);
SELECT * FROM pg_temp.lint($$ VACUUM (ANALYZE) t $$);

-- cluster
SELECT * FROM pg_temp.lint($$ CLUSTER t USING t_pkey $$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY);
CLUSTER fresh USING fresh_pkey;
$$);

-- set-tablespace
SELECT * FROM pg_temp.lint($$
ALTER TABLE t SET TABLESPACE pg_default;
ALTER INDEX t_a SET TABLESPACE pg_default;
$$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE fresh (id bigint);
ALTER TABLE fresh SET TABLESPACE pg_default;
$$);

-- set-logged-unlogged
SELECT * FROM pg_temp.lint($$
ALTER TABLE t SET UNLOGGED;
ALTER TABLE t SET LOGGED;
$$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE fresh (id bigint);
ALTER TABLE fresh SET UNLOGGED;
$$);

-- set-access-method
SELECT * FROM pg_temp.lint($$ ALTER TABLE t SET ACCESS METHOD heap $$);
SELECT * FROM pg_temp.lint($$
CREATE TABLE fresh (id bigint);
ALTER TABLE fresh SET ACCESS METHOD heap;
$$);

-- refresh-materialized-view
CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
CREATE UNIQUE INDEX ON mv (id);
SELECT * FROM pg_temp.lint($$ REFRESH MATERIALIZED VIEW mv $$);
SELECT * FROM pg_temp.lint($$ REFRESH MATERIALIZED VIEW CONCURRENTLY mv $$);

-- adding-domain-constraint
CREATE DOMAIN posint AS int;
SELECT * FROM pg_temp.lint($$
ALTER DOMAIN posint ADD CONSTRAINT posint_check CHECK (VALUE > 0);
ALTER DOMAIN posint SET NOT NULL;
$$);
SELECT * FROM pg_temp.lint($$
ALTER DOMAIN posint ADD CONSTRAINT posint_check CHECK (VALUE > 0) NOT VALID;
CREATE DOMAIN fresh_d AS int;
ALTER DOMAIN fresh_d ADD CONSTRAINT fresh_d_check CHECK (VALUE > 0);
$$);

-- backfill-in-transaction: a whole-table update, and an update under the
-- lock an earlier statement took
SELECT * FROM pg_temp.lint($$
UPDATE t SET a = upper(a);
ALTER TABLE t ADD COLUMN flag boolean;
UPDATE t SET flag = true WHERE id < 5;
DELETE FROM t WHERE id > 100;
$$);
SELECT * FROM pg_temp.lint($$
UPDATE t SET a = 'z' WHERE id = 1;
DELETE FROM t WHERE id = 2;
$$);

-- missing-lock-timeout: schemamig's runner sets lock_timeout for each
-- statement (schemamig.lock_timeout), so it fires only without that ...
SHOW schemamig.lock_timeout;
SELECT * FROM pg_temp.lint($$ ALTER TABLE t DROP COLUMN n $$) WHERE rule = 'missing-lock-timeout';
SET schemamig.lock_timeout = 0;
-- ... once per script, at the first statement taking a lock that blocks
-- writes on a table that exists outside the script
SELECT * FROM pg_temp.lint($$
CREATE TABLE fresh (id bigint);
ALTER TABLE fresh ADD COLUMN v text;
CREATE INDEX CONCURRENTLY ON t (n);
ALTER TABLE t ADD COLUMN v text;
ALTER TABLE t ADD COLUMN w text;
$$) WHERE rule = 'missing-lock-timeout';
SELECT * FROM pg_temp.lint($$
CREATE TABLE child2 (id bigint, pid bigint REFERENCES parent (id));
$$) WHERE rule = 'missing-lock-timeout';
-- a lock_timeout set by the script, in any spelling, or by the session
SELECT * FROM pg_temp.lint($$
SET lock_timeout = '2s';
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-lock-timeout';
SELECT * FROM pg_temp.lint($$
SET LOCAL lock_timeout TO 500;
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-lock-timeout';
SELECT * FROM pg_temp.lint($$
SELECT set_config('lock_timeout', '1s', true);
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-lock-timeout';
-- ... but 0 means no timeout, and RESET takes it back
SELECT * FROM pg_temp.lint($$
SET lock_timeout = 0;
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-lock-timeout';
SELECT * FROM pg_temp.lint($$
SET lock_timeout = '1s';
RESET lock_timeout;
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-lock-timeout';
SET lock_timeout = '3s';
SELECT * FROM pg_temp.lint($$ ALTER TABLE t ADD COLUMN v text $$) WHERE rule = 'missing-lock-timeout';
RESET lock_timeout;
RESET schemamig.lock_timeout;

-- missing-statement-timeout (info): the same trigger as missing-lock-timeout,
-- quiet while schemamig.statement_timeout is set (the runner arms it for each
-- statement) ...
SHOW schemamig.statement_timeout;
SELECT * FROM pg_temp.lint($$ ALTER TABLE t DROP COLUMN n $$) WHERE rule = 'missing-statement-timeout';
RESET schemamig.statement_timeout;
-- ... once per script, at the first statement taking a lock that blocks
-- writes on a table that exists outside the script
SELECT * FROM pg_temp.lint($$
CREATE TABLE fresh (id bigint);
ALTER TABLE fresh ADD COLUMN v text;
CREATE INDEX CONCURRENTLY ON t (n);
CREATE INDEX ON t (n);
ALTER TABLE t ADD COLUMN w text;
$$) WHERE rule = 'missing-statement-timeout';
SELECT * FROM pg_temp.lint($$
CREATE TABLE child2 (id bigint, pid bigint REFERENCES parent (id));
$$) WHERE rule = 'missing-statement-timeout';
-- not after the script sets schemamig.statement_timeout, in any spelling
SELECT * FROM pg_temp.lint($$
SET schemamig.statement_timeout = '30s';
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-statement-timeout';
SELECT * FROM pg_temp.lint($$
SET LOCAL schemamig.statement_timeout TO 30000;
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-statement-timeout';
SELECT * FROM pg_temp.lint($$
SELECT set_config('schemamig.statement_timeout', '30s', true);
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-statement-timeout';
-- ... but 0 means no timeout, and RESET takes it back
SELECT * FROM pg_temp.lint($$
SET schemamig.statement_timeout = 0;
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-statement-timeout';
SELECT * FROM pg_temp.lint($$
SET schemamig.statement_timeout = '30s';
RESET schemamig.statement_timeout;
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-statement-timeout';
-- a plain SET [LOCAL] statement_timeout in a revision does not count: the
-- runner's statements run inside one top-level statement (mig_upgrade()),
-- and the server arms statement_timeout when that one starts, not again
SELECT * FROM pg_temp.lint($$
SET statement_timeout = '30s';
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-statement-timeout';
SELECT * FROM pg_temp.lint($$
SET LOCAL statement_timeout TO 30000;
ALTER TABLE t ADD COLUMN v text;
$$) WHERE rule = 'missing-statement-timeout';
-- the session's statement_timeout bounds the whole call, so each statement
SET statement_timeout = '1h';
SELECT * FROM pg_temp.lint($$ ALTER TABLE t ADD COLUMN v text $$) WHERE rule = 'missing-statement-timeout';
RESET statement_timeout;
-- both timeout rules at once, with their severities and hints
SET schemamig.lock_timeout = 0;
SELECT rule, severity, statement, hint FROM mig_lint($$ ALTER TABLE t ADD COLUMN v text $$)
 WHERE rule LIKE 'missing-%-timeout';
RESET schemamig.lock_timeout;
SET schemamig.statement_timeout = '1min';

-- live table size: below schemamig.lint_large_table_size, lock and rewrite
-- findings are info and say why.  The size is the relation's real size, not
-- pg_class.relpages (still 0 here: never vacuumed or analyzed)
CREATE TABLE big WITH (autovacuum_enabled = off) AS
    SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 2000) g;
CREATE TABLE small WITH (autovacuum_enabled = off) AS SELECT 1 AS id;
SELECT relpages FROM pg_class WHERE oid = 'big'::regclass;
SET schemamig.lint_large_table_size = '64kB';
SELECT * FROM pg_temp.lint($$
CREATE INDEX ON big (id);
CREATE INDEX ON small (id);
ALTER TABLE big ALTER COLUMN id SET NOT NULL;
ALTER TABLE small ALTER COLUMN id SET NOT NULL;
$$);
-- the default threshold is 10MB: both are small
RESET schemamig.lint_large_table_size;
SHOW schemamig.lint_large_table_size;
SELECT rule, severity, stmt FROM pg_temp.lint($$
CREATE INDEX ON big (id);
ALTER TABLE big ADD COLUMN r float8 DEFAULT random();
$$);
-- a partitioned table's size is its partitions'
SET schemamig.lint_large_table_size = '8kB';
INSERT INTO pt SELECT g, '2019-06-01' FROM generate_series(1, 1000) g;
SELECT * FROM pg_temp.lint($$ ALTER TABLE pt DETACH PARTITION pt_2019 $$);
SET schemamig.lint_large_table_size = 0;

-- objects created earlier in the same script are exempt from lock rules,
-- also under a new name
SELECT * FROM pg_temp.lint($$
CREATE TABLE fresh (id int, v text);
ALTER TABLE fresh ADD COLUMN r float8 DEFAULT random(), ALTER COLUMN v SET NOT NULL;
ALTER TABLE fresh ALTER COLUMN id TYPE bigint;
ALTER TABLE fresh RENAME TO fresh2;
ALTER TABLE fresh2 ADD CONSTRAINT fresh2_v UNIQUE (v);
ALTER TABLE ll.fresh2 ADD CONSTRAINT fresh2_id CHECK (id > 0);
CREATE TABLE copy AS SELECT * FROM t;
CREATE INDEX ON copy (a);
$$);

-- nothing was executed
SELECT count(*) FROM pg_class WHERE relname IN ('fresh', 'fresh2', 'copy', 'child');
SELECT count(*) AS t_columns FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 AND NOT attisdropped;

RESET schemamig.lint_large_table_size;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ll CASCADE;
