/* Allen-Cahn B: the Fourier pseudo-spectral method-of-lines reference. The Fourier second
 * derivative and interpolant on trigonometric polynomials, the heat equation (rate 0) against its
 * exact solution, the N vs 2N resolution study and a tolerance study on the real problem, the
 * initial state, the PDE residual by finite differences independent of the solver, and argument
 * errors. */
#include <gsl/gsl_math.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "core/status.h"
#include "pde/allen_cahn_spectral.h"

#define EPS 1e-4
#define RATE 5.0

static double max_abs_diff(size_t n, const double *a, const double *b) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++)
    m = fmax(m, fabs(a[i] - b[i]));
  return m;
}

/* A trigonometric polynomial of degree < 32 plus the Nyquist mode of 64 nodes, cos(32 pi x), which
 * is (-1)^j at the nodes; every term is exactly representable on 64 nodes. */
static double trig_poly(double x, double *uxx) {
  const double a = 3 * M_PI, b = 5 * M_PI, c = 31 * M_PI, d = 32 * M_PI;
  *uxx = -a * a * sin(a * x) - b * b * cos(b * x) - 0.3 * c * c * cos(c * x) +
         0.2 * c * c * sin(c * x) - 0.1 * d * d * cos(d * x);
  return sin(a * x) + cos(b * x) + 0.3 * cos(c * x) - 0.2 * sin(c * x) + 0.1 * cos(d * x) + 0.7;
}

/* D2 of the polynomial at the nodes against the exact u_xx (|u_xx| up to ~3e3): only rounding
 * remains, ~1e-16 * (pi n/2)^2 * log n. A wrong wavenumber (pi k vs 2 pi k, or the Nyquist entry
 * misplaced) is off by O(1). */
START_TEST(test_second_derivative_exact) {
  enum { N = 64 };
  double u[N], uxx[N], exact[N], scale = 0.0;
  for (int j = 0; j < N; j++) {
    u[j] = trig_poly(-1.0 + 2.0 * j / N, &exact[j]);
    scale = fmax(scale, fabs(exact[j]));
  }
  ck_assert_int_eq(pde_ac_spectral_second_derivative(N, u, uxx), CORE_OK);
  double err = max_abs_diff(N, uxx, exact) / scale;
  printf("Fourier D2 on a degree-32 trigonometric polynomial: max |err| / max |u_xx| = %.2e "
         "(max |u_xx| %.0f)\n", err, scale);
  ck_assert_double_lt(err, 1e-13);
  /* In place gives the same. */
  ck_assert_int_eq(pde_ac_spectral_second_derivative(N, u, u), CORE_OK);
  ck_assert_double_lt(max_abs_diff(N, u, uxx), 1e-12 * scale);
}
END_TEST

/* The trigonometric interpolant of the same nodal values reproduces the polynomial between the
 * nodes and outside [-1, 1] (period 2). Off the nodes the Nyquist mode is ambiguous (cos vs sin
 * parts alias), so this uses the polynomial without it. */
START_TEST(test_interpolant_exact) {
  enum { N = 64 };
  double u0[N], dummy;
  for (int j = 0; j < N; j++) {
    double x = -1.0 + 2.0 * j / N;
    u0[j] = trig_poly(x, &dummy) - 0.1 * cos(32 * M_PI * x);
  }
  pde_ac_spectral *m = NULL;
  ck_assert_int_eq(pde_ac_spectral_create_from(&m, 0.01, 0.0, N, 1e-10, 1e-12, u0), CORE_OK);
  double worst = 0.0;
  for (int k = 0; k <= 997; k++) {
    double x = -1.3 + 2.6 * k / 997.0;
    double want = trig_poly(x, &dummy) - 0.1 * cos(32 * M_PI * x);
    worst = fmax(worst, fabs(pde_ac_spectral_interpolate(m, x) - want));
  }
  printf("Fourier interpolant on 998 points in [-1.3, 1.3]: max |err| = %.2e\n", worst);
  ck_assert_double_lt(worst, 1e-13);
  pde_ac_spectral_destroy(m);
  /* With the Nyquist mode the interpolant still passes through every node. */
  for (int j = 0; j < N; j++)
    u0[j] = trig_poly(-1.0 + 2.0 * j / N, &dummy);
  ck_assert_int_eq(pde_ac_spectral_create_from(&m, 0.01, 0.0, N, 1e-10, 1e-12, u0), CORE_OK);
  worst = 0.0;
  for (int j = 0; j < N; j++)
    worst = fmax(worst, fabs(pde_ac_spectral_interpolate(m, -1.0 + 2.0 * j / N) - u0[j]));
  ck_assert_double_lt(worst, 1e-13);
  pde_ac_spectral_destroy(m);
}
END_TEST

/* rate = 0: u_t = eps u_xx from cos(3 pi x) + 0.5 sin(7 pi x) decays mode by mode,
 * u = exp(-eps 9 pi^2 t) cos(3 pi x) + 0.5 exp(-eps 49 pi^2 t) sin(7 pi x). eps = 0.01 so the
 * modes decay by exp(-0.89) and exp(-4.8) by t = 1. Space is exact, so this is CVODE's error. */
START_TEST(test_heat_equation_exact) {
  enum { N = 64 };
  const double eps = 0.01;
  double u0[N];
  for (int j = 0; j < N; j++) {
    double x = -1.0 + 2.0 * j / N;
    u0[j] = cos(3 * M_PI * x) + 0.5 * sin(7 * M_PI * x);
  }
  pde_ac_spectral *m = NULL;
  ck_assert_int_eq(pde_ac_spectral_create_from(&m, eps, 0.0, N, PDE_AC_SPECTRAL_RTOL,
                                               PDE_AC_SPECTRAL_ATOL, u0), CORE_OK);
  const double times[] = {0.1, 0.5, 1.0};
  double worst = 0.0;
  for (int k = 0; k < 3; k++) {
    const double *grid, t = times[k];
    ck_assert_int_eq(pde_ac_spectral_advance(m, t, &grid), CORE_OK);
    double d3 = exp(-eps * 9 * M_PI * M_PI * t), d7 = exp(-eps * 49 * M_PI * M_PI * t);
    for (int i = 0; i <= 200; i++) {
      double x = -1.0 + 2.0 * i / 200.0 + 1e-3;
      double want = d3 * cos(3 * M_PI * x) + 0.5 * d7 * sin(7 * M_PI * x);
      worst = fmax(worst, fabs(pde_ac_spectral_interpolate(m, x) - want));
    }
  }
  printf("heat equation (rate 0, eps %.2g): max |u - exact| over t = 0.1, 0.5, 1 is %.2e "
         "(%ld steps)\n", eps, worst, pde_ac_spectral_steps(m));
  ck_assert_double_lt(worst, 1e-9);
  pde_ac_spectral_destroy(m);
}
END_TEST

/* The 512 x 21 grid x_i = -1 + 2i/512 (+ an offset so that most points are off the nodes),
 * t_j = j / 20. */
enum { GRID_X = 512, GRID_T = 21, GRID = GRID_X * GRID_T };

static void study_grid(double *xt) {
  for (int i = 0; i < GRID_X; i++)
    for (int j = 0; j < GRID_T; j++) {
      xt[2 * (i * GRID_T + j)] = -1.0 + 2.0 * (i + 0.37) / GRID_X;
      xt[2 * (i * GRID_T + j) + 1] = j / 20.0;
    }
}

static double rel_l2_diff(size_t n, const double *a, const double *b) {
  double d = 0.0, s = 0.0;
  for (size_t i = 0; i < n; i++) {
    d += (a[i] - b[i]) * (a[i] - b[i]);
    s += b[i] * b[i];
  }
  return sqrt(d / s);
}

/* N vs 2N for N = 128 .. 2048 through pde_ac_spectral_eval. Measured (max abs / rel L2):
 * 8.3e-2 / 4.1e-3, 4.4e-3 / 1.8e-4, 1.2e-5 / 5.7e-7, 4.7e-10 / 4.2e-11, 1.9e-10 / 6.2e-11: once
 * the interfaces (width 0.0063) are resolved the differences fall by 1e2 - 1e4 per doubling, down
 * to the time-integration floor ~1e-10 (test_tolerance_study). Asserted: the first three doublings
 * shrink both by >= 10x, 256 -> 512 -> 1024 by >= 100x and >= 1000x, and 1024 vs 2048 and 2048 vs
 * 4096 are below 1e-8 (max) and 1e-9 (relative L2). */
START_TEST(test_resolution_study) {
  enum { LEVELS = 6 };
  static double xt[2 * GRID], u[LEVELS][GRID];
  study_grid(xt);
  const int nodes[LEVELS] = {128, 256, 512, 1024, 2048, 4096};
  for (int l = 0; l < LEVELS; l++)
    ck_assert_int_eq(pde_ac_spectral_eval(EPS, RATE, nodes[l], GRID, xt, u[l]), CORE_OK);
  double mx[LEVELS - 1], rel[LEVELS - 1];
  for (int l = 0; l + 1 < LEVELS; l++) {
    mx[l] = max_abs_diff(GRID, u[l], u[l + 1]);
    rel[l] = rel_l2_diff(GRID, u[l], u[l + 1]);
    printf("spectral resolution: N %4d vs %4d: max |diff| %.2e, relative L2 %.2e\n", nodes[l],
           nodes[l + 1], mx[l], rel[l]);
    fflush(stdout);
  }
  for (int l = 0; l < 3; l++) {
    ck_assert_double_gt(mx[l] / mx[l + 1], 10.0);
    ck_assert_double_gt(rel[l] / rel[l + 1], 10.0);
  }
  ck_assert_double_gt(mx[1] / mx[2], 100.0);
  ck_assert_double_gt(mx[2] / mx[3], 1000.0);
  for (int l = 3; l < 5; l++) {
    ck_assert_double_lt(mx[l], 1e-8);
    ck_assert_double_lt(rel[l], 1e-9);
  }
}
END_TEST

/* Time-integration error: the default tolerances against 100x tighter ones at 1024 nodes. */
START_TEST(test_tolerance_study) {
  enum { N = 1024 };
  pde_ac_spectral *a = NULL, *b = NULL;
  ck_assert_int_eq(pde_ac_spectral_create(&a, EPS, RATE, N, PDE_AC_SPECTRAL_RTOL,
                                          PDE_AC_SPECTRAL_ATOL), CORE_OK);
  ck_assert_int_eq(pde_ac_spectral_create(&b, EPS, RATE, N, PDE_AC_SPECTRAL_RTOL / 100,
                                          PDE_AC_SPECTRAL_ATOL / 100), CORE_OK);
  double worst = 0.0;
  for (int j = 1; j <= 20; j++) {
    const double *ga, *gb;
    ck_assert_int_eq(pde_ac_spectral_advance(a, j / 20.0, &ga), CORE_OK);
    ck_assert_int_eq(pde_ac_spectral_advance(b, j / 20.0, &gb), CORE_OK);
    worst = fmax(worst, max_abs_diff(N, ga, gb));
  }
  printf("spectral tolerance: max |u(rtol %.0e) - u(rtol %.0e)| = %.2e (%ld vs %ld steps, %ld vs "
         "%ld GMRES iterations)\n", PDE_AC_SPECTRAL_RTOL, PDE_AC_SPECTRAL_RTOL / 100, worst,
         pde_ac_spectral_steps(a), pde_ac_spectral_steps(b),
         pde_ac_spectral_linear_iterations(a), pde_ac_spectral_linear_iterations(b));
  ck_assert_double_lt(worst, 1e-8);
  pde_ac_spectral_destroy(a);
  pde_ac_spectral_destroy(b);
}
END_TEST

/* t = 0 reports u0 exactly (grid and interpolant); t = 1 stays in [-1, 1] (comparison principle:
 * -1 and 1 are the stable states), is even in x (u0 is, and the PDE keeps it) and periodic. */
START_TEST(test_initial_state_and_bounds) {
  enum { N = 512 };
  pde_ac_spectral *m = NULL;
  ck_assert_int_eq(pde_ac_spectral_create(&m, EPS, RATE, N, PDE_AC_SPECTRAL_RTOL,
                                          PDE_AC_SPECTRAL_ATOL), CORE_OK);
  ck_assert_int_eq(pde_ac_spectral_nodes(m), N);
  const double *grid;
  ck_assert_int_eq(pde_ac_spectral_advance(m, 0.0, &grid), CORE_OK);
  double worst = 0.0;
  for (int j = 0; j < N; j++) {
    double x = -1.0 + 2.0 * j / N;
    worst = fmax(worst, fabs(grid[j] - x * x * cos(M_PI * x)));
  }
  for (int k = 0; k <= 1000; k++) {
    double x = -1.0 + 2.0 * k / 1000.0 + 1.234e-4 * (k < 1000);
    worst = fmax(worst, fabs(pde_ac_spectral_interpolate(m, x) - x * x * cos(M_PI * x)));
  }
  ck_assert_double_lt(worst, 1e-15);
  ck_assert_int_eq(pde_ac_spectral_advance(m, 1.0, &grid), CORE_OK);
  double lo = INFINITY, hi = -INFINITY, asym = 0.0, period = 0.0;
  for (int j = 0; j < N; j++) {
    lo = fmin(lo, grid[j]);
    hi = fmax(hi, grid[j]);
    asym = fmax(asym, fabs(grid[j] - grid[(N - j) % N])); /* x_{N-j} = -x_j */
  }
  for (int k = 0; k < 100; k++) {
    double x = -1.0 + 0.0199 * k + 0.003;
    period = fmax(period, fabs(pde_ac_spectral_interpolate(m, x) -
                               pde_ac_spectral_interpolate(m, x + 2.0)));
  }
  printf("spectral t = 1: range [%.12f, %.12f], max |u(x) - u(-x)| %.2e, max |u(x) - u(x+2)| "
         "%.2e\n", lo, hi, asym, period);
  ck_assert_double_ge(lo, -1.0 - 1e-9);
  ck_assert_double_le(hi, 1.0 + 1e-9);
  ck_assert_double_lt(asym, 1e-9);
  ck_assert_double_lt(period, 1e-12);
  pde_ac_spectral_destroy(m);
}
END_TEST

/* The state the integrator starts from is the Fourier series of u0 truncated to |k| < N/2. Its
 * tail sum_{k >= N/2} a_k cos(k pi x), a_k ~ 4 (-1)^(k+1) / (pi k)^2, is below
 * (4 / pi^2) / ((N/2)^2 sin(pi (1 - |x|) / 2)) ~ 5e-6 for |x| <= 0.8 at N = 1024, and O(1/N)
 * (~1e-3) at the kink x = +-1. Seen through the interpolant at t = 1e-10 (the modes move by
 * eps (pi k)^2 t < 1e-4 relative). A wrong coefficient formula is off by >= 1e-4 somewhere. */
START_TEST(test_initial_projection) {
  enum { N = 1024 };
  pde_ac_spectral *m = NULL;
  ck_assert_int_eq(pde_ac_spectral_create(&m, EPS, RATE, N, PDE_AC_SPECTRAL_RTOL,
                                          PDE_AC_SPECTRAL_ATOL), CORE_OK);
  const double *grid;
  ck_assert_int_eq(pde_ac_spectral_advance(m, 1e-10, &grid), CORE_OK);
  double inner = 0.0, kink = 0.0;
  for (int k = 0; k <= 2000; k++) {
    double x = -1.0 + 2.0 * k / 2000.0;
    double err = fabs(pde_ac_spectral_interpolate(m, x) - x * x * cos(M_PI * x));
    if (fabs(x) <= 0.8)
      inner = fmax(inner, err);
    else
      kink = fmax(kink, err);
  }
  printf("truncated series of u0 at N = %d: max |err| %.2e for |x| <= 0.8, %.2e near x = +-1\n", N,
         inner, kink);
  ck_assert_double_lt(inner, 1e-5);
  ck_assert_double_lt(kink, 3e-3);
  pde_ac_spectral_destroy(m);
}
END_TEST

/* The PDE residual r = u_t - eps u_xx + rate (u^3 - u) of the reference, by finite differences of
 * interpolated values that share nothing with the solver's D2: u_t by fourth-order central
 * differences in t (dt = 1e-3) of CVODE's interpolated output, u_xx by sixth-order central
 * differences with step H = 2.5e-4 of the trigonometric interpolant. Truncation: in u_xx
 * H^6 u^(8) / 560 with u^(8) ~ 1e3 / w^8 for interfaces of width w = 0.0063, i.e. ~1e-6 of
 * |u_xx| ~ 1 / w^2; rounding 1e-14 * 5 / H^2 ~ 1e-6 in u_xx, 1e-10 in eps u_xx; in u_t
 * dt^4 |u_ttttt| / 30 with rates ~ rate^5. Centres: 41 spread points and every interface (sign
 * change of u on the grid), where the terms are largest. A wrong eps or rate would leave the terms
 * unbalanced by O(1) there. */
enum { MAX_CENTRES = 64 };

static int residual_centres(const double *grid, int n, double *x) {
  int count = 0;
  for (int k = 0; k <= 40; k++)
    x[count++] = -0.995 + 0.04877 * k;
  for (int j = 0; j < n && count < MAX_CENTRES; j++)
    if (grid[j] * grid[(j + 1) % n] <= 0.0)
      x[count++] = -1.0 + 2.0 * (j + 0.5) / n;
  return count;
}

START_TEST(test_reference_residual) {
  enum { N = 2048 };
  pde_ac_spectral *m = NULL;
  ck_assert_int_eq(pde_ac_spectral_create(&m, EPS, RATE, N, PDE_AC_SPECTRAL_RTOL,
                                          PDE_AC_SPECTRAL_ATOL), CORE_OK);
  const double dt = 1e-3, H = 2.5e-4, times[] = {0.05, 0.25, 0.5, 0.9};
  double worst = 0.0, worst_scale = 0.0;
  int interfaces = 0;
  for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
    double xc[MAX_CENTRES], ut_rows[5][MAX_CENTRES], uxx[MAX_CENTRES];
    int count = 0;
    for (int q = 0; q < 5; q++) {
      const double *grid;
      ck_assert_int_eq(pde_ac_spectral_advance(m, times[k] + (q - 2) * dt, &grid), CORE_OK);
      if (q == 0)
        count = residual_centres(grid, N, xc);
      for (int c = 0; c < count; c++) {
        ut_rows[q][c] = pde_ac_spectral_interpolate(m, xc[c]);
        if (q != 2)
          continue;
        double v[7];
        for (int s = -3; s <= 3; s++)
          v[s + 3] = pde_ac_spectral_interpolate(m, xc[c] + s * H);
        uxx[c] = (2 * (v[0] + v[6]) - 27 * (v[1] + v[5]) + 270 * (v[2] + v[4]) - 490 * v[3]) /
                 (180 * H * H);
      }
    }
    interfaces += count - 41;
    for (int c = 0; c < count; c++) {
      double u = ut_rows[2][c];
      double ut = (-ut_rows[4][c] + 8 * ut_rows[3][c] - 8 * ut_rows[1][c] + ut_rows[0][c]) /
                  (12 * dt);
      double r = ut - EPS * uxx[c] + RATE * (u * u * u - u);
      double scale = fabs(ut) + EPS * fabs(uxx[c]) + RATE * fabs(u * u * u - u);
      worst = fmax(worst, fabs(r) / (scale + 1e-3));
      worst_scale = fmax(worst_scale, scale);
    }
  }
  printf("spectral reference residual by independent FD: max |r| / (terms + 1e-3) = %.2e (largest "
         "term scale %.2f, %d interface centres)\n", worst, worst_scale, interfaces);
  ck_assert_int_gt(interfaces, 0);
  ck_assert_double_gt(worst_scale, 1.0);
  ck_assert_double_lt(worst, 1e-5);
  pde_ac_spectral_destroy(m);
}
END_TEST

/* Each bad argument returns CORE_ERR_INVALID with a message and leaves no object behind. */
static void expect_invalid(core_status st) {
  ck_assert_int_eq(st, CORE_ERR_INVALID);
  ck_assert_uint_gt(strlen(core_error_message()), 0);
  printf("  refused: %s\n", core_error_message());
  core_error_clear();
}

START_TEST(test_invalid_inputs) {
  pde_ac_spectral *m = NULL;
  expect_invalid(pde_ac_spectral_create(&m, EPS, RATE, 1000, 1e-8, 1e-10)); /* not 2^k */
  ck_assert_ptr_null(m);
  expect_invalid(pde_ac_spectral_create(&m, EPS, RATE, 8, 1e-8, 1e-10)); /* too few */
  expect_invalid(pde_ac_spectral_create(&m, 0.0, RATE, 256, 1e-8, 1e-10));
  expect_invalid(pde_ac_spectral_create(&m, -1e-4, RATE, 256, 1e-8, 1e-10));
  expect_invalid(pde_ac_spectral_create(&m, NAN, RATE, 256, 1e-8, 1e-10));
  expect_invalid(pde_ac_spectral_create(&m, EPS, -5.0, 256, 1e-8, 1e-10));
  expect_invalid(pde_ac_spectral_create(&m, EPS, RATE, 256, 0.0, 1e-10));
  ck_assert_ptr_null(m);
  double u[48] = {0}, uxx[48];
  expect_invalid(pde_ac_spectral_second_derivative(48, u, uxx));
  double xt[2] = {1.5, 0.1}, v;
  expect_invalid(pde_ac_spectral_eval(EPS, RATE, 256, 1, xt, &v));
  xt[0] = 0.0;
  xt[1] = -0.1;
  expect_invalid(pde_ac_spectral_eval(EPS, RATE, 256, 1, xt, &v));
  expect_invalid(pde_ac_spectral_eval(EPS, RATE, 100, 0, xt, &v));
  /* Going back in time is refused; the state stays usable. */
  ck_assert_int_eq(pde_ac_spectral_create(&m, EPS, RATE, 64, 1e-8, 1e-10), CORE_OK);
  const double *grid;
  ck_assert_int_eq(pde_ac_spectral_advance(m, 0.2, &grid), CORE_OK);
  expect_invalid(pde_ac_spectral_advance(m, 0.1, &grid));
  expect_invalid(pde_ac_spectral_advance(m, NAN, &grid));
  ck_assert_int_eq(pde_ac_spectral_advance(m, 0.2, &grid), CORE_OK);
  ck_assert_int_eq(pde_ac_spectral_advance(m, 0.3, &grid), CORE_OK);
  pde_ac_spectral_destroy(m);
  pde_ac_spectral_destroy(NULL);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("allen_cahn_spectral");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_second_derivative_exact);
  tcase_add_test(tc, test_interpolant_exact);
  tcase_add_test(tc, test_heat_equation_exact);
  tcase_add_test(tc, test_resolution_study);
  tcase_add_test(tc, test_tolerance_study);
  tcase_add_test(tc, test_initial_state_and_bounds);
  tcase_add_test(tc, test_initial_projection);
  tcase_add_test(tc, test_reference_residual);
  tcase_add_test(tc, test_invalid_inputs);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
