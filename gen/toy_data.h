/* Two-dimensional toy densities for testing density models (flows, flow matching).
 *
 * All draws are i.i.d. (random component and random angle per point), so a held-out set drawn
 * with the same call is a fresh sample of the same density. out: (n, 2) or (n, dim) row-major,
 * caller-owned. */
#ifndef PINNSOLVE_GEN_TOY_DATA_H
#define PINNSOLVE_GEN_TOY_DATA_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "core/status.h"

/* Two interleaved half circles: with probability 1/2 the upper moon (cos θ, sin θ), else the lower
 * moon (1 - cos θ, 1/2 - sin θ), θ ~ U(0, π), plus N(0, noise² I). For noise = 0.1 the entropy
 * of this density is 1.007 nats (shared/REFERENCES.md §3). noise >= 0. */
core_status gen_toy_moons(size_t n, double noise, gsl_rng *rng, double *out);

/* Exact log-density of gen_toy_moons for noise > 0: the average over θ of N(x; c(θ), noise² I)
 * by 400-node Gauss-Legendre quadrature on [0, π] per moon (the integrand varies on the scale
 * noise/1 in θ; 400 nodes resolve noise >= 0.02 to rounding). x: (n, 2), logp: (n). */
core_status gen_toy_moons_log_density(size_t n, double noise, const double *x, double *logp);

/* Two concentric circles: radius 1 or `factor` (0 < factor < 1) with probability 1/2 each,
 * angle ~ U(0, 2π), plus N(0, noise² I). */
core_status gen_toy_circles(size_t n, double noise, double factor, gsl_rng *rng, double *out);

/* Exact log-density of gen_toy_circles for noise > 0. The angular average is closed-form:
 * (1/2π)∫ N(x; r(cos φ, sin φ), σ² I) dφ = exp(-(ρ - r)²/(2σ²)) · e^{-ρr/σ²} I0(ρr/σ²) / (2πσ²),
 * with the scaled Bessel function e^{-t} I0(t) (gsl_sf_bessel_I0_scaled). x: (n, 2), logp: (n). */
core_status gen_toy_circles_log_density(size_t n, double noise, double factor, const double *x,
                                        double *logp);

/* Isotropic Gaussian mixture in `dim` dimensions: component k with probability weights[k]
 * (normalised here, need not sum to 1), mean means[k*dim .. k*dim+dim-1], standard deviation
 * sds[k].
 * weights (k), means (k, dim), sds (k): borrowed. */
typedef struct gen_toy_mixture {
  int dim;
  int n_components;
  const double *weights;
  const double *means;
  const double *sds;
} gen_toy_mixture;

core_status gen_toy_mixture_sample(const gen_toy_mixture *mix, size_t n, gsl_rng *rng, double *out);
/* Exact log-density (log-sum-exp over components). x: (n, dim), logp: (n). */
core_status gen_toy_mixture_log_density(const gen_toy_mixture *mix, size_t n, const double *x,
                                        double *logp);

/* The "8 Gaussians" target (shared/REFERENCES.md §3): equal weights, centres at radius 4/√2 and
 * angles 2πk/8 (k = 0..7), standard deviation 0.5/√2, in 2-D. Storage for means/weights/sds lives
 * in the struct so the returned mixture is self-contained; keep it alive while using `mix`. */
typedef struct gen_toy_eight_gaussians {
  double weights[8];
  double means[16];
  double sds[8];
  gen_toy_mixture mix;
} gen_toy_eight_gaussians;

void gen_toy_eight_gaussians_init(gen_toy_eight_gaussians *eg);

#endif
