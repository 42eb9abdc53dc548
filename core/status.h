/* Status codes and the one-error-per-failure reporting convention.
 *
 * A function that fails records one message with CORE_FAIL (first failure wins until
 * core_error_clear) and returns the status; callers propagate with CORE_TRY. Only main()
 * turns a status into an exit code and prints core_error_message(). */
#ifndef PINNSOLVE_CORE_STATUS_H
#define PINNSOLVE_CORE_STATUS_H

typedef enum core_status {
  CORE_OK = 0,
  CORE_ERR_NOMEM,       /* allocation failed */
  CORE_ERR_IO,          /* file missing, unreadable or unwritable */
  CORE_ERR_CONFIG,      /* malformed or invalid configuration */
  CORE_ERR_INVALID,     /* invalid argument from a caller */
  CORE_ERR_NUMERIC,     /* non-finite loss, gradient or sample */
  CORE_ERR_SOLVER,      /* an external solver (CVODE, L-BFGS, GSL) failed */
  CORE_ERR_UNSUPPORTED  /* operation not provided by this type */
} core_status;

/* Human-readable name of a status code ("configuration error", ...). */
const char *core_status_string(core_status status);

/* Records "message" with its source location unless a failure is already recorded; returns status. */
core_status core_fail_at(const char *file, int line, core_status status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define CORE_FAIL(status, ...) core_fail_at(__FILE__, __LINE__, (status), __VA_ARGS__)

#define CORE_TRY(expr)                 \
  do {                                 \
    core_status core_try_s_ = (expr);  \
    if (core_try_s_ != CORE_OK)        \
      return core_try_s_;              \
  } while (0)

/* The recorded message ("" when none) and the source location that recorded it ("file.c:42"). */
const char *core_error_message(void);
const char *core_error_origin(void);
void core_error_clear(void);

#endif
