--
-- mig_report(): the Markdown migration report of one revision.  Reports are
-- printed whole (unaligned, no headers) so that the expected output reads
-- as the DBA sees it.  Registration times and roles are fixed by hand, the
-- time of an applied revision's upgrade and the round trip's duration are
-- masked: the rest is deterministic for the same data.
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS rp_account, rp_legacy, rp_log, rp_note, rp_audit CASCADE;
DROP TYPE IF EXISTS rp_mood;
DROP FUNCTION IF EXISTS rp_touch();
DROP ROLE IF EXISTS regress_rp_reader;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

-- a populated table (no autovacuum: sizes stay exactly what the inserts
-- made), a small one, and an empty one
CREATE TABLE rp_account (id bigint PRIMARY KEY, email text, legacy text)
  WITH (autovacuum_enabled = off);
INSERT INTO rp_account SELECT g, 'user' || g || '@example.com', 'x' FROM generate_series(1, 20000) g;
CREATE TABLE rp_legacy (id int) WITH (autovacuum_enabled = off);
INSERT INTO rp_legacy SELECT generate_series(1, 100);
CREATE TABLE rp_log (msg text) WITH (autovacuum_enabled = off);
ANALYZE rp_account, rp_legacy, rp_log;

-- registration time and role as a fixed value
CREATE FUNCTION rp_fix() RETURNS void LANGUAGE sql AS $$
  UPDATE schemamig.revision SET registered_at = '2025-01-15 09:30:00+00', registered_by = 'deployer'
$$;
-- one section of a report: from its heading to the next heading of its
-- level or above (the title block: to the first ## heading)
CREATE FUNCTION rp_section(doc text, heading text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(substr(doc, strpos(doc, heading)),
                        E'\n#{1,' || greatest(length(split_part(heading, ' ', 1)), 2) || '} .*$', '')
$$;
CREATE FUNCTION rp_masked(doc text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(doc, 'last upgraded [^|]* by', 'last upgraded (time) by'),
                        '\| duration \| [0-9.]+ ms \|', '| duration | (masked) |')
$$;
\pset format unaligned
\pset tuples_only on

-- 1. a harmless additive revision: a new table, its index, a comment: LOW
SELECT mig_revision('r1', NULL, $$
CREATE TABLE rp_note (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  body text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rp_note_account_idx ON rp_note (account_id);
COMMENT ON TABLE rp_note IS 'notes on accounts';
$$, 'DROP TABLE rp_note', 'notes', 'core');
SELECT rp_fix();
SELECT mig_report('r1');

-- 2. a blocking revision on the populated table: lock levels, live sizes
-- and row estimates; a NOT NULL column with a constant default (no
-- rewrite), SET NOT NULL (a scan), an index build, a foreign key added NOT
-- VALID and validated; its downgrade forgets the NOT NULL and the check
SELECT mig_revision('r2', 'r1', $$
ALTER TABLE rp_account ADD COLUMN plan text NOT NULL DEFAULT 'free', ALTER COLUMN email SET NOT NULL;
CREATE UNIQUE INDEX rp_account_email_idx ON rp_account (lower(email));
ALTER TABLE rp_note ADD CONSTRAINT rp_note_account_fk FOREIGN KEY (account_id) REFERENCES rp_account (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE rp_note VALIDATE CONSTRAINT rp_note_account_fk;
ALTER TABLE rp_account ADD CONSTRAINT rp_account_email_chk CHECK (email LIKE '%@%') NOT VALID;
$$, $$
DROP INDEX rp_account_email_idx;
ALTER TABLE rp_note DROP CONSTRAINT rp_note_account_fk;
ALTER TABLE rp_account DROP COLUMN plan;
$$, 'account plans');
SELECT rp_fix();
SELECT mig_report('r2');

-- the same revision when the table counts as large, at 1 MB/s: HIGH, with
-- durations; and blocked when lint enforcement would refuse it
SET schemamig.lint_large_table_size = '1MB';
SET schemamig.report_rewrite_rate = 1;
SELECT rp_section(mig_report('r2'), '### Estimated duration');
SELECT rp_section(mig_report('r2'), '## Risk');
SET schemamig.lint = deny;
SELECT rp_section(mig_report('r2'), '# Migration report: `r2` — account plans');
RESET schemamig.lint;
RESET schemamig.report_rewrite_rate;
RESET schemamig.lint_large_table_size;

-- 3. a destructive revision without downgrade: HIGH
SELECT mig_revision('r3', 'r2', $$
DROP TABLE rp_legacy;
ALTER TABLE rp_account DROP COLUMN legacy;
ALTER TABLE rp_account ALTER COLUMN email TYPE varchar(64);
-- schemamig:ignore backfill-in-transaction: the table is tiny
UPDATE rp_account SET plan = 'pro';
TRUNCATE rp_log;
$$, NULL, 'drop legacy');
SELECT rp_fix();
SELECT mig_report('r3');

-- 4. CONCURRENTLY: the runner refuses it, the plan says to run it by hand
SELECT mig_revision('r4', 'r3', $$
CREATE INDEX CONCURRENTLY rp_account_plan_idx ON rp_account (plan) WHERE plan <> 'free';
$$, 'DROP INDEX CONCURRENTLY rp_account_plan_idx', 'plan index');
SELECT rp_fix();
SELECT mig_report('r4');

-- 5. data changes and other objects; anything not recognised still appears,
-- with its command tag
SELECT mig_revision('r5', 'r4', $$
SET lock_timeout = '5s';
CREATE TABLE rp_audit (id bigserial PRIMARY KEY, what text);
INSERT INTO rp_audit (what) VALUES ('a'), ('b');
INSERT INTO rp_audit (what) SELECT email FROM rp_account WHERE id < 10 ON CONFLICT DO NOTHING;
UPDATE rp_account SET plan = 'pro' WHERE id < 100;
DELETE FROM rp_account WHERE id > 19990;
COPY rp_audit (what) FROM '/nonexistent/rp_audit.csv';
CREATE TYPE rp_mood AS ENUM ('ok', 'meh');
ALTER TYPE rp_mood ADD VALUE 'great' BEFORE 'ok';
CREATE FUNCTION rp_touch() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NEW; END $f$;
CREATE TRIGGER rp_audit_touch BEFORE INSERT OR UPDATE ON rp_audit FOR EACH ROW EXECUTE FUNCTION rp_touch();
CREATE VIEW rp_pro AS SELECT id FROM rp_account WHERE plan = 'pro';
CREATE SEQUENCE rp_seq;
ALTER TABLE rp_audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY rp_audit_own ON rp_audit FOR SELECT TO PUBLIC USING (true);
GRANT SELECT, UPDATE (what) ON rp_audit TO PUBLIC;
ALTER TABLE rp_audit RENAME COLUMN what TO event;
CREATE STATISTICS rp_stats ON id, plan FROM rp_account;
DO $d$ BEGIN PERFORM 1; END $d$;
$$, $$
DROP STATISTICS rp_stats;
DROP VIEW rp_pro;
DROP SEQUENCE rp_seq;
DROP TABLE rp_audit;
DROP FUNCTION rp_touch();
DROP TYPE rp_mood;
$$, 'audit', NULL, 'r1');
SELECT rp_fix();
SELECT mig_report('r5');

-- 6. verify => true: the round trip of r2 (r1 applied plainly first, all
-- rolled back); its downgrade leaves the NOT NULL and the check behind
SELECT rp_masked(rp_section(mig_report('r2', verify => true), '## Testing results'));
SELECT rp_section(mig_report('r2', true), '## Risk');
-- and of r1, which comes back cleanly
SELECT rp_masked(rp_section(mig_report('r1', verify => true), '## Testing results'));
-- the database is unchanged
SELECT count(*) AS current_heads FROM mig_current();
SELECT count(*) AS history_rows FROM schemamig.history;
SELECT to_regclass('rp_note') IS NULL AS no_rp_note;

-- a revision that cannot run: the round trip says why
SELECT rp_masked(rp_section(mig_report('r4', verify => true), '## Testing results'));

-- 7. an applied revision: state from the history, and no round trip from
-- here
SELECT revision FROM mig_upgrade('r1');
SELECT rp_masked(rp_section(mig_report('r1'), '# Migration report: `r1` — notes'));
SELECT rp_section(mig_report('r1', verify => true), '## Testing results');
SELECT rp_section(mig_report('r1'), '## Deployment plan');
-- the report of a whole deployment: the pending revisions up to a target,
-- with the overall risk, each revision's report nested (headings one
-- level down)
CREATE FUNCTION rp_plan_head(doc text) RETURNS text LANGUAGE sql AS $$
  SELECT substr(doc, 1, strpos(doc, E'\n## Migration report'))
$$;
SELECT rp_plan_head(mig_report_plan('r3'));
SELECT string_agg(line, E'\n') FROM regexp_split_to_table(mig_report_plan('r3'), E'\n') AS line
 WHERE line LIKE '#%';
-- with the round trips: r2's downgrade does not come back, r3 has none
SELECT rp_plan_head(mig_report_plan('r3', verify => true));
SELECT rp_masked(rp_section(rp_section(mig_report_plan('r3', true), '## Migration report: `r3` — drop legacy'),
                            '### Testing results'));
-- nothing to run
SELECT mig_report_plan('r1');
DROP FUNCTION rp_plan_head(text);

-- other ways to name a revision: a label's head (labels cover descendants),
-- a relative target
SELECT mig_report('core@head') = mig_report('r5') AS label_head;
SELECT mig_report('+1') = mig_report('r2') AS relative;

-- 8. errors
\pset tuples_only off
\pset format aligned
SELECT mig_revision('dead0001', 'r5', 'SELECT 1', 'SELECT 1');
SELECT mig_revision('dead0002', 'r5', 'SELECT 2', 'SELECT 2');
SELECT mig_report('nope');
SELECT mig_report('dea');
SELECT mig_report('dead');
SELECT mig_report('head');
SELECT mig_report('heads');
SELECT mig_report('base');
SELECT mig_report(NULL);
SELECT mig_report_plan(NULL);
SELECT mig_report_plan('nope');
SELECT length(mig_report('dead0001', NULL)) > 0 AS null_verify_is_false;
-- privileges: reading is for everybody, the round trip for runners only
CREATE ROLE regress_rp_reader;
SET ROLE regress_rp_reader;
SELECT length(mig_report('r2')) > 0 AS reader_can_report;
SELECT mig_report('r2', verify => true);
SELECT length(mig_report_plan('heads')) > 0 AS reader_can_report_plan;
SELECT mig_report_plan('dead0001', verify => true);
RESET ROLE;
-- the report never ran anything
SELECT count(*) AS history_rows FROM schemamig.history;
SELECT attname FROM pg_attribute WHERE attrelid = 'rp_account'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;

DROP ROLE regress_rp_reader;
DROP FUNCTION rp_fix(), rp_section(text, text), rp_masked(text);
