/* gen/assignment.c: dense linear assignment.
 *
 * Optimality against brute force over all n! permutations (n <= 8) on continuous, tied-integer,
 * negative and squared-Euclidean costs; the dual certificate (u_i + v_j <= c_ij, tight on the
 * chosen pairs, Σu + Σv = optimum) on minibatch-sized problems; the 1-D squared-distance oracle
 * (the optimal plan matches sorted to sorted); argument errors. */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/rng.h"
#include "gen/assignment.h"

enum { COST_UNIFORM, COST_TIED, COST_NEGATIVE, COST_EUCLID, COST_KINDS };

static void random_cost(int kind, size_t n, double *c, gsl_rng *rng) {
  if (kind == COST_EUCLID) { /* squared distances between two random 2-D clouds */
    double p[2 * 256], q[2 * 256];
    ck_assert_uint_le(n, 256);
    for (size_t k = 0; k < 2 * n; k++) {
      p[k] = gsl_rng_uniform(rng);
      q[k] = 2.0 * gsl_rng_uniform(rng) - 0.5;
    }
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++)
        c[i * n + j] = pow(p[2 * i] - q[2 * j], 2) + pow(p[2 * i + 1] - q[2 * j + 1], 2);
    return;
  }
  for (size_t k = 0; k < n * n; k++) {
    if (kind == COST_UNIFORM)
      c[k] = gsl_rng_uniform(rng);
    else if (kind == COST_TIED) /* many ties: several optimal permutations */
      c[k] = (double)gsl_rng_uniform_int(rng, 3);
    else
      c[k] = 200.0 * gsl_rng_uniform(rng) - 100.0;
  }
}

/* Minimum of Σ c[i][perm(i)] over all permutations (lexicographic next-permutation walk). */
static double brute_force(size_t n, const double *c) {
  size_t perm[8];
  for (size_t i = 0; i < n; i++)
    perm[i] = i;
  double best = INFINITY;
  for (;;) {
    double sum = 0;
    for (size_t i = 0; i < n; i++)
      sum += c[i * n + perm[i]];
    best = fmin(best, sum);
    size_t k = n - 1; /* largest k with perm[k - 1] < perm[k] */
    while (k > 0 && perm[k - 1] > perm[k])
      k--;
    if (k == 0)
      return best;
    size_t l = n - 1;
    while (perm[l] < perm[k - 1])
      l--;
    size_t tmp = perm[k - 1];
    perm[k - 1] = perm[l];
    perm[l] = tmp;
    for (size_t a = k, b = n - 1; a < b; a++, b--) {
      tmp = perm[a];
      perm[a] = perm[b];
      perm[b] = tmp;
    }
  }
}

/* row_to_col is a permutation and its cost is `total`. */
static void check_permutation(size_t n, const double *c, const size_t *row_to_col, double total) {
  unsigned char seen[256] = {0};
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    ck_assert_uint_lt(row_to_col[i], n);
    ck_assert(!seen[row_to_col[i]]);
    seen[row_to_col[i]] = 1;
    sum += c[i * n + row_to_col[i]];
  }
  ck_assert_double_eq_tol(sum, total, 1e-12 * (1 + fabs(sum)));
}

/* Dual certificate of optimality; returns the largest violation found. */
static double certificate_error(size_t n, const double *c, const size_t *row_to_col,
                                const double *u, const double *v, double total) {
  double err = 0, dual = 0;
  for (size_t i = 0; i < n; i++) {
    dual += u[i] + v[i];
    for (size_t j = 0; j < n; j++)
      err = fmax(err, u[i] + v[j] - c[i * n + j]); /* feasibility: must be <= 0 */
    err = fmax(err, fabs(u[i] + v[row_to_col[i]] - c[i * n + row_to_col[i]])); /* tightness */
  }
  return fmax(err, fabs(dual - total));
}

START_TEST(test_matches_brute_force) {
  gsl_rng *rng = core_rng_create(1);
  gen_assignment *a = NULL;
  ck_assert_int_eq(gen_assignment_create(&a, 8), CORE_OK);
  double c[64], u[8], v[8], total;
  size_t r2c[8];
  int solved = 0;
  for (size_t n = 1; n <= 8; n++)
    for (int kind = 0; kind < COST_KINDS; kind++)
      for (int rep = 0; rep < (n <= 6 ? 25 : 4); rep++) {
        random_cost(kind, n, c, rng);
        ck_assert_int_eq(gen_assignment_solve(a, n, c, r2c, &total, u, v), CORE_OK);
        check_permutation(n, c, r2c, total);
        double best = brute_force(n, c);
        ck_assert_msg(total - best < 1e-12 * (1 + fabs(best)),
                      "n %zu kind %d: cost %.15g, brute force %.15g", n, kind, total, best);
        ck_assert_double_lt(certificate_error(n, c, r2c, u, v, total), 1e-9);
        solved++;
      }
  ck_assert_int_eq(solved, 6 * 4 * 25 + 2 * 4 * 4);
  gen_assignment_destroy(a);
  gsl_rng_free(rng);
}
END_TEST

/* Minibatch size as the flow-matching sampler uses it; the workspace is reused across sizes. */
START_TEST(test_certificate_large) {
  gsl_rng *rng = core_rng_create(2);
  gen_assignment *a = NULL;
  ck_assert_int_eq(gen_assignment_create(&a, 256), CORE_OK);
  double *c = malloc(256 * 256 * sizeof *c), u[256], v[256], total;
  size_t r2c[256];
  const size_t sizes[3] = {256, 37, 128};
  for (int k = 0; k < 3; k++)
    for (int kind = 0; kind < COST_KINDS; kind++) {
      size_t n = sizes[k];
      random_cost(kind, n, c, rng);
      ck_assert_int_eq(gen_assignment_solve(a, n, c, r2c, &total, u, v), CORE_OK);
      check_permutation(n, c, r2c, total);
      double err = certificate_error(n, c, r2c, u, v, total);
      ck_assert_msg(err < 1e-9 * (1 + fabs(total)), "n %zu kind %d: certificate error %.3g", n,
                    kind, err);
      double identity = 0; /* the identity is one feasible permutation: no better than optimal */
      for (size_t i = 0; i < n; i++)
        identity += c[i * n + i];
      ck_assert_double_le(total, identity + 1e-12);
    }
  free(c);
  gen_assignment_destroy(a);
  gsl_rng_free(rng);
}
END_TEST

static const double *sort_keys; /* qsort has no context argument */
static int compare_sorted(const void *pa, const void *pb) {
  double a = sort_keys[*(const size_t *)pa], b = sort_keys[*(const size_t *)pb];
  return (a > b) - (a < b);
}

/* 1-D squared cost is submodular: the optimal plan is the monotone (sorted-to-sorted) one. */
START_TEST(test_one_dimensional_oracle) {
  gsl_rng *rng = core_rng_create(3);
  enum { N = 100 };
  gen_assignment *a = NULL;
  ck_assert_int_eq(gen_assignment_create(&a, N), CORE_OK);
  double x[N], y[N], *c = malloc(N * N * sizeof *c), total;
  size_t r2c[N], ix[N], iy[N];
  for (int i = 0; i < N; i++) {
    x[i] = gsl_rng_uniform(rng);
    y[i] = 3.0 * gsl_rng_uniform(rng) - 1.0;
    ix[i] = iy[i] = (size_t)i;
  }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      c[i * N + j] = (x[i] - y[j]) * (x[i] - y[j]);
  ck_assert_int_eq(gen_assignment_solve(a, N, c, r2c, &total, NULL, NULL), CORE_OK);
  sort_keys = x;
  qsort(ix, N, sizeof ix[0], compare_sorted);
  sort_keys = y;
  qsort(iy, N, sizeof iy[0], compare_sorted);
  for (int k = 0; k < N; k++) /* continuous draws: no ties, the plan is unique */
    ck_assert_uint_eq(r2c[ix[k]], iy[k]);
  free(c);
  gen_assignment_destroy(a);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_errors) {
  gen_assignment *a = NULL;
  ck_assert_int_eq(gen_assignment_create(&a, 0), CORE_ERR_INVALID);
  ck_assert_ptr_null(a);
  gen_assignment_destroy(NULL);
  ck_assert_int_eq(gen_assignment_create(&a, 3), CORE_OK);
  double c[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  size_t r2c[4];
  ck_assert_int_eq(gen_assignment_solve(a, 0, c, r2c, NULL, NULL, NULL), CORE_ERR_INVALID);
  ck_assert_int_eq(gen_assignment_solve(a, 4, c, r2c, NULL, NULL, NULL), CORE_ERR_INVALID);
  c[4] = NAN;
  ck_assert_int_eq(gen_assignment_solve(a, 3, c, r2c, NULL, NULL, NULL), CORE_ERR_NUMERIC);
  c[4] = 5;
  double total;
  ck_assert_int_eq(gen_assignment_solve(a, 1, c, r2c, &total, NULL, NULL), CORE_OK);
  ck_assert_uint_eq(r2c[0], 0);
  ck_assert_double_eq(total, 1);
  gen_assignment_destroy(a);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("assignment");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_matches_brute_force);
  tcase_add_test(tc, test_certificate_large);
  tcase_add_test(tc, test_one_dimensional_oracle);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
