/* A strict reader for the TOML subset pinnsolve's configuration files use.
 *
 * Accepted: [table] and [dotted.table] headers; bare, "quoted" and 'literal' keys, dotted keys
 * (a.b = 1); basic strings with the TOML escapes (\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX) and
 * literal strings; integers (decimal with sign and _ separators, no leading zeros; 0x/0o/0b);
 * floats (fraction and/or exponent, inf and nan with optional sign); booleans; arrays of these,
 * nested or mixed, possibly spanning lines, with a trailing comma; comments.
 * Rejected as "not supported": dates and times, inline tables, multi-line strings, arrays of
 * tables, and integers outside 64 bits or strings containing NUL. Everything TOML itself rejects
 * (duplicate keys, redefined tables, missing '=', bad escapes, ...) is rejected too.
 *
 * Errors are recorded with CORE_FAIL(CORE_ERR_CONFIG, "<name>:<line>: <message>"). */
#ifndef PINNSOLVE_CORE_TOML_H
#define PINNSOLVE_CORE_TOML_H

#include <stddef.h>

#include "core/status.h"

typedef enum core_toml_type {
  CORE_TOML_INT,
  CORE_TOML_FLOAT,
  CORE_TOML_BOOL,
  CORE_TOML_STRING,
  CORE_TOML_ARRAY,
  CORE_TOML_TABLE /* only as a doc entry: a table declared by a [header] */
} core_toml_type;

typedef struct core_toml_value {
  core_toml_type type;
  int line; /* 1-based source line where the value starts */
  union {
    long long i;
    double f;
    int b;       /* 0 or 1 */
    char *s;     /* NUL-terminated UTF-8, owned by the doc */
    struct {
      size_t n;
      struct core_toml_value *items; /* n values, owned by the doc */
    } array;
  } as;
} core_toml_value;

/* One entry of a document: a leaf key with its value, or a table declared by a header. */
typedef struct core_toml_entry {
  const char *key;         /* full dotted name: "trainer.adam_steps"; segments that are not bare
                              keys appear quoted: a."b.c" */
  int n_parts;             /* the key's segments, unquoted */
  const char *const *parts;
  core_toml_value value;   /* value.line is the entry's line; type TABLE for a header */
} core_toml_entry;

typedef struct core_toml_doc core_toml_doc;

/* Parses a file; a file that cannot be read fails with CORE_ERR_IO
 * "cannot read config '<path>': <strerror>". Messages name the path. */
core_status core_toml_parse_file(core_toml_doc **out, const char *path);
/* Parses text (NUL-terminated); messages name `name` ("<name>:<line>: ..."). */
core_status core_toml_parse_string(core_toml_doc **out, const char *text, const char *name);
void core_toml_doc_destroy(core_toml_doc *doc); /* NULL is a no-op */

/* The name used in messages (the path for files). */
const char *core_toml_doc_name(const core_toml_doc *doc);
/* Entries in document order: every leaf key and every [header] table. */
size_t core_toml_doc_size(const core_toml_doc *doc);
const core_toml_entry *core_toml_doc_entry(const core_toml_doc *doc, size_t i);
/* The value of a leaf key by full dotted name, NULL if absent. */
const core_toml_value *core_toml_doc_get(const core_toml_doc *doc, const char *key);

/* Parses one value ("42", "[1, 2]", "'x'") as it would appear after '='. Unlike the functions
 * above this records nothing: on failure it returns CORE_ERR_CONFIG (or CORE_ERR_NOMEM) and
 * writes a message into err (err_size bytes), so a caller can fall back quietly.
 * *out is freed with core_toml_value_destroy. */
core_status core_toml_value_parse(core_toml_value **out, const char *text, char *err,
                                  size_t err_size);
void core_toml_value_destroy(core_toml_value *value); /* NULL is a no-op */

/* "integer", "float", "boolean", "string", "array", "table". */
const char *core_toml_type_name(core_toml_type type);

#endif
