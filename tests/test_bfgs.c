/* nn/line_search and nn/bfgs: strong Wolfe steps, secant equation, convergence on quadratics
 * and Rosenbrock, warm starts, error propagation. */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "check_main.h"
#include "nn/bfgs.h"
#include "nn/line_search.h"

/* ---- objectives ---- */

/* f = 1/2 x'Ax - b'x with A = Q diag(lambda) Q' (random SPD, condition number 1e3). */
typedef struct quadratic {
  int n;
  double a[20 * 20], b[20];
  int calls, fail_at; /* fail_at > 0: the fail_at-th call returns an error */
} quadratic;

static void quadratic_init(quadratic *q, int n, unsigned long seed) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  q->n = n;
  q->calls = 0;
  q->fail_at = 0;
  /* A = sum_k lambda_k v_k v_k' over a Gram-Schmidt basis of random vectors. */
  double v[20][20];
  for (int k = 0; k < n; k++) {
    for (int i = 0; i < n; i++)
      v[k][i] = gsl_rng_uniform(rng) - 0.5;
    for (int j = 0; j < k; j++) {
      double p = 0;
      for (int i = 0; i < n; i++)
        p += v[k][i] * v[j][i];
      for (int i = 0; i < n; i++)
        v[k][i] -= p * v[j][i];
    }
    double norm = 0;
    for (int i = 0; i < n; i++)
      norm += v[k][i] * v[k][i];
    for (int i = 0; i < n; i++)
      v[k][i] /= sqrt(norm);
  }
  for (int i = 0; i < n * n; i++)
    q->a[i] = 0;
  for (int k = 0; k < n; k++) {
    double lambda = pow(10.0, 3.0 * k / (n - 1));
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        q->a[i * n + j] += lambda * v[k][i] * v[k][j];
  }
  for (int i = 0; i < n; i++)
    q->b[i] = gsl_rng_uniform(rng) - 0.5;
  gsl_rng_free(rng);
}

static core_status quadratic_objective(void *ctx, const double *x, double *grad, double *loss) {
  quadratic *q = ctx;
  if (++q->calls == q->fail_at)
    return CORE_FAIL(CORE_ERR_SOLVER, "objective failed on purpose");
  double f = 0;
  for (int i = 0; i < q->n; i++) {
    double ax = 0;
    for (int j = 0; j < q->n; j++)
      ax += q->a[i * q->n + j] * x[j];
    grad[i] = ax - q->b[i];
    f += 0.5 * x[i] * ax - q->b[i] * x[i];
  }
  *loss = f;
  return CORE_OK;
}

/* Extended Rosenbrock: sum over pairs 100 (x_{2i+1} - x_{2i}^2)^2 + (1 - x_{2i})^2, minimum at 1. */
static core_status rosenbrock(void *ctx, const double *x, double *grad, double *loss) {
  int n = *(int *)ctx;
  double f = 0;
  for (int i = 0; i < n; i += 2) {
    double u = x[i + 1] - x[i] * x[i], v = 1 - x[i];
    f += 100 * u * u + v * v;
    grad[i] = -400 * u * x[i] - 2 * v;
    grad[i + 1] = 200 * u;
  }
  *loss = f;
  return CORE_OK;
}

/* ---- line search ---- */

/* 1-D phi(a) = f(a d) for f(x) = x^4 - 3x^2 + x type functions, gradient along d = 1. */
static core_status quartic(void *ctx, const double *x, double *grad, double *loss) {
  (void)ctx;
  double t = x[0];
  *loss = pow(t, 4) - 3 * t * t + t;
  grad[0] = 4 * pow(t, 3) - 6 * t + 1;
  return CORE_OK;
}

START_TEST(line_search_returns_strong_wolfe_steps) {
  /* From x = 0 (phi' = -... after the sign flip below) with very different first steps: every
   * accepted step must satisfy both conditions, checked here independently. */
  nn_line_search_options o = nn_line_search_default_options();
  nn_line_search *ls;
  ck_assert_int_eq(nn_line_search_create(&ls, 1, &o), CORE_OK);
  const double a0s[] = {1e-6, 1e-3, 0.1, 1.0, 10.0, 1e3};
  for (size_t k = 0; k < sizeof a0s / sizeof a0s[0]; k++) {
    double x = 0.5, f, g, d;
    quartic(NULL, &x, &g, &f);
    d = -g; /* descent */
    double x_new, g_new, f_new, step;
    int evals;
    nn_line_search_result result;
    ck_assert_int_eq(nn_line_search_run(ls, &x, f, &g, &d, a0s[k], quartic, NULL, &x_new, &g_new,
                                        &f_new, &step, &evals, &result),
                     CORE_OK);
    ck_assert_int_eq(result, NN_LINE_SEARCH_WOLFE);
    double check_f, check_g, at = x + step * d;
    quartic(NULL, &at, &check_g, &check_f);
    ck_assert_double_eq_tol(x_new, at, 1e-15);
    ck_assert_double_eq(f_new, check_f);
    ck_assert(check_f <= f + o.c1 * step * g * d);
    ck_assert(fabs(check_g * d) <= o.c2 * fabs(g * d));
    ck_assert_int_le(evals, o.max_evaluations);
  }
  nn_line_search_destroy(ls);
}
END_TEST

START_TEST(line_search_refuses_an_ascent_direction) {
  nn_line_search_options o = nn_line_search_default_options();
  nn_line_search *ls;
  ck_assert_int_eq(nn_line_search_create(&ls, 1, &o), CORE_OK);
  double x = 0.5, f, g;
  quartic(NULL, &x, &g, &f);
  double d = g, x_new = 99, g_new = 99, f_new = 99, step = 99;
  int evals;
  nn_line_search_result result;
  ck_assert_int_eq(nn_line_search_run(ls, &x, f, &g, &d, 1.0, quartic, NULL, &x_new, &g_new, &f_new,
                                      &step, &evals, &result),
                   CORE_OK);
  ck_assert_int_eq(result, NN_LINE_SEARCH_FAILED);
  ck_assert_int_eq(evals, 0);
  ck_assert_double_eq(x_new, 99);
  nn_line_search_destroy(ls);
}
END_TEST

/* ---- BFGS ---- */

static void solve_spd(int n, const double *a, const double *b, double *x) {
  /* Gaussian elimination without pivoting is stable for SPD matrices. */
  double m[20 * 21];
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++)
      m[i * (n + 1) + j] = a[i * n + j];
    m[i * (n + 1) + n] = b[i];
  }
  for (int k = 0; k < n; k++)
    for (int i = k + 1; i < n; i++) {
      double l = m[i * (n + 1) + k] / m[k * (n + 1) + k];
      for (int j = k; j <= n; j++)
        m[i * (n + 1) + j] -= l * m[k * (n + 1) + j];
    }
  for (int i = n - 1; i >= 0; i--) {
    double s = m[i * (n + 1) + n];
    for (int j = i + 1; j < n; j++)
      s -= m[i * (n + 1) + j] * x[j];
    x[i] = s / m[i * (n + 1) + i];
  }
}

static double max_abs_diff(int n, const double *a, const double *b) {
  double worst = 0;
  for (int i = 0; i < n; i++)
    worst = fmax(worst, fabs(a[i] - b[i]));
  return worst;
}

/* Records the last two iterates so the secant equation can be checked after the run. */
typedef struct secant_probe {
  quadratic *q;
  double previous[20], last[20];
  int iterations;
} secant_probe;

static core_status probe_objective(void *ctx, const double *x, double *grad, double *loss) {
  return quadratic_objective(((secant_probe *)ctx)->q, x, grad, loss);
}

static int probe_hook(void *ctx, int iteration, double loss, const double *x) {
  (void)loss;
  secant_probe *p = ctx;
  for (int i = 0; i < p->q->n; i++) {
    p->previous[i] = p->last[i];
    p->last[i] = x[i];
  }
  p->iterations = iteration;
  return 0;
}

static void check_quadratic_convergence(nn_bfgs_scaling scaling) {
  quadratic q;
  quadratic_init(&q, 20, 7);
  double exact[20], x[20] = {0};
  solve_spd(q.n, q.a, q.b, exact);
  nn_bfgs_options o = nn_bfgs_default_options();
  o.scaling = scaling;
  nn_bfgs *b;
  ck_assert_int_eq(nn_bfgs_create(&b, 20, &o), CORE_OK);
  secant_probe probe = {.q = &q};
  for (int i = 0; i < 20; i++)
    probe.last[i] = x[i];
  /* Every update satisfies the secant equation H+ y = s for its own pair (s, y); for a quadratic
   * y = A s. Checked after 5 iterations, while steps are still long. */
  nn_bfgs_report report;
  ck_assert_int_eq(nn_bfgs_minimize(b, x, 5, probe_objective, probe_hook, &probe, &report), CORE_OK);
  ck_assert_int_eq(report.iterations, 5);
  double s[20], y[20], hy[20], s_norm = 0;
  for (int i = 0; i < 20; i++) {
    s[i] = probe.last[i] - probe.previous[i];
    s_norm = fmax(s_norm, fabs(s[i]));
  }
  for (int i = 0; i < 20; i++) {
    y[i] = hy[i] = 0;
    for (int j = 0; j < 20; j++)
      y[i] += q.a[i * 20 + j] * s[j];
  }
  for (int i = 0; i < 20; i++)
    for (int j = 0; j < 20; j++)
      hy[i] += nn_bfgs_inverse_hessian(b, i, j) * y[j];
  ck_assert(s_norm > 1e-3);
  ck_assert_msg(max_abs_diff(20, hy, s) <= 1e-10 * s_norm, "secant error %g vs |s| %g",
                max_abs_diff(20, hy, s), s_norm);
  ck_assert_int_eq(nn_bfgs_minimize(b, x, 200, probe_objective, probe_hook, &probe, &report), CORE_OK);
  ck_assert_msg(max_abs_diff(20, x, exact) < 1e-8, "BFGS ended %g from A^-1 b after %d more iterations (%s)",
                max_abs_diff(20, x, exact), report.iterations, report.stop_reason);
  nn_bfgs_destroy(b);
}

START_TEST(bfgs_solves_an_ill_conditioned_quadratic) { check_quadratic_convergence(NN_BFGS_SCALING_NONE); }
END_TEST

START_TEST(self_scaled_bfgs_solves_an_ill_conditioned_quadratic) {
  check_quadratic_convergence(NN_BFGS_SCALING_OREN_LUENBERGER);
  check_quadratic_convergence(NN_BFGS_SCALING_AL_BAALI);
}
END_TEST

START_TEST(bfgs_finds_the_rosenbrock_minimum) {
  for (int scaling = 0; scaling < 3; scaling++) {
    int n = 10;
    double x[10];
    for (int i = 0; i < n; i++)
      x[i] = (i % 2) ? 1.0 : -1.2;
    nn_bfgs_options o = nn_bfgs_default_options();
    o.scaling = (nn_bfgs_scaling)scaling;
    nn_bfgs *b;
    ck_assert_int_eq(nn_bfgs_create(&b, (size_t)n, &o), CORE_OK);
    nn_bfgs_report report;
    ck_assert_int_eq(nn_bfgs_minimize(b, x, 500, rosenbrock, NULL, &n, &report), CORE_OK);
    for (int i = 0; i < n; i++)
      ck_assert_msg(fabs(x[i] - 1) < 1e-6, "x[%d] = %.10f after %d iterations, scaling %d (%s)", i, x[i],
                    report.iterations, scaling, report.stop_reason);
    ck_assert_int_ge(report.evaluations, report.iterations + 1);
    nn_bfgs_destroy(b);
  }
}
END_TEST

START_TEST(bfgs_split_into_calls_matches_one_call) {
  /* The approximation persists between calls, so 6 + 14 iterations walk the same path as 20
   * (up to rounding: a new call recomputes H g by a product instead of the update formula). */
  quadratic q;
  quadratic_init(&q, 20, 11);
  double one[20] = {0}, split[20] = {0};
  nn_bfgs_options o = nn_bfgs_default_options();
  nn_bfgs *b1, *b2;
  ck_assert_int_eq(nn_bfgs_create(&b1, 20, &o), CORE_OK);
  ck_assert_int_eq(nn_bfgs_create(&b2, 20, &o), CORE_OK);
  nn_bfgs_report r;
  ck_assert_int_eq(nn_bfgs_minimize(b1, one, 20, quadratic_objective, NULL, &q, &r), CORE_OK);
  ck_assert_int_eq(r.iterations, 20);
  ck_assert_int_eq(nn_bfgs_minimize(b2, split, 6, quadratic_objective, NULL, &q, &r), CORE_OK);
  ck_assert_int_eq(nn_bfgs_minimize(b2, split, 14, quadratic_objective, NULL, &q, &r), CORE_OK);
  ck_assert_msg(max_abs_diff(20, one, split) < 1e-10, "split path off by %g", max_abs_diff(20, one, split));
  /* After a reset the path differs (the curvature is gone). */
  double reset[20] = {0};
  nn_bfgs *b3;
  ck_assert_int_eq(nn_bfgs_create(&b3, 20, &o), CORE_OK);
  ck_assert_int_eq(nn_bfgs_minimize(b3, reset, 6, quadratic_objective, NULL, &q, &r), CORE_OK);
  nn_bfgs_reset(b3);
  ck_assert_int_eq(nn_bfgs_minimize(b3, reset, 14, quadratic_objective, NULL, &q, &r), CORE_OK);
  ck_assert_msg(max_abs_diff(20, reset, one) > 1e-6, "reset path off by only %g", max_abs_diff(20, reset, one));
  nn_bfgs_destroy(b1);
  nn_bfgs_destroy(b2);
  nn_bfgs_destroy(b3);
}
END_TEST

START_TEST(bfgs_propagates_objective_errors) {
  quadratic q;
  quadratic_init(&q, 5, 3);
  q.fail_at = 4;
  double x[5] = {0};
  nn_bfgs_options o = nn_bfgs_default_options();
  nn_bfgs *b;
  ck_assert_int_eq(nn_bfgs_create(&b, 5, &o), CORE_OK);
  ck_assert_int_eq(nn_bfgs_minimize(b, x, 50, quadratic_objective, NULL, &q, NULL), CORE_ERR_SOLVER);
  ck_assert_int_eq(q.calls, 4);
  nn_bfgs_destroy(b);
  ck_assert_int_eq(nn_bfgs_create(&b, NN_BFGS_MAX_VARIABLES + 1, &o), CORE_ERR_CONFIG);
  ck_assert_ptr_null(b);
  core_error_clear();
}
END_TEST

static int stop_after_three(void *ctx, int iteration, double loss, const double *x) {
  (void)ctx, (void)loss, (void)x;
  return iteration >= 3;
}

START_TEST(bfgs_stops_when_the_hook_asks) {
  quadratic q;
  quadratic_init(&q, 20, 5);
  double x[20] = {0};
  nn_bfgs_options o = nn_bfgs_default_options();
  nn_bfgs *b;
  ck_assert_int_eq(nn_bfgs_create(&b, 20, &o), CORE_OK);
  nn_bfgs_report r;
  ck_assert_int_eq(nn_bfgs_minimize(b, x, 100, quadratic_objective, stop_after_three, &q, &r), CORE_OK);
  ck_assert_int_eq(r.iterations, 3);
  ck_assert_str_eq(r.stop_reason, "stopped by caller");
  nn_bfgs_destroy(b);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("bfgs");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, line_search_returns_strong_wolfe_steps);
  tcase_add_test(tc, line_search_refuses_an_ascent_direction);
  tcase_add_test(tc, bfgs_solves_an_ill_conditioned_quadratic);
  tcase_add_test(tc, self_scaled_bfgs_solves_an_ill_conditioned_quadratic);
  tcase_add_test(tc, bfgs_finds_the_rosenbrock_minimum);
  tcase_add_test(tc, bfgs_split_into_calls_matches_one_call);
  tcase_add_test(tc, bfgs_propagates_objective_errors);
  tcase_add_test(tc, bfgs_stops_when_the_hook_asks);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
