/* Dense multilayer perceptron with Taylor-mode input derivatives ("jets").
 *
 * Layout (llm.c style): one `params` block and one `grads` block; dense layer l maps
 * widths[l] -> widths[l+1] with W_l (widths[l+1] x widths[l], row-major) followed by b_l.
 * Hidden layers apply the activation; the output layer is linear.
 *
 * Jets: besides the value, the forward pass propagates the partial derivatives a caller asks
 * for (first order, and second order including mixed) with respect to chosen inputs. Each is a
 * "stream"; stream order is fixed: 0 = value, then the first partials in spec order, then the
 * second partials in spec order. All streams of a layer go through one cblas_dgemm. */
#ifndef PINNSOLVE_NN_MLP_H
#define PINNSOLVE_NN_MLP_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "core/status.h"

#define NN_MAX_INPUTS 16
#define NN_MAX_SECOND 136 /* every pair (a <= b) of 16 inputs */
#define NN_MAX_LAYERS 16

typedef enum nn_activation { NN_ACT_TANH, NN_ACT_SIN, NN_ACT_ELU } nn_activation;

typedef struct nn_mlp {
  int n_layers;                      /* dense layers (hidden layers + 1) */
  int widths[NN_MAX_LAYERS + 1];     /* input, hidden..., output */
  nn_activation activation;
  size_t n_params;
  double *params;                    /* owned */
  double *grads;                     /* owned, same layout as params */
  size_t weight_offset[NN_MAX_LAYERS];
  size_t bias_offset[NN_MAX_LAYERS];
} nn_mlp;

/* Which partials to propagate. first[k] is an input index; second[k] = {a, b} with a <= b, and
 * both a and b must also appear in first (the second-order recurrence needs them). */
typedef struct nn_jet_spec {
  int n_first;
  int first[NN_MAX_INPUTS];
  int n_second;
  int second[NN_MAX_SECOND][2];
} nn_jet_spec;

/* Number of streams: 1 + n_first + n_second. */
int nn_jet_spec_streams(const nn_jet_spec *spec);
/* Stream index of d/dx_input (or -1 if absent), of d2/dx_a dx_b (order of a, b irrelevant; -1 if absent). */
int nn_jet_spec_first_stream(const nn_jet_spec *spec, int input);
int nn_jet_spec_second_stream(const nn_jet_spec *spec, int a, int b);
/* Checks indices against in_dim and the "second needs first" rule. */
core_status nn_jet_spec_validate(const nn_jet_spec *spec, int in_dim);

/* widths: n_hidden + 2 entries (input, hidden..., output). Parameters are zero until initialised. */
core_status nn_mlp_create(nn_mlp **out, int n_hidden_plus_2, const int *widths, nn_activation act);
void nn_mlp_destroy(nn_mlp *mlp); /* NULL is a no-op */

/* Glorot-uniform weights, zero biases. */
void nn_mlp_init_glorot(nn_mlp *mlp, gsl_rng *rng);
/* Sets the output layer's weights and biases to zero (identity-initialised flows). */
void nn_mlp_zero_output_layer(nn_mlp *mlp);
void nn_mlp_zero_grads(nn_mlp *mlp);

/* Workspace for jets of `spec` on up to max_points points; allocated once, reused every step. */
typedef struct nn_jet_workspace nn_jet_workspace;
core_status nn_jet_workspace_create(nn_jet_workspace **out, const nn_mlp *mlp,
                                    const nn_jet_spec *spec, size_t max_points);
/* As nn_jet_workspace_create, for nn_mlp_forward_jets: the indices of `spec` name the original
 * inputs (0..spec_inputs-1) of which the network's inputs are functions, not network inputs. */
core_status nn_jet_workspace_create_for_input_jets(nn_jet_workspace **out, const nn_mlp *mlp,
                                                   const nn_jet_spec *spec, int spec_inputs,
                                                   size_t max_points);
void nn_jet_workspace_destroy(nn_jet_workspace *ws);
const nn_jet_spec *nn_jet_workspace_spec(const nn_jet_workspace *ws);

/* Forward pass. x: (n, in_dim) row-major, borrowed, n <= max_points.
 * *out points into the workspace: (streams, n, out_dim) row-major, valid until the next forward.
 * The workspace keeps what the backward pass needs. */
core_status nn_mlp_forward(const nn_mlp *mlp, nn_jet_workspace *ws, const double *x, size_t n,
                           const double **out);

/* Forward pass from input jets: the network's inputs are features phi(x) of original inputs x
 * (e.g. cos(pi x), sin(pi x), t for exact periodicity) and the caller supplies their jets for the
 * workspace's spec. in_jets: (streams, n, in_dim) row-major with in_dim = widths[0], entry
 * (s, p, i) = stream s (value, d/dx_a, d2/dx_a dx_b) of feature i at point p; borrowed, and it must
 * stay unchanged until the backward pass of this forward (the first-layer weight gradient reads
 * it). The first layer is linear, so its pre-activation jets are W times the feature jets, every
 * stream (the bias on the value stream only). *out as for nn_mlp_forward. */
core_status nn_mlp_forward_jets(const nn_mlp *mlp, nn_jet_workspace *ws, const double *in_jets,
                                size_t n, const double **out);

/* Reverse pass of the last forward on this workspace.
 * out_adjoint: (streams, n, out_dim) = dL/d(out), borrowed.
 * ADDS dL/dparams into mlp->grads (call nn_mlp_zero_grads first).
 * x_adjoint: NULL, or (n, in_dim) to receive dL/dx (the derivative streams do not depend on x
 * at the input layer, so this is the value stream's input adjoint). After nn_mlp_forward_jets:
 * NULL, or (streams, n, in_dim) to receive dL/d(in_jets), every stream. */
core_status nn_mlp_backward(nn_mlp *mlp, nn_jet_workspace *ws, const double *out_adjoint,
                            double *x_adjoint);

#endif
