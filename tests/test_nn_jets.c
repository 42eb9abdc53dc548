/* Network jets and gradients against central finite differences, element by element. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/rng.h"
#include "nn/mlp.h"

enum { IN = 3, OUT = 2, NPTS = 4 };

/* Signed relative error of an analytic value against a finite-difference estimate. */
static double signed_rel_error(double analytic, double fd) {
  double scale = fmax(fabs(fd), 1e-3);
  return (analytic - fd) / scale;
}

static nn_jet_spec full_second_order_spec(void) {
  nn_jet_spec spec = {0};
  for (int i = 0; i < IN; i++)
    spec.first[spec.n_first++] = i;
  for (int a = 0; a < IN; a++)
    for (int b = a; b < IN; b++) {
      spec.second[spec.n_second][0] = a;
      spec.second[spec.n_second][1] = b;
      spec.n_second++;
    }
  return spec;
}

static nn_mlp *random_net(nn_activation act, gsl_rng *rng) {
  int widths[] = {IN, 5, 4, OUT};
  nn_mlp *mlp = NULL;
  ck_assert_int_eq(nn_mlp_create(&mlp, 4, widths, act), CORE_OK);
  nn_mlp_init_glorot(mlp, rng);
  for (size_t i = 0; i < mlp->n_params; i++) /* non-zero biases exercise the bias path */
    mlp->params[i] += 0.3 * gsl_ran_gaussian(rng, 1.0);
  return mlp;
}

static void random_points(double *x, size_t n, gsl_rng *rng) {
  for (size_t i = 0; i < n * IN; i++)
    x[i] = gsl_ran_flat(rng, -1.0, 1.0);
}

/* Network output of stream `stream`, point 0 of a single-point forward at x. */
static void eval_stream(const nn_mlp *mlp, nn_jet_workspace *ws, const double *x, int stream, double *y) {
  const double *out = NULL;
  ck_assert_int_eq(nn_mlp_forward(mlp, ws, x, 1, &out), CORE_OK);
  memcpy(y, out + (size_t)stream * OUT, OUT * sizeof(double));
}

/* d(stream s)/dx_i by central differences of the single-point forward. */
static void fd_input_derivative(const nn_mlp *mlp, nn_jet_workspace *ws, const double *x, int stream,
                                int i, double h, double *d) {
  double xp[IN], xm[IN], yp[OUT], ym[OUT];
  memcpy(xp, x, sizeof xp);
  memcpy(xm, x, sizeof xm);
  xp[i] += h;
  xm[i] -= h;
  eval_stream(mlp, ws, xp, stream, yp);
  eval_stream(mlp, ws, xm, stream, ym);
  for (int o = 0; o < OUT; o++)
    d[o] = (yp[o] - ym[o]) / (2 * h);
}

static void check_input_jets(nn_activation act, double tol) {
  gsl_rng *rng = core_rng_create(7);
  nn_mlp *mlp = random_net(act, rng);
  nn_jet_spec spec = full_second_order_spec();
  nn_jet_workspace *ws = NULL;
  ck_assert_int_eq(nn_jet_workspace_create(&ws, mlp, &spec, NPTS), CORE_OK);
  double x[NPTS * IN];
  random_points(x, NPTS, rng);
  for (int p = 0; p < NPTS; p++) {
    const double *xp = x + p * IN;
    double jets[1 + IN + IN * (IN + 1) / 2][OUT];
    for (int s = 0; s < nn_jet_spec_streams(&spec); s++)
      eval_stream(mlp, ws, xp, s, jets[s]);
    for (int k = 0; k < spec.n_first; k++) {
      double d[OUT];
      fd_input_derivative(mlp, ws, xp, 0, spec.first[k], 1e-5, d);
      for (int o = 0; o < OUT; o++)
        ck_assert_msg(fabs(signed_rel_error(jets[1 + k][o], d[o])) < tol,
                      "first partial x%d out %d: jet %.12g fd %.12g", spec.first[k], o, jets[1 + k][o], d[o]);
    }
    for (int k = 0; k < spec.n_second; k++) {
      int a = spec.second[k][0], b = spec.second[k][1], s = 1 + spec.n_first + k;
      double d[OUT]; /* d/dx_b of the analytic first partial along a */
      fd_input_derivative(mlp, ws, xp, nn_jet_spec_first_stream(&spec, a), b, 1e-5, d);
      for (int o = 0; o < OUT; o++)
        ck_assert_msg(fabs(signed_rel_error(jets[s][o], d[o])) < tol,
                      "second partial (%d,%d) out %d: jet %.12g fd %.12g", a, b, o, jets[s][o], d[o]);
    }
  }
  nn_jet_workspace_destroy(ws);
  nn_mlp_destroy(mlp);
  gsl_rng_free(rng);
}

START_TEST(test_input_jets_tanh) { check_input_jets(NN_ACT_TANH, 1e-7); }
END_TEST
START_TEST(test_input_jets_sin) { check_input_jets(NN_ACT_SIN, 1e-7); }
END_TEST
START_TEST(test_input_jets_elu) { check_input_jets(NN_ACT_ELU, 1e-6); }
END_TEST

/* L = sum over streams, points, outputs of c * out + 0.5 * q * out^2: non-linear in every output. */
static double jet_loss(const nn_mlp *mlp, nn_jet_workspace *ws, const double *x, const double *c,
                       double *adjoint) {
  const double *out = NULL;
  ck_assert_int_eq(nn_mlp_forward(mlp, ws, x, NPTS, &out), CORE_OK);
  size_t total = (size_t)nn_jet_spec_streams(nn_jet_workspace_spec(ws)) * NPTS * OUT;
  double loss = 0;
  for (size_t i = 0; i < total; i++) {
    loss += c[i] * out[i] + 0.5 * out[i] * out[i];
    if (adjoint)
      adjoint[i] = c[i] + out[i];
  }
  return loss;
}

static void check_gradients(nn_activation act, const nn_jet_spec *spec, double tol) {
  gsl_rng *rng = core_rng_create(11);
  nn_mlp *mlp = random_net(act, rng);
  nn_jet_workspace *ws = NULL;
  ck_assert_int_eq(nn_jet_workspace_create(&ws, mlp, spec, NPTS), CORE_OK);
  size_t total = (size_t)nn_jet_spec_streams(spec) * NPTS * OUT;
  double *c = malloc(total * sizeof *c), *adjoint = malloc(total * sizeof *adjoint);
  for (size_t i = 0; i < total; i++)
    c[i] = gsl_ran_gaussian(rng, 1.0);
  double x[NPTS * IN], x_adjoint[NPTS * IN];
  random_points(x, NPTS, rng);

  jet_loss(mlp, ws, x, c, adjoint);
  nn_mlp_zero_grads(mlp);
  ck_assert_int_eq(nn_mlp_backward(mlp, ws, adjoint, x_adjoint), CORE_OK);

  const double h = 1e-6;
  for (size_t i = 0; i < mlp->n_params; i++) {
    double saved = mlp->params[i];
    mlp->params[i] = saved + h;
    double lp = jet_loss(mlp, ws, x, c, NULL);
    mlp->params[i] = saved - h;
    double lm = jet_loss(mlp, ws, x, c, NULL);
    mlp->params[i] = saved;
    double fd = (lp - lm) / (2 * h);
    ck_assert_msg(fabs(signed_rel_error(mlp->grads[i], fd)) < tol, "param %zu: grad %.12g fd %.12g", i,
                  mlp->grads[i], fd);
  }
  for (int i = 0; i < NPTS * IN; i++) {
    double saved = x[i];
    x[i] = saved + h;
    double lp = jet_loss(mlp, ws, x, c, NULL);
    x[i] = saved - h;
    double lm = jet_loss(mlp, ws, x, c, NULL);
    x[i] = saved;
    double fd = (lp - lm) / (2 * h);
    ck_assert_msg(fabs(signed_rel_error(x_adjoint[i], fd)) < tol, "x %d: adjoint %.12g fd %.12g", i,
                  x_adjoint[i], fd);
  }
  free(c);
  free(adjoint);
  nn_jet_workspace_destroy(ws);
  nn_mlp_destroy(mlp);
  gsl_rng_free(rng);
}

START_TEST(test_gradients_value_only) {
  nn_jet_spec spec = {0};
  check_gradients(NN_ACT_TANH, &spec, 1e-6);
  check_gradients(NN_ACT_ELU, &spec, 1e-5);
}
END_TEST

START_TEST(test_gradients_all_streams) {
  nn_jet_spec spec = full_second_order_spec();
  check_gradients(NN_ACT_TANH, &spec, 1e-6);
  check_gradients(NN_ACT_SIN, &spec, 1e-6);
}
END_TEST

/* A partial spec like Burgers' (u_x, u_t, u_xx): streams for a subset of inputs. */
START_TEST(test_gradients_partial_spec) {
  nn_jet_spec spec = {.n_first = 2, .first = {2, 0}, .n_second = 2, .second = {{0, 0}, {0, 2}}};
  check_gradients(NN_ACT_TANH, &spec, 1e-6);
}
END_TEST

START_TEST(test_spec_validation) {
  nn_jet_spec missing_first = {.n_first = 1, .first = {0}, .n_second = 1, .second = {{0, 1}}};
  ck_assert_int_eq(nn_jet_spec_validate(&missing_first, 3), CORE_ERR_INVALID);
  nn_jet_spec out_of_range = {.n_first = 1, .first = {3}};
  ck_assert_int_eq(nn_jet_spec_validate(&out_of_range, 3), CORE_ERR_INVALID);
  nn_jet_spec good = {.n_first = 2, .first = {1, 0}, .n_second = 1, .second = {{0, 1}}};
  ck_assert_int_eq(nn_jet_spec_validate(&good, 2), CORE_OK);
  ck_assert_int_eq(nn_jet_spec_second_stream(&good, 1, 0), 3);
  ck_assert_int_eq(nn_jet_spec_first_stream(&good, 0), 2);
}
END_TEST

START_TEST(test_forward_rejects_too_many_points) {
  gsl_rng *rng = core_rng_create(1);
  nn_mlp *mlp = random_net(NN_ACT_TANH, rng);
  nn_jet_spec spec = {0};
  nn_jet_workspace *ws = NULL;
  ck_assert_int_eq(nn_jet_workspace_create(&ws, mlp, &spec, 2), CORE_OK);
  double x[3 * IN] = {0};
  const double *out = NULL;
  ck_assert_int_eq(nn_mlp_forward(mlp, ws, x, 3, &out), CORE_ERR_INVALID);
  nn_jet_workspace_destroy(ws);
  nn_mlp_destroy(mlp);
  gsl_rng_free(rng);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("nn_jets");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_input_jets_tanh);
  tcase_add_test(tc, test_input_jets_sin);
  tcase_add_test(tc, test_input_jets_elu);
  tcase_add_test(tc, test_gradients_value_only);
  tcase_add_test(tc, test_gradients_all_streams);
  tcase_add_test(tc, test_gradients_partial_spec);
  tcase_add_test(tc, test_spec_validation);
  tcase_add_test(tc, test_forward_rejects_too_many_points);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
