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

#endif							/* SCHEMAMIG_SQLTEXT_H */
