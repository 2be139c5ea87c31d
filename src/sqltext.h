/*-------------------------------------------------------------------------
 *
 * sqltext.h
 *	  Revision SQL seen through the server's own parser: splitting into
 *	  statements, the normalized checksum, and statement classification.
 *
 * IDENTIFICATION
 *	  src/sqltext.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_SQLTEXT_H
#define SCHEMAMIG_SQLTEXT_H

#include "nodes/pg_list.h"

/* One statement of a revision's SQL. */
typedef struct MigStatement
{
	int			number;			/* 1-based statement number */
	int			location;		/* byte offset in the revision's SQL */
	int			length;			/* bytes of the statement text */
	int			lineno;			/* 1-based line of its first character */
	char	   *text;			/* the statement alone, NUL-terminated */
	Node	   *parsetree;		/* raw parse tree (RawStmt's stmt) */
	char	   *leading;		/* blanks and comments between the previous
								 * statement's semicolon and this statement
								 * (suppression comments of the linter) */
} MigStatement;

/*
 * Split sql into statements with raw_parser().  A syntax error is raised
 * with errcontext naming "what" (e.g. the revision and direction).
 */
extern List *sqltext_split(const char *sql, const char *what);

/*
 * Hex SHA-256 over the scanner's token stream of each part (whitespace and
 * comments do not count, unquoted identifiers are case-folded).  parts may
 * contain NULLs, which hash differently from empty strings.
 */
extern char *sqltext_checksum(const char **parts, int nparts);

/* Transaction control (BEGIN, COMMIT, SAVEPOINT, ...)?  Returns its tag. */
extern const char *sqltext_transaction_control(Node *stmt);

/*
 * A statement that cannot run inside a transaction block?  Returns a short
 * description ("CREATE INDEX CONCURRENTLY") or NULL.
 */
extern const char *sqltext_nontransactional(Node *stmt);

/*
 * Does a DefElem option list (VACUUM, REINDEX, CLUSTER) set the option
 * ("full", "concurrently") to true?
 */
extern bool sqltext_option_set(List *options, const char *name);

/*
 * Source text of clauses, cut from the SQL with the server's scanner (the
 * raw parse tree knows where an expression starts, not where it ends):
 *
 * sqltext_expr_text: the expression starting at sql[location], up to the
 * first comma, semicolon or unmatched ")" at its level, or with
 * column_constraint at the keyword of the next column constraint (NOT NULL,
 * CHECK, ...); skip_first skips a leading keyword (DEFAULT).
 *
 * sqltext_paren_text: the text inside the first (...) at or after location.
 *
 * sqltext_clause_text: the text of sql[start, end) after the first keyword
 * kw outside parentheses (an index predicate after WHERE).
 *
 * Each returns NULL when there is no such text.
 */
extern char *sqltext_expr_text(const char *sql, int location, bool skip_first,
							   bool column_constraint);
extern char *sqltext_paren_text(const char *sql, int location);
extern char *sqltext_clause_text(const char *sql, int start, int end,
								 const char *kw);

#endif							/* SCHEMAMIG_SQLTEXT_H */
