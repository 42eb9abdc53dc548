#include "nn/activation.h"

#include <math.h>

void nn_activation_row(nn_activation act, int w, const double *z, double *y) {
  switch (act) {
  case NN_ACT_TANH:
    for (int j = 0; j < w; j++)
      y[j] = tanh(z[j]);
    return;
  case NN_ACT_SIN:
    for (int j = 0; j < w; j++)
      y[j] = sin(z[j]);
    return;
  case NN_ACT_ELU:
    for (int j = 0; j < w; j++)
      y[j] = z[j] > 0 ? z[j] : expm1(z[j]);
    return;
  }
}

/* tanh: σ' = 1 - y², σ'' = -2yσ', σ''' = -2σ'² + 4y²σ' (y = tanh z). */
static void tanh_derivatives(int w, const double *y, double *d1, double *d2, double *d3) {
  for (int j = 0; j < w; j++) {
    d1[j] = 1.0 - y[j] * y[j];
    d2[j] = -2.0 * y[j] * d1[j];
  }
  if (d3)
    for (int j = 0; j < w; j++)
      d3[j] = -2.0 * d1[j] * d1[j] + 4.0 * y[j] * y[j] * d1[j];
}

/* sin: σ' = cos z, σ'' = -sin z, σ''' = -cos z. */
static void sin_derivatives(int w, const double *z, const double *y, double *d1, double *d2, double *d3) {
  for (int j = 0; j < w; j++) {
    d1[j] = cos(z[j]);
    d2[j] = -y[j];
  }
  if (d3)
    for (int j = 0; j < w; j++)
      d3[j] = -d1[j];
}

/* ELU: for z > 0 the derivatives are 1, 0, 0; otherwise all equal e^z = y + 1. */
static void elu_derivatives(int w, const double *z, const double *y, double *d1, double *d2, double *d3) {
  for (int j = 0; j < w; j++) {
    double e = y[j] + 1.0;
    d1[j] = z[j] > 0 ? 1.0 : e;
    d2[j] = z[j] > 0 ? 0.0 : e;
  }
  if (d3)
    for (int j = 0; j < w; j++)
      d3[j] = d2[j];
}

void nn_activation_row_derivatives(nn_activation act, int w, const double *z, const double *y,
                                   double *d1, double *d2, double *d3) {
  switch (act) {
  case NN_ACT_TANH: tanh_derivatives(w, y, d1, d2, d3); return;
  case NN_ACT_SIN: sin_derivatives(w, z, y, d1, d2, d3); return;
  case NN_ACT_ELU: elu_derivatives(w, z, y, d1, d2, d3); return;
  }
}
