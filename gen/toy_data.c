#include "gen/toy_data.h"

#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_bessel.h>
#include <math.h>

core_status gen_toy_moons(size_t n, double noise, gsl_rng *rng, double *out) {
  if (!(noise >= 0.0) || !isfinite(noise))
    return CORE_FAIL(CORE_ERR_INVALID, "moons: noise must be finite and >= 0, got %g", noise);
  for (size_t i = 0; i < n; i++) {
    double theta = M_PI * gsl_rng_uniform(rng);
    int upper = gsl_rng_uniform(rng) < 0.5;
    double x = upper ? cos(theta) : 1.0 - cos(theta);
    double y = upper ? sin(theta) : 0.5 - sin(theta);
    out[2 * i] = x + (noise > 0.0 ? gsl_ran_gaussian(rng, noise) : 0.0);
    out[2 * i + 1] = y + (noise > 0.0 ? gsl_ran_gaussian(rng, noise) : 0.0);
  }
  return CORE_OK;
}

#define MOONS_NODES 400

core_status gen_toy_moons_log_density(size_t n, double noise, const double *x, double *logp) {
  if (!(noise > 0.0) || !isfinite(noise))
    return CORE_FAIL(CORE_ERR_INVALID, "moons density: noise must be finite and > 0, got %g",
                     noise);
  gsl_integration_glfixed_table *table = gsl_integration_glfixed_table_alloc(MOONS_NODES);
  if (!table)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for a quadrature table");
  double c[MOONS_NODES], s[MOONS_NODES], wt[MOONS_NODES];
  for (size_t k = 0; k < MOONS_NODES; k++) {
    double theta;
    gsl_integration_glfixed_point(0.0, M_PI, k, &theta, &wt[k], table);
    c[k] = cos(theta);
    s[k] = sin(theta);
  }
  gsl_integration_glfixed_table_free(table);
  double s2 = noise * noise;
  for (size_t i = 0; i < n; i++) {
    double sum = 0.0, px = x[2 * i], py = x[2 * i + 1];
    for (size_t k = 0; k < MOONS_NODES; k++) {
      double up = (px - c[k]) * (px - c[k]) + (py - s[k]) * (py - s[k]);
      double lo = (px - 1.0 + c[k]) * (px - 1.0 + c[k]) + (py - 0.5 + s[k]) * (py - 0.5 + s[k]);
      sum += wt[k] * (exp(-0.5 * up / s2) + exp(-0.5 * lo / s2));
    }
    /* (1/2) Σ_moons (1/π) ∫ N dθ with N = exp(-d²/2σ²) / (2πσ²). */
    logp[i] = log(sum) - log(2.0 * M_PI) - log(2.0 * M_PI * s2);
  }
  return CORE_OK;
}

core_status gen_toy_circles(size_t n, double noise, double factor, gsl_rng *rng, double *out) {
  if (!(noise >= 0.0) || !isfinite(noise))
    return CORE_FAIL(CORE_ERR_INVALID, "circles: noise must be finite and >= 0, got %g", noise);
  if (!(factor > 0.0 && factor < 1.0))
    return CORE_FAIL(CORE_ERR_INVALID, "circles: factor must lie in (0, 1), got %g", factor);
  for (size_t i = 0; i < n; i++) {
    double theta = 2.0 * M_PI * gsl_rng_uniform(rng);
    double radius = gsl_rng_uniform(rng) < 0.5 ? 1.0 : factor;
    out[2 * i] = radius * cos(theta) + (noise > 0.0 ? gsl_ran_gaussian(rng, noise) : 0.0);
    out[2 * i + 1] = radius * sin(theta) + (noise > 0.0 ? gsl_ran_gaussian(rng, noise) : 0.0);
  }
  return CORE_OK;
}

core_status gen_toy_circles_log_density(size_t n, double noise, double factor, const double *x,
                                        double *logp) {
  if (!(noise > 0.0) || !isfinite(noise) || !(factor > 0.0 && factor < 1.0))
    return CORE_FAIL(CORE_ERR_INVALID, "circles density: noise %g must be > 0, factor %g in (0, 1)",
                     noise, factor);
  double s2 = noise * noise, radii[2] = {1.0, factor};
  for (size_t i = 0; i < n; i++) {
    double rho = hypot(x[2 * i], x[2 * i + 1]), terms[2];
    for (int k = 0; k < 2; k++) {
      double r = radii[k], t = rho * r / s2;
      terms[k] = -0.5 * (rho - r) * (rho - r) / s2 + log(gsl_sf_bessel_I0_scaled(t));
    }
    double m = fmax(terms[0], terms[1]);
    logp[i] = m + log(0.5 * (exp(terms[0] - m) + exp(terms[1] - m))) - log(2.0 * M_PI * s2);
  }
  return CORE_OK;
}

static core_status check_mixture(const gen_toy_mixture *mix, double *total) {
  if (mix->dim < 1 || mix->n_components < 1)
    return CORE_FAIL(CORE_ERR_INVALID, "mixture: need dim >= 1 and >= 1 component (got %d, %d)",
                     mix->dim, mix->n_components);
  *total = 0.0;
  for (int k = 0; k < mix->n_components; k++) {
    if (!(mix->weights[k] >= 0.0) || !(mix->sds[k] > 0.0) || !isfinite(mix->sds[k]))
      return CORE_FAIL(CORE_ERR_INVALID, "mixture: component %d has weight %g, sd %g", k,
                       mix->weights[k], mix->sds[k]);
    *total += mix->weights[k];
  }
  if (!(*total > 0.0) || !isfinite(*total))
    return CORE_FAIL(CORE_ERR_INVALID, "mixture: weights sum to %g", *total);
  return CORE_OK;
}

core_status gen_toy_mixture_sample(const gen_toy_mixture *mix, size_t n, gsl_rng *rng,
                                   double *out) {
  double total;
  CORE_TRY(check_mixture(mix, &total));
  int d = mix->dim;
  for (size_t i = 0; i < n; i++) {
    /* Inverse-CDF choice of the component; the last one absorbs rounding. */
    double u = gsl_rng_uniform(rng) * total, acc = 0.0;
    int k = 0;
    for (; k < mix->n_components - 1; k++) {
      acc += mix->weights[k];
      if (u < acc)
        break;
    }
    for (int j = 0; j < d; j++)
      out[i * (size_t)d + (size_t)j] =
          mix->means[(size_t)k * (size_t)d + (size_t)j] + gsl_ran_gaussian(rng, mix->sds[k]);
  }
  return CORE_OK;
}

core_status gen_toy_mixture_log_density(const gen_toy_mixture *mix, size_t n, const double *x,
                                        double *logp) {
  double total;
  CORE_TRY(check_mixture(mix, &total));
  int d = mix->dim;
  for (size_t i = 0; i < n; i++) {
    const double *xi = x + i * (size_t)d;
    double best = -INFINITY, sum = 0.0;
    /* Two passes for a stable log-sum-exp: first the maximum exponent, then the sum. */
    for (int pass = 0; pass < 2; pass++) {
      for (int k = 0; k < mix->n_components; k++) {
        if (mix->weights[k] == 0.0)
          continue;
        double s2 = mix->sds[k] * mix->sds[k], r2 = 0.0;
        for (int j = 0; j < d; j++) {
          double diff = xi[j] - mix->means[(size_t)k * (size_t)d + (size_t)j];
          r2 += diff * diff;
        }
        double lk = log(mix->weights[k] / total) - 0.5 * d * log(2.0 * M_PI * s2) - 0.5 * r2 / s2;
        if (pass == 0)
          best = lk > best ? lk : best;
        else
          sum += exp(lk - best);
      }
    }
    logp[i] = best + log(sum);
  }
  return CORE_OK;
}

void gen_toy_eight_gaussians_init(gen_toy_eight_gaussians *eg) {
  double radius = 4.0 / M_SQRT2;
  for (int k = 0; k < 8; k++) {
    double angle = 2.0 * M_PI * k / 8.0;
    eg->weights[k] = 1.0 / 8.0;
    eg->means[2 * k] = radius * cos(angle);
    eg->means[2 * k + 1] = radius * sin(angle);
    eg->sds[k] = 0.5 / M_SQRT2;
  }
  eg->mix = (gen_toy_mixture){
      .dim = 2, .n_components = 8, .weights = eg->weights, .means = eg->means, .sds = eg->sds};
}
