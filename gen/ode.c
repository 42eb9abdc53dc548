/* Batch ODE integrators: fixed-step Euler / Heun / RK4 and SUNDIALS CVODE (Adams, fixed point).
 *
 * Both paths work on one packed state y = [x (n*dim) | ℓ (n)] (ℓ only when the log-density is
 * integrated), so a right-hand side is one call of the field on the whole batch. */
#include "gen/ode.h"

#include <cvode/cvode.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_context.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

struct gen_ode {
  int dim;
  size_t max_points;
  gen_ode_options options;
  double *y, *k, *ytmp, *acc; /* fixed-step buffers, max_points * (dim + 1) each */
  SUNContext sunctx;
};

static const char *const method_names[] = {"euler", "heun", "rk4", "cvode"};

core_status gen_ode_method_parse(const char *name, gen_ode_method *out) {
  for (int m = 0; m < 4; m++)
    if (strcmp(name, method_names[m]) == 0) {
      *out = (gen_ode_method)m;
      return CORE_OK;
    }
  return CORE_FAIL(CORE_ERR_CONFIG, "unknown ODE integrator '%s' (euler, heun, rk4, cvode)", name);
}

const char *gen_ode_method_name(gen_ode_method method) {
  return (unsigned)method < 4 ? method_names[method] : "?";
}

gen_ode_options gen_ode_default_options(void) {
  return (gen_ode_options){.method = GEN_ODE_RK4, .steps = 100, .rtol = 1e-6, .atol = 1e-8,
                           .max_steps = 50000, .cvode_chunk = 0};
}

static core_status validate_options(const gen_ode_options *o) {
  if ((unsigned)o->method > GEN_ODE_CVODE)
    return CORE_FAIL(CORE_ERR_INVALID, "ODE: invalid method %d", (int)o->method);
  if (o->steps < 1)
    return CORE_FAIL(CORE_ERR_INVALID, "ODE: steps must be >= 1 (got %d)", o->steps);
  if (!(o->rtol > 0) || !(o->atol > 0))
    return CORE_FAIL(CORE_ERR_INVALID, "ODE: tolerances must be > 0 (rtol %g, atol %g)", o->rtol,
                     o->atol);
  if (o->max_steps < 1)
    return CORE_FAIL(CORE_ERR_INVALID, "ODE: max_steps must be >= 1 (got %ld)", o->max_steps);
  return CORE_OK;
}

core_status gen_ode_create(gen_ode **out, int dim, size_t max_points, const gen_ode_options *options) {
  *out = NULL;
  gen_ode_options o = options ? *options : gen_ode_default_options();
  CORE_TRY(validate_options(&o));
  if (dim < 1 || max_points < 1)
    return CORE_FAIL(CORE_ERR_INVALID, "ODE: need dim >= 1 and max_points >= 1 (%d, %zu)", dim,
                     max_points);
  gen_ode *ode = calloc(1, sizeof *ode);
  if (!ode)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating ODE workspace");
  ode->dim = dim;
  ode->max_points = max_points;
  ode->options = o;
  size_t len = max_points * (size_t)(dim + 1);
  ode->y = malloc(4 * len * sizeof(double));
  if (!ode->y) {
    free(ode);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating ODE workspace (%zu points)", max_points);
  }
  ode->k = ode->y + len;
  ode->ytmp = ode->k + len;
  ode->acc = ode->ytmp + len;
  if (SUNContext_Create(NULL, &ode->sunctx) != 0) {
    free(ode->y);
    free(ode);
    return CORE_FAIL(CORE_ERR_SOLVER, "SUNContext_Create failed");
  }
  *out = ode;
  return CORE_OK;
}

void gen_ode_destroy(gen_ode *ode) {
  if (!ode)
    return;
  SUNContext_Free(&ode->sunctx);
  free(ode->y);
  free(ode);
}

const gen_ode_options *gen_ode_get_options(const gen_ode *ode) { return &ode->options; }

core_status gen_ode_set_options(gen_ode *ode, const gen_ode_options *options) {
  CORE_TRY(validate_options(options));
  ode->options = *options;
  return CORE_OK;
}

/* ---- packing ---------------------------------------------------------------------------- */

static void pack(double *y, size_t n, int dim, const double *x, const double *ell) {
  memcpy(y, x, n * (size_t)dim * sizeof(double));
  if (ell)
    memcpy(y + n * (size_t)dim, ell, n * sizeof(double));
}

static core_status unpack(const double *y, size_t n, int dim, double *x, double *ell) {
  size_t len = n * (size_t)(dim + (ell ? 1 : 0));
  for (size_t i = 0; i < len; i++)
    if (!isfinite(y[i]))
      return CORE_FAIL(CORE_ERR_NUMERIC, "ODE: non-finite state after integration (component %zu)",
                       i);
  memcpy(x, y, n * (size_t)dim * sizeof(double));
  if (ell)
    memcpy(ell, y + n * (size_t)dim, n * sizeof(double));
  return CORE_OK;
}

/* ---- fixed-step methods ----------------------------------------------------------------- */

typedef struct fixed_rhs {
  gen_ode_field field;
  void *ctx;
  size_t n;
  int dim;
  int with_ell;
} fixed_rhs;

static core_status eval(const fixed_rhs *r, double t, const double *y, double *dy) {
  double *div = r->with_ell ? dy + r->n * (size_t)r->dim : NULL;
  return r->field(r->ctx, t, r->n, y, dy, div);
}

static void axpy_to(double *out, const double *y, double a, const double *k, size_t len) {
  for (size_t i = 0; i < len; i++)
    out[i] = y[i] + a * k[i];
}

/* One step of size h from (t, y) in place; k, ytmp, acc are scratch of length len. */
static core_status fixed_step(gen_ode *ode, const fixed_rhs *r, double t, double h, size_t len) {
  double *y = ode->y, *k = ode->k, *ytmp = ode->ytmp, *acc = ode->acc;
  CORE_TRY(eval(r, t, y, k));
  if (ode->options.method == GEN_ODE_EULER) {
    axpy_to(y, y, h, k, len);
    return CORE_OK;
  }
  if (ode->options.method == GEN_ODE_HEUN) { /* explicit trapezoid, order 2 */
    axpy_to(ytmp, y, h, k, len);
    memcpy(acc, k, len * sizeof(double));
    CORE_TRY(eval(r, t + h, ytmp, k));
    for (size_t i = 0; i < len; i++)
      y[i] += 0.5 * h * (acc[i] + k[i]);
    return CORE_OK;
  }
  /* classical RK4: acc = k1 + 2 k2 + 2 k3 + k4 */
  memcpy(acc, k, len * sizeof(double));
  axpy_to(ytmp, y, 0.5 * h, k, len);
  CORE_TRY(eval(r, t + 0.5 * h, ytmp, k));
  for (size_t i = 0; i < len; i++)
    acc[i] += 2.0 * k[i];
  axpy_to(ytmp, y, 0.5 * h, k, len);
  CORE_TRY(eval(r, t + 0.5 * h, ytmp, k));
  for (size_t i = 0; i < len; i++)
    acc[i] += 2.0 * k[i];
  axpy_to(ytmp, y, h, k, len);
  CORE_TRY(eval(r, t + h, ytmp, k));
  for (size_t i = 0; i < len; i++)
    y[i] += h / 6.0 * (acc[i] + k[i]);
  return CORE_OK;
}

static core_status integrate_fixed(gen_ode *ode, const fixed_rhs *r, double t0, double t1,
                                   double *x, double *ell, gen_ode_stats *stats) {
  size_t len = r->n * (size_t)(r->dim + r->with_ell);
  int steps = ode->options.steps;
  double h = (t1 - t0) / steps;
  pack(ode->y, r->n, r->dim, x, ell);
  for (int s = 0; s < steps; s++) /* t from the step index: no drift from repeated t += h */
    CORE_TRY(fixed_step(ode, r, t0 + (t1 - t0) * ((double)s / steps), h, len));
  static const int evals_per_step[] = {1, 2, 4};
  stats->steps = steps;
  stats->rhs_evals = (long)steps * evals_per_step[ode->options.method];
  stats->systems = 1;
  return unpack(ode->y, r->n, r->dim, x, ell);
}

/* ---- CVODE -------------------------------------------------------------------------------- */

typedef struct cv_user {
  fixed_rhs rhs;          /* n = points of the current system */
  core_status status;     /* first failure of the field */
  char message[256];      /* last CVODE error message */
} cv_user;

static int cv_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data) {
  cv_user *u = user_data;
  core_status s = eval(&u->rhs, t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
  if (s != CORE_OK) {
    u->status = s;
    return -1; /* unrecoverable: the field's own message is recorded */
  }
  const double *dy = N_VGetArrayPointer(ydot);
  sunindextype len = N_VGetLength(ydot);
  for (sunindextype i = 0; i < len; i++)
    if (!isfinite(dy[i]))
      return 1; /* recoverable: CVODE retries with a smaller step */
  return 0;
}

static void cv_error_handler(int code, const char *module, const char *function, char *msg,
                             void *eh_data) {
  (void)code;
  cv_user *u = eh_data;
  snprintf(u->message, sizeof u->message, "%s/%s: %s", module, function, msg);
}

/* One CVODE system over the points currently described by u->rhs. */
typedef struct cv_system {
  N_Vector y;
  void *mem;
  SUNNonlinearSolver nls;
} cv_system;

static void cv_system_free(cv_system *s) {
  if (s->mem)
    CVodeFree(&s->mem);
  if (s->nls)
    SUNNonlinSolFree(s->nls);
  if (s->y)
    N_VDestroy(s->y);
  *s = (cv_system){0};
}

#define CV_CHECK(call)                                                                         \
  do {                                                                                         \
    int cv_flag_ = (call);                                                                     \
    if (cv_flag_ < 0)                                                                          \
      return CORE_FAIL(CORE_ERR_SOLVER, "CVODE: %s failed with %s", #call,                     \
                       CVodeGetReturnFlagName(cv_flag_));                                      \
  } while (0)

static core_status cv_system_create(cv_system *s, gen_ode *ode, cv_user *u, double t0, double t1,
                                    sunindextype len) {
  s->y = N_VNew_Serial(len, ode->sunctx);
  if (!s->y)
    return CORE_FAIL(CORE_ERR_NOMEM, "CVODE: N_VNew_Serial(%ld) failed", (long)len);
  s->mem = CVodeCreate(CV_ADAMS, ode->sunctx);
  if (!s->mem)
    return CORE_FAIL(CORE_ERR_SOLVER, "CVODE: CVodeCreate failed");
  CV_CHECK(CVodeSetErrHandlerFn(s->mem, cv_error_handler, u));
  CV_CHECK(CVodeInit(s->mem, cv_rhs, t0, s->y));
  CV_CHECK(CVodeSetUserData(s->mem, u));
  CV_CHECK(CVodeSStolerances(s->mem, ode->options.rtol, ode->options.atol));
  CV_CHECK(CVodeSetMaxNumSteps(s->mem, ode->options.max_steps));
  CV_CHECK(CVodeSetStopTime(s->mem, t1));
  s->nls = SUNNonlinSol_FixedPoint(s->y, 0, ode->sunctx);
  if (!s->nls)
    return CORE_FAIL(CORE_ERR_SOLVER, "CVODE: SUNNonlinSol_FixedPoint failed");
  CV_CHECK(CVodeSetNonlinearSolver(s->mem, s->nls));
  return CORE_OK;
}

static core_status cv_add_stats(void *mem, gen_ode_stats *stats) {
  long steps, evals, etf, ncf;
  CV_CHECK(CVodeGetNumSteps(mem, &steps));
  CV_CHECK(CVodeGetNumRhsEvals(mem, &evals));
  CV_CHECK(CVodeGetNumErrTestFails(mem, &etf));
  CV_CHECK(CVodeGetNumNonlinSolvConvFails(mem, &ncf));
  stats->steps += steps;
  stats->rhs_evals += evals;
  stats->error_test_fails += etf;
  stats->nonlin_conv_fails += ncf;
  stats->systems++;
  return CORE_OK;
}

/* Solves one chunk of m points starting at x, ell; (re)creates the system when m changes. */
static core_status cv_solve_chunk(gen_ode *ode, cv_system *s, cv_user *u, double t0, double t1,
                                  double *x, double *ell, gen_ode_stats *stats) {
  int dim = u->rhs.dim;
  sunindextype len = (sunindextype)(u->rhs.n * (size_t)(dim + u->rhs.with_ell));
  if (s->y && N_VGetLength(s->y) != len)
    cv_system_free(s);
  if (!s->y)
    CORE_TRY(cv_system_create(s, ode, u, t0, t1, len));
  /* CVodeInit copied y0 when the system was made: load this chunk's state and restart */
  pack(N_VGetArrayPointer(s->y), u->rhs.n, dim, x, ell);
  CV_CHECK(CVodeReInit(s->mem, t0, s->y));
  CV_CHECK(CVodeSetStopTime(s->mem, t1)); /* a reached stop time is cleared: set it again */
  sunrealtype tret = t0;
  int flag = CVode(s->mem, t1, s->y, &tret, CV_NORMAL);
  if (flag < 0) {
    if (u->status != CORE_OK)
      return u->status;
    return CORE_FAIL(CORE_ERR_SOLVER, "CVODE failed at t = %g with %s (%s)", tret,
                     CVodeGetReturnFlagName(flag), u->message);
  }
  CORE_TRY(cv_add_stats(s->mem, stats));
  return unpack(N_VGetArrayPointer(s->y), u->rhs.n, dim, x, ell);
}

static core_status integrate_cvode(gen_ode *ode, const fixed_rhs *r, double t0, double t1,
                                   double *x, double *ell, gen_ode_stats *stats) {
  size_t chunk = ode->options.cvode_chunk ? ode->options.cvode_chunk : r->n;
  cv_user u = {.rhs = *r, .status = CORE_OK, .message = ""};
  cv_system s = {0};
  core_status status = CORE_OK;
  for (size_t i0 = 0; i0 < r->n && status == CORE_OK; i0 += chunk) {
    u.rhs.n = r->n - i0 < chunk ? r->n - i0 : chunk;
    status = cv_solve_chunk(ode, &s, &u, t0, t1, x + i0 * (size_t)r->dim, ell ? ell + i0 : NULL,
                            stats);
  }
  cv_system_free(&s);
  return status;
}

core_status gen_ode_integrate(gen_ode *ode, gen_ode_field field, void *ctx, double t0, double t1,
                              size_t n, double *x, double *ell, gen_ode_stats *stats) {
  gen_ode_stats local = {0};
  if (n > ode->max_points)
    return CORE_FAIL(CORE_ERR_INVALID, "ODE: %zu points exceed the workspace (%zu)", n,
                     ode->max_points);
  if (!isfinite(t0) || !isfinite(t1) || t0 == t1)
    return CORE_FAIL(CORE_ERR_INVALID, "ODE: invalid time interval [%g, %g]", t0, t1);
  fixed_rhs r = {.field = field, .ctx = ctx, .n = n, .dim = ode->dim, .with_ell = ell != NULL};
  core_status status = CORE_OK;
  if (n > 0) {
    if (ode->options.method == GEN_ODE_CVODE)
      status = integrate_cvode(ode, &r, t0, t1, x, ell, &local);
    else
      status = integrate_fixed(ode, &r, t0, t1, x, ell, &local);
  }
  if (stats)
    *stats = local;
  return status;
}
