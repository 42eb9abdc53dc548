/* liblbfgs drives the iteration; this file adapts its callbacks to pinnsolve's status convention. */
#include "nn/lbfgs.h"

#include <lbfgs.h>
#include <math.h>
#include <string.h>

typedef struct lbfgs_bridge {
  nn_objective objective;
  nn_iteration_hook progress;
  void *ctx;
  core_status status; /* first objective failure; liblbfgs only sees "cancel" */
  int evaluations;
  int iterations;
  double loss;
} lbfgs_bridge;

nn_lbfgs_options nn_lbfgs_default_options(void) {
  nn_lbfgs_options o = {.max_iterations = 1000, .history = 50, .gtol = 1e-12, .max_linesearch = 40};
  return o;
}

static lbfgsfloatval_t bridge_evaluate(void *instance, const lbfgsfloatval_t *x, lbfgsfloatval_t *g,
                                       const int n, const lbfgsfloatval_t step) {
  (void)n;
  (void)step;
  lbfgs_bridge *b = instance;
  b->evaluations++;
  double loss = NAN;
  if (b->status == CORE_OK)
    b->status = b->objective(b->ctx, x, g, &loss);
  /* A failed or non-finite evaluation returns +inf so the line search backs off; a failure
   * then cancels the run from the progress callback. */
  return (b->status == CORE_OK && isfinite(loss)) ? loss : INFINITY;
}

static int bridge_progress(void *instance, const lbfgsfloatval_t *x, const lbfgsfloatval_t *g,
                           const lbfgsfloatval_t fx, const lbfgsfloatval_t xnorm,
                           const lbfgsfloatval_t gnorm, const lbfgsfloatval_t step, int n, int k, int ls) {
  (void)g, (void)xnorm, (void)gnorm, (void)step, (void)n, (void)ls;
  lbfgs_bridge *b = instance;
  b->iterations = k;
  b->loss = fx;
  if (b->status != CORE_OK)
    return 1;
  return b->progress ? b->progress(b->ctx, k, fx, x) : 0;
}

static const char *stop_reason(int code) {
  switch (code) {
  case LBFGS_SUCCESS: return "converged";
  case LBFGS_STOP: return "stopped";
  case LBFGS_ALREADY_MINIMIZED: return "already minimized";
  case LBFGSERR_CANCELED: return "stopped by caller";
  case LBFGSERR_MAXIMUMITERATION: return "iteration limit";
  case LBFGSERR_ROUNDING_ERROR: return "line search: rounding error";
  case LBFGSERR_MAXIMUMLINESEARCH: return "line search: evaluation limit";
  case LBFGSERR_MINIMUMSTEP: return "line search: minimum step";
  default: return "line search failed";
  }
}

core_status nn_lbfgs_minimize(size_t n, double *x, nn_objective objective, nn_iteration_hook progress,
                              void *ctx, const nn_lbfgs_options *options, nn_lbfgs_report *report) {
  lbfgs_parameter_t param;
  lbfgs_parameter_init(&param);
  param.m = options->history;
  param.epsilon = options->gtol;
  param.max_iterations = options->max_iterations;
  param.max_linesearch = options->max_linesearch;
  lbfgsfloatval_t *work = lbfgs_malloc((int)n); /* aligned as liblbfgs's SSE builds require */
  if (!work)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for L-BFGS (%zu variables)", n);
  memcpy(work, x, n * sizeof(double));
  lbfgs_bridge bridge = {.objective = objective, .progress = progress, .ctx = ctx, .status = CORE_OK};
  lbfgsfloatval_t fx = 0;
  int code = lbfgs((int)n, work, &fx, bridge_evaluate, bridge_progress, &bridge, &param);
  /* liblbfgs restores the last accepted point when a line search fails, so work is usable. */
  memcpy(x, work, n * sizeof(double));
  lbfgs_free(work);
  if (report) {
    report->iterations = bridge.iterations;
    report->evaluations = bridge.evaluations;
    report->final_loss = fx;
    report->stop_reason = stop_reason(code);
  }
  if (bridge.status != CORE_OK)
    return bridge.status;
  if (code == LBFGSERR_OUTOFMEMORY)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory inside L-BFGS");
  if (code == LBFGSERR_INVALID_N || code == LBFGSERR_INVALID_N_SSE || code == LBFGSERR_INVALID_X_SSE ||
      (code <= LBFGSERR_INVALID_EPSILON && code >= LBFGSERR_INVALID_ORTHANTWISE_END))
    return CORE_FAIL(CORE_ERR_SOLVER, "L-BFGS rejected its settings (code %d)", code);
  return CORE_OK;
}
