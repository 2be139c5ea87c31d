-- graph: the revision graph engine.  Heads and bases, branches, merge
-- points, several bases, depends_on by id and by branch label, redundant
-- parent links, the version table after every step, and the errors raised
-- when the registered revisions do not form a valid graph.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
DROP TABLE IF EXISTS graph_trace;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

-- every revision's SQL records its id, its direction and the version table
-- it sees (the one before its own step)
CREATE TABLE graph_trace (seq serial, rev text, dir text, seen text);
CREATE FUNCTION pg_temp.body(id text, dir text) RETURNS text
LANGUAGE sql AS $$
	SELECT format($f$INSERT INTO graph_trace (rev, dir, seen) SELECT %L, %L,
		coalesce((SELECT string_agg(h, ',' ORDER BY h) FROM mig_current() h), 'base')$f$,
		id, dir)
$$;
-- rev(id, parents, labels, depends): register a revision that traces itself
CREATE FUNCTION pg_temp.rev(id text, parents text DEFAULT NULL,
							labels text DEFAULT NULL, depends text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
	SELECT mig_revision(id, parents, pg_temp.body(id, 'up'),
						pg_temp.body(id, 'down'), NULL, labels, depends)
$$;
-- run(cmd, target): each step as "rev(version table after it)", then the
-- final version table; or the error with its SQLSTATE
CREATE FUNCTION pg_temp.run(cmd text, target text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	steps text;
	st text; msg text; det text; hnt text;
BEGIN
	TRUNCATE graph_trace;
	IF cmd = 'stamp' THEN
		PERFORM mig_stamp(target);
	ELSE
		EXECUTE format('SELECT count(*) FROM mig_%s(%L)', cmd, target);
	END IF;
	-- a step's version table is what the next step saw, or the final one
	SELECT string_agg(step, ' ' ORDER BY seq) INTO steps
	  FROM (SELECT t.seq, t.rev || '(' || coalesce(lead(t.seen) OVER
						(ORDER BY t.seq), f.fin) || ')' AS step
			  FROM graph_trace t,
				   (SELECT coalesce(string_agg(h, ',' ORDER BY h), 'base') AS fin
					  FROM mig_current() h) f) s;
	RETURN coalesce(steps, '(nothing)') || ' => ' ||
		coalesce((SELECT string_agg(h, ',' ORDER BY h) FROM mig_current() h), 'base');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN 'ERROR ' || st || ': ' || msg ||
		coalesce(E'\nDETAIL: ' || nullif(det, ''), '') ||
		coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;
-- bad(id, parents, labels, depends): the error registering it raises
CREATE FUNCTION pg_temp.bad(id text, parents text DEFAULT NULL,
							labels text DEFAULT NULL, depends text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text; hnt text;
BEGIN
	PERFORM pg_temp.rev(id, parents, labels, depends);
	RETURN 'registered';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN 'ERROR ' || st || ': ' || msg ||
		coalesce(E'\nDETAIL: ' || nullif(det, ''), '') ||
		coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;
CREATE FUNCTION pg_temp.heads() RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(h, ',' ORDER BY h), '(none)') FROM mig_heads() h
$$;

--
-- An empty graph, then a linear history.
--
SELECT pg_temp.heads();
SELECT pg_temp.run('upgrade', 'heads');
SELECT pg_temp.run('downgrade', 'base');
SELECT pg_temp.rev('a100');
SELECT pg_temp.rev('a200', 'a100');
SELECT pg_temp.rev('a300', 'a200');
SELECT pg_temp.heads();
SELECT pg_temp.run('upgrade', 'head');
SELECT pg_temp.run('upgrade', 'head');
SELECT pg_temp.run('downgrade', 'a100');
SELECT pg_temp.run('downgrade', 'base');

--
-- A branch: a200 gets a second child; two heads, then a merge point.
--
SELECT pg_temp.rev('b100', 'a200', 'blue');
SELECT pg_temp.rev('b200', 'b100');
SELECT pg_temp.heads();
SELECT pg_temp.run('upgrade', 'a300');
SELECT pg_temp.run('upgrade', 'blue@head');
SELECT pg_temp.run('upgrade', 'heads');
SELECT pg_temp.rev('m100', 'a300,b200');
SELECT pg_temp.heads();
-- the merge step turns two rows into one
SELECT pg_temp.run('upgrade', 'head');
-- downgrading the merge point turns one row back into two
SELECT pg_temp.run('downgrade', 'a300');
SELECT pg_temp.run('downgrade', 'base');
SELECT pg_temp.run('upgrade', 'head');
SELECT revision, is_head, is_current FROM mig_history() ORDER BY revision;

--
-- A second base: independent history, its own row in the version table.
--
SELECT pg_temp.rev('c100', NULL, 'green');
SELECT pg_temp.rev('c200', 'c100');
SELECT pg_temp.heads();
SELECT pg_temp.run('upgrade', 'heads');
SELECT pg_temp.run('downgrade', 'green@base');
SELECT pg_temp.run('upgrade', 'green@c100');
SELECT pg_temp.run('stamp', 'c200');
SELECT pg_temp.run('downgrade', 'base');

--
-- depends_on: by revision id and by branch label.  A revision that only
-- other revisions depend on stays a head (Alembic's `heads`), but "heads"
-- as a target does not need it: it is applied through the dependency, and
-- the version table keeps only the revision that depends on it.
--
SELECT pg_temp.rev('d100', 'm100', NULL, 'c200');
SELECT pg_temp.rev('d200', 'd100', NULL, 'green');
SELECT pg_temp.heads();
SELECT pg_temp.run('upgrade', 'heads');
SELECT pg_temp.run('downgrade', '-1');
-- c100 is needed by d200 (through "green"): it goes down with it
SELECT pg_temp.run('downgrade', 'green@base');
SELECT pg_temp.run('upgrade', 'd100');
SELECT pg_temp.run('downgrade', 'c100');
SELECT pg_temp.run('downgrade', 'base');

--
-- Redundant parent links: e200 merges e100 and a100, but a100 is already
-- an ancestor of e100.  Everything still runs after its parents on the way
-- up and before them on the way down.
--
SELECT pg_temp.rev('e100', 'a300');
SELECT pg_temp.rev('e200', 'e100,a100');
SELECT pg_temp.run('upgrade', 'e200');
SELECT pg_temp.run('downgrade', 'e100');
SELECT pg_temp.run('downgrade', 'base');
SELECT pg_temp.run('upgrade', 'heads');
SELECT pg_temp.run('downgrade', 'base');

--
-- Errors: revisions that do not form a valid graph.
--
-- ids and labels the target grammar could not address
SELECT pg_temp.run('upgrade', 'heads') AS before_errors;
SELECT pg_temp.bad('x@1');
SELECT pg_temp.bad('x-1');
SELECT pg_temp.bad('x+1');
SELECT pg_temp.bad('x:1');
SELECT pg_temp.bad('x 1');
SELECT pg_temp.bad('heads');
SELECT pg_temp.bad('');
SELECT pg_temp.bad('x100', NULL, 'a@b');
SELECT pg_temp.bad('x100', NULL, 'base');
-- labels used twice, or equal to an id
SELECT pg_temp.bad('x100', NULL, 'blue');
SELECT pg_temp.bad('x100', NULL, 'a100');
-- parents and dependencies
SELECT pg_temp.bad('x100', 'x100');
SELECT pg_temp.bad('x100', 'nosuch');
SELECT pg_temp.bad('x100', 'a100,a100');
SELECT pg_temp.bad('x100', NULL, NULL, 'nosuch');
SELECT pg_temp.bad('x100', NULL, NULL, 'x100');
-- cycles: replacing a revision that is not applied with one that depends
-- on its own descendant, directly or through a branch label
SELECT pg_temp.run('downgrade', 'base');
SELECT pg_temp.bad('a100', NULL, NULL, 'a300');
SELECT pg_temp.bad('a100', NULL, NULL, 'blue');
SELECT pg_temp.bad('c100', NULL, 'green', 'd200');
-- nothing of the above was registered
SELECT pg_temp.heads();
SELECT count(*) AS revisions FROM mig_history();

DROP TABLE graph_trace;
DROP EXTENSION schemamig CASCADE;
