/* gen/ode: fixed-step and CVODE integrators.
 *
 * Oracle (shared/REFERENCES.md §3): flow matching with a Gaussian-mixture target has an exact
 * CondOT velocity and divergence, so backward integration of dℓ/dt = ∇·u must reproduce the
 * closed-form mixture log-density. Target "8 Gaussians": 8 equal components on a circle,
 * source N(0, I_2). The published oracle values (-31.758738, -1.838179, -9.840425) are reproduced
 * to 1e-6 only with √2 written as 1.414 (radius 4/1.414, sd 0.5/1.414); with the exact √2 they
 * read -31.758436, -1.837877, -9.837707. We use 1.414 so both the closed form and the
 * integration are checked against the published numbers. */
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "check_main.h"
#include "core/rng.h"
#include "gen/ode.h"

#define K_MIX 8
#define SQRT2_REF 1.414

typedef struct gmm {
  double mu[K_MIX][2];
  double s2;   /* component variance */
  long calls;  /* field evaluations (checks the fixed-step budget) */
} gmm;

static gmm gmm_eight(void) {
  gmm g = {.s2 = (0.5 / SQRT2_REF) * (0.5 / SQRT2_REF), .calls = 0};
  double r = 4.0 / SQRT2_REF;
  for (int k = 0; k < K_MIX; k++) {
    g.mu[k][0] = r * cos(2.0 * M_PI * k / K_MIX);
    g.mu[k][1] = r * sin(2.0 * M_PI * k / K_MIX);
  }
  return g;
}

/* Closed-form log p1(x) = log Σ_k (1/8) N(x; μ_k, s² I), by log-sum-exp. */
static double gmm_log_p1(const gmm *g, const double *x) {
  double a[K_MIX], amax = -INFINITY;
  for (int k = 0; k < K_MIX; k++) {
    double dx = x[0] - g->mu[k][0], dy = x[1] - g->mu[k][1];
    a[k] = log(1.0 / K_MIX) - log(2.0 * M_PI * g->s2) - (dx * dx + dy * dy) / (2.0 * g->s2);
    amax = fmax(amax, a[k]);
  }
  double sum = 0;
  for (int k = 0; k < K_MIX; k++)
    sum += exp(a[k] - amax);
  return amax + log(sum);
}

/* Exact CondOT marginal velocity and divergence at one point (REFERENCES §3). */
static void gmm_velocity_point(const gmm *g, double t, const double *x, double *u, double *div) {
  double v = (1 - t) * (1 - t) + t * t * g->s2, vp = -2.0 * (1 - t) + 2.0 * t * g->s2;
  double la[K_MIX], lmax = -INFINITY, uk[K_MIX][2], gk[K_MIX][2];
  for (int k = 0; k < K_MIX; k++) {
    double e0 = x[0] - t * g->mu[k][0], e1 = x[1] - t * g->mu[k][1];
    la[k] = -(e0 * e0 + e1 * e1) / (2.0 * v); /* equal weights and variances: common factors drop */
    lmax = fmax(lmax, la[k]);
    uk[k][0] = g->mu[k][0] + vp / (2.0 * v) * e0;
    uk[k][1] = g->mu[k][1] + vp / (2.0 * v) * e1;
    gk[k][0] = -e0 / v;
    gk[k][1] = -e1 / v;
  }
  double wsum = 0, w[K_MIX];
  for (int k = 0; k < K_MIX; k++)
    wsum += (w[k] = exp(la[k] - lmax));
  double ub[2] = {0, 0}, gb[2] = {0, 0}, acc = 0;
  for (int k = 0; k < K_MIX; k++) {
    w[k] /= wsum;
    for (int i = 0; i < 2; i++) {
      ub[i] += w[k] * uk[k][i];
      gb[i] += w[k] * gk[k][i];
    }
    acc += w[k] * (2.0 * vp / (2.0 * v) + gk[k][0] * uk[k][0] + gk[k][1] * uk[k][1]);
  }
  u[0] = ub[0];
  u[1] = ub[1];
  if (div)
    *div = acc - (gb[0] * ub[0] + gb[1] * ub[1]);
}

static core_status gmm_field(void *ctx, double t, size_t n, const double *x, double *v, double *div) {
  gmm *g = ctx;
  g->calls++;
  for (size_t i = 0; i < n; i++)
    gmm_velocity_point(g, t, x + 2 * i, v + 2 * i, div ? div + i : NULL);
  return CORE_OK;
}

/* log p1 by backward integration: log N(x0; 0, I) + ℓ(0), ℓ(1) = 0. x is overwritten. */
static void flow_log_p1(gen_ode *ode, gmm *g, size_t n, double *x, double *logp,
                        gen_ode_stats *stats) {
  for (size_t i = 0; i < n; i++)
    logp[i] = 0;
  ck_assert_int_eq(gen_ode_integrate(ode, gmm_field, g, 1.0, 0.0, n, x, logp, stats), CORE_OK);
  for (size_t i = 0; i < n; i++)
    logp[i] += -log(2.0 * M_PI) - 0.5 * (x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]);
}

static double *target_samples(const gmm *g, size_t n, unsigned long seed) {
  gsl_rng *rng = core_rng_create(seed);
  double *x = malloc(2 * n * sizeof *x);
  ck_assert_ptr_nonnull(x);
  double s = sqrt(g->s2);
  for (size_t i = 0; i < n; i++) {
    int k = (int)gsl_rng_uniform_int(rng, K_MIX);
    x[2 * i] = g->mu[k][0] + gsl_ran_gaussian(rng, s);
    x[2 * i + 1] = g->mu[k][1] + gsl_ran_gaussian(rng, s);
  }
  gsl_rng_free(rng);
  return x;
}

static gen_ode_options opts(gen_ode_method m, int steps) {
  gen_ode_options o = gen_ode_default_options();
  o.method = m;
  o.steps = steps;
  return o;
}

static gen_ode_options cvode_opts(double rtol, double atol) {
  gen_ode_options o = gen_ode_default_options();
  o.method = GEN_ODE_CVODE;
  o.rtol = rtol;
  o.atol = atol;
  return o;
}

/* ---- closed form and CVODE at the published points -------------------------------------- */

START_TEST(test_oracle_points) {
  gmm g = gmm_eight();
  const double pts[3][2] = {{0, 0}, {g.mu[0][0], g.mu[0][1]}, {1, 1}};
  const double published[3] = {-31.758738, -1.838179, -9.840425};
  double x[6], logp[3];
  for (int i = 0; i < 3; i++) {
    double closed = gmm_log_p1(&g, pts[i]);
    ck_assert_msg(fabs(closed - published[i]) < 1e-6, "closed form %.8f vs %.6f", closed,
                  published[i]);
    x[2 * i] = pts[i][0];
    x[2 * i + 1] = pts[i][1];
  }
  gen_ode *ode = NULL;
  gen_ode_options o = cvode_opts(1e-11, 1e-12);
  ck_assert_int_eq(gen_ode_create(&ode, 2, 3, &o), CORE_OK);
  gen_ode_stats st;
  flow_log_p1(ode, &g, 3, x, logp, &st);
  for (int i = 0; i < 3; i++)
    ck_assert_msg(fabs(logp[i] - gmm_log_p1(&g, pts[i])) < 1e-6, "CVODE log p %.8f vs %.8f",
                  logp[i], gmm_log_p1(&g, pts[i]));
  ck_assert_int_gt(st.steps, 10);
  ck_assert_int_ge(st.rhs_evals, st.steps);
  ck_assert_int_eq(st.systems, 1);
  gen_ode_destroy(ode);
}
END_TEST

/* ---- fixed-step accuracy against the exact density -------------------------------------- */

#define N_ERR 500

static double mean_abs_error(gen_ode_method m, int steps, const double *x1, long *calls) {
  gmm g = gmm_eight();
  double x[2 * N_ERR], logp[N_ERR];
  for (size_t i = 0; i < 2 * N_ERR; i++)
    x[i] = x1[i];
  gen_ode *ode = NULL;
  gen_ode_options o = opts(m, steps);
  ck_assert_int_eq(gen_ode_create(&ode, 2, N_ERR, &o), CORE_OK);
  gen_ode_stats st;
  flow_log_p1(ode, &g, N_ERR, x, logp, &st);
  gen_ode_destroy(ode);
  double err = 0;
  for (size_t i = 0; i < N_ERR; i++)
    err += fabs(logp[i] - gmm_log_p1(&g, x1 + 2 * i));
  *calls = g.calls;
  ck_assert_int_eq(st.steps, steps);
  ck_assert_int_eq(st.rhs_evals, g.calls);
  return err / N_ERR;
}

START_TEST(test_fixed_step_errors) {
  gmm g = gmm_eight();
  double *x1 = target_samples(&g, N_ERR, 7);
  long calls;
  double rk10 = mean_abs_error(GEN_ODE_RK4, 10, x1, &calls);
  ck_assert_int_eq(calls, 40);
  double rk20 = mean_abs_error(GEN_ODE_RK4, 20, x1, &calls);
  ck_assert_int_eq(calls, 80);
  double rk50 = mean_abs_error(GEN_ODE_RK4, 50, x1, &calls);
  ck_assert_int_eq(calls, 200);
  double heun20 = mean_abs_error(GEN_ODE_HEUN, 20, x1, &calls);
  ck_assert_int_eq(calls, 40);
  double euler100 = mean_abs_error(GEN_ODE_EULER, 100, x1, &calls);
  ck_assert_int_eq(calls, 100);
  printf("mean |dlogp|: rk4-10 %.2e rk4-20 %.2e rk4-50 %.2e heun-20 %.2e euler-100 %.2e\n", rk10,
         rk20, rk50, heun20, euler100);
  /* REFERENCES §3: 6.8e-4 / 2.7e-5 / 5.2e-7, Heun-20 5.0e-3, Euler-100 2.4e-2 */
  ck_assert_double_le(rk20, 1e-4);
  ck_assert_double_gt(rk10, rk20);
  ck_assert_double_gt(rk20, rk50);
  ck_assert_double_gt(heun20, rk10);
  ck_assert_double_gt(euler100, heun20);
  /* within a factor ~4 of the published figures (the sample set differs) */
  const double got[5] = {rk10, rk20, rk50, heun20, euler100};
  const double ref[5] = {6.8e-4, 2.7e-5, 5.2e-7, 5.0e-3, 2.4e-2};
  for (int i = 0; i < 5; i++)
    ck_assert_msg(got[i] > ref[i] / 4 && got[i] < ref[i] * 4, "error %d: %.3e vs %.3e", i, got[i],
                  ref[i]);
  free(x1);
}
END_TEST

START_TEST(test_cvode_matches_rk4_500) {
  gmm g = gmm_eight();
  double *x1 = target_samples(&g, N_ERR, 11);
  double xa[2 * N_ERR], xb[2 * N_ERR], la[N_ERR], lb[N_ERR];
  for (size_t i = 0; i < 2 * N_ERR; i++)
    xa[i] = xb[i] = x1[i];
  gen_ode *ode = NULL;
  gen_ode_options o = opts(GEN_ODE_RK4, 500);
  ck_assert_int_eq(gen_ode_create(&ode, 2, N_ERR, &o), CORE_OK);
  flow_log_p1(ode, &g, N_ERR, xa, la, NULL);
  o = cvode_opts(1e-10, 1e-12);
  ck_assert_int_eq(gen_ode_set_options(ode, &o), CORE_OK);
  gen_ode_stats st;
  flow_log_p1(ode, &g, N_ERR, xb, lb, &st);
  double err = 0, exact_err = 0;
  for (size_t i = 0; i < N_ERR; i++) {
    err += fabs(la[i] - lb[i]) / N_ERR;
    exact_err += fabs(lb[i] - gmm_log_p1(&g, x1 + 2 * i)) / N_ERR;
  }
  printf("CVODE vs RK4-500: mean |dlogp| %.2e (vs exact %.2e), %ld steps, %ld rhs evals\n", err,
         exact_err, st.steps, st.rhs_evals);
  ck_assert_double_le(err, 1e-7);
  ck_assert_double_le(exact_err, 1e-7);
  gen_ode_destroy(ode);
  free(x1);
}
END_TEST

/* Chunked CVODE: one system per chunk, same answer within tolerance, systems counted. */
START_TEST(test_cvode_chunks) {
  gmm g = gmm_eight();
  enum { N = 23 };
  double *x1 = target_samples(&g, N, 3);
  double xa[2 * N], xb[2 * N], la[N], lb[N];
  for (size_t i = 0; i < 2 * N; i++)
    xa[i] = xb[i] = x1[i];
  gen_ode *ode = NULL;
  gen_ode_options o = cvode_opts(1e-9, 1e-11);
  ck_assert_int_eq(gen_ode_create(&ode, 2, N, &o), CORE_OK);
  gen_ode_stats sa, sb;
  flow_log_p1(ode, &g, N, xa, la, &sa);
  o.cvode_chunk = 5;
  ck_assert_int_eq(gen_ode_set_options(ode, &o), CORE_OK);
  flow_log_p1(ode, &g, N, xb, lb, &sb);
  ck_assert_int_eq(sa.systems, 1);
  ck_assert_int_eq(sb.systems, 5);
  ck_assert_int_gt(sb.steps, sa.steps);
  for (size_t i = 0; i < N; i++) {
    ck_assert_double_le(fabs(la[i] - lb[i]), 1e-6);
    ck_assert_double_le(fabs(lb[i] - gmm_log_p1(&g, x1 + 2 * i)), 1e-6);
  }
  gen_ode_destroy(ode);
  free(x1);
}
END_TEST

/* ---- exact discrete solutions on a linear field ----------------------------------------- */

typedef struct linear_ctx {
  double lambda;
  int dim;
  long calls;
} linear_ctx;

static core_status linear_field(void *ctx, double t, size_t n, const double *x, double *v,
                                double *div) {
  (void)t;
  linear_ctx *c = ctx;
  c->calls++;
  for (size_t i = 0; i < n * (size_t)c->dim; i++)
    v[i] = c->lambda * x[i];
  if (div)
    for (size_t i = 0; i < n; i++)
      div[i] = c->lambda * c->dim;
  return CORE_OK;
}

/* On v = λx every method multiplies x by its stability polynomial R(hλ) per step. */
START_TEST(test_linear_stability_polynomials) {
  const gen_ode_method methods[3] = {GEN_ODE_EULER, GEN_ODE_HEUN, GEN_ODE_RK4};
  const int steps = 7;
  const double t0 = 0.3, t1 = -0.9, lambda = 1.3, h = (t1 - t0) / steps;
  double z = h * lambda;
  const double r[3] = {1 + z, 1 + z + z * z / 2, 1 + z + z * z / 2 + z * z * z / 6 + z * z * z * z / 24};
  const long evals[3] = {1, 2, 4};
  for (int m = 0; m < 3; m++) {
    linear_ctx c = {.lambda = lambda, .dim = 3, .calls = 0};
    double x[6] = {1, -2, 0.5, 3, 0, -1}, ell[2] = {0.25, -1};
    gen_ode *ode = NULL;
    gen_ode_options o = opts(methods[m], steps);
    ck_assert_int_eq(gen_ode_create(&ode, 3, 4, &o), CORE_OK);
    gen_ode_stats st;
    ck_assert_int_eq(gen_ode_integrate(ode, linear_field, &c, t0, t1, 2, x, ell, &st), CORE_OK);
    double factor = pow(r[m], steps);
    const double x0[6] = {1, -2, 0.5, 3, 0, -1};
    for (int i = 0; i < 6; i++)
      ck_assert_double_eq_tol(x[i], x0[i] * factor, 1e-13);
    /* ℓ has a constant rate: every consistent method integrates it exactly */
    ck_assert_double_eq_tol(ell[0], 0.25 + 3 * lambda * (t1 - t0), 1e-13);
    ck_assert_double_eq_tol(ell[1], -1 + 3 * lambda * (t1 - t0), 1e-13);
    ck_assert_int_eq(c.calls, steps * evals[m]);
    ck_assert_int_eq(st.steps, steps);
    gen_ode_destroy(ode);
  }
}
END_TEST

START_TEST(test_cvode_linear_exact) {
  linear_ctx c = {.lambda = -0.7, .dim = 2, .calls = 0};
  double x[4] = {1, 2, -3, 0.5}, ell[2] = {0, 0};
  gen_ode *ode = NULL;
  gen_ode_options o = cvode_opts(1e-10, 1e-12);
  ck_assert_int_eq(gen_ode_create(&ode, 2, 2, &o), CORE_OK);
  gen_ode_stats st;
  ck_assert_int_eq(gen_ode_integrate(ode, linear_field, &c, 0.0, 2.0, 2, x, ell, &st), CORE_OK);
  const double x0[4] = {1, 2, -3, 0.5};
  for (int i = 0; i < 4; i++)
    ck_assert_double_eq_tol(x[i], x0[i] * exp(-1.4), 1e-8);
  ck_assert_double_eq_tol(ell[0], -2.8, 1e-8);
  ck_assert_int_eq(st.rhs_evals, c.calls);
  /* without ℓ the field is asked for no divergence; the result is the same */
  double y[4] = {1, 2, -3, 0.5};
  ck_assert_int_eq(gen_ode_integrate(ode, linear_field, &c, 0.0, 2.0, 2, y, NULL, NULL), CORE_OK);
  for (int i = 0; i < 4; i++)
    ck_assert_double_eq_tol(y[i], x[i], 1e-8);
  gen_ode_destroy(ode);
}
END_TEST

/* ---- round trip and errors -------------------------------------------------------------- */

START_TEST(test_round_trip) {
  gmm g = gmm_eight();
  double x[8] = {0.3, -0.2, 1.5, 0.7, -1.0, -1.2, 0.0, 2.0}, x0[8];
  for (int i = 0; i < 8; i++)
    x0[i] = x[i];
  gen_ode *ode = NULL;
  gen_ode_options o = opts(GEN_ODE_RK4, 200);
  ck_assert_int_eq(gen_ode_create(&ode, 2, 4, &o), CORE_OK);
  ck_assert_int_eq(gen_ode_integrate(ode, gmm_field, &g, 0.0, 1.0, 4, x, NULL, NULL), CORE_OK);
  double moved = 0;
  for (int i = 0; i < 8; i++)
    moved += fabs(x[i] - x0[i]);
  ck_assert_double_gt(moved, 1.0);
  ck_assert_int_eq(gen_ode_integrate(ode, gmm_field, &g, 1.0, 0.0, 4, x, NULL, NULL), CORE_OK);
  for (int i = 0; i < 8; i++)
    ck_assert_double_eq_tol(x[i], x0[i], 1e-6);
  gen_ode_destroy(ode);
}
END_TEST

typedef struct failing_ctx {
  int fail_after;
  int calls;
  int nan;
} failing_ctx;

static core_status failing_field(void *ctx, double t, size_t n, const double *x, double *v,
                                 double *div) {
  (void)t;
  failing_ctx *c = ctx;
  if (c->calls++ >= c->fail_after && !c->nan)
    return CORE_FAIL(CORE_ERR_NUMERIC, "test field fails on purpose");
  for (size_t i = 0; i < 2 * n; i++)
    v[i] = c->calls > c->fail_after ? NAN : -x[i];
  if (div)
    for (size_t i = 0; i < n; i++)
      div[i] = -2;
  return CORE_OK;
}

START_TEST(test_errors_propagate) {
  const gen_ode_method methods[4] = {GEN_ODE_EULER, GEN_ODE_HEUN, GEN_ODE_RK4, GEN_ODE_CVODE};
  for (int m = 0; m < 4; m++) {
    gen_ode *ode = NULL;
    gen_ode_options o = opts(methods[m], 10);
    ck_assert_int_eq(gen_ode_create(&ode, 2, 3, &o), CORE_OK);
    double x[6] = {1, 2, 3, 4, 5, 6};
    failing_ctx c = {.fail_after = 3, .calls = 0, .nan = 0};
    ck_assert_int_eq(gen_ode_integrate(ode, failing_field, &c, 0, 1, 3, x, NULL, NULL),
                     CORE_ERR_NUMERIC);
    failing_ctx cn = {.fail_after = 3, .calls = 0, .nan = 1};
    core_status s = gen_ode_integrate(ode, failing_field, &cn, 0, 1, 3, x, NULL, NULL);
    ck_assert_int_eq(s, methods[m] == GEN_ODE_CVODE ? CORE_ERR_SOLVER : CORE_ERR_NUMERIC);
    ck_assert_int_eq(gen_ode_integrate(ode, failing_field, &c, 0, 1, 4, x, NULL, NULL),
                     CORE_ERR_INVALID); /* more points than the workspace */
    gen_ode_destroy(ode);
  }
}
END_TEST

START_TEST(test_cvode_step_limit) {
  gmm g = gmm_eight();
  gen_ode *ode = NULL;
  gen_ode_options o = cvode_opts(1e-10, 1e-12);
  o.max_steps = 5;
  ck_assert_int_eq(gen_ode_create(&ode, 2, 1, &o), CORE_OK);
  double x[2] = {1, 1}, ell = 0;
  ck_assert_int_eq(gen_ode_integrate(ode, gmm_field, &g, 1, 0, 1, x, &ell, NULL), CORE_ERR_SOLVER);
  gen_ode_destroy(ode);
}
END_TEST

START_TEST(test_options_validated) {
  gen_ode *ode = NULL;
  gen_ode_options o = opts(GEN_ODE_RK4, 0);
  ck_assert_int_eq(gen_ode_create(&ode, 2, 4, &o), CORE_ERR_INVALID);
  ck_assert_ptr_null(ode);
  o = cvode_opts(-1e-6, 1e-8);
  ck_assert_int_eq(gen_ode_create(&ode, 2, 4, &o), CORE_ERR_INVALID);
  o = opts(GEN_ODE_RK4, 4);
  ck_assert_int_eq(gen_ode_create(&ode, 0, 4, &o), CORE_ERR_INVALID);
  gen_ode_method m;
  ck_assert_int_eq(gen_ode_method_parse("heun", &m), CORE_OK);
  ck_assert_int_eq(m, GEN_ODE_HEUN);
  ck_assert_str_eq(gen_ode_method_name(GEN_ODE_CVODE), "cvode");
  ck_assert_int_eq(gen_ode_method_parse("rk45", &m), CORE_ERR_CONFIG);
  gen_ode_destroy(NULL);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("ode");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_oracle_points);
  tcase_add_test(tc, test_fixed_step_errors);
  tcase_add_test(tc, test_cvode_matches_rk4_500);
  tcase_add_test(tc, test_cvode_chunks);
  tcase_add_test(tc, test_linear_stability_polynomials);
  tcase_add_test(tc, test_cvode_linear_exact);
  tcase_add_test(tc, test_round_trip);
  tcase_add_test(tc, test_errors_propagate);
  tcase_add_test(tc, test_cvode_step_limit);
  tcase_add_test(tc, test_options_validated);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
