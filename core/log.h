/* Log lines on stderr ("pinnsolve: ..."), silenced by --quiet. Errors are not logs: main prints them. */
#ifndef PINNSOLVE_CORE_LOG_H
#define PINNSOLVE_CORE_LOG_H

#include <stdbool.h>

void core_log_set_quiet(bool quiet);
void core_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
