/* "sobol": the Sobol low-discrepancy sequence (gsl_qrng_sobol, dim <= 40) scaled to the box.
 *
 * Deterministic: the rng is not used, so equal configurations give equal points whatever the
 * seed. Successive sample calls continue the sequence, so the union of all calls is one Sobol
 * prefix (its discrepancy guarantee holds for the union, not for each call). The all-zero point
 * of the sequence is a corner of the box: gsl_qrng_sobol never returns it (its first point is
 * (1/2, ..., 1/2), i.e. the box centre; checked in tests/test_samplers.c), and no later point has
 * a zero coordinate (each 1-D projection of points 0..2^m-1 is {j/2^m}, 0 taken by point 0), so
 * every point lies in the open box. log_density is the uniform one: the sequence fills the box
 * evenly. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include <stdlib.h>

#include "gen/samplers.h"

typedef struct sobol_state {
  gen_box box;
  gsl_qrng *qrng;
  double *unit; /* (dim) one point of the unit-cube sequence */
} sobol_state;

static void sobol_destroy(void *state) {
  sobol_state *s = state;
  if (s->qrng)
    gsl_qrng_free(s->qrng);
  free(s->unit);
}

static core_status sobol_init(void *state, const gen_box *box, const gen_options *options,
                              gsl_rng *rng) {
  (void)options;
  (void)rng;
  sobol_state *s = state;
  s->box = *box;
  if (box->dim > 40)
    return CORE_FAIL(CORE_ERR_INVALID, "sampler 'sobol' supports dimensions up to 40, got %d",
                     box->dim);
  s->qrng = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned int)box->dim);
  s->unit = malloc(sizeof(double) * (size_t)box->dim);
  if (!s->qrng || !s->unit)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating the Sobol sequence");
  return CORE_OK;
}

static core_status sobol_sample(void *state, size_t n, double *points, gsl_rng *rng) {
  (void)rng;
  sobol_state *s = state;
  const gen_box *box = &s->box;
  for (size_t i = 0; i < n; i++) {
    if (gsl_qrng_get(s->qrng, s->unit) != GSL_SUCCESS)
      return CORE_FAIL(CORE_ERR_SOLVER, "the Sobol sequence is exhausted");
    for (int k = 0; k < box->dim; k++)
      points[i * (size_t)box->dim + (size_t)k] =
          box->lower[k] + (box->upper[k] - box->lower[k]) * s->unit[k];
  }
  return CORE_OK;
}

static core_status sobol_log_density(void *state, size_t n, const double *points, double *logp) {
  return gen_box_log_uniform(&((sobol_state *)state)->box, n, points, logp);
}

const gen_sampler_type gen_sampler_sobol = {
    .name = "sobol",
    .state_size = sizeof(sobol_state),
    .init = sobol_init,
    .fit = NULL,
    .sample = sobol_sample,
    .log_density = sobol_log_density,
    .destroy = sobol_destroy,
};
