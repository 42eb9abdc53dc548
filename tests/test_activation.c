/* The network's own tanh against libm, and every activation's derivatives against finite
 * differences of its values. */
#include <gsl/gsl_rng.h>
#include <math.h>

#include "check_main.h"
#include "core/rng.h"
#include "nn/activation.h"

static double ulps(double got, double want) {
  if (got == want)
    return 0;
  double ulp = nextafter(fabs(want), INFINITY) - fabs(want);
  return fabs(got - want) / ulp;
}

START_TEST(test_tanh_matches_libm) {
  gsl_rng *rng = core_rng_create(3);
  const double scales[] = {1e-300, 1e-8, 1e-3, 0.3, 1.0, 3.0, 10.0, 30.0};
  double worst = 0, worst_z = 0;
  for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++)
    for (int i = 0; i < 200000; i++) {
      double z = scales[s] * (2.0 * gsl_rng_uniform(rng) - 1.0);
      double u = ulps(nn_tanh(z), tanh(z));
      if (u > worst) {
        worst = u;
        worst_z = z;
      }
    }
  ck_assert_msg(worst <= 4.0, "tanh: %.1f ulp from libm at z = %.17g", worst, worst_z);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_tanh_special_values) {
  ck_assert(nn_tanh(0.0) == 0.0 && !signbit(nn_tanh(0.0)));
  ck_assert(nn_tanh(-0.0) == 0.0 && signbit(nn_tanh(-0.0)));
  ck_assert(nn_tanh(25.0) == 1.0 && nn_tanh(-25.0) == -1.0);
  ck_assert(nn_tanh(INFINITY) == 1.0 && nn_tanh(-INFINITY) == -1.0);
  ck_assert(isnan(nn_tanh(NAN)));
  ck_assert(nn_tanh(5e-324) == 5e-324); /* denormal: tanh z = z */
  for (double z = 0.01; z < 20; z *= 1.7)
    ck_assert(nn_tanh(-z) == -nn_tanh(z));
}
END_TEST

/* σ' and σ'' against central differences of σ, σ''' against differences of σ''. */
static void check_derivatives(nn_activation act) {
  enum { W = 41 };
  double z[W], y[W], d1[W], d2[W], d3[W];
  for (int j = 0; j < W; j++)
    z[j] = -3.0 + 6.0 * j / (W - 1) + 0.0123; /* avoid z = 0 exactly (ELU's kink) */
  nn_activation_row(act, W, z, y);
  nn_activation_row_derivatives(act, W, z, y, d1, d2, d3);
  const double h = 1e-5;
  for (int j = 0; j < W; j++) {
    double zs[2] = {z[j] + h, z[j] - h}, ys[2], e1[2], e2[2], e3[2];
    nn_activation_row(act, 2, zs, ys);
    nn_activation_row_derivatives(act, 2, zs, ys, e1, e2, e3);
    double fd1 = (ys[0] - ys[1]) / (2 * h), fd2 = (e1[0] - e1[1]) / (2 * h), fd3 = (e2[0] - e2[1]) / (2 * h);
    ck_assert_msg(fabs(d1[j] - fd1) < 1e-8, "act %d z %g: d1 %.12g fd %.12g", act, z[j], d1[j], fd1);
    ck_assert_msg(fabs(d2[j] - fd2) < 1e-8, "act %d z %g: d2 %.12g fd %.12g", act, z[j], d2[j], fd2);
    ck_assert_msg(fabs(d3[j] - fd3) < 1e-8, "act %d z %g: d3 %.12g fd %.12g", act, z[j], d3[j], fd3);
  }
}

START_TEST(test_derivatives_tanh) { check_derivatives(NN_ACT_TANH); }
END_TEST
START_TEST(test_derivatives_sin) { check_derivatives(NN_ACT_SIN); }
END_TEST
START_TEST(test_derivatives_elu) { check_derivatives(NN_ACT_ELU); }
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("activation");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_tanh_matches_libm);
  tcase_add_test(tc, test_tanh_special_values);
  tcase_add_test(tc, test_derivatives_tanh);
  tcase_add_test(tc, test_derivatives_sin);
  tcase_add_test(tc, test_derivatives_elu);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
