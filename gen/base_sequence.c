#include "gen/base_sequence.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>

#define SOBOL_MAX_DIM 40 /* gsl_qrng_sobol's limit */

/* The open interval keeps the inverse normal CDF finite: a shifted coordinate that lands on 0
 * exactly (probability 0 per draw, but possible in floating point) moves to the smallest
 * positive double that still has a finite normal quantile. */
static double open_unit(double v) { return v > 0.0 ? v : 0x1p-60; }

core_status gen_sobol_shifted(size_t n, int dim, double *u, gsl_rng *rng) {
  if (dim < 1 || dim > SOBOL_MAX_DIM)
    return CORE_FAIL(CORE_ERR_INVALID, "sobol base: dimension %d outside 1..%d", dim,
                     SOBOL_MAX_DIM);
  gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)dim);
  if (!q)
    return CORE_FAIL(CORE_ERR_NOMEM, "sobol base: out of memory");
  double shift[SOBOL_MAX_DIM], v[SOBOL_MAX_DIM];
  for (int j = 0; j < dim; j++)
    shift[j] = gsl_rng_uniform(rng);
  for (size_t i = 0; i < n; i++) {
    if (gsl_qrng_get(q, v) != GSL_SUCCESS) {
      gsl_qrng_free(q);
      return CORE_FAIL(CORE_ERR_INVALID, "sobol base: %zu points exceed the sequence", n);
    }
    for (int j = 0; j < dim; j++) {
      double s = v[j] + shift[j];
      u[i * (size_t)dim + (size_t)j] = open_unit(s >= 1.0 ? s - 1.0 : s);
    }
  }
  gsl_qrng_free(q);
  return CORE_OK;
}

void gen_uniform_to_gaussian(size_t n, int dim, double *u) {
  for (size_t i = 0; i < n * (size_t)dim; i++)
    u[i] = gsl_cdf_ugaussian_Pinv(u[i]);
}
