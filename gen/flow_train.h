/* Weighted maximum-likelihood training of a coupling flow with minibatch Adam.
 *
 * Objective: the weighted mean negative log-likelihood  Σ w_i (-log q(u_i)) / Σ w_i  over the
 * training part of the points. Minibatches are drawn with replacement with probability ∝ w_i
 * (one alias table per fit), which gives an unbiased gradient of that objective with the plain
 * batch mean; without weights every epoch is a shuffled pass. A random held-out part (a fraction
 * of the points, drawn anew each fit) is scored after every epoch with the same weights; the
 * parameters with the best held-out score are kept at the end (the starting parameters count, so a
 * warm-started refit never ends worse on its held-out set than where it started).
 *
 * The flow works in its own coordinates u; a caller whose data x reach u through a fixed map
 * passes offset_i = ln|det ∂u/∂x| at each point so that reported NLLs are those of x. */
#ifndef PINNSOLVE_GEN_FLOW_TRAIN_H
#define PINNSOLVE_GEN_FLOW_TRAIN_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "core/status.h"
#include "gen/coupling_flow.h"
#include "nn/adam.h"

typedef enum gen_flow_base {
  GEN_FLOW_BASE_GAUSSIAN, /* N(0, I_d) */
  GEN_FLOW_BASE_UNIFORM, /* U[0, 1]^d (log density 0 inside) */
  GEN_FLOW_BASE_LOGIT_NORMAL /* on (0, 1)^d, logit(z_j) ~ N(0, 1) independently: a density on
                              * the unit cube that peaks at its centre (a spline flow that starts
                              * there proposes points near the centre before any fit) */
} gen_flow_base;

typedef struct gen_flow_train_options {
  int epochs; /* >= 1 */
  double learning_rate; /* > 0, at the start of every fit */
  double lr_decay; /* (0, 1]: exponential decay reaching learning_rate·lr_decay at the
                              last step of every fit */
  double holdout_fraction; /* in [0, 0.9]; 0 = no held-out set, the last parameters are kept */
} gen_flow_train_options;

typedef struct gen_flow_fit_report {
  size_t n_train, n_holdout;
  int best_epoch; /* 0 = the starting parameters were best */
  double start_holdout_nll, best_holdout_nll; /* NaN without a held-out set */
  double last_train_nll; /* mean minibatch NLL of the last epoch */
} gen_flow_fit_report;

/* log p_base(z) for each row: z (n, dim), out (n). The logit-normal base clamps z_j to
 * [1e-12, 1 - 1e-12] so points on the cube's faces get a finite (very low) density. */
void gen_flow_base_log_density(gen_flow_base base, int dim, size_t n, const double *z, double *out);

/* z_bar = (-∂ log p_base / ∂z) / batch for each entry of z (n, dim): what the backward pass of a
 * batch-mean NLL feeds the flow. */
void gen_flow_base_nll_gradient(gen_flow_base base, int dim, size_t n, const double *z,
                                size_t batch, double *z_bar);

/* The trainer borrows the flow (batch size = the flow's max_points) and owns one Adam per layer,
 * recreated every fit (the decay schedule spans the fit). */
typedef struct gen_flow_trainer gen_flow_trainer;
core_status gen_flow_trainer_create(gen_flow_trainer **out, gen_coupling_flow *flow,
                                    gen_flow_base base, const gen_flow_train_options *o);
void gen_flow_trainer_destroy(gen_flow_trainer *t);

/* u: (n, dim) in flow coordinates, borrowed. weights: (n) >= 0 with a positive sum, or NULL.
 * offset: (n) or NULL (zeros). report: NULL or filled. Adam moments restart every fit; the
 * parameters continue from where the previous fit left them. */
core_status gen_flow_trainer_fit(gen_flow_trainer *t, size_t n, const double *u,
                                 const double *weights, const double *offset, gsl_rng *rng,
                                 gen_flow_fit_report *report);

/* Weighted mean NLL Σ w_i (-(log q(u_i) + offset_i)) / Σ w_i (weights/offset may be NULL). */
core_status gen_flow_weighted_nll(gen_coupling_flow *flow, gen_flow_base base, size_t n,
                                  const double *u, const double *weights, const double *offset,
                                  double *nll);

#endif
