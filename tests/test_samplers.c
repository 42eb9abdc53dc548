/* Conformance battery: every registered sampler type (gen_sampler_types) must pass these.
 *
 * Each loop test runs once per registry entry, so new types are covered as soon as they are
 * registered. Types are built from gen_options_quick() (small budgets) with weight_power 1 and
 * weight_offset 0, so a fit-capable type is asked to learn the density ∝ the weights it is given. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/rng.h"
#include "core/status.h"
#include "gen/options.h"
#include "gen/sampler.h"
#include "gen/samplers.h"

#define N_SAMPLE 1000
#define N_POOL 8000
#define N_FIT_SAMPLE 400

static const gen_box box2 = {2, {-1.0, 0.0}, {1.0, 1.0}};
static const gen_box box5 = {5, {-1.0, 0.0, 2.0, -3.0, 0.0}, {1.0, 1.0, 2.5, 3.0, 0.1}};

static size_t type_count(void) {
  size_t n = 0;
  while (gen_sampler_types[n])
    n++;
  return n;
}

static gen_options battery_options(void) {
  gen_options o = gen_options_quick();
  o.weight_power = 1.0;
  o.weight_offset = 0.0;
  return o;
}

static gen_sampler *make(const gen_sampler_type *type, const gen_box *box, gsl_rng *rng) {
  gen_options o = battery_options();
  gen_sampler *s = NULL;
  core_status st = gen_sampler_create(&s, type, box, &o, rng);
  ck_assert_msg(st == CORE_OK, "%s: create failed: %s", type->name, core_error_message());
  return s;
}

static void uniform_points(const gen_box *box, size_t n, double *x, gsl_rng *rng) {
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < box->dim; k++)
      x[i * (size_t)box->dim + (size_t)k] =
          box->lower[k] + (box->upper[k] - box->lower[k]) * gsl_rng_uniform(rng);
}

/* The known target: a smooth bump ∝ exp(-|x - μ|² / (2 s²)) off-centre in the box, s = 0.12 of
 * each width, μ at 80 % of each width. */
static double bump(const gen_box *box, const double *x) {
  double r2 = 0.0;
  for (int k = 0; k < box->dim; k++) {
    double w = box->upper[k] - box->lower[k];
    double z = (x[k] - (box->lower[k] + 0.8 * w)) / (0.12 * w);
    r2 += z * z;
  }
  return exp(-0.5 * r2);
}

/* A uniform pool with bump weights; the fit-capable types are fitted to it. */
static void fit_bump(gen_sampler *s, const gen_box *box, gsl_rng *rng) {
  double *pool = malloc(sizeof(double) * N_POOL * (size_t)box->dim);
  double *w = malloc(sizeof(double) * N_POOL);
  uniform_points(box, N_POOL, pool, rng);
  for (size_t i = 0; i < N_POOL; i++)
    w[i] = bump(box, pool + i * (size_t)box->dim);
  core_status st = gen_sampler_fit(s, N_POOL, pool, w, rng);
  ck_assert_msg(st == CORE_OK, "%s: fit failed: %s", s->type->name, core_error_message());
  free(pool);
  free(w);
}

static void assert_inside(const gen_sampler *s, size_t n, const double *x) {
  const gen_box *box = &s->box;
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < box->dim; k++) {
      double v = x[i * (size_t)box->dim + (size_t)k];
      ck_assert_msg(isfinite(v), "%s: sample %zu coord %d not finite", s->type->name, i, k);
      ck_assert_msg(v >= box->lower[k] && v <= box->upper[k],
                    "%s: sample %zu coord %d = %.17g outside [%g, %g]", s->type->name, i, k, v,
                    box->lower[k], box->upper[k]);
    }
}

static void check_inside(const gen_sampler_type *type, const gen_box *box) {
  gsl_rng *rng = core_rng_create(11);
  gen_sampler *s = make(type, box, rng);
  double *x = malloc(sizeof(double) * N_SAMPLE * (size_t)box->dim);
  ck_assert_int_eq(gen_sampler_sample(s, N_SAMPLE, x, rng), CORE_OK);
  assert_inside(s, N_SAMPLE, x);
  if (type->fit) {
    fit_bump(s, box, rng);
    ck_assert_int_eq(gen_sampler_sample(s, N_FIT_SAMPLE, x, rng), CORE_OK);
    assert_inside(s, N_FIT_SAMPLE, x);
  }
  free(x);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}

START_TEST(test_inside_box_2d) { check_inside(gen_sampler_types[_i], &box2); }
END_TEST

START_TEST(test_inside_box_5d) { check_inside(gen_sampler_types[_i], &box5); }
END_TEST

/* One full run (create, fit if any, two sample calls) from a fresh rng seeded `seed`. */
static double *run_once(const gen_sampler_type *type, const gen_box *box, unsigned long seed) {
  gsl_rng *rng = core_rng_create(seed);
  gen_sampler *s = make(type, box, rng);
  size_t n = 2 * N_FIT_SAMPLE;
  double *x = malloc(sizeof(double) * n * (size_t)box->dim);
  if (type->fit)
    fit_bump(s, box, rng);
  ck_assert_int_eq(gen_sampler_sample(s, n / 2, x, rng), CORE_OK);
  ck_assert_int_eq(gen_sampler_sample(s, n / 2, x + n / 2 * (size_t)box->dim, rng), CORE_OK);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
  return x;
}

START_TEST(test_same_seed_same_points) {
  const gen_sampler_type *type = gen_sampler_types[_i];
  const gen_box *boxes[] = {&box2, &box5};
  for (int b = 0; b < 2; b++) {
    size_t bytes = sizeof(double) * 2 * N_FIT_SAMPLE * (size_t)boxes[b]->dim;
    double *a = run_once(type, boxes[b], 2024);
    double *c = run_once(type, boxes[b], 2024);
    ck_assert_msg(memcmp(a, c, bytes) == 0, "%s: equal seeds gave different points (dim %d)",
                  type->name, boxes[b]->dim);
    free(a);
    free(c);
  }
}
END_TEST

/* Model-free types: per-coordinate mean and variance of U(lo, hi) within 4 standard errors:
 * se(mean) = w/√(12n), se(var) = √((μ4 - σ⁴)/n) with σ² = w²/12, μ4 = w⁴/80. */
static void check_uniform_moments(const gen_sampler_type *type, const gen_box *box) {
  gsl_rng *rng = core_rng_create(7);
  gen_sampler *s = make(type, box, rng);
  size_t n = 4 * N_SAMPLE, d = (size_t)box->dim;
  double *x = malloc(sizeof(double) * n * d);
  ck_assert_int_eq(gen_sampler_sample(s, n, x, rng), CORE_OK);
  for (size_t k = 0; k < d; k++) {
    double w = box->upper[k] - box->lower[k], mid = 0.5 * (box->upper[k] + box->lower[k]);
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < n; i++)
      mean += x[i * d + k] / (double)n;
    for (size_t i = 0; i < n; i++)
      var += (x[i * d + k] - mean) * (x[i * d + k] - mean) / (double)(n - 1);
    double se_mean = w / sqrt(12.0 * (double)n);
    double se_var = sqrt((pow(w, 4) / 80.0 - pow(w, 4) / 144.0) / (double)n);
    ck_assert_msg(fabs(mean - mid) < 4.0 * se_mean, "%s: mean %g vs %g (dim %zu)", type->name,
                  mean, mid, k);
    ck_assert_msg(fabs(var - w * w / 12.0) < 4.0 * se_var, "%s: var %g vs %g (dim %zu)",
                  type->name, var, w * w / 12.0, k);
  }
  free(x);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}

START_TEST(test_model_free_moments) {
  const gen_sampler_type *type = gen_sampler_types[_i];
  if (type->fit)
    return; /* fit-capable types are checked against the bump target below */
  check_uniform_moments(type, &box2);
  check_uniform_moments(type, &box5);
}
END_TEST

/* Model-free types have the uniform density: -log(volume) inside, -inf outside. */
START_TEST(test_model_free_density) {
  const gen_sampler_type *type = gen_sampler_types[_i];
  if (type->fit || !type->log_density)
    return;
  gsl_rng *rng = core_rng_create(3);
  gen_sampler *s = make(type, &box2, rng);
  double x[6] = {0.0, 0.5, -1.0, 1.0, 1.5, 0.5}, logp[3];
  ck_assert_int_eq(gen_sampler_log_density(s, 3, x, logp), CORE_OK);
  ck_assert_double_eq_tol(logp[0], -log(2.0), 1e-15);
  ck_assert_double_eq_tol(logp[1], -log(2.0), 1e-15); /* a corner is inside the closed box */
  ck_assert(isinf(logp[2]) && logp[2] < 0.0);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* Weighted pool mean and per-coordinate sd of the bump target (what the fit is asked to learn). */
static void bump_moments(const gen_box *box, gsl_rng *rng, double *mean, double *sd) {
  size_t n = 200000, d = (size_t)box->dim;
  double x[GEN_MAX_DIM], total = 0.0, m2[GEN_MAX_DIM] = {0};
  for (size_t k = 0; k < d; k++)
    mean[k] = 0.0;
  for (size_t i = 0; i < n; i++) {
    uniform_points(box, 1, x, rng);
    double w = bump(box, x);
    total += w;
    for (size_t k = 0; k < d; k++) {
      mean[k] += w * x[k];
      m2[k] += w * x[k] * x[k];
    }
  }
  for (size_t k = 0; k < d; k++) {
    mean[k] /= total;
    sd[k] = sqrt(m2[k] / total - mean[k] * mean[k]);
  }
}

/* Fit-capable types: after fitting the bump-weighted pool, sample means match the target mean
 * within 4 sd/√n (sampling noise) + 0.05 · width (allowance for fitting error of a small model
 * trained on a small budget, and for RAD's without-replacement draws, which flatten the peak).
 * The uniform mean is ~0.29 · width away in each coordinate, so an unfitted sampler fails. */
START_TEST(test_fit_bump_moments) {
  const gen_sampler_type *type = gen_sampler_types[_i];
  if (!type->fit)
    return;
  gsl_rng *rng = core_rng_create(99);
  gen_sampler *s = make(type, &box2, rng);
  fit_bump(s, &box2, rng);
  double x[2 * N_FIT_SAMPLE], target[2], sd[2];
  ck_assert_int_eq(gen_sampler_sample(s, N_FIT_SAMPLE, x, rng), CORE_OK);
  bump_moments(&box2, rng, target, sd);
  for (int k = 0; k < 2; k++) {
    double mean = 0.0, w = box2.upper[k] - box2.lower[k];
    for (int i = 0; i < N_FIT_SAMPLE; i++)
      mean += x[2 * i + k] / N_FIT_SAMPLE;
    double tol = 4.0 * sd[k] / sqrt((double)N_FIT_SAMPLE) + 0.05 * w;
    ck_assert_msg(fabs(0.5 * (box2.lower[k] + box2.upper[k]) - target[k]) > 2.0 * tol,
                  "test has no power: target too close to the box centre");
    ck_assert_msg(fabs(mean - target[k]) < tol, "%s: mean %g vs target %g (tol %g, dim %d)",
                  type->name, mean, target[k], tol, k);
  }
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* Fit-capable types with a density: it integrates to 1 over the box. Monte Carlo with uniform
 * points, |I - 1| < 5 se + 0.1 (0.1 allows mass a bounded model leaks at the faces). */
START_TEST(test_fit_density_normalised) {
  const gen_sampler_type *type = gen_sampler_types[_i];
  if (!type->fit || !type->log_density)
    return;
  gsl_rng *rng = core_rng_create(5);
  gen_sampler *s = make(type, &box2, rng);
  fit_bump(s, &box2, rng);
  size_t n = 4000;
  double *x = malloc(sizeof(double) * 2 * n), *logp = malloc(sizeof(double) * n);
  uniform_points(&box2, n, x, rng);
  ck_assert_int_eq(gen_sampler_log_density(s, n, x, logp), CORE_OK);
  double vol = 2.0, sum = 0.0, sum2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    ck_assert_msg(!isnan(logp[i]) && logp[i] < INFINITY, "%s: bad log density", type->name);
    double f = vol * exp(logp[i]);
    sum += f;
    sum2 += f * f;
  }
  double integral = sum / (double)n;
  double se = sqrt((sum2 / (double)n - integral * integral) / (double)n);
  ck_assert_msg(fabs(integral - 1.0) < 5.0 * se + 0.1, "%s: density integrates to %g (se %g)",
                type->name, integral, se);
  free(x);
  free(logp);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* A fit with a bad weight fails with a message and leaves the sampler usable. */
static void check_bad_weight(const gen_sampler_type *type, double bad) {
  gsl_rng *rng = core_rng_create(17);
  gen_sampler *s = make(type, &box2, rng);
  size_t n = 200;
  double *pool = malloc(sizeof(double) * 2 * n), *w = malloc(sizeof(double) * n);
  uniform_points(&box2, n, pool, rng);
  for (size_t i = 0; i < n; i++)
    w[i] = 1.0 + (double)i / (double)n;
  w[37] = bad;
  core_error_clear();
  core_status st = gen_sampler_fit(s, n, pool, w, rng);
  ck_assert_msg(st != CORE_OK, "%s: fit accepted weight %g", type->name, bad);
  ck_assert_msg(strlen(core_error_message()) > 0, "%s: failure without a message", type->name);
  core_error_clear();
  double x[2 * 50];
  ck_assert_msg(gen_sampler_sample(s, 50, x, rng) == CORE_OK, "%s: unusable after failed fit: %s",
                type->name, core_error_message());
  assert_inside(s, 50, x);
  free(pool);
  free(w);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}

START_TEST(test_fit_rejects_bad_weights) {
  const gen_sampler_type *type = gen_sampler_types[_i];
  if (!type->fit)
    return;
  check_bad_weight(type, NAN);
  check_bad_weight(type, -0.5);
  check_bad_weight(type, INFINITY);
}
END_TEST

START_TEST(test_sample_zero) {
  const gen_sampler_type *type = gen_sampler_types[_i];
  gsl_rng *rng = core_rng_create(1);
  gen_sampler *s = make(type, &box2, rng);
  double dummy[2] = {42.0, 43.0};
  ck_assert_int_eq(gen_sampler_sample(s, 0, dummy, rng), CORE_OK);
  ck_assert(dummy[0] == 42.0 && dummy[1] == 43.0);
  if (type->fit) {
    fit_bump(s, &box2, rng);
    ck_assert_int_eq(gen_sampler_sample(s, 0, dummy, rng), CORE_OK);
  }
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* Sobol specifics: the corner point 0 is skipped, so the first point is the box centre (Sobol
 * point 1 is (1/2, ..., 1/2)); no coordinate ever sits on a lower face; calls continue the
 * sequence (3 + 5 points equal the first 8 of one call). */
START_TEST(test_sobol_sequence) {
  gen_options o = battery_options();
  gen_sampler *a = NULL, *b = NULL;
  ck_assert_int_eq(gen_sampler_create(&a, &gen_sampler_sobol, &box5, &o, NULL), CORE_OK);
  ck_assert_int_eq(gen_sampler_create(&b, &gen_sampler_sobol, &box5, &o, NULL), CORE_OK);
  size_t n = 4096;
  double *x = malloc(sizeof(double) * 5 * n), y[5 * 8];
  ck_assert_int_eq(gen_sampler_sample(a, n, x, NULL), CORE_OK);
  for (int k = 0; k < 5; k++)
    ck_assert_double_eq_tol(x[k], 0.5 * (box5.lower[k] + box5.upper[k]), 1e-15);
  for (size_t i = 0; i < 5 * n; i++)
    ck_assert(x[i] > box5.lower[i % 5] && x[i] < box5.upper[i % 5]);
  ck_assert_int_eq(gen_sampler_sample(b, 3, y, NULL), CORE_OK);
  ck_assert_int_eq(gen_sampler_sample(b, 5, y + 15, NULL), CORE_OK);
  ck_assert(memcmp(x, y, sizeof y) == 0);
  free(x);
  gen_sampler_destroy(a);
  gen_sampler_destroy(b);
}
END_TEST

START_TEST(test_registry) {
  size_t n = type_count();
  ck_assert_msg(n >= 3, "uniform, sobol and rad must be registered");
  for (size_t i = 0; i < n; i++) {
    const gen_sampler_type *t = gen_sampler_types[i];
    ck_assert(t->name && t->name[0] && t->init && t->sample);
    ck_assert_ptr_eq(gen_sampler_type_find(t->name), t);
    for (size_t j = 0; j < i; j++)
      ck_assert_str_ne(gen_sampler_types[j]->name, t->name);
  }
  ck_assert_ptr_null(gen_sampler_type_find("no-such-sampler"));
  ck_assert_ptr_nonnull(gen_sampler_type_find("uniform"));
  ck_assert_ptr_nonnull(gen_sampler_type_find("sobol"));
  ck_assert_ptr_nonnull(gen_sampler_type_find("rad"));
  gen_options o = battery_options();
  ck_assert_int_eq(gen_options_validate(&o), CORE_OK);
  gen_sampler_destroy(NULL);
}
END_TEST

static Suite *make_suite(void) {
  Suite *suite = suite_create("samplers");
  int n = (int)type_count();
  TCase *tc = tcase_create("battery");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_registry);
  tcase_add_test(tc, test_sobol_sequence);
  tcase_add_loop_test(tc, test_inside_box_2d, 0, n);
  tcase_add_loop_test(tc, test_inside_box_5d, 0, n);
  tcase_add_loop_test(tc, test_same_seed_same_points, 0, n);
  tcase_add_loop_test(tc, test_model_free_moments, 0, n);
  tcase_add_loop_test(tc, test_model_free_density, 0, n);
  tcase_add_loop_test(tc, test_fit_bump_moments, 0, n);
  tcase_add_loop_test(tc, test_fit_density_normalised, 0, n);
  tcase_add_loop_test(tc, test_fit_rejects_bad_weights, 0, n);
  tcase_add_loop_test(tc, test_sample_zero, 0, n);
  suite_add_tcase(suite, tc);
  return suite;
}

CHECK_MAIN(make_suite)
