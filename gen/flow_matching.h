/* Flow matching sampler "fm" (gen_sampler_fm, registered in gen/registry.c): extras beyond the
 * sampler interface, for the rounds log and for tests.
 *
 * Model: a velocity MLP v_θ(u, t) (ELU, input (u, t) with u in box-normalised coordinates
 * u = (x - c) / h ∈ [-1, 1]^d, c the box centre and h its half widths; output d) trained by
 * conditional flow matching on the linear path u_t = (1 - t) u0 + t u1 with target u1 - u0
 * (Lipman et al. 2023; Liu et al. 2023), u0 from the source (gen_fm_source), u1 from the data,
 * paired independently or by minibatch optimal transport (gen_fm_coupling, gen/options.h). */
#ifndef PINNSOLVE_GEN_FLOW_MATCHING_H
#define PINNSOLVE_GEN_FLOW_MATCHING_H

#include <stddef.h>

#include "core/status.h"
#include "gen/ode.h"
#include "gen/sampler.h"

typedef struct gen_fm_stats {
  long fits;                /* fit calls so far */
  double loss;              /* mean CFM loss (per batch element and dimension) over the last
                               10 % of the steps of the last fit */
  size_t sampled;           /* points produced by the last sample call */
  size_t out_of_box;        /* of those, points the flow carried outside the box (clamped or
                               reflected, per fm_box_policy) */
  size_t out_of_box_total;  /* over all sample calls */
  size_t source_outside;    /* last log_density call: points whose backward image left the
                               source support (uniform source only; their log-density is -inf) */
  gen_ode_stats sample_ode; /* last sample call, summed over chunks */
  gen_ode_stats density_ode;/* last log_density call, summed over chunks */
} gen_fm_stats;

/* Copies the statistics. CORE_ERR_INVALID when s is not an "fm" sampler. */
core_status gen_fm_get_stats(const gen_sampler *s, gen_fm_stats *out);

/* The learned velocity and (div != NULL) its exact divergence ∇_u·v from the network's
 * first-order jets, in normalised coordinates. u: (n, d) borrowed; v: (n, d); div: (n) or NULL.
 * Any n (processed in chunks). */
core_status gen_fm_velocity(gen_sampler *s, double t, size_t n, const double *u, double *v,
                            double *div);

#endif
