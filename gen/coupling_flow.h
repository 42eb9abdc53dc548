/* Coupling normalizing flow on R^d or [0,1]^d: a stack of coupling layers, each transforming one
 * part B of the coordinates elementwise with parameters produced by a tanh MLP ("conditioner")
 * from the other part A (Dinh et al. 2017, RealNVP §3.3; Durkan et al. 2019, §3).
 *
 * Direction: forward maps data u -> base z (the density direction); inverse maps z -> u (sampling).
 * log q(u) = log p_base(z) + Σ_layers Σ_{j in B} ln |∂z_j/∂u_j|.
 *
 * Elementwise transforms:
 *   affine (RealNVP): z = u e^s + t with s = b tanh(ŝ / b) (smooth bound b = 2 instead of a clip,
 *                     so gradients exist everywhere), conditioner output (ŝ, t) per coordinate.
 *   spline:           monotone rational-quadratic spline on [0, 1] (gen/rq_spline.h), conditioner
 *                     output 3K+1 numbers per coordinate; maps [0,1] onto [0,1].
 * Partitions: layer l conditions on A_l = {(l⌈d/2⌉ + j) mod d : j < ⌊d/2⌋} and transforms the
 * rest, so consecutive layers alternate halves and for odd d every pair of coordinates is
 * eventually transformed given the other. d = 1: A is empty and the conditioner sees the constant
 * 0, which makes each layer a learned bias-only transform.
 * The output layer of every conditioner is zero-initialised: the flow starts as the identity. */
#ifndef PINNSOLVE_GEN_COUPLING_FLOW_H
#define PINNSOLVE_GEN_COUPLING_FLOW_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "core/status.h"
#include "gen/rq_spline.h"
#include "nn/mlp.h"

#define GEN_COUPLING_MAX_LAYERS 32
#define GEN_COUPLING_MAX_DIM 16

typedef enum gen_coupling_kind { GEN_COUPLING_AFFINE, GEN_COUPLING_SPLINE } gen_coupling_kind;

typedef struct gen_coupling_options {
  gen_coupling_kind kind;
  int dim; /* 1..GEN_COUPLING_MAX_DIM */
  int n_layers; /* 1..GEN_COUPLING_MAX_LAYERS */
  int hidden_width; /* conditioner hidden width >= 1 */
  int hidden_depth; /* conditioner hidden layers, 1..NN_MAX_LAYERS-1 */
  double scale_bound; /* affine: bound b on |s|, > 0 */
  gen_rq_config spline;
  size_t max_points; /* points per internal chunk and per training batch, >= 1 */
} gen_coupling_options;

typedef struct gen_coupling_flow gen_coupling_flow;

/* Conditioners get Glorot hidden layers (rng) and zero output layers (identity flow). */
core_status gen_coupling_flow_create(gen_coupling_flow **out, const gen_coupling_options *o,
                                     gsl_rng *rng);
void gen_coupling_flow_destroy(gen_coupling_flow *f);
const gen_coupling_options *gen_coupling_flow_options(const gen_coupling_flow *f);

/* u -> z. u, z: (n, dim) row-major (may alias), logdet: (n) = ln|det ∂z/∂u|. Any n.
 * CORE_ERR_NUMERIC if an output is not finite. */
core_status gen_coupling_flow_forward(gen_coupling_flow *f, size_t n, const double *u, double *z,
                                      double *logdet);
/* z -> u. z, u: (n, dim) (may alias), logdet: (n) = ln|det ∂z/∂u| at the returned u. */
core_status gen_coupling_flow_inverse(gen_coupling_flow *f, size_t n, const double *z, double *u,
                                      double *logdet);

/* Training: forward on n <= max_points points keeping what the reverse pass needs.
 * *z points into the flow: (n, dim), valid until the next call. logdet: (n). */
core_status gen_coupling_flow_forward_keep(gen_coupling_flow *f, size_t n, const double *u,
                                           const double **z, double *logdet);
/* Reverse pass of the last forward_keep for L(z, logdet): z_bar (n, dim) = dL/dz and
 * l_bar (n) = dL/dlogdet, borrowed. ADDS dL/dparams into every conditioner's grads.
 * u_bar: NULL or (n, dim) to receive dL/du. */
core_status gen_coupling_flow_backward(gen_coupling_flow *f, const double *z_bar,
                                       const double *l_bar, double *u_bar);

/* Parameters live in one network per layer. */
int gen_coupling_flow_n_blocks(const gen_coupling_flow *f);
nn_mlp *gen_coupling_flow_block(gen_coupling_flow *f, int i);
size_t gen_coupling_flow_n_params(const gen_coupling_flow *f);
void gen_coupling_flow_zero_grads(gen_coupling_flow *f);
/* Copy all parameters to / from one flat vector of n_params entries (snapshots, tests). */
void gen_coupling_flow_get_params(const gen_coupling_flow *f, double *flat);
void gen_coupling_flow_set_params(gen_coupling_flow *f, const double *flat);

#endif
