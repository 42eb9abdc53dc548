#include "nn/bfgs.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct nn_bfgs {
  size_t n;
  nn_bfgs_options options;
  double *h;        /* inverse-Hessian approximation, row-major; only the upper triangle is kept */
  int identity;     /* h is the unscaled identity (fresh or reset) */
  nn_line_search *line_search;
  /* Work vectors, allocated once. */
  double *g, *hg;   /* gradient at x and H g */
  double *x_new, *g_new, *hg_new;
  double *s, *y, *hy, *d;
};

nn_bfgs_options nn_bfgs_default_options(void) {
  nn_bfgs_options o = {.scaling = NN_BFGS_SCALING_NONE, .gtol = 0,
                       .line_search = nn_line_search_default_options()};
  return o;
}

static double dot(size_t n, const double *a, const double *b) { return cblas_ddot((int)n, a, 1, b, 1); }

void nn_bfgs_reset(nn_bfgs *b) {
  memset(b->h, 0, b->n * b->n * sizeof(double));
  for (size_t i = 0; i < b->n; i++)
    b->h[i * b->n + i] = 1.0;
  b->identity = 1;
}

double nn_bfgs_inverse_hessian(const nn_bfgs *b, size_t i, size_t j) {
  return i <= j ? b->h[i * b->n + j] : b->h[j * b->n + i];
}

core_status nn_bfgs_create(nn_bfgs **out, size_t n, const nn_bfgs_options *options) {
  *out = NULL;
  if (n == 0 || n > NN_BFGS_MAX_VARIABLES)
    return CORE_FAIL(CORE_ERR_CONFIG,
                     "BFGS keeps a dense %zu x %zu matrix; it takes 1 to %d variables (use L-BFGS)", n, n,
                     NN_BFGS_MAX_VARIABLES);
  nn_bfgs *b = calloc(1, sizeof *b);
  double *h = b ? malloc(n * n * sizeof(double)) : NULL;
  double *work = h ? malloc(10 * n * sizeof(double)) : NULL;
  if (!work) {
    free(h);
    free(b);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for BFGS over %zu variables (%.1f MB)", n,
                     8e-6 * (double)n * (double)n);
  }
  b->n = n;
  b->options = *options;
  b->h = h;
  b->g = work;
  b->hg = work + n;
  b->x_new = work + 2 * n;
  b->g_new = work + 3 * n;
  b->hg_new = work + 4 * n;
  b->s = work + 5 * n;
  b->y = work + 6 * n;
  b->hy = work + 7 * n;
  b->d = work + 8 * n;
  core_status status = nn_line_search_create(&b->line_search, n, &options->line_search);
  if (status != CORE_OK) {
    nn_bfgs_destroy(b);
    return status;
  }
  nn_bfgs_reset(b);
  *out = b;
  return CORE_OK;
}

void nn_bfgs_destroy(nn_bfgs *b) {
  if (!b)
    return;
  nn_line_search_destroy(b->line_search);
  free(b->g);
  free(b->h);
  free(b);
}

/* out = H v through the upper triangle. */
static void apply_h(const nn_bfgs *b, const double *v, double *out) {
  cblas_dsymv(CblasRowMajor, CblasUpper, (int)b->n, 1.0, b->h, (int)b->n, v, 1, 0.0, out, 1);
}

static void scale_h(nn_bfgs *b, double gamma) {
  for (size_t i = 0; i < b->n; i++)
    cblas_dscal((int)(b->n - i), gamma, b->h + i * b->n + i, 1);
}

/* The scale applied to H before the update (see nn/bfgs.h); step is the line search's a and
 * b->g still the gradient at the start of the step. */
static double update_scale(const nn_bfgs *b, double sy, double yhy, double step) {
  if (b->identity || b->options.scaling == NN_BFGS_SCALING_OREN_LUENBERGER)
    return sy / yhy;
  if (b->options.scaling == NN_BFGS_SCALING_AL_BAALI)
    return fmax(1.0, -step * dot(b->n, b->s, b->g) / sy);
  return 1.0;
}

/* With s, y, hy = H y and hg_new = H g_new of the old H: updates H and makes hg_new = H+ g_new.
 * Expanding the product form, H+ = gamma H - rho gamma (Hy s' + s y'H) + c s s' with
 * c = rho^2 gamma y'Hy + rho, which is one symmetric rank-2 update a s' + s a' with
 * a = -rho gamma Hy + (c / 2) s. Skipped when y's is not safely positive. */
static void update(nn_bfgs *b, double step) {
  size_t n = b->n;
  double sy = dot(n, b->s, b->y);
  double yhy = dot(n, b->y, b->hy);
  if (!(sy > 1e-12 * sqrt(dot(n, b->s, b->s) * dot(n, b->y, b->y))) || !(yhy > 0))
    return;
  double gamma = update_scale(b, sy, yhy, step);
  double rho = 1.0 / sy;
  double c = rho * rho * gamma * yhy + rho;
  double s_g = dot(n, b->s, b->g_new), hy_g = dot(n, b->hy, b->g_new);
  for (size_t i = 0; i < n; i++)
    b->hg_new[i] = gamma * b->hg_new[i] - rho * gamma * (b->hy[i] * s_g + b->s[i] * hy_g) + c * b->s[i] * s_g;
  if (gamma != 1.0)
    scale_h(b, gamma);
  for (size_t i = 0; i < n; i++)
    b->d[i] = -rho * gamma * b->hy[i] + 0.5 * c * b->s[i]; /* d is free until the next direction */
  cblas_dsyr2(CblasRowMajor, CblasUpper, (int)n, 1.0, b->d, 1, b->s, 1, b->h, (int)n);
  b->identity = 0;
}

/* x <- x_new after an accepted step: s, y, the update, then the new point becomes current. */
static void accept_step(nn_bfgs *b, double *x, double step) {
  size_t n = b->n;
  for (size_t i = 0; i < n; i++) {
    b->s[i] = b->x_new[i] - x[i];
    b->y[i] = b->g_new[i] - b->g[i];
  }
  apply_h(b, b->g_new, b->hg_new);
  for (size_t i = 0; i < n; i++)
    b->hy[i] = b->hg_new[i] - b->hg[i];
  update(b, step);
  memcpy(x, b->x_new, n * sizeof(double));
  memcpy(b->g, b->g_new, n * sizeof(double));
  memcpy(b->hg, b->hg_new, n * sizeof(double));
}

/* d = -H g; the identity when H does not give a descent direction. Returns the first step to try:
 * 1 for a quasi-Newton step, 1 / ||g|| for a steepest-descent step (N&W sec. 6.1). */
static double direction(nn_bfgs *b, int *resets) {
  size_t n = b->n;
  for (size_t i = 0; i < n; i++)
    b->d[i] = -b->hg[i];
  if (!b->identity && !(dot(n, b->g, b->d) < 0)) {
    nn_bfgs_reset(b);
    (*resets)++;
    memcpy(b->hg, b->g, n * sizeof(double));
    for (size_t i = 0; i < n; i++)
      b->d[i] = -b->g[i];
  }
  return b->identity ? fmin(1.0, 1.0 / sqrt(dot(n, b->g, b->g))) : 1.0;
}

core_status nn_bfgs_minimize(nn_bfgs *b, double *x, int max_iterations, nn_objective objective,
                             nn_iteration_hook hook, void *ctx, nn_bfgs_report *report) {
  nn_bfgs_report r = {.stop_reason = "iteration limit"};
  double f = NAN;
  r.evaluations = 1;
  CORE_TRY(objective(ctx, x, b->g, &f));
  if (!isfinite(f)) {
    r.stop_reason = "non-finite loss at the start";
    max_iterations = 0;
  }
  apply_h(b, b->g, b->hg); /* the objective may have changed since the last call (new points) */
  while (r.iterations < max_iterations) {
    if (sqrt(dot(b->n, b->g, b->g)) <= b->options.gtol) {
      r.stop_reason = "converged";
      break;
    }
    double a0 = direction(b, &r.resets);
    double f_new = NAN, step = 0;
    int evaluations = 0;
    nn_line_search_result result;
    CORE_TRY(nn_line_search_run(b->line_search, x, f, b->g, b->d, a0, objective, ctx, b->x_new,
                                b->g_new, &f_new, &step, &evaluations, &result));
    r.evaluations += evaluations;
    if (result == NN_LINE_SEARCH_FAILED) {
      if (b->identity) {
        r.stop_reason = "line search: no decrease";
        break;
      }
      nn_bfgs_reset(b); /* stale curvature: retry along steepest descent */
      r.resets++;
      memcpy(b->hg, b->g, b->n * sizeof(double));
      continue;
    }
    accept_step(b, x, step);
    f = f_new;
    r.iterations++;
    if (hook && hook(ctx, r.iterations, f, x)) {
      r.stop_reason = "stopped by caller";
      break;
    }
  }
  r.final_loss = f;
  if (report)
    *report = r;
  return CORE_OK;
}
