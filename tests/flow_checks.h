/* Checks shared by test_realnvp.c and test_spline_flow.c: round trips, log-det against finite
 * differences of the full map, NLL gradients against finite differences, density normalisation. */
#ifndef PINNSOLVE_TESTS_FLOW_CHECKS_H
#define PINNSOLVE_TESTS_FLOW_CHECKS_H

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_main.h"
#include "core/rng.h"
#include "gen/coupling_flow.h"
#include "gen/flow_sampler.h"
#include "gen/flow_train.h"
#include "gen/sampler.h"

static gen_coupling_options test_flow_options(gen_coupling_kind kind, int dim) {
  gen_rq_config rq = gen_rq_default_config();
  rq.n_bins = 6;
  return (gen_coupling_options){.kind = kind,
                                .dim = dim,
                                .n_layers = 4,
                                .hidden_width = 12,
                                .hidden_depth = 2,
                                .scale_bound = 2.0,
                                .spline = rq,
                                .max_points = 37}; /* odd chunk size: exercises chunking */
}

/* Every parameter (output layers included) drawn N(0, sd²): a flow far from the identity. */
static void randomise_flow(gen_coupling_flow *f, gsl_rng *rng, double sd) {
  size_t np = gen_coupling_flow_n_params(f);
  double *p = malloc(np * sizeof *p);
  for (size_t i = 0; i < np; i++)
    p[i] = gsl_ran_gaussian(rng, sd);
  gen_coupling_flow_set_params(f, p);
  free(p);
}

/* Parameter scale of the random flows: splines with sd 0.7 reach the minimum derivative (1e-3),
 * where the inverse amplifies rounding by 1e3 per layer; 0.4 keeps them far from the identity
 * (points move by O(0.1-1)) but well conditioned. */
static double random_sd(gen_coupling_kind kind) { return kind == GEN_COUPLING_AFFINE ? 0.7 : 0.4; }

static double draw_u(gen_coupling_kind kind, gsl_rng *rng) {
  return kind == GEN_COUPLING_AFFINE ? gsl_ran_gaussian(rng, 1.5)
                                     : 0.01 + 0.98 * gsl_rng_uniform(rng);
}

/* max |inverse(forward(u)) - u| and max |logdet_fwd - logdet_inv| over n random points. */
static void flow_round_trip(gen_coupling_kind kind, int dim, unsigned long seed, double *err,
                            double *err_logdet) {
  gsl_rng *rng = core_rng_create(seed);
  gen_coupling_options o = test_flow_options(kind, dim);
  gen_coupling_flow *f;
  ck_assert_int_eq(gen_coupling_flow_create(&f, &o, rng), CORE_OK);
  randomise_flow(f, rng, random_sd(kind));
  size_t n = 100;
  double *u = malloc(n * dim * sizeof *u), *z = malloc(n * dim * sizeof *z);
  double *back = malloc(n * dim * sizeof *back), *l1 = malloc(n * sizeof *l1),
         *l2 = malloc(n * sizeof *l2);
  for (size_t i = 0; i < n * (size_t)dim; i++)
    u[i] = draw_u(kind, rng);
  /* Points at the faces of [0, 1]^d for the spline flow. */
  if (kind == GEN_COUPLING_SPLINE)
    for (int j = 0; j < dim; j++) {
      u[j] = 0.0;
      u[dim + j] = 1.0;
      u[2 * dim + j] = j % 2;
    }
  ck_assert_int_eq(gen_coupling_flow_forward(f, n, u, z, l1), CORE_OK);
  ck_assert_int_eq(gen_coupling_flow_inverse(f, n, z, back, l2), CORE_OK);
  *err = *err_logdet = 0.0;
  double moved = 0.0;
  for (size_t i = 0; i < n * (size_t)dim; i++) {
    *err = fmax(*err, fabs(back[i] - u[i]));
    moved = fmax(moved, fabs(z[i] - u[i]));
  }
  for (size_t i = 0; i < n; i++)
    *err_logdet = fmax(*err_logdet, fabs(l1[i] - l2[i]));
  ck_assert_msg(moved > 0.1, "random parameters should move points (moved %g)", moved);
  free(u), free(z), free(back), free(l1), free(l2);
  gen_coupling_flow_destroy(f);
  gsl_rng_free(rng);
}

/* max |logdet - ln|det J_fd|| with J by central differences of the full map u -> z. */
static double flow_logdet_fd_error(gen_coupling_kind kind, int dim, unsigned long seed) {
  gsl_rng *rng = core_rng_create(seed);
  gen_coupling_options o = test_flow_options(kind, dim);
  gen_coupling_flow *f;
  ck_assert_int_eq(gen_coupling_flow_create(&f, &o, rng), CORE_OK);
  randomise_flow(f, rng, random_sd(kind));
  double worst = 0.0, step = 1e-6;
  gsl_matrix *jac = gsl_matrix_alloc(dim, dim);
  gsl_permutation *perm = gsl_permutation_alloc(dim);
  for (int trial = 0; trial < 20; trial++) {
    double u[GEN_COUPLING_MAX_DIM], up[GEN_COUPLING_MAX_DIM], zp[GEN_COUPLING_MAX_DIM],
        zm[GEN_COUPLING_MAX_DIM], z[GEN_COUPLING_MAX_DIM], ld, tmp;
    for (int j = 0; j < dim; j++)
      u[j] = draw_u(kind, rng);
    ck_assert_int_eq(gen_coupling_flow_forward(f, 1, u, z, &ld), CORE_OK);
    for (int k = 0; k < dim; k++) {
      for (int j = 0; j < dim; j++)
        up[j] = u[j];
      up[k] = u[k] + step;
      ck_assert_int_eq(gen_coupling_flow_forward(f, 1, up, zp, &tmp), CORE_OK);
      up[k] = u[k] - step;
      ck_assert_int_eq(gen_coupling_flow_forward(f, 1, up, zm, &tmp), CORE_OK);
      for (int j = 0; j < dim; j++)
        gsl_matrix_set(jac, j, k, (zp[j] - zm[j]) / (2 * step));
    }
    int sign;
    gsl_linalg_LU_decomp(jac, perm, &sign);
    worst = fmax(worst, fabs(gsl_linalg_LU_lndet(jac) - ld));
  }
  gsl_matrix_free(jac);
  gsl_permutation_free(perm);
  gen_coupling_flow_destroy(f);
  gsl_rng_free(rng);
  return worst;
}

/* Mean NLL of a fixed batch (flow coordinates). */
static double batch_nll(gen_coupling_flow *f, gen_flow_base base, size_t n, const double *u) {
  double nll;
  ck_assert_int_eq(gen_flow_weighted_nll(f, base, n, u, NULL, NULL, &nll), CORE_OK);
  return nll;
}

/* Worst error of dNLL/dparam (a random subset of parameters) and dNLL/du against central
 * differences, relative to max(|analytic|, 1e-3 · max|gradient|). */
static double flow_gradient_fd_error(gen_coupling_kind kind, gen_flow_base base, int dim,
                                     unsigned long seed) {
  gsl_rng *rng = core_rng_create(seed);
  gen_coupling_options o = test_flow_options(kind, dim);
  gen_coupling_flow *f;
  ck_assert_int_eq(gen_coupling_flow_create(&f, &o, rng), CORE_OK);
  randomise_flow(f, rng, 0.5);
  size_t n = 16, np = gen_coupling_flow_n_params(f);
  double u[16 * GEN_COUPLING_MAX_DIM], u_bar[16 * GEN_COUPLING_MAX_DIM],
      z_bar[16 * GEN_COUPLING_MAX_DIM];
  double l_bar[16], logdet[16], base_lp[16];
  for (size_t i = 0; i < n * (size_t)dim; i++)
    u[i] = draw_u(kind, rng);
  const double *z;
  gen_coupling_flow_zero_grads(f);
  ck_assert_int_eq(gen_coupling_flow_forward_keep(f, n, u, &z, logdet), CORE_OK);
  gen_flow_base_log_density(base, dim, n, z, base_lp);
  for (size_t p = 0; p < n; p++)
    l_bar[p] = -1.0 / n;
  gen_flow_base_nll_gradient(base, dim, n, z, n, z_bar);
  ck_assert_int_eq(gen_coupling_flow_backward(f, z_bar, l_bar, u_bar), CORE_OK);
  double *params = malloc(np * sizeof *params), *grads = malloc(np * sizeof *grads);
  gen_coupling_flow_get_params(f, params);
  for (int b = 0, at = 0; b < gen_coupling_flow_n_blocks(f); b++) {
    nn_mlp *m = gen_coupling_flow_block(f, b);
    for (size_t i = 0; i < m->n_params; i++)
      grads[at++] = m->grads[i];
  }
  double gmax = 0.0, worst = 0.0, step = 1e-6;
  for (size_t i = 0; i < np; i++)
    gmax = fmax(gmax, fabs(grads[i]));
  for (int trial = 0; trial < 60; trial++) {
    size_t i = gsl_rng_uniform_int(rng, np);
    double keep = params[i];
    params[i] = keep + step;
    gen_coupling_flow_set_params(f, params);
    double up = batch_nll(f, base, n, u);
    params[i] = keep - step;
    gen_coupling_flow_set_params(f, params);
    double down = batch_nll(f, base, n, u);
    params[i] = keep;
    gen_coupling_flow_set_params(f, params);
    double fd = (up - down) / (2 * step);
    worst = fmax(worst, fabs(fd - grads[i]) / fmax(fabs(grads[i]), 1e-3 * gmax));
  }
  for (size_t i = 0; i < n * (size_t)dim; i++) {
    double keep = u[i];
    u[i] = keep + step;
    double up = batch_nll(f, base, n, u);
    u[i] = keep - step;
    double down = batch_nll(f, base, n, u);
    u[i] = keep;
    double fd = (up - down) / (2 * step);
    worst = fmax(worst, fabs(fd - u_bar[i]) / fmax(fabs(u_bar[i]), 1e-3));
  }
  free(params);
  free(grads);
  gen_coupling_flow_destroy(f);
  gsl_rng_free(rng);
  return worst;
}

/* ∫ q over a 2-D box by the midpoint rule on a grid x grid lattice. */
static double integrate_density_2d(gen_sampler *s, const gen_box *box, int grid) {
  double *x = malloc((size_t)grid * 2 * sizeof *x), *lp = malloc((size_t)grid * sizeof *lp);
  double hx = (box->upper[0] - box->lower[0]) / grid, hy = (box->upper[1] - box->lower[1]) / grid;
  double total = 0.0;
  for (int i = 0; i < grid; i++) {
    for (int j = 0; j < grid; j++) {
      x[2 * j] = box->lower[0] + (i + 0.5) * hx;
      x[2 * j + 1] = box->lower[1] + (j + 0.5) * hy;
    }
    ck_assert_int_eq(gen_sampler_log_density(s, (size_t)grid, x, lp), CORE_OK);
    for (int j = 0; j < grid; j++)
      total += exp(lp[j]) * hx * hy;
  }
  free(x);
  free(lp);
  return total;
}

/* Randomises a flow sampler's parameters (normal, sd) and returns its mass on the 2-D box. */
static double random_parameter_mass(gen_sampler *s, const gen_box *box, gsl_rng *rng, double sd) {
  gen_coupling_flow *f;
  ck_assert_int_eq(gen_flow_sampler_flow(s, &f), CORE_OK);
  randomise_flow(f, rng, sd);
  return integrate_density_2d(s, box, 400);
}

#endif

/* ---- toy fits ---- */

#include <time.h>

#include "gen/toy_data.h"

typedef enum toy_kind { TOY_MOONS, TOY_CIRCLES, TOY_MIXTURE } toy_kind;

static const char *toy_name(toy_kind k) {
  return k == TOY_MOONS ? "moons(0.1)" : (k == TOY_CIRCLES ? "circles(0.08, 0.5)" : "mixture(3)");
}

static const double toy_mix_w[3] = {0.5, 0.3, 0.2},
                    toy_mix_mu[6] = {-1.0, -1.0, 1.0, 0.5, -0.5, 1.2},
                    toy_mix_sd[3] = {0.3, 0.2, 0.25};

static gen_box toy_box(toy_kind k) {
  /* Raw coordinates: margins of >= 5 standard deviations of the noise around the support. */
  gen_box b = {.dim = 2};
  double lo[3][2] = {{-2.0, -1.5}, {-1.6, -1.6}, {-2.5, -2.5}},
         hi[3][2] = {{3.0, 2.0}, {1.6, 1.6}, {2.5, 2.5}};
  for (int j = 0; j < 2; j++) {
    b.lower[j] = lo[k][j];
    b.upper[j] = hi[k][j];
  }
  return b;
}

/* n points of the toy density inside the box (the rare draw outside is redrawn). */
static void toy_draw(toy_kind k, size_t n, gsl_rng *rng, double *x) {
  gen_box b = toy_box(k);
  gen_toy_mixture mix = {
      .dim = 2, .n_components = 3, .weights = toy_mix_w, .means = toy_mix_mu, .sds = toy_mix_sd};
  for (size_t i = 0; i < n;) {
    double *p = x + 2 * i;
    if (k == TOY_MOONS)
      ck_assert_int_eq(gen_toy_moons(1, 0.1, rng, p), CORE_OK);
    else if (k == TOY_CIRCLES)
      ck_assert_int_eq(gen_toy_circles(1, 0.08, 0.5, rng, p), CORE_OK);
    else
      ck_assert_int_eq(gen_toy_mixture_sample(&mix, 1, rng, p), CORE_OK);
    if (p[0] >= b.lower[0] && p[0] <= b.upper[0] && p[1] >= b.lower[1] && p[1] <= b.upper[1])
      i++;
  }
}

static void toy_log_density(toy_kind k, size_t n, const double *x, double *lp) {
  gen_toy_mixture mix = {
      .dim = 2, .n_components = 3, .weights = toy_mix_w, .means = toy_mix_mu, .sds = toy_mix_sd};
  if (k == TOY_MOONS)
    ck_assert_int_eq(gen_toy_moons_log_density(n, 0.1, x, lp), CORE_OK);
  else if (k == TOY_CIRCLES)
    ck_assert_int_eq(gen_toy_circles_log_density(n, 0.08, 0.5, x, lp), CORE_OK);
  else
    ck_assert_int_eq(gen_toy_mixture_log_density(&mix, n, x, lp), CORE_OK);
}

typedef struct toy_result {
  double nll_model, nll_true, nll_start, seconds;
  gen_flow_fit_report report;
} toy_result;

/* Fit `type` to n_train points of the toy density in raw coordinates (box = toy_box), then score
 * a fresh sample of n_test points: model NLL and the exact density's NLL (entropy estimate). */
static toy_result toy_fit(const gen_sampler_type *type, const gen_options *o, toy_kind k,
                          size_t n_train, size_t n_test, unsigned long seed) {
  gsl_rng *rng = core_rng_create(seed);
  gen_box box = toy_box(k);
  gen_sampler *s;
  ck_assert_int_eq(gen_sampler_create(&s, type, &box, o, rng), CORE_OK);
  double *x = malloc(2 * n_train * sizeof *x), *t = malloc(2 * n_test * sizeof *t);
  double *lq = malloc(n_test * sizeof *lq), *lp = malloc(n_test * sizeof *lp);
  toy_draw(k, n_train, rng, x);
  toy_draw(k, n_test, rng, t);
  toy_result r = {0};
  ck_assert_int_eq(gen_sampler_log_density(s, n_test, t, lq), CORE_OK);
  for (size_t i = 0; i < n_test; i++)
    r.nll_start -= lq[i] / n_test;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ck_assert_int_eq(gen_sampler_fit(s, n_train, x, NULL, rng), CORE_OK);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  r.seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  ck_assert_int_eq(gen_flow_sampler_last_report(s, &r.report), CORE_OK);
  ck_assert_int_eq(gen_sampler_log_density(s, n_test, t, lq), CORE_OK);
  toy_log_density(k, n_test, t, lp);
  for (size_t i = 0; i < n_test; i++) {
    r.nll_model -= lq[i] / n_test;
    r.nll_true -= lp[i] / n_test;
  }
  printf("%s on %s: fresh-sample NLL %.4f (exact density %.4f, gap %.4f; start %.4f), "
         "best epoch %d, held-out NLL %.4f, fit %.2f s\n",
         type->name, toy_name(k), r.nll_model, r.nll_true, r.nll_model - r.nll_true, r.nll_start,
         r.report.best_epoch, r.report.best_holdout_nll, r.seconds);
  free(x), free(t), free(lq), free(lp);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
  return r;
}
