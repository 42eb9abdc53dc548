/* The machinery shared by the coupling-flow samplers "realnvp" (gen/realnvp.c) and "spline"
 * (gen/spline_flow.c): a coupling flow living in its own coordinates, a fixed map between the box
 * and those coordinates, a base density, and weighted maximum-likelihood refits.
 *
 * Box maps (x in the box, v = (x - lower) / (upper - lower) in [0, 1]^d):
 *   logit:  u = logit(v) in R^d with v clipped to [ε, 1-ε], ε = 1e-9, for a Gaussian base.
 *           ln|det ∂u/∂x| = Σ_j [-ln(upper_j - lower_j) - ln v_j - ln(1 - v_j)].
 *           Samples map back through the logistic function, so they land in the closed box.
 *   affine: u = v in [0, 1]^d, for flows that keep [0, 1]^d (splines) with a uniform base.
 *           ln|det ∂u/∂x| = -Σ_j ln(upper_j - lower_j).
 * log q(x) = log p_base(z) + ln|det ∂z/∂u| + ln|det ∂u/∂x|; -inf outside the box.
 *
 * fit(points, weights) is a weighted maximum-likelihood fit (gen/flow_train.h) on the points as
 * given: weights are relative probabilities (w_i / Σ w), no bootstrap resample, so there are
 * no exact duplicates to collapse on; held-out early stopping guards against over-fitting single
 * heavy points. Every fit continues from the current parameters (warm start); Adam moments restart.
 * Points outside the box are rejected (CORE_ERR_INVALID). */
#ifndef PINNSOLVE_GEN_FLOW_SAMPLER_H
#define PINNSOLVE_GEN_FLOW_SAMPLER_H

#include "gen/base_sequence.h"
#include "gen/coupling_flow.h"
#include "gen/flow_train.h"
#include "gen/sampler.h"

typedef enum gen_box_map { GEN_BOX_MAP_LOGIT, GEN_BOX_MAP_AFFINE } gen_box_map;

typedef struct gen_flow_sampler_state {
  gen_box box;
  gen_box_map map;
  gen_flow_base base;
  gen_base_sequence sequence; /* base draws of sample(): random or shifted Sobol */
  gen_coupling_flow *flow;
  gen_flow_trainer *trainer;
  double *chunk_u; /* (max_points, dim) */
  double *chunk_logdet, *chunk_offset, *chunk_base; /* (max_points) */
  unsigned char *chunk_inside; /* (max_points) */
  int n_fits;
  gen_flow_fit_report last;
} gen_flow_sampler_state;

/* The sampler-type entry points (state is a gen_flow_sampler_state). */
core_status gen_flow_sampler_init(gen_flow_sampler_state *st, const gen_box *box, gen_box_map map,
                                  gen_flow_base base, gen_base_sequence sequence,
                                  const gen_coupling_options *flow_options,
                                  const gen_flow_train_options *train_options, gsl_rng *rng);
core_status gen_flow_sampler_fit(void *state, size_t n, const double *points, const double *weights,
                                 gsl_rng *rng);
core_status gen_flow_sampler_sample(void *state, size_t n, double *points, gsl_rng *rng);
core_status gen_flow_sampler_log_density(void *state, size_t n, const double *points, double *logp);
void gen_flow_sampler_destroy(void *state);

/* For a sampler of type "realnvp" or "spline" (CORE_ERR_INVALID otherwise): the report of its last
 * fit (CORE_ERR_INVALID before the first fit), and its flow (tests set random parameters). */
core_status gen_flow_sampler_last_report(const gen_sampler *s, gen_flow_fit_report *report);
core_status gen_flow_sampler_flow(gen_sampler *s, gen_coupling_flow **flow);

#endif
