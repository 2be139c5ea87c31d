/*-------------------------------------------------------------------------
 *
 * sqltext.c
 *	  Revision SQL seen through the server's own parser.
 *
 * A revision's upgrade and downgrade are stored as text holding any number
 * of statements.  This file splits that text with raw_parser(), the same
 * grammar the server runs it with, computes the checksum that decides
 * whether a re-registered revision changed (over the core scanner's token
 * stream, so whitespace, comments and the case of unquoted identifiers do
 * not count), and classifies statements: transaction control, which a
 * revision may not contain, and statements that cannot run inside a
 * transaction block.
 *
 * IDENTIFICATION
 *	  src/sqltext.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "commands/defrem.h"
#include "common/cryptohash.h"
#include "common/keywords.h"
#include "common/sha2.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "utils/builtins.h"

#include "sqltext.h"

/* What an error context callback needs to say where a syntax error is. */
typedef struct SplitContext
{
	const char *what;
	const char *sql;
} SplitContext;

/*
 * split_error_callback
 *		Name the revision whose SQL failed to parse.
 */
static void
split_error_callback(void *arg)
{
	SplitContext *ctx = (SplitContext *) arg;
	int			pos = geterrposition();

	/* the position is inside the revision's SQL, not the caller's query */
	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(ctx->sql);
	}
	if (ctx->what)
		errcontext("while parsing %s", ctx->what);
}

/*
 * skip_blanks
 *		Return the offset of the first character at or after pos that is
 *		neither whitespace nor inside a comment, so that a statement's line
 *		number is the line of its first token.
 */
static int
skip_blanks(const char *sql, int pos, int end)
{
	while (pos < end)
	{
		char		c = sql[pos];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
			pos++;
		else if (c == '-' && pos + 1 < end && sql[pos + 1] == '-')
		{
			while (pos < end && sql[pos] != '\n')
				pos++;
		}
		else if (c == '/' && pos + 1 < end && sql[pos + 1] == '*')
		{
			int			depth = 1;

			pos += 2;
			while (pos < end && depth > 0)
			{
				if (sql[pos] == '*' && pos + 1 < end && sql[pos + 1] == '/')
				{
					depth--;
					pos += 2;
				}
				else if (sql[pos] == '/' && pos + 1 < end && sql[pos + 1] == '*')
				{
					depth++;
					pos += 2;
				}
				else
					pos++;
			}
		}
		else
			break;
	}
	return pos;
}

/*
 * sqltext_split
 *		Split sql into its statements with the server's grammar.
 *
 * Returns a List of MigStatement, empty for text holding only comments or
 * whitespace.  Each statement carries its own text (without the trailing
 * semicolon), its position and line in sql, and its raw parse tree.
 */
List *
sqltext_split(const char *sql, const char *what)
{
	ErrorContextCallback errcallback;
	SplitContext ctx;
	List	   *raw;
	List	   *result = NIL;
	ListCell   *lc;
	int			sqllen = strlen(sql);
	int			number = 0;
	int			line = 1;
	int			linepos = 0;

	ctx.what = what;
	ctx.sql = sql;
	errcallback.callback = split_error_callback;
	errcallback.arg = &ctx;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	raw = raw_parser(sql, RAW_PARSE_DEFAULT);

	error_context_stack = errcallback.previous;

	foreach(lc, raw)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		MigStatement *st = palloc0(sizeof(MigStatement));
		int			start = rs->stmt_location;
		int			end = (rs->stmt_len > 0) ? start + rs->stmt_len : sqllen;
		int			first = skip_blanks(sql, start, end);

		/* count lines incrementally: statements come in text order */
		while (linepos < first)
		{
			if (sql[linepos] == '\n')
				line++;
			linepos++;
		}

		st->number = ++number;
		st->location = first;
		st->length = end - first;
		st->lineno = line;
		st->text = pnstrdup(sql + first, end - first);
		st->parsetree = rs->stmt;
		st->leading = pnstrdup(sql + start, first - start);
		result = lappend(result, st);
	}

	return result;
}

/*
 * is_keyword_text
 *		Does p point into the scanner's keyword string table?  The scanner
 *		hands back keywords as pointers into that table, so a pointer test
 *		tells a keyword from an identifier without depending on the grammar's
 *		token numbers (which are not installed for extensions in every
 *		release, and differ between releases).
 */
static bool
is_keyword_text(const char *p)
{
	const char *lo = ScanKeywords.kw_string;
	int			last = ScanKeywords.num_keywords - 1;
	const char *hi = lo + ScanKeywords.kw_offsets[last] +
		strlen(lo + ScanKeywords.kw_offsets[last]);

	return p != NULL && p >= lo && p <= hi;
}

/*
 * plain_token_length
 *		Length of a token that contains no blanks (a number, a parameter, an
 *		operator) starting at src[pos]; the next token starts at or before
 *		next, and only whitespace or comments lie between.
 */
static int
plain_token_length(const char *src, int pos, int next)
{
	int			i;

	for (i = pos; i < next; i++)
	{
		char		c = src[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
			break;
		if (i + 1 < next &&
			((c == '-' && src[i + 1] == '-') || (c == '/' && src[i + 1] == '*')))
			break;
	}
	return i - pos;
}

/*
 * hash_token
 *		Append one token of the scanner's output to the normalized form.
 *
 * Keywords and identifiers are appended as the scanner folded them, string
 * literals by value (so E'a' and 'a' are equal), numbers and operators as
 * written.  A class letter keeps an identifier apart from a string literal
 * with the same value.
 */
static void
hash_token(StringInfo buf, const char *src, int tok, core_YYSTYPE *val,
		   int loc, int next)
{
	char		c = src[loc];
	char		c1 = src[loc] ? src[loc + 1] : '\0';

	if (tok < 256)
		appendStringInfo(buf, "c%c", (char) tok);
	else if (is_keyword_text(val->keyword))
		appendStringInfo(buf, "k%s", val->keyword);
	else if (isdigit((unsigned char) c) || (c == '.' && isdigit((unsigned char) c1)) ||
			 (c == '$' && isdigit((unsigned char) c1)) || val->str == NULL)
	{
		/* number, parameter, or a fixed multi-character operator */
		appendStringInfoChar(buf, 'n');
		appendBinaryStringInfo(buf, src + loc, plain_token_length(src, loc, next));
	}
	else
	{
		char		class;

		if (c == '"' || ((c == 'u' || c == 'U') && c1 == '&' && src[loc + 2] == '"'))
			class = 'i';		/* quoted identifier */
		else if (c == '\'' || c == '$' || c1 == '\'' ||
				 ((c == 'u' || c == 'U') && c1 == '&'))
			class = 's';		/* string literal of any kind */
		else if (isalpha((unsigned char) c) || c == '_' || IS_HIGHBIT_SET(c))
			class = 'i';		/* identifier */
		else
			class = 'o';		/* operator */
		appendStringInfo(buf, "%c%zu:", class, strlen(val->str));
		appendStringInfoString(buf, val->str);
	}
	appendStringInfoChar(buf, '\x1f');
}

/*
 * sqltext_checksum
 *		Hex SHA-256 over the normalized token streams of parts.
 *
 * Callers split the text with sqltext_split() first, so the scanner has
 * already accepted it and raises no error here.
 */
char *
sqltext_checksum(const char **parts, int nparts)
{
	StringInfoData buf;
	pg_cryptohash_ctx *hctx;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < nparts; i++)
	{
		const char *part = parts[i];

		if (part == NULL)
		{
			appendStringInfoString(&buf, "\x1e<null>\x1e");
			continue;
		}
		appendStringInfoChar(&buf, '\x1e');
		{
			core_yy_extra_type yyextra;
			core_yyscan_t scanner;
			core_YYSTYPE yylval;
			YYLTYPE		yylloc;
			int			tok;
			int			prevtok = 0;
			int			prevloc = 0;
			core_YYSTYPE prevval;
			bool		any = false;
			bool		separator = false;

			/*
			 * A token's extent is only known once the next token's start is:
			 * hash each token one step late.
			 */
			memset(&prevval, 0, sizeof(prevval));
			scanner = scanner_init(part, &yyextra, &ScanKeywords, ScanKeywordTokens);
			for (;;)
			{
				memset(&yylval, 0, sizeof(yylval));
				tok = core_yylex(&yylval, &yylloc, scanner);
				/*
				 * Semicolons separate statements: empty statements and a
				 * final semicolon are not content.
				 */
				if (prevtok == ';')
					separator = any;
				else if (prevtok != 0)
				{
					if (separator)
						appendStringInfoString(&buf, "c;\x1f");
					separator = false;
					hash_token(&buf, part, prevtok, &prevval, prevloc,
							   tok == 0 ? (int) strlen(part) : yylloc);
					any = true;
				}
				if (tok == 0)
					break;
				prevtok = tok;
				prevloc = yylloc;
				prevval = yylval;
			}
			scanner_finish(scanner);
		}
	}

	hctx = pg_cryptohash_create(PG_SHA256);
	if (hctx == NULL ||
		pg_cryptohash_init(hctx) < 0 ||
		pg_cryptohash_update(hctx, (uint8 *) buf.data, buf.len) < 0 ||
		pg_cryptohash_final(hctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256 checksum");
	pg_cryptohash_free(hctx);

	hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	hex_encode((char *) digest, PG_SHA256_DIGEST_LENGTH, hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	pfree(buf.data);
	return hex;
}

/*
 * sqltext_transaction_control
 *		If stmt is transaction control, return a description of it.
 */
const char *
sqltext_transaction_control(Node *stmt)
{
	if (!IsA(stmt, TransactionStmt))
		return NULL;

	switch (((TransactionStmt *) stmt)->kind)
	{
		case TRANS_STMT_BEGIN:
			return "BEGIN";
		case TRANS_STMT_START:
			return "START TRANSACTION";
		case TRANS_STMT_COMMIT:
			return "COMMIT";
		case TRANS_STMT_ROLLBACK:
			return "ROLLBACK";
		case TRANS_STMT_SAVEPOINT:
			return "SAVEPOINT";
		case TRANS_STMT_RELEASE:
			return "RELEASE";
		case TRANS_STMT_ROLLBACK_TO:
			return "ROLLBACK TO SAVEPOINT";
		case TRANS_STMT_PREPARE:
			return "PREPARE TRANSACTION";
		case TRANS_STMT_COMMIT_PREPARED:
			return "COMMIT PREPARED";
		case TRANS_STMT_ROLLBACK_PREPARED:
			return "ROLLBACK PREPARED";
	}
	return "transaction control";
}

/*
 * sqltext_option_set
 *		Does a list of DefElem options (REINDEX, CLUSTER, VACUUM) name the
 *		given option with a true value?
 */
bool
sqltext_option_set(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *opt = (DefElem *) lfirst(lc);

		if (strcmp(opt->defname, name) == 0)
			return opt->arg == NULL || defGetBoolean(opt);
	}
	return false;
}

/*
 * sqltext_nontransactional
 *		If stmt cannot run inside a transaction block, say which statement.
 *
 * Mirrors the PreventInTransactionBlock() calls of the server's utility
 * code for the statements a migration may plausibly contain.
 */
const char *
sqltext_nontransactional(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_IndexStmt:
			if (((IndexStmt *) stmt)->concurrent)
				return "CREATE INDEX CONCURRENTLY";
			break;
		case T_DropStmt:
			if (((DropStmt *) stmt)->concurrent)
				return "DROP INDEX CONCURRENTLY";
			break;
		case T_ReindexStmt:
			{
				ReindexStmt *r = (ReindexStmt *) stmt;

				if (sqltext_option_set(r->params, "concurrently"))
					return "REINDEX CONCURRENTLY";
				if (r->kind == REINDEX_OBJECT_SYSTEM ||
					r->kind == REINDEX_OBJECT_DATABASE ||
					r->kind == REINDEX_OBJECT_SCHEMA)
					return "REINDEX SCHEMA/DATABASE/SYSTEM";
				break;
			}
		case T_VacuumStmt:
			if (((VacuumStmt *) stmt)->is_vacuumcmd)
				return "VACUUM";
			break;
		case T_ClusterStmt:
			if (((ClusterStmt *) stmt)->relation == NULL)
				return "CLUSTER without a table";
			break;
		case T_AlterTableStmt:
			{
				ListCell   *lc;

				foreach(lc, ((AlterTableStmt *) stmt)->cmds)
				{
					AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

					if (cmd->subtype == AT_DetachPartition &&
						cmd->def && IsA(cmd->def, PartitionCmd) &&
						((PartitionCmd *) cmd->def)->concurrent)
						return "DETACH PARTITION CONCURRENTLY";
				}
				break;
			}
		case T_CreatedbStmt:
			return "CREATE DATABASE";
		case T_DropdbStmt:
			return "DROP DATABASE";
		case T_CreateTableSpaceStmt:
			return "CREATE TABLESPACE";
		case T_DropTableSpaceStmt:
			return "DROP TABLESPACE";
		case T_AlterSystemStmt:
			return "ALTER SYSTEM";
		case T_CreateSubscriptionStmt:
			return "CREATE SUBSCRIPTION";
		case T_DropSubscriptionStmt:
			return "DROP SUBSCRIPTION";
		default:
			break;
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * Source text of clauses, for reports
 *
 * The raw parse tree keeps where an expression starts, not where it ends,
 * and the server has no deparser for raw expressions.  These helpers run
 * the core scanner from a token boundary and cut the text at the token that
 * ends the clause, so a report can quote a DEFAULT or a predicate exactly
 * as the revision wrote it.
 * ------------------------------------------------------------------------ */

/*
 * trimmed_text
 *		sql[start, end) without surrounding whitespace, or NULL when empty.
 */
static char *
trimmed_text(const char *sql, int start, int end)
{
	while (start < end && isspace((unsigned char) sql[start]))
		start++;
	while (end > start && isspace((unsigned char) sql[end - 1]))
		end--;
	if (end <= start)
		return NULL;
	return pnstrdup(sql + start, end - start);
}

/*
 * keyword_is
 *		Is the token a keyword spelled kw (lower case)?
 */
static bool
keyword_is(core_YYSTYPE *val, const char *kw)
{
	return is_keyword_text(val->keyword) && strcmp(val->keyword, kw) == 0;
}

/*
 * sqltext_expr_text
 *		The source text of the expression that starts at sql[location]: up
 *		to the first comma, semicolon or unmatched closing parenthesis at its
 *		own level, or, with column_constraint, the first keyword that starts
 *		another column constraint (NOT, NULL, CONSTRAINT, CHECK, DEFAULT,
 *		UNIQUE, PRIMARY, REFERENCES, GENERATED, COLLATE, DEFERRABLE,
 *		INITIALLY), none of which the grammar lets a column default contain
 *		at its own level.  skip_first skips the first token (the DEFAULT
 *		keyword of a column constraint).  NULL when nothing is left.
 */
char *
sqltext_expr_text(const char *sql, int location, bool skip_first,
				  bool column_constraint)
{
	static const char *const stops[] = {
		"not", "null", "constraint", "check", "default", "unique", "primary",
		"references", "generated", "collate", "deferrable", "initially", NULL
	};
	const char *src;
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			depth = 0;
	int			start = -1;
	int			end;
	bool		prev_is = false;

	if (sql == NULL || location < 0 || location >= (int) strlen(sql))
		return NULL;
	src = sql + location;
	end = strlen(src);
	scanner = scanner_init(src, &yyextra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			tok;

		memset(&yylval, 0, sizeof(yylval));
		tok = core_yylex(&yylval, &yylloc, scanner);
		if (tok == 0)
			break;
		if (skip_first)
		{
			skip_first = false;
			continue;
		}
		if (depth == 0 && (tok == ',' || tok == ';' || tok == ')'))
		{
			end = yylloc;
			break;
		}
		if (depth == 0 && column_constraint && start >= 0 &&
			is_keyword_text(yylval.keyword))
		{
			bool		stop = false;

			for (int i = 0; stops[i] != NULL && !stop; i++)
				stop = strcmp(yylval.keyword, stops[i]) == 0;
			/* IS NOT DISTINCT FROM, IS NOT DOCUMENT belong to the expression */
			if (stop && !(prev_is && strcmp(yylval.keyword, "not") == 0))
			{
				end = yylloc;
				break;
			}
		}
		if (tok == '(' || tok == '[')
			depth++;
		else if (tok == ')' || tok == ']')
			depth--;
		if (start < 0)
			start = yylloc;
		prev_is = keyword_is(&yylval, "is");
	}
	scanner_finish(scanner);
	if (start < 0)
		return NULL;
	return trimmed_text(src, start, end);
}

/*
 * sqltext_paren_text
 *		The text inside the first parenthesized group at or after
 *		sql[location] (a CHECK constraint's condition, a generated column's
 *		expression), or NULL.
 */
char *
sqltext_paren_text(const char *sql, int location)
{
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	const char *src;
	int			depth = 0;
	int			start = -1;
	char	   *result = NULL;

	if (sql == NULL || location < 0 || location >= (int) strlen(sql))
		return NULL;
	src = sql + location;
	scanner = scanner_init(src, &yyextra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			tok;

		memset(&yylval, 0, sizeof(yylval));
		tok = core_yylex(&yylval, &yylloc, scanner);
		if (tok == 0 || (tok == ';' && depth == 0))
			break;
		if (tok == '(')
		{
			if (depth++ == 0)
				start = yylloc + 1;
		}
		else if (tok == ')' && depth > 0 && --depth == 0)
		{
			result = trimmed_text(src, start, yylloc);
			break;
		}
	}
	scanner_finish(scanner);
	return result;
}

/*
 * sqltext_clause_text
 *		The text of sql[start, end) after the first keyword kw (lower case)
 *		outside parentheses, up to end (an index predicate after WHERE), or
 *		NULL.
 */
char *
sqltext_clause_text(const char *sql, int start, int end, const char *kw)
{
	char	   *src;
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			depth = 0;
	char	   *result = NULL;

	if (sql == NULL || start < 0 || end <= start)
		return NULL;
	src = pnstrdup(sql + start, end - start);
	scanner = scanner_init(src, &yyextra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			tok;

		memset(&yylval, 0, sizeof(yylval));
		tok = core_yylex(&yylval, &yylloc, scanner);
		if (tok == 0)
			break;
		if (tok == '(')
			depth++;
		else if (tok == ')')
			depth--;
		else if (depth == 0 && keyword_is(&yylval, kw))
		{
			int			len = strlen(src);

			/* a final semicolon is not part of the clause */
			while (len > 0 && (isspace((unsigned char) src[len - 1]) || src[len - 1] == ';'))
				len--;
			result = trimmed_text(src, yylloc + strlen(kw), len);
			break;
		}
	}
	scanner_finish(scanner);
	return result;
}
