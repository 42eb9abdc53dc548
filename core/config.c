/* Schema binder between core/toml documents and C structs (see core/config.h). */
#include "core/config.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DYNAMIC_TABLES 8
#define ORIGIN_SIZE 320

/* A key of a dynamic table waiting for its hook. */
typedef struct pending {
  int table;                 /* index into dyn */
  char *name;                /* key inside the table */
  const core_toml_value *value;
  core_toml_value *owned;    /* overrides own their parsed value */
  char *origin;
} pending;

struct core_config {
  const core_config_key *keys;
  int n_keys;
  char *target;
  char **origins;            /* per key, NULL while at its default */
  struct {
    char *table;
    core_config_dynamic_fn fn;
    void *user;
  } dyn[MAX_DYNAMIC_TABLES];
  int n_dyn;
  pending *pend;
  size_t n_pend, cap_pend;
  char *source;
};

/* ---- edit distance suggestions ------------------------------------------------------------ */

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions), so "adma" is one
 * edit from "adam". Keys are short; the 64x64 table bounds the work. */
static int edit_distance(const char *a, const char *b) {
  int n = (int)strlen(a), m = (int)strlen(b);
  if (n > 63 || m > 63)
    return INT_MAX / 2;
  int d[64][64];
  for (int i = 0; i <= n; i++)
    d[i][0] = i;
  for (int j = 0; j <= m; j++)
    d[0][j] = j;
  for (int i = 1; i <= n; i++)
    for (int j = 1; j <= m; j++) {
      int cost = a[i - 1] != b[j - 1];
      int best = d[i - 1][j - 1] + cost;
      if (d[i - 1][j] + 1 < best)
        best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best)
        best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[n][m];
}

const char *core_config_suggest(const char *word, const char *const *candidates, int n) {
  int limit = (int)strlen(word) / 4;
  limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
  const char *best = NULL;
  int best_d = limit + 1;
  for (int i = 0; i < n; i++) {
    int dist = edit_distance(word, candidates[i]);
    if (dist < best_d) {
      best_d = dist;
      best = candidates[i];
    }
  }
  return best;
}

/* ---- schema lookups ----------------------------------------------------------------------- */

static int find_key(const core_config *c, const char *key) {
  for (int i = 0; i < c->n_keys; i++)
    if (strcmp(c->keys[i].key, key) == 0)
      return i;
  return -1;
}

/* Index of the dynamic table owning `key` ("problem.nu" -> problem), -1 if none. */
static int find_dynamic(const core_config *c, const char *key) {
  for (int i = 0; i < c->n_dyn; i++) {
    size_t n = strlen(c->dyn[i].table);
    if (strncmp(key, c->dyn[i].table, n) == 0 && key[n] == '.' && key[n + 1])
      return i;
  }
  return -1;
}

/* The table part of a schema key ("trainer" for "trainer.adam_steps", "" at the root). */
static size_t table_len(const char *key) {
  const char *dot = strrchr(key, '.');
  return dot ? (size_t)(dot - key) : 0;
}

static int is_known_table(const core_config *c, const char *table) {
  size_t n = strlen(table);
  for (int i = 0; i < c->n_keys; i++)
    if (strncmp(c->keys[i].key, table, n) == 0 && c->keys[i].key[n] == '.')
      return 1;
  for (int i = 0; i < c->n_dyn; i++)
    if (strncmp(c->dyn[i].table, table, n) == 0 &&
        (c->dyn[i].table[n] == '\0' || c->dyn[i].table[n] == '.'))
      return 1;
  return 0;
}

static core_status unknown_table(const core_config *c, const char *origin, const char *table) {
  const char *names[256];
  char buf[256][64];
  int n = 0;
  for (int i = 0; i < c->n_keys && n < 256; i++) {
    size_t len = table_len(c->keys[i].key);
    if (len > 0 && len < 64) {
      snprintf(buf[n], sizeof buf[n], "%.*s", (int)len, c->keys[i].key);
      names[n] = buf[n];
      n++;
    }
  }
  for (int i = 0; i < c->n_dyn && n < 256; i++)
    names[n++] = c->dyn[i].table;
  const char *s = core_config_suggest(table, names, n);
  if (s)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown table [%s] (did you mean [%s]?)", origin,
                     table, s);
  return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown table [%s]", origin, table);
}

static core_status unknown_key(const core_config *c, const char *origin, const char *key) {
  const char *names[512];
  int n = 0;
  for (int i = 0; i < c->n_keys && n < 512; i++)
    names[n++] = c->keys[i].key;
  const char *s = core_config_suggest(key, names, n);
  if (s)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown key '%s' (did you mean '%s'?)", origin, key,
                     s);
  return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown key '%s'", origin, key);
}

/* ---- binding one value ---------------------------------------------------------------------- */

/* "string \"abc\"", "float 2.5", "array", ... for "got ..." in messages. */
static void describe(const core_toml_value *v, char *buf, size_t size) {
  switch (v->type) {
  case CORE_TOML_STRING: snprintf(buf, size, "string \"%.60s\"", v->as.s); break;
  case CORE_TOML_INT: snprintf(buf, size, "integer %lld", v->as.i); break;
  case CORE_TOML_FLOAT: snprintf(buf, size, "float %g", v->as.f); break;
  case CORE_TOML_BOOL: snprintf(buf, size, "boolean %s", v->as.b ? "true" : "false"); break;
  default: snprintf(buf, size, "%s", core_toml_type_name(v->type)); break;
  }
}

static core_status wrong_type(const char *origin, const char *what, const char *expected,
                              const core_toml_value *v) {
  char got[96];
  describe(v, got, sizeof got);
  return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s must be %s, got %s", origin, what, expected, got);
}

/* Numeric range of a key; an int key is also bounded by the range of int. */
static core_status check_range(const core_config_key *k, const char *origin, const char *what,
                               double x) {
  int has = k->min != 0 || k->max != 0;
  int lo_ex = k->flags & CORE_CONFIG_MIN_EXCLUSIVE, hi_ex = k->flags & CORE_CONFIG_MAX_EXCLUSIVE;
  if (has && (lo_ex ? !(x > k->min) : !(x >= k->min)))
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s must be %s %.17g, got %.17g", origin, what,
                     lo_ex ? ">" : ">=", k->min, x);
  if (has && (hi_ex ? !(x < k->max) : !(x <= k->max)))
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s must be %s %.17g, got %.17g", origin, what,
                     hi_ex ? "<" : "<=", k->max, x);
  return CORE_OK;
}

static core_status get_int(const core_config_key *k, const core_toml_value *v, const char *origin,
                           const char *what, int *out) {
  if (v->type != CORE_TOML_INT)
    return wrong_type(origin, what, "an integer", v);
  if (v->as.i < INT_MIN || v->as.i > INT_MAX)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s is out of range, got %lld", origin, what,
                     v->as.i);
  CORE_TRY(check_range(k, origin, what, (double)v->as.i));
  *out = (int)v->as.i;
  return CORE_OK;
}

static core_status get_float(const core_config_key *k, const core_toml_value *v,
                             const char *origin, const char *what, double *out) {
  if (v->type != CORE_TOML_INT && v->type != CORE_TOML_FLOAT)
    return wrong_type(origin, what, "a number", v);
  double x = v->type == CORE_TOML_INT ? (double)v->as.i : v->as.f;
  if (!isfinite(x))
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s must be a finite number, got %g", origin, what, x);
  CORE_TRY(check_range(k, origin, what, x));
  *out = x;
  return CORE_OK;
}

static core_status get_choice(const core_config_key *k, const core_toml_value *v,
                              const char *origin, int *out) {
  char list[256] = "";
  size_t used = 0;
  for (int i = 0; k->choices[i]; i++) {
    if (v->type == CORE_TOML_STRING && strcmp(v->as.s, k->choices[i]) == 0) {
      *out = k->choice_values ? k->choice_values[i] : i;
      return CORE_OK;
    }
    if (used < sizeof list)
      used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", i ? ", " : "",
                               k->choices[i]);
  }
  if (v->type != CORE_TOML_STRING)
    return wrong_type(origin, k->key, "a string", v);
  return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s must be one of %s; got \"%s\"", origin, k->key, list,
                   v->as.s);
}

static core_status get_array(const core_config_key *k, const core_toml_value *v,
                             const char *origin, char *field, int *count) {
  int is_int = k->kind == CORE_CONFIG_INT_ARRAY;
  if (v->type != CORE_TOML_ARRAY)
    return wrong_type(origin, k->key, is_int ? "an array of integers" : "an array of numbers", v);
  size_t n = v->as.array.n;
  if (n < (size_t)k->min_len || n > (size_t)k->max_len) {
    if (k->min_len == k->max_len)
      return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s must have %d entries, got %zu", origin, k->key,
                       k->min_len, n);
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s must have %d to %d entries, got %zu", origin,
                     k->key, k->min_len, k->max_len, n);
  }
  for (size_t i = 0; i < n; i++) {
    char what[160];
    snprintf(what, sizeof what, "%s[%zu]", k->key, i);
    const core_toml_value *item = &v->as.array.items[i];
    if (is_int)
      CORE_TRY(get_int(k, item, origin, what, (int *)(void *)field + i));
    else
      CORE_TRY(get_float(k, item, origin, what, (double *)(void *)field + i));
  }
  *count = (int)n;
  return CORE_OK;
}

static core_status set_key(core_config *c, int index, const core_toml_value *v,
                           const char *origin) {
  const core_config_key *k = &c->keys[index];
  char *field = c->target + k->offset;
  switch (k->kind) {
  case CORE_CONFIG_INT: CORE_TRY(get_int(k, v, origin, k->key, (int *)(void *)field)); break;
  case CORE_CONFIG_FLOAT:
    CORE_TRY(get_float(k, v, origin, k->key, (double *)(void *)field));
    break;
  case CORE_CONFIG_BOOL:
    if (v->type != CORE_TOML_BOOL)
      return wrong_type(origin, k->key, "a boolean", v);
    *(int *)(void *)field = v->as.b;
    break;
  case CORE_CONFIG_CHOICE: CORE_TRY(get_choice(k, v, origin, (int *)(void *)field)); break;
  case CORE_CONFIG_STRING:
    if (v->type != CORE_TOML_STRING)
      return wrong_type(origin, k->key, "a string", v);
    if (strlen(v->as.s) >= (size_t)k->max_len)
      return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s is longer than %d characters", origin, k->key,
                       k->max_len - 1);
    memset(field, 0, (size_t)k->max_len);
    memcpy(field, v->as.s, strlen(v->as.s));
    break;
  case CORE_CONFIG_INT_ARRAY:
  case CORE_CONFIG_FLOAT_ARRAY:
    CORE_TRY(get_array(k, v, origin, field, (int *)(void *)(c->target + k->count_offset)));
    break;
  }
  return CORE_OK;
}

static core_status set_origin(core_config *c, int index, const char *origin) {
  free(c->origins[index]);
  c->origins[index] = origin ? strdup(origin) : NULL;
  if (origin && !c->origins[index])
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory");
  return CORE_OK;
}

/* ---- sources: defaults, document, overrides ------------------------------------------------ */

static core_status apply_defaults(core_config *c) {
  for (int i = 0; i < c->n_keys; i++) {
    if (!c->keys[i].def)
      continue;
    core_toml_value *v = NULL;
    char err[256], origin[160];
    if (core_toml_value_parse(&v, c->keys[i].def, err, sizeof err) != CORE_OK)
      return CORE_FAIL(CORE_ERR_INVALID, "default of '%s' is not a TOML value: %s",
                       c->keys[i].key, err);
    snprintf(origin, sizeof origin, "default of %s", c->keys[i].key);
    core_status s = set_key(c, i, v, origin);
    core_toml_value_destroy(v);
    CORE_TRY(s);
    CORE_TRY(set_origin(c, i, NULL));
  }
  return CORE_OK;
}

static core_status queue_dynamic(core_config *c, int table, const char *key,
                                 const core_toml_value *v, core_toml_value *owned,
                                 const char *origin) {
  if (c->n_pend == c->cap_pend) {
    size_t cap = c->cap_pend ? 2 * c->cap_pend : 8;
    pending *p = realloc(c->pend, cap * sizeof *p);
    if (!p) {
      core_toml_value_destroy(owned);
      return CORE_FAIL(CORE_ERR_NOMEM, "out of memory");
    }
    c->pend = p;
    c->cap_pend = cap;
  }
  pending *p = &c->pend[c->n_pend++];
  *p = (pending){.table = table, .value = v, .owned = owned};
  p->name = strdup(key + strlen(c->dyn[table].table) + 1);
  p->origin = strdup(origin);
  if (!p->name || !p->origin)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory");
  return CORE_OK;
}

static core_status apply_doc(core_config *c, const core_toml_doc *doc) {
  for (size_t i = 0; i < core_toml_doc_size(doc); i++) {
    const core_toml_entry *e = core_toml_doc_entry(doc, i);
    char origin[ORIGIN_SIZE];
    snprintf(origin, sizeof origin, "%s:%d", core_toml_doc_name(doc), e->value.line);
    if (e->value.type == CORE_TOML_TABLE) {
      if (!is_known_table(c, e->key))
        return unknown_table(c, origin, e->key);
      continue;
    }
    int k = find_key(c, e->key);
    if (k >= 0) {
      CORE_TRY(set_key(c, k, &e->value, origin));
      CORE_TRY(set_origin(c, k, origin));
      continue;
    }
    int d = find_dynamic(c, e->key);
    if (d < 0)
      return unknown_key(c, origin, e->key);
    CORE_TRY(queue_dynamic(c, d, e->key, &e->value, NULL, origin));
  }
  return CORE_OK;
}

/* Only word-like text may fall back to being a string; "1__0" stays a syntax error. */
static int is_word(const char *s) {
  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_' || *s == '-' || *s == '.' || *s == '/'))
      return 0;
  return 1;
}

/* The value of an override: a TOML value; for string keys an unquoted text is the string
 * itself, and for other keys an unparsable word becomes a string so the type error names it. */
static core_status override_value(core_toml_value **out, const char *text, int raw_string,
                                  const char *origin) {
  char err[256];
  int quoted = text[0] == '"' || text[0] == '\'';
  if (!raw_string || quoted) {
    core_status s = core_toml_value_parse(out, text, err, sizeof err);
    if (s == CORE_ERR_NOMEM)
      return CORE_FAIL(s, "out of memory");
    if (s == CORE_OK)
      return CORE_OK;
    if (quoted || !is_word(text))
      return CORE_FAIL(CORE_ERR_CONFIG, "%s: invalid value '%s': %s", origin, text, err);
  }
  core_toml_value *v = calloc(1, sizeof *v);
  if (!v || !(v->as.s = strdup(text))) {
    free(v);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory");
  }
  v->type = CORE_TOML_STRING;
  v->line = 1;
  *out = v;
  return CORE_OK;
}

static void trim(char *s) {
  size_t n = strlen(s), a = 0;
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  while (s[a] == ' ' || s[a] == '\t')
    a++;
  memmove(s, s + a, n - a + 1);
}

static core_status apply_override(core_config *c, const char *assignment) {
  char origin[ORIGIN_SIZE], key[256], text[256];
  snprintf(origin, sizeof origin, "--set %s", assignment);
  const char *eq = strchr(assignment, '=');
  if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof key ||
      strlen(eq + 1) >= sizeof text)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: expected key=value", origin);
  snprintf(key, sizeof key, "%.*s", (int)(eq - assignment), assignment);
  snprintf(text, sizeof text, "%s", eq + 1);
  trim(key);
  trim(text);
  int k = find_key(c, key), d = k < 0 ? find_dynamic(c, key) : -1;
  if (k < 0 && d < 0)
    return unknown_key(c, origin, key);
  int wants_string = k >= 0 && (c->keys[k].kind == CORE_CONFIG_STRING ||
                                c->keys[k].kind == CORE_CONFIG_CHOICE);
  core_toml_value *v = NULL;
  CORE_TRY(override_value(&v, text, wants_string, origin));
  if (d >= 0)
    return queue_dynamic(c, d, key, v, v, origin);
  core_status s = set_key(c, k, v, origin);
  core_toml_value_destroy(v);
  CORE_TRY(s);
  return set_origin(c, k, origin);
}

/* ---- public API -------------------------------------------------------------------------- */

core_status core_config_create(core_config **out, const core_config_key *keys, int n_keys,
                               void *target) {
  *out = NULL;
  core_config *c = calloc(1, sizeof *c);
  if (!c || !(c->origins = calloc((size_t)n_keys + 1, sizeof *c->origins))) {
    free(c);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory");
  }
  c->keys = keys;
  c->n_keys = n_keys;
  c->target = target;
  *out = c;
  return CORE_OK;
}

void core_config_destroy(core_config *c) {
  if (!c)
    return;
  for (int i = 0; i < c->n_keys; i++)
    free(c->origins[i]);
  for (size_t i = 0; i < c->n_pend; i++) {
    free(c->pend[i].name);
    free(c->pend[i].origin);
    core_toml_value_destroy(c->pend[i].owned);
  }
  for (int i = 0; i < c->n_dyn; i++)
    free(c->dyn[i].table);
  free(c->pend);
  free(c->origins);
  free(c->source);
  free(c);
}

core_status core_config_add_dynamic(core_config *c, const char *table, core_config_dynamic_fn fn,
                                    void *user) {
  if (c->n_dyn == MAX_DYNAMIC_TABLES)
    return CORE_FAIL(CORE_ERR_INVALID, "more than %d dynamic tables", MAX_DYNAMIC_TABLES);
  if (!(c->dyn[c->n_dyn].table = strdup(table)))
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory");
  c->dyn[c->n_dyn].fn = fn;
  c->dyn[c->n_dyn].user = user;
  c->n_dyn++;
  return CORE_OK;
}

core_status core_config_bind(core_config *c, const core_toml_doc *doc, int n_overrides,
                             const char *const *overrides) {
  free(c->source);
  c->source = strdup(doc ? core_toml_doc_name(doc) : "<command line>");
  if (!c->source)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory");
  CORE_TRY(apply_defaults(c));
  if (doc)
    CORE_TRY(apply_doc(c, doc));
  for (int i = 0; i < n_overrides; i++)
    CORE_TRY(apply_override(c, overrides[i]));
  for (int i = 0; i < c->n_keys; i++)
    if ((c->keys[i].flags & CORE_CONFIG_REQUIRED) && !c->origins[i])
      return CORE_FAIL(CORE_ERR_CONFIG, "%s: missing required key '%s'", c->source,
                       c->keys[i].key);
  return CORE_OK;
}

core_status core_config_bind_dynamic(core_config *c) {
  for (size_t i = 0; i < c->n_pend; i++) {
    const pending *p = &c->pend[i];
    CORE_TRY(c->dyn[p->table].fn(c->dyn[p->table].user, p->name, p->value, p->origin));
  }
  return CORE_OK;
}

const char *core_config_origin(const core_config *c, const char *key) {
  int k = find_key(c, key);
  return k >= 0 ? c->origins[k] : NULL;
}

const char *core_config_source(const core_config *c) {
  return c->source ? c->source : "<config>";
}

/* ---- writer -------------------------------------------------------------------------------- */

void core_config_write_float(FILE *out, double x) {
  char buf[40];
  if (isnan(x)) {
    fputs("nan", out);
    return;
  }
  if (isinf(x)) {
    fputs(x > 0 ? "inf" : "-inf", out);
    return;
  }
  snprintf(buf, sizeof buf, "%.17g", x);
  fprintf(out, "%s%s", buf, strpbrk(buf, ".e") ? "" : ".0");
}

void core_config_write_string(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
    if (*q == '"' || *q == '\\')
      fprintf(out, "\\%c", *q);
    else if (*q < 0x20 || *q == 0x7f)
      fprintf(out, "\\u%04X", *q);
    else
      fputc(*q, out);
  }
  fputc('"', out);
}

static core_status write_value(FILE *out, const core_config_key *k, const char *field,
                               const char *base) {
  const int *ip = (const int *)(const void *)field;
  const double *dp = (const double *)(const void *)field;
  switch (k->kind) {
  case CORE_CONFIG_INT: fprintf(out, "%d", *ip); break;
  case CORE_CONFIG_FLOAT: core_config_write_float(out, *dp); break;
  case CORE_CONFIG_BOOL: fputs(*ip ? "true" : "false", out); break;
  case CORE_CONFIG_STRING: core_config_write_string(out, field); break;
  case CORE_CONFIG_CHOICE:
    for (int i = 0; k->choices[i]; i++)
      if ((k->choice_values ? k->choice_values[i] : i) == *ip) {
        core_config_write_string(out, k->choices[i]);
        return CORE_OK;
      }
    return CORE_FAIL(CORE_ERR_INVALID, "%s holds %d, which is none of its choices", k->key, *ip);
  case CORE_CONFIG_INT_ARRAY:
  case CORE_CONFIG_FLOAT_ARRAY: {
    int n = *(const int *)(const void *)(base + k->count_offset);
    fputc('[', out);
    for (int i = 0; i < n; i++) {
      fputs(i ? ", " : "", out);
      if (k->kind == CORE_CONFIG_INT_ARRAY)
        fprintf(out, "%d", ip[i]);
      else
        core_config_write_float(out, dp[i]);
    }
    fputc(']', out);
    break;
  }
  }
  return CORE_OK;
}

/* Tables in order of first appearance, each written once with all its keys. */
core_status core_config_write(FILE *out, const core_config_key *keys, int n_keys,
                              const void *target, core_config_extra_fn extra, void *user) {
  const char *base = target;
  for (int t = 0; t < n_keys; t++) {
    size_t tl = table_len(keys[t].key);
    int seen = 0;
    for (int j = 0; j < t && !seen; j++)
      seen = table_len(keys[j].key) == tl && strncmp(keys[j].key, keys[t].key, tl) == 0;
    if (seen)
      continue;
    char table[128];
    snprintf(table, sizeof table, "%.*s", (int)tl, keys[t].key);
    if (tl > 0)
      fprintf(out, "%s[%s]\n", t ? "\n" : "", table);
    for (int i = t; i < n_keys; i++) {
      const core_config_key *k = &keys[i];
      if (table_len(k->key) != tl || strncmp(k->key, keys[t].key, tl) != 0)
        continue;
      if (k->help)
        fprintf(out, "# %s\n", k->help);
      fprintf(out, "%s = ", k->key + (tl ? tl + 1 : 0));
      CORE_TRY(write_value(out, k, base + k->offset, base));
      fputc('\n', out);
    }
    if (extra)
      extra(user, table, out);
  }
  return ferror(out) ? CORE_FAIL(CORE_ERR_IO, "write error") : CORE_OK;
}
