/*-------------------------------------------------------------------------
 *
 * model.h
 *	  The schema model: every object of one schema, read from the catalogs
 *	  into memory, with its attributes and its dependencies, and its jsonb
 *	  form (the snapshot that later releases store per revision).
 *
 * An object is a kind, a name (and the name of the object that contains it,
 * for columns, constraints, triggers, ...), a set of named text attributes
 * and the list of other objects of the same model it depends on.  The
 * attributes are what the server itself prints: format_type(), pg_get_expr(),
 * pg_get_constraintdef(), pg_get_indexdef(), pg_get_viewdef(),
 * pg_get_functiondef(), pg_get_triggerdef(), ... evaluated with search_path
 * set to pg_catalog, so that every reference to a user object is qualified
 * with its schema.  Two objects are equal when all their attributes are,
 * except attributes whose name starts with "_", which are informational
 * (a column's position, a view's output columns).
 *
 * Objects that belong to an extension (pg_depend deptype 'e'), schemamig's
 * own included, are never part of a model.
 *
 * Everything is palloc'd in the memory context current at the time of the
 * call.  The loading functions expect the caller to be connected to SPI.
 *
 * IDENTIFICATION
 *	  src/model.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_MODEL_H
#define SCHEMAMIG_MODEL_H

#include "fmgr.h"

/*
 * Object kinds, in the order objects of otherwise independent kinds are
 * created (and the reverse of the order they are dropped).
 */
typedef enum MigObjKind
{
	MIG_OBJ_SCHEMA,				/* the schema itself: owner, ACL, comment */
	MIG_OBJ_EXTENSION,			/* an extension installed in the schema */
	MIG_OBJ_TYPE,				/* enum, domain, composite, range */
	MIG_OBJ_ATTRIBUTE,			/* an attribute of a composite type */
	MIG_OBJ_DOMAIN_CONSTRAINT,	/* a CHECK constraint of a domain */
	MIG_OBJ_SEQUENCE,
	MIG_OBJ_FUNCTION,			/* functions, procedures, window functions */
	MIG_OBJ_TABLE,				/* ordinary and partitioned tables */
	MIG_OBJ_COLUMN,
	MIG_OBJ_CONSTRAINT,			/* primary key, unique, foreign key, check,
								 * exclude */
	MIG_OBJ_INDEX,				/* indexes not owned by a constraint */
	MIG_OBJ_VIEW,				/* views and materialized views */
	MIG_OBJ_TRIGGER,
	MIG_OBJ_POLICY,
	MIG_OBJ_STATISTICS,			/* extended statistics objects */
	MIG_OBJ_DEFAULT_ACL,		/* ALTER DEFAULT PRIVILEGES IN SCHEMA */
	MIG_NUM_OBJ_KINDS
} MigObjKind;

/* One named attribute; the name points to a shared constant string. */
typedef struct MigAttr
{
	const char *name;
	char	   *value;
} MigAttr;

/* A dependency: obj depends on the object at index target. */
#define MIG_DEP_DEFAULT		0x01	/* through a column default or generation
									 * expression */

typedef struct MigDep
{
	int			target;
	int			flags;
} MigDep;

typedef struct MigObject
{
	MigObjKind	kind;
	char	   *parent;			/* containing object's name, or NULL */
	char	   *name;			/* plain name; for functions the signature,
								 * already quoted: f(integer, text) */
	char	   *key;			/* "kind:parent.name", unique in a model */
	int			nattrs;
	MigAttr    *attrs;			/* sorted by name */
	int			ndeps;
	MigDep	   *deps;
	int			parent_idx;		/* index of the containing object, or -1 */
	/* live catalog identity (zero when read from jsonb) */
	Oid			classid;
	Oid			objid;
	int32		objsubid;
} MigObject;

typedef struct MigModel
{
	char	   *schema;			/* the schema's name */
	int			nobjects;
	MigObject  *objects;		/* sorted by key */
	int			nunsupported;	/* objects seen but not modelled */
	char	  **unsupported;	/* their descriptions */
} MigModel;

/* The kind's name as in jsonb ("table", "domain constraint", ...). */
extern const char *mig_kind_name(MigObjKind kind);

/* Load a schema (by name) from the catalogs; errors if it does not exist. */
extern MigModel *mig_model_load(const char *schema);

/* The model as jsonb, and back. */
extern Datum mig_model_to_jsonb(const MigModel *model);
extern MigModel *mig_model_from_jsonb(Datum jsonb);

/* An object by key, or -1. */
extern int	mig_model_find(const MigModel *model, const char *key);

/* An attribute's value, or NULL. */
extern const char *mig_attr(const MigObject *obj, const char *name);

/*
 * A copy of model whose references to its own schema name another schema:
 * every attribute (but comments) and every function signature is rewritten
 * with mig_sql_rename_schema().
 */
extern MigModel *mig_model_rename(const MigModel *model, const char *schema);

/*
 * Rewrite the qualified references to schema "from" in sql to schema "to":
 * an identifier equal to from (as quote_identifier prints it) and followed
 * by a dot, outside string literals and comments; the contents of a string
 * literal cast to a reg* type ('from.seq'::regclass); and the schema in a
 * "search_path" setting.  With bodies, the contents of dollar-quoted
 * strings (function bodies) are rewritten the same way.
 */
extern char *mig_sql_rename_schema(const char *sql, const char *from,
								   const char *to, bool bodies);

#endif							/* SCHEMAMIG_MODEL_H */
