/* Every sampler type, one exported type object each; pass its address to gen_sampler_create
 * (&gen_sampler_uniform). gen/registry.c lists them for lookup by name. The objects themselves
 * (not pointers to them) are exported so the registry can be a constant table.
 * Adding a type: one extern line here (in the block for its file) and one line in registry.c. */
#ifndef PINNSOLVE_GEN_SAMPLERS_H
#define PINNSOLVE_GEN_SAMPLERS_H

#include "gen/sampler.h"

/* ---- model-free (gen/uniform.c, gen/sobol.c) ---- */
extern const gen_sampler_type gen_sampler_uniform; /* "uniform": i.i.d. uniform on the box */
extern const gen_sampler_type gen_sampler_sobol;   /* "sobol": scaled Sobol sequence */
extern const gen_sampler_type gen_sampler_lhs;     /* "lhs": Latin hypercube (gen/latin_hypercube.c) */

/* log of the uniform density on the box at each point: -log(volume) inside (faces included),
 * -inf outside. points: (n, box->dim) borrowed; logp: (n) written. CORE_ERR_NUMERIC for a
 * non-finite coordinate. Shared by uniform, sobol and any model with a uniform base. */
core_status gen_box_log_uniform(const gen_box *box, size_t n, const double *points, double *logp);

/* ---- residual-based adaptive distribution (gen/rad.c) ----
 * "rad" (Wu et al. 2023, RAD). Contract: RAD is not a density model; it reweights a candidate
 * pool that the CALLER draws and scores.
 *   1. the caller draws a uniform pool of options->pool_size points (e.g. with "uniform"),
 *   2. computes the residual r on every pool point,
 *   3. calls fit(pool, |r|): the sampler copies the pool and forms
 *        p_i ∝ |r_i|^k / mean(|r|^k) + c   (k = weight_power, c = weight_offset),
 *   4. sample(n) returns n DISTINCT pool points drawn without replacement with probabilities p
 *      (successive sampling: each next point is drawn ∝ p among those not yet taken).
 * n larger than the fitted pool (or than the number of points with p > 0) is CORE_ERR_INVALID.
 * Before the first fit, sample is i.i.d. uniform on the box. fit with weights NULL means equal
 * weights. A failed fit (non-finite or negative weight) keeps the previous state. No density. */
extern const gen_sampler_type gen_sampler_rad;

/* ---- normalizing flows ---- */
extern const gen_sampler_type gen_sampler_realnvp; /* "realnvp": affine couplings */
extern const gen_sampler_type gen_sampler_spline;  /* "spline": RQ-spline couplings */

/* ---- flow matching ---- */
extern const gen_sampler_type gen_sampler_fm; /* "fm": flow matching; extras in gen/flow_matching.h */

#endif
