/* "lhs": Latin hypercube sampling (McKay, Beckman & Conover 1979). Each call of n points splits
 * every axis into n equal strata and puts exactly one point in each stratum of each axis, with
 * the strata of different axes paired by independent random permutations. */
#include <gsl/gsl_randist.h>
#include <stdlib.h>

#include "gen/samplers.h"

typedef struct lhs_state {
  gen_box box;
} lhs_state;

static core_status lhs_init(void *state, const gen_box *box, const gen_options *options, gsl_rng *rng) {
  (void)options;
  (void)rng;
  ((lhs_state *)state)->box = *box;
  return CORE_OK;
}

static core_status lhs_sample(void *state, size_t n, double *points, gsl_rng *rng) {
  const gen_box *box = &((lhs_state *)state)->box;
  if (n == 0)
    return CORE_OK;
  size_t *strata = malloc(n * sizeof *strata);
  if (!strata)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for %zu Latin hypercube points", n);
  for (int i = 0; i < box->dim; i++) {
    for (size_t p = 0; p < n; p++)
      strata[p] = p;
    gsl_ran_shuffle(rng, strata, n, sizeof *strata);
    double width = box->upper[i] - box->lower[i];
    for (size_t p = 0; p < n; p++) {
      double u = ((double)strata[p] + gsl_rng_uniform(rng)) / (double)n;
      points[p * (size_t)box->dim + (size_t)i] = box->lower[i] + u * width;
    }
  }
  free(strata);
  return CORE_OK;
}

static core_status lhs_log_density(void *state, size_t n, const double *points, double *logp) {
  return gen_box_log_uniform(&((lhs_state *)state)->box, n, points, logp);
}

const gen_sampler_type gen_sampler_lhs = {
    .name = "lhs",
    .state_size = sizeof(lhs_state),
    .init = lhs_init,
    .sample = lhs_sample,
    .log_density = lhs_log_density,
};
