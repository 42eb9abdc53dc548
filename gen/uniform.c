/* "uniform": i.i.d. uniform points on the box; nothing to fit. */
#include <math.h>
#include <stdbool.h>

#include "gen/samplers.h"

core_status gen_box_log_uniform(const gen_box *box, size_t n, const double *points, double *logp) {
  double log_volume = 0.0;
  for (int k = 0; k < box->dim; k++)
    log_volume += log(box->upper[k] - box->lower[k]);
  for (size_t i = 0; i < n; i++) {
    const double *x = points + i * (size_t)box->dim;
    bool inside = true;
    for (int k = 0; k < box->dim; k++) {
      if (!isfinite(x[k]))
        return CORE_FAIL(CORE_ERR_NUMERIC, "log density asked at point %zu with a non-finite "
                         "coordinate", i);
      inside = inside && x[k] >= box->lower[k] && x[k] <= box->upper[k];
    }
    logp[i] = inside ? -log_volume : -INFINITY;
  }
  return CORE_OK;
}

typedef struct uniform_state {
  gen_box box;
} uniform_state;

static core_status uniform_init(void *state, const gen_box *box, const gen_options *options,
                                gsl_rng *rng) {
  (void)options;
  (void)rng;
  ((uniform_state *)state)->box = *box;
  return CORE_OK;
}

static core_status uniform_sample(void *state, size_t n, double *points, gsl_rng *rng) {
  const gen_box *box = &((uniform_state *)state)->box;
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < box->dim; k++)
      points[i * (size_t)box->dim + (size_t)k] =
          box->lower[k] + (box->upper[k] - box->lower[k]) * gsl_rng_uniform(rng);
  return CORE_OK;
}

static core_status uniform_log_density(void *state, size_t n, const double *points, double *logp) {
  return gen_box_log_uniform(&((uniform_state *)state)->box, n, points, logp);
}

const gen_sampler_type gen_sampler_uniform = {
    .name = "uniform",
    .state_size = sizeof(uniform_state),
    .init = uniform_init,
    .fit = NULL,
    .sample = uniform_sample,
    .log_density = uniform_log_density,
    .destroy = NULL,
};
