#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static bool quiet;

void core_log_set_quiet(bool q) { quiet = q; }

void core_log(const char *fmt, ...) {
  if (quiet)
    return;
  va_list args;
  va_start(args, fmt);
  fputs("pinnsolve: ", stderr);
  vfprintf(stderr, fmt, args);
  fputc('\n', stderr);
  va_end(args);
}
