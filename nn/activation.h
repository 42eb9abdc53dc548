/* Activation functions and their derivatives, one row of a layer at a time.
 * Row functions keep the switch over the activation outside the loops, so each loop is plain
 * arithmetic the compiler vectorises. */
#ifndef PINNSOLVE_NN_ACTIVATION_H
#define PINNSOLVE_NN_ACTIVATION_H

#include "nn/mlp.h"

/* The tanh the network uses (within 4 ulp of libm's, vectorisable); exposed for tests. */
double nn_tanh(double z);

/* y[j] = σ(z[j]) for j < w. */
void nn_activation_row(nn_activation act, int w, const double *z, double *y);

/* σ'(z), σ''(z) and, when d3 is not NULL, σ'''(z) for j < w, given y = σ(z). */
void nn_activation_row_derivatives(nn_activation act, int w, const double *z, const double *y,
                                   double *d1, double *d2, double *d3);

#endif
