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
 */
typedef struct MigLintOptions
{
	bool		in_transaction;
	bool		lock_timeout_set;
	bool		by_runner;
	bool		statement_timeout_set;
} MigLintOptions;

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
