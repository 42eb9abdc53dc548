/* Internal to the TOML reader: the parser state and the scanning of values shared by
 * core/toml_scan.c (lexing, strings, numbers, arrays) and core/toml.c (keys, tables, documents,
 * public API). Included by core/toml*.c only; everything else uses core/toml.h.
 *
 * Conventions: functions taking a parser return 0 on success and -1 after recording a message
 * with core_toml_fail; ps->p is the read position, advanced past what was consumed. */
#ifndef PINNSOLVE_CORE_TOML_SCAN_H
#define PINNSOLVE_CORE_TOML_SCAN_H

#include "core/toml.h"

/* Errors go into a caller's buffer rather than straight to CORE_FAIL so that
 * core_toml_value_parse can stay quiet. */
typedef struct core_toml_parser {
  const char *p;
  int line;
  const char *name; /* NULL: messages without "<name>:<line>: " */
  char *err;
  size_t err_size;
  int failed;
  int nomem;
  int depth;
} core_toml_parser;

/* Records "<name>:<line>: <message>" (only the first failure counts); returns -1. */
int core_toml_fail(core_toml_parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int core_toml_fail_nomem(core_toml_parser *ps); /* "out of memory", flags ps->nomem */

/* Frees what a value owns (strings, array items) and leaves it a boolean. */
void core_toml_value_clear(core_toml_value *v);

/* A-Z a-z 0-9 _ -: the characters of a bare key (and of unquoted value tokens). */
int core_toml_is_bare_char(int c);
void core_toml_skip_ws(core_toml_parser *ps);
/* Consumes one newline (LF or CRLF) if present; returns 1 if it did. */
int core_toml_eat_newline(core_toml_parser *ps);
/* After a header or key/value: only whitespace and a comment may follow on the line; `after`
 * names what came before in the message. */
int core_toml_expect_line_end(core_toml_parser *ps, const char *after);
/* Whole-text UTF-8 check of text (counting lines for the message); resets ps->line to 1. */
int core_toml_check_utf8(core_toml_parser *ps, const char *text);

/* A single-line basic or literal string, ps->p at the opening quote; *out is malloc'ed. */
int core_toml_parse_quoted(core_toml_parser *ps, char **out);
/* Any value that may follow '=' (ps->p at its first character); v->line is set. On failure v
 * may hold a partial value: core_toml_value_clear it. */
int core_toml_parse_value(core_toml_parser *ps, core_toml_value *v);

#endif
