-- targets: every form of Alembic's target grammar, on one graph with
-- branches, a merge point, two bases, branch labels and a depends_on, and
-- every error a target can raise.  What each command runs and the version
-- table after it are what Alembic 1.8 does with the same graph.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SET schemamig.progress = off;

-- run(cmd, target): the revisions the command runs, in order, then "=>" and
-- the version table after it; or the error, with its SQLSTATE, detail and hint
CREATE FUNCTION pg_temp.run(cmd text, target text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	ran text;
	st text; msg text; det text; hnt text;
BEGIN
	IF cmd = 'stamp' THEN
		PERFORM mig_stamp(target);
		ran := '(stamp)';
	ELSE
		EXECUTE format('SELECT string_agg(revision, %L) FROM mig_%s(%L)',
					   ' ', cmd, target) INTO ran;
	END IF;
	RETURN coalesce(ran, '(nothing)') || ' => ' ||
		coalesce((SELECT string_agg(h, ',' ORDER BY h) FROM mig_current() h), 'base');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN 'ERROR ' || st || ': ' || msg ||
		coalesce(E'\nDETAIL: ' || nullif(det, ''), '') ||
		coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;

--        m1aa (main) -- m2bb -- m3cc ----------- m4ff -- m5gg -- d1kk
--                          \        \           /                /
--                           \        h1hh      /     depends_on "lib"
--                            \    (hotfix)    /                /
--                             f1dd -- f2ee --'       l1ii (lib) -- l2jj
--                          (feature)
SELECT mig_revision('m1aa', NULL, '', '', 'main 1', 'main');
SELECT mig_revision('m2bb', 'm1aa', '', '', 'main 2');
SELECT mig_revision('m3cc', 'm2bb', '', '', 'main 3');
SELECT mig_revision('f1dd', 'm2bb', '', '', 'feature 1', 'feature');
SELECT mig_revision('f2ee', 'f1dd', '', '', 'feature 2');
SELECT mig_revision('m4ff', 'm3cc,f2ee', '', '', 'merge feature');
SELECT mig_revision('m5gg', 'm4ff', '', '', 'main 5');
SELECT mig_revision('h1hh', 'm3cc', '', '', 'hotfix', 'hotfix');
SELECT mig_revision('l1ii', NULL, '', '', 'lib 1', 'lib');
SELECT mig_revision('l2jj', 'l1ii', '', '', 'lib 2');
SELECT mig_revision('d1kk', 'm5gg', '', '', 'uses lib', NULL, 'lib');
SELECT string_agg(h, ',' ORDER BY h) AS heads FROM mig_heads() h;

--
-- "head" needs a single head; "heads"; branch heads
--
SELECT pg_temp.run('upgrade', 'head');
SELECT pg_temp.run('upgrade', 'main@head');
SELECT pg_temp.run('upgrade', 'lib@head');
SELECT pg_temp.run('upgrade', 'hotfix@head');
SELECT pg_temp.run('upgrade', 'heads');
SELECT pg_temp.run('upgrade', 'heads');
SELECT pg_temp.run('downgrade', 'base');

--
-- full ids and unique prefixes (of ids and of branch labels)
--
SELECT pg_temp.run('upgrade', 'm2bb');
SELECT pg_temp.run('upgrade', 'm3');
SELECT pg_temp.run('upgrade', 'feat');       -- prefix of the label "feature"
SELECT pg_temp.run('downgrade', 'm1');
SELECT pg_temp.run('upgrade', 'm');          -- ambiguous prefix
SELECT pg_temp.run('upgrade', 'l');          -- "lib" is too short to match
SELECT pg_temp.run('upgrade', 'zzzz');
SELECT pg_temp.run('upgrade', 'zz');         -- short: hint about four characters
SELECT pg_temp.run('downgrade', 'base');

--
-- relative steps from the current heads: +N and -N
--
SELECT pg_temp.run('upgrade', '+1');         -- two bases: ambiguous
SELECT pg_temp.run('upgrade', 'main@+1');
SELECT pg_temp.run('upgrade', '+1');
SELECT pg_temp.run('upgrade', '+1');         -- m2bb is a branch point
SELECT pg_temp.run('upgrade', 'feature@+2');
SELECT pg_temp.run('upgrade', 'feature@+1'); -- m4ff needs m3cc too
SELECT pg_temp.run('downgrade', '-1');       -- m4ff is a merge point
SELECT pg_temp.run('downgrade', 'f2ee');
SELECT pg_temp.run('downgrade', 'feature@-1');
SELECT pg_temp.run('downgrade', 'main@-1');  -- both heads are on main
SELECT pg_temp.run('downgrade', 'm1aa');
SELECT pg_temp.run('downgrade', '-2');       -- below base
SELECT pg_temp.run('downgrade', '-1');
SELECT pg_temp.run('upgrade', '-1');         -- wrong direction
SELECT pg_temp.run('upgrade', '+0');
SELECT pg_temp.run('downgrade', '+1');       -- wrong direction
SELECT pg_temp.run('downgrade', '-1');       -- nothing is applied

--
-- relative to a revision: <rev>+N and <rev>-N
--
SELECT pg_temp.run('upgrade', 'm1aa+2');
SELECT pg_temp.run('upgrade', 'f1dd+1');
SELECT pg_temp.run('upgrade', 'm2bb+1');     -- ambiguous: m3cc or f1dd
SELECT pg_temp.run('upgrade', 'm5gg+1');
SELECT pg_temp.run('upgrade', 'm5gg+2');     -- beyond the last revision
SELECT pg_temp.run('downgrade', 'f2ee-1');
SELECT pg_temp.run('downgrade', 'm4ff-1');   -- a merge point: two ways down
SELECT pg_temp.run('downgrade', 'm2bb-2');   -- below m1aa: base
SELECT pg_temp.run('downgrade', 'm1aa+0');

--
-- branches: <label>@head, <label>@base, <label>@<rev>, <label>@+N, <label>@-N
--
SELECT pg_temp.run('upgrade', 'feature@head');
SELECT pg_temp.run('upgrade', 'hotfix@head');
SELECT pg_temp.run('downgrade', 'hotfix@-1');
SELECT pg_temp.run('upgrade', 'lib@+1');
SELECT pg_temp.run('upgrade', 'lib@+1');
SELECT pg_temp.run('downgrade', 'lib@base');     -- d1kk depends on lib: goes too
SELECT pg_temp.run('upgrade', 'hotfix@h1hh');
SELECT pg_temp.run('upgrade', 'hotfix@m5gg');   -- not on that branch
SELECT pg_temp.run('downgrade', 'hotfix@m3');
SELECT pg_temp.run('upgrade', 'main@m3cc+1');   -- m3cc+1 on branch main: ambiguous
SELECT pg_temp.run('upgrade', 'hotfix@m3cc+1');
SELECT pg_temp.run('downgrade', 'hotfix@h1hh-1');
SELECT pg_temp.run('upgrade', 'm3cc@head');     -- a revision id used as a branch
SELECT pg_temp.run('upgrade', 'nolabel@head');
SELECT pg_temp.run('upgrade', 'nolabel@base');  -- base needs no branch: no-op
SELECT pg_temp.run('downgrade', 'nolabel@m1aa');
SELECT pg_temp.run('upgrade', 'lib@heads');
SELECT pg_temp.run('upgrade', 'main@heads');
SELECT pg_temp.run('downgrade', 'l1ii');        -- d1kk depends on l1ii: stays
SELECT pg_temp.run('downgrade', 'base');

--
-- downgrade targets must be below the current heads
--
SELECT pg_temp.run('upgrade', 'f2ee');
SELECT pg_temp.run('downgrade', 'm3cc');        -- not applied
SELECT pg_temp.run('downgrade', 'l2jj');
SELECT pg_temp.run('downgrade', 'f2ee');        -- already there: nothing to do
SELECT pg_temp.run('downgrade', 'heads');
SELECT pg_temp.run('downgrade', 'm2bb');

--
-- stamp: move the version table without running anything
--
SELECT pg_temp.run('stamp', 'm5gg');
SELECT pg_temp.run('stamp', 'l1ii');            -- another base: a new row
SELECT pg_temp.run('stamp', 'f1dd');            -- below m5gg: replaces it
SELECT pg_temp.run('stamp', 'heads');
SELECT pg_temp.run('stamp', 'head');
SELECT pg_temp.run('stamp', 'lib@base');
SELECT pg_temp.run('stamp', 'base');
SELECT pg_temp.run('stamp', 'zzzz');

--
-- invalid syntax
--
SELECT pg_temp.run('upgrade', '');
SELECT pg_temp.run('upgrade', 'm1aa ');
SELECT pg_temp.run('upgrade', '@head');
SELECT pg_temp.run('upgrade', 'main@');
SELECT pg_temp.run('upgrade', 'main@feature@head');
SELECT pg_temp.run('upgrade', 'm1aa+1x');
SELECT pg_temp.run('downgrade', 'main@-1junk');
SELECT count(*) AS current_heads FROM mig_current();

DROP EXTENSION schemamig CASCADE;
