/* A small streaming JSON writer for summary files, pretty-printed with 2-space indentation:
 *
 *   core_json j;  core_json_init(&j, fp);
 *   core_json_begin_object(&j);
 *   core_json_member_number(&j, "l2_error", 1.5e-3);
 *   core_json_key(&j, "rounds");  core_json_begin_array(&j);  ...  core_json_end_array(&j);
 *   core_json_end_object(&j);
 *   CORE_TRY(core_json_finish(&j));
 *
 * A nesting stack decides where commas go. Misuse (a value without a key inside an object, a
 * key inside an array, unbalanced ends, nesting deeper than CORE_JSON_MAX_DEPTH) is recorded
 * once as CORE_ERR_INVALID; after a failure every call is a no-op returning that status, so a
 * caller may check each call or only core_json_finish. Numbers use %.17g, which round-trips
 * every finite double; NaN and infinities, which JSON cannot express, are written as null. */
#ifndef PINNSOLVE_CORE_JSON_H
#define PINNSOLVE_CORE_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "core/status.h"

#define CORE_JSON_MAX_DEPTH 32

typedef struct core_json {
  FILE *fp;                              /* borrowed */
  int depth;                             /* open containers */
  bool in_object[CORE_JSON_MAX_DEPTH];   /* per level: object (true) or array */
  bool has_items[CORE_JSON_MAX_DEPTH];   /* per level: a comma is due before the next item */
  bool key_pending;                      /* a key was written, its value comes next */
  bool done;                             /* the top-level value is complete */
  core_status status;                    /* first failure, sticky */
} core_json;

void core_json_init(core_json *json, FILE *fp);

core_status core_json_begin_object(core_json *json);
core_status core_json_end_object(core_json *json);
core_status core_json_begin_array(core_json *json);
core_status core_json_end_array(core_json *json);

/* Inside an object, each value is preceded by its key. */
core_status core_json_key(core_json *json, const char *key);

/* s: UTF-8, escaped as needed ('"', '\\', control characters). */
core_status core_json_string(core_json *json, const char *s);
core_status core_json_number(core_json *json, double value);
core_status core_json_int(core_json *json, long long value);
core_status core_json_bool(core_json *json, bool value);
core_status core_json_null(core_json *json);

/* key + value in one call. */
core_status core_json_member_string(core_json *json, const char *key, const char *s);
core_status core_json_member_number(core_json *json, const char *key, double value);
core_status core_json_member_int(core_json *json, const char *key, long long value);
core_status core_json_member_bool(core_json *json, const char *key, bool value);

/* Ends the document with '\n'. Fails if containers are still open, nothing was written, or the
 * stream has an error (CORE_ERR_IO). Does not close the stream. */
core_status core_json_finish(core_json *json);

#endif
