/* toml_dump FILE: prints a parsed TOML file as canonical JSON (keys sorted, integers as
 * integers, floats as %.17g with ".0" added when needed, inf/nan bare) or prints the error and
 * exits 1. tests/test_toml_vs_python.sh compares this with Python's tomllib. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/toml.h"

/* A JSON object tree built from the flat entry list. */
typedef struct obj {
  const char *name;
  const core_toml_value *value; /* NULL for a table */
  struct obj *kids;
  size_t n;
} obj;

static obj *child(obj *t, const char *name) {
  for (size_t i = 0; i < t->n; i++)
    if (strcmp(t->kids[i].name, name) == 0)
      return &t->kids[i];
  obj *k = realloc(t->kids, (t->n + 1) * sizeof *k);
  if (!k)
    exit(2);
  t->kids = k;
  t->kids[t->n] = (obj){.name = name};
  return &t->kids[t->n++];
}

static void put_string(const char *s) {
  putchar('"');
  for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
    if (*q == '"' || *q == '\\')
      printf("\\%c", *q);
    else if (*q < 0x20 || *q == 0x7f)
      printf("\\u%04x", *q);
    else
      putchar(*q);
  }
  putchar('"');
}

static void put_value(const core_toml_value *v) {
  char buf[64];
  switch (v->type) {
  case CORE_TOML_INT: printf("%lld", v->as.i); break;
  case CORE_TOML_BOOL: printf(v->as.b ? "true" : "false"); break;
  case CORE_TOML_STRING: put_string(v->as.s); break;
  case CORE_TOML_FLOAT:
    if (isnan(v->as.f))
      printf("nan");
    else if (isinf(v->as.f))
      printf(v->as.f > 0 ? "inf" : "-inf");
    else {
      snprintf(buf, sizeof buf, "%.17g", v->as.f);
      printf("%s%s", buf, strpbrk(buf, ".e") ? "" : ".0");
    }
    break;
  case CORE_TOML_ARRAY:
    putchar('[');
    for (size_t i = 0; i < v->as.array.n; i++) {
      if (i)
        putchar(',');
      put_value(&v->as.array.items[i]);
    }
    putchar(']');
    break;
  case CORE_TOML_TABLE: break;
  }
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const obj *)a)->name, ((const obj *)b)->name);
}

static void put_obj(obj *t) {
  if (t->value) {
    put_value(t->value);
    return;
  }
  qsort(t->kids, t->n, sizeof *t->kids, by_name);
  putchar('{');
  for (size_t i = 0; i < t->n; i++) {
    if (i)
      putchar(',');
    put_string(t->kids[i].name);
    putchar(':');
    put_obj(&t->kids[i]);
  }
  putchar('}');
  free(t->kids);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: toml_dump FILE\n");
    return 2;
  }
  core_toml_doc *doc = NULL;
  if (core_toml_parse_file(&doc, argv[1]) != CORE_OK) {
    printf("error: %s\n", core_error_message());
    return 1;
  }
  obj root = {.name = ""};
  for (size_t i = 0; i < core_toml_doc_size(doc); i++) {
    const core_toml_entry *e = core_toml_doc_entry(doc, i);
    obj *t = &root;
    for (int k = 0; k < e->n_parts; k++)
      t = child(t, e->parts[k]);
    if (e->value.type != CORE_TOML_TABLE)
      t->value = &e->value;
  }
  put_obj(&root);
  putchar('\n');
  core_toml_doc_destroy(doc);
  return 0;
}
