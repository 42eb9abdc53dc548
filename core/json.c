#include "core/json.h"

#include <math.h>
#include <string.h>

void core_json_init(core_json *json, FILE *fp) {
  memset(json, 0, sizeof *json);
  json->fp = fp;
}

static core_status json_misuse(core_json *json, const char *what) {
  json->status = CORE_FAIL(CORE_ERR_INVALID, "JSON writer misuse: %s", what);
  return json->status;
}

static void indent(core_json *json) {
  fputc('\n', json->fp);
  for (int d = 0; d < json->depth; ++d)
    fputs("  ", json->fp);
}

/* Writes what must precede a value here (comma, newline, indentation) or records misuse. */
static core_status before_value(core_json *json) {
  if (json->status != CORE_OK)
    return json->status;
  if (json->done)
    return json_misuse(json, "a second top-level value");
  if (json->depth == 0)
    return CORE_OK;
  int top = json->depth - 1;
  if (json->in_object[top]) {
    if (!json->key_pending)
      return json_misuse(json, "object value without a key");
    json->key_pending = false;
    return CORE_OK; /* the key already placed the separator */
  }
  if (json->has_items[top])
    fputc(',', json->fp);
  json->has_items[top] = true;
  indent(json);
  return CORE_OK;
}

static void after_value(core_json *json) {
  if (json->depth == 0)
    json->done = true;
}

static core_status begin(core_json *json, bool object) {
  if (before_value(json) != CORE_OK)
    return json->status;
  if (json->depth == CORE_JSON_MAX_DEPTH)
    return json_misuse(json, "nesting too deep");
  fputc(object ? '{' : '[', json->fp);
  json->in_object[json->depth] = object;
  json->has_items[json->depth] = false;
  json->depth++;
  return CORE_OK;
}

static core_status end(core_json *json, bool object) {
  if (json->status != CORE_OK)
    return json->status;
  if (json->depth == 0 || json->in_object[json->depth - 1] != object || json->key_pending)
    return json_misuse(json, object ? "unbalanced end of object" : "unbalanced end of array");
  json->depth--;
  if (json->has_items[json->depth])
    indent(json);
  fputc(object ? '}' : ']', json->fp);
  after_value(json);
  return CORE_OK;
}

core_status core_json_begin_object(core_json *json) { return begin(json, true); }
core_status core_json_end_object(core_json *json) { return end(json, true); }
core_status core_json_begin_array(core_json *json) { return begin(json, false); }
core_status core_json_end_array(core_json *json) { return end(json, false); }

static void write_escaped(FILE *fp, const char *s) {
  fputc('"', fp);
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; ++p) {
    switch (*p) {
    case '"': fputs("\\\"", fp); break;
    case '\\': fputs("\\\\", fp); break;
    case '\n': fputs("\\n", fp); break;
    case '\r': fputs("\\r", fp); break;
    case '\t': fputs("\\t", fp); break;
    case '\b': fputs("\\b", fp); break;
    case '\f': fputs("\\f", fp); break;
    default:
      if (*p < 0x20)
        fprintf(fp, "\\u%04x", *p);
      else
        fputc(*p, fp);
    }
  }
  fputc('"', fp);
}

core_status core_json_key(core_json *json, const char *key) {
  if (json->status != CORE_OK)
    return json->status;
  if (json->depth == 0 || !json->in_object[json->depth - 1])
    return json_misuse(json, "key outside an object");
  if (json->key_pending)
    return json_misuse(json, "two keys in a row");
  int top = json->depth - 1;
  if (json->has_items[top])
    fputc(',', json->fp);
  json->has_items[top] = true;
  indent(json);
  write_escaped(json->fp, key);
  fputs(": ", json->fp);
  json->key_pending = true;
  return CORE_OK;
}

core_status core_json_string(core_json *json, const char *s) {
  CORE_TRY(before_value(json));
  write_escaped(json->fp, s);
  after_value(json);
  return CORE_OK;
}

core_status core_json_number(core_json *json, double value) {
  CORE_TRY(before_value(json));
  if (isfinite(value))
    fprintf(json->fp, "%.17g", value);
  else
    fputs("null", json->fp);
  after_value(json);
  return CORE_OK;
}

core_status core_json_int(core_json *json, long long value) {
  CORE_TRY(before_value(json));
  fprintf(json->fp, "%lld", value);
  after_value(json);
  return CORE_OK;
}

core_status core_json_bool(core_json *json, bool value) {
  CORE_TRY(before_value(json));
  fputs(value ? "true" : "false", json->fp);
  after_value(json);
  return CORE_OK;
}

core_status core_json_null(core_json *json) {
  CORE_TRY(before_value(json));
  fputs("null", json->fp);
  after_value(json);
  return CORE_OK;
}

core_status core_json_member_string(core_json *json, const char *key, const char *s) {
  CORE_TRY(core_json_key(json, key));
  return core_json_string(json, s);
}

core_status core_json_member_number(core_json *json, const char *key, double value) {
  CORE_TRY(core_json_key(json, key));
  return core_json_number(json, value);
}

core_status core_json_member_int(core_json *json, const char *key, long long value) {
  CORE_TRY(core_json_key(json, key));
  return core_json_int(json, value);
}

core_status core_json_member_bool(core_json *json, const char *key, bool value) {
  CORE_TRY(core_json_key(json, key));
  return core_json_bool(json, value);
}

core_status core_json_finish(core_json *json) {
  if (json->status != CORE_OK)
    return json->status;
  if (!json->done)
    return json_misuse(json, json->depth > 0 ? "containers left open" : "empty document");
  fputc('\n', json->fp);
  if (ferror(json->fp)) {
    json->status = CORE_FAIL(CORE_ERR_IO, "cannot write JSON: stream error");
    return json->status;
  }
  return CORE_OK;
}
