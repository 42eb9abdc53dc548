/* Checks every problem type must pass, shared by tests/test_<problem>.c: dr/du_s against central
 * differences of the residual op, the ansatz jets against finite differences of the ansatz op's own
 * value stream, and finite-difference jets of a scalar function for exact-solution residuals. */
#ifndef PINNSOLVE_TESTS_PROBLEM_CHECKS_H
#define PINNSOLVE_TESTS_PROBLEM_CHECKS_H

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/rng.h"
#include "pde/problem.h"

static inline double pc_signed_rel(double approx, double exact) {
  return fabs(exact) > 1e-8 ? (approx - exact) / fabs(exact) : approx - exact;
}

static inline double pc_keep_worst(double worst, double e) {
  return fabs(e) > fabs(worst) ? e : worst;
}

/* Random points in the type's box, (n, dim). */
static inline void pc_random_points(const pde_problem_type *t, gsl_rng *rng, size_t n, double *x) {
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < t->dim; k++)
      x[i * (size_t)t->dim + (size_t)k] =
          t->lower[k] + (t->upper[k] - t->lower[k]) * gsl_rng_uniform(rng);
}

/* Worst signed relative error of dr/du_s over all streams and n random points and jets in
 * [-2, 2]. Central differences with step h: exact for terms up to quadratic in one jet entry,
 * O(h^2 |d3r/du3|) otherwise. Where dr/du_s = 0 the difference must be 0 up to rounding. */
static inline double pc_residual_derivative_error(const pde_problem *p, unsigned long seed,
                                                  double h) {
  enum { N = 8 };
  const pde_problem_type *t = p->type;
  int streams = nn_jet_spec_streams(&t->jets);
  size_t sn = (size_t)streams * N;
  double *x = malloc((size_t)t->dim * N * sizeof *x), *jets = malloc(sn * sizeof *jets),
         *dr = malloc(sn * sizeof *dr), *scratch = malloc(sn * sizeof *scratch);
  double r[N], rp[N], rm[N], worst = 0.0;
  gsl_rng *rng = core_rng_create(seed);
  pc_random_points(t, rng, N, x);
  for (size_t i = 0; i < sn; i++)
    jets[i] = 4.0 * gsl_rng_uniform(rng) - 2.0;
  t->residual(p, N, x, jets, r, dr);
  for (int s = 0; s < streams; s++)
    for (int i = 0; i < N; i++) {
      size_t at = (size_t)s * N + (size_t)i;
      double keep = jets[at];
      jets[at] = keep + h;
      t->residual(p, N, x, jets, rp, scratch);
      jets[at] = keep - h;
      t->residual(p, N, x, jets, rm, scratch);
      jets[at] = keep;
      worst = pc_keep_worst(worst, pc_signed_rel((rp[i] - rm[i]) / (2.0 * h), dr[at]));
    }
  gsl_rng_free(rng);
  free(x);
  free(jets);
  free(dr);
  free(scratch);
  return worst;
}

/* Value streams of g and l at one point. */
static inline void pc_ansatz_values(const pde_problem *p, const double *x, double *g, double *l) {
  const pde_problem_type *t = p->type;
  int streams = nn_jet_spec_streams(&t->jets);
  double gj[1 + NN_MAX_INPUTS + NN_MAX_SECOND], lj[1 + NN_MAX_INPUTS + NN_MAX_SECOND];
  (void)streams;
  t->ansatz(p, 1, x, gj, lj);
  *g = gj[0];
  *l = lj[0];
}

/* Sixth-order central differences of the value stream along input k at x: first derivative
 * (45, -9, 1)/60 and second (270, -27, 2)/180 with centre -490/180. out[0] = d/dx_k, out[1] =
 * d2/dx_k^2, for g (which = 0) or l (which = 1). */
static inline void pc_fd_ansatz(const pde_problem *p, const double *x0, int k, double h,
                                double out_g[2], double out_l[2]) {
  const double c1[3] = {45.0 / 60.0, -9.0 / 60.0, 1.0 / 60.0};
  const double c2[3] = {270.0 / 180.0, -27.0 / 180.0, 2.0 / 180.0};
  double x[NN_MAX_INPUTS], g0, l0, gp, lp, gm, lm;
  for (int i = 0; i < p->type->dim; i++)
    x[i] = x0[i];
  pc_ansatz_values(p, x, &g0, &l0);
  out_g[0] = out_l[0] = 0.0;
  out_g[1] = -490.0 / 180.0 * g0 / (h * h);
  out_l[1] = -490.0 / 180.0 * l0 / (h * h);
  for (int j = 1; j <= 3; j++) {
    x[k] = x0[k] + j * h;
    pc_ansatz_values(p, x, &gp, &lp);
    x[k] = x0[k] - j * h;
    pc_ansatz_values(p, x, &gm, &lm);
    out_g[0] += c1[j - 1] * (gp - gm) / h;
    out_l[0] += c1[j - 1] * (lp - lm) / h;
    out_g[1] += c2[j - 1] * (gp + gm) / (h * h);
    out_l[1] += c2[j - 1] * (lp + lm) / (h * h);
  }
}

/* Worst signed relative error of every derivative stream of g and l (first partials and diagonal
 * second partials; the problems here declare no mixed ones) at n points drawn in the box shrunk
 * by 3h on every side. Prints one line per stream. */
static inline double pc_ansatz_jet_error(const pde_problem *p, unsigned long seed, size_t n,
                                         double h) {
  const pde_problem_type *t = p->type;
  const nn_jet_spec *spec = &t->jets;
  int streams = nn_jet_spec_streams(spec);
  double gj[1 + NN_MAX_INPUTS + NN_MAX_SECOND], lj[1 + NN_MAX_INPUTS + NN_MAX_SECOND];
  double worst_g[1 + NN_MAX_INPUTS + NN_MAX_SECOND] = {0}, worst_l[1 + NN_MAX_INPUTS + NN_MAX_SECOND] = {0};
  gsl_rng *rng = core_rng_create(seed);
  for (size_t i = 0; i < n; i++) {
    double x[NN_MAX_INPUTS];
    for (int k = 0; k < t->dim; k++)
      x[k] = t->lower[k] + 3 * h + (t->upper[k] - t->lower[k] - 6 * h) * gsl_rng_uniform(rng);
    t->ansatz(p, 1, x, gj, lj);
    for (int k = 0; k < spec->n_first; k++) {
      int in = spec->first[k], s1 = 1 + k, s2 = nn_jet_spec_second_stream(spec, in, in);
      double fg[2], fl[2];
      pc_fd_ansatz(p, x, in, h, fg, fl);
      worst_g[s1] = pc_keep_worst(worst_g[s1], pc_signed_rel(fg[0], gj[s1]));
      worst_l[s1] = pc_keep_worst(worst_l[s1], pc_signed_rel(fl[0], lj[s1]));
      if (s2 > 0) {
        worst_g[s2] = pc_keep_worst(worst_g[s2], pc_signed_rel(fg[1], gj[s2]));
        worst_l[s2] = pc_keep_worst(worst_l[s2], pc_signed_rel(fl[1], lj[s2]));
      }
    }
  }
  double worst = 0.0;
  for (int s = 1; s < streams; s++) {
    printf("%s ansatz stream %d: g worst signed rel err %.2e, l %.2e\n", t->name, s, worst_g[s],
           worst_l[s]);
    worst = pc_keep_worst(pc_keep_worst(worst, worst_g[s]), worst_l[s]);
  }
  gsl_rng_free(rng);
  return worst;
}

#endif
