/* Base sequences of the model samplers (gen/base_sequence.h): the shifted Sobol set integrates
 * a smooth function far better than independent draws (its point), each call shifts anew, the
 * Gaussian transform keeps the moments, and every model sampler with base_sequence = sobol keeps
 * its samples in the box, is deterministic per seed and — for the exactly uniform zero-initialised
 * spline flow — passes the Sobol set's accuracy through to its samples. */
#include <check.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/rng.h"
#include "gen/base_sequence.h"
#include "gen/options.h"
#include "gen/sampler.h"

#define N_QMC 4096
#define SHIFTS 10

/* ∫_{[0,1]^2} exp(u1 + u2) du = (e - 1)^2; the variance of exp(u1 + u2) under U([0,1]^2) is
 * ((e^2 - 1) / 2)^2 - (e - 1)^4, so independent draws err by about sigma / sqrt(n). */
static double exp_sum_mean(size_t n, const double *u) {
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += exp(u[2 * i] + u[2 * i + 1]);
  return sum / (double)n;
}

static double exp_sum_mc_error(size_t n) {
  double m = (M_E - 1.0) * (M_E - 1.0), s2 = 0.5 * (M_E * M_E - 1.0);
  return sqrt((s2 * s2 - m * m) / (double)n);
}

START_TEST(test_sobol_integrates_far_better_than_random) {
  gsl_rng *rng = core_rng_create(5);
  double *u = malloc(sizeof(double) * N_QMC * 2);
  double exact = (M_E - 1.0) * (M_E - 1.0), mc = exp_sum_mc_error(N_QMC), worst = 0.0;
  for (int k = 0; k < SHIFTS; k++) {
    ck_assert_int_eq(gen_sobol_shifted(N_QMC, 2, u, rng), CORE_OK);
    for (size_t i = 0; i < 2 * N_QMC; i++)
      ck_assert(u[i] > 0.0 && u[i] < 1.0);
    worst = fmax(worst, fabs(exp_sum_mean(N_QMC, u) - exact));
  }
  printf("exp(u1+u2), n = %d: worst shifted-Sobol error %.2e vs independent-draw sd %.2e\n",
         N_QMC, worst, mc);
  /* Independent draws would pass this in a single try with probability ~12 %, ten times ~6e-10
   * (measured for the shifted Sobol set: 0.075 sd). */
  ck_assert_double_lt(worst, 0.15 * mc);
  free(u);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_each_call_shifts_anew_and_seeds_repeat) {
  double a[64 * 3], b[64 * 3], c[64 * 3];
  gsl_rng *r1 = core_rng_create(9), *r2 = core_rng_create(9);
  ck_assert_int_eq(gen_sobol_shifted(64, 3, a, r1), CORE_OK);
  ck_assert_int_eq(gen_sobol_shifted(64, 3, b, r1), CORE_OK);
  ck_assert_int_eq(gen_sobol_shifted(64, 3, c, r2), CORE_OK);
  ck_assert(memcmp(a, b, sizeof a) != 0);
  ck_assert(memcmp(a, c, sizeof a) == 0);
  gsl_rng_free(r1);
  gsl_rng_free(r2);
}
END_TEST

START_TEST(test_gaussian_transform_moments) {
  gsl_rng *rng = core_rng_create(3);
  double *u = malloc(sizeof(double) * N_QMC * 2);
  ck_assert_int_eq(gen_sobol_shifted(N_QMC, 2, u, rng), CORE_OK);
  gen_uniform_to_gaussian(N_QMC, 2, u);
  for (int j = 0; j < 2; j++) {
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < N_QMC; i++)
      m += u[2 * i + (size_t)j] / N_QMC;
    for (size_t i = 0; i < N_QMC; i++)
      v += (u[2 * i + (size_t)j] - m) * (u[2 * i + (size_t)j] - m) / N_QMC;
    ck_assert(isfinite(m) && isfinite(v));
    /* independent draws: sd of the mean 1/64 = 0.016, of the variance ~0.022 */
    ck_assert_double_lt(fabs(m), 2e-3);
    ck_assert_double_lt(fabs(v - 1.0), 5e-3);
  }
  free(u);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_errors) {
  double u[4];
  gsl_rng *rng = core_rng_create(1);
  ck_assert_int_eq(gen_sobol_shifted(1, 0, u, rng), CORE_ERR_INVALID);
  ck_assert_int_eq(gen_sobol_shifted(1, 41, u, rng), CORE_ERR_INVALID);
  gen_options o = gen_options_default();
  ck_assert_int_eq(gen_options_set(&o, "base_sequence", "sobol"), CORE_OK);
  ck_assert_int_eq(o.base_sequence, GEN_BASE_SOBOL);
  core_error_clear();
  ck_assert_int_eq(gen_options_set(&o, "base_sequence", "halton"), CORE_ERR_CONFIG);
  ck_assert_msg(strstr(core_error_message(), "sampler.base_sequence"), "message: %s",
                core_error_message());
  gsl_rng_free(rng);
}
END_TEST

/* ---- the model samplers with base_sequence = sobol -------------------------------------- */

static const char *const model_kinds[] = {"realnvp", "spline", "fm"};
static const gen_box box2 = {2, {-1.0, 0.0}, {1.0, 2.0}};

static gen_sampler *make_sobol(const char *kind, gsl_rng *rng) {
  gen_options o = gen_options_quick();
  o.base_sequence = GEN_BASE_SOBOL;
  gen_sampler *s = NULL;
  ck_assert_msg(gen_sampler_create(&s, gen_sampler_type_find(kind), &box2, &o, rng) == CORE_OK,
                "%s: %s", kind, core_error_message());
  return s;
}

/* Fit to points concentrated in one corner, then draw twice (chunks and fresh shifts). */
static double *fit_and_draw(const char *kind, unsigned long seed, size_t n) {
  gsl_rng *rng = core_rng_create(seed);
  gen_sampler *s = make_sobol(kind, rng);
  enum { N_FIT = 2000 };
  double *fit = malloc(sizeof(double) * N_FIT * 2), *x = malloc(sizeof(double) * 2 * n * 2);
  for (size_t i = 0; i < N_FIT; i++) {
    fit[2 * i] = -1.0 + 0.6 * gsl_rng_uniform(rng);
    fit[2 * i + 1] = 1.4 + 0.6 * gsl_rng_uniform(rng);
  }
  ck_assert_int_eq(gen_sampler_fit(s, N_FIT, fit, NULL, rng), CORE_OK);
  ck_assert_int_eq(gen_sampler_sample(s, n, x, rng), CORE_OK);
  ck_assert_int_eq(gen_sampler_sample(s, n, x + 2 * n, rng), CORE_OK);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
  free(fit);
  return x;
}

START_TEST(test_models_inside_and_deterministic) {
  const char *kind = model_kinds[_i];
  enum { N = 1500 }; /* more than one chunk of the flow samplers (batch 256) */
  double *a = fit_and_draw(kind, 21, N), *b = fit_and_draw(kind, 21, N);
  ck_assert_msg(memcmp(a, b, sizeof(double) * 4 * N) == 0, "%s: same seed, other points", kind);
  size_t in_corner = 0;
  for (size_t i = 0; i < 2 * N; i++) {
    for (int k = 0; k < 2; k++)
      ck_assert_msg(isfinite(a[2 * i + (size_t)k]) && a[2 * i + (size_t)k] >= box2.lower[k] &&
                        a[2 * i + (size_t)k] <= box2.upper[k],
                    "%s: sample %zu outside the box", kind, i);
    in_corner += a[2 * i] < -0.2 && a[2 * i + 1] > 1.2;
  }
  /* the fit moved mass to the corner: a quarter of the box, so 25 % +- 0.8 % of uniform samples;
   * the quick settings' short fits give 41 % (realnvp) and more */
  ck_assert_msg(in_corner > 3 * N / 4, "%s: %zu of %d samples in the fitted corner", kind,
                in_corner, 2 * N);
  free(a);
  free(b);
}
END_TEST

/* A zero-initialised spline flow maps its uniform base exactly onto the uniform box, so its
 * samples are the shifted Sobol set scaled to the box and integrate as well. */
START_TEST(test_uniform_spline_passes_the_sobol_accuracy_through) {
  gsl_rng *rng = core_rng_create(8);
  gen_sampler *s = make_sobol("spline", rng);
  double *x = malloc(sizeof(double) * N_QMC * 2);
  ck_assert_int_eq(gen_sampler_sample(s, N_QMC, x, rng), CORE_OK);
  for (size_t i = 0; i < N_QMC; i++) { /* back to [0, 1]^2 */
    x[2 * i] = (x[2 * i] - box2.lower[0]) / (box2.upper[0] - box2.lower[0]);
    x[2 * i + 1] = (x[2 * i + 1] - box2.lower[1]) / (box2.upper[1] - box2.lower[1]);
  }
  double err = fabs(exp_sum_mean(N_QMC, x) - (M_E - 1.0) * (M_E - 1.0));
  ck_assert_double_lt(err, 0.15 * exp_sum_mc_error(N_QMC));
  free(x);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("base_sequence");
  TCase *t = tcase_create("base_sequence");
  tcase_set_timeout(t, 60);
  tcase_add_test(t, test_sobol_integrates_far_better_than_random);
  tcase_add_test(t, test_each_call_shifts_anew_and_seeds_repeat);
  tcase_add_test(t, test_gaussian_transform_moments);
  tcase_add_test(t, test_errors);
  tcase_add_loop_test(t, test_models_inside_and_deterministic, 0,
                      (int)(sizeof model_kinds / sizeof model_kinds[0]));
  tcase_add_test(t, test_uniform_spline_passes_the_sobol_accuracy_through);
  suite_add_tcase(s, t);
  return s;
}

CHECK_MAIN(make_suite)
