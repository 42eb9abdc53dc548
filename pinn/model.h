/* A PINN: a network N composed with a problem's hard-constraint ansatz u = g + l N.
 *
 * The model owns the collocation points it trains on and caches the ansatz jets g, l there
 * (they depend on the points only), so a training step is: forward jets, compose, residual,
 * loss = mean r^2, reverse pass. When the problem type declares input features (pde/problem.h), the
 * network sees their jets phi(x) instead of x (nn_mlp_forward_jets), cached like g and l.
 * Residuals and predictions at other points go through a
 * separate chunked workspace and never disturb the training cache. */
#ifndef PINNSOLVE_PINN_MODEL_H
#define PINNSOLVE_PINN_MODEL_H

#include <stddef.h>

#include "core/status.h"
#include "nn/mlp.h"
#include "pde/problem.h"

/* Points per pass through the network. The residual and dL/dr of a point depend on that point
 * alone, so a training step runs chunk by chunk (forward, residual, reverse pass, accumulate
 * dL/dW) and every layer's activations stay in cache (128 was fastest of 128..1024 measured);
 * each dgemm still has streams * 128 columns. */
#define PINN_MODEL_CHUNK 128

typedef struct pinn_model pinn_model;

/* Input width the network must have for a problem type: its n_features when it declares input
 * features, else its dim. */
int pinn_model_network_inputs(const pde_problem_type *type);

/* net: borrowed, input width pinn_model_network_inputs(type), output 1. max_points: largest
 * training set. */
core_status pinn_model_create(pinn_model **out, const pde_problem *problem, nn_mlp *net, size_t max_points);
void pinn_model_destroy(pinn_model *m);

/* Replaces the training points; x: (n, dim), copied. */
core_status pinn_model_set_points(pinn_model *m, size_t n, const double *x);
size_t pinn_model_point_count(const pinn_model *m);
const double *pinn_model_points(const pinn_model *m); /* (n, dim) */

/* Loss mean(r^2) on the training points; its gradient is written into net->grads (overwritten). */
core_status pinn_model_loss_and_gradient(pinn_model *m, double *loss);
/* Residuals r of the last loss_and_gradient on the training points (n), borrowed. */
const double *pinn_model_last_residuals(const pinn_model *m);

/* r at arbitrary points x (n, dim) into r (n). */
core_status pinn_model_residuals(pinn_model *m, size_t n, const double *x, double *r);
/* u at x (n, dim) into u (n). */
core_status pinn_model_predict(pinn_model *m, size_t n, const double *x, double *u);

#endif
