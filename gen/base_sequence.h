/* Base draws of the model samplers (realnvp, spline, fm): where a sampler's points start before
 * its flow carries them into the box.
 *
 *   random: independent pseudo-random draws (the model's own base generator);
 *   sobol:  a randomly shifted Sobol set (Cranley-Patterson rotation: point i is
 *           (s_i + U) mod 1 with one uniform shift U per call), a randomised quasi-Monte Carlo
 *           set. The flow is a smooth bijection, so a low-discrepancy base set becomes a
 *           well-spread sample of the fitted density: fewer clumps and gaps than independent
 *           draws of the same size, while each call still gives a fresh set (new shift) that is
 *           uniformly distributed point by point. */
#ifndef PINNSOLVE_GEN_BASE_SEQUENCE_H
#define PINNSOLVE_GEN_BASE_SEQUENCE_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "core/status.h"

typedef enum gen_base_sequence {
  GEN_BASE_RANDOM = 0, /* "random" */
  GEN_BASE_SOBOL       /* "sobol" */
} gen_base_sequence;

/* n points of a randomly shifted Sobol set in the open cube (0, 1)^dim into u (n, dim) row-major;
 * dim in 1..40 (gsl_qrng_sobol). Draws dim uniforms from rng for the shift. */
core_status gen_sobol_shifted(size_t n, int dim, double *u, gsl_rng *rng);

/* In place, u (n, dim) in (0, 1) to standard normal coordinates (inverse normal CDF). */
void gen_uniform_to_gaussian(size_t n, int dim, double *u);

#endif
