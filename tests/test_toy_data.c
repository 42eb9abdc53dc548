/* Toy densities: oracle log-densities of the 8-Gaussians target (shared/REFERENCES.md §3) and
 * sample moments that follow from the definitions. */
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_main.h"
#include "core/rng.h"
#include "gen/toy_data.h"

START_TEST(test_eight_gaussians_oracle) {
  /* Closed forms with s² = 1/8, r² = 8: at the origin all eight components are at distance r, so
   * log p = ln(1/(2π s²)) - r²/(2 s²); at a centre the neighbours (distance 2r sin(π/8)) add
   * less than 1e-8, so log p = ln(1/8) + ln(1/(2π s²)). */
  gen_toy_eight_gaussians eg;
  gen_toy_eight_gaussians_init(&eg);
  double x[6] = {0.0, 0.0, 4.0 / M_SQRT2, 0.0, 2.0, 2.0}, logp[3];
  double log_norm = -log(2.0 * M_PI / 8.0);
  ck_assert_int_eq(gen_toy_mixture_log_density(&eg.mix, 3, x, logp), CORE_OK);
  ck_assert_double_eq_tol(logp[0], log_norm - 32.0, 1e-12);
  ck_assert_double_eq_tol(logp[1], log(1.0 / 8.0) + log_norm, 1e-7);
  /* (2, 2) is the centre at angle π/4: same value as any centre (the orientation check). */
  ck_assert_double_eq_tol(logp[2], logp[1], 1e-12);
}
END_TEST

START_TEST(test_mixture_sample_moments) {
  gsl_rng *rng = core_rng_create(3);
  double w[2] = {1.0, 3.0}, mu[4] = {-2.0, 0.0, 2.0, 1.0}, sd[2] = {0.5, 0.25};
  gen_toy_mixture mix = {.dim = 2, .n_components = 2, .weights = w, .means = mu, .sds = sd};
  size_t n = 40000;
  double *x = malloc(2 * n * sizeof *x);
  ck_assert_int_eq(gen_toy_mixture_sample(&mix, n, rng, x), CORE_OK);
  double m0 = 0.0, m1 = 0.0;
  for (size_t i = 0; i < n; i++) {
    m0 += x[2 * i] / n;
    m1 += x[2 * i + 1] / n;
  }
  /* E x0 = 0.25(-2) + 0.75(2) = 1, sd of x0 ≈ 1.75 -> 4 standard errors ≈ 0.035. */
  ck_assert_double_eq_tol(m0, 1.0, 0.035);
  ck_assert_double_eq_tol(m1, 0.75, 0.02);
  /* Invalid input is an error, not a crash. */
  sd[1] = 0.0;
  ck_assert_int_eq(gen_toy_mixture_sample(&mix, 1, rng, x), CORE_ERR_INVALID);
  free(x);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_moons_and_circles_moments) {
  gsl_rng *rng = core_rng_create(5);
  size_t n = 40000;
  double *x = malloc(2 * n * sizeof *x);
  /* Noise-free moons: every point on one of the two unit half circles; mean (1/2, 1/4). */
  ck_assert_int_eq(gen_toy_moons(n, 0.0, rng, x), CORE_OK);
  double mx = 0.0, my = 0.0;
  for (size_t i = 0; i < n; i++) {
    double up = hypot(x[2 * i], x[2 * i + 1]), lo = hypot(x[2 * i] - 1.0, x[2 * i + 1] - 0.5);
    ck_assert(fabs(up - 1.0) < 1e-12 || fabs(lo - 1.0) < 1e-12);
    mx += x[2 * i] / n;
    my += x[2 * i + 1] / n;
  }
  ck_assert_double_eq_tol(mx, 0.5, 0.02);
  ck_assert_double_eq_tol(my, 0.25, 0.01);
  /* Circles: mean radius (1 + factor)/2 without noise. */
  ck_assert_int_eq(gen_toy_circles(n, 0.0, 0.5, rng, x), CORE_OK);
  double mr = 0.0;
  for (size_t i = 0; i < n; i++)
    mr += hypot(x[2 * i], x[2 * i + 1]) / n;
  ck_assert_double_eq_tol(mr, 0.75, 0.01);
  ck_assert_int_eq(gen_toy_circles(1, 0.1, 1.5, rng, x), CORE_ERR_INVALID);
  ck_assert_int_eq(gen_toy_moons(1, -1.0, rng, x), CORE_ERR_INVALID);
  free(x);
  gsl_rng_free(rng);
}
END_TEST

/* ∫ p over [-3, 4] x [-3, 3.5] by the midpoint rule (both densities are negligible outside). */
static double integrate(int moons, double noise) {
  enum { grid = 200 };
  double lo[2] = {-3.0, -3.0}, hi[2] = {4.0, 3.5}, x[2 * grid], lp[grid], total = 0.0;
  double hx = (hi[0] - lo[0]) / grid, hy = (hi[1] - lo[1]) / grid;
  for (int i = 0; i < grid; i++) {
    for (int j = 0; j < grid; j++) {
      x[2 * j] = lo[0] + (i + 0.5) * hx;
      x[2 * j + 1] = lo[1] + (j + 0.5) * hy;
    }
    core_status s = moons ? gen_toy_moons_log_density(grid, noise, x, lp)
                          : gen_toy_circles_log_density(grid, noise, 0.5, x, lp);
    ck_assert_int_eq(s, CORE_OK);
    for (int j = 0; j < grid; j++)
      total += exp(lp[j]) * hx * hy;
  }
  return total;
}

START_TEST(test_moons_and_circles_densities) {
  double mass_moons = integrate(1, 0.1), mass_circles = integrate(0, 0.1);
  printf("toy_data: moons density mass %.8f, circles density mass %.8f\n", mass_moons,
         mass_circles);
  ck_assert_double_eq_tol(mass_moons, 1.0, 1e-6);
  ck_assert_double_eq_tol(mass_circles, 1.0, 1e-6);
  /* Entropy of moons(noise = 0.1): 1.007 nats (shared/REFERENCES.md §3), by Monte Carlo on 5000
   * fresh points (standard error ≈ 0.011). */
  gsl_rng *rng = core_rng_create(9);
  size_t n = 5000;
  double *x = malloc(2 * n * sizeof *x), *lp = malloc(n * sizeof *lp), h = 0.0;
  ck_assert_int_eq(gen_toy_moons(n, 0.1, rng, x), CORE_OK);
  ck_assert_int_eq(gen_toy_moons_log_density(n, 0.1, x, lp), CORE_OK);
  for (size_t i = 0; i < n; i++)
    h -= lp[i] / n;
  printf("toy_data: moons(0.1) entropy by Monte Carlo %.4f (reference 1.007)\n", h);
  ck_assert_double_eq_tol(h, 1.007, 0.04);
  ck_assert_int_eq(gen_toy_moons_log_density(1, 0.0, x, lp), CORE_ERR_INVALID);
  free(x);
  free(lp);
  gsl_rng_free(rng);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("toy_data");
  TCase *tc = tcase_create("toy_data");
  tcase_add_test(tc, test_eight_gaussians_oracle);
  tcase_add_test(tc, test_mixture_sample_moments);
  tcase_add_test(tc, test_moons_and_circles_moments);
  tcase_add_test(tc, test_moons_and_circles_densities);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
