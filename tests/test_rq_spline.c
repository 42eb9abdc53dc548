/* Rational-quadratic spline: identity at zero parameters, round trips (including knots and the
 * interval ends), log-derivative and parameter gradients against central finite differences. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>

#include "check_main.h"
#include "core/rng.h"
#include "gen/rq_spline.h"

static void random_raw(gsl_rng *rng, int n_raw, double scale, double *raw) {
  for (int i = 0; i < n_raw; i++)
    raw[i] = gsl_ran_gaussian(rng, scale);
}

START_TEST(test_zero_is_identity) {
  gen_rq_config c = gen_rq_default_config();
  c.n_bins = 10;
  double raw[3 * GEN_RQ_MAX_BINS + 1] = {0};
  gen_rq_knots k;
  gen_rq_knots_build(&c, raw, &k);
  for (int i = 0; i <= 1000; i++) {
    double x = i / 1000.0, ell, ell_inv;
    double y = gen_rq_forward(&k, x, &ell);
    ck_assert_double_eq_tol(y, x, 1e-15);
    ck_assert_double_eq_tol(ell, 0.0, 1e-15);
    ck_assert_double_eq_tol(gen_rq_inverse(&k, x, &ell_inv), x, 1e-15);
  }
}
END_TEST

START_TEST(test_round_trip_including_knots_and_ends) {
  gsl_rng *rng = core_rng_create(11);
  gen_rq_config c = gen_rq_default_config();
  double worst = 0.0, worst_ell = 0.0;
  for (int trial = 0; trial < 50; trial++) {
    c.n_bins = 1 + trial % 12;
    double raw[3 * GEN_RQ_MAX_BINS + 1];
    random_raw(rng, gen_rq_n_raw(&c), 2.0, raw);
    gen_rq_knots k;
    gen_rq_knots_build(&c, raw, &k);
    double xs[200];
    int m = 0;
    for (int b = 0; b <= c.n_bins; b++) {
      xs[m++] = k.x[b]; /* forward round trip at input knots (and 0, 1) */
      xs[m++] = -k.y[b]; /* negative marks an output knot: inverse first */
    }
    while (m < 200)
      xs[m++] = gsl_rng_uniform(rng);
    for (int i = 0; i < m; i++) {
      double ell_f, ell_i;
      if (xs[i] < 0.0 || (xs[i] == 0.0 && i % 2)) {
        double y = -xs[i];
        double x = gen_rq_inverse(&k, y, &ell_i);
        double back = gen_rq_forward(&k, x, &ell_f);
        worst = fmax(worst, fabs(back - y));
        worst_ell = fmax(worst_ell, fabs(ell_f - ell_i));
      } else {
        double y = gen_rq_forward(&k, xs[i], &ell_f);
        double back = gen_rq_inverse(&k, y, &ell_i);
        ck_assert(y >= 0.0 && y <= 1.0);
        worst = fmax(worst, fabs(back - xs[i]));
        worst_ell = fmax(worst_ell, fabs(ell_f - ell_i));
      }
    }
    double e0, e1;
    ck_assert_double_eq(gen_rq_forward(&k, 0.0, &e0), 0.0);
    ck_assert_double_eq(gen_rq_forward(&k, 1.0, &e1), 1.0);
  }
  printf("rq_spline: round trip max error %.3g, log-derivative mismatch %.3g\n", worst, worst_ell);
  ck_assert_msg(worst < 1e-12, "round trip error %g", worst);
  ck_assert_msg(worst_ell < 1e-9, "log-derivative mismatch %g", worst_ell);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_log_derivative_vs_finite_differences) {
  gsl_rng *rng = core_rng_create(12);
  gen_rq_config c = gen_rq_default_config();
  c.n_bins = 8;
  double worst = 0.0;
  for (int trial = 0; trial < 20; trial++) {
    double raw[3 * GEN_RQ_MAX_BINS + 1];
    random_raw(rng, gen_rq_n_raw(&c), 1.5, raw);
    gen_rq_knots k;
    gen_rq_knots_build(&c, raw, &k);
    for (int i = 0; i < 50; i++) {
      double x = 0.001 + 0.998 * gsl_rng_uniform(rng), step = 1e-6, ell, e;
      gen_rq_forward(&k, x, &ell);
      double fd =
          (gen_rq_forward(&k, x + step, &e) - gen_rq_forward(&k, x - step, &e)) / (2 * step);
      double rel = (fd - exp(ell)) / exp(ell); /* signed relative error */
      worst = fmax(worst, fabs(rel));
    }
  }
  /* The second derivative jumps at knots, so central differences straddling a knot are O(step). */
  printf("rq_spline: f' vs central differences, max |relative error| %.3g\n", worst);
  ck_assert_msg(worst < 1e-5, "worst relative error of f' %g", worst);
  gsl_rng_free(rng);
}
END_TEST

/* L = a·y + b·ℓ for fixed a, b; dL/draw and dL/dx against central differences. */
static double loss(const gen_rq_config *c, const double *raw, double x, double a, double b) {
  gen_rq_knots k;
  gen_rq_knots_build(c, raw, &k);
  double ell, y = gen_rq_forward(&k, x, &ell);
  return a * y + b * ell;
}

START_TEST(test_parameter_gradients_vs_finite_differences) {
  gsl_rng *rng = core_rng_create(13);
  gen_rq_config c = gen_rq_default_config();
  c.n_bins = 6;
  int n_raw = gen_rq_n_raw(&c);
  double worst = 0.0;
  for (int trial = 0; trial < 30; trial++) {
    double raw[3 * GEN_RQ_MAX_BINS + 1], raw_bar[3 * GEN_RQ_MAX_BINS + 1] = {0};
    random_raw(rng, n_raw, 1.0, raw);
    double x = 0.02 + 0.96 * gsl_rng_uniform(rng), a = gsl_ran_gaussian(rng, 1.0),
           b = gsl_ran_gaussian(rng, 1.0), ell, x_bar;
    gen_rq_knots k;
    gen_rq_knots_build(&c, raw, &k);
    gen_rq_forward_backward(&k, x, a, b, raw_bar, &ell, &x_bar);
    double step = 1e-6;
    for (int i = 0; i <= n_raw; i++) {
      double analytic, fd;
      if (i < n_raw) {
        double keep = raw[i];
        raw[i] = keep + step;
        double up = loss(&c, raw, x, a, b);
        raw[i] = keep - step;
        double down = loss(&c, raw, x, a, b);
        raw[i] = keep;
        fd = (up - down) / (2 * step);
        analytic = raw_bar[i];
      } else {
        fd = (loss(&c, raw, x + step, a, b) - loss(&c, raw, x - step, a, b)) / (2 * step);
        analytic = x_bar;
      }
      /* Signed error relative to the gradient's scale (entries can be exactly zero). */
      double scale = fmax(fabs(analytic), 1e-2);
      worst = fmax(worst, fabs(fd - analytic) / scale);
    }
  }
  printf("rq_spline: parameter/input gradients vs central differences, max error %.3g\n", worst);
  ck_assert_msg(worst < 1e-6, "worst gradient error %g", worst);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_extreme_parameters_stay_finite) {
  gsl_rng *rng = core_rng_create(14);
  gen_rq_config c = gen_rq_default_config();
  c.n_bins = 16;
  double raw[3 * GEN_RQ_MAX_BINS + 1];
  random_raw(rng, gen_rq_n_raw(&c), 30.0, raw);
  gen_rq_knots k;
  gen_rq_knots_build(&c, raw, &k);
  double prev = -1.0;
  for (int i = 0; i <= 10000; i++) {
    double x = i / 10000.0, ell, ell2;
    double y = gen_rq_forward(&k, x, &ell);
    double back = gen_rq_inverse(&k, y, &ell2);
    ck_assert(isfinite(y) && isfinite(ell) && isfinite(back) && isfinite(ell2));
    ck_assert(y >= prev); /* monotone */
    ck_assert(y >= 0.0 && y <= 1.0 && back >= 0.0 && back <= 1.0);
    prev = y;
  }
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_config_validation) {
  gen_rq_config c = gen_rq_default_config();
  ck_assert_int_eq(gen_rq_config_validate(&c), CORE_OK);
  c.n_bins = 0;
  ck_assert_int_eq(gen_rq_config_validate(&c), CORE_ERR_INVALID);
  c = gen_rq_default_config();
  c.min_width = 0.2; /* 8 bins * 0.2 > 1 */
  ck_assert_int_eq(gen_rq_config_validate(&c), CORE_ERR_INVALID);
  c = gen_rq_default_config();
  c.min_derivative = 0.0;
  ck_assert_int_eq(gen_rq_config_validate(&c), CORE_ERR_INVALID);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("rq_spline");
  TCase *tc = tcase_create("rq_spline");
  tcase_add_test(tc, test_zero_is_identity);
  tcase_add_test(tc, test_round_trip_including_knots_and_ends);
  tcase_add_test(tc, test_log_derivative_vs_finite_differences);
  tcase_add_test(tc, test_parameter_gradients_vs_finite_differences);
  tcase_add_test(tc, test_extreme_parameters_stay_finite);
  tcase_add_test(tc, test_config_validation);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
