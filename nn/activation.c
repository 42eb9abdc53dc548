#include "nn/activation.h"

#include <math.h>

/* tanh(z) = sign(z) e / (e + 2) with e = expm1(2|z|), vectorisable (libm's tanh is a call per
 * element and cost 14% of a training step). 2|z| = k ln2 + r with |r| <= ln2/2 (Cody-Waite split
 * of ln2), expm1(r) by its Taylor series to r^13 (remainder below 2e-17 relative), and
 * e = 2^k (1 + expm1(r)) - 1. Within 4 ulp of libm's tanh (tests/test_activation.c). */
static inline double tanh_vectorisable(double z) {
  const double ln2_hi = 0x1.62e42fefa39efp-1, ln2_lo = 0x1.abc9e3b39803fp-56;
  const double shifter = 0x1.8p52; /* adding and subtracting it rounds to an integer */
  double a = fabs(z);
  a = a > 20.0 ? 20.0 : a; /* tanh(20) rounds to 1; a NaN passes through (fmin would not vectorise) */
  double x = 2.0 * a;
  double kf = (x * 0x1.71547652b82fep0 + shifter) - shifter;
  double r = (x - kf * ln2_hi) - kf * ln2_lo;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r * r + r; /* expm1(r) */
  int k = (int)kf;   /* 0 <= k <= 58: 2^k as a product of exact powers, one per bit of k */
  double two_k = ((k & 1) ? 2.0 : 1.0) * ((k & 2) ? 4.0 : 1.0) * ((k & 4) ? 16.0 : 1.0) *
                 ((k & 8) ? 256.0 : 1.0) * ((k & 16) ? 65536.0 : 1.0) * ((k & 32) ? 0x1p32 : 1.0);
  double e = two_k * p + (two_k - 1.0);
  return copysign(e / (e + 2.0), z);
}

double nn_tanh(double z) { return tanh_vectorisable(z); }

void nn_activation_row(nn_activation act, int w, const double *z, double *y) {
  switch (act) {
  case NN_ACT_TANH:
    for (int j = 0; j < w; j++)
      y[j] = tanh_vectorisable(z[j]);
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
