/* Wave u_tt = 4 u_xx: the exact solution's residual, dr/du_s and the ansatz jets against finite
 * differences, and the four initial/boundary conditions of u = g + x(1-x) t^2 N for any N. */
#include <gsl/gsl_math.h>

#include "check_main.h"
#include "pde/wave.h"
#include "problem_checks.h"

enum { S_U, S_X, S_T, S_XX, S_TT };

/* Sixth-order differences of the exact solution (h = 1e-3): truncation ~ h^6 (8 pi)^8 / 560
 * ~ 3e-13 relative to u_tt ~ (8 pi)^2, rounding ~ 1e-16 / h^2 = 1e-10 absolute. */
START_TEST(test_exact_solution_residual) {
  pde_problem p;
  pde_problem_init(&p, &pde_wave);
  const double c = p.params[0], h = 1e-3;
  const double c2w[3] = {270.0 / 180.0, -27.0 / 180.0, 2.0 / 180.0};
  gsl_rng *rng = core_rng_create(5);
  double worst = 0.0;
  for (int k = 0; k < 50; k++) {
    double x = 0.01 + 0.98 * gsl_rng_uniform(rng), t = 0.01 + 0.98 * gsl_rng_uniform(rng);
    double u0 = pde_wave_exact(c, x, t), uxx = -490.0 / 180.0 * u0, utt = uxx;
    for (int j = 1; j <= 3; j++) {
      uxx += c2w[j - 1] * (pde_wave_exact(c, x + j * h, t) + pde_wave_exact(c, x - j * h, t));
      utt += c2w[j - 1] * (pde_wave_exact(c, x, t + j * h) + pde_wave_exact(c, x, t - j * h));
    }
    uxx /= h * h;
    utt /= h * h;
    double jets[5] = {u0, 0.0, 0.0, uxx, utt}, xt[2] = {x, t}, r, dr[5];
    p.type->residual(&p, 1, xt, jets, &r, dr);
    worst = fmax(worst, fabs(r) / (fabs(utt) + c * c * fabs(uxx) + 1.0));
  }
  printf("wave exact-solution residual: max |r| / (|u_tt| + 4|u_xx| + 1) = %.2e\n", worst);
  ck_assert_double_lt(worst, 1e-8);
  /* A wrong wave speed must show: c = 2.1 leaves an O(1) residual. */
  p.params[0] = 2.1;
  double x = 0.3, t = 0.4, u0 = pde_wave_exact(2.0, x, t);
  double jets[5] = {u0, 0, 0, 0, 0}, xt[2] = {x, t}, r, dr[5];
  jets[3] = -M_PI * M_PI * sin(M_PI * x) * cos(2 * M_PI * t) -
            8 * M_PI * M_PI * sin(4 * M_PI * x) * cos(8 * M_PI * t);
  jets[4] = 4.0 * jets[3];
  p.type->residual(&p, 1, xt, jets, &r, dr);
  ck_assert_double_gt(fabs(r) / fabs(jets[4]), 1e-2);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_residual_derivatives) {
  pde_problem p;
  pde_problem_init(&p, &pde_wave);
  double worst = pc_residual_derivative_error(&p, 7, 1e-3);
  printf("wave dr/du: worst signed rel err %.2e\n", worst);
  ck_assert_double_lt(fabs(worst), 1e-9); /* linear: exact up to rounding */
}
END_TEST

/* h = 1e-2: truncation (4 pi)^8 h^6 / 560 ~ 7e-6 relative to (4 pi)^2 = 158, i.e. ~5e-8. */
START_TEST(test_ansatz_jets) {
  pde_problem p;
  pde_problem_init(&p, &pde_wave);
  double worst = pc_ansatz_jet_error(&p, 3, 20, 1e-2);
  ck_assert_double_lt(fabs(worst), 1e-6);
  p.params[1] = 30.0; /* output_scale: every l jet must carry it */
  worst = pc_ansatz_jet_error(&p, 4, 20, 1e-2);
  ck_assert_double_lt(fabs(worst), 1e-6);
}
END_TEST

/* u(x,0) = sin(pi x) + sin(4 pi x)/2, u_t(x,0) = 0 and u(0,t) = u(1,t) = 0 for |N|, |N_x|, ...
 * up to 1e3. */
START_TEST(test_ansatz_constraints) {
  pde_problem p;
  pde_problem_init(&p, &pde_wave);
  enum { N = 40, S = 5 };
  gsl_rng *rng = core_rng_create(11);
  double x[2 * N], g[S * N], l[S * N], net[S * N], u[S * N];
  for (int i = 0; i < N; i++) {
    int initial = i < N / 2;
    x[2 * i] = initial ? gsl_rng_uniform(rng) : (i % 2 ? 1.0 : 0.0);
    x[2 * i + 1] = initial ? 0.0 : gsl_rng_uniform(rng);
  }
  for (int i = 0; i < S * N; i++)
    net[i] = 1e3 * (2.0 * gsl_rng_uniform(rng) - 1.0);
  p.type->ansatz(&p, N, x, g, l);
  pde_compose_ansatz(&p.type->jets, N, g, l, net, u);
  double ic = 0.0, iv = 0.0, bc = 0.0;
  for (int i = 0; i < N; i++) {
    double xi = x[2 * i];
    if (i < N / 2) {
      ic = fmax(ic, fabs(u[S_U * N + i] - sin(M_PI * xi) - 0.5 * sin(4 * M_PI * xi)));
      iv = fmax(iv, fabs(u[S_T * N + i]));
    } else {
      bc = fmax(bc, fabs(u[S_U * N + i]));
    }
  }
  printf("wave ansatz, |N| up to 1e3: |u(x,0) - u0| %.2e, |u_t(x,0)| %.2e, |u(0|1,t)| %.2e\n", ic,
         iv, bc);
  ck_assert_double_lt(ic, 1e-15); /* u = g exactly (l = 0); the comparison rounds differently */
  ck_assert_double_eq(iv, 0.0);    /* g_t = l = l_t = 0 at t = 0 */
  ck_assert_double_lt(bc, 1e-15); /* sin(pi), sin(4 pi) round to ~5e-16 */
  gsl_rng_free(rng);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("wave");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_exact_solution_residual);
  tcase_add_test(tc, test_residual_derivatives);
  tcase_add_test(tc, test_ansatz_jets);
  tcase_add_test(tc, test_ansatz_constraints);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
