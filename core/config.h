/* Binds a parsed TOML document (core/toml.h) and command-line overrides to a C struct through a
 * table of key descriptors, and writes the struct back as TOML.
 *
 * Every key of the document must be in the schema or in a table with a dynamic-key hook;
 * messages are "<file>:<line>: <message>" for file keys and "--set <k>=<v>: <message>" for
 * overrides, e.g.
 *   run.toml:12: unknown key 'trainer.adam_step' (did you mean 'trainer.adam_steps'?)
 *   run.toml:12: trainer.adam_steps must be an integer, got string "abc"
 *   run.toml:7: points.n must be >= 1, got -5
 * all recorded with CORE_FAIL(CORE_ERR_CONFIG, ...).
 *
 * Adding a key is one descriptor line plus the struct field it names:
 *   {"trainer.adam_steps", CORE_CONFIG_INT, offsetof(my_cfg, trainer.adam_steps), "10000",
 *    .min = 0, .max = INT_MAX, .help = "Adam steps before L-BFGS"},                            */
#ifndef PINNSOLVE_CORE_CONFIG_H
#define PINNSOLVE_CORE_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"
#include "core/toml.h"

typedef enum core_config_kind {
  CORE_CONFIG_INT,         /* int field; integer values only */
  CORE_CONFIG_FLOAT,       /* double field; integers accepted; must be finite */
  CORE_CONFIG_BOOL,        /* int field, 0 or 1 */
  CORE_CONFIG_CHOICE,      /* int field: index into choices (or choice_values[index]) */
  CORE_CONFIG_STRING,      /* char field[max_len] (max_len includes the NUL) */
  CORE_CONFIG_INT_ARRAY,   /* int field[max_len] and an int count at count_offset */
  CORE_CONFIG_FLOAT_ARRAY  /* double field[max_len] and an int count at count_offset */
} core_config_kind;

enum {
  CORE_CONFIG_REQUIRED = 1,      /* the key must be set (no default) */
  CORE_CONFIG_MIN_EXCLUSIVE = 2, /* value > min rather than >= min */
  CORE_CONFIG_MAX_EXCLUSIVE = 4  /* value < max rather than <= max */
};

typedef struct core_config_key {
  const char *key;          /* full dotted name, "trainer.adam_steps" */
  core_config_kind kind;
  size_t offset;            /* offsetof the field in the target struct */
  const char *def;          /* default as a TOML value ("10000", "[64, 64]", "\"tanh\""),
                               NULL: the field is left as the caller initialised it */
  double min, max;          /* numbers and array elements; both 0: no bound beyond the type's */
  int flags;
  const char *const *choices; /* CHOICE: NULL-terminated list of the accepted strings */
  const int *choice_values;   /* CHOICE: optional value stored for each choice */
  int min_len, max_len;     /* arrays: entry count bounds (max_len = capacity); STRING: size */
  size_t count_offset;      /* arrays: offsetof the int entry count */
  const char *help;         /* one line, written as a comment by the writer */
} core_config_key;

typedef struct core_config core_config;

/* Keys of `table` (e.g. "problem") that are not in the schema go to this hook, after every
 * schema key has been bound. name: the key inside the table ("nu"); origin: "<file>:<line>" or
 * "--set problem.nu=0.1" for messages. Return CORE_OK or fail with CORE_FAIL. */
typedef core_status (*core_config_dynamic_fn)(void *user, const char *name,
                                              const core_toml_value *value, const char *origin);

/* keys: n_keys descriptors, borrowed for the binder's lifetime; target: the struct, borrowed. */
core_status core_config_create(core_config **out, const core_config_key *keys, int n_keys,
                               void *target);
void core_config_destroy(core_config *cfg); /* NULL is a no-op */

/* Registers the dynamic-key hook of one table (at most 8 tables). */
core_status core_config_add_dynamic(core_config *cfg, const char *table,
                                    core_config_dynamic_fn fn, void *user);

/* Applies the defaults, then the document (may be NULL), then the overrides ("key=value"; the
 * value is a TOML value, and for STRING/CHOICE keys an unquoted word is taken as the string),
 * then checks required keys. Keys of dynamic tables are queued for core_config_bind_dynamic, so
 * `doc` (borrowed) must stay alive until that call. */
core_status core_config_bind(core_config *cfg, const core_toml_doc *doc, int n_overrides,
                             const char *const *overrides);
/* Hands the queued dynamic keys to their hooks: document keys first, then overrides. */
core_status core_config_bind_dynamic(core_config *cfg);

/* Where a key got its value: "<file>:<line>", "--set k=v", or NULL for a default. */
const char *core_config_origin(const core_config *cfg, const char *key);
/* The name of the document for messages that have no line ("<config>" without a document). */
const char *core_config_source(const core_config *cfg);

/* Closest candidate by edit distance, or NULL when none is close enough to be a likely typo. */
const char *core_config_suggest(const char *word, const char *const *candidates, int n);

/* Writes the target as TOML, table by table in schema order (keys outside any table must come
 * first in the schema), help lines as comments. `extra`
 * (may be NULL) is called at the end of every table to write dynamic keys as "name = value"
 * lines. The output parses back with core_toml and binds to the same values. */
typedef void (*core_config_extra_fn)(void *user, const char *table, FILE *out);
core_status core_config_write(FILE *out, const core_config_key *keys, int n_keys,
                              const void *target, core_config_extra_fn extra, void *user);
/* Writes a double so that it reads back as the same float (%.17g, ".0" added when needed). */
void core_config_write_float(FILE *out, double x);
/* Writes a TOML basic string with escapes. */
void core_config_write_string(FILE *out, const char *s);

#endif
