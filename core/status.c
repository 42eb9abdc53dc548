#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>

static char error_message[1024];
static char error_origin[256];
static int error_recorded;

const char *core_status_string(core_status status) {
  switch (status) {
  case CORE_OK: return "ok";
  case CORE_ERR_NOMEM: return "out of memory";
  case CORE_ERR_IO: return "input/output error";
  case CORE_ERR_CONFIG: return "configuration error";
  case CORE_ERR_INVALID: return "invalid argument";
  case CORE_ERR_NUMERIC: return "numerical failure";
  case CORE_ERR_SOLVER: return "solver failure";
  case CORE_ERR_UNSUPPORTED: return "unsupported operation";
  }
  return "unknown status";
}

core_status core_fail_at(const char *file, int line, core_status status, const char *fmt, ...) {
  if (error_recorded)
    return status;
  va_list args;
  va_start(args, fmt);
  vsnprintf(error_message, sizeof error_message, fmt, args);
  va_end(args);
  snprintf(error_origin, sizeof error_origin, "%s:%d", file, line);
  error_recorded = 1;
  return status;
}

const char *core_error_message(void) { return error_message; }
const char *core_error_origin(void) { return error_origin; }

void core_error_clear(void) {
  error_message[0] = '\0';
  error_origin[0] = '\0';
  error_recorded = 0;
}
