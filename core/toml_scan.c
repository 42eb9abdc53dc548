/* Scanning for the TOML reader (see core/toml_scan.h): error recording, lexing helpers, strings,
 * numbers and the other scalars, arrays, and core_toml_parse_value over all of them. Documents,
 * keys and tables are read in core/toml.c. */
#include "core/toml_scan.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARRAY_DEPTH 32

/* ---- errors ---------------------------------------------------------------------------- */

int core_toml_fail(core_toml_parser *ps, const char *fmt, ...) {
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

int core_toml_fail_nomem(core_toml_parser *ps) {
  ps->nomem = 1;
  return core_toml_fail(ps, "out of memory");
}

/* ---- values ---------------------------------------------------------------------------- */

void core_toml_value_clear(core_toml_value *v) {
  if (v->type == CORE_TOML_STRING)
    free(v->as.s);
  else if (v->type == CORE_TOML_ARRAY) {
    for (size_t i = 0; i < v->as.array.n; i++)
      core_toml_value_clear(&v->as.array.items[i]);
    free(v->as.array.items);
  }
  v->type = CORE_TOML_BOOL;
}

/* ---- lexing helpers -------------------------------------------------------------------- */

int core_toml_is_bare_char(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

static int is_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

void core_toml_skip_ws(core_toml_parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t')
    ps->p++;
}

/* A comment runs to the end of the line; TOML forbids control characters other than tab in it. */
static int skip_comment(core_toml_parser *ps) {
  if (*ps->p != '#')
    return 0;
  for (ps->p++; *ps->p && *ps->p != '\n'; ps->p++) {
    if (*ps->p == '\r' && ps->p[1] == '\n')
      continue;
    if (is_control((unsigned char)*ps->p))
      return core_toml_fail(ps, "control character in comment");
  }
  return 0;
}

/* Consumes one newline (LF or CRLF) if present; returns 1 if it did. */
int core_toml_eat_newline(core_toml_parser *ps) {
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
int core_toml_expect_line_end(core_toml_parser *ps, const char *after) {
  core_toml_skip_ws(ps);
  if (skip_comment(ps))
    return -1;
  if (*ps->p == '\0' || core_toml_eat_newline(ps))
    return 0;
  if (*ps->p == '\r')
    return core_toml_fail(ps, "carriage return not followed by a newline");
  return core_toml_fail(ps, "unexpected '%c' after %s (expected end of line)", *ps->p, after);
}

/* Whole-text check: TOML documents are UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF). */
int core_toml_check_utf8(core_toml_parser *ps, const char *text) {
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
      return core_toml_fail(ps, "invalid UTF-8");
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

static int parse_unicode_escape(core_toml_parser *ps, int digits, char *out, size_t *len) {
  uint32_t cp = 0;
  for (int k = 0; k < digits; k++) {
    char c = ps->p[k];
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
          : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0)
      return core_toml_fail(ps, "invalid escape: \\%c needs %d hex digits",
                            digits == 4 ? 'u' : 'U', digits);
    cp = cp * 16 + (uint32_t)d;
  }
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return core_toml_fail(ps, "invalid escape: U+%04X is not a Unicode scalar value", (unsigned)cp);
  if (cp == 0)
    return core_toml_fail(ps, "NUL characters in strings are not supported");
  ps->p += digits;
  *len += utf8_encode(cp, out + *len);
  return 0;
}

static int parse_escape(core_toml_parser *ps, char *out, size_t *len) {
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
    return core_toml_fail(ps, "unterminated string");
  return core_toml_fail(ps, "invalid escape '\\%c' in string", c);
}

/* A single-line basic ("...") or literal ('...') string; ps->p at the opening quote. */
int core_toml_parse_quoted(core_toml_parser *ps, char **out) {
  char quote = *ps->p;
  if (ps->p[1] == quote && ps->p[2] == quote)
    return core_toml_fail(ps, "multi-line strings are not supported");
  ps->p++;
  char *buf = malloc(strcspn(ps->p, "\n") + 1); /* escapes never lengthen the text */
  if (!buf)
    return core_toml_fail_nomem(ps);
  size_t len = 0;
  for (;;) {
    unsigned char c = (unsigned char)*ps->p;
    if (c == (unsigned char)quote) {
      ps->p++;
      break;
    }
    if (c == '\0' || c == '\n' || (c == '\r' && ps->p[1] == '\n')) {
      free(buf);
      return core_toml_fail(ps, "unterminated string");
    }
    if (is_control(c)) {
      free(buf);
      return core_toml_fail(ps, "control character 0x%02X in string (use an escape)", c);
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

static int parse_int_token(core_toml_parser *ps, const char *t, size_t n, int base,
                           core_toml_value *v) {
  char buf[128];
  size_t blen = 0;
  int sign = 1, pos = 0;
  if (base == 10 && (t[0] == '+' || t[0] == '-'))
    sign = t[pos++] == '-' ? -1 : 1;
  else if (base != 10)
    pos = 2;
  int used = scan_digits(t + pos, base, buf, &blen);
  if (used <= 0 || (size_t)(pos + used) != n)
    return core_toml_fail(ps, "invalid number '%.*s'", (int)n, t);
  if (base == 10 && blen > 1 && buf[0] == '0')
    return core_toml_fail(ps, "leading zeros are not allowed in '%.*s'", (int)n, t);
  unsigned long long mag = 0, limit = sign > 0 ? (unsigned long long)INT64_MAX
                                                : (unsigned long long)INT64_MAX + 1ull;
  for (size_t k = 0; k < blen; k++) {
    int d = buf[k] <= '9' ? buf[k] - '0' : (buf[k] | 0x20) - 'a' + 10;
    if (mag > (limit - (unsigned)d) / (unsigned)base)
      return core_toml_fail(ps, "integer '%.*s' outside the 64-bit range is not supported",
                            (int)n, t);
    mag = mag * (unsigned)base + (unsigned)d;
  }
  v->type = CORE_TOML_INT;
  v->as.i = sign > 0 ? (long long)mag : (mag == limit ? INT64_MIN : -(long long)mag);
  return 0;
}

/* Decimal integer or float per TOML: [sign] int-part [. digits] [e [sign] digits]. */
static int parse_decimal_token(core_toml_parser *ps, const char *t, size_t n,
                               core_toml_value *v) {
  char buf[256];
  size_t blen = 0, pos = 0;
  if (n >= sizeof buf / 2)
    return core_toml_fail(ps, "number '%.20s...' is too long", t);
  if (t[0] == '+' || t[0] == '-')
    buf[blen++] = t[pos++];
  size_t int_start = blen;
  int used = scan_digits(t + pos, 10, buf, &blen);
  if (used <= 0)
    return core_toml_fail(ps, "invalid number '%.*s'", (int)n, t);
  if (blen - int_start > 1 && buf[int_start] == '0')
    return core_toml_fail(ps, "leading zeros are not allowed in '%.*s'", (int)n, t);
  pos += (size_t)used;
  int is_float = 0;
  if (t[pos] == '.') {
    buf[blen++] = t[pos++];
    used = scan_digits(t + pos, 10, buf, &blen);
    if (used <= 0)
      return core_toml_fail(ps, "invalid number '%.*s': digits must follow '.'", (int)n, t);
    pos += (size_t)used;
    is_float = 1;
  }
  if (t[pos] == 'e' || t[pos] == 'E') {
    buf[blen++] = t[pos++];
    if (t[pos] == '+' || t[pos] == '-')
      buf[blen++] = t[pos++];
    used = scan_digits(t + pos, 10, buf, &blen);
    if (used <= 0)
      return core_toml_fail(ps, "invalid number '%.*s': digits must follow the exponent",
                            (int)n, t);
    pos += (size_t)used;
    is_float = 1;
  }
  if (pos != n)
    return core_toml_fail(ps, "invalid number '%.*s'", (int)n, t);
  if (!is_float)
    return parse_int_token(ps, t, n, 10, v);
  buf[blen] = '\0';
  v->type = CORE_TOML_FLOAT;
  v->as.f = strtod(buf, NULL); /* overflow gives +-inf, as TOML readers commonly do */
  return 0;
}

static int parse_number(core_toml_parser *ps, core_toml_value *v) {
  const char *t = ps->p;
  size_t n = 0;
  while (core_toml_is_bare_char(t[n]) || t[n] == '+' || t[n] == '.' || t[n] == ':')
    n++;
  ps->p += n;
  if (is_date_like(t, n))
    return core_toml_fail(ps, "dates and times are not supported");
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

/* ---- arrays and values ---------------------------------------------------------------- */

/* Skips whitespace, comments and newlines between array elements. */
static int skip_array_space(core_toml_parser *ps) {
  for (;;) {
    core_toml_skip_ws(ps);
    if (skip_comment(ps))
      return -1;
    if (!core_toml_eat_newline(ps))
      return 0;
  }
}

static int push_item(core_toml_parser *ps, core_toml_value *a, size_t *cap,
                     const core_toml_value *item) {
  if (a->as.array.n == *cap) {
    size_t c = *cap ? 2 * *cap : 4;
    core_toml_value *items = realloc(a->as.array.items, c * sizeof *items);
    if (!items)
      return core_toml_fail_nomem(ps);
    a->as.array.items = items;
    *cap = c;
  }
  a->as.array.items[a->as.array.n++] = *item;
  return 0;
}

static int parse_array_items(core_toml_parser *ps, core_toml_value *v) {
  size_t cap = 0;
  for (;;) {
    if (skip_array_space(ps))
      return -1;
    if (*ps->p == ']')
      break;
    core_toml_value item = {0};
    if (core_toml_parse_value(ps, &item) || push_item(ps, v, &cap, &item)) {
      core_toml_value_clear(&item);
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
      return core_toml_fail(ps, "unterminated array");
    return core_toml_fail(ps, "expected ',' or ']' in array, found '%c'", *ps->p);
  }
  ps->p++;
  return 0;
}

static int parse_array(core_toml_parser *ps, core_toml_value *v) {
  if (++ps->depth > MAX_ARRAY_DEPTH)
    return core_toml_fail(ps, "arrays nested more than %d deep are not supported", MAX_ARRAY_DEPTH);
  ps->p++;
  v->type = CORE_TOML_ARRAY;
  v->as.array.n = 0;
  v->as.array.items = NULL;
  int rc = parse_array_items(ps, v);
  ps->depth--;
  return rc;
}

int core_toml_parse_value(core_toml_parser *ps, core_toml_value *v) {
  v->line = ps->line;
  const char *t = ps->p;
  char c = *t;
  if (c == '"' || c == '\'') {
    v->type = CORE_TOML_STRING;
    v->as.s = NULL;
    return core_toml_parse_quoted(ps, &v->as.s);
  }
  if (c == '[')
    return parse_array(ps, v);
  if (c == '{')
    return core_toml_fail(ps, "inline tables are not supported");
  if (c == '+' || c == '-' || (c >= '0' && c <= '9') || strncmp(t, "inf", 3) == 0 ||
      strncmp(t, "nan", 3) == 0)
    return parse_number(ps, v);
  size_t n = 0;
  while (core_toml_is_bare_char(t[n]))
    n++;
  if ((n == 4 && strncmp(t, "true", 4) == 0) || (n == 5 && strncmp(t, "false", 5) == 0)) {
    v->type = CORE_TOML_BOOL;
    v->as.b = n == 4;
    ps->p += n;
    return 0;
  }
  if (n > 0)
    return core_toml_fail(ps, "invalid value '%.*s' (strings must be quoted)", (int)n, t);
  if (c == '\0' || c == '\n' || c == '\r' || c == '#')
    return core_toml_fail(ps, "missing value");
  return core_toml_fail(ps, "invalid value starting with '%c'", c);
}
