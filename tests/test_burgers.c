/* Burgers: the Cole-Hopf reference against oracle values and an independent quadrature, the
 * residual of the exact solution, dr/du_s and the ansatz jets against finite differences. */
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdio.h>

#include "check_main.h"
#include "core/rng.h"
#include "pde/burgers.h"
#include "pde/cole_hopf.h"

#define NU_DEFAULT (0.01 / M_PI)

static double signed_rel(double approx, double exact) {
  return fabs(exact) > 1e-8 ? (approx - exact) / fabs(exact) : approx - exact;
}

static double keep_worst(double worst, double e) { return fabs(e) > fabs(worst) ? e : worst; }

/* Probe values (x, t, u) of the exact solution, shared/REFERENCES.md section 1. */
static const double PROBES[5][3] = {
    {0.0039215686274509665, 0.99, -0.31231872553695528},
    {0.0117647058823528990, 0.99, -0.64067898768862497},
    {0.0039215686274509665, 0.50, -0.53200288708126164},
    {-0.4980392156862745200, 0.25, 0.80566191640662121},
    {-0.2156862745098039300, 0.10, 0.79739914204959761},
};

START_TEST(test_probe_values) {
  pde_problem p;
  pde_problem_init(&p, &pde_burgers);
  double xt[10], u[5];
  for (int i = 0; i < 5; i++) {
    xt[2 * i] = PROBES[i][0];
    xt[2 * i + 1] = PROBES[i][1];
  }
  ck_assert_int_eq(p.type->reference(&p, 5, xt, u), CORE_OK);
  double worst = 0.0;
  for (int i = 0; i < 5; i++) {
    printf("probe (%+.4f, %.2f): u = %.17f, minus oracle %+.2e\n", PROBES[i][0], PROBES[i][1],
           u[i], u[i] - PROBES[i][2]);
    worst = fmax(worst, fabs(u[i] - PROBES[i][2]));
  }
  printf("max probe error %.2e\n", worst);
  ck_assert_double_lt(worst, 1e-10);
}
END_TEST

/* The same five points by adaptive quadrature at 40 significant digits (mpmath, breakpoints
 * every 0.01 in eta) [computed for this test]. The shared probe values above differ from these by
 * up to 1.2e-11 at the shock; the Gauss-Hermite rule reproduces these to a few ulps. */
static const double PROBES_40_DIGITS[5] = {
    -0.31231872554902732896, -0.64067898769327730453, -0.53200288706985037553,
    0.80566191640662174336, 0.79739914204959801779,
};

START_TEST(test_high_precision_values) {
  pde_cole_hopf *ch = NULL;
  ck_assert_int_eq(pde_cole_hopf_create(&ch, NU_DEFAULT, PDE_COLE_HOPF_DEFAULT_NODES), CORE_OK);
  double worst = 0.0;
  for (int i = 0; i < 5; i++)
    worst = fmax(worst, fabs(pde_cole_hopf_value(ch, PROBES[i][0], PROBES[i][1]) -
                             PROBES_40_DIGITS[i]));
  printf("max error against 40-digit values %.2e\n", worst);
  ck_assert_double_lt(worst, 1e-14);
  pde_cole_hopf_destroy(ch);
}
END_TEST

/* Trapezoid rule in eta on [-L, L], L = 20 sqrt(4 nu t) (G < exp(-400) beyond), with the same
 * max-exponent scaling: an independent check of the Gauss-Hermite rule (spectrally accurate for
 * this rapidly decaying smooth integrand). */
static double trapezoid_reference(double x, double t, double nu, int m) {
  double L = 20.0 * sqrt(4.0 * nu * t), h = 2.0 * L / m, emax = -INFINITY;
  for (int pass = 0; pass < 2; pass++) {
    double num = 0.0, den = 0.0;
    for (int i = 0; i <= m; i++) {
      double eta = -L + i * h, y = x - eta;
      double e = -cos(M_PI * y) / (2.0 * M_PI * nu) - eta * eta / (4.0 * nu * t);
      if (pass == 0) {
        emax = fmax(emax, e);
        continue;
      }
      double a = exp(e - emax) * ((i == 0 || i == m) ? 0.5 : 1.0);
      num += sin(M_PI * y) * a;
      den += a;
    }
    if (pass == 1)
      return -num / den;
  }
  return NAN;
}

START_TEST(test_against_trapezoid) {
  pde_cole_hopf *ch = NULL;
  ck_assert_int_eq(pde_cole_hopf_create(&ch, NU_DEFAULT, PDE_COLE_HOPF_DEFAULT_NODES), CORE_OK);
  const double pts[][2] = {{PROBES[0][0], 0.99}, {PROBES[1][0], 0.99}, {PROBES[2][0], 0.5},
                           {0.0, 1.0}, {-0.01, 1.0}, {0.3, 0.02}, {0.9, 0.7}, {-1.0, 0.4}};
  double worst = 0.0;
  for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
    double ref = trapezoid_reference(pts[i][0], pts[i][1], NU_DEFAULT, 16000);
    worst = fmax(worst, fabs(pde_cole_hopf_value(ch, pts[i][0], pts[i][1]) - ref));
  }
  printf("Gauss-Hermite 200 vs trapezoid 16000: max |diff| %.2e\n", worst);
  ck_assert_double_lt(worst, 1e-13);
  pde_cole_hopf_destroy(ch);
}
END_TEST

/* On the standard 256 x 100 evaluation grid: 200 nodes agree with 300, the solution is odd in x,
 * vanishes at x = +-1 and starts from -sin(pi x). */
START_TEST(test_grid_convergence_and_symmetry) {
  pde_cole_hopf *a = NULL, *b = NULL;
  ck_assert_int_eq(pde_cole_hopf_create(&a, NU_DEFAULT, 200), CORE_OK);
  ck_assert_int_eq(pde_cole_hopf_create(&b, NU_DEFAULT, 300), CORE_OK);
  double conv = 0.0, odd = 0.0, bc = 0.0, ic = 0.0;
  for (int j = 0; j < 100; j++) {
    double t = 0.99 * j / 99.0;
    for (int i = 0; i < 256; i++) {
      double x = -1.0 + 2.0 * i / 255.0, u = pde_cole_hopf_value(a, x, t);
      ck_assert(isfinite(u));
      conv = fmax(conv, fabs(u - pde_cole_hopf_value(b, x, t)));
      odd = fmax(odd, fabs(u + pde_cole_hopf_value(a, -x, t)));
      if (j == 0)
        ic = fmax(ic, fabs(u + sin(M_PI * x)));
    }
    bc = fmax(bc, fabs(pde_cole_hopf_value(a, -1.0, t)));
    bc = fmax(bc, fabs(pde_cole_hopf_value(a, 1.0, t)));
  }
  printf("grid: |200 - 300 nodes| %.2e, |u(x)+u(-x)| %.2e, |u(+-1,t)| %.2e, |u(x,0)+sin| %.2e\n",
         conv, odd, bc, ic);
  ck_assert_double_lt(conv, 1e-13);
  ck_assert_double_lt(odd, 1e-13);
  ck_assert_double_lt(bc, 1e-13);
  ck_assert_double_eq(ic, 0.0);
  pde_cole_hopf_destroy(a);
  pde_cole_hopf_destroy(b);
}
END_TEST

START_TEST(test_invalid_inputs) {
  pde_cole_hopf *ch = NULL;
  ck_assert_int_eq(pde_cole_hopf_create(&ch, 0.0, 200), CORE_ERR_INVALID);
  ck_assert_ptr_null(ch);
  ck_assert_int_eq(pde_cole_hopf_create(&ch, NU_DEFAULT, 1), CORE_ERR_INVALID);
  core_error_clear();
  ck_assert_int_eq(pde_cole_hopf_create(&ch, NU_DEFAULT, 50), CORE_OK);
  double xt[4] = {0.1, 0.5, 0.2, -0.1}, u[2];
  ck_assert_int_eq(pde_cole_hopf_eval(ch, 2, xt, u), CORE_ERR_INVALID);
  xt[3] = NAN;
  ck_assert_int_eq(pde_cole_hopf_eval(ch, 2, xt, u), CORE_ERR_INVALID);
  pde_cole_hopf_destroy(ch);
  pde_cole_hopf_destroy(NULL);
}
END_TEST

/* Sixth-order central differences: first derivative (45, -9, 1)/60 and second derivative
 * (270, -27, 2)/180 with centre -490/180; truncation O(h^6). */
static double fd_d1(const pde_cole_hopf *ch, double x, double t, int along_t, double h) {
  const double c[3] = {45.0 / 60.0, -9.0 / 60.0, 1.0 / 60.0};
  double s = 0.0;
  for (int j = 1; j <= 3; j++) {
    double d = j * h;
    double dx = along_t ? 0.0 : d, dt = along_t ? d : 0.0;
    s += c[j - 1] *
         (pde_cole_hopf_value(ch, x + dx, t + dt) - pde_cole_hopf_value(ch, x - dx, t - dt));
  }
  return s / h;
}

static double fd_dxx(const pde_cole_hopf *ch, double x, double t, double h) {
  const double c[3] = {270.0 / 180.0, -27.0 / 180.0, 2.0 / 180.0};
  double s = -490.0 / 180.0 * pde_cole_hopf_value(ch, x, t);
  for (int j = 1; j <= 3; j++)
    s += c[j - 1] * (pde_cole_hopf_value(ch, x + j * h, t) + pde_cole_hopf_value(ch, x - j * h, t));
  return s / (h * h);
}

/* The residual op on Cole-Hopf jets from finite differences, away from the shock (|x| >= 0.2,
 * where u is smooth on an O(1) scale). Expected size: quadrature noise ~1e-16 becomes ~1e-13 in
 * u_x and ~5e-10 in u_xx at h = 1e-3 (times nu = 3e-3), truncation h^6 |u^(7)| / 140 is smaller;
 * so |r| <= 1e-9 relative to |u_t| + |u u_x| + nu |u_xx| leaves a decade of margin, while a wrong
 * sign or factor in any term would give O(1). */
START_TEST(test_exact_solution_residual) {
  pde_problem p;
  pde_problem_init(&p, &pde_burgers);
  pde_cole_hopf *ch = NULL;
  ck_assert_int_eq(pde_cole_hopf_create(&ch, p.params[0], 200), CORE_OK);
  const double xs[] = {-0.9, -0.6, -0.3, -0.2, 0.2, 0.45, 0.75, 0.95};
  const double ts[] = {0.1, 0.3, 0.6, 0.95};
  const double h = 1e-3;
  double worst = 0.0, scale_min = INFINITY;
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
    for (size_t j = 0; j < sizeof ts / sizeof ts[0]; j++) {
      double x = xs[i], t = ts[j], xt[2] = {x, t};
      double jets[4] = {pde_cole_hopf_value(ch, x, t), fd_d1(ch, x, t, 0, h), fd_d1(ch, x, t, 1, h),
                        fd_dxx(ch, x, t, h)};
      double r, dr[4];
      p.type->residual(&p, 1, xt, jets, &r, dr);
      double scale = fabs(jets[2]) + fabs(jets[0] * jets[1]) + p.params[0] * fabs(jets[3]);
      worst = fmax(worst, fabs(r) / scale);
      scale_min = fmin(scale_min, scale);
    }
  printf("exact-solution residual: max |r| / (|u_t| + |u u_x| + nu |u_xx|) = %.2e "
         "(smallest term scale %.2e)\n", worst, scale_min);
  ck_assert_double_lt(worst, 1e-9);
  pde_cole_hopf_destroy(ch);
}
END_TEST

/* dr/du_s against central differences of the residual op in each stream, random jets. */
START_TEST(test_residual_derivatives) {
  pde_problem p;
  pde_problem_init(&p, &pde_burgers);
  enum { N = 6, S = 4 };
  gsl_rng *rng = core_rng_create(7);
  double x[2 * N], jets[S * N], dr[S * N], r[N], rp[N], rm[N], drx[S * N];
  for (int i = 0; i < N; i++) {
    x[2 * i] = 2.0 * gsl_rng_uniform(rng) - 1.0;
    x[2 * i + 1] = gsl_rng_uniform(rng);
  }
  for (int i = 0; i < S * N; i++)
    jets[i] = 4.0 * gsl_rng_uniform(rng) - 2.0;
  p.type->residual(&p, N, x, jets, r, dr);
  const double h = 1e-3;
  for (int s = 0; s < S; s++) {
    double worst = 0.0;
    for (int i = 0; i < N; i++) {
      double keep = jets[s * N + i];
      jets[s * N + i] = keep + h;
      p.type->residual(&p, N, x, jets, rp, drx);
      jets[s * N + i] = keep - h;
      p.type->residual(&p, N, x, jets, rm, drx);
      jets[s * N + i] = keep;
      worst = keep_worst(worst, signed_rel((rp[i] - rm[i]) / (2.0 * h), dr[s * N + i]));
      ck_assert(fabs(dr[s * N + i]) > 0.0);
    }
    printf("dr/du stream %d: worst signed rel err %.2e\n", s, worst);
    /* r is bilinear in the jets, so central differences are exact up to rounding ~eps |r| / h. */
    ck_assert_double_lt(fabs(worst), 1e-9);
  }
  gsl_rng_free(rng);
}
END_TEST

/* Value streams of g and l at (x, t) from the ansatz op itself. */
static void ansatz_values(double x, double t, double *g, double *l) {
  pde_problem p;
  pde_problem_init(&p, &pde_burgers);
  double xt[2] = {x, t}, gj[4], lj[4];
  p.type->ansatz(&p, 1, xt, gj, lj);
  *g = gj[0];
  *l = lj[0];
}

/* Sixth-order differences (h = 1e-2: truncation pi^7 h^6 / 140 ~ 2e-11) of the ansatz op's own
 * value stream against its derivative streams. */
START_TEST(test_ansatz_jets) {
  pde_problem p;
  pde_problem_init(&p, &pde_burgers);
  const double c1[3] = {45.0 / 60.0, -9.0 / 60.0, 1.0 / 60.0};
  const double c2[3] = {270.0 / 180.0, -27.0 / 180.0, 2.0 / 180.0}, h = 1e-2;
  gsl_rng *rng = core_rng_create(3);
  double worst[2][4] = {{0}};
  for (int k = 0; k < 20; k++) {
    double x = 1.8 * gsl_rng_uniform(rng) - 0.9, t = 0.1 + 0.8 * gsl_rng_uniform(rng);
    double xt[2] = {x, t}, gj[4], lj[4], g0, l0, gp, lp, gm, lm;
    p.type->ansatz(&p, 1, xt, gj, lj);
    ansatz_values(x, t, &g0, &l0);
    const double centre = -490.0 / 180.0 / (h * h);
    double fd[2][4] = {{g0, 0, 0, centre * g0}, {l0, 0, 0, centre * l0}};
    for (int j = 1; j <= 3; j++) {
      ansatz_values(x + j * h, t, &gp, &lp);
      ansatz_values(x - j * h, t, &gm, &lm);
      fd[0][1] += c1[j - 1] * (gp - gm) / h;
      fd[1][1] += c1[j - 1] * (lp - lm) / h;
      fd[0][3] += c2[j - 1] * (gp + gm) / (h * h);
      fd[1][3] += c2[j - 1] * (lp + lm) / (h * h);
      ansatz_values(x, t + j * h, &gp, &lp);
      ansatz_values(x, t - j * h, &gm, &lm);
      fd[0][2] += c1[j - 1] * (gp - gm) / h;
      fd[1][2] += c1[j - 1] * (lp - lm) / h;
    }
    for (int s = 0; s < 4; s++) {
      worst[0][s] = keep_worst(worst[0][s], signed_rel(fd[0][s], gj[s]));
      worst[1][s] = keep_worst(worst[1][s], signed_rel(fd[1][s], lj[s]));
    }
  }
  for (int s = 0; s < 4; s++) {
    printf("ansatz stream %d: g worst signed rel err %.2e, l %.2e\n", s, worst[0][s], worst[1][s]);
    ck_assert_double_lt(fabs(worst[0][s]), 1e-8);
    ck_assert_double_lt(fabs(worst[1][s]), 1e-8);
  }
  gsl_rng_free(rng);
}
END_TEST

/* u = g + l N meets u(x,0) = -sin(pi x) and u(+-1,t) = 0 whatever the network outputs. */
START_TEST(test_ansatz_constraints) {
  pde_problem p;
  pde_problem_init(&p, &pde_burgers);
  enum { N = 40 };
  gsl_rng *rng = core_rng_create(11);
  double x[2 * N], g[4 * N], l[4 * N], net[4 * N], u[4 * N];
  for (int i = 0; i < N; i++) {
    if (i < N / 2) { /* initial line */
      x[2 * i] = 2.0 * gsl_rng_uniform(rng) - 1.0;
      x[2 * i + 1] = 0.0;
    } else { /* the two walls */
      x[2 * i] = (i % 2) ? 1.0 : -1.0;
      x[2 * i + 1] = gsl_rng_uniform(rng);
    }
  }
  for (int i = 0; i < 4 * N; i++)
    net[i] = 1e3 * (2.0 * gsl_rng_uniform(rng) - 1.0);
  p.type->ansatz(&p, N, x, g, l);
  pde_compose_ansatz(&p.type->jets, N, g, l, net, u);
  double ic = 0.0, bc = 0.0;
  for (int i = 0; i < N; i++) {
    if (i < N / 2)
      ic = fmax(ic, fabs(u[i] + sin(M_PI * x[2 * i])));
    else
      bc = fmax(bc, fabs(u[i]));
  }
  printf("ansatz with |N| up to 1e3: |u(x,0) + sin(pi x)| %.2e, |u(+-1,t)| %.2e\n", ic, bc);
  ck_assert_double_eq(ic, 0.0);
  ck_assert_double_lt(bc, 1e-15); /* sin(pi) rounds to 1.2e-16 */
  gsl_rng_free(rng);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("burgers");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_probe_values);
  tcase_add_test(tc, test_high_precision_values);
  tcase_add_test(tc, test_against_trapezoid);
  tcase_add_test(tc, test_grid_convergence_and_symmetry);
  tcase_add_test(tc, test_invalid_inputs);
  tcase_add_test(tc, test_exact_solution_residual);
  tcase_add_test(tc, test_residual_derivatives);
  tcase_add_test(tc, test_ansatz_jets);
  tcase_add_test(tc, test_ansatz_constraints);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
