/* Residual weights, the weighted bootstrap, RAD's without-replacement draws, and gen options. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/rng.h"
#include "core/status.h"
#include "gen/bootstrap.h"
#include "gen/options.h"
#include "gen/samplers.h"

static const gen_box box1 = {1, {0.0}, {10.0}};
static const gen_box box2 = {2, {-1.0, 0.0}, {1.0, 1.0}};
static const gen_box box_rad = {1, {0.0}, {100.0}};

/* ---- weights ---- */

/* Direct evaluation of p ∝ a^k / mean(a^k) + c without the max scaling the library uses. */
static void direct_p(size_t n, const double *a, double k, double c, double *p) {
  double mean = 0.0, total = 0.0;
  for (size_t i = 0; i < n; i++)
    mean += pow(a[i], k) / (double)n;
  for (size_t i = 0; i < n; i++)
    total += p[i] = pow(a[i], k) / mean + c;
  for (size_t i = 0; i < n; i++)
    p[i] /= total;
}

START_TEST(test_weights_formula) {
  double a[5] = {0.0, 1.0, 2.0, 3.0, 0.25}, p[5], q[5];
  double ks[3] = {1.0, 2.0, 0.5}, cs[3] = {1.0, 0.0, 0.3};
  for (int t = 0; t < 3; t++) {
    ck_assert_int_eq(gen_weights_normalise(5, a, ks[t], cs[t], p), CORE_OK);
    direct_p(5, a, ks[t], cs[t], q);
    for (int i = 0; i < 5; i++)
      ck_assert_double_eq_tol(p[i], q[i], 1e-15);
  }
  /* hand value: k = 1, c = 1, mean 1.25: p_3 = (3/1.25 + 1) / (5 + 5) = 0.34 */
  ck_assert_int_eq(gen_weights_normalise(5, a, 1.0, 1.0, p), CORE_OK);
  ck_assert_double_eq_tol(p[3], 0.34, 1e-15);
}
END_TEST

START_TEST(test_weights_extremes) {
  double a[4] = {1e300, 1e-300, 5e299, 0.0}, p[4];
  /* a^k overflows for k = 3 unscaled; the ratios do not */
  ck_assert_int_eq(gen_weights_normalise(4, a, 3.0, 0.0, p), CORE_OK);
  ck_assert_double_eq_tol(p[0], 1.0 / 1.125, 1e-14);
  ck_assert_double_eq_tol(p[2], 0.125 / 1.125, 1e-14);
  ck_assert(p[3] == 0.0);
  double z[3] = {0.0, 0.0, 0.0};
  ck_assert_int_eq(gen_weights_normalise(3, z, 1.0, 0.0, p), CORE_OK); /* all zero: uniform */
  for (int i = 0; i < 3; i++)
    ck_assert_double_eq_tol(p[i], 1.0 / 3.0, 1e-16);
  /* in place */
  double b[3] = {1.0, 2.0, 5.0};
  ck_assert_int_eq(gen_weights_normalise(3, b, 1.0, 0.0, b), CORE_OK);
  ck_assert_double_eq_tol(b[2], 0.625, 1e-16);
}
END_TEST

START_TEST(test_weights_rejected) {
  double bad[3] = {NAN, -1.0, INFINITY}, p[3];
  for (int t = 0; t < 3; t++) {
    double w[3] = {1.0, 2.0, 3.0};
    w[1] = bad[t];
    core_error_clear();
    ck_assert_int_eq(gen_weights_normalise(3, w, 1.0, 1.0, p), CORE_ERR_NUMERIC);
    ck_assert_ptr_nonnull(strstr(core_error_message(), "weight 1 of 3"));
    ck_assert_int_eq(gen_weights_check(3, w), CORE_ERR_NUMERIC);
  }
  double w[2] = {1.0, 2.0};
  ck_assert_int_eq(gen_weights_normalise(2, w, -1.0, 1.0, p), CORE_ERR_INVALID);
  ck_assert_int_eq(gen_weights_normalise(2, w, 1.0, NAN, p), CORE_ERR_INVALID);
  ck_assert_int_eq(gen_weights_normalise(0, w, 1.0, 1.0, p), CORE_ERR_INVALID);
  core_error_clear();
}
END_TEST

/* ratio = NULL and ratio = ones both give gen_weights_normalise's p bit for bit. */
START_TEST(test_importance_unit_ratios) {
  double a[5] = {0.0, 1.0, 2.0, 3.0, 0.25}, ones[5] = {1, 1, 1, 1, 1}, p[5], q[5], r[5];
  ck_assert_int_eq(gen_weights_normalise(5, a, 2.0, 0.3, p), CORE_OK);
  ck_assert_int_eq(gen_weights_normalise_importance(5, a, NULL, 2.0, 0.3, q), CORE_OK);
  ck_assert_int_eq(gen_weights_normalise_importance(5, a, ones, 2.0, 0.3, r), CORE_OK);
  ck_assert_int_eq(memcmp(p, q, sizeof p), 0);
  ck_assert_int_eq(memcmp(p, r, sizeof p), 0);
}
END_TEST

/* A pool from the proposal q(x) = 2x on [0, 1] (x = sqrt(u)), residuals a(x) = x², k = 1, c = 0.5.
 * Reweighted by ratio = 1 / q, the pool must represent p(x) = (a(x) / E_U[a] + c) / (1 + c) =
 * (3x² + 0.5) / 1.5: Σ p_i f(x_i) for f(x) = x must approach ∫ x p(x) dx = (3/4 + 1/4) / 1.5.
 * Without the ratios the pool's own mean E_q[x²] = 1/2 sets p ∝ 2x² + 0.5 on q's points, and it
 * approaches ∫ x q (2x² + 0.5) dx / ∫ q (2x² + 0.5) dx = (4/5 + 1/3) / (3/2) = 0.7556 instead. */
START_TEST(test_importance_recovers_target) {
  enum { N = 200000 };
  gsl_rng *rng = core_rng_create(11);
  double *x = malloc(N * sizeof *x), *a = malloc(N * sizeof *a), *ratio = malloc(N * sizeof *ratio),
         *p = malloc(N * sizeof *p);
  for (size_t i = 0; i < N; i++) {
    x[i] = sqrt(gsl_rng_uniform_pos(rng));
    a[i] = x[i] * x[i];
    ratio[i] = 1.0 / (2.0 * x[i]);
  }
  ck_assert_int_eq(gen_weights_normalise_importance(N, a, ratio, 1.0, 0.5, p), CORE_OK);
  double mean_x = 0, total = 0;
  for (size_t i = 0; i < N; i++) {
    mean_x += p[i] * x[i];
    total += p[i];
  }
  ck_assert_double_eq_tol(total, 1.0, 1e-12);
  ck_assert_double_eq_tol(mean_x, 1.0 / 1.5, 5e-3);
  ck_assert_int_eq(gen_weights_normalise(N, a, 1.0, 0.5, p), CORE_OK);
  mean_x = 0;
  for (size_t i = 0; i < N; i++)
    mean_x += p[i] * x[i];
  ck_assert_double_eq_tol(mean_x, (4.0 / 5.0 + 1.0 / 3.0) / 1.5, 5e-3);
  free(x);
  free(a);
  free(ratio);
  free(p);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_importance_bad_ratios) {
  double a[3] = {1.0, 2.0, 3.0}, p[3];
  double bad[3][3] = {{1.0, 0.0, 1.0}, {1.0, -1.0, 1.0}, {1.0, NAN, 1.0}};
  for (int t = 0; t < 3; t++) {
    ck_assert_int_eq(gen_weights_normalise_importance(3, a, bad[t], 1.0, 1.0, p),
                     CORE_ERR_NUMERIC);
    ck_assert_ptr_nonnull(strstr(core_error_message(), "importance ratio 1 of 3"));
    core_error_clear();
  }
}
END_TEST

START_TEST(test_reflect) {
  ck_assert_double_eq_tol(gen_reflect(1.3, 0.0, 1.0), 0.7, 1e-15);
  ck_assert_double_eq_tol(gen_reflect(-0.2, 0.0, 1.0), 0.2, 1e-15);
  ck_assert_double_eq_tol(gen_reflect(2.5, 0.0, 1.0), 0.5, 1e-15);
  ck_assert_double_eq_tol(gen_reflect(-1.7, 0.0, 1.0), 0.3, 1e-15);
  ck_assert_double_eq_tol(gen_reflect(3.25, -1.0, 1.0), -0.75, 1e-15);
  ck_assert(gen_reflect(1.0, 0.0, 1.0) == 1.0 && gen_reflect(0.4, 0.0, 1.0) == 0.4);
}
END_TEST

/* ---- bootstrap ---- */

/* Ten source points x_i = i on [0, 10] so a row identifies its source. */
static void line_points(double *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    x[i] = (double)i;
}

/* Counts per source (merge policy returns them as weights) are Binomial(m, p_i): each within
 * 5 sd, and Pearson's chi-square below df + 5·√(2 df). */
START_TEST(test_counts_follow_weights) {
  gsl_rng *rng = core_rng_create(8);
  gen_options o = gen_options_default();
  o.dedupe = GEN_DEDUPE_MERGE;
  o.weight_power = 2.0;
  o.weight_offset = 0.5;
  double x[10], w[10] = {0.1, 1.0, 2.0, 0.5, 3.0, 0.0, 1.5, 0.7, 2.5, 0.2}, p[10];
  line_points(x, 10);
  size_t m = 200000;
  double *out = malloc(sizeof(double) * m), *cnt = malloc(sizeof(double) * m);
  gen_bootstrap_report r;
  ck_assert_int_eq(gen_bootstrap_resample(&box1, &o, 10, x, w, m, out, cnt, &r, rng), CORE_OK);
  direct_p(10, w, 2.0, 0.5, p);
  ck_assert_uint_eq(r.n_out, 10); /* c > 0: every point has p > 0 and is drawn at this m */
  ck_assert_uint_eq(r.n_unique, 10);
  double chi2 = 0.0, total = 0.0;
  for (size_t j = 0; j < r.n_out; j++) {
    size_t i = (size_t)out[j];
    double expect = (double)m * p[i], sd = sqrt(expect * (1.0 - p[i]));
    ck_assert_msg(fabs(cnt[j] - expect) < 5.0 * sd, "point %zu: %g draws, expected %g", i,
                  cnt[j], expect);
    chi2 += (cnt[j] - expect) * (cnt[j] - expect) / expect;
    total += cnt[j];
  }
  ck_assert_double_eq(total, (double)m);
  ck_assert_msg(chi2 < 9.0 + 5.0 * sqrt(18.0), "chi-square %g", chi2);
  free(out);
  free(cnt);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_zero_weight_never_drawn) {
  gsl_rng *rng = core_rng_create(9);
  gen_options o = gen_options_default();
  o.dedupe = GEN_DEDUPE_NONE;
  o.weight_offset = 0.0;
  double x[10], w[10];
  line_points(x, 10);
  for (int i = 0; i < 10; i++)
    w[i] = i % 2 ? 1.0 + i : 0.0;
  size_t m = 100000;
  double *out = malloc(sizeof(double) * m);
  gen_bootstrap_report r;
  ck_assert_int_eq(gen_bootstrap_resample(&box1, &o, 10, x, w, m, out, NULL, &r, rng), CORE_OK);
  for (size_t j = 0; j < m; j++)
    ck_assert_msg((int)out[j] % 2 == 1 && out[j] == floor(out[j]), "drew %g", out[j]);
  ck_assert_uint_eq(r.n_unique, 5);
  ck_assert_uint_eq(r.n_jittered, 0);
  ck_assert_double_eq_tol(r.duplicate_fraction, (double)(m - 5) / (double)m, 1e-15);
  free(out);
  gsl_rng_free(rng);
}
END_TEST

static int compare_rows2(const void *pa, const void *pb) {
  const double *a = pa, *b = pb;
  if (a[0] != b[0])
    return a[0] < b[0] ? -1 : 1;
  return (a[1] > b[1]) - (a[1] < b[1]);
}

/* 20 source points (some on the faces), 3000 draws: many repeats. Every row inside the box and
 * distinct; each drawn source appears exactly once unjittered, so exact rows = n_unique. */
START_TEST(test_jitter_duplicates) {
  gsl_rng *rng = core_rng_create(10);
  gen_options o = gen_options_default();
  size_t n = 20, m = 3000;
  double src[40], w[20];
  for (size_t i = 0; i < n; i++) {
    src[2 * i] = -1.0 + 2.0 * gsl_rng_uniform(rng);
    src[2 * i + 1] = gsl_rng_uniform(rng);
    w[i] = (double)(i % 4);
  }
  src[0] = -1.0; /* on faces: reflection must keep the jittered copies inside */
  src[3] = 1.0;
  double *out = malloc(sizeof(double) * 2 * m);
  gen_bootstrap_report r;
  ck_assert_int_eq(gen_bootstrap_resample(&box2, &o, n, src, w, m, out, NULL, &r, rng), CORE_OK);
  ck_assert_uint_eq(r.n_out, m);
  size_t exact = 0;
  for (size_t j = 0; j < m; j++) {
    ck_assert(out[2 * j] >= -1.0 && out[2 * j] <= 1.0);
    ck_assert(out[2 * j + 1] >= 0.0 && out[2 * j + 1] <= 1.0);
    for (size_t i = 0; i < n; i++)
      exact += out[2 * j] == src[2 * i] && out[2 * j + 1] == src[2 * i + 1];
  }
  ck_assert_uint_eq(exact, r.n_unique);
  ck_assert_uint_eq(r.n_jittered, m - r.n_unique);
  ck_assert_uint_le(r.n_unique, 20);
  ck_assert_uint_ge(r.n_unique, 15); /* c = 1: every point has p >= 1/(2n), missed w.p. < 1e-30 */
  ck_assert_double_eq_tol(r.duplicate_fraction, (double)(m - r.n_unique) / (double)m, 1e-15);
  ck_assert_double_eq_tol(r.jitter_sd[0], 0.5 * 2.0 / sqrt((double)m), 1e-15);
  qsort(out, m, 2 * sizeof(double), compare_rows2);
  for (size_t j = 1; j < m; j++)
    ck_assert_msg(compare_rows2(out + 2 * (j - 1), out + 2 * j) != 0, "duplicate row left");
  free(out);
  gsl_rng_free(rng);
}
END_TEST

/* The jitter sd is what the report says: one source point, every repeat is N(x0, h²) reflected;
 * with x0 in the middle and h ≪ width, reflection is never hit and the sample sd ≈ h. */
START_TEST(test_jitter_scale) {
  gsl_rng *rng = core_rng_create(12);
  gen_options o = gen_options_default();
  o.jitter_fraction = 0.05;
  size_t m = 10000;
  double src[2] = {0.0, 0.5}, *out = malloc(sizeof(double) * 2 * m);
  gen_bootstrap_report r;
  ck_assert_int_eq(gen_bootstrap_resample(&box2, &o, 1, src, NULL, m, out, NULL, &r, rng), CORE_OK);
  ck_assert_uint_eq(r.n_unique, 1);
  for (int k = 0; k < 2; k++) {
    double s2 = 0.0;
    for (size_t j = 1; j < m; j++)
      s2 += (out[2 * j + k] - src[k]) * (out[2 * j + k] - src[k]) / (double)(m - 1);
    double h = r.jitter_sd[k], sd = sqrt(s2);
    ck_assert_msg(fabs(sd / h - 1.0) < 5.0 / sqrt(2.0 * (double)m), "sd %g vs h %g", sd, h);
  }
  free(out);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_bootstrap_deterministic) {
  gen_options o = gen_options_default();
  size_t n = 50, m = 400;
  double src[100], w[50], *a = malloc(sizeof(double) * 2 * m), *b = malloc(sizeof(double) * 2 * m);
  gsl_rng *rng = core_rng_create(1);
  for (size_t i = 0; i < n; i++) {
    src[2 * i] = -1.0 + 2.0 * gsl_rng_uniform(rng);
    src[2 * i + 1] = gsl_rng_uniform(rng);
    w[i] = gsl_rng_uniform(rng);
  }
  gsl_rng_set(rng, 77);
  ck_assert_int_eq(gen_bootstrap_resample(&box2, &o, n, src, w, m, a, NULL, NULL, rng), CORE_OK);
  gsl_rng_set(rng, 77);
  ck_assert_int_eq(gen_bootstrap_resample(&box2, &o, n, src, w, m, b, NULL, NULL, rng), CORE_OK);
  ck_assert(memcmp(a, b, sizeof(double) * 2 * m) == 0);
  free(a);
  free(b);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_bootstrap_errors) {
  gsl_rng *rng = core_rng_create(2);
  gen_options o = gen_options_default();
  double src[4] = {0.0, 0.5, 0.5, 0.5}, w[2] = {1.0, NAN}, out[8];
  core_error_clear();
  ck_assert_int_eq(gen_bootstrap_resample(&box2, &o, 2, src, w, 4, out, NULL, NULL, rng),
                   CORE_ERR_NUMERIC);
  w[1] = 1.0;
  src[1] = 1.5; /* outside [0, 1] */
  core_error_clear();
  ck_assert_int_eq(gen_bootstrap_resample(&box2, &o, 2, src, w, 4, out, NULL, NULL, rng),
                   CORE_ERR_INVALID);
  src[1] = 0.5;
  gen_bootstrap_report r;
  ck_assert_int_eq(gen_bootstrap_resample(&box2, &o, 2, src, w, 0, out, NULL, &r, rng), CORE_OK);
  ck_assert_uint_eq(r.n_out, 0);
  core_error_clear();
  gsl_rng_free(rng);
}
END_TEST

/* ---- RAD ---- */

static gen_sampler *make_rad(double k, double c, gsl_rng *rng) {
  gen_options o = gen_options_default();
  o.weight_power = k;
  o.weight_offset = c;
  gen_sampler *s = NULL;
  ck_assert_int_eq(gen_sampler_create(&s, &gen_sampler_rad, &box_rad, &o, rng), CORE_OK);
  return s;
}

START_TEST(test_rad_without_replacement) {
  gsl_rng *rng = core_rng_create(21);
  gen_sampler *s = make_rad(1.0, 0.0, rng);
  double pool[50], w[50], x[51];
  line_points(pool, 50);
  for (int i = 0; i < 50; i++)
    w[i] = i < 10 ? 0.0 : (double)i;
  ck_assert_int_eq(gen_sampler_fit(s, 50, pool, w, rng), CORE_OK);
  for (int trial = 0; trial < 20; trial++) {
    ck_assert_int_eq(gen_sampler_sample(s, 40, x, rng), CORE_OK);
    int seen[50] = {0};
    for (int j = 0; j < 40; j++) {
      int i = (int)x[j];
      ck_assert(x[j] == (double)i && i >= 10 && i < 50); /* a pool point with p > 0 */
      ck_assert_msg(seen[i]++ == 0, "pool point %d drawn twice", i);
    }
  }
  core_error_clear();
  ck_assert_int_eq(gen_sampler_sample(s, 41, x, rng), CORE_ERR_INVALID); /* only 40 with p > 0 */
  core_error_clear();
  gen_sampler_destroy(s);
  s = make_rad(1.0, 1.0, rng);
  ck_assert_int_eq(gen_sampler_fit(s, 50, pool, w, rng), CORE_OK);
  ck_assert_int_eq(gen_sampler_sample(s, 50, x, rng), CORE_OK); /* the whole pool: a permutation */
  int seen[50] = {0};
  for (int j = 0; j < 50; j++)
    ck_assert(seen[(int)x[j]]++ == 0);
  ck_assert_int_eq(gen_sampler_sample(s, 51, x, rng), CORE_ERR_INVALID);
  core_error_clear();
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* Successive sampling of 2 from 5: P(i first) = p_i and
 * P(i in sample) = p_i + Σ_{j≠i} p_j p_i / (1 - p_j). Frequencies over T trials within 5 sd. */
START_TEST(test_rad_selection_frequencies) {
  gsl_rng *rng = core_rng_create(31);
  gen_sampler *s = make_rad(2.0, 0.5, rng);
  double pool[5], w[5] = {0.2, 1.0, 0.5, 2.0, 0.05}, p[5], x[2];
  line_points(pool, 5);
  ck_assert_int_eq(gen_sampler_fit(s, 5, pool, w, rng), CORE_OK);
  ck_assert_int_eq(gen_weights_normalise(5, w, 2.0, 0.5, p), CORE_OK);
  int trials = 40000;
  double first[5] = {0}, incl[5] = {0};
  for (int t = 0; t < trials; t++) {
    ck_assert_int_eq(gen_sampler_sample(s, 2, x, rng), CORE_OK);
    ck_assert(x[0] != x[1]);
    first[(int)x[0]] += 1.0;
    incl[(int)x[0]] += 1.0;
    incl[(int)x[1]] += 1.0;
  }
  for (int i = 0; i < 5; i++) {
    double pi = p[i];
    for (int j = 0; j < 5; j++)
      if (j != i)
        pi += p[j] * p[i] / (1.0 - p[j]);
    double f1 = first[i] / trials, f2 = incl[i] / trials;
    ck_assert_msg(fabs(f1 - p[i]) < 5.0 * sqrt(p[i] * (1 - p[i]) / trials), "first %d: %g vs %g",
                  i, f1, p[i]);
    ck_assert_msg(fabs(f2 - pi) < 5.0 * sqrt(pi * (1 - pi) / trials), "incl %d: %g vs %g", i, f2,
                  pi);
  }
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_rad_failed_fit_keeps_pool) {
  gsl_rng *rng = core_rng_create(41);
  gen_sampler *s = make_rad(1.0, 1.0, rng);
  double pool[8] = {1, 2, 3, 4, 5, 6, 7, 8}, w[8] = {1, 1, 1, 1, 1, 1, 1, 1}, x[8];
  double pool2[10] = {9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5}, w2[10] = {1};
  ck_assert_int_eq(gen_sampler_fit(s, 8, pool, w, rng), CORE_OK);
  w2[4] = -1.0;
  core_error_clear();
  ck_assert_int_eq(gen_sampler_fit(s, 10, pool2, w2, rng), CORE_ERR_NUMERIC);
  core_error_clear();
  ck_assert_int_eq(gen_sampler_sample(s, 8, x, rng), CORE_OK);
  double sum = 0.0;
  for (int j = 0; j < 8; j++)
    sum += x[j];
  ck_assert_double_eq(sum, 36.0); /* the old pool, all of it */
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* ---- options ---- */

START_TEST(test_options) {
  gen_options o = gen_options_default();
  ck_assert_double_eq(o.weight_power, 1.0);
  ck_assert_double_eq(o.weight_offset, 1.0);
  ck_assert_uint_eq(o.pool_size, 100000);
  ck_assert_int_eq(o.dedupe, GEN_DEDUPE_JITTER);
  ck_assert_int_eq(gen_options_validate(&o), CORE_OK);
  ck_assert_int_eq(gen_options_set(&o, "weight_power", "2.5"), CORE_OK);
  ck_assert_int_eq(gen_options_set(&o, "pool_size", "5000"), CORE_OK);
  ck_assert_int_eq(gen_options_set(&o, "dedupe", "merge"), CORE_OK);
  ck_assert_double_eq(o.weight_power, 2.5);
  ck_assert_uint_eq(o.pool_size, 5000);
  ck_assert_int_eq(o.dedupe, GEN_DEDUPE_MERGE);
  core_error_clear();
  ck_assert_int_eq(gen_options_set(&o, "weight_powr", "2"), CORE_ERR_CONFIG);
  core_error_clear();
  ck_assert_int_eq(gen_options_set(&o, "weight_power", "2x"), CORE_ERR_CONFIG);
  core_error_clear();
  ck_assert_int_eq(gen_options_set(&o, "pool_size", "-3"), CORE_ERR_CONFIG);
  core_error_clear();
  ck_assert_int_eq(gen_options_set(&o, "dedupe", "drop"), CORE_ERR_CONFIG);
  core_error_clear();
  ck_assert_double_eq(o.weight_power, 2.5); /* failed sets leave the field alone */
  ck_assert_int_eq(gen_options_set(&o, "weight_offset", "-1"), CORE_OK);
  ck_assert_int_eq(gen_options_validate(&o), CORE_ERR_CONFIG);
  core_error_clear();
  ck_assert_str_eq(gen_options_key(0), "weight_power");
  size_t i = 0;
  while (gen_options_key(i))
    i++;
  ck_assert_uint_ge(i, 5);
  ck_assert_str_eq(gen_dedupe_name(GEN_DEDUPE_NONE), "none");
}
END_TEST

static Suite *make_suite(void) {
  Suite *suite = suite_create("bootstrap");
  TCase *tw = tcase_create("weights");
  tcase_add_test(tw, test_weights_formula);
  tcase_add_test(tw, test_weights_extremes);
  tcase_add_test(tw, test_weights_rejected);
  tcase_add_test(tw, test_importance_unit_ratios);
  tcase_add_test(tw, test_importance_recovers_target);
  tcase_add_test(tw, test_importance_bad_ratios);
  tcase_add_test(tw, test_reflect);
  tcase_add_test(tw, test_options);
  suite_add_tcase(suite, tw);
  TCase *tb = tcase_create("bootstrap");
  tcase_add_test(tb, test_counts_follow_weights);
  tcase_add_test(tb, test_zero_weight_never_drawn);
  tcase_add_test(tb, test_jitter_duplicates);
  tcase_add_test(tb, test_jitter_scale);
  tcase_add_test(tb, test_bootstrap_deterministic);
  tcase_add_test(tb, test_bootstrap_errors);
  suite_add_tcase(suite, tb);
  TCase *tr = tcase_create("rad");
  tcase_add_test(tr, test_rad_without_replacement);
  tcase_add_test(tr, test_rad_selection_frequencies);
  tcase_add_test(tr, test_rad_failed_fit_keeps_pool);
  suite_add_tcase(suite, tr);
  return suite;
}

CHECK_MAIN(make_suite)
