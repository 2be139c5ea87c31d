/*
 * schemamig--0.1.sql
 *	  Catalog tables of the schemamig extension and the SQL wrappers over its
 *	  C entry points.
 *
 * The tables live in the schema "schemamig", which this script creates and
 * which belongs to the extension.  The mig_* functions are created in the
 * extension's schema (the first schema of search_path at CREATE EXTENSION
 * time, normally public) so that they are callable unqualified.
 *
 * Privileges: everything that changes state (registering, running, stamping)
 * is revoked from PUBLIC; reading the graph and the history is allowed to
 * everybody.  mig_grant_runner() grants a dedicated migration role what it
 * needs.  No function is SECURITY DEFINER: a caller acts with its own rights.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION schemamig" to load this file. \quit

CREATE SCHEMA schemamig;
COMMENT ON SCHEMA schemamig IS 'catalog of the schemamig extension: revisions, version table, history';
GRANT USAGE ON SCHEMA schemamig TO PUBLIC;

/*
 * Registered revisions: Alembic's script directory, in a table.
 * seq keeps registration order, which is also a valid topological order
 * because parents must be registered before their children.
 */
CREATE TABLE schemamig.revision (
	id				text PRIMARY KEY,
	parents			text[] NOT NULL DEFAULT '{}',
	branch_labels	text[] NOT NULL DEFAULT '{}',
	depends_on		text[] NOT NULL DEFAULT '{}',
	message			text,
	upgrade			text NOT NULL DEFAULT '',
	downgrade		text,
	checksum		text NOT NULL,
	registered_by	name NOT NULL DEFAULT current_user,
	registered_at	timestamptz NOT NULL DEFAULT now(),
	seq				bigserial NOT NULL UNIQUE
);
CREATE INDEX revision_branch_labels_idx ON schemamig.revision USING gin (branch_labels) WITH (fastupdate = off);
/*
 * Loading the graph reads only these columns, in registration order: a
 * covering index lets that be an index-only scan instead of reading every
 * revision's SQL bodies from the heap (100,000 revisions: 130 MB).
 */
CREATE INDEX revision_graph_idx ON schemamig.revision (seq)
	INCLUDE (id, parents, branch_labels, depends_on);
COMMENT ON TABLE schemamig.revision IS 'registered revisions (upgrade and downgrade SQL, parents, branch labels, depends_on)';

/*
 * The version table: one row per current head, as Alembic's alembic_version.
 */
CREATE TABLE schemamig.version (
	revision		text PRIMARY KEY,
	since			timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE schemamig.version IS 'current heads of the database (Alembic''s version table)';

/*
 * Append-only history of every step: upgrade, downgrade or stamp.
 */
CREATE TABLE schemamig.history (
	id				bigserial PRIMARY KEY,
	revision		text,
	direction		text NOT NULL CHECK (direction IN ('upgrade', 'downgrade', 'stamp')),
	started_at		timestamptz NOT NULL,
	duration_ms		double precision NOT NULL DEFAULT 0,
	role			name NOT NULL DEFAULT current_user,
	backend_pid		integer NOT NULL DEFAULT pg_backend_pid(),
	outcome			text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'failed')),
	heads_before	text[] NOT NULL DEFAULT '{}',
	heads_after		text[] NOT NULL DEFAULT '{}',
	target			text,
	xid				xid8 DEFAULT pg_current_xact_id_if_assigned(),
	note			text			/* why, when it is not a plain step:
									 * 'adopted drift' */
);
CREATE INDEX history_revision_idx ON schemamig.history (revision);
COMMENT ON TABLE schemamig.history IS 'append-only log of every upgrade, downgrade and stamp step';

/* Survive pg_dump / pg_restore, sequences included. */
SELECT pg_catalog.pg_extension_config_dump('schemamig.revision', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.revision_seq_seq', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.version', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.history', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.history_id_seq', '');

/* History is append-only: updates and deletes are refused for everyone. */
CREATE FUNCTION schemamig.history_append_only()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'schemamig_history_append_only';
CREATE TRIGGER history_append_only
	BEFORE UPDATE OR DELETE ON schemamig.history
	FOR EACH ROW EXECUTE FUNCTION schemamig.history_append_only();
CREATE TRIGGER history_no_truncate
	BEFORE TRUNCATE ON schemamig.history
	FOR EACH STATEMENT EXECUTE FUNCTION schemamig.history_append_only();
/* even with session_replication_role = replica */
ALTER TABLE schemamig.history ENABLE ALWAYS TRIGGER history_append_only;
ALTER TABLE schemamig.history ENABLE ALWAYS TRIGGER history_no_truncate;

GRANT SELECT ON schemamig.revision, schemamig.version, schemamig.history TO PUBLIC;

/* ========================================================================
 * The DDL hook and log (src/hook.c)
 *
 * With shared_preload_libraries = 'schemamig', a ProcessUtility hook writes
 * one row per committed DDL statement into schemamig.ddl_log, in the
 * statement's own transaction (a rolled-back statement leaves no row), with
 * the rights of the table's owner.  The two event triggers below hand it the
 * identities of the objects each statement created, altered and dropped;
 * their functions do nothing unless the hook is capturing that statement.
 *
 * id orders the rows; it is not unique: rows written while a dump is being
 * restored (the restore's own DDL) may share ids with the restored rows.
 * ======================================================================== */
CREATE TABLE schemamig.ddl_log (
	id				bigserial NOT NULL,
	started_at		timestamptz NOT NULL,
	duration_ms		double precision NOT NULL,
	role			name NOT NULL,
	session_role	name NOT NULL,
	application_name text,
	client_addr		inet,
	backend_pid		integer NOT NULL,
	xid				xid8,
	command_tag		text NOT NULL,
	objects			text[] NOT NULL DEFAULT '{}',
	dropped_objects	text[] NOT NULL DEFAULT '{}',
	statement		text NOT NULL,
	revision		text,
	direction		text CHECK (direction IN ('upgrade', 'downgrade')),
	nested			boolean NOT NULL DEFAULT false,
	search_path		text,			/* resolved: the schemas unqualified
									 * names were looked up in */
	schemas			text[] NOT NULL DEFAULT '{}'	/* the schemas it touched */
);
/*
 * One index (every DDL statement pays for each): time, for retention and
 * "since the snapshot".  BRIN: rows arrive in about the order of started_at,
 * and a row that lands in a range not yet summarized costs the insert a look
 * at the range map, not a B-tree descent.
 */
CREATE INDEX ddl_log_started_at_idx ON schemamig.ddl_log USING brin (started_at);
COMMENT ON TABLE schemamig.ddl_log IS 'one row per committed DDL statement, written by the DDL hook';

SELECT pg_catalog.pg_extension_config_dump('schemamig.ddl_log', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.ddl_log_id_seq', '');

/* Append-only: UPDATE is refused; DELETE and TRUNCATE only for the owner. */
CREATE FUNCTION schemamig.ddl_log_guard()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'schemamig_ddl_log_guard';
CREATE TRIGGER ddl_log_guard
	BEFORE UPDATE OR DELETE ON schemamig.ddl_log
	FOR EACH ROW EXECUTE FUNCTION schemamig.ddl_log_guard();
CREATE TRIGGER ddl_log_no_truncate
	BEFORE TRUNCATE ON schemamig.ddl_log
	FOR EACH STATEMENT EXECUTE FUNCTION schemamig.ddl_log_guard();
ALTER TABLE schemamig.ddl_log ENABLE ALWAYS TRIGGER ddl_log_guard;
ALTER TABLE schemamig.ddl_log ENABLE ALWAYS TRIGGER ddl_log_no_truncate;

/* Statement texts may be sensitive: no SELECT for PUBLIC. */
REVOKE ALL ON schemamig.ddl_log FROM PUBLIC;

CREATE FUNCTION schemamig.ddl_command_end()
RETURNS event_trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'schemamig_ddl_command_end';
CREATE FUNCTION schemamig.sql_drop()
RETURNS event_trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'schemamig_sql_drop';
CREATE EVENT TRIGGER schemamig_ddl_command_end ON ddl_command_end
	EXECUTE FUNCTION schemamig.ddl_command_end();
CREATE EVENT TRIGGER schemamig_sql_drop ON sql_drop
	EXECUTE FUNCTION schemamig.sql_drop();
/* even with session_replication_role = replica */
ALTER EVENT TRIGGER schemamig_ddl_command_end ENABLE ALWAYS;
ALTER EVENT TRIGGER schemamig_sql_drop ENABLE ALWAYS;

CREATE FUNCTION mig_ddl_log_prune(older_than interval DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_ddl_log_prune';
COMMENT ON FUNCTION mig_ddl_log_prune(interval)
	IS 'delete DDL log rows older than older_than (default: schemamig.ddl_log_retention)';
REVOKE ALL ON FUNCTION mig_ddl_log_prune(interval) FROM PUBLIC;
/* ======================== end of the DDL hook and log ==================== */

/* ------------------------------------------------------------------------
 * Registering revisions
 * ------------------------------------------------------------------------ */

CREATE FUNCTION mig_revision(
	revision		text,
	down_revision	text DEFAULT NULL,
	upgrade			text DEFAULT '',
	downgrade		text DEFAULT NULL,
	message			text DEFAULT NULL,
	branch_labels	text DEFAULT NULL,
	depends_on		text DEFAULT NULL)
RETURNS text
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_revision';
COMMENT ON FUNCTION mig_revision(text, text, text, text, text, text, text)
	IS 'register a revision (idempotent for identical content)';

CREATE FUNCTION mig_merge(
	revisions		text,
	message			text DEFAULT NULL,
	revision		text DEFAULT NULL)
RETURNS text
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_merge';
COMMENT ON FUNCTION mig_merge(text, text, text)
	IS 'register a merge revision over the given heads (''a,b'' or ''heads'')';

CREATE FUNCTION mig_unregister(revision text)
RETURNS void
LANGUAGE c VOLATILE STRICT
AS 'MODULE_PATHNAME', 'mig_unregister';
COMMENT ON FUNCTION mig_unregister(text)
	IS 'remove a registered revision that is not applied and has no children';

/* ------------------------------------------------------------------------
 * Moving the database
 * ------------------------------------------------------------------------ */

CREATE FUNCTION mig_upgrade(target text DEFAULT 'head')
RETURNS TABLE(revision text, message text, duration_ms double precision)
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_upgrade';
COMMENT ON FUNCTION mig_upgrade(text) IS 'upgrade the database to target in one transaction';

CREATE FUNCTION mig_downgrade(target text)
RETURNS TABLE(revision text, message text, duration_ms double precision)
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_downgrade';
COMMENT ON FUNCTION mig_downgrade(text) IS 'downgrade the database to target in one transaction';

CREATE FUNCTION mig_stamp(target text)
RETURNS SETOF text
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_stamp';
COMMENT ON FUNCTION mig_stamp(text) IS 'set the current heads without running any SQL';

CREATE FUNCTION mig_current()
RETURNS SETOF text
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'mig_current';
COMMENT ON FUNCTION mig_current() IS 'the database''s current heads';

CREATE FUNCTION mig_heads()
RETURNS SETOF text
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'mig_heads';
COMMENT ON FUNCTION mig_heads() IS 'the heads of the registered revision graph';

CREATE FUNCTION mig_history()
RETURNS TABLE(revision text, down_revision text, branch_labels text,
			  depends_on text, message text, is_applied boolean,
			  is_current boolean, is_head boolean,
			  applied_at timestamptz, duration_ms double precision,
			  applied_by name)
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'mig_history';
COMMENT ON FUNCTION mig_history() IS 'the revision graph in order, with applied state and timings';

CREATE FUNCTION mig_sql(from_target text, to_target text)
RETURNS SETOF text
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'mig_sql';
COMMENT ON FUNCTION mig_sql(text, text)
	IS 'the SQL script an upgrade or downgrade from from_target to to_target would run (Alembic''s --sql)';

CREATE PROCEDURE mig_upgrade_proc(target text DEFAULT 'head')
LANGUAGE c
AS 'MODULE_PATHNAME', 'mig_upgrade_proc';
COMMENT ON PROCEDURE mig_upgrade_proc(text)
	IS 'upgrade to target, committing after each revision';

CREATE PROCEDURE mig_downgrade_proc(target text)
LANGUAGE c
AS 'MODULE_PATHNAME', 'mig_downgrade_proc';
COMMENT ON PROCEDURE mig_downgrade_proc(text)
	IS 'downgrade to target, committing after each revision';

/* ------------------------------------------------------------------------
 * Schema snapshots: the model of each managed schema stored whenever the
 * version table moves and commits, for mig_check()'s drift detection.
 * ------------------------------------------------------------------------ */

CREATE TABLE schemamig.snapshot (
	id				bigserial PRIMARY KEY,
	heads			text[] NOT NULL,
	schema_name		name NOT NULL,
	taken_at		timestamptz NOT NULL DEFAULT now(),
	model			jsonb NOT NULL
);
CREATE INDEX snapshot_heads_idx ON schemamig.snapshot (heads, schema_name);
COMMENT ON TABLE schemamig.snapshot IS 'schema model of each managed schema per set of current heads';
SELECT pg_catalog.pg_extension_config_dump('schemamig.snapshot', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.snapshot_id_seq', '');
GRANT SELECT ON schemamig.snapshot TO PUBLIC;

/* ------------------------------------------------------------------------
 * Checking
 * ------------------------------------------------------------------------ */

CREATE FUNCTION mig_verify(target text DEFAULT 'heads')
RETURNS TABLE(revision text, upgrade_ok boolean, downgrade_ok boolean,
			  schema_restored boolean, data_preserved boolean,
			  duration_ms double precision, first_difference text)
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_verify';
COMMENT ON FUNCTION mig_verify(text)
	IS 'round trip of every revision an upgrade to target would run (upgrade, downgrade, compare schema and data, upgrade again), all rolled back';
REVOKE ALL ON FUNCTION mig_verify(text) FROM PUBLIC;

CREATE FUNCTION mig_check()
RETURNS TABLE(severity text, code text, object text, message text)
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_check';
COMMENT ON FUNCTION mig_check()
	IS 'graph validity, tampered revisions, version table and history integrity, pending work; no error row = clean';

CREATE FUNCTION mig_check_report()
RETURNS text
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_check_report';
COMMENT ON FUNCTION mig_check_report() IS 'mig_check() as a readable text summary';

/* ========================================================================
 * Linting (src/lint.c, src/lint_rules.c)
 *
 * mig_lint parses a script with the server's parser and reports what each
 * statement would do on this database (locks, rewrites, scans, broken
 * clients); it never executes anything, so it is STABLE and open to
 * everybody.  mig_lint_rules lists the rule catalogue.
 * ======================================================================== */
CREATE FUNCTION mig_lint(sql text)
RETURNS TABLE(rule text, severity text, statement int, object text,
			  message text, hint text)
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mig_lint';
COMMENT ON FUNCTION mig_lint(text)
	IS 'lint migration SQL without running it: one row per finding (rule, severity, statement, object, message, hint)';
GRANT EXECUTE ON FUNCTION mig_lint(text) TO PUBLIC;

CREATE FUNCTION mig_lint_rules()
RETURNS TABLE(rule text, severity text, family text, lock text, effect text,
			  size_gated boolean, description text, hint text)
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mig_lint_rules';
COMMENT ON FUNCTION mig_lint_rules()
	IS 'the lint rule catalogue: id, severity, lock taken, rewrite or scan, safe alternative';
GRANT EXECUTE ON FUNCTION mig_lint_rules() TO PUBLIC;
/* =========================== end of linting ============================= */

/* ========================================================================
 * The migration report (src/report.c)
 *
 * mig_report() describes one revision in Markdown for a change board: its
 * changes, safety analysis, testing results, deployment plan and risk;
 * mig_report_plan() does it for every revision a deployment runs.  It
 * reads the catalogs and parses the revision's SQL, never running it, so
 * everybody may call it, like mig_check and mig_lint; verify => true runs
 * the round trip (rolled back) and needs EXECUTE on mig_verify, which the
 * function checks itself.
 * ======================================================================== */

CREATE FUNCTION mig_report(revision text, verify boolean DEFAULT false)
RETURNS text
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_report';
COMMENT ON FUNCTION mig_report(text, boolean)
	IS 'the Markdown migration report of one revision: changes, safety analysis, testing results, deployment plan, risk';
GRANT EXECUTE ON FUNCTION mig_report(text, boolean) TO PUBLIC;

CREATE FUNCTION mig_report_plan(target text DEFAULT 'heads', verify boolean DEFAULT false)
RETURNS text
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_report_plan';
COMMENT ON FUNCTION mig_report_plan(text, boolean)
	IS 'one Markdown report over every revision an upgrade to target would run, with the overall risk';
GRANT EXECUTE ON FUNCTION mig_report_plan(text, boolean) TO PUBLIC;

/* ------------------------------------------------------------------------
 * Privileges
 * ------------------------------------------------------------------------ */

REVOKE ALL ON FUNCTION mig_revision(text, text, text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION mig_merge(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION mig_unregister(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION mig_upgrade(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION mig_downgrade(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION mig_stamp(text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE mig_upgrade_proc(text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE mig_downgrade_proc(text) FROM PUBLIC;

/*
 * mig_grant_runner: give a (non-superuser) migration role what it needs to
 * register revisions and move the database: EXECUTE on the mutating
 * functions and write access to the revision and version tables; INSERT
 * (never UPDATE or DELETE) on the history.  Only the extension owner or a
 * superuser can call it, since only they hold the grant options.
 */
CREATE FUNCTION mig_grant_runner(role_name name)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s text := (SELECT quote_ident(n.nspname) FROM pg_catalog.pg_extension e
			   JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
			   WHERE e.extname = 'schemamig');
	r text := quote_ident(role_name);
BEGIN
	EXECUTE format('GRANT EXECUTE ON FUNCTION %s.mig_revision(text, text, text, text, text, text, text), '
				   '%s.mig_merge(text, text, text), %s.mig_unregister(text), '
				   '%s.mig_upgrade(text), %s.mig_downgrade(text), %s.mig_stamp(text) TO %s',
				   s, s, s, s, s, s, r);
	EXECUTE format('GRANT EXECUTE ON PROCEDURE %s.mig_upgrade_proc(text), %s.mig_downgrade_proc(text) TO %s',
				   s, s, r);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON schemamig.revision, schemamig.version TO %s', r);
	EXECUTE format('GRANT SELECT, INSERT ON schemamig.history TO %s', r);
	EXECUTE format('GRANT SELECT, INSERT, DELETE ON schemamig.snapshot TO %s', r);
	EXECUTE format('GRANT EXECUTE ON FUNCTION %s.mig_verify(text) TO %s', s, r);
	EXECUTE format('GRANT EXECUTE ON FUNCTION %s.mig_autogenerate(text, text, text, text) TO %s', s, r);
	EXECUTE format('GRANT EXECUTE ON FUNCTION %s.mig_adopt_drift(text, text, text, boolean) TO %s', s, r);
	EXECUTE format('GRANT USAGE ON SEQUENCE schemamig.snapshot_id_seq TO %s', r);
	EXECUTE format('GRANT USAGE ON SEQUENCE schemamig.revision_seq_seq, schemamig.history_id_seq TO %s', r);
END
$fn$;
REVOKE ALL ON FUNCTION mig_grant_runner(name) FROM PUBLIC;
COMMENT ON FUNCTION mig_grant_runner(name)
	IS 'grant a migration role the right to register revisions and run migrations';

/* ========================================================================
 * Comparing schemas (src/model.c, src/diff.c, src/api_diff.c)
 *
 * mig_model() reads a schema into the schema model (jsonb), mig_diff()
 * compares two schemas of the database and returns the DDL that makes the
 * first look like the second, mig_diff_models() does the same for two
 * models (snapshots), and mig_autogenerate() registers a revision from a
 * desired state.  Reading and comparing is allowed to everyone (it reads
 * the catalogs with the caller's rights); autogenerate registers a
 * revision and is revoked from PUBLIC like mig_revision.
 * ======================================================================== */

CREATE FUNCTION mig_model(schema text)
RETURNS jsonb
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'mig_model';
COMMENT ON FUNCTION mig_model(text)
	IS 'the schema model of a schema: every object, its attributes and dependencies';

CREATE FUNCTION mig_diff(target_schema text, desired_schema text,
						 concurrently boolean DEFAULT false)
RETURNS SETOF text
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'mig_diff';
COMMENT ON FUNCTION mig_diff(text, text, boolean)
	IS 'the ordered DDL statements that make target_schema look like desired_schema';

CREATE FUNCTION mig_diff_models(target jsonb, desired jsonb,
								concurrently boolean DEFAULT false)
RETURNS SETOF text
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'mig_diff_models';
COMMENT ON FUNCTION mig_diff_models(jsonb, jsonb, boolean)
	IS 'the ordered DDL statements that turn schema model target into schema model desired';

CREATE FUNCTION mig_autogenerate(desired text, message text DEFAULT NULL,
								 revision text DEFAULT NULL,
								 target_schema text DEFAULT 'public')
RETURNS text
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_autogenerate';
COMMENT ON FUNCTION mig_autogenerate(text, text, text, text)
	IS 'register a revision from a desired state (a schema name or SQL text): upgrade and downgrade are the diffs';
REVOKE ALL ON FUNCTION mig_autogenerate(text, text, text, text) FROM PUBLIC;

/* ========================================================================
 * Adopting drift (src/adopt.c)
 *
 * mig_adopt_drift() turns what changed in the managed schemas since the
 * snapshot of the current heads into a new revision, recorded as applied:
 * its upgrade is the out-of-band statements of the DDL log (or the model
 * diff), its downgrade the model diff back to the snapshot.  It registers
 * and stamps, so it is revoked from PUBLIC like mig_revision and mig_stamp.
 * ======================================================================== */

CREATE FUNCTION mig_adopt_drift(revision text DEFAULT NULL,
								message text DEFAULT NULL,
								source text DEFAULT 'log',
								verify boolean DEFAULT true)
RETURNS text
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mig_adopt_drift';
COMMENT ON FUNCTION mig_adopt_drift(text, text, text, boolean)
	IS 'adopt the drift since the snapshot of the current heads as a new revision, recorded as applied; returns its id';
REVOKE ALL ON FUNCTION mig_adopt_drift(text, text, text, boolean) FROM PUBLIC;
