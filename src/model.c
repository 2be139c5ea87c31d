/*-------------------------------------------------------------------------
 *
 * model.c
 *	  The schema model: catalogs -> in-memory model, model <-> jsonb, and
 *	  the rewriting of schema-qualified references that lets two schemas be
 *	  compared.
 *
 * A schema is read with one set-based query per object kind (never one
 * query per object), each evaluated with search_path = pg_catalog so that
 * the server's own deparsers (format_type, pg_get_expr,
 * pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef,
 * pg_get_functiondef, pg_get_triggerdef, ...) qualify every user object
 * with its schema.  The queries all have the same shape: kind, parent,
 * name, the catalog identity (classid, objid, objsubid), then one column per
 * attribute, named after it; NULL attributes are left out.  One more query
 * reads pg_depend, and a few aliases (a table's row type is the table, an
 * index owned by a constraint is the constraint, a column default is the
 * column, a view's rewrite rule is the view, ...) map its rows onto the
 * model's objects.
 *
 * The model of schema s mentions s by name wherever a definition refers to
 * one of its own objects; mig_model_rename() rewrites those references, so
 * that the models of two schemas compare attribute by attribute.
 *
 * IDENTIFICATION
 *	  src/model.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "model.h"

static const char *const kind_names[MIG_NUM_OBJ_KINDS] = {
	[MIG_OBJ_SCHEMA] = "schema",
	[MIG_OBJ_EXTENSION] = "extension",
	[MIG_OBJ_TYPE] = "type",
	[MIG_OBJ_ATTRIBUTE] = "attribute",
	[MIG_OBJ_DOMAIN_CONSTRAINT] = "domain constraint",
	[MIG_OBJ_SEQUENCE] = "sequence",
	[MIG_OBJ_FUNCTION] = "function",
	[MIG_OBJ_TABLE] = "table",
	[MIG_OBJ_COLUMN] = "column",
	[MIG_OBJ_CONSTRAINT] = "constraint",
	[MIG_OBJ_INDEX] = "index",
	[MIG_OBJ_VIEW] = "view",
	[MIG_OBJ_TRIGGER] = "trigger",
	[MIG_OBJ_POLICY] = "policy",
	[MIG_OBJ_STATISTICS] = "statistics",
	[MIG_OBJ_DEFAULT_ACL] = "default privileges",
};

/* ------------------------------------------------------------------------
 * The catalog queries
 * ------------------------------------------------------------------------ */

/* an ACL as a sorted list "grantee=PRIVILEGE[*],..." (no grantors) */
#define ACL_SQL(acl, dflt) \
	"(SELECT string_agg(x, ',' ORDER BY x COLLATE \"C\") FROM (" \
	"SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' " \
	"ELSE quote_ident(pg_get_userbyid(a.grantee)) END || '=' || " \
	"a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END AS x " \
	"FROM aclexplode(coalesce(" acl ", " dflt ")) a) acl)"

/*
 * an ACL that is not the default one (NULL, or what acldefault() says the
 * owner gets); absent otherwise, which the diff reads as the default
 */
#define NONDEFAULT_ACL_SQL(acl, kind, owner) \
	"CASE WHEN " acl " IS NOT NULL AND " acl " <> acldefault(" kind ", " owner ") THEN " \
	ACL_SQL(acl, "NULL::aclitem[]") " END"

/* not a member of an extension */
#define NOT_EXT(cls, oid) \
	"NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" cls \
	"'::regclass AND e.objid = " oid " AND e.deptype = 'e')"

/* a comment, by an index probe (obj_description() is an SQL function) */
#define DESC_SQL(oid, cls, sub) \
	"(SELECT ds.description FROM pg_description ds WHERE ds.objoid = " oid \
	" AND ds.classoid = '" cls "'::regclass AND ds.objsubid = " sub ")"

/* a collation's qualified name */
#define COLL_SQL(oid) \
	"(SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname) " \
	"FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace " \
	"WHERE co.oid = " oid ")"

#define TABLESPACE_SQL(oid) \
	"(SELECT quote_ident(spcname) FROM pg_tablespace WHERE oid = " oid ")"

static const char *const model_queries[] = {
	/* the schema itself */
	"SELECT 'schema', NULL, '', 0::oid, 0::oid, 0, "
	"pg_get_userbyid(n.nspowner) AS owner, "
	NONDEFAULT_ACL_SQL("n.nspacl", "'n'", "n.nspowner") " AS acl, "
	DESC_SQL("n.oid", "pg_namespace", "0") " AS comment "
	"FROM pg_namespace n WHERE n.oid = $1",

	/* extensions installed in it */
	"SELECT 'extension', NULL, x.extname, 'pg_extension'::regclass, x.oid, 0, "
	"x.extversion AS version "
	"FROM pg_extension x WHERE x.extnamespace = $1 AND x.extname <> 'schemamig'",

	/* enums, domains, composite types, ranges */
	"SELECT 'type', NULL, t.typname, 'pg_type'::regclass, t.oid, 0, "
	"CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' "
	"  WHEN 'c' THEN 'composite' WHEN 'r' THEN 'range' END AS type_kind, "
	"CASE WHEN t.typtype = 'e' THEN (SELECT string_agg(quote_literal(v.enumlabel), ', ' "
	"  ORDER BY v.enumsortorder) FROM pg_enum v WHERE v.enumtypid = t.oid) END AS \"values\", "
	"CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type, "
	"CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN "
	COLL_SQL("t.typcollation") " END AS collation, "
	"CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END AS \"default\", "
	"CASE WHEN t.typtype = 'd' AND t.typnotnull THEN 'true' END AS not_null, "
	"CASE WHEN t.typtype = 'r' THEN format_type(r.rngsubtype, NULL) END AS subtype, "
	"CASE WHEN t.typtype = 'r' AND NOT opc.opcdefault THEN quote_ident(opn.nspname) || '.' || "
	"  quote_ident(opc.opcname) END AS subtype_opclass, "
	"CASE WHEN t.typtype = 'r' AND r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN "
	COLL_SQL("r.rngcollation") " END AS range_collation, "
	"CASE WHEN t.typtype = 'r' AND r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END AS canonical, "
	"CASE WHEN t.typtype = 'r' AND r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END AS subtype_diff, "
	"CASE WHEN t.typtype = 'r' THEN (SELECT quote_ident(m.typname) FROM pg_type m "
	"  WHERE m.oid = r.rngmultitypid) END AS multirange, "
	"pg_get_userbyid(t.typowner) AS owner, "
	NONDEFAULT_ACL_SQL("t.typacl", "'T'", "t.typowner") " AS acl, "
	DESC_SQL("t.oid", "pg_type", "0") " AS comment "
	"FROM pg_type t LEFT JOIN pg_type bt ON bt.oid = t.typbasetype "
	"LEFT JOIN pg_range r ON r.rngtypid = t.oid "
	"LEFT JOIN pg_type st ON st.oid = r.rngsubtype "
	"LEFT JOIN pg_opclass opc ON opc.oid = r.rngsubopc "
	"LEFT JOIN pg_namespace opn ON opn.oid = opc.opcnamespace "
	"LEFT JOIN pg_class tc ON tc.oid = t.typrelid "
	"WHERE t.typnamespace = $1 AND t.typtype IN ('e', 'd', 'c', 'r') "
	"AND (t.typtype <> 'c' OR tc.relkind = 'c') AND " NOT_EXT("pg_type", "t.oid"),

	/* attributes of composite types */
	"SELECT 'attribute', t.typname, a.attname, 'pg_class'::regclass, t.typrelid, a.attnum::int4, "
	"format_type(a.atttypid, a.atttypmod) AS type, "
	"CASE WHEN a.attcollation <> at.typcollation THEN " COLL_SQL("a.attcollation") " END AS collation, "
	"a.attnum AS _position "
	"FROM pg_type t JOIN pg_class tc ON tc.oid = t.typrelid AND tc.relkind = 'c' "
	"JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped "
	"JOIN pg_type at ON at.oid = a.atttypid "
	"WHERE t.typnamespace = $1 AND t.typtype = 'c' AND " NOT_EXT("pg_type", "t.oid"),

	/* CHECK constraints of domains */
	"SELECT 'domain constraint', t.typname, con.conname, 'pg_constraint'::regclass, con.oid, 0, "
	"regexp_replace(pg_get_constraintdef(con.oid), ' NOT VALID$', '') AS definition, "
	"CASE WHEN NOT con.convalidated THEN 'true' END AS not_valid, "
	DESC_SQL("con.oid", "pg_constraint", "0") " AS comment "
	"FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid "
	"WHERE t.typnamespace = $1 AND " NOT_EXT("pg_type", "t.oid"),

	/* sequences, but identity sequences (they belong to their column) */
	"SELECT 'sequence', NULL, c.relname, 'pg_class'::regclass, c.oid, 0, "
	"format_type(s.seqtypid, NULL) AS data_type, s.seqstart::text AS start, "
	"s.seqincrement::text AS increment, s.seqmin::text AS minvalue, s.seqmax::text AS maxvalue, "
	"s.seqcache::text AS cache, CASE WHEN s.seqcycle THEN 'true' END AS cycle, "
	"CASE c.relpersistence WHEN 'u' THEN 'unlogged' END AS persistence, "
	"(SELECT quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || '.' || quote_ident(ta.attname) "
	"  FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid "
	"  JOIN pg_namespace tn ON tn.oid = tc.relnamespace "
	"  JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid "
	"  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
	"  AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND d.refobjsubid > 0) AS owned_by, "
	"pg_get_userbyid(c.relowner) AS owner, "
	NONDEFAULT_ACL_SQL("c.relacl", "'s'", "c.relowner") " AS acl, "
	DESC_SQL("c.oid", "pg_class", "0") " AS comment "
	"FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid "
	"WHERE c.relnamespace = $1 AND c.relkind = 'S' "
	"AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
	"  AND d.objid = c.oid AND d.deptype = 'i') "
	"AND " NOT_EXT("pg_class", "c.oid"),

	/* functions, procedures and window functions (aggregates are reported) */
	"SELECT 'function', NULL, quote_ident(p.proname) || '(' || "
	"pg_get_function_identity_arguments(p.oid) || ')', 'pg_proc'::regclass, p.oid, 0, "
	"CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS function_kind, "
	"pg_get_functiondef(p.oid) AS definition, "
	"pg_get_function_arguments(p.oid) AS arguments, "
	"pg_get_function_result(p.oid) AS result, "
	"l.lanname AS language, "
	"pg_get_userbyid(p.proowner) AS owner, "
	NONDEFAULT_ACL_SQL("p.proacl", "'f'", "p.proowner") " AS acl, "
	DESC_SQL("p.oid", "pg_proc", "0") " AS comment "
	"FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
	"WHERE p.pronamespace = $1 AND p.prokind IN ('f', 'p', 'w') "
	/* not a range type's constructors: they come with the type */
	"AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass "
	"  AND i.objid = p.oid AND i.deptype = 'i') "
	"AND " NOT_EXT("pg_proc", "p.oid"),

	/* ordinary and partitioned tables */
	"SELECT 'table', NULL, c.relname, 'pg_class'::regclass, c.oid, 0, "
	"CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by, "
	"CASE c.relpersistence WHEN 'u' THEN 'unlogged' END AS persistence, "
	"(SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) FROM pg_inherits i "
	"  JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
	"  WHERE i.inhrelid = c.oid AND c.relispartition) AS partition_of, "
	"CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound, "
	"(SELECT string_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), ', ' "
	"  ORDER BY i.inhseqno) FROM pg_inherits i "
	"  JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
	"  WHERE i.inhrelid = c.oid AND NOT c.relispartition) AS inherits, "
	"array_to_string(c.reloptions, ', ') AS options, "
	TABLESPACE_SQL("c.reltablespace") " AS tablespace, "
	"CASE WHEN c.relkind = 'r' AND am.amname <> 'heap' THEN quote_ident(am.amname) END AS access_method, "
	"CASE WHEN c.relrowsecurity THEN 'true' END AS row_security, "
	"CASE WHEN c.relforcerowsecurity THEN 'true' END AS force_row_security, "
	"CASE c.relreplident WHEN 'n' THEN 'NOTHING' WHEN 'f' THEN 'FULL' "
	"  WHEN 'i' THEN (SELECT 'USING INDEX ' || quote_ident(ic.relname) FROM pg_index x "
	"    JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid AND x.indisreplident) "
	"  END AS replica_identity, "
	"CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END AS of_type, "
	"pg_get_userbyid(c.relowner) AS owner, "
	NONDEFAULT_ACL_SQL("c.relacl", "'r'", "c.relowner") " AS acl, "
	DESC_SQL("c.oid", "pg_class", "0") " AS comment "
	"FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam "
	"WHERE c.relnamespace = $1 AND c.relkind IN ('r', 'p') AND " NOT_EXT("pg_class", "c.oid"),

	/* their columns */
	"SELECT 'column', c.relname, a.attname, 'pg_class'::regclass, c.oid, a.attnum::int4, "
	"format_type(a.atttypid, a.atttypmod) AS type, "
	"CASE WHEN a.attcollation <> t.typcollation THEN " COLL_SQL("a.attcollation") " END AS collation, "
	"CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS \"default\", "
	"CASE WHEN a.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated, "
	"CASE WHEN a.attnotnull THEN 'true' END AS not_null, "
	"CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END AS identity, "
	"CASE WHEN a.attidentity <> '' THEN (SELECT quote_ident(sc.relname) FROM pg_depend sd "
	"  JOIN pg_class sc ON sc.oid = sd.objid WHERE sd.classid = 'pg_class'::regclass "
	"  AND sd.refclassid = 'pg_class'::regclass AND sd.refobjid = c.oid "
	"  AND sd.refobjsubid = a.attnum AND sd.deptype = 'i' AND sc.relkind = 'S') END AS identity_sequence, "
	"CASE WHEN a.attidentity <> '' THEN (SELECT 'START WITH ' || s.seqstart || ' INCREMENT BY ' || "
	"  s.seqincrement || ' MINVALUE ' || s.seqmin || ' MAXVALUE ' || s.seqmax || ' CACHE ' || "
	"  s.seqcache || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END "
	"  FROM pg_depend sd JOIN pg_sequence s ON s.seqrelid = sd.objid "
	"  WHERE sd.classid = 'pg_class'::regclass AND sd.refclassid = 'pg_class'::regclass "
	"  AND sd.refobjid = c.oid AND sd.refobjsubid = a.attnum AND sd.deptype = 'i') "
	"  END AS identity_options, "
	"CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' "
	"  WHEN 'x' THEN 'EXTENDED' END AS storage, "
	"CASE t.typstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' "
	"  WHEN 'x' THEN 'EXTENDED' END AS _type_storage, "
	"CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END AS compression, "
	"CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::text END AS statistics, "
	/* without the options a patched server keeps for itself (pg_*) */
	"CASE WHEN a.attoptions IS NULL OR (cardinality(a.attoptions) = 1 "
	"  AND a.attoptions[1] LIKE 'pg\\_%') THEN NULL "
	"  ELSE NULLIF(replace(btrim(regexp_replace(array_to_string(a.attoptions, ','), "
	"  '(^|,)pg_[a-z_]*=[^,]*', '', 'g'), ','), ',', ', '), '') END AS options, "
	"CASE WHEN NOT a.attislocal THEN 'true' END AS inherited, "
	"CASE WHEN a.attacl IS NOT NULL THEN " ACL_SQL("a.attacl", "NULL::aclitem[]") " END AS acl, "
	"ds.description AS comment, "
	"a.attnum::text AS _position "
	"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
	"JOIN pg_type t ON t.oid = a.atttypid "
	"LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
	"LEFT JOIN pg_description ds ON ds.objoid = a.attrelid "
	"  AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum "
	"WHERE c.relnamespace = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
	"AND NOT a.attisdropped AND " NOT_EXT("pg_class", "c.oid"),

	/* table constraints: local ones, not the clones on partitions */
	"SELECT 'constraint', c.relname, con.conname, 'pg_constraint'::regclass, con.oid, 0, "
	"CASE con.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' "
	"  WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclude' END AS type, "
	"regexp_replace(pg_get_constraintdef(con.oid), ' NOT VALID$', '') AS definition, "
	"CASE WHEN NOT con.convalidated THEN 'true' END AS not_valid, "
	DESC_SQL("con.oid", "pg_constraint", "0") " AS comment "
	"FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
	"WHERE c.relnamespace = $1 AND c.relkind IN ('r', 'p') "
	"AND con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conislocal AND con.conparentid = 0 "
	"AND " NOT_EXT("pg_class", "c.oid"),

	/* indexes that no constraint owns, on tables and materialized views */
	"SELECT 'index', tc.relname, ic.relname, 'pg_class'::regclass, ic.oid, 0, "
	"pg_get_indexdef(ic.oid) AS definition, "
	"CASE WHEN NOT x.indisvalid THEN 'true' END AS invalid, "
	"CASE WHEN x.indisclustered THEN 'true' END AS clustered, "
	TABLESPACE_SQL("ic.reltablespace") " AS tablespace, "
	DESC_SQL("ic.oid", "pg_class", "0") " AS comment "
	"FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid "
	"JOIN pg_class tc ON tc.oid = x.indrelid "
	"WHERE ic.relnamespace = $1 AND tc.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition "
	"AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid "
	"  AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x')) "
	"AND " NOT_EXT("pg_class", "tc.oid"),

	/* views and materialized views */
	"SELECT 'view', NULL, c.relname, 'pg_class'::regclass, c.oid, 0, "
	"CASE WHEN c.relkind = 'm' THEN 'true' END AS materialized, "
	"pg_get_viewdef(c.oid) AS definition, "
	"array_to_string(c.reloptions, ', ') AS options, "
	"CASE WHEN c.relkind = 'm' THEN " TABLESPACE_SQL("c.reltablespace") " END AS tablespace, "
	"(SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), "
	"  ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 "
	"  AND NOT a.attisdropped) AS _columns, "
	"pg_get_userbyid(c.relowner) AS owner, "
	NONDEFAULT_ACL_SQL("c.relacl", "'r'", "c.relowner") " AS acl, "
	DESC_SQL("c.oid", "pg_class", "0") " AS comment "
	"FROM pg_class c WHERE c.relnamespace = $1 AND c.relkind IN ('v', 'm') "
	"AND " NOT_EXT("pg_class", "c.oid"),

	/* triggers: user triggers, not the clones on partitions */
	"SELECT 'trigger', c.relname, tg.tgname, 'pg_trigger'::regclass, tg.oid, 0, "
	"pg_get_triggerdef(tg.oid) AS definition, "
	"CASE tg.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA' "
	"  WHEN 'A' THEN 'ENABLE ALWAYS' END AS enabled, "
	DESC_SQL("tg.oid", "pg_trigger", "0") " AS comment "
	"FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid "
	"WHERE c.relnamespace = $1 AND NOT tg.tgisinternal AND tg.tgparentid = 0 "
	"AND " NOT_EXT("pg_class", "c.oid"),

	/* row-level security policies */
	"SELECT 'policy', c.relname, p.polname, 'pg_policy'::regclass, p.oid, 0, "
	"CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END AS permissive, "
	"CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' "
	"  WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command, "
	"(SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, "
	"  ', ' ORDER BY 1) FROM unnest(p.polroles) r) AS roles, "
	"pg_get_expr(p.polqual, p.polrelid) AS using_expression, "
	"pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression, "
	DESC_SQL("p.oid", "pg_policy", "0") " AS comment "
	"FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
	"WHERE c.relnamespace = $1 AND " NOT_EXT("pg_class", "c.oid"),

	/* extended statistics */
	"SELECT 'statistics', NULL, s.stxname, 'pg_statistic_ext'::regclass, s.oid, 0, "
	"pg_get_statisticsobjdef(s.oid) AS definition, "
	"CASE WHEN s.stxstattarget >= 0 THEN s.stxstattarget::text END AS statistics, "
	"pg_get_userbyid(s.stxowner) AS owner, "
	DESC_SQL("s.oid", "pg_statistic_ext", "0") " AS comment "
	"FROM pg_statistic_ext s WHERE s.stxnamespace = $1 "
	"AND " NOT_EXT("pg_statistic_ext", "s.oid"),

	/* default privileges for objects created in the schema */
	"SELECT 'default privileges', NULL, "
	"pg_get_userbyid(d.defaclrole) || ' ' || CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' "
	"  WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' "
	"  ELSE d.defaclobjtype::text END, "
	"'pg_default_acl'::regclass, d.oid, 0, "
	"quote_ident(pg_get_userbyid(d.defaclrole)) AS role, "
	"CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' "
	"  WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' END AS object_type, "
	ACL_SQL("d.defaclacl", "NULL::aclitem[]") " AS acl "
	"FROM pg_default_acl d WHERE d.defaclnamespace = $1",
};

/*
 * Objects the model does not cover, reported so that nothing is silently
 * missed: aggregates, operators, collations, text search objects, foreign
 * tables, rules that are not views' own, ...
 */
static const char *const unsupported_query =
"SELECT 'aggregate ' || p.oid::regprocedure::text FROM pg_proc p "
"WHERE p.pronamespace = $1 AND p.prokind = 'a' AND " NOT_EXT("pg_proc", "p.oid") " "
"UNION ALL SELECT 'operator ' || o.oid::regoperator::text FROM pg_operator o "
"WHERE o.oprnamespace = $1 AND " NOT_EXT("pg_operator", "o.oid") " "
"UNION ALL SELECT 'collation ' || quote_ident(c.collname) FROM pg_collation c "
"WHERE c.collnamespace = $1 AND " NOT_EXT("pg_collation", "c.oid") " "
"UNION ALL SELECT 'text search configuration ' || quote_ident(c.cfgname) FROM pg_ts_config c "
"WHERE c.cfgnamespace = $1 AND " NOT_EXT("pg_ts_config", "c.oid") " "
"UNION ALL SELECT 'foreign table ' || quote_ident(c.relname) FROM pg_class c "
"WHERE c.relnamespace = $1 AND c.relkind = 'f' AND " NOT_EXT("pg_class", "c.oid") " "
"UNION ALL SELECT 'rule ' || quote_ident(r.rulename) || ' on ' || quote_ident(c.relname) "
"FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class "
"WHERE c.relnamespace = $1 AND r.rulename <> '_RETURN' AND " NOT_EXT("pg_class", "c.oid") " "
"UNION ALL SELECT 'base type ' || quote_ident(t.typname) FROM pg_type t "
"WHERE t.typnamespace = $1 AND t.typtype IN ('b', 'p') AND t.typelem = 0 "
"AND " NOT_EXT("pg_type", "t.oid") " "
"ORDER BY 1";

/*
 * Aliases: catalog identities that stand for a model object with another
 * identity (classid, objid, objsubid -> classid, objid, objsubid).
 */
static const char *const alias_query =
/* a table's or view's row type is the relation */
"SELECT 'pg_type'::regclass, t.oid, 0, 'pg_class'::regclass, t.typrelid, 0 "
"FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid "
"WHERE t.typnamespace = $1 AND c.relkind <> 'c' "
/* a composite type's relation is the type */
"UNION ALL SELECT 'pg_class'::regclass, t.typrelid, 0, 'pg_type'::regclass, t.oid, 0 "
"FROM pg_type t WHERE t.typnamespace = $1 AND t.typtype = 'c' AND t.typrelid <> 0 "
/* an array type is its element type */
"UNION ALL SELECT 'pg_type'::regclass, t.oid, 0, 'pg_type'::regclass, t.typelem, 0 "
"FROM pg_type t WHERE t.typnamespace = $1 AND t.typelem <> 0 "
"AND t.typsubscript = 'array_subscript_handler'::regproc "
/* a multirange type is its range type */
"UNION ALL SELECT 'pg_type'::regclass, r.rngmultitypid, 0, 'pg_type'::regclass, r.rngtypid, 0 "
"FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid WHERE t.typnamespace = $1 "
/* a column default is the column */
"UNION ALL SELECT 'pg_attrdef'::regclass, d.oid, 0, 'pg_class'::regclass, d.adrelid, d.adnum::int4 "
"FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid WHERE c.relnamespace = $1 "
/* a view's rewrite rule is the view */
"UNION ALL SELECT 'pg_rewrite'::regclass, r.oid, 0, 'pg_class'::regclass, r.ev_class, 0 "
"FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE c.relnamespace = $1 "
/* a constraint's index is the constraint */
"UNION ALL SELECT 'pg_class'::regclass, con.conindid, 0, 'pg_constraint'::regclass, con.oid, 0 "
"FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
"WHERE c.relnamespace = $1 AND con.contype IN ('p', 'u', 'x') "
/* an identity sequence is its column */
"UNION ALL SELECT 'pg_class'::regclass, d.objid, 0, 'pg_class'::regclass, d.refobjid, d.refobjsubid "
"FROM pg_depend d JOIN pg_class c ON c.oid = d.objid "
"WHERE c.relnamespace = $1 AND c.relkind = 'S' AND d.classid = 'pg_class'::regclass "
"AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i' "
/* a member of an extension installed in the schema is the extension */
"UNION ALL SELECT d.classid, d.objid, 0, 'pg_extension'::regclass, d.refobjid, 0 "
"FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid "
"WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND x.extnamespace = $1 "
"AND x.extname <> 'schemamig'";

/* The dependencies of the schema's objects. */
static const char *const depend_query =
"SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid "
"FROM pg_depend d WHERE d.deptype IN ('n', 'a') AND d.refobjid >= 16384 "
"AND d.objid IN (SELECT oid FROM pg_class WHERE relnamespace = $1 "
"  UNION ALL SELECT oid FROM pg_type WHERE typnamespace = $1 "
"  UNION ALL SELECT oid FROM pg_proc WHERE pronamespace = $1 "
"  UNION ALL SELECT con.oid FROM pg_constraint con WHERE con.connamespace = $1 "
"  UNION ALL SELECT d.oid FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid "
"    WHERE c.relnamespace = $1 "
"  UNION ALL SELECT r.oid FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class "
"    WHERE c.relnamespace = $1 "
"  UNION ALL SELECT t.oid FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
"    WHERE c.relnamespace = $1 "
"  UNION ALL SELECT p.oid FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
"    WHERE c.relnamespace = $1 "
"  UNION ALL SELECT oid FROM pg_statistic_ext WHERE stxnamespace = $1)";

/* ------------------------------------------------------------------------
 * Building a model
 * ------------------------------------------------------------------------ */

/* A catalog identity, the key of the identity and alias hash tables. */
typedef struct CatalogId
{
	Oid			classid;
	Oid			objid;
	int32		objsubid;
} CatalogId;

typedef struct IdEntry
{
	CatalogId	id;
	int			idx;
} IdEntry;

typedef struct AliasEntry
{
	CatalogId	id;
	CatalogId	target;
} AliasEntry;

/* A growing array of objects. */
typedef struct ModelBuilder
{
	MigModel   *model;
	int			cap;
	List	   *unsupported;
	/* deps as collected, before objects are sorted: (from, to, flags) */
	int			ndeps;
	int			depcap;
	int		   *dep_from;
	int		   *dep_to;
	int		   *dep_flags;
	/* the current block of the model's small allocations (model_alloc) */
	char	   *arena;
	Size		arena_left;
} ModelBuilder;

/*
 * The model's small allocations come from blocks of this size: large enough
 * that malloc maps each one on its own, so that a model's memory leaves the
 * process with its context (64 kB blocks stayed in the heap and cost more
 * than they saved).
 */
#define MODEL_ARENA_BLOCK	(1024 * 1024)

/*
 * model_alloc
 *		size bytes for the model (aligned when align), carved from a block:
 *		a schema of a thousand tables holds some hundred thousand strings and
 *		small arrays, and a chunk of its own each (a header, a size rounded
 *		up to a power of two) would double their memory.  Freed with the
 *		context, never one by one: a model's strings and arrays are never
 *		freed or resized on their own.  The first block is only taken when
 *		the first allocation comes, so a small model costs little more.
 */
static void *
model_alloc(ModelBuilder *b, Size size, bool align)
{
	void	   *p;

	if (size > MODEL_ARENA_BLOCK / 8)
		return palloc(size);
	if (align && b->arena_left > 0)
	{
		Size		pad = MAXALIGN((uintptr_t) b->arena) - (uintptr_t) b->arena;

		if (pad > b->arena_left)
			b->arena_left = 0;
		else
		{
			b->arena += pad;
			b->arena_left -= pad;
		}
	}
	if (b->arena_left < size)
	{
		b->arena = palloc(MODEL_ARENA_BLOCK);
		b->arena_left = MODEL_ARENA_BLOCK;
	}
	p = b->arena;
	b->arena += size;
	b->arena_left -= size;
	return p;
}

/*
 * model_strdup
 *		A NUL-terminated copy of len bytes of s, for the model.
 */
static char *
model_strdup(ModelBuilder *b, const char *s, Size len)
{
	char	   *p = model_alloc(b, len + 1, false);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/*
 * model_value
 *		A column of a catalog query's row as a model string: text straight
 *		from the datum, anything else through its output function.
 */
static char *
model_value(ModelBuilder *b, Datum value, bool istext, FmgrInfo *outfunc)
{
	char	   *s;
	char	   *copy;

	if (istext)
	{
		text	   *t = DatumGetTextPP(value);

		copy = model_strdup(b, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		if ((Pointer) t != DatumGetPointer(value))
			pfree(t);
		return copy;
	}
	s = OutputFunctionCall(outfunc, value);
	copy = model_strdup(b, s, strlen(s));
	pfree(s);
	return copy;
}

/*
 * mig_kind_name
 *		The name of an object kind, as in jsonb and in messages.
 */
const char *
mig_kind_name(MigObjKind kind)
{
	return kind_names[kind];
}

/*
 * kind_from_name
 *		The kind named name; an error for an unrecognized one.
 */
static MigObjKind
kind_from_name(const char *name)
{
	int			i;

	for (i = 0; i < MIG_NUM_OBJ_KINDS; i++)
		if (strcmp(kind_names[i], name) == 0)
			return (MigObjKind) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unrecognized object kind \"%s\" in schema model", name)));
	return MIG_OBJ_SCHEMA;		/* keep compiler quiet */
}

/*
 * builder_add
 *		A new zeroed object at the end of the builder's array.
 */
static MigObject *
builder_add(ModelBuilder *b)
{
	MigObject  *obj;

	if (b->model->nobjects >= b->cap)
	{
		b->cap = Max(b->cap * 2, 256);
		if (b->model->objects == NULL)
			b->model->objects = palloc(sizeof(MigObject) * b->cap);
		else
			b->model->objects = repalloc_huge(b->model->objects,
											  sizeof(MigObject) * b->cap);
	}
	obj = &b->model->objects[b->model->nobjects++];
	memset(obj, 0, sizeof(MigObject));
	obj->parent_idx = -1;
	return obj;
}

/*
 * builder_dep
 *		Record that object from depends on object to.
 */
static void
builder_dep(ModelBuilder *b, int from, int to, int flags)
{
	if (b->ndeps >= b->depcap)
	{
		b->depcap = Max(b->depcap * 2, 1024);
		if (b->dep_from == NULL)
		{
			b->dep_from = palloc(sizeof(int) * b->depcap);
			b->dep_to = palloc(sizeof(int) * b->depcap);
			b->dep_flags = palloc(sizeof(int) * b->depcap);
		}
		else
		{
			b->dep_from = repalloc_huge(b->dep_from, sizeof(int) * b->depcap);
			b->dep_to = repalloc_huge(b->dep_to, sizeof(int) * b->depcap);
			b->dep_flags = repalloc_huge(b->dep_flags, sizeof(int) * b->depcap);
		}
	}
	b->dep_from[b->ndeps] = from;
	b->dep_to[b->ndeps] = to;
	b->dep_flags[b->ndeps] = flags;
	b->ndeps++;
}

/*
 * attr_cmp
 *		qsort comparator of attributes by name.
 */
static int
attr_cmp(const void *a, const void *b)
{
	return strcmp(((const MigAttr *) a)->name, ((const MigAttr *) b)->name);
}

/*
 * object_key
 *		"kind:name" or "kind:parent.name", names quoted as identifiers (a
 *		function's name is its quoted signature already).
 */
static char *
object_key(const MigObject *obj)
{
	const char *name = obj->kind == MIG_OBJ_FUNCTION ? obj->name :
	quote_identifier(obj->name);

	if (obj->parent)
		return psprintf("%s:%s.%s", kind_names[obj->kind],
						quote_identifier(obj->parent), name);
	return psprintf("%s:%s", kind_names[obj->kind], name);
}

/*
 * model_query
 *		SPI_execute_with_args() (read-only use, every row) that leaves
 *		CurrentMemoryContext as it found it.  SPI returns in its own
 *		procedure context; a model belongs to the context its caller chose,
 *		which the snapshot code frees as soon as the model is stored.
 */
static int
model_query(const char *sql, int nargs, Oid *argtypes, Datum *args)
{
	MemoryContext caller = CurrentMemoryContext;
	int			ret;

	ret = SPI_execute_with_args(sql, nargs, argtypes, args, NULL, false, 0);
	MemoryContextSwitchTo(caller);
	return ret;
}

/* rows fetched at a time from the model's big catalog queries */
#define MODEL_FETCH_ROWS	1000

/*
 * model_cursor_open
 *		Open a cursor for a catalog query with the schema's oid as
 *		$1.  The big queries (columns, constraints, dependencies of
 *		thousands of tables) are read in batches, so that a batch, not the
 *		whole result, sits beside the model in memory.
 */
static Portal
model_cursor_open(const char *sql, Oid nspoid)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	Portal		portal;

	args[0] = ObjectIdGetDatum(nspoid);
	/* not read_only: in a procedure after a COMMIT no snapshot is active */
	portal = SPI_cursor_open_with_args(NULL, sql, 1, argtypes, args, NULL,
									   false, 0);
	MemoryContextSwitchTo(caller);
	if (portal == NULL)
		elog(ERROR, "schema model query failed: %s",
			 SPI_result_code_string(SPI_result));
	return portal;
}

/*
 * model_cursor_next
 *		The next batch of rows in SPI_tuptable (the previous batch freed);
 *		false, and the cursor closed, when there is none.
 */
static bool
model_cursor_next(Portal portal, bool first)
{
	MemoryContext caller = CurrentMemoryContext;

	if (!first && SPI_tuptable != NULL)
		SPI_freetuptable(SPI_tuptable);
	SPI_cursor_fetch(portal, true, MODEL_FETCH_ROWS);
	MemoryContextSwitchTo(caller);
	if (SPI_processed > 0)
		return true;
	SPI_freetuptable(SPI_tuptable);
	SPI_cursor_close(portal);
	return false;
}

/*
 * load_query
 *		Run one catalog query (parameter $1: the schema's oid) and add one
 *		object per row.  Columns 1-6 are kind, parent, name, classid, objid,
 *		objsubid; every further column is an attribute named after it.
 */
static void
load_query(ModelBuilder *b, const char *sql, Oid nspoid)
{
	Portal		portal;
	bool		more;
	TupleDesc	desc;
	int			natts;
	int		   *order;
	const char **names;
	FmgrInfo   *outfuncs;
	bool	   *istext;
	Datum	   *values;
	bool	   *nulls;
	uint64		r;
	int			i;

	portal = model_cursor_open(sql, nspoid);
	/* the descriptor outlives the batches and the cursor */
	desc = CreateTupleDescCopy(portal->tupDesc);
	natts = desc->natts;
	more = model_cursor_next(portal, true);
	names = palloc(sizeof(char *) * natts);
	order = palloc(sizeof(int) * natts);
	outfuncs = palloc0(sizeof(FmgrInfo) * natts);
	istext = palloc0(sizeof(bool) * natts);
	/* output functions looked up once per query, not once per value */
	for (i = 0; i < natts; i++)
	{
		Oid			typoutput;
		bool		typisvarlena;
		Oid			typid = TupleDescAttr(desc, i)->atttypid;

		istext[i] = (typid == TEXTOID);
		getTypeOutputInfo(typid, &typoutput, &typisvarlena);
		fmgr_info(typoutput, &outfuncs[i]);
	}
	for (i = 6; i < natts; i++)
		names[i] = pstrdup(NameStr(TupleDescAttr(desc, i)->attname));
	/* attribute columns in name order, so that attrs come out sorted */
	for (i = 6; i < natts; i++)
	{
		int			j = i;

		while (j > 6 && strcmp(names[order[j - 1]], names[i]) > 0)
		{
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}

	values = palloc(sizeof(Datum) * natts);
	nulls = palloc(sizeof(bool) * natts);
	while (more)
	{
		for (r = 0; r < SPI_processed; r++)
		{
			MigObject  *obj = builder_add(b);

			/* one pass over the tuple, not one per attribute */
			heap_deform_tuple(SPI_tuptable->vals[r], desc, values, nulls);
			obj->kind = kind_from_name(istext[0] ? TextDatumGetCString(values[0]) :
									   OutputFunctionCall(&outfuncs[0], values[0]));
			obj->parent = nulls[1] ? NULL : model_value(b, values[1], istext[1], &outfuncs[1]);
			obj->name = nulls[2] ? NULL : model_value(b, values[2], istext[2], &outfuncs[2]);
			obj->classid = DatumGetObjectId(values[3]);
			obj->objid = DatumGetObjectId(values[4]);
			obj->objsubid = DatumGetInt32(values[5]);
			/* exactly as many attributes as are not null: models get large */
			for (i = 6; i < natts; i++)
				if (!nulls[i])
					obj->nattrs++;
			obj->attrs = model_alloc(b, sizeof(MigAttr) * Max(obj->nattrs, 1), true);
			obj->nattrs = 0;
			for (i = 6; i < natts; i++)
			{
				int			col = order[i];

				if (nulls[col])
					continue;
				obj->attrs[obj->nattrs].name = names[col];
				obj->attrs[obj->nattrs].value = model_value(b, values[col], istext[col],
															&outfuncs[col]);
				obj->nattrs++;
			}
		}
		more = model_cursor_next(portal, false);
	}
}

/*
 * obj_cmp
 *		qsort comparator of objects by key.
 */
static int
obj_cmp(const void *a, const void *b)
{
	return strcmp(((const MigObject *) a)->key, ((const MigObject *) b)->key);
}

/*
 * mig_model_find
 *		Binary search for an object by key.
 */
int
mig_model_find(const MigModel *model, const char *key)
{
	int			lo = 0,
				hi = model->nobjects - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = strcmp(model->objects[mid].key, key);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * mig_attr
 *		An attribute's value, or NULL when the object does not have it.
 */
const char *
mig_attr(const MigObject *obj, const char *name)
{
	int			lo = 0,
				hi = obj->nattrs - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = strcmp(obj->attrs[mid].name, name);

		if (c == 0)
			return obj->attrs[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/* top-level tables, views and types by name, for find_parent() */
typedef struct ParentEntry
{
	char		name[NAMEDATALEN];
	int			table;
	int			view;
	int			type;
} ParentEntry;

/*
 * parent_table
 *		A hash of the model's tables, views and types by name.
 */
static HTAB *
parent_table(const MigModel *model)
{
	HASHCTL		ctl;
	HTAB	   *h;
	int			i;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(ParentEntry);
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("schemamig parents", Max(model->nobjects / 8, 64), &ctl,
					HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	for (i = 0; i < model->nobjects; i++)
	{
		const MigObject *o = &model->objects[i];
		ParentEntry *e;
		char		key[NAMEDATALEN];
		bool		found;

		if ((o->kind != MIG_OBJ_TABLE && o->kind != MIG_OBJ_VIEW && o->kind != MIG_OBJ_TYPE) ||
			o->parent != NULL)
			continue;
		memset(key, 0, sizeof(key));
		strlcpy(key, o->name, NAMEDATALEN);
		e = hash_search(h, key, HASH_ENTER, &found);
		if (!found)
			e->table = e->view = e->type = -1;
		if (o->kind == MIG_OBJ_TABLE)
			e->table = i;
		else if (o->kind == MIG_OBJ_VIEW)
			e->view = i;
		else
			e->type = i;
	}
	return h;
}

/*
 * find_parent
 *		The index of a sub-object's parent: a type for attributes and
 *		domain constraints, else a table, else a view; -1 when none.
 */
static int
find_parent(HTAB *parents, const MigObject *obj)
{
	char		key[NAMEDATALEN];
	ParentEntry *e;
	bool		found;

	if (obj->parent == NULL)
		return -1;
	memset(key, 0, sizeof(key));
	strlcpy(key, obj->parent, NAMEDATALEN);
	e = hash_search(parents, key, HASH_FIND, &found);
	if (!found)
		return -1;
	if (obj->kind == MIG_OBJ_ATTRIBUTE || obj->kind == MIG_OBJ_DOMAIN_CONSTRAINT)
		return e->type;
	return e->table >= 0 ? e->table : e->view;
}

/*
 * dep_cmp
 *		qsort comparator of dependencies by target, then flags.
 */
static int
dep_cmp(const void *a, const void *b)
{
	const MigDep *x = a;
	const MigDep *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->flags - y->flags;
}

/*
 * builder_finish
 *		Compute keys, sort the objects by key, link sub-objects to their
 *		parent, and attach the collected dependencies (given as indexes in
 *		load order) as sorted, duplicate-free lists.
 */
static void
builder_finish(ModelBuilder *b)
{
	MigModel   *m = b->model;
	int			n = m->nobjects;
	int		   *newpos;
	int		   *ndeps;
	int			i;

	for (i = 0; i < n; i++)
	{
		char	   *key = object_key(&m->objects[i]);

		m->objects[i].key = model_strdup(b, key, strlen(key));
		pfree(key);
		/* remember the load position in parent_idx while sorting */
		m->objects[i].parent_idx = i;
	}
	if (n > 1)
		qsort(m->objects, n, sizeof(MigObject), obj_cmp);
	newpos = palloc(sizeof(int) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		newpos[m->objects[i].parent_idx] = i;
		if (i > 0 && strcmp(m->objects[i - 1].key, m->objects[i].key) == 0)
			elog(ERROR, "duplicate object \"%s\" in schema model", m->objects[i].key);
	}

	/* sub-objects depend on their parent */
	{
		HTAB	   *parents = parent_table(m);

		for (i = 0; i < n; i++)
			m->objects[i].parent_idx = find_parent(parents, &m->objects[i]);
		hash_destroy(parents);
	}

	ndeps = palloc0(sizeof(int) * Max(n, 1));
	for (i = 0; i < b->ndeps; i++)
	{
		b->dep_from[i] = newpos[b->dep_from[i]];
		b->dep_to[i] = newpos[b->dep_to[i]];
		ndeps[b->dep_from[i]]++;
	}
	for (i = 0; i < n; i++)
		if (m->objects[i].parent_idx >= 0)
			ndeps[i]++;
	for (i = 0; i < n; i++)
	{
		m->objects[i].deps = model_alloc(b, sizeof(MigDep) * Max(ndeps[i], 1), true);
		m->objects[i].ndeps = 0;
		if (m->objects[i].parent_idx >= 0)
		{
			m->objects[i].deps[0].target = m->objects[i].parent_idx;
			m->objects[i].deps[0].flags = 0;
			m->objects[i].ndeps = 1;
		}
	}
	for (i = 0; i < b->ndeps; i++)
	{
		MigObject  *obj = &m->objects[b->dep_from[i]];

		obj->deps[obj->ndeps].target = b->dep_to[i];
		obj->deps[obj->ndeps].flags = b->dep_flags[i];
		obj->ndeps++;
	}
	for (i = 0; i < n; i++)
	{
		MigObject  *obj = &m->objects[i];
		int			j,
					k = 0;

		if (obj->ndeps > 1)
			qsort(obj->deps, obj->ndeps, sizeof(MigDep), dep_cmp);
		/* one entry per target, the flags of duplicates merged */
		for (j = 0; j < obj->ndeps; j++)
		{
			if (obj->deps[j].target == i)
				continue;
			if (k > 0 && obj->deps[k - 1].target == obj->deps[j].target)
			{
				obj->deps[k - 1].flags |= obj->deps[j].flags;
				continue;
			}
			obj->deps[k++] = obj->deps[j];
		}
		obj->ndeps = k;
	}

	m->nunsupported = list_length(b->unsupported);
	m->unsupported = palloc(sizeof(char *) * Max(m->nunsupported, 1));
	for (i = 0; i < m->nunsupported; i++)
		m->unsupported[i] = (char *) list_nth(b->unsupported, i);

	/* what only the building needed */
	pfree(newpos);
	pfree(ndeps);
	if (b->dep_from)
	{
		pfree(b->dep_from);
		pfree(b->dep_to);
		pfree(b->dep_flags);
		b->dep_from = b->dep_to = b->dep_flags = NULL;
		b->ndeps = b->depcap = 0;
	}
}

/*
 * resolve_id
 *		The load index of the object a catalog identity stands for, through
 *		the aliases; -1 when it is not in the model.
 */
static int
resolve_id(HTAB *ids, HTAB *aliases, CatalogId id)
{
	int			hops;

	for (hops = 0; hops < 5; hops++)
	{
		AliasEntry *alias;
		IdEntry    *ent;
		bool		found;

		ent = hash_search(ids, &id, HASH_FIND, &found);
		if (found)
			return ent->idx;
		alias = hash_search(aliases, &id, HASH_FIND, &found);
		if (found)
		{
			id = alias->target;
			continue;
		}
		if (id.objsubid != 0)
		{
			/* a column of a view, an index, a composite type: the whole */
			id.objsubid = 0;
			continue;
		}
		return -1;
	}
	return -1;
}

/*
 * load_dependencies
 *		Read pg_depend for the schema's objects and record the dependencies
 *		between objects of the model.  A sequence's OWNED BY link to its
 *		column is not a dependency (it is the attribute owned_by): the
 *		column's default depends on the sequence, not the other way round.
 */
static void
load_dependencies(ModelBuilder *b, Oid nspoid)
{
	MigModel   *m = b->model;
	HASHCTL		ctl;
	HTAB	   *ids;
	HTAB	   *aliases;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	uint64		r;
	int			i;
	Portal		portal;
	bool		more;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(CatalogId);
	ctl.entrysize = sizeof(IdEntry);
	ctl.hcxt = CurrentMemoryContext;
	ids = hash_create("schemamig model ids", Max(m->nobjects, 64), &ctl,
					  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (i = 0; i < m->nobjects; i++)
	{
		MigObject  *obj = &m->objects[i];
		CatalogId	id;
		IdEntry    *ent;
		bool		found;

		if (obj->objid == InvalidOid)
			continue;
		memset(&id, 0, sizeof(id));
		id.classid = obj->classid;
		id.objid = obj->objid;
		id.objsubid = obj->objsubid;
		ent = hash_search(ids, &id, HASH_ENTER, &found);
		ent->idx = i;
	}

	ctl.entrysize = sizeof(AliasEntry);
	aliases = hash_create("schemamig model aliases", 1024, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	args[0] = ObjectIdGetDatum(nspoid);
	if (model_query(alias_query, 1, argtypes, args) != SPI_OK_SELECT)
		elog(ERROR, "schema model alias query failed");
	for (r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		CatalogId	id;
		AliasEntry *ent;
		bool		isnull;
		bool		found;

		memset(&id, 0, sizeof(id));
		id.classid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		id.objid = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		id.objsubid = DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
		ent = hash_search(aliases, &id, HASH_ENTER, &found);
		memset(&ent->target, 0, sizeof(CatalogId));
		ent->target.classid = DatumGetObjectId(SPI_getbinval(tup, desc, 4, &isnull));
		ent->target.objid = DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull));
		ent->target.objsubid = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);

	portal = model_cursor_open(depend_query, nspoid);
	more = model_cursor_next(portal, true);
	while (more)
	{
		for (r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			CatalogId	from,
						to;
			bool		isnull;
			int			fi,
						ti;

			memset(&from, 0, sizeof(from));
			memset(&to, 0, sizeof(to));
			from.classid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
			from.objid = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
			from.objsubid = DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
			to.classid = DatumGetObjectId(SPI_getbinval(tup, desc, 4, &isnull));
			to.objid = DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull));
			to.objsubid = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));

			fi = resolve_id(ids, aliases, from);
			if (fi < 0)
				continue;
			ti = resolve_id(ids, aliases, to);
			if (ti < 0 || ti == fi)
				continue;
			if (m->objects[fi].kind == MIG_OBJ_SEQUENCE &&
				m->objects[ti].kind == MIG_OBJ_COLUMN)
				continue;		/* OWNED BY */
			builder_dep(b, fi, ti,
						from.classid == AttrDefaultRelationId ? MIG_DEP_DEFAULT : 0);
		}
		more = model_cursor_next(portal, false);
	}
	hash_destroy(ids);
	hash_destroy(aliases);
}

/* ------------------------------------------------------------------------
 * A small SQL lexer: enough to find identifiers, string literals, dollar
 * quotes and comments, which is all that the schema rewriting and the
 * dependencies of SQL function bodies need.
 * ------------------------------------------------------------------------ */

typedef enum TokType
{
	TOK_EOF,
	TOK_SPACE,					/* whitespace or a comment */
	TOK_IDENT,					/* unquoted identifier or keyword */
	TOK_QIDENT,					/* "quoted identifier" */
	TOK_STRING,					/* 'literal', E'literal', B'..', X'..' */
	TOK_DOLLAR,					/* $tag$ ... $tag$ */
	TOK_OTHER					/* anything else, one character or a number */
} TokType;

typedef struct Token
{
	TokType		type;
	int			start;			/* byte offset of the token */
	int			end;			/* byte offset after it */
	int			body_start;		/* TOK_STRING / TOK_DOLLAR: the contents */
	int			body_end;
} Token;

#define IS_IDENT_START(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || \
						   (c) == '_' || ((unsigned char) (c)) >= 0x80)
#define IS_IDENT_CHAR(c) (IS_IDENT_START(c) || ((c) >= '0' && (c) <= '9') || (c) == '$')

/*
 * next_token
 *		The token starting at s[pos].  Unterminated literals and comments
 *		extend to the end of the string.
 */
static Token
next_token(const char *s, int pos)
{
	Token		t;
	int			len = strlen(s + pos) + pos;
	char		c = s[pos];

	t.start = pos;
	t.body_start = t.body_end = pos;
	if (c == '\0')
	{
		t.type = TOK_EOF;
		t.end = pos;
		return t;
	}
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
	{
		while (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' ||
			   s[pos] == '\r' || s[pos] == '\f')
			pos++;
		t.type = TOK_SPACE;
		t.end = pos;
		return t;
	}
	if (c == '-' && s[pos + 1] == '-')
	{
		while (s[pos] && s[pos] != '\n')
			pos++;
		t.type = TOK_SPACE;
		t.end = pos;
		return t;
	}
	if (c == '/' && s[pos + 1] == '*')
	{
		int			depth = 1;

		pos += 2;
		while (s[pos] && depth > 0)
		{
			if (s[pos] == '/' && s[pos + 1] == '*')
			{
				depth++;
				pos += 2;
			}
			else if (s[pos] == '*' && s[pos + 1] == '/')
			{
				depth--;
				pos += 2;
			}
			else
				pos++;
		}
		t.type = TOK_SPACE;
		t.end = pos;
		return t;
	}
	if (c == '\'' ||
		((c == 'E' || c == 'e' || c == 'B' || c == 'b' || c == 'X' || c == 'x' ||
		  c == 'N' || c == 'n') && s[pos + 1] == '\'' &&
		 (pos == 0 || !IS_IDENT_CHAR(s[pos - 1]))))
	{
		bool		escapes = (c == 'E' || c == 'e');

		if (c != '\'')
			pos++;
		pos++;
		t.body_start = pos;
		while (s[pos])
		{
			if (escapes && s[pos] == '\\' && s[pos + 1])
				pos += 2;
			else if (s[pos] == '\'' && s[pos + 1] == '\'')
				pos += 2;
			else if (s[pos] == '\'')
				break;
			else
				pos++;
		}
		t.body_end = pos;
		if (s[pos] == '\'')
			pos++;
		t.type = TOK_STRING;
		t.end = pos;
		return t;
	}
	if (c == '"')
	{
		pos++;
		while (s[pos])
		{
			if (s[pos] == '"' && s[pos + 1] == '"')
				pos += 2;
			else if (s[pos] == '"')
				break;
			else
				pos++;
		}
		if (s[pos] == '"')
			pos++;
		t.type = TOK_QIDENT;
		t.end = pos;
		return t;
	}
	if (c == '$' && (s[pos + 1] == '$' || IS_IDENT_START(s[pos + 1])))
	{
		int			tagend = pos + 1;

		while (s[tagend] && s[tagend] != '$' && IS_IDENT_CHAR(s[tagend]))
			tagend++;
		if (s[tagend] == '$')
		{
			int			taglen = tagend - pos + 1;
			const char *close;

			close = strstr(s + tagend + 1, pnstrdup(s + pos, taglen));
			t.type = TOK_DOLLAR;
			t.body_start = tagend + 1;
			t.body_end = close ? close - s : len;
			t.end = close ? t.body_end + taglen : len;
			return t;
		}
	}
	if (IS_IDENT_START(c))
	{
		while (IS_IDENT_CHAR(s[pos]))
			pos++;
		t.type = TOK_IDENT;
		t.end = pos;
		return t;
	}
	if (c >= '0' && c <= '9')
	{
		while ((s[pos] >= '0' && s[pos] <= '9') || s[pos] == '.' ||
			   s[pos] == 'e' || s[pos] == 'E' || s[pos] == '_')
			pos++;
		t.type = TOK_OTHER;
		t.end = pos;
		return t;
	}
	t.type = TOK_OTHER;
	t.end = pos + 1;
	return t;
}

/*
 * literal_contents
 *		The value of a plain '...' literal's contents (doubled quotes
 *		undone).
 */
static char *
literal_contents(const char *s, Token t)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = t.body_start; i < t.body_end; i++)
	{
		if (s[i] == '\'' && s[i + 1] == '\'')
			i++;
		appendStringInfoChar(&buf, s[i]);
	}
	return buf.data;
}

/*
 * followed_by_regcast
 *		Is the token at pos (after optional spaces) a cast to a reg* type?
 */
static bool
followed_by_regcast(const char *s, int pos)
{
	while (s[pos] == ' ')
		pos++;
	return s[pos] == ':' && s[pos + 1] == ':' && pg_strncasecmp(s + pos + 2, "reg", 3) == 0;
}

/*
 * rename_into
 *		mig_sql_rename_schema's worker, appending to buf.
 */
static void
rename_into(StringInfo buf, const char *s, const char *from, const char *from_q,
			const char *to, const char *to_q, bool bodies)
{
	int			pos = 0;
	TokType		prev = TOK_SPACE;	/* previous significant token */
	char		prevc = '\0';	/* its character when TOK_OTHER */
	bool		in_search_path = false;
	size_t		from_qlen = strlen(from_q);

	for (;;)
	{
		Token		t = next_token(s, pos);
		int			tlen = t.end - t.start;

		if (t.type == TOK_EOF)
			break;
		pos = t.end;
		switch (t.type)
		{
			case TOK_IDENT:
			case TOK_QIDENT:
				{
					bool		match;

					match = (tlen == from_qlen && strncmp(s + t.start, from_q, tlen) == 0);
					if (!match && bodies && t.type == TOK_IDENT && tlen == strlen(from) &&
						pg_strncasecmp(s + t.start, from, tlen) == 0 &&
						strcmp(from, from_q) == 0)
						match = true;
					if (match && s[t.end] == '.' && !(prev == TOK_OTHER && prevc == '.'))
						appendStringInfoString(buf, to_q);
					else
						appendBinaryStringInfo(buf, s + t.start, tlen);
					if (t.type == TOK_IDENT && tlen == 11 &&
						pg_strncasecmp(s + t.start, "search_path", 11) == 0)
						in_search_path = true;
					break;
				}
			case TOK_STRING:
				if (s[t.start] == '\'' &&
					(followed_by_regcast(s, t.end) || in_search_path))
				{
					char	   *v = literal_contents(s, t);

					if (in_search_path && (strcmp(v, from) == 0 || strcmp(v, from_q) == 0))
						appendStringInfoString(buf, quote_literal_cstr(to_q));
					else if (!in_search_path && strncmp(v, from_q, from_qlen) == 0 &&
							 v[from_qlen] == '.')
						appendStringInfoString(buf,
											   quote_literal_cstr(psprintf("%s%s", to_q, v + from_qlen)));
					else
						appendBinaryStringInfo(buf, s + t.start, tlen);
				}
				else
					appendBinaryStringInfo(buf, s + t.start, tlen);
				break;
			case TOK_DOLLAR:
				if (bodies)
				{
					char	   *body = pnstrdup(s + t.body_start, t.body_end - t.body_start);

					appendBinaryStringInfo(buf, s + t.start, t.body_start - t.start);
					rename_into(buf, body, from, from_q, to, to_q, bodies);
					appendBinaryStringInfo(buf, s + t.body_end, t.end - t.body_end);
				}
				else
					appendBinaryStringInfo(buf, s + t.start, tlen);
				break;
			case TOK_SPACE:
				if (memchr(s + t.start, '\n', tlen) != NULL)
					in_search_path = false;
				appendBinaryStringInfo(buf, s + t.start, tlen);
				break;
			default:
				if (s[t.start] == ';')
					in_search_path = false;
				appendBinaryStringInfo(buf, s + t.start, tlen);
				break;
		}
		if (t.type != TOK_SPACE)
		{
			prev = t.type;
			prevc = s[t.start];
		}
	}
}

/*
 * mig_sql_rename_schema
 *		See model.h.
 */
char *
mig_sql_rename_schema(const char *sql, const char *from, const char *to,
					  bool bodies)
{
	StringInfoData buf;

	const char *from_q;
	char	   *prefix;

	if (sql == NULL)
		return NULL;
	from_q = quote_identifier(from);
	/* the common case: no qualified name of the schema at all */
	prefix = psprintf("%s.", from_q);
	if (!bodies && strstr(sql, prefix) == NULL)
		return pstrdup(sql);
	initStringInfo(&buf);
	rename_into(&buf, sql, from, from_q, to, quote_identifier(to), bodies);
	return buf.data;
}

/* An entry of the name -> object table of sql_function_dependencies. */
typedef struct NameEntry
{
	char		name[NAMEDATALEN];
	int			idx;
} NameEntry;

/*
 * body_references
 *		Add a dependency of function fi on every table, view, function and
 *		type of the model named in its SQL body: the server records none for
 *		a LANGUAGE sql function written as a string, yet checks its body
 *		against the catalog when it is created.
 */
static void
body_references(ModelBuilder *b, HTAB *names, int fi, const char *sql)
{
	int			pos = 0;

	for (;;)
	{
		Token		t = next_token(sql, pos);

		if (t.type == TOK_EOF)
			break;
		pos = t.end;
		if (t.type == TOK_DOLLAR)
		{
			char	   *body = pnstrdup(sql + t.body_start, t.body_end - t.body_start);

			body_references(b, names, fi, body);
		}
		else if (t.type == TOK_IDENT || t.type == TOK_QIDENT)
		{
			char		name[NAMEDATALEN];
			int			len = t.end - t.start;
			bool		found;
			NameEntry  *ent;
			int			i;

			if (len >= NAMEDATALEN)
				continue;
			memset(name, 0, sizeof(name));
			if (t.type == TOK_QIDENT)
				memcpy(name, sql + t.start + 1, Max(len - 2, 0));
			else
				for (i = 0; i < len; i++)
					name[i] = pg_tolower((unsigned char) sql[t.start + i]);
			ent = hash_search(names, name, HASH_FIND, &found);
			if (found && ent->idx != fi)
				builder_dep(b, fi, ent->idx, 0);
		}
	}
}

/*
 * sql_function_dependencies
 *		body_references() for every LANGUAGE sql function of the model
 *		whose body is a string (not BEGIN ATOMIC, which the server tracks).
 *		Called before the objects are sorted: indexes are load positions.
 */
static void
sql_function_dependencies(ModelBuilder *b)
{
	MigModel   *m = b->model;
	HTAB	   *names = NULL;
	int			i;

	for (i = 0; i < m->nobjects; i++)
	{
		MigObject  *obj = &m->objects[i];
		const char *lang = mig_attr(obj, "language");
		const char *def = mig_attr(obj, "definition");

		if (obj->kind != MIG_OBJ_FUNCTION || lang == NULL || def == NULL ||
			strcmp(lang, "sql") != 0 || strstr(def, "BEGIN ATOMIC") != NULL)
			continue;
		if (names == NULL)
		{
			HASHCTL		ctl;
			int			j;

			memset(&ctl, 0, sizeof(ctl));
			ctl.keysize = NAMEDATALEN;
			ctl.entrysize = sizeof(NameEntry);
			ctl.hcxt = CurrentMemoryContext;
			names = hash_create("schemamig relation names", 256, &ctl,
								HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
			for (j = 0; j < m->nobjects; j++)
			{
				MigObject  *o = &m->objects[j];
				char		key[NAMEDATALEN];
				bool		found;
				NameEntry  *ent;

				if (o->kind != MIG_OBJ_TABLE && o->kind != MIG_OBJ_VIEW &&
					o->kind != MIG_OBJ_TYPE && o->kind != MIG_OBJ_FUNCTION)
					continue;
				memset(key, 0, sizeof(key));
				if (o->kind == MIG_OBJ_FUNCTION)
				{
					/* quote_ident(proname) || '(' ... */
					const char *paren = strchr(o->name, '(');
					int			len = paren ? paren - o->name : strlen(o->name);

					if (o->name[0] == '"' && len >= 2)
						memcpy(key, o->name + 1, Min(len - 2, NAMEDATALEN - 1));
					else
						memcpy(key, o->name, Min(len, NAMEDATALEN - 1));
				}
				else
					strlcpy(key, o->name, NAMEDATALEN);
				ent = hash_search(names, key, HASH_ENTER, &found);
				if (!found)
					ent->idx = j;
			}
		}
		body_references(b, names, i, def);
	}
}

/* ------------------------------------------------------------------------
 * Loading from the catalogs
 * ------------------------------------------------------------------------ */

/*
 * mig_model_load
 *		Read schema "schema" from the catalogs (see the file header).
 */
MigModel *
mig_model_load(const char *schema)
{
	ModelBuilder b;
	Oid			nspoid;
	int			save_nestlevel;
	int			i;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	uint64		r;

	nspoid = get_namespace_oid(schema, true);
	if (!OidIsValid(nspoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" does not exist", schema)));

	memset(&b, 0, sizeof(b));
	b.model = palloc0(sizeof(MigModel));
	b.model->schema = pstrdup(schema);

	/* let the deparsers qualify every object outside pg_catalog */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	/*
	 * Bulk reads of the catalogs: hash joins, whatever the statistics say.
	 * Right after a schema of thousands of tables is created (or with
	 * autovacuum off) the catalogs' statistics still describe a handful of
	 * rows, and nested loops over sequential scans of pg_class or
	 * pg_attribute turn a second into minutes.  Correlated subqueries keep
	 * their index scans.
	 */
	(void) set_config_option("enable_nestloop", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	/* and print constants the same way in every session, as pg_dump does */
	(void) set_config_option("datestyle", "ISO, YMD", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("intervalstyle", "postgres", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("extra_float_digits", "3", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("timezone", "UTC", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	for (i = 0; i < lengthof(model_queries); i++)
	{
		instr_time	t0,
					t1;

		INSTR_TIME_SET_CURRENT(t0);
		load_query(&b, model_queries[i], nspoid);
		INSTR_TIME_SET_CURRENT(t1);
		INSTR_TIME_SUBTRACT(t1, t0);
		elog(DEBUG1, "schema model query %d: %.1f ms", i, INSTR_TIME_GET_MILLISEC(t1));
	}

	args[0] = ObjectIdGetDatum(nspoid);
	if (model_query(unsupported_query, 1, argtypes, args) != SPI_OK_SELECT)
		elog(ERROR, "schema model query failed");
	for (r = 0; r < SPI_processed; r++)
		b.unsupported = lappend(b.unsupported,
								SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
	SPI_freetuptable(SPI_tuptable);

	{
		instr_time	t0,
					t1;

		INSTR_TIME_SET_CURRENT(t0);
		load_dependencies(&b, nspoid);
		INSTR_TIME_SET_CURRENT(t1);
		INSTR_TIME_SUBTRACT(t1, t0);
		elog(DEBUG1, "schema model dependencies: %.1f ms", INSTR_TIME_GET_MILLISEC(t1));
	}
	AtEOXact_GUC(true, save_nestlevel);

	/* lexical dependencies need the objects, not their order */
	sql_function_dependencies(&b);
	builder_finish(&b);
	return b.model;
}

/* ------------------------------------------------------------------------
 * jsonb
 * ------------------------------------------------------------------------ */

/*
 * push_string
 *		Push a string (or null) as a key, value or array element.  The
 *		string is not copied.
 */
static void
push_string(JsonbParseState **state, JsonbIteratorToken tok, const char *s)
{
	JsonbValue	v;

	if (s == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.len = strlen(s);
		v.val.string.val = (char *) s;
	}
	(void) pushJsonbValue(state, tok, &v);
}

/*
 * push_deps
 *		Push the keys of obj's dependencies with (or without) flag
 *		MIG_DEP_DEFAULT as an array value.
 */
static void
push_deps(JsonbParseState **state, const MigModel *model, const MigObject *obj,
		  bool defaults)
{
	int			j;

	(void) pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	for (j = 0; j < obj->ndeps; j++)
		if (((obj->deps[j].flags & MIG_DEP_DEFAULT) != 0) == defaults)
			push_string(state, WJB_ELEM, model->objects[obj->deps[j].target].key);
	(void) pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

/*
 * object_to_jsonb
 *		One object of the model as a jsonb value of its own.
 */
static Jsonb *
object_to_jsonb(const MigModel *model, const MigObject *obj)
{
	JsonbParseState *state = NULL;
	int			j;

	(void) pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	push_string(&state, WJB_KEY, "key");
	push_string(&state, WJB_VALUE, obj->key);
	push_string(&state, WJB_KEY, "kind");
	push_string(&state, WJB_VALUE, kind_names[obj->kind]);
	push_string(&state, WJB_KEY, "parent");
	push_string(&state, WJB_VALUE, obj->parent);
	push_string(&state, WJB_KEY, "name");
	push_string(&state, WJB_VALUE, obj->name);
	push_string(&state, WJB_KEY, "attrs");
	(void) pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (j = 0; j < obj->nattrs; j++)
	{
		push_string(&state, WJB_KEY, obj->attrs[j].name);
		push_string(&state, WJB_VALUE, obj->attrs[j].value);
	}
	(void) pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	push_string(&state, WJB_KEY, "deps");
	push_deps(&state, model, obj, false);
	push_string(&state, WJB_KEY, "default_deps");
	push_deps(&state, model, obj, true);
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/*
 * Writing the jsonb container format (utils/jsonb.h) by hand, for the two
 * outer levels of the model only: a header word, one JEntry per child
 * (every JB_OFFSET_STRIDE'th holding the end offset of the child's data,
 * the others its length), then the children's data; numerics and nested
 * containers start on a 4-byte boundary of the whole datum, and the padding
 * counts as part of the child it precedes.  Every nested container is
 * produced by JsonbValueToJsonb() and copied in whole, so only these two
 * levels are hand-made; the regression tests compare the result with the
 * server's own parse of its text form.
 */

/*
 * jb_pad
 *		Pad buf with zero bytes to a multiple of 4; the number added.
 */
static int
jb_pad(StringInfo buf)
{
	int			pad = INTALIGN(buf->len) - buf->len;

	if (pad > 0)
	{
		enlargeStringInfo(buf, pad);
		memset(buf->data + buf->len, 0, pad);
		buf->len += pad;
	}
	return pad;
}

/*
 * jb_set_entry
 *		Fill in JEntry number i of a container whose JEntry array starts at
 *		offset entries of buf, for a child of type flags and length len;
 *		*total is the running end offset of the container's data.
 */
static void
jb_set_entry(StringInfo buf, int entries, int i, uint32 flags, int len,
			 int *total)
{
	JEntry		e;

	*total += len;
	if (*total > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("schema model is too large to store as jsonb"),
				 errdetail("The model's jsonb form would exceed the maximum of %d bytes.",
						   JENTRY_OFFLENMASK)));
	if (i % JB_OFFSET_STRIDE == 0)
		e = flags | JENTRY_HAS_OFF | *total;
	else
		e = flags | len;
	memcpy(buf->data + entries + sizeof(JEntry) * i, &e, sizeof(JEntry));
}

/*
 * jb_reserve
 *		Reserve len bytes at the end of buf; their offset.
 */
static int
jb_reserve(StringInfo buf, int len)
{
	int			off = buf->len;

	enlargeStringInfo(buf, len);
	memset(buf->data + off, 0, len);
	buf->len += len;
	return off;
}

/*
 * jb_append_container
 *		Append the root container of jsonb value j as a nested container;
 *		the length it takes, padding included.
 */
static int
jb_append_container(StringInfo buf, const Jsonb *j)
{
	int			start = buf->len;

	jb_pad(buf);
	appendBinaryStringInfo(buf, (const char *) &j->root,
						   VARSIZE(j) - offsetof(Jsonb, root));
	return buf->len - start;
}

/*
 * mig_model_to_jsonb
 *		{"format": 1, "schema": ..., "objects": [{"key", "kind", "parent",
 *		"name", "attrs": {...}, "deps": [keys], "default_deps": [keys]}],
 *		"unsupported": [...]}, objects in key order.
 *
 * The snapshot taken at the end of a migration holds the model of every
 * managed table, so this is built for memory: each object becomes a small
 * jsonb value of its own in a context reset after it and is copied into the
 * "objects" array of the result, written directly in jsonb's binary format
 * (see above).  Neither JSON text nor a tree of the whole model is ever
 * built; the peak is the model plus the result.
 */
Datum
mig_model_to_jsonb(const MigModel *model)
{
	/* the root's keys in jsonb's order: by length, then bytewise */
	static const char *const root_keys[] = {"format", "schema", "objects", "unsupported"};
	MemoryContext obj_cxt;
	MemoryContext old;
	StringInfoData buf;
	int			root_entries;
	int			root_total = 0;
	int			array_start;
	int			array_entries;
	int			array_total = 0;
	int			len;
	int			i;
	uint32		header;
	Numeric		one = int64_to_numeric(1);
	Jsonb	   *unsupported;

	obj_cxt = AllocSetContextCreate(CurrentMemoryContext,
									"schema model object jsonb",
									ALLOCSET_SMALL_SIZES);
	initStringInfo(&buf);
	(void) jb_reserve(&buf, VARHDRSZ);

	/* the root object: header, 4 key and 4 value JEntries, the keys */
	header = JB_FOBJECT | lengthof(root_keys);
	appendBinaryStringInfo(&buf, (const char *) &header, sizeof(uint32));
	root_entries = jb_reserve(&buf, sizeof(JEntry) * 2 * lengthof(root_keys));
	for (i = 0; i < lengthof(root_keys); i++)
	{
		len = strlen(root_keys[i]);
		appendBinaryStringInfo(&buf, root_keys[i], len);
		jb_set_entry(&buf, root_entries, i, JENTRY_ISSTRING, len, &root_total);
	}

	/* "format": 1 */
	len = jb_pad(&buf) + VARSIZE_ANY(one);
	appendBinaryStringInfo(&buf, (const char *) one, VARSIZE_ANY(one));
	jb_set_entry(&buf, root_entries, 4, JENTRY_ISNUMERIC, len, &root_total);

	/* "schema" */
	len = strlen(model->schema);
	appendBinaryStringInfo(&buf, model->schema, len);
	jb_set_entry(&buf, root_entries, 5, JENTRY_ISSTRING, len, &root_total);

	/* "objects": an array container with one nested container per object */
	array_start = buf.len;
	jb_pad(&buf);
	header = JB_FARRAY | model->nobjects;
	appendBinaryStringInfo(&buf, (const char *) &header, sizeof(uint32));
	array_entries = jb_reserve(&buf, sizeof(JEntry) * model->nobjects);
	for (i = 0; i < model->nobjects; i++)
	{
		old = MemoryContextSwitchTo(obj_cxt);
		len = jb_append_container(&buf, object_to_jsonb(model, &model->objects[i]));
		MemoryContextSwitchTo(old);
		MemoryContextReset(obj_cxt);
		jb_set_entry(&buf, array_entries, i, JENTRY_ISCONTAINER, len, &array_total);
		CHECK_FOR_INTERRUPTS();
	}
	jb_set_entry(&buf, root_entries, 6, JENTRY_ISCONTAINER, buf.len - array_start,
				 &root_total);

	/* "unsupported": a short array of strings, built the ordinary way */
	old = MemoryContextSwitchTo(obj_cxt);
	{
		JsonbParseState *state = NULL;

		(void) pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
		for (i = 0; i < model->nunsupported; i++)
			push_string(&state, WJB_ELEM, model->unsupported[i]);
		unsupported = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_ARRAY, NULL));
	}
	MemoryContextSwitchTo(old);
	len = jb_append_container(&buf, unsupported);
	jb_set_entry(&buf, root_entries, 7, JENTRY_ISCONTAINER, len, &root_total);
	MemoryContextDelete(obj_cxt);

	SET_VARSIZE(buf.data, buf.len);
	return PointerGetDatum(buf.data);
}

/* the keys keypos_cmp compares by */
static char **sort_keys;

/*
 * keypos_cmp
 *		qsort comparator of load positions by their key in sort_keys.
 */
static int
keypos_cmp(const void *a, const void *b)
{
	return strcmp(sort_keys[*(const int *) a], sort_keys[*(const int *) b]);
}

/*
 * mig_model_from_jsonb
 *		The inverse of mig_model_to_jsonb().  Caller is connected to SPI.
 */
MigModel *
mig_model_from_jsonb(Datum jsonb)
{
	ModelBuilder b;
	Oid			argtypes[1] = {JSONBOID};
	Datum		args[1];
	uint64		r;
	int			prev = -1;
	int			cap = 0;
	MigObject  *obj = NULL;
	char	  **keys;
	int			i;
	bool		isnull;

	args[0] = jsonb;
	memset(&b, 0, sizeof(b));
	b.model = palloc0(sizeof(MigModel));

	if (model_query("SELECT $1->>'schema', $1->>'format'", 1, argtypes, args) != SPI_OK_SELECT)
		elog(ERROR, "schema model query failed");
	b.model->schema = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	{
		char	   *format = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		if (b.model->schema == NULL || format == NULL || strcmp(format, "1") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid schema model"),
					 errdetail("A schema model is a jsonb object with \"format\": 1, a \"schema\" and \"objects\", as mig_model() returns.")));
	}

	if (model_query("SELECT n, o->>'kind', o->>'parent', o->>'name', a.key, a.value, "
							  "o->>'key' "
							  "FROM jsonb_array_elements($1->'objects') WITH ORDINALITY x(o, n) "
							  "LEFT JOIN LATERAL jsonb_each_text(o->'attrs') a ON true "
							  "ORDER BY n, a.key COLLATE \"C\"",
							  1, argtypes, args) != SPI_OK_SELECT)
		elog(ERROR, "schema model query failed");
	for (r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		int			n = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		char	   *aname;

		if (n != prev)
		{
			char	   *kind = SPI_getvalue(tup, desc, 2);

			if (kind == NULL || SPI_getvalue(tup, desc, 4) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid schema model: object %d has no kind or name", n)));
			obj = builder_add(&b);
			obj->kind = kind_from_name(kind);
			obj->parent = SPI_getvalue(tup, desc, 3);
			obj->name = SPI_getvalue(tup, desc, 4);
			cap = 8;
			obj->attrs = palloc(sizeof(MigAttr) * cap);
			prev = n;
		}
		aname = SPI_getvalue(tup, desc, 5);
		if (aname == NULL)
			continue;
		if (obj->nattrs >= cap)
		{
			cap *= 2;
			obj->attrs = repalloc(obj->attrs, sizeof(MigAttr) * cap);
		}
		obj->attrs[obj->nattrs].name = aname;
		obj->attrs[obj->nattrs].value = SPI_getvalue(tup, desc, 6);
		if (obj->attrs[obj->nattrs].value == NULL)
			continue;
		obj->nattrs++;
	}
	SPI_freetuptable(SPI_tuptable);

	/* the attributes came sorted by name in "C" order already */
	for (i = 0; i < b.model->nobjects; i++)
		if (b.model->objects[i].nattrs > 1)
			qsort(b.model->objects[i].attrs, b.model->objects[i].nattrs,
				  sizeof(MigAttr), attr_cmp);

	/* keys in load order, to resolve the dependencies */
	keys = palloc(sizeof(char *) * Max(b.model->nobjects, 1));
	for (i = 0; i < b.model->nobjects; i++)
		keys[i] = object_key(&b.model->objects[i]);

	if (model_query("SELECT n, d, false FROM jsonb_array_elements($1->'objects') "
							  "WITH ORDINALITY x(o, n), jsonb_array_elements_text(o->'deps') d "
							  "UNION ALL "
							  "SELECT n, d, true FROM jsonb_array_elements($1->'objects') "
							  "WITH ORDINALITY x(o, n), jsonb_array_elements_text(o->'default_deps') d",
							  1, argtypes, args) != SPI_OK_SELECT)
		elog(ERROR, "schema model query failed");
	if (SPI_processed > 0)
	{
		/* resolve keys through the load positions sorted by key */
		int			nobj = b.model->nobjects;
		int		   *sorted = palloc(sizeof(int) * Max(nobj, 1));

		for (i = 0; i < nobj; i++)
			sorted[i] = i;
		sort_keys = keys;
		qsort(sorted, nobj, sizeof(int), keypos_cmp);
		for (r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			int			from = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull)) - 1;
			char	   *key = SPI_getvalue(tup, desc, 2);
			bool		dflt = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull));
			int			lo = 0,
						hi = nobj - 1,
						to = -1;

			while (lo <= hi)
			{
				int			mid = (lo + hi) / 2;
				int			c = strcmp(keys[sorted[mid]], key);

				if (c == 0)
				{
					to = sorted[mid];
					break;
				}
				if (c < 0)
					lo = mid + 1;
				else
					hi = mid - 1;
			}
			if (to < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid schema model: dependency on unknown object \"%s\"", key)));
			builder_dep(&b, from, to, dflt ? MIG_DEP_DEFAULT : 0);
		}
	}
	SPI_freetuptable(SPI_tuptable);

	if (model_query("SELECT jsonb_array_elements_text(coalesce($1->'unsupported', '[]'))",
							  1, argtypes, args) != SPI_OK_SELECT)
		elog(ERROR, "schema model query failed");
	for (r = 0; r < SPI_processed; r++)
		b.unsupported = lappend(b.unsupported,
								SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
	SPI_freetuptable(SPI_tuptable);

	builder_finish(&b);
	return b.model;
}

/* ------------------------------------------------------------------------
 * Renaming
 * ------------------------------------------------------------------------ */

/*
 * mig_model_rename
 *		See model.h.
 */
MigModel *
mig_model_rename(const MigModel *model, const char *schema)
{
	ModelBuilder b;
	int			i,
				j;

	memset(&b, 0, sizeof(b));
	b.model = palloc0(sizeof(MigModel));
	b.model->schema = pstrdup(schema);
	for (i = 0; i < model->nobjects; i++)
	{
		const MigObject *src = &model->objects[i];
		MigObject  *obj = builder_add(&b);
		const char *lang = mig_attr(src, "language");
		bool		bodies = (src->kind == MIG_OBJ_FUNCTION && lang != NULL &&
							  (strcmp(lang, "sql") == 0 || strcmp(lang, "plpgsql") == 0));

		*obj = *src;
		if (src->kind == MIG_OBJ_FUNCTION)
			obj->name = mig_sql_rename_schema(src->name, model->schema, schema, false);
		obj->attrs = palloc(sizeof(MigAttr) * Max(src->nattrs, 1));
		for (j = 0; j < src->nattrs; j++)
		{
			obj->attrs[j].name = src->attrs[j].name;
			if (strcmp(src->attrs[j].name, "comment") == 0)
				obj->attrs[j].value = src->attrs[j].value;
			else
				obj->attrs[j].value = mig_sql_rename_schema(src->attrs[j].value,
															model->schema, schema,
															bodies && strcmp(src->attrs[j].name, "definition") == 0);
		}
		for (j = 0; j < src->ndeps; j++)
			if (src->deps[j].target != src->parent_idx)
				builder_dep(&b, i, src->deps[j].target, src->deps[j].flags);
	}
	b.model->nunsupported = model->nunsupported;
	for (i = 0; i < model->nunsupported; i++)
		b.unsupported = lappend(b.unsupported, model->unsupported[i]);
	builder_finish(&b);
	return b.model;
}
