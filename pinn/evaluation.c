#include "pinn/evaluation.h"

#include <gsl/gsl_randist.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "core/rng.h"
#include "pde/reference_error.h"

static void fill_grid(pinn_evaluation *e, const double *lower, const double *upper) {
  for (size_t p = 0; p < e->n; p++) {
    size_t rest = p;
    for (int i = e->dim - 1; i >= 0; i--) {
      size_t k = rest % (size_t)e->counts[i];
      rest /= (size_t)e->counts[i];
      double frac = (double)k / (double)(e->counts[i] - 1);
      e->x[p * (size_t)e->dim + (size_t)i] = lower[i] + frac * (upper[i] - lower[i]);
    }
  }
}

/* Allocates e with n points of the problem's dimension (x, prediction). */
static core_status evaluation_alloc(pinn_evaluation **out, const pde_problem *problem, size_t n) {
  pinn_evaluation *e = calloc(1, sizeof *e);
  if (!e)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the evaluation points");
  e->dim = problem->type->dim;
  e->n = n;
  e->x = malloc(e->n * (size_t)e->dim * sizeof(double));
  e->prediction = malloc(e->n * sizeof(double));
  if (!e->x || !e->prediction) {
    pinn_evaluation_destroy(e);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for %zu evaluation points", n);
  }
  *out = e;
  return CORE_OK;
}

/* The reference on the points, its norm and its own error. */
static core_status compute_reference(pinn_evaluation *e, const pde_problem *problem) {
  e->reference_error = e->reference_max_error = NAN;
  if (!problem->type->reference)
    return CORE_OK;
  e->reference = malloc(e->n * sizeof(double));
  if (!e->reference)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the reference");
  CORE_TRY(problem->type->reference(problem, e->n, e->x, e->reference));
  double sum = 0;
  for (size_t p = 0; p < e->n; p++)
    sum += e->reference[p] * e->reference[p];
  e->reference_norm = sqrt(sum);
  return pde_reference_error(problem, e->n, e->x, e->reference, &e->reference_error,
                             &e->reference_max_error);
}

static core_status finish(pinn_evaluation **out, pinn_evaluation *e, const pde_problem *problem) {
  core_status status = compute_reference(e, problem);
  if (status != CORE_OK) {
    pinn_evaluation_destroy(e);
    return status;
  }
  *out = e;
  return CORE_OK;
}

core_status pinn_evaluation_create(pinn_evaluation **out, const pde_problem *problem, const int *counts,
                                   const double *lower, const double *upper) {
  *out = NULL;
  size_t n = 1;
  for (int i = 0; i < problem->type->dim; i++)
    n *= (size_t)counts[i];
  pinn_evaluation *e = NULL;
  CORE_TRY(evaluation_alloc(&e, problem, n));
  e->is_grid = 1;
  for (int i = 0; i < e->dim; i++)
    e->counts[i] = counts[i];
  fill_grid(e, lower, upper);
  return finish(out, e, problem);
}

/* One point of N(center, width^2 I) inside the box, by rejection (at most 10^6 tries). */
static core_status draw_peak_point(gsl_rng *rng, int dim, const double *center, double width,
                                   const double *lower, const double *upper, double *x) {
  for (long attempt = 0; attempt < 1000000; attempt++) {
    int inside = 1;
    for (int i = 0; i < dim; i++) {
      x[i] = center[i] + gsl_ran_gaussian_ziggurat(rng, width);
      inside = inside && x[i] >= lower[i] && x[i] <= upper[i];
    }
    if (inside)
      return CORE_OK;
  }
  return CORE_FAIL(CORE_ERR_CONFIG, "evaluation peak: 10^6 draws around the centre with width %g "
                   "all fell outside the evaluation box", width);
}

static core_status fill_random(pinn_evaluation *e, const pinn_random_points *spec,
                               const double *lower, const double *upper, gsl_rng *rng) {
  size_t n_peak = (size_t)floor(spec->peak_fraction * (double)e->n + 0.5);
  size_t dim = (size_t)e->dim;
  for (size_t p = 0; p < e->n - n_peak; p++)
    for (size_t i = 0; i < dim; i++)
      e->x[p * dim + i] = lower[i] + gsl_rng_uniform(rng) * (upper[i] - lower[i]);
  for (size_t p = e->n - n_peak; p < e->n; p++)
    CORE_TRY(draw_peak_point(rng, e->dim, spec->peak_center, spec->peak_width, lower, upper,
                             e->x + p * dim));
  return CORE_OK;
}

core_status pinn_evaluation_create_random(pinn_evaluation **out, const pde_problem *problem,
                                          const pinn_random_points *spec, const double *lower,
                                          const double *upper) {
  *out = NULL;
  if (spec->n == 0 || !(spec->peak_fraction >= 0.0 && spec->peak_fraction <= 1.0) ||
      (spec->peak_fraction > 0.0 && !(spec->peak_width > 0.0)))
    return CORE_FAIL(CORE_ERR_INVALID, "evaluation points: need n > 0, a peak fraction in [0, 1] "
                     "and a positive peak width");
  pinn_evaluation *e = NULL;
  CORE_TRY(evaluation_alloc(&e, problem, spec->n));
  e->counts[0] = spec->n < (size_t)INT_MAX ? (int)spec->n : INT_MAX;
  gsl_rng *rng = core_rng_create(spec->seed);
  core_status status = rng ? fill_random(e, spec, lower, upper, rng)
                           : CORE_FAIL(CORE_ERR_NOMEM, "out of memory for a generator");
  if (rng)
    gsl_rng_free(rng);
  if (status != CORE_OK) {
    pinn_evaluation_destroy(e);
    return status;
  }
  return finish(out, e, problem);
}
void pinn_evaluation_destroy(pinn_evaluation *e) {
  if (!e)
    return;
  free(e->x);
  free(e->reference);
  free(e->prediction);
  free(e);
}

core_status pinn_evaluation_run(pinn_evaluation *e, pinn_model *model, pinn_errors *errors) {
  CORE_TRY(pinn_model_predict(model, e->n, e->x, e->prediction));
  errors->relative_l2 = NAN;
  errors->max_abs = NAN;
  if (!e->reference)
    return CORE_OK;
  double sum = 0, max_abs = 0;
  for (size_t p = 0; p < e->n; p++) {
    double d = e->prediction[p] - e->reference[p];
    sum += d * d;
    max_abs = fmax(max_abs, fabs(d));
  }
  errors->relative_l2 = sqrt(sum) / e->reference_norm;
  errors->max_abs = max_abs;
  if (!isfinite(errors->relative_l2))
    return CORE_FAIL(CORE_ERR_NUMERIC, "non-finite prediction on the evaluation grid");
  return CORE_OK;
}
