/* Allen-Cahn A: the method-of-lines reference (resolution and tolerance studies, the initial state,
 * its residual by independent finite differences), dr/du_s and the ansatz jets against finite
 * differences, and the initial/boundary values of u = g + t(1-x^2) N for any N. */
#include <gsl/gsl_math.h>
#include <string.h>

#include "check_main.h"
#include "pde/allen_cahn.h"
#include "pde/allen_cahn_mol.h"
#include "pde/reference_error.h"
#include "problem_checks.h"

#define EPS 0.001
#define RATE 5.0

/* A 65 x 11 grid over [-1,1] x [0,1]. */
static void small_grid(double *xt) {
  for (int i = 0; i < 65; i++)
    for (int j = 0; j < 11; j++) {
      xt[2 * (i * 11 + j)] = -1.0 + 2.0 * i / 64.0;
      xt[2 * (i * 11 + j) + 1] = j / 10.0;
    }
}

static double max_diff(size_t n, const double *a, const double *b) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++)
    m = fmax(m, fabs(a[i] - b[i]));
  return m;
}

/* Sixth-order convergence: 1024 -> 2048 -> 4096 intervals. The default (2048) must be within 1e-8
 * of 4096 (measured 7e-10 max on the 512 x 201 grid) and the coarser error at least 16x larger
 * (2^4; sixth order gives 2^6 = 64). */
START_TEST(test_resolution_study) {
  enum { N = 65 * 11 };
  double xt[2 * N], u1[N], u2[N], u4[N];
  small_grid(xt);
  ck_assert_int_eq(pde_ac_mol_eval(EPS, RATE, 1024, N, xt, u1), CORE_OK);
  ck_assert_int_eq(pde_ac_mol_eval(EPS, RATE, 2048, N, xt, u2), CORE_OK);
  ck_assert_int_eq(pde_ac_mol_eval(EPS, RATE, 4096, N, xt, u4), CORE_OK);
  double e1 = max_diff(N, u1, u4), e2 = max_diff(N, u2, u4);
  printf("MOL resolution: max |u_1024 - u_4096| %.2e, |u_2048 - u_4096| %.2e, ratio %.1f\n", e1, e2,
         e1 / e2);
  ck_assert_double_lt(e2, 1e-8);
  ck_assert_double_gt(e1 / e2, 16.0);
  /* The error pinnsolve records: the same comparison through pde_reference_error. */
  pde_problem p;
  pde_problem_init(&p, &pde_allen_cahn);
  double rel, mx;
  ck_assert_int_eq(pde_reference_error(&p, N, xt, u2, &rel, &mx), CORE_OK);
  ck_assert_double_eq_tol(mx, e2, 1e-15);
  ck_assert_double_lt(rel, 1e-8);
}
END_TEST

/* Time-integration error: the default tolerances against 100x tighter ones at 1024 intervals. */
START_TEST(test_tolerance_study) {
  pde_ac_mol *a = NULL, *b = NULL;
  ck_assert_int_eq(pde_ac_mol_create(&a, EPS, RATE, 1024, PDE_AC_MOL_RTOL, PDE_AC_MOL_ATOL),
                   CORE_OK);
  ck_assert_int_eq(pde_ac_mol_create(&b, EPS, RATE, 1024, PDE_AC_MOL_RTOL / 100,
                                     PDE_AC_MOL_ATOL / 100), CORE_OK);
  double worst = 0.0;
  for (int j = 1; j <= 10; j++) {
    const double *ga, *gb;
    ck_assert_int_eq(pde_ac_mol_advance(a, j / 10.0, &ga), CORE_OK);
    ck_assert_int_eq(pde_ac_mol_advance(b, j / 10.0, &gb), CORE_OK);
    worst = fmax(worst, max_diff(1025, ga, gb));
  }
  printf("MOL tolerance: max |u(rtol %.0e) - u(rtol %.0e)| = %.2e (%ld vs %ld steps)\n",
         PDE_AC_MOL_RTOL, PDE_AC_MOL_RTOL / 100, worst, pde_ac_mol_steps(a), pde_ac_mol_steps(b));
  ck_assert_double_lt(worst, 1e-8);
  pde_ac_mol_destroy(a);
  pde_ac_mol_destroy(b);
}
END_TEST

/* t = 0: the nodes hold x^2 cos(pi x), the walls -1, and degree-7 interpolation between nodes is
 * accurate to h^8 max|u0^(8)| / 8! ~ 1e-21 * (pi^8 x^2 ...) ~ 1e-15. Later times stay in [-1, 1]
 * (comparison principle: -1 and 1 are the stable states) and keep the wall values. */
START_TEST(test_initial_state_and_bounds) {
  pde_ac_mol *m = NULL;
  ck_assert_int_eq(pde_ac_mol_create(&m, EPS, RATE, 2048, PDE_AC_MOL_RTOL, PDE_AC_MOL_ATOL),
                   CORE_OK);
  const double *grid;
  ck_assert_int_eq(pde_ac_mol_advance(m, 0.0, &grid), CORE_OK);
  double worst = 0.0;
  for (int k = 0; k <= 1000; k++) {
    double x = -1.0 + 2.0 * k / 1000.0 + (k < 1000 ? 1.234e-4 : 0.0);
    worst = fmax(worst, fabs(pde_ac_mol_interpolate(m, grid, x) - x * x * cos(M_PI * x)));
  }
  printf("MOL t = 0: max |interpolated - x^2 cos(pi x)| %.2e\n", worst);
  ck_assert_double_lt(worst, 1e-12);
  ck_assert_int_eq(pde_ac_mol_advance(m, 1.0, &grid), CORE_OK);
  double lo = INFINITY, hi = -INFINITY;
  for (int j = 0; j <= 2048; j++) {
    lo = fmin(lo, grid[j]);
    hi = fmax(hi, grid[j]);
  }
  printf("MOL t = 1: range [%.12f, %.12f]\n", lo, hi);
  ck_assert_double_ge(lo, -1.0 - 1e-9);
  ck_assert_double_le(hi, 1.0 + 1e-9);
  ck_assert_double_eq(grid[0], -1.0);
  ck_assert_double_eq(grid[2048], -1.0);
  /* Going back in time is refused. */
  ck_assert_int_eq(pde_ac_mol_advance(m, 0.5, &grid), CORE_ERR_INVALID);
  core_error_clear();
  pde_ac_mol_destroy(m);
}
END_TEST

/* The PDE residual of the reference by finite differences independent of the solver's own
 * stencil: u_t by fourth-order central differences in t (dt = 1e-3) of CVODE's output, u_xx by
 * sixth-order differences with step H = 4h = 0.00195 on the 4096-interval grid (the solver's
 * stencil has step h). Expected: H^6 u^(8) / 560 in u_xx, with u^(8) up to ~1e4 / w^8 for the
 * tanh interface of width w = 0.02, i.e. ~2e-6 relative, and dt^4 u^(5)_t / 30 in u_t; so |r|
 * must be tiny next to the terms |u_t| + eps|u_xx| + rate|u^3 - u| (a wrong eps or rate would
 * leave them unbalanced by O(1)). */
START_TEST(test_reference_residual) {
  enum { INTERVALS = 4096, NODES = INTERVALS + 1 };
  pde_problem p;
  pde_problem_init(&p, &pde_allen_cahn);
  pde_ac_mol *m = NULL;
  ck_assert_int_eq(pde_ac_mol_create(&m, EPS, RATE, INTERVALS, PDE_AC_MOL_RTOL, PDE_AC_MOL_ATOL),
                   CORE_OK);
  static double rows[5][NODES];
  const double dt = 1e-3, times[] = {0.05, 0.25, 0.5, 0.9};
  const double h = pde_ac_mol_spacing(m);
  double worst = 0.0, worst_scale = 0.0;
  for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
    for (int q = 0; q < 5; q++) {
      const double *grid;
      ck_assert_int_eq(pde_ac_mol_advance(m, times[k] + (q - 2) * dt, &grid), CORE_OK);
      memcpy(rows[q], grid, sizeof rows[q]);
    }
    for (int j = 40; j <= INTERVALS - 40; j += 37) {
      const double *u = rows[2];
      double ut = (-rows[4][j] + 8 * rows[3][j] - 8 * rows[1][j] + rows[0][j]) / (12 * dt);
      double H = 4 * h;
      double uxx = (2 * (u[j + 12] + u[j - 12]) - 27 * (u[j + 8] + u[j - 8]) +
                    270 * (u[j + 4] + u[j - 4]) - 490 * u[j]) / (180 * H * H);
      double jets[4] = {u[j], 0.0, ut, uxx}, xt[2] = {-1.0 + j * h, times[k]}, r, dr[4];
      p.type->residual(&p, 1, xt, jets, &r, dr);
      double scale = fabs(ut) + EPS * fabs(uxx) + RATE * fabs(u[j] * u[j] * u[j] - u[j]);
      worst = fmax(worst, fabs(r) / (scale + 1e-3));
      worst_scale = fmax(worst_scale, scale);
    }
  }
  printf("MOL reference residual by independent FD: max |r| / (terms + 1e-3) = %.2e (largest "
         "term scale %.2f)\n", worst, worst_scale);
  ck_assert_double_lt(worst, 1e-5);
  pde_ac_mol_destroy(m);
}
END_TEST

START_TEST(test_residual_derivatives) {
  pde_problem p;
  pde_problem_init(&p, &pde_allen_cahn);
  double worst = pc_residual_derivative_error(&p, 7, 1e-6);
  printf("allen_cahn dr/du: worst signed rel err %.2e\n", worst);
  /* cubic in u: central differences err by rate h^2 = 5e-12 absolute, rounding by
   * 1e-16 |r| / h ~ 1e-9; relative to |dr/du| = rate |3u^2 - 1| (>= ~1e-2 at these draws) */
  ck_assert_double_lt(fabs(worst), 1e-6);
}
END_TEST

START_TEST(test_ansatz_jets) {
  pde_problem p;
  pde_problem_init(&p, &pde_allen_cahn);
  double worst = pc_ansatz_jet_error(&p, 3, 20, 1e-2);
  ck_assert_double_lt(fabs(worst), 1e-7); /* truncation pi^8 h^6 / 560 ~ 2e-11 */
}
END_TEST

START_TEST(test_ansatz_constraints) {
  pde_problem p;
  pde_problem_init(&p, &pde_allen_cahn);
  enum { N = 40, S = 4 };
  gsl_rng *rng = core_rng_create(11);
  double x[2 * N], g[S * N], l[S * N], net[S * N], u[S * N];
  for (int i = 0; i < N; i++) {
    int initial = i < N / 2;
    x[2 * i] = initial ? 2.0 * gsl_rng_uniform(rng) - 1.0 : (i % 2 ? 1.0 : -1.0);
    x[2 * i + 1] = initial ? 0.0 : gsl_rng_uniform(rng);
  }
  for (int i = 0; i < S * N; i++)
    net[i] = 1e3 * (2.0 * gsl_rng_uniform(rng) - 1.0);
  p.type->ansatz(&p, N, x, g, l);
  pde_compose_ansatz(&p.type->jets, N, g, l, net, u);
  double ic = 0.0, bc = 0.0;
  for (int i = 0; i < N; i++) {
    double xi = x[2 * i];
    if (i < N / 2)
      ic = fmax(ic, fabs(u[i] - xi * xi * cos(M_PI * xi)));
    else
      bc = fmax(bc, fabs(u[i] + 1.0));
  }
  printf("allen_cahn ansatz, |N| up to 1e3: |u(x,0) - x^2 cos(pi x)| %.2e, |u(+-1,t) + 1| %.2e\n",
         ic, bc);
  ck_assert_double_lt(ic, 1e-15);
  ck_assert_double_lt(bc, 1e-15);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_invalid_inputs) {
  pde_ac_mol *m = NULL;
  ck_assert_int_eq(pde_ac_mol_create(&m, 0.0, RATE, 256, 1e-8, 1e-10), CORE_ERR_INVALID);
  ck_assert_ptr_null(m);
  ck_assert_int_eq(pde_ac_mol_create(&m, EPS, RATE, 8, 1e-8, 1e-10), CORE_ERR_INVALID);
  double xt[2] = {1.5, 0.1}, u;
  ck_assert_int_eq(pde_ac_mol_eval(EPS, RATE, 256, 1, xt, &u), CORE_ERR_INVALID);
  xt[0] = 0.0;
  xt[1] = -0.1;
  ck_assert_int_eq(pde_ac_mol_eval(EPS, RATE, 256, 1, xt, &u), CORE_ERR_INVALID);
  core_error_clear();
  pde_ac_mol_destroy(NULL);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("allen_cahn");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_resolution_study);
  tcase_add_test(tc, test_tolerance_study);
  tcase_add_test(tc, test_initial_state_and_bounds);
  tcase_add_test(tc, test_reference_residual);
  tcase_add_test(tc, test_residual_derivatives);
  tcase_add_test(tc, test_ansatz_jets);
  tcase_add_test(tc, test_ansatz_constraints);
  tcase_add_test(tc, test_invalid_inputs);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
