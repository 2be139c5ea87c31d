/*-------------------------------------------------------------------------
 *
 * lint_internal.h
 *	  What the lint engine (lint.c) and the rule catalogue (lint_rules.c)
 *	  share, and nobody else uses: the rule table, the per-statement context
 *	  handed to each rule, the per-script state, and the engine's helpers
 *	  for live catalog facts and for reporting findings.
 *
 * IDENTIFICATION
 *	  src/lint_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_LINT_INTERNAL_H
#define SCHEMAMIG_LINT_INTERNAL_H

#include "nodes/primnodes.h"
#include "storage/lockdefs.h"

#include "lint.h"

/*
 * Rule flags.
 *
 * LINT_GATED: the hazard is a lock held while an existing table is
 * rewritten, scanned or indexed (or while it waits in the lock queue).
 * Such findings are dropped when the table was created earlier in the same
 * script (nobody else can see it yet), and downgraded to info when the
 * table is smaller than schemamig.lint_large_table_size.
 */
#define LINT_GATED		0x01

struct LintStmt;
struct LintRule;

/* A rule's check: look at the statement (or subcommand) and report. */
typedef void (*LintCheck) (struct LintStmt *ls, const struct LintRule *rule);

/* One entry of the rule catalogue; also its documentation (mig_lint_rules) */
typedef struct LintRule
{
	const char *id;				/* kebab-case id, as findings report it */
	MigLintSeverity severity;	/* severity on a large or unknown table */
	int			flags;			/* LINT_* */
	const char *family;			/* locks, types, destructive, misc */
	const char *lock;			/* lock the statement takes, or "-" */
	const char *effect;			/* rewrite, scan, index build, fails, ... */
	const char *what;			/* what it flags, for the documentation */
	const char *hint;			/* the safe alternative */
	LintCheck	check;
} LintRule;

extern const LintRule lint_rules[];
extern const int lint_nrules;

/* A name created earlier in the script (relation, index, type) */
typedef struct LintName
{
	char		kind;			/* 'r' relation or index, 't' type, 'c'
								 * constraint added NOT VALID */
	char	   *schema;			/* NULL when written unqualified */
	char	   *name;
	char	   *relname;		/* 'c': the constraint's table */
	int			statement;		/* where it was created */
} LintName;

/* The strongest lock an earlier statement took on an existing relation */
typedef struct LintLocked
{
	Oid			relid;
	LOCKMODE	mode;
	int			statement;
} LintLocked;

/* An enum value added in this script, not yet committed */
typedef struct LintEnumValue
{
	char	   *type;			/* qualified type name */
	char	   *value;
	int			statement;
} LintEnumValue;

/* Per-script state (opaque to lint.h's users) */
struct MigLintState
{
	MigLintOptions options;
	int			nstatements;	/* statements linted so far */
	bool		lock_timeout_set;	/* a non-zero lock_timeout is in force */
	bool		lock_timeout_reported;	/* missing-lock-timeout reported */
	bool		statement_timeout_set;	/* a statement timeout is in force */
	bool		statement_timeout_ignored;	/* the script SETs
											 * statement_timeout, which the
											 * runner's statements ignore */
	bool		statement_timeout_reported; /* missing-statement-timeout
											 * reported */
	List	   *ignore_file;	/* rule ids suppressed for the whole script */
	List	   *created;		/* LintName: created earlier in the script */
	List	   *locked;			/* LintLocked: locks held from earlier
								 * statements */
	List	   *enum_values;	/* LintEnumValue */
	bool		want_locks;		/* collect the locks of every statement */
	List	   *locks;			/* MigLintLock, when want_locks */
};

/*
 * A relation a statement names, resolved once: created earlier in the
 * script, found in the catalog (relid), or unknown (neither).
 */
typedef struct LintRel
{
	RangeVar   *rv;
	Oid			relid;			/* InvalidOid: not in the catalog */
	bool		created;		/* created earlier in this script */
	char		relkind;		/* '\0' when unknown */
	char	   *name;			/* qualified, quoted name for reports */
	bool		size_done;		/* size computed */
	int64		size;			/* bytes; -1 unknown */
} LintRel;

/* The statement being linted, as the rules see it */
typedef struct LintStmt
{
	MigLintState *state;
	int			number;			/* 1-based statement number */
	Node	   *stmt;			/* raw parse tree, read only */
	const char *text;			/* statement text (may be NULL) */
	AlterTableCmd *cmd;			/* ALTER TABLE: the current subcommand; NULL
								 * in the statement-level pass */
	LintRel    *rel;			/* ALTER TABLE: its relation */
	List	   *suppress;		/* rule ids suppressed for this statement */
	List	   *findings;		/* MigLintFinding */
	List	   *rels;			/* LintRel cache */
} LintStmt;

/* lint.c: facts */
extern LintRel *lint_rel(LintStmt *ls, RangeVar *rv);
extern LintRel *lint_rel_oid(LintStmt *ls, Oid relid);
extern int64 lint_rel_size(LintRel *rel);
extern char *lint_rel_desc(LintRel *rel);
extern bool lint_is_created(MigLintState *state, char kind,
							const char *schema, const char *name);
extern void lint_add_created(MigLintState *state, char kind,
							 const char *schema, const char *name,
							 const char *relname, int statement);
extern Oid	lint_namespace(const char *name);
extern LOCKMODE lint_statement_lock(LintStmt *ls, LintRel **rel);
extern LintLocked *lint_locked(MigLintState *state, Oid relid);
extern bool lint_expr_volatile(Node *raw, char **funcname);
extern bool lint_is_serial(TypeName *tn, Oid *inttype);
extern List *lint_tokens(const char *text, char kind);

/*
 * lint.c: report a finding of rule about rel (may be NULL) and object.
 * Applies suppression and, for LINT_GATED rules, the created-in-script
 * exemption and the size threshold.  hint NULL: the rule's own hint.
 * Returns whether a finding was added.
 */
extern bool lint_report(LintStmt *ls, const LintRule *rule, LintRel *rel,
						const char *object, const char *hint,
						const char *fmt,...) pg_attribute_printf(6, 7);
extern bool lint_report_sev(LintStmt *ls, const LintRule *rule,
							MigLintSeverity severity, LintRel *rel,
							const char *object, const char *hint,
							const char *fmt,...) pg_attribute_printf(7, 8);

#endif							/* SCHEMAMIG_LINT_INTERNAL_H */
