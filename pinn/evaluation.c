#include "pinn/evaluation.h"

#include <math.h>
#include <stdlib.h>

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

core_status pinn_evaluation_create(pinn_evaluation **out, const pde_problem *problem, const int *counts,
                                   const double *lower, const double *upper) {
  *out = NULL;
  pinn_evaluation *e = calloc(1, sizeof *e);
  if (!e)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the evaluation grid");
  e->dim = problem->type->dim;
  e->n = 1;
  for (int i = 0; i < e->dim; i++) {
    e->counts[i] = counts[i];
    e->n *= (size_t)counts[i];
  }
  e->x = malloc(e->n * (size_t)e->dim * sizeof(double));
  e->prediction = malloc(e->n * sizeof(double));
  if (!e->x || !e->prediction) {
    size_t n = e->n;
    pinn_evaluation_destroy(e);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for %zu evaluation points", n);
  }
  fill_grid(e, lower, upper);
  if (problem->type->reference) {
    e->reference = malloc(e->n * sizeof(double));
    core_status status = e->reference ? problem->type->reference(problem, e->n, e->x, e->reference)
                                      : CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the reference");
    if (status != CORE_OK) {
      pinn_evaluation_destroy(e);
      return status;
    }
    double sum = 0;
    for (size_t p = 0; p < e->n; p++)
      sum += e->reference[p] * e->reference[p];
    e->reference_norm = sqrt(sum);
  }
  *out = e;
  return CORE_OK;
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
