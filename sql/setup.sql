-- setup: the extension installs cleanly and its objects are where the
-- contract says (tables in schema schemamig, functions callable unqualified).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS schemamig CASCADE;
RESET client_min_messages;
CREATE EXTENSION schemamig;
SELECT extname, extversion, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'schemamig';
SELECT c.relname, c.relkind
  FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
 WHERE c.relnamespace = 'schemamig'::regnamespace ORDER BY 1;
SELECT p.proname, p.pronamespace::regnamespace AS schema, p.prosecdef
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'schemamig'
 ORDER BY 1;
SELECT count(*) AS current_heads FROM mig_current();
SELECT count(*) AS graph_heads FROM mig_heads();
