/* Strict TOML subset reader (see core/toml.h). A hand-written recursive-descent parser over the
 * whole text; errors go into a local buffer first so that core_toml_value_parse can stay quiet.
 *
 * Table bookkeeping follows TOML 1.0 section "Table": a table may be declared by one [header]
 * only; tables created by dotted keys count as defined once the section that created them ends,
 * after which neither a header nor dotted keys in another section may add to them. */
#include "core/toml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEY_PARTS 64
#define MAX_ARRAY_DEPTH 32

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

typedef struct parser {
  const char *p;
  int line;
  const char *name; /* NULL: messages without "<name>:<line>: " */
  char *err;
  size_t err_size;
  int failed;
  int nomem;
  int depth;
} parser;

static int fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(parser *ps, const char *fmt, ...) {
  if (ps->failed)
    return -1;
  ps->failed = 1;
  char msg[512];
  va_list args;
  va_start(args, fmt);
  vsnprintf(msg, sizeof msg, fmt, args);
  va_end(args);
  if (ps->name)
    snprintf(ps->err, ps->err_size, "%s:%d: %s", ps->name, ps->line, msg);
  else
    snprintf(ps->err, ps->err_size, "%s", msg);
  return -1;
}

static int fail_nomem(parser *ps) {
  ps->nomem = 1;
  return fail(ps, "out of memory");
}

/* ---- values ---------------------------------------------------------------------------- */

static void value_clear(core_toml_value *v) {
  if (v->type == CORE_TOML_STRING)
    free(v->as.s);
  else if (v->type == CORE_TOML_ARRAY) {
    for (size_t i = 0; i < v->as.array.n; i++)
      value_clear(&v->as.array.items[i]);
    free(v->as.array.items);
  }
  v->type = CORE_TOML_BOOL;
}

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

/* ---- lexing helpers -------------------------------------------------------------------- */

static int is_bare_char(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

static int is_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

static void skip_ws(parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t')
    ps->p++;
}

/* A comment runs to the end of the line; TOML forbids control characters other than tab in it. */
static int skip_comment(parser *ps) {
  if (*ps->p != '#')
    return 0;
  for (ps->p++; *ps->p && *ps->p != '\n'; ps->p++) {
    if (*ps->p == '\r' && ps->p[1] == '\n')
      continue;
    if (is_control((unsigned char)*ps->p))
      return fail(ps, "control character in comment");
  }
  return 0;
}

/* Consumes one newline (LF or CRLF) if present; returns 1 if it did. */
static int eat_newline(parser *ps) {
  if (*ps->p == '\n') {
    ps->p++;
    ps->line++;
    return 1;
  }
  if (*ps->p == '\r' && ps->p[1] == '\n') {
    ps->p += 2;
    ps->line++;
    return 1;
  }
  return 0;
}

/* After a header or key/value: only whitespace and a comment may follow on the line. */
static int expect_line_end(parser *ps, const char *after) {
  skip_ws(ps);
  if (skip_comment(ps))
    return -1;
  if (*ps->p == '\0' || eat_newline(ps))
    return 0;
  if (*ps->p == '\r')
    return fail(ps, "carriage return not followed by a newline");
  return fail(ps, "unexpected '%c' after %s (expected end of line)", *ps->p, after);
}

/* Whole-text check: TOML documents are UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF). */
static int check_utf8(parser *ps, const char *text) {
  const unsigned char *s = (const unsigned char *)text;
  while (*s) {
    if (*s == '\n')
      ps->line++;
    if (*s < 0x80) {
      s++;
      continue;
    }
    int n = (*s >= 0xc2 && *s <= 0xdf) ? 1 : (*s >= 0xe0 && *s <= 0xef) ? 2
          : (*s >= 0xf0 && *s <= 0xf4) ? 3 : -1;
    uint32_t cp = n == 1 ? (*s & 0x1fu) : n == 2 ? (*s & 0x0fu) : (*s & 0x07u);
    for (int k = 1; n > 0 && k <= n; k++) {
      if ((s[k] & 0xc0) != 0x80) {
        n = -1;
        break;
      }
      cp = (cp << 6) | (s[k] & 0x3fu);
    }
    if (n < 0 || (n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
      return fail(ps, "invalid UTF-8");
    s += n + 1;
  }
  ps->line = 1;
  return 0;
}

static size_t utf8_encode(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* ---- strings --------------------------------------------------------------------------- */

static int parse_unicode_escape(parser *ps, int digits, char *out, size_t *len) {
  uint32_t cp = 0;
  for (int k = 0; k < digits; k++) {
    char c = ps->p[k];
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
          : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0)
      return fail(ps, "invalid escape: \\%c needs %d hex digits", digits == 4 ? 'u' : 'U',
                  digits);
    cp = cp * 16 + (uint32_t)d;
  }
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return fail(ps, "invalid escape: U+%04X is not a Unicode scalar value", (unsigned)cp);
  if (cp == 0)
    return fail(ps, "NUL characters in strings are not supported");
  ps->p += digits;
  *len += utf8_encode(cp, out + *len);
  return 0;
}

static int parse_escape(parser *ps, char *out, size_t *len) {
  char c = *ps->p++;
  const char *from = "btnfr\"\\", *to = "\b\t\n\f\r\"\\";
  const char *hit = c ? strchr(from, c) : NULL;
  if (hit) {
    out[(*len)++] = to[hit - from];
    return 0;
  }
  if (c == 'u' || c == 'U')
    return parse_unicode_escape(ps, c == 'u' ? 4 : 8, out, len);
  if (c == '\0' || c == '\n' || c == '\r')
    return fail(ps, "unterminated string");
  return fail(ps, "invalid escape '\\%c' in string", c);
}

/* A single-line basic ("...") or literal ('...') string; ps->p at the opening quote. */
static int parse_string(parser *ps, char **out) {
  char quote = *ps->p;
  if (ps->p[1] == quote && ps->p[2] == quote)
    return fail(ps, "multi-line strings are not supported");
  ps->p++;
  char *buf = malloc(strcspn(ps->p, "\n") + 1); /* escapes never lengthen the text */
  if (!buf)
    return fail_nomem(ps);
  size_t len = 0;
  for (;;) {
    unsigned char c = (unsigned char)*ps->p;
    if (c == (unsigned char)quote) {
      ps->p++;
      break;
    }
    if (c == '\0' || c == '\n' || (c == '\r' && ps->p[1] == '\n')) {
      free(buf);
      return fail(ps, "unterminated string");
    }
    if (is_control(c)) {
      free(buf);
      return fail(ps, "control character 0x%02X in string (use an escape)", c);
    }
    ps->p++;
    if (c == '\\' && quote == '"') {
      if (parse_escape(ps, buf, &len)) {
        free(buf);
        return -1;
      }
    } else {
      buf[len++] = (char)c;
    }
  }
  buf[len] = '\0';
  *out = buf;
  return 0;
}

/* ---- numbers and other scalars ------------------------------------------------------------ */

/* Digits of `base` with single '_' only between two digits. Appends the digits (without
 * underscores) to buf. Returns the number of characters consumed, -1 on a misplaced '_'. */
static int scan_digits(const char *s, int base, char *buf, size_t *blen) {
  int i = 0;
  for (;; i++) {
    char c = s[i];
    int ok = base == 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                           (c >= 'A' && c <= 'F'))
                        : (c >= '0' && c < '0' + base);
    if (ok) {
      buf[(*blen)++] = c;
      continue;
    }
    if (c == '_') {
      if (i == 0 || s[i - 1] == '_')
        return -1;
      continue;
    }
    break;
  }
  if (i > 0 && s[i - 1] == '_')
    return -1;
  return i;
}

static int is_date_like(const char *t, size_t n) {
  int d4 = n >= 5;
  for (int k = 0; d4 && k < 4; k++)
    d4 = t[k] >= '0' && t[k] <= '9';
  int d2 = n >= 3 && t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9' && t[2] == ':';
  return (d4 && t[4] == '-') || d2;
}

static int parse_int_token(parser *ps, const char *t, size_t n, int base, core_toml_value *v) {
  char buf[128];
  size_t blen = 0;
  int sign = 1, pos = 0;
  if (base == 10 && (t[0] == '+' || t[0] == '-'))
    sign = t[pos++] == '-' ? -1 : 1;
  else if (base != 10)
    pos = 2;
  int used = scan_digits(t + pos, base, buf, &blen);
  if (used <= 0 || (size_t)(pos + used) != n)
    return fail(ps, "invalid number '%.*s'", (int)n, t);
  if (base == 10 && blen > 1 && buf[0] == '0')
    return fail(ps, "leading zeros are not allowed in '%.*s'", (int)n, t);
  unsigned long long mag = 0, limit = sign > 0 ? (unsigned long long)INT64_MAX
                                                : (unsigned long long)INT64_MAX + 1ull;
  for (size_t k = 0; k < blen; k++) {
    int d = buf[k] <= '9' ? buf[k] - '0' : (buf[k] | 0x20) - 'a' + 10;
    if (mag > (limit - (unsigned)d) / (unsigned)base)
      return fail(ps, "integer '%.*s' outside the 64-bit range is not supported", (int)n, t);
    mag = mag * (unsigned)base + (unsigned)d;
  }
  v->type = CORE_TOML_INT;
  v->as.i = sign > 0 ? (long long)mag : (mag == limit ? INT64_MIN : -(long long)mag);
  return 0;
}

/* Decimal integer or float per TOML: [sign] int-part [. digits] [e [sign] digits]. */
static int parse_decimal_token(parser *ps, const char *t, size_t n, core_toml_value *v) {
  char buf[256];
  size_t blen = 0, pos = 0;
  if (n >= sizeof buf / 2)
    return fail(ps, "number '%.20s...' is too long", t);
  if (t[0] == '+' || t[0] == '-')
    buf[blen++] = t[pos++];
  size_t int_start = blen;
  int used = scan_digits(t + pos, 10, buf, &blen);
  if (used <= 0)
    return fail(ps, "invalid number '%.*s'", (int)n, t);
  if (blen - int_start > 1 && buf[int_start] == '0')
    return fail(ps, "leading zeros are not allowed in '%.*s'", (int)n, t);
  pos += (size_t)used;
  int is_float = 0;
  if (t[pos] == '.') {
    buf[blen++] = t[pos++];
    used = scan_digits(t + pos, 10, buf, &blen);
    if (used <= 0)
      return fail(ps, "invalid number '%.*s': digits must follow '.'", (int)n, t);
    pos += (size_t)used;
    is_float = 1;
  }
  if (t[pos] == 'e' || t[pos] == 'E') {
    buf[blen++] = t[pos++];
    if (t[pos] == '+' || t[pos] == '-')
      buf[blen++] = t[pos++];
    used = scan_digits(t + pos, 10, buf, &blen);
    if (used <= 0)
      return fail(ps, "invalid number '%.*s': digits must follow the exponent", (int)n, t);
    pos += (size_t)used;
    is_float = 1;
  }
  if (pos != n)
    return fail(ps, "invalid number '%.*s'", (int)n, t);
  if (!is_float)
    return parse_int_token(ps, t, n, 10, v);
  buf[blen] = '\0';
  v->type = CORE_TOML_FLOAT;
  v->as.f = strtod(buf, NULL); /* overflow gives +-inf, as TOML readers commonly do */
  return 0;
}

static int parse_number(parser *ps, core_toml_value *v) {
  const char *t = ps->p;
  size_t n = 0;
  while (is_bare_char(t[n]) || t[n] == '+' || t[n] == '.' || t[n] == ':')
    n++;
  ps->p += n;
  if (is_date_like(t, n))
    return fail(ps, "dates and times are not supported");
  const char *u = (t[0] == '+' || t[0] == '-') ? t + 1 : t;
  size_t un = n - (size_t)(u - t);
  if (un == 3 && (strncmp(u, "inf", 3) == 0 || strncmp(u, "nan", 3) == 0)) {
    v->type = CORE_TOML_FLOAT;
    double x = u[0] == 'i' ? HUGE_VAL : NAN;
    v->as.f = t[0] == '-' ? -x : x;
    return 0;
  }
  if (n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b'))
    return parse_int_token(ps, t, n, t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2, v);
  return parse_decimal_token(ps, t, n, v);
}

static int parse_value(parser *ps, core_toml_value *v);

/* Skips whitespace, comments and newlines between array elements. */
static int skip_array_space(parser *ps) {
  for (;;) {
    skip_ws(ps);
    if (skip_comment(ps))
      return -1;
    if (!eat_newline(ps))
      return 0;
  }
}

static int push_item(parser *ps, core_toml_value *a, size_t *cap, const core_toml_value *item) {
  if (a->as.array.n == *cap) {
    size_t c = *cap ? 2 * *cap : 4;
    core_toml_value *items = realloc(a->as.array.items, c * sizeof *items);
    if (!items)
      return fail_nomem(ps);
    a->as.array.items = items;
    *cap = c;
  }
  a->as.array.items[a->as.array.n++] = *item;
  return 0;
}

static int parse_array_items(parser *ps, core_toml_value *v) {
  size_t cap = 0;
  for (;;) {
    if (skip_array_space(ps))
      return -1;
    if (*ps->p == ']')
      break;
    core_toml_value item = {0};
    if (parse_value(ps, &item) || push_item(ps, v, &cap, &item)) {
      value_clear(&item);
      return -1;
    }
    if (skip_array_space(ps))
      return -1;
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == ']')
      break;
    if (*ps->p == '\0')
      return fail(ps, "unterminated array");
    return fail(ps, "expected ',' or ']' in array, found '%c'", *ps->p);
  }
  ps->p++;
  return 0;
}

static int parse_array(parser *ps, core_toml_value *v) {
  if (++ps->depth > MAX_ARRAY_DEPTH)
    return fail(ps, "arrays nested more than %d deep are not supported", MAX_ARRAY_DEPTH);
  ps->p++;
  v->type = CORE_TOML_ARRAY;
  v->as.array.n = 0;
  v->as.array.items = NULL;
  int rc = parse_array_items(ps, v);
  ps->depth--;
  return rc;
}

static int parse_value(parser *ps, core_toml_value *v) {
  v->line = ps->line;
  const char *t = ps->p;
  char c = *t;
  if (c == '"' || c == '\'') {
    v->type = CORE_TOML_STRING;
    v->as.s = NULL;
    return parse_string(ps, &v->as.s);
  }
  if (c == '[')
    return parse_array(ps, v);
  if (c == '{')
    return fail(ps, "inline tables are not supported");
  if (c == '+' || c == '-' || (c >= '0' && c <= '9') || strncmp(t, "inf", 3) == 0 ||
      strncmp(t, "nan", 3) == 0)
    return parse_number(ps, v);
  size_t n = 0;
  while (is_bare_char(t[n]))
    n++;
  if ((n == 4 && strncmp(t, "true", 4) == 0) || (n == 5 && strncmp(t, "false", 5) == 0)) {
    v->type = CORE_TOML_BOOL;
    v->as.b = n == 4;
    ps->p += n;
    return 0;
  }
  if (n > 0)
    return fail(ps, "invalid value '%.*s' (strings must be quoted)", (int)n, t);
  if (c == '\0' || c == '\n' || c == '\r' || c == '#')
    return fail(ps, "missing value");
  return fail(ps, "invalid value starting with '%c'", c);
}

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

static int parse_key(parser *ps, key_parts *k) {
  for (;;) {
    skip_ws(ps);
    if (k->n == MAX_KEY_PARTS)
      return fail(ps, "key has more than %d parts", MAX_KEY_PARTS);
    char c = *ps->p;
    if (c == '"' || c == '\'') {
      if (parse_string(ps, &k->part[k->n]))
        return -1;
      k->n++;
    } else {
      size_t n = 0;
      while (is_bare_char(ps->p[n]))
        n++;
      if (n == 0) {
        if (c == '=' || c == ']' || c == '.')
          return fail(ps, "missing key before '%c'", c);
        if (c == '\0' || c == '\n' || c == '\r' || c == '#')
          return fail(ps, "incomplete key");
        return fail(ps, "invalid character '%c' in key", c);
      }
      k->part[k->n] = strndup(ps->p, n);
      if (!k->part[k->n])
        return fail_nomem(ps);
      k->n++;
      ps->p += n;
    }
    skip_ws(ps);
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
        bare = bare && is_bare_char(*q);
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

static node *node_add(parser *ps, node *t, const char *name, int is_table) {
  if (t->n_kids == t->cap_kids) {
    size_t c = t->cap_kids ? 2 * t->cap_kids : 4;
    node **kids = realloc(t->kids, c * sizeof *kids);
    if (!kids) {
      fail_nomem(ps);
      return NULL;
    }
    t->kids = kids;
    t->cap_kids = c;
  }
  node *n = calloc(1, sizeof *n);
  if (!n || !(n->name = strdup(name))) {
    free(n);
    fail_nomem(ps);
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

static int add_entry(parser *ps, core_toml_doc *doc, const key_parts *prefix, const key_parts *k,
                     const core_toml_value *v) {
  if (doc->n_entries == doc->cap_entries) {
    size_t c = doc->cap_entries ? 2 * doc->cap_entries : 16;
    core_toml_entry *e = realloc(doc->entries, c * sizeof *e);
    if (!e)
      return fail_nomem(ps);
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
    return fail_nomem(ps);
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

static int parse_header(parser *ps, doc_state *st) {
  ps->p++;
  if (*ps->p == '[')
    return fail(ps, "arrays of tables ([[...]]) are not supported");
  key_parts k = {0};
  int rc = parse_key(ps, &k);
  if (!rc && *ps->p != ']')
    rc = fail(ps, "expected ']' to close the table header");
  char *name = rc ? NULL : join_key(&(key_parts){0}, &k);
  if (!rc && !name)
    rc = fail_nomem(ps);
  st->section++;
  node *t = &st->doc->root;
  for (int i = 0; !rc && i < k.n; i++) {
    node *kid = node_find(t, k.part[i]);
    if (kid && !kid->is_table)
      rc = fail(ps, "cannot define table [%s]: '%s' is already a value", name, k.part[i]);
    else if (kid && i == k.n - 1 && defined_elsewhere(kid, st->section))
      rc = fail(ps, "table [%s] is defined more than once", name);
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
  return rc ? rc : expect_line_end(ps, "table header");
}

/* Walks (creating) the tables of a dotted key's leading parts; returns the parent of the
 * last part, or NULL after a failure. */
static node *dotted_parent(parser *ps, doc_state *st, const key_parts *k, const char *name) {
  node *t = st->table;
  for (int i = 0; i + 1 < k->n; i++) {
    node *kid = node_find(t, k->part[i]);
    if (kid && !kid->is_table) {
      fail(ps, "cannot use dotted key '%s': '%s' is already a value", name, k->part[i]);
      return NULL;
    }
    if (kid && defined_elsewhere(kid, st->section)) {
      fail(ps, "cannot add '%s' with a dotted key: table '%s' is defined elsewhere", name,
           k->part[i]);
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

static int parse_key_value(parser *ps, doc_state *st) {
  key_parts k = {0};
  core_toml_value v = {.type = CORE_TOML_BOOL};
  char *name = NULL;
  int rc = parse_key(ps, &k);
  if (!rc && !(name = join_key(&st->prefix, &k)))
    rc = fail_nomem(ps);
  if (!rc && *ps->p != '=')
    rc = *ps->p == '\0' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '#'
             ? fail(ps, "expected '=' after key '%s'", name)
             : fail(ps, "expected '=' after key '%s', found '%c'", name, *ps->p);
  if (!rc) {
    ps->p++;
    skip_ws(ps);
    rc = parse_value(ps, &v);
  }
  node *parent = rc ? NULL : dotted_parent(ps, st, &k, name);
  if (!rc && !parent)
    rc = -1;
  if (!rc && node_find(parent, k.part[k.n - 1]))
    rc = fail(ps, "duplicate key '%s'", name);
  if (!rc && !node_add(ps, parent, k.part[k.n - 1], 0))
    rc = -1;
  if (!rc)
    rc = add_entry(ps, st->doc, &st->prefix, &k, &v);
  if (rc)
    value_clear(&v);
  free(name);
  key_parts_clear(&k);
  return rc ? rc : expect_line_end(ps, "value");
}

static int parse_document(parser *ps, core_toml_doc *doc, const char *text) {
  if (check_utf8(ps, text))
    return -1;
  ps->p = text;
  doc_state st = {.doc = doc, .table = &doc->root};
  int rc = 0;
  while (!rc && *ps->p) {
    skip_ws(ps);
    if (eat_newline(ps))
      continue;
    if (*ps->p == '#')
      rc = expect_line_end(ps, "comment");
    else if (*ps->p == '[')
      rc = parse_header(ps, &st);
    else if (*ps->p == '\r')
      rc = fail(ps, "carriage return not followed by a newline");
    else if (*ps->p)
      rc = parse_key_value(ps, &st);
  }
  key_parts_clear(&st.prefix);
  return rc;
}

/* ---- public API ---------------------------------------------------------------------------- */

void core_toml_doc_destroy(core_toml_doc *doc) {
  if (!doc)
    return;
  for (size_t i = 0; i < doc->n_entries; i++) {
    core_toml_entry *e = &doc->entries[i];
    for (int k = 0; k < e->n_parts; k++)
      free((char *)e->parts[k]);
    free((char **)e->parts);
    free((char *)e->key);
    value_clear(&e->value);
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
  parser ps = {.line = 1, .name = name, .err = err, .err_size = sizeof err};
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
  parser ps = {.p = text, .line = 1, .err = err, .err_size = err_size};
  v->type = CORE_TOML_BOOL;
  int rc = check_utf8(&ps, text);
  ps.p = text;
  skip_ws(&ps);
  if (!rc)
    rc = parse_value(&ps, v);
  if (!rc) {
    skip_ws(&ps);
    if (*ps.p)
      rc = fail(&ps, "unexpected '%c' after value", *ps.p);
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
  value_clear(value);
  free(value);
}
