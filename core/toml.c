/* Strict TOML subset reader (see core/toml.h). A hand-written recursive-descent parser over the
 * whole text; errors go into a local buffer first so that core_toml_value_parse can stay quiet.
 * This file reads documents: keys, tables and their structure, and holds the public API; values
 * and the lexing under them are in core/toml_scan.c.
 *
 * Table bookkeeping follows TOML 1.0 section "Table": a table may be declared by one [header]
 * only; tables created by dotted keys count as defined once the section that created them ends,
 * after which neither a header nor dotted keys in another section may add to them. */
#include "core/toml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/toml_scan.h"

#define MAX_KEY_PARTS 64

/* The table tree built while parsing, used only to reject redefinitions. */
typedef struct node {
  char *name;
  int is_table;
  int header;         /* declared by a [header] */
  int dotted_section; /* first section whose dotted keys created or extended it, -1 if none */
  struct node **kids;
  size_t n_kids, cap_kids;
} node;

struct core_toml_doc {
  char *name;
  core_toml_entry *entries;
  size_t n_entries, cap_entries;
  node root;
};

/* ---- keys and tables ------------------------------------------------------------------- */

typedef struct key_parts {
  int n;
  char *part[MAX_KEY_PARTS];
} key_parts;

static void key_parts_clear(key_parts *k) {
  for (int i = 0; i < k->n; i++)
    free(k->part[i]);
  k->n = 0;
}

static int parse_key(core_toml_parser *ps, key_parts *k) {
  for (;;) {
    core_toml_skip_ws(ps);
    if (k->n == MAX_KEY_PARTS)
      return core_toml_fail(ps, "key has more than %d parts", MAX_KEY_PARTS);
    char c = *ps->p;
    if (c == '"' || c == '\'') {
      if (core_toml_parse_quoted(ps, &k->part[k->n]))
        return -1;
      k->n++;
    } else {
      size_t n = 0;
      while (core_toml_is_bare_char(ps->p[n]))
        n++;
      if (n == 0) {
        if (c == '=' || c == ']' || c == '.')
          return core_toml_fail(ps, "missing key before '%c'", c);
        if (c == '\0' || c == '\n' || c == '\r' || c == '#')
          return core_toml_fail(ps, "incomplete key");
        return core_toml_fail(ps, "invalid character '%c' in key", c);
      }
      k->part[k->n] = strndup(ps->p, n);
      if (!k->part[k->n])
        return core_toml_fail_nomem(ps);
      k->n++;
      ps->p += n;
    }
    core_toml_skip_ws(ps);
    if (*ps->p != '.')
      return 0;
    ps->p++;
  }
}

/* Dotted rendering with non-bare segments quoted, e.g. a."b.c". */
static char *join_key(const key_parts *prefix, const key_parts *k) {
  size_t cap = 1;
  const key_parts *lists[2] = {prefix, k};
  for (int l = 0; l < 2; l++)
    for (int i = 0; i < lists[l]->n; i++)
      cap += 6 * strlen(lists[l]->part[i]) + 3;
  char *out = malloc(cap), *w = out;
  if (!out)
    return NULL;
  for (int l = 0; l < 2; l++)
    for (int i = 0; i < lists[l]->n; i++) {
      const char *s = lists[l]->part[i];
      if (w != out)
        *w++ = '.';
      int bare = *s != '\0';
      for (const char *q = s; *q; q++)
        bare = bare && core_toml_is_bare_char(*q);
      if (bare) {
        w += sprintf(w, "%s", s);
        continue;
      }
      *w++ = '"';
      for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if (*q == '"' || *q == '\\')
          w += sprintf(w, "\\%c", *q);
        else if (*q < 0x20 || *q == 0x7f)
          w += sprintf(w, "\\u%04X", *q);
        else
          *w++ = (char)*q;
      }
      *w++ = '"';
    }
  *w = '\0';
  return out;
}

static node *node_find(const node *t, const char *name) {
  for (size_t i = 0; i < t->n_kids; i++)
    if (strcmp(t->kids[i]->name, name) == 0)
      return t->kids[i];
  return NULL;
}

static node *node_add(core_toml_parser *ps, node *t, const char *name, int is_table) {
  if (t->n_kids == t->cap_kids) {
    size_t c = t->cap_kids ? 2 * t->cap_kids : 4;
    node **kids = realloc(t->kids, c * sizeof *kids);
    if (!kids) {
      core_toml_fail_nomem(ps);
      return NULL;
    }
    t->kids = kids;
    t->cap_kids = c;
  }
  node *n = calloc(1, sizeof *n);
  if (!n || !(n->name = strdup(name))) {
    free(n);
    core_toml_fail_nomem(ps);
    return NULL;
  }
  n->is_table = is_table;
  n->dotted_section = -1;
  t->kids[t->n_kids++] = n;
  return n;
}

static void node_clear(node *t) {
  for (size_t i = 0; i < t->n_kids; i++) {
    node_clear(t->kids[i]);
    free(t->kids[i]);
  }
  free(t->kids);
  free(t->name);
}

static int add_entry(core_toml_parser *ps, core_toml_doc *doc, const key_parts *prefix,
                     const key_parts *k, const core_toml_value *v) {
  if (doc->n_entries == doc->cap_entries) {
    size_t c = doc->cap_entries ? 2 * doc->cap_entries : 16;
    core_toml_entry *e = realloc(doc->entries, c * sizeof *e);
    if (!e)
      return core_toml_fail_nomem(ps);
    doc->entries = e;
    doc->cap_entries = c;
  }
  int n = prefix->n + k->n;
  char **parts = calloc((size_t)n, sizeof *parts);
  char *key = join_key(prefix, k);
  int ok = parts && key;
  for (int i = 0; ok && i < n; i++)
    ok = (parts[i] = strdup(i < prefix->n ? prefix->part[i] : k->part[i - prefix->n])) != NULL;
  if (!ok) {
    for (int i = 0; parts && i < n; i++)
      free(parts[i]);
    free(parts);
    free(key);
    return core_toml_fail_nomem(ps);
  }
  core_toml_entry *e = &doc->entries[doc->n_entries++];
  e->key = key;
  e->n_parts = n;
  e->parts = (const char *const *)parts;
  e->value = *v;
  return 0;
}

/* ---- document structure ------------------------------------------------------------------ */

typedef struct doc_state {
  core_toml_doc *doc;
  node *table;       /* the current [header] table */
  key_parts prefix;  /* its name */
  int section;       /* 0 before the first header, +1 at each header */
} doc_state;

/* A dotted-key table counts as defined once the section that created it has ended. */
static int defined_elsewhere(const node *n, int section) {
  return n->header || (n->dotted_section >= 0 && n->dotted_section < section);
}

static int parse_header(core_toml_parser *ps, doc_state *st) {
  ps->p++;
  if (*ps->p == '[')
    return core_toml_fail(ps, "arrays of tables ([[...]]) are not supported");
  key_parts k = {0};
  int rc = parse_key(ps, &k);
  if (!rc && *ps->p != ']')
    rc = core_toml_fail(ps, "expected ']' to close the table header");
  char *name = rc ? NULL : join_key(&(key_parts){0}, &k);
  if (!rc && !name)
    rc = core_toml_fail_nomem(ps);
  st->section++;
  node *t = &st->doc->root;
  for (int i = 0; !rc && i < k.n; i++) {
    node *kid = node_find(t, k.part[i]);
    if (kid && !kid->is_table)
      rc = core_toml_fail(ps, "cannot define table [%s]: '%s' is already a value", name, k.part[i]);
    else if (kid && i == k.n - 1 && defined_elsewhere(kid, st->section))
      rc = core_toml_fail(ps, "table [%s] is defined more than once", name);
    else if (!kid && !(kid = node_add(ps, t, k.part[i], 1)))
      rc = -1;
    t = kid;
  }
  if (!rc) {
    ps->p++;
    t->header = 1;
    st->table = t;
    key_parts_clear(&st->prefix);
    st->prefix = k;
    k.n = 0;
    core_toml_value v = {.type = CORE_TOML_TABLE, .line = ps->line};
    rc = add_entry(ps, st->doc, &(key_parts){0}, &st->prefix, &v);
  }
  free(name);
  key_parts_clear(&k);
  return rc ? rc : core_toml_expect_line_end(ps, "table header");
}

/* Walks (creating) the tables of a dotted key's leading parts; returns the parent of the
 * last part, or NULL after a failure. */
static node *dotted_parent(core_toml_parser *ps, doc_state *st, const key_parts *k,
                           const char *name) {
  node *t = st->table;
  for (int i = 0; i + 1 < k->n; i++) {
    node *kid = node_find(t, k->part[i]);
    if (kid && !kid->is_table) {
      core_toml_fail(ps, "cannot use dotted key '%s': '%s' is already a value", name, k->part[i]);
      return NULL;
    }
    if (kid && defined_elsewhere(kid, st->section)) {
      core_toml_fail(ps, "cannot add '%s' with a dotted key: table '%s' is defined elsewhere",
                     name, k->part[i]);
      return NULL;
    }
    if (!kid && !(kid = node_add(ps, t, k->part[i], 1)))
      return NULL;
    if (kid->dotted_section < 0)
      kid->dotted_section = st->section;
    t = kid;
  }
  return t;
}

static int parse_key_value(core_toml_parser *ps, doc_state *st) {
  key_parts k = {0};
  core_toml_value v = {.type = CORE_TOML_BOOL};
  char *name = NULL;
  int rc = parse_key(ps, &k);
  if (!rc && !(name = join_key(&st->prefix, &k)))
    rc = core_toml_fail_nomem(ps);
  if (!rc && *ps->p != '=')
    rc = *ps->p == '\0' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '#'
             ? core_toml_fail(ps, "expected '=' after key '%s'", name)
             : core_toml_fail(ps, "expected '=' after key '%s', found '%c'", name, *ps->p);
  if (!rc) {
    ps->p++;
    core_toml_skip_ws(ps);
    rc = core_toml_parse_value(ps, &v);
  }
  node *parent = rc ? NULL : dotted_parent(ps, st, &k, name);
  if (!rc && !parent)
    rc = -1;
  if (!rc && node_find(parent, k.part[k.n - 1]))
    rc = core_toml_fail(ps, "duplicate key '%s'", name);
  if (!rc && !node_add(ps, parent, k.part[k.n - 1], 0))
    rc = -1;
  if (!rc)
    rc = add_entry(ps, st->doc, &st->prefix, &k, &v);
  if (rc)
    core_toml_value_clear(&v);
  free(name);
  key_parts_clear(&k);
  return rc ? rc : core_toml_expect_line_end(ps, "value");
}

static int parse_document(core_toml_parser *ps, core_toml_doc *doc, const char *text) {
  if (core_toml_check_utf8(ps, text))
    return -1;
  ps->p = text;
  doc_state st = {.doc = doc, .table = &doc->root};
  int rc = 0;
  while (!rc && *ps->p) {
    core_toml_skip_ws(ps);
    if (core_toml_eat_newline(ps))
      continue;
    if (*ps->p == '#')
      rc = core_toml_expect_line_end(ps, "comment");
    else if (*ps->p == '[')
      rc = parse_header(ps, &st);
    else if (*ps->p == '\r')
      rc = core_toml_fail(ps, "carriage return not followed by a newline");
    else if (*ps->p)
      rc = parse_key_value(ps, &st);
  }
  key_parts_clear(&st.prefix);
  return rc;
}

/* ---- public API ---------------------------------------------------------------------------- */

const char *core_toml_type_name(core_toml_type type) {
  switch (type) {
  case CORE_TOML_INT: return "integer";
  case CORE_TOML_FLOAT: return "float";
  case CORE_TOML_BOOL: return "boolean";
  case CORE_TOML_STRING: return "string";
  case CORE_TOML_ARRAY: return "array";
  case CORE_TOML_TABLE: return "table";
  }
  return "unknown";
}

void core_toml_doc_destroy(core_toml_doc *doc) {
  if (!doc)
    return;
  for (size_t i = 0; i < doc->n_entries; i++) {
    core_toml_entry *e = &doc->entries[i];
    for (int k = 0; k < e->n_parts; k++)
      free((char *)e->parts[k]);
    free((char **)e->parts);
    free((char *)e->key);
    core_toml_value_clear(&e->value);
  }
  free(doc->entries);
  node_clear(&doc->root);
  free(doc->name);
  free(doc);
}

core_status core_toml_parse_string(core_toml_doc **out, const char *text, const char *name) {
  *out = NULL;
  core_toml_doc *doc = calloc(1, sizeof *doc);
  if (!doc || !(doc->name = strdup(name))) {
    free(doc);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory parsing '%s'", name);
  }
  char err[640];
  core_toml_parser ps = {.line = 1, .name = name, .err = err, .err_size = sizeof err};
  if (parse_document(&ps, doc, text)) {
    core_toml_doc_destroy(doc);
    return CORE_FAIL(ps.nomem ? CORE_ERR_NOMEM : CORE_ERR_CONFIG, "%s", err);
  }
  *out = doc;
  return CORE_OK;
}

core_status core_toml_parse_file(core_toml_doc **out, const char *path) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f)
    return CORE_FAIL(CORE_ERR_IO, "cannot read config '%s': %s", path, strerror(errno));
  char *text = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 4096 + 1 > cap) {
      cap = cap ? 2 * cap : 8192;
      char *t = realloc(text, cap);
      if (!t) {
        free(text);
        fclose(f);
        return CORE_FAIL(CORE_ERR_NOMEM, "out of memory reading '%s'", path);
      }
      text = t;
    }
    size_t got = fread(text + len, 1, 4096, f);
    len += got;
    if (got < 4096)
      break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(text);
    return CORE_FAIL(CORE_ERR_IO, "cannot read config '%s': read error", path);
  }
  text[len] = '\0';
  core_status s = CORE_OK;
  if (strlen(text) != len)
    s = CORE_FAIL(CORE_ERR_CONFIG, "%s: NUL byte in file", path);
  else
    s = core_toml_parse_string(out, text, path);
  free(text);
  return s;
}

const char *core_toml_doc_name(const core_toml_doc *doc) { return doc->name; }
size_t core_toml_doc_size(const core_toml_doc *doc) { return doc->n_entries; }

const core_toml_entry *core_toml_doc_entry(const core_toml_doc *doc, size_t i) {
  return i < doc->n_entries ? &doc->entries[i] : NULL;
}

const core_toml_value *core_toml_doc_get(const core_toml_doc *doc, const char *key) {
  for (size_t i = 0; i < doc->n_entries; i++)
    if (doc->entries[i].value.type != CORE_TOML_TABLE && strcmp(doc->entries[i].key, key) == 0)
      return &doc->entries[i].value;
  return NULL;
}

core_status core_toml_value_parse(core_toml_value **out, const char *text, char *err,
                                  size_t err_size) {
  *out = NULL;
  core_toml_value *v = calloc(1, sizeof *v);
  if (!v) {
    snprintf(err, err_size, "out of memory");
    return CORE_ERR_NOMEM;
  }
  core_toml_parser ps = {.p = text, .line = 1, .err = err, .err_size = err_size};
  v->type = CORE_TOML_BOOL;
  int rc = core_toml_check_utf8(&ps, text);
  ps.p = text;
  core_toml_skip_ws(&ps);
  if (!rc)
    rc = core_toml_parse_value(&ps, v);
  if (!rc) {
    core_toml_skip_ws(&ps);
    if (*ps.p)
      rc = core_toml_fail(&ps, "unexpected '%c' after value", *ps.p);
  }
  if (rc) {
    core_toml_value_destroy(v);
    return ps.nomem ? CORE_ERR_NOMEM : CORE_ERR_CONFIG;
  }
  *out = v;
  return CORE_OK;
}

void core_toml_value_destroy(core_toml_value *value) {
  if (!value)
    return;
  core_toml_value_clear(value);
  free(value);
}
