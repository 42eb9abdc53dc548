/* Peak Poisson problems (2-D and 10-D): the exact solution's residual, dr/du_s and the ansatz jets
 * against finite differences, the boundary values of u = g + l N for any N, and the 10-D Laplacian
 * through a network: the model's residual equals -(FD Laplacian of u = g + l N) - f. */
#include "check_main.h"
#include "nn/mlp.h"
#include "pde/poisson_peak.h"
#include "pinn/model.h"
#include "problem_checks.h"

static double exact_at(const pde_problem *p, const double *x) {
  double u;
  ck_assert_int_eq(p->type->reference(p, 1, x, &u), CORE_OK);
  return u;
}

/* Sixth-order FD Laplacian (step h) of the reference, fed to the residual op at n points, half of
 * them within ~2 widths of the peak where f is large. Truncation: h^6 u^(8) / 560 with
 * u^(8) ~ (2a)^4 u, i.e. (h sqrt(2a))^6 / 30 relative: 3e-10 for a = 1000, h = 1e-3 (2-D) and
 * 6e-15 for a = 10; rounding ~ d 1e-16 / h^2 = 1e-9 (d = 10). Measured against the size of the
 * largest term |f| + |sum u_kk| + 1. */
static double exact_residual_error(const pde_problem *p, double h, size_t n, unsigned long seed) {
  const pde_problem_type *t = p->type;
  const int d = t->dim;
  const double c2[3] = {270.0 / 180.0, -27.0 / 180.0, 2.0 / 180.0};
  int streams = nn_jet_spec_streams(&t->jets);
  double jets[1 + NN_MAX_INPUTS + NN_MAX_SECOND], dr[1 + NN_MAX_INPUTS + NN_MAX_SECOND];
  double width = 1.0 / sqrt(2.0 * p->params[0]), worst = 0.0;
  gsl_rng *rng = core_rng_create(seed);
  for (size_t i = 0; i < n; i++) {
    double x[NN_MAX_INPUTS];
    for (int k = 0; k < d; k++)
      x[k] = i % 2 ? p->params[1] + 2.0 * width * (2.0 * gsl_rng_uniform(rng) - 1.0) / sqrt(d)
                   : -0.99 + 1.98 * gsl_rng_uniform(rng);
    double u0 = exact_at(p, x), lap = 0.0;
    for (int s = 0; s < streams; s++)
      jets[s] = 0.0;
    jets[0] = u0;
    for (int k = 0; k < d; k++) {
      double keep = x[k], uk = -490.0 / 180.0 * u0;
      for (int j = 1; j <= 3; j++) {
        x[k] = keep + j * h;
        double up = exact_at(p, x);
        x[k] = keep - j * h;
        uk += c2[j - 1] * (up + exact_at(p, x));
      }
      x[k] = keep;
      jets[1 + d + k] = uk / (h * h);
      lap += jets[1 + d + k];
    }
    double r;
    t->residual(p, 1, x, jets, &r, dr);
    double f = -lap - r; /* the op's own f */
    worst = fmax(worst, fabs(r) / (fabs(f) + fabs(lap) + 1.0));
  }
  gsl_rng_free(rng);
  return worst;
}

START_TEST(test_exact_solution_residual) {
  pde_problem p2, p10;
  pde_problem_init(&p2, &pde_poisson_peak);
  pde_problem_init(&p10, &pde_poisson_peak_10d);
  double e2 = exact_residual_error(&p2, 1e-3, 40, 1), e10 = exact_residual_error(&p10, 1e-3, 40, 2);
  printf("exact-solution residual / scale: 2-D %.2e, 10-D %.2e\n", e2, e10);
  ck_assert_double_lt(e2, 1e-7);
  ck_assert_double_lt(e10, 1e-7);
  /* A wrong source must show: halving the sharpness in the residual leaves an O(1) residual. */
  p2.params[0] = 500.0;
  double x[2] = {0.5, 0.5}, jets[5] = {1, 0, 0, -2000.0, -2000.0}, r, dr[5];
  p2.type->residual(&p2, 1, x, jets, &r, dr);
  ck_assert_double_gt(fabs(r), 100.0);
}
END_TEST

START_TEST(test_residual_derivatives) {
  pde_problem p;
  pde_problem_init(&p, &pde_poisson_peak);
  double w2 = pc_residual_derivative_error(&p, 7, 1e-3);
  pde_problem_init(&p, &pde_poisson_peak_10d);
  double w10 = pc_residual_derivative_error(&p, 8, 1e-3);
  printf("dr/du worst signed rel err: 2-D %.2e, 10-D %.2e\n", w2, w10);
  ck_assert_double_lt(fabs(w2), 1e-9); /* linear in the jets: exact up to rounding */
  ck_assert_double_lt(fabs(w10), 1e-9);
}
END_TEST

/* The ansatz jets, with parameters for which g is far from 0 (a = 3, c = 0.3: boundary values up
 * to exp(-1.47)) and with the defaults. h = 1e-2, truncation (h sqrt(2a))^6 / 30 ~ 1e-10 for
 * a = 10; for a = 1000 the peak is too sharp for h = 1e-2, so h = 1e-3 there. */
START_TEST(test_ansatz_jets) {
  pde_problem p;
  pde_problem_init(&p, &pde_poisson_peak);
  p.params[0] = 3.0;
  p.params[1] = 0.3;
  double a = pc_ansatz_jet_error(&p, 3, 20, 1e-2);
  pde_problem_init(&p, &pde_poisson_peak);
  double b = pc_ansatz_jet_error(&p, 4, 20, 1e-3);
  pde_problem_init(&p, &pde_poisson_peak_10d);
  double c = pc_ansatz_jet_error(&p, 5, 10, 1e-2);
  p.params[1] = -0.2;
  double d = pc_ansatz_jet_error(&p, 6, 10, 1e-2);
  printf("ansatz jets worst: 2-D (a=3,c=0.3) %.2e, 2-D default %.2e, 10-D %.2e, 10-D c=-0.2 %.2e\n",
         a, b, c, d);
  ck_assert_double_lt(fabs(a), 1e-6);
  ck_assert_double_lt(fabs(b), 1e-6);
  ck_assert_double_lt(fabs(c), 1e-6);
  ck_assert_double_lt(fabs(d), 1e-6);
}
END_TEST

/* On every face u = g + l N equals the exact solution whatever N is. */
static double boundary_error(const pde_problem *p, unsigned long seed) {
  enum { N = 64 };
  const pde_problem_type *t = p->type;
  const int d = t->dim, S = nn_jet_spec_streams(&t->jets);
  double *x = malloc((size_t)d * N * sizeof *x), *g = malloc((size_t)S * N * sizeof *g),
         *l = malloc((size_t)S * N * sizeof *l), *net = malloc((size_t)S * N * sizeof *net),
         *u = malloc((size_t)S * N * sizeof *u), ref[N];
  gsl_rng *rng = core_rng_create(seed);
  pc_random_points(t, rng, N, x);
  for (int i = 0; i < N; i++) /* face k = i mod d, side by parity */
    x[(size_t)i * d + (size_t)(i % d)] = (i / d) % 2 ? 1.0 : -1.0;
  for (int i = 0; i < S * N; i++)
    net[i] = 1e3 * (2.0 * gsl_rng_uniform(rng) - 1.0);
  t->ansatz(p, N, x, g, l);
  pde_compose_ansatz(&t->jets, N, g, l, net, u);
  ck_assert_int_eq(t->reference(p, N, x, ref), CORE_OK);
  double worst = 0.0, largest = 0.0;
  for (int i = 0; i < N; i++) {
    worst = fmax(worst, fabs(u[i] - ref[i]));
    largest = fmax(largest, ref[i]);
  }
  printf("%s (a = %g, c = %g): max |u - u_exact| on the faces %.2e (largest boundary value %.2e)\n",
         t->name, p->params[0], p->params[1], worst, largest);
  gsl_rng_free(rng);
  free(x);
  free(g);
  free(l);
  free(net);
  free(u);
  return worst;
}

START_TEST(test_ansatz_boundary) {
  pde_problem p;
  pde_problem_init(&p, &pde_poisson_peak);
  ck_assert_double_lt(boundary_error(&p, 1), 1e-100);
  p.params[0] = 3.0;
  p.params[1] = 0.3;
  ck_assert_double_lt(boundary_error(&p, 2), 1e-15);
  pde_problem_init(&p, &pde_poisson_peak_10d);
  ck_assert_double_lt(boundary_error(&p, 3), 1e-15);
  p.params[0] = 1.0;
  p.params[1] = 0.4;
  ck_assert_double_lt(boundary_error(&p, 4), 1e-15);
}
END_TEST

/* End to end in 10-D: a random tanh network, the model's residual at a few points against
 * -(sixth-order FD Laplacian of the model's prediction u = g + l N) - f, f from the residual op
 * with zero jets. h = 1e-3: truncation ~ h^6, rounding ~ 10 * 1e-16 |u| / h^2 ~ 1e-9. */
START_TEST(test_10d_laplacian_through_network) {
  pde_problem p;
  pde_problem_init(&p, &pde_poisson_peak_10d);
  const int d = 10, widths[4] = {10, 24, 24, 1};
  nn_mlp *net = NULL;
  ck_assert_int_eq(nn_mlp_create(&net, 4, widths, NN_ACT_TANH), CORE_OK);
  gsl_rng *rng = core_rng_create(21);
  nn_mlp_init_glorot(net, rng);
  pinn_model *model = NULL;
  ck_assert_int_eq(pinn_model_create(&model, &p, net, 16), CORE_OK);
  enum { N = 6 };
  double x[N * 10], r[N];
  pc_random_points(p.type, rng, N, x);
  for (int k = 0; k < d; k++) /* one point near the peak */
    x[k] = 0.1 * (2.0 * gsl_rng_uniform(rng) - 1.0);
  ck_assert_int_eq(pinn_model_residuals(model, N, x, r), CORE_OK);
  const double h = 1e-3, c2[3] = {270.0 / 180.0, -27.0 / 180.0, 2.0 / 180.0};
  double worst = 0.0;
  for (int i = 0; i < N; i++) {
    double *xi = x + i * d, u0, lap = 0.0;
    ck_assert_int_eq(pinn_model_predict(model, 1, xi, &u0), CORE_OK);
    for (int k = 0; k < d; k++) {
      double keep = xi[k], acc = -490.0 / 180.0 * u0, up, um;
      for (int j = 1; j <= 3; j++) {
        xi[k] = keep + j * h;
        ck_assert_int_eq(pinn_model_predict(model, 1, xi, &up), CORE_OK);
        xi[k] = keep - j * h;
        ck_assert_int_eq(pinn_model_predict(model, 1, xi, &um), CORE_OK);
        acc += c2[j - 1] * (up + um);
      }
      xi[k] = keep;
      lap += acc / (h * h);
    }
    double zero[21] = {0}, dr[21], r0;
    p.type->residual(&p, 1, xi, zero, &r0, dr); /* r0 = -f */
    double r_fd = -lap + r0;
    worst = pc_keep_worst(worst, (r_fd - r[i]) / (fabs(lap) + fabs(r0) + 1.0));
  }
  printf("10-D residual through the network vs FD Laplacian: worst signed rel err %.2e\n", worst);
  ck_assert_double_lt(fabs(worst), 1e-7);
  pinn_model_destroy(model);
  nn_mlp_destroy(net);
  gsl_rng_free(rng);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("poisson_peak");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_exact_solution_residual);
  tcase_add_test(tc, test_residual_derivatives);
  tcase_add_test(tc, test_ansatz_jets);
  tcase_add_test(tc, test_ansatz_boundary);
  tcase_add_test(tc, test_10d_laplacian_through_network);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
