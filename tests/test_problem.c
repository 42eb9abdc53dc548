/* The problem layer: ansatz composition (Leibniz rule) and its transpose, and the registry. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "core/rng.h"
#include "pde/burgers.h"
#include "pde/problem.h"

#define MAX_DIM 3
#define MAX_STREAMS 16

/* Plane waves phi(w.x + c) have jets d_i = w_i phi', d_ij = w_i w_j phi'', so g, l and N below
 * have exact jets of every order and their product has nonzero mixed partials. */
typedef struct wave {
  int kind; /* 0: sin, 1: exp, 2: cos */
  double w[MAX_DIM], c;
} wave;

static double wave_deriv(const wave *f, int order, double s) {
  switch (f->kind) {
  case 0: { const double d[4] = {sin(s), cos(s), -sin(s), -cos(s)}; return d[order % 4]; }
  case 1: return exp(s);
  default: { const double d[4] = {cos(s), -sin(s), -cos(s), sin(s)}; return d[order % 4]; }
  }
}

static double wave_value(const wave *f, int dim, const double *x) {
  double s = f->c;
  for (int i = 0; i < dim; i++)
    s += f->w[i] * x[i];
  return wave_deriv(f, 0, s);
}

/* Jets of f at n points x (n, dim) into jets (streams, n), stream order of `spec`. */
static void wave_jets(const wave *f, const nn_jet_spec *spec, int dim, size_t n, const double *x,
                      double *jets) {
  for (size_t p = 0; p < n; p++) {
    double s = f->c;
    for (int i = 0; i < dim; i++)
      s += f->w[i] * x[p * (size_t)dim + (size_t)i];
    jets[p] = wave_deriv(f, 0, s);
    for (int k = 0; k < spec->n_first; k++)
      jets[(size_t)(1 + k) * n + p] = f->w[spec->first[k]] * wave_deriv(f, 1, s);
    for (int k = 0; k < spec->n_second; k++)
      jets[(size_t)(1 + spec->n_first + k) * n + p] =
          f->w[spec->second[k][0]] * f->w[spec->second[k][1]] * wave_deriv(f, 2, s);
  }
}

static double product_value(const wave *fn, int dim, const double *x) {
  return wave_value(&fn[0], dim, x) + wave_value(&fn[1], dim, x) * wave_value(&fn[2], dim, x);
}

/* Sixth-order central first difference along input a (truncation h^6 f^(7) / 140). */
static const double D6_C[3] = {45.0 / 60.0, -9.0 / 60.0, 1.0 / 60.0};
#define FD_H 1e-2

static double fd_first(const wave *fn, int dim, const double *x, int a) {
  double y[MAX_DIM], sum = 0.0;
  for (int j = 1; j <= 3; j++) {
    memcpy(y, x, sizeof y);
    y[a] = x[a] + j * FD_H;
    double fp = product_value(fn, dim, y);
    y[a] = x[a] - j * FD_H;
    sum += D6_C[j - 1] * (fp - product_value(fn, dim, y));
  }
  return sum / FD_H;
}

/* d2/dx_a dx_b as the sixth-order first difference along b of the one along a. */
static double fd_second(const wave *fn, int dim, const double *x, int a, int b) {
  double y[MAX_DIM], sum = 0.0;
  for (int j = 1; j <= 3; j++) {
    memcpy(y, x, sizeof y);
    y[b] = x[b] + j * FD_H;
    double fp = fd_first(fn, dim, y, a);
    y[b] = x[b] - j * FD_H;
    sum += D6_C[j - 1] * (fp - fd_first(fn, dim, y, a));
  }
  return sum / FD_H;
}

/* Signed error relative to max(|exact|, 1): g, l and N are O(1), so difference rounding
 * (~eps |f| / h^2) is an absolute floor that a small exact partial must not magnify. */
static double signed_rel(double approx, double exact) {
  return (approx - exact) / fmax(fabs(exact), 1.0);
}

static void random_waves(gsl_rng *rng, wave *fn) {
  for (int f = 0; f < 3; f++) {
    fn[f].kind = f;
    for (int i = 0; i < MAX_DIM; i++)
      fn[f].w[i] = gsl_rng_uniform(rng) * 2.0 - 1.0;
    fn[f].c = gsl_rng_uniform(rng);
  }
}

/* u_jets from pde_compose_ansatz against sixth-order differences of g + l N. */
static double compose_fd_error(const nn_jet_spec *spec, int dim, unsigned long seed) {
  enum { N = 5 };
  gsl_rng *rng = core_rng_create(seed);
  wave fn[3];
  random_waves(rng, fn);
  double x[N * MAX_DIM];
  for (int i = 0; i < N * dim; i++)
    x[i] = gsl_rng_uniform(rng) * 2.0 - 1.0;
  double g[MAX_STREAMS * N], l[MAX_STREAMS * N], net[MAX_STREAMS * N], u[MAX_STREAMS * N];
  wave_jets(&fn[0], spec, dim, N, x, g);
  wave_jets(&fn[1], spec, dim, N, x, l);
  wave_jets(&fn[2], spec, dim, N, x, net);
  pde_compose_ansatz(spec, N, g, l, net, u);
  double worst = 0.0;
  for (size_t p = 0; p < N; p++) {
    const double *xp = x + p * (size_t)dim;
    double e = signed_rel(u[p], product_value(fn, dim, xp));
    for (int k = 0; k < spec->n_first; k++) {
      double ek = signed_rel(fd_first(fn, dim, xp, spec->first[k]), u[(size_t)(1 + k) * N + p]);
      e = fabs(ek) > fabs(e) ? ek : e;
    }
    for (int k = 0; k < spec->n_second; k++) {
      double fd = fd_second(fn, dim, xp, spec->second[k][0], spec->second[k][1]);
      double ek = signed_rel(fd, u[(size_t)(1 + spec->n_first + k) * N + p]);
      e = fabs(ek) > fabs(e) ? ek : e;
    }
    worst = fabs(e) > fabs(worst) ? e : worst;
  }
  gsl_rng_free(rng);
  return worst;
}

static const nn_jet_spec SPEC2 = {.n_first = 2, .first = {0, 1}, .n_second = 3,
                                  .second = {{0, 0}, {0, 1}, {1, 1}}};
/* Unsorted first partials and a mixed-only subset of second ones exercise the stream lookup. */
static const nn_jet_spec SPEC3 = {.n_first = 3, .first = {2, 0, 1}, .n_second = 4,
                                  .second = {{0, 2}, {1, 1}, {0, 1}, {1, 2}}};

START_TEST(test_compose_matches_fd) {
  ck_assert_int_eq(nn_jet_spec_validate(&SPEC2, 2), CORE_OK);
  ck_assert_int_eq(nn_jet_spec_validate(&SPEC3, 3), CORE_OK);
  for (unsigned long seed = 1; seed <= 3; seed++) {
    double e2 = compose_fd_error(&SPEC2, 2, seed), e3 = compose_fd_error(&SPEC3, 3, seed);
    printf("compose vs FD, seed %lu: worst signed rel err dim 2 %.2e, dim 3 %.2e\n", seed, e2, e3);
    /* Truncation ~ h^6/140 |f^(7)| ~ 1e-13 and rounding ~ eps / h^2 ~ 1e-12 for h = 1e-2. */
    ck_assert_double_lt(fabs(e2), 1e-9);
    ck_assert_double_lt(fabs(e3), 1e-9);
  }
}
END_TEST

/* <adj, J v> = <J^T adj, v> with J v = compose(g = 0, l, v), the ansatz being affine in N. */
static double adjoint_error(const nn_jet_spec *spec, unsigned long seed) {
  enum { N = 7 };
  gsl_rng *rng = core_rng_create(seed);
  size_t len = (size_t)nn_jet_spec_streams(spec) * N;
  double zero[MAX_STREAMS * N] = {0}, l[MAX_STREAMS * N], v[MAX_STREAMS * N];
  double adj[MAX_STREAMS * N], jv[MAX_STREAMS * N], jta[MAX_STREAMS * N];
  for (size_t i = 0; i < len; i++) {
    l[i] = gsl_rng_uniform(rng) * 2.0 - 1.0;
    v[i] = gsl_rng_uniform(rng) * 2.0 - 1.0;
    adj[i] = gsl_rng_uniform(rng) * 2.0 - 1.0;
  }
  pde_compose_ansatz(spec, N, zero, l, v, jv);
  pde_compose_ansatz_adjoint(spec, N, l, adj, jta);
  double lhs = 0.0, rhs = 0.0;
  for (size_t i = 0; i < len; i++) {
    lhs += adj[i] * jv[i];
    rhs += jta[i] * v[i];
  }
  gsl_rng_free(rng);
  return (rhs - lhs) / fabs(lhs);
}

START_TEST(test_adjoint_is_transpose) {
  for (unsigned long seed = 10; seed < 15; seed++) {
    double e2 = adjoint_error(&SPEC2, seed), e3 = adjoint_error(&SPEC3, seed);
    printf("adjoint transpose identity, seed %lu: signed rel err dim 2 %.2e, dim 3 %.2e\n", seed,
           e2, e3);
    ck_assert_double_lt(fabs(e2), 1e-12);
    ck_assert_double_lt(fabs(e3), 1e-12);
  }
}
END_TEST

/* Each column of J^T, probed with a unit adjoint, must equal the row of J it transposes: this
 * catches a swapped pair that the random inner product could hide only by coincidence. */
START_TEST(test_adjoint_columns) {
  enum { N = 2 };
  const nn_jet_spec *spec = &SPEC3;
  size_t len = (size_t)nn_jet_spec_streams(spec) * N;
  gsl_rng *rng = core_rng_create(99);
  double zero[MAX_STREAMS * N] = {0}, l[MAX_STREAMS * N], e[MAX_STREAMS * N];
  double jv[MAX_STREAMS * N], jta[MAX_STREAMS * N];
  for (size_t i = 0; i < len; i++)
    l[i] = gsl_rng_uniform(rng) + 0.5;
  double worst = 0.0;
  for (size_t i = 0; i < len; i++) {     /* output entry i */
    memset(e, 0, sizeof e);
    e[i] = 1.0;
    pde_compose_ansatz_adjoint(spec, N, l, e, jta); /* row i of J */
    for (size_t j = 0; j < len; j++) {   /* input entry j */
      memset(e, 0, sizeof e);
      e[j] = 1.0;
      pde_compose_ansatz(spec, N, zero, l, e, jv); /* column j of J */
      worst = fmax(worst, fabs(jv[i] - jta[j]));
    }
  }
  gsl_rng_free(rng);
  ck_assert_double_eq(worst, 0.0);
}
END_TEST

START_TEST(test_registry) {
  ck_assert_ptr_eq(pde_problem_type_find("burgers"), &pde_burgers);
  ck_assert_ptr_null(pde_problem_type_find("no-such-problem"));
  ck_assert_int_eq(pde_problem_param_index(&pde_burgers, "nu"), 0);
  ck_assert_int_eq(pde_problem_param_index(&pde_burgers, "mu"), -1);
  pde_problem p;
  pde_problem_init(&p, &pde_burgers);
  ck_assert_ptr_eq(p.type, &pde_burgers);
  ck_assert_double_eq_tol(p.params[0], 0.01 / 3.14159265358979323846, 1e-18);
  /* Every registered type is self-consistent and findable under its own name. */
  int count = 0;
  for (const pde_problem_type *const *t = pde_problem_types; *t; t++, count++) {
    ck_assert_ptr_eq(pde_problem_type_find((*t)->name), *t);
    ck_assert_int_ge((*t)->dim, 1);
    ck_assert_int_le((*t)->dim, NN_MAX_INPUTS);
    ck_assert_int_eq(nn_jet_spec_validate(&(*t)->jets, (*t)->dim), CORE_OK);
    ck_assert_int_le((*t)->n_params, PDE_MAX_PARAMS);
    ck_assert((*t)->residual != NULL);
    for (int i = 0; i < (*t)->dim; i++)
      ck_assert_double_lt((*t)->lower[i], (*t)->upper[i]);
  }
  ck_assert_int_ge(count, 1);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("problem");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_compose_matches_fd);
  tcase_add_test(tc, test_adjoint_is_transpose);
  tcase_add_test(tc, test_adjoint_columns);
  tcase_add_test(tc, test_registry);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
