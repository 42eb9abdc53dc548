/* Monotone rational-quadratic spline on [0, 1] (Durkan et al. 2019, "Neural Spline Flows", §3.1,
 * eqs. 4-6 and the inverse of their appendix A.3).
 *
 * One spline is built from 3K+1 unnormalised numbers ("raw"), laid out as
 *   raw[0 .. K-1]      bin widths (softmax, then a minimum width: w = wmin + (1 - K wmin) softmax)
 *   raw[K .. 2K-1]     bin heights (same with hmin)
 *   raw[2K .. 3K]      knot derivatives d_0..d_K (d = dmin + softplus(raw + c), c chosen so that
 *                      raw = 0 gives d = 1)
 * All-zero raw numbers give uniform bins with unit derivatives, which is exactly the identity.
 *
 * Inputs are clamped to [0, 1] before evaluation and outputs are clamped to [0, 1]: callers keep
 * their points inside, the clamps only absorb rounding at the interval ends. */
#ifndef PINNSOLVE_GEN_RQ_SPLINE_H
#define PINNSOLVE_GEN_RQ_SPLINE_H

#include "core/status.h"

#define GEN_RQ_MAX_BINS 64

typedef struct gen_rq_config {
  int n_bins; /* K, 1..GEN_RQ_MAX_BINS */
  double min_width; /* K * min_width < 1 */
  double min_height; /* K * min_height < 1 */
  double min_derivative; /* 0 < min_derivative < 1 */
} gen_rq_config;

/* K = 8, minimum bin width/height 1e-3, minimum derivative 1e-3. */
gen_rq_config gen_rq_default_config(void);
core_status gen_rq_config_validate(const gen_rq_config *c);
/* 3K + 1. */
int gen_rq_n_raw(const gen_rq_config *c);

/* A spline ready to evaluate: knots, bins, derivatives, and the softmax/sigmoid values the
 * reverse pass needs. Built on the stack per (point, dimension); no allocation. */
typedef struct gen_rq_knots {
  int n_bins;
  double x[GEN_RQ_MAX_BINS + 1]; /* x_0 = 0 < ... < x_K = 1 */
  double y[GEN_RQ_MAX_BINS + 1];
  double w[GEN_RQ_MAX_BINS], h[GEN_RQ_MAX_BINS];
  double d[GEN_RQ_MAX_BINS + 1];
  double softmax_w[GEN_RQ_MAX_BINS], softmax_h[GEN_RQ_MAX_BINS];
  double sigmoid_d[GEN_RQ_MAX_BINS + 1]; /* softplus' of each derivative's argument */
  double width_scale, height_scale; /* 1 - K wmin, 1 - K hmin */
} gen_rq_knots;

/* raw: (3K+1), borrowed. Non-finite raw numbers give non-finite knots (callers check outputs). */
void gen_rq_knots_build(const gen_rq_config *c, const double *raw, gen_rq_knots *k);

/* y = f(x); *log_deriv = ln f'(x). */
double gen_rq_forward(const gen_rq_knots *k, double x, double *log_deriv);

/* x = f^{-1}(y); *log_deriv = ln f'(x) (of the forward map, so the inverse's is its negative).
 * Uses the cancellation-free root 2c / (-b - sqrt(b² - 4ac)) with the discriminant clamped at 0. */
double gen_rq_inverse(const gen_rq_knots *k, double y, double *log_deriv);

/* Forward value and its reverse pass for L depending on y and ℓ = ln f'(x):
 * given y_bar = dL/dy and l_bar = dL/dℓ, ADDS dL/draw into raw_bar (3K+1) and writes dL/dx to
 * *x_bar. Returns y; *log_deriv = ℓ. */
double gen_rq_forward_backward(const gen_rq_knots *k, double x, double y_bar, double l_bar,
                               double *raw_bar, double *log_deriv, double *x_bar);

#endif
