/*-------------------------------------------------------------------------
 *
 * lint.h
 *	  The migration linter: what a DDL statement will really do on this
 *	  server (locks, table rewrites, full scans, broken clients), judged from
 *	  its raw parse tree and the live catalog, without executing anything.
 *
 * lint.c is the engine (statement walk, catalog facts, suppression
 * comments, per-script state, enforcement, the mig_lint() SQL function);
 * lint_rules.c is the rule catalogue (one function per rule and the table
 * that documents them).
 *
 * The ways in:
 *
 *	* mig_lint_script(sql): lint a whole script (what mig_lint(sql) returns).
 *	* mig_lint_statement(parsetree, text, state): lint one statement with the
 *	  state of the script or transaction it belongs to; the parse tree is
 *	  only read, never modified.
 *	* mig_lint_enforce(stmts, revision): lint the statements of a revision
 *	  before they run and raise WARNINGs or an ERROR according to
 *	  schemamig.lint (off | warn | deny).  The runner calls it.
 *	* mig_lint_enforce_statement(parsetree, text, NULL): the same for one
 *	  out-of-band statement, with a per-transaction state.  The DDL hook
 *	  calls it.
 *	* mig_lint_revision(stmts, keep_suppressed, &locks): lint a revision as
 *	  the runner will run it, and say which tables each statement locks.
 *	  The migration report (report.c) calls it, with the live facts below
 *	  (relation sizes, lock names, the work a rule's finding stands for).
 *
 * IDENTIFICATION
 *	  src/lint.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_LINT_H
#define SCHEMAMIG_LINT_H

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "storage/lockdefs.h"

/* Severity of a finding; the order matters (higher is worse). */
typedef enum MigLintSeverity
{
	MIG_LINT_INFO = 0,
	MIG_LINT_WARNING,
	MIG_LINT_ERROR
} MigLintSeverity;

/*
 * One finding: one row of mig_lint().  Strings are palloc'd in the memory
 * context current when the statement was linted; object and hint may be
 * NULL.
 */
typedef struct MigLintFinding
{
	const char *rule;			/* rule id, kebab-case ("adding-required-column") */
	MigLintSeverity severity;
	int			statement;		/* 1-based statement number in the script */
	char	   *object;			/* qualified name of the object concerned */
	char	   *message;		/* what will happen: lock level, rewrite/scan */
	char	   *hint;			/* the safe alternative */
	bool		suppressed;		/* a schemamig:ignore comment names the rule
								 * (only with keep_suppressed) */
} MigLintFinding;

/*
 * State carried from one statement of a script to the next: relations
 * created earlier in the script (exempt from lock rules), whether
 * lock_timeout and a statement timeout were set, suppression comments, the
 * statement counter.  Its layout is private to lint.c.
 */
typedef struct MigLintState MigLintState;

/*
 * Options of a lint run (mig_lint_state_create).
 *
 * in_transaction: the statements run inside one transaction block (always
 * true for revisions run by schemamig; the DDL hook passes
 * IsTransactionBlock() for out-of-band DDL).
 *
 * lock_timeout_set: a lock_timeout is already in force before the first
 * statement (the runner applies its own, or the session has one), so the
 * missing-lock-timeout rule does not fire.
 *
 * by_runner: the statements run through schemamig's runner (a revision;
 * mig_lint() lints as the runner would run the script).  The runner runs
 * them through SPI, inside one top-level statement, where the server does
 * not arm statement_timeout again: a SET statement_timeout among them does
 * not bound the statements after it, a SET schemamig.statement_timeout
 * does (the runner arms that one for each statement).  Out of band, each
 * statement is a top-level one and SET statement_timeout works.
 *
 * statement_timeout_set: a statement timeout already bounds the statements
 * before the first one (schemamig.statement_timeout for the runner, or the
 * session's statement_timeout or transaction_timeout), so the
 * missing-statement-timeout rule does not fire.
 *
 * keep_suppressed: return the findings that schemamig:ignore comments
 * suppress too, with "suppressed" set, instead of dropping them (for a
 * report that shows what was accepted; enforcement never sets it).
 */
typedef struct MigLintOptions
{
	bool		in_transaction;
	bool		lock_timeout_set;
	bool		by_runner;
	bool		statement_timeout_set;
	bool		keep_suppressed;
} MigLintOptions;

/*
 * One table lock a statement takes, as mig_lint_analyze() reports it: the
 * table (or view, sequence, index's table) and the lock mode the server
 * will take on it, also for relations created earlier in the script (new,
 * empty, invisible to other sessions until commit) and for relations the
 * catalog does not know (created by a revision not applied yet).  One entry
 * per statement and relation, with the strongest mode.
 */
typedef struct MigLintLock
{
	int			statement;		/* 1-based statement number */
	char	   *relation;		/* qualified, quoted name */
	Oid			relid;			/* InvalidOid: not in the catalog */
	bool		created;		/* created earlier in the script */
	LOCKMODE	mode;
} MigLintLock;

/*
 * The work a finding stands for, from its rule's documented effect: what
 * the statement does to every row of the table while it holds its lock.
 */
typedef enum MigLintWork
{
	MIG_LINT_WORK_NONE = 0,		/* catalog only, or the statement fails */
	MIG_LINT_WORK_SCAN,			/* reads the whole table */
	MIG_LINT_WORK_INDEX_BUILD,	/* reads the table and builds an index */
	MIG_LINT_WORK_ROWS,			/* writes every row (UPDATE, DELETE) */
	MIG_LINT_WORK_REWRITE		/* writes a new copy of the table and its
								 * indexes */
} MigLintWork;

/*
 * Live size of a relation of the catalog (of all its partitions for a
 * partitioned table).  Bytes are -1 and rows -1 when unknown.
 */
typedef struct MigRelSize
{
	int64		table_bytes;	/* main fork, as pg_relation_size() */
	int64		total_bytes;	/* with indexes and TOAST, as
								 * pg_total_relation_size() */
	double		rows;			/* pg_class.reltuples: the planner's
								 * estimate; -1 never vacuumed or analyzed */
} MigRelSize;

/* Names of severities as mig_lint() reports them: "info", "warning", "error". */
extern const char *mig_lint_severity_name(MigLintSeverity severity);

/*
 * Create the state for one script, revision or (for the DDL hook) one
 * transaction's out-of-band DDL.  Allocated in CurrentMemoryContext, which
 * must live as long as the state is used.
 */
extern MigLintState *mig_lint_state_create(const MigLintOptions *options);

/*
 * Lint one statement.  parsetree is the raw parse tree (RawStmt's stmt, or
 * PlannedStmt's utilityStmt in a ProcessUtility hook); it is not modified.
 * stmt_text is the statement's source text and may start with the comments
 * that precede it (as queryString + stmt_location gives it), which is where
 * "-- schemamig:ignore rule[, rule]" comments are looked for; NULL is
 * allowed.  Returns a List of MigLintFinding *, NIL when clean; suppressed
 * findings are not returned.  Advances the state's statement counter.
 */
extern List *mig_lint_statement(Node *parsetree, const char *stmt_text,
								MigLintState *state);

/*
 * Lint a whole script: split it with the server's parser (a syntax error is
 * raised as such), honour "-- schemamig:ignore-file rule[, rule]" anywhere
 * in it, and lint each statement in order.  Returns a List of
 * MigLintFinding *, in statement order.  The statements run in one
 * transaction (as schemamig runs a revision).
 */
extern List *mig_lint_script(const char *sql);

/*
 * Lint a List of MigStatement (sqltext_split's result) with the given
 * options; each statement's "leading" text (the comments before it) is
 * searched for suppression comments.  mig_lint_script() is this over
 * sqltext_split(sql).
 */
extern List *mig_lint_statements(List *stmts, const MigLintOptions *options);

/*
 * mig_lint_statements(), and when locks is not NULL, a List of MigLintLock
 * in *locks: every table lock each statement takes, in statement order.
 */
extern List *mig_lint_analyze(List *stmts, const MigLintOptions *options,
							  List **locks);

/*
 * Lint a revision's statements (a List of MigStatement) exactly as the
 * runner will see them: in one transaction, with schemamig.search_path
 * pinned and the runner's lock_timeout counted.  keep_suppressed and locks
 * as for mig_lint_analyze().
 */
extern List *mig_lint_revision(List *stmts, bool keep_suppressed,
							   List **locks);

/* A lock mode as the documentation spells it: "ACCESS EXCLUSIVE". */
extern const char *mig_lint_lock_name(LOCKMODE mode);

/* A size as pg_size_pretty() prints it. */
extern char *mig_lint_size_text(int64 bytes);

/* The work a finding of this rule stands for (MIG_LINT_WORK_NONE if unknown). */
extern MigLintWork mig_lint_rule_work(const char *rule);

/*
 * Does a finding of this rule, at severity error, mean the statement fails
 * or is refused when it runs (concurrently-in-transaction, adding-enum-value,
 * adding-required-column on a non-empty table, ...)?
 */
extern bool mig_lint_rule_fails(const char *rule);

/*
 * The live size of a relation, read without ever waiting for a lock (see
 * lint.c: exact when the locks are free right now, from pg_class
 * otherwise, or unknown).
 */
extern void mig_lint_relation_size(Oid relid, MigRelSize *size);

/*
 * The type a TypeName denotes (and its typmod), or InvalidOid when the
 * catalog does not know it (yet) or the user cannot look into its schema.
 */
extern Oid	mig_lint_type_oid(TypeName *typeName, int32 *typmod);

/*
 * A type name as the server prints it (format_type) when the catalog knows
 * the type, as written otherwise (serial, a type created by the script).
 */
extern char *mig_lint_type_text(TypeName *typeName);

/*
 * Names as the linter reports them, qualified and quoted: an object written
 * as [schema.]name (unqualified: the first existing schema of search_path,
 * where it will be created), a parser name list the same way, and a
 * relation named by a statement (its real name when the catalog knows it,
 * *relid set; else where it will be created, *relid InvalidOid).  Never
 * raises an error for a missing object or a schema the user cannot use.
 */
extern char *mig_lint_object_name(const char *schema, const char *name);
extern char *mig_lint_qualified_name(List *names);
extern char *mig_lint_relation_name(RangeVar *rv, Oid *relid);

/*
 * Enforcement, according to schemamig.lint (see below):
 *	off:  nothing;
 *	warn: one WARNING per finding of severity warning or error;
 *	deny: one WARNING per finding of severity warning, then an ERROR
 *		  (SQLSTATE 42501, as for a row-level security policy) when any
 *		  finding has severity error, naming the revision, the statement, its
 *		  line and the rule, with the rule's hint and how to suppress it.
 *
 * stmts is a List of MigStatement (as sqltext_split returns it) of the
 * revision "revision" (NULL for out-of-band DDL), all run in one
 * transaction.  Call it before executing any of the statements, so that a
 * denied revision runs nothing.  Info findings are never reported.
 */
extern void mig_lint_enforce(List *stmts, const char *revision);

/*
 * Enforcement for one statement the DDL hook sees (out-of-band DDL):
 * lints it with a state kept for the current transaction (so objects
 * created earlier in the transaction are exempt and missing-lock-timeout is
 * reported once), and acts on schemamig.lint like mig_lint_enforce().
 * lock_timeout (statement_timeout) counts as set when the session has one.  revision is NULL
 * out of band; revisions are better enforced whole with mig_lint_enforce()
 * before they run (the hook should skip statements while
 * mig_running_revision is set, or they are linted twice).
 */
extern void mig_lint_enforce_statement(Node *parsetree, const char *stmt_text,
									   const char *revision);

/*
 * schemamig.lint (off | warn | deny) is defined with the DDL hook's GUCs
 * (hook.h: mig_lint_mode, MIG_LINT_OFF / MIG_LINT_WARN / MIG_LINT_DENY).
 * schemamig.lint_large_table_size is the linter's own.
 */
extern int	mig_lint_large_table_kb;

/* Define the linter's GUCs; called from _PG_init. */
extern void mig_lint_init(void);

#endif							/* SCHEMAMIG_LINT_H */
