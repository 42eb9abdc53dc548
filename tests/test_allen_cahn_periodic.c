/* Allen-Cahn B (periodic): the input features (cos(pi x), sin(pi x), t) and their jets, the network
 * fed with feature jets (its x/t jets and parameter gradients against finite differences of the
 * composed function x -> N(phi(x))), the blended ansatz g = e^{-t/tau} u0, l = 1 - e^{-t/tau},
 * dr/du_s, the exact initial condition and periodicity of the composed model, the reference. */
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <string.h>

#include "check_main.h"
#include "pde/allen_cahn_periodic.h"
#include "pde/reference_error.h"
#include "pinn/model.h"
#include "problem_checks.h"

enum { S = 4, F = PDE_AC_PERIODIC_FEATURES, NPTS = 5 }; /* streams u, u_x, u_t, u_xx */

static const pde_problem_type *const T = &pde_allen_cahn_periodic;

static double u0(double x) { return x * x * cos(M_PI * x); }

static double rel_to(double approx, double exact, double floor) {
  return (approx - exact) / fmax(fabs(exact), floor);
}

/* A 3 -> 8 -> 8 -> 1 tanh network with non-zero biases (they exercise the value-stream bias). */
static nn_mlp *random_net(gsl_rng *rng, int inputs) {
  int widths[] = {inputs, 8, 8, 1};
  nn_mlp *net = NULL;
  ck_assert_int_eq(nn_mlp_create(&net, 4, widths, NN_ACT_TANH), CORE_OK);
  nn_mlp_init_glorot(net, rng);
  for (size_t i = 0; i < net->n_params; i++)
    net->params[i] += 0.3 * gsl_ran_gaussian(rng, 1.0);
  return net;
}

static void random_xt(gsl_rng *rng, size_t n, double margin, double *x) {
  for (size_t i = 0; i < n; i++) {
    x[2 * i] = -1.0 + margin + (2.0 - 2.0 * margin) * gsl_rng_uniform(rng);
    x[2 * i + 1] = margin + (1.0 - 2.0 * margin) * gsl_rng_uniform(rng);
  }
}

/* Sixth-order central differences of f along input k at x0: d[0] = df/dx_k, d[1] = d2f/dx_k^2. */
static void fd6(double (*f)(void *, const double *), void *ctx, const double *x0, int k, double h,
                double d[2]) {
  const double c1[3] = {45.0 / 60.0, -9.0 / 60.0, 1.0 / 60.0};
  const double c2[3] = {270.0 / 180.0, -27.0 / 180.0, 2.0 / 180.0};
  double x[2] = {x0[0], x0[1]};
  d[0] = 0.0;
  d[1] = -490.0 / 180.0 * f(ctx, x) / (h * h);
  for (int j = 1; j <= 3; j++) {
    x[k] = x0[k] + j * h;
    double fp = f(ctx, x);
    x[k] = x0[k] - j * h;
    double fm = f(ctx, x);
    d[0] += c1[j - 1] * (fp - fm) / h;
    d[1] += c2[j - 1] * (fp + fm) / (h * h);
  }
}

/* Value of feature *(int *)ctx at one point. */
static double feature_value(void *ctx, const double *x) {
  pde_problem p;
  pde_problem_init(&p, T);
  double phi[S * F];
  T->features(&p, 1, x, phi);
  return phi[*(int *)ctx];
}

/* Every feature's d/dx, d/dt, d2/dx2 stream against sixth-order differences of its value. */
START_TEST(test_feature_jets) {
  pde_problem p;
  pde_problem_init(&p, T);
  ck_assert_int_eq(T->n_features, F);
  gsl_rng *rng = core_rng_create(5);
  enum { N = 20 };
  double x[2 * N], phi[S * N * F], worst = 0.0;
  random_xt(rng, N, 0.01, x);
  T->features(&p, N, x, phi);
  for (int i = 0; i < N; i++)
    for (int f = 0; f < F; f++) {
      double dx[2], dt[2];
      fd6(feature_value, &f, x + 2 * i, 0, 1e-3, dx);
      fd6(feature_value, &f, x + 2 * i, 1, 1e-3, dt);
      worst = pc_keep_worst(worst, pc_signed_rel(dx[0], phi[(1 * N + i) * F + f]));
      worst = pc_keep_worst(worst, pc_signed_rel(dt[0], phi[(2 * N + i) * F + f]));
      worst = pc_keep_worst(worst, pc_signed_rel(dx[1], phi[(3 * N + i) * F + f]));
      ck_assert_double_eq(phi[i * F + f], feature_value(&f, x + 2 * i)); /* batch = one by one */
    }
  printf("feature jets vs FD: worst signed rel err %.2e\n", worst);
  ck_assert_double_lt(fabs(worst), 1e-8); /* truncation pi^8 h^6 / 140 ~ 7e-17, rounding ~1e-10 */
  gsl_rng_free(rng);
}
END_TEST

/* The composed function x -> N(phi(x)) by the plain forward pass on the feature values. */
typedef struct composed {
  const nn_mlp *net;
  nn_jet_workspace *plain; /* value-only workspace on F inputs */
} composed;

static double composed_value(void *ctx, const double *x) {
  composed *c = ctx;
  pde_problem p;
  pde_problem_init(&p, T);
  double phi[S * F];
  T->features(&p, 1, x, phi);
  const double *out = NULL;
  ck_assert_int_eq(nn_mlp_forward(c->net, c->plain, phi, 1, &out), CORE_OK);
  return out[0];
}

/* Network jets through nn_mlp_forward_jets: the value stream equals the plain forward on the
 * features; d/dx, d/dt, d2/dx2 against differences of the composed function. */
START_TEST(test_network_feature_jets) {
  pde_problem p;
  pde_problem_init(&p, T);
  gsl_rng *rng = core_rng_create(17);
  nn_mlp *net = random_net(rng, F);
  nn_jet_workspace *ws = NULL, *plain = NULL;
  nn_jet_spec value_only = {0};
  ck_assert_int_eq(nn_jet_workspace_create_for_input_jets(&ws, net, &T->jets, T->dim, NPTS), CORE_OK);
  ck_assert_int_eq(nn_jet_workspace_create(&plain, net, &value_only, 1), CORE_OK);
  composed c = {net, plain};
  double x[2 * NPTS], phi[S * NPTS * F], jets[S * NPTS], worst = 0.0;
  random_xt(rng, NPTS, 0.01, x);
  T->features(&p, NPTS, x, phi);
  const double *out = NULL;
  ck_assert_int_eq(nn_mlp_forward_jets(net, ws, phi, NPTS, &out), CORE_OK);
  memcpy(jets, out, sizeof jets);
  for (int i = 0; i < NPTS; i++) {
    double dx[2], dt[2];
    ck_assert_double_eq_tol(jets[i], composed_value(&c, x + 2 * i), 1e-14);
    fd6(composed_value, &c, x + 2 * i, 0, 1e-3, dx);
    fd6(composed_value, &c, x + 2 * i, 1, 1e-3, dt);
    double e[3] = {rel_to(jets[1 * NPTS + i], dx[0], 1e-3), rel_to(jets[2 * NPTS + i], dt[0], 1e-3),
                   rel_to(jets[3 * NPTS + i], dx[1], 1e-3)};
    for (int k = 0; k < 3; k++)
      worst = pc_keep_worst(worst, e[k]);
  }
  printf("network on feature jets vs FD of N(phi(x)): worst signed rel err %.2e\n", worst);
  ck_assert_double_lt(fabs(worst), 1e-7);
  ck_assert_int_eq(nn_jet_workspace_create_for_input_jets(&plain, net, &T->jets, 0, 1), CORE_ERR_INVALID);
  core_error_clear();
  nn_jet_workspace_destroy(ws);
  nn_jet_workspace_destroy(plain);
  nn_mlp_destroy(net);
  gsl_rng_free(rng);
}
END_TEST

/* L = sum over streams and points of c out + out^2 / 2 through nn_mlp_forward_jets. */
static double feature_loss(const nn_mlp *net, nn_jet_workspace *ws, const double *phi, const double *c,
                           double *adjoint) {
  const double *out = NULL;
  ck_assert_int_eq(nn_mlp_forward_jets(net, ws, phi, NPTS, &out), CORE_OK);
  double loss = 0.0;
  for (int i = 0; i < S * NPTS; i++) {
    loss += c[i] * out[i] + 0.5 * out[i] * out[i];
    if (adjoint)
      adjoint[i] = c[i] + out[i];
  }
  return loss;
}

/* dL/dv by fourth-order central differences with h = 1e-3 (L ~ 300 here: a second-order difference
 * with h = 1e-6 would lose ~1e-8 to rounding; this one errs by h^4 L^(5) / 30 + ~1e-10). */
static double fd4_loss(const nn_mlp *net, nn_jet_workspace *ws, const double *phi, const double *c,
                       double *v) {
  const double h = 1e-3, keep = *v, w[4] = {-1.0, 8.0, -8.0, 1.0}, step[4] = {2.0, 1.0, -1.0, -2.0};
  double sum = 0.0;
  for (int k = 0; k < 4; k++) {
    *v = keep + step[k] * h;
    sum += w[k] * feature_loss(net, ws, phi, c, NULL);
  }
  *v = keep;
  return sum / (12.0 * h);
}

/* Parameter gradient and input-jet adjoint of the feature path against central differences. */
START_TEST(test_feature_gradients) {
  pde_problem p;
  pde_problem_init(&p, T);
  gsl_rng *rng = core_rng_create(23);
  nn_mlp *net = random_net(rng, F);
  nn_jet_workspace *ws = NULL;
  ck_assert_int_eq(nn_jet_workspace_create_for_input_jets(&ws, net, &T->jets, T->dim, NPTS), CORE_OK);
  double x[2 * NPTS], phi[S * NPTS * F], phi_adjoint[S * NPTS * F], c[S * NPTS], adjoint[S * NPTS];
  random_xt(rng, NPTS, 0.0, x);
  T->features(&p, NPTS, x, phi);
  for (int i = 0; i < S * NPTS; i++)
    c[i] = gsl_ran_gaussian(rng, 1.0);
  feature_loss(net, ws, phi, c, adjoint);
  nn_mlp_zero_grads(net);
  ck_assert_int_eq(nn_mlp_backward(net, ws, adjoint, phi_adjoint), CORE_OK);
  double worst = 0.0, worst_in = 0.0;
  for (size_t i = 0; i < net->n_params; i++)
    worst = pc_keep_worst(worst, rel_to(net->grads[i], fd4_loss(net, ws, phi, c, net->params + i), 1e-3));
  for (int i = 0; i < S * NPTS * F; i++)
    worst_in = pc_keep_worst(worst_in, rel_to(phi_adjoint[i], fd4_loss(net, ws, phi, c, phi + i), 1e-3));
  printf("feature path: dL/dparams worst signed rel err %.2e, dL/dphi_jets %.2e\n", worst, worst_in);
  ck_assert_double_lt(fabs(worst), 1e-6);
  ck_assert_double_lt(fabs(worst_in), 1e-6);
  nn_jet_workspace_destroy(ws);
  nn_mlp_destroy(net);
  gsl_rng_free(rng);
}
END_TEST

/* The whole model (features, ansatz, residual, mean r^2): its gradient against central differences
 * of its loss, on points half of which lie in t < 5 tau where the blend is steep; three chunks of
 * PINN_MODEL_CHUNK points, so the cached feature jets are read at every chunk offset. The residuals
 * at other points (no cache) must equal those of the cached training pass. */
START_TEST(test_model_gradient) {
  enum { N = 2 * PINN_MODEL_CHUNK + 44 };
  pde_problem p;
  pde_problem_init(&p, T);
  gsl_rng *rng = core_rng_create(29);
  ck_assert_int_eq(pinn_model_network_inputs(T), F);
  nn_mlp *net = random_net(rng, F);
  pinn_model *m = NULL;
  ck_assert_int_eq(pinn_model_create(&m, &p, net, N), CORE_OK);
  double x[2 * N];
  random_xt(rng, N, 0.0, x);
  for (int i = 0; i < N / 2; i++)
    x[2 * i + 1] *= 5.0 * p.params[2];
  ck_assert_int_eq(pinn_model_set_points(m, N, x), CORE_OK);
  double loss, lp, lm, worst = 0.0;
  ck_assert_int_eq(pinn_model_loss_and_gradient(m, &loss), CORE_OK);
  double r[N], rdiff = 0.0;
  ck_assert_int_eq(pinn_model_residuals(m, N, x, r), CORE_OK);
  for (int i = 0; i < N; i++)
    rdiff = fmax(rdiff, fabs(r[i] - pinn_model_last_residuals(m)[i]));
  ck_assert_double_eq(rdiff, 0.0);
  double *grad = malloc(net->n_params * sizeof *grad), gmax = 0.0;
  memcpy(grad, net->grads, net->n_params * sizeof *grad);
  for (size_t i = 0; i < net->n_params; i++)
    gmax = fmax(gmax, fabs(grad[i]));
  const double h = 1e-6;
  for (size_t i = 0; i < net->n_params; i++) {
    double keep = net->params[i];
    net->params[i] = keep + h;
    ck_assert_int_eq(pinn_model_loss_and_gradient(m, &lp), CORE_OK);
    net->params[i] = keep - h;
    ck_assert_int_eq(pinn_model_loss_and_gradient(m, &lm), CORE_OK);
    net->params[i] = keep;
    worst = pc_keep_worst(worst, rel_to(grad[i], (lp - lm) / (2 * h), 1e-4 * gmax));
  }
  printf("model loss %.4e, gradient vs FD: worst signed rel err %.2e (max |grad| %.2e)\n", loss, worst,
         gmax);
  ck_assert_double_lt(fabs(worst), 1e-5);
  /* A network that sees (x, t) is refused: the type wants three feature inputs. */
  nn_mlp *wrong = random_net(rng, T->dim);
  pinn_model *m2 = NULL;
  ck_assert_int_eq(pinn_model_create(&m2, &p, wrong, N), CORE_ERR_INVALID);
  ck_assert_ptr_null(m2);
  core_error_clear();
  free(grad);
  nn_mlp_destroy(wrong);
  pinn_model_destroy(m);
  nn_mlp_destroy(net);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(test_residual_derivatives) {
  pde_problem p;
  pde_problem_init(&p, T);
  double worst = pc_residual_derivative_error(&p, 7, 1e-4);
  printf("allen_cahn_periodic dr/du: worst signed rel err %.2e\n", worst);
  /* r is linear in u_t and u_xx (differences exact up to rounding ~1e-16 |r| / h = 4e-11, i.e.
   * 4e-7 of dr/du_xx = -eps = -1e-4; h = 1e-6 would make that 4e-5) and cubic in u (truncation
   * exactly rate h^2 = 5e-8, relative to rate |3u^2 - 1| >= ~1e-2 at these draws). */
  ck_assert_double_lt(fabs(worst), 1e-5);
}
END_TEST

/* g and l jets against sixth-order differences of the ansatz values: x with h = 1e-3, t with
 * h = 1e-4 (tau = 0.01: the t-truncation h^6 / tau^7 / 140 ~ 7e-11 relative) on t in [3h, 5 tau],
 * where e^{-t/tau} >= e^{-5} keeps l_t = e^{-t/tau} / tau well above the rounding of l. */
START_TEST(test_ansatz_jets) {
  pde_problem p;
  pde_problem_init(&p, T);
  const double tau = p.params[2];
  gsl_rng *rng = core_rng_create(3);
  double worst = 0.0;
  for (int i = 0; i < 30; i++) {
    double x[2] = {-0.997 + 1.994 * gsl_rng_uniform(rng), 3e-4 + (5.0 * tau - 3e-4) * gsl_rng_uniform(rng)};
    double g[S], l[S], fg_x[2], fl_x[2], fg_t[2], fl_t[2];
    T->ansatz(&p, 1, x, g, l);
    pc_fd_ansatz(&p, x, 0, 1e-3, fg_x, fl_x);
    pc_fd_ansatz(&p, x, 1, 1e-4, fg_t, fl_t);
    double e[6] = {pc_signed_rel(fg_x[0], g[1]), pc_signed_rel(fg_t[0], g[2]), pc_signed_rel(fg_x[1], g[3]),
                   pc_signed_rel(fl_x[0], l[1]), pc_signed_rel(fl_t[0], l[2]), pc_signed_rel(fl_x[1], l[3])};
    for (int k = 0; k < 6; k++)
      worst = pc_keep_worst(worst, e[k]);
    ck_assert_double_eq_tol(g[0], exp(-x[1] / tau) * u0(x[0]), 1e-15);
    ck_assert_double_eq_tol(l[0], 1.0 - exp(-x[1] / tau), 1e-15);
  }
  printf("allen_cahn_periodic ansatz jets vs FD: worst signed rel err %.2e\n", worst);
  ck_assert_double_lt(fabs(worst), 1e-7);
  gsl_rng_free(rng);
}
END_TEST

/* pinn_model_predict at random parameters: u(x, 0) = u0(x) and u(-1, t) = u(1, t). */
START_TEST(test_model_initial_and_periodic) {
  enum { N = 64 };
  pde_problem p;
  pde_problem_init(&p, T);
  gsl_rng *rng = core_rng_create(31);
  nn_mlp *net = random_net(rng, F);
  for (size_t i = 0; i < net->n_params; i++) /* large outputs: the constraints must not care */
    net->params[i] *= 3.0;
  pinn_model *m = NULL;
  ck_assert_int_eq(pinn_model_create(&m, &p, net, N), CORE_OK);
  double x[2 * N], u[N], ic = 0.0, per = 0.0, scale = 0.0;
  for (int i = 0; i < N / 2; i++) {
    x[2 * i] = -1.0 + 2.0 * gsl_rng_uniform(rng);
    x[2 * i + 1] = 0.0;
  }
  for (int i = N / 2; i < N; i += 2) {
    double t = gsl_rng_uniform(rng);
    x[2 * i] = -1.0;
    x[2 * i + 2] = 1.0;
    x[2 * i + 1] = x[2 * i + 3] = t;
  }
  ck_assert_int_eq(pinn_model_predict(m, N, x, u), CORE_OK);
  for (int i = 0; i < N / 2; i++)
    ic = fmax(ic, fabs(u[i] - u0(x[2 * i])));
  for (int i = N / 2; i < N; i += 2) {
    per = fmax(per, fabs(u[i] - u[i + 1]));
    scale = fmax(scale, fabs(u[i]));
  }
  printf("composed model: max |u(x,0) - u0| %.2e, max |u(-1,t) - u(1,t)| %.2e (|u| up to %.1f)\n", ic, per,
         scale);
  ck_assert_double_eq(ic, 0.0); /* l = 1 - e^0 = 0 exactly, g = u0 by the same arithmetic */
  ck_assert_double_lt(per, 1e-13 * fmax(scale, 1.0)); /* sin(+-pi) = +-1.2e-16, not 0 */
  pinn_model_destroy(m);
  nn_mlp_destroy(net);
  gsl_rng_free(rng);
}
END_TEST

/* N, N_x, N_xx agree at x = -1 and x = 1 (rounding of sin(+-pi) aside); the composed u_x carries
 * the decaying defect u_x(1,t) - u_x(-1,t) = e^{-t/tau} (u0'(1) - u0'(-1)) = -4 e^{-t/tau}. */
START_TEST(test_network_periodicity) {
  enum { N = 2 * NPTS };
  pde_problem p;
  pde_problem_init(&p, T);
  const double tau = p.params[2];
  gsl_rng *rng = core_rng_create(37);
  nn_mlp *net = random_net(rng, F);
  nn_jet_workspace *ws = NULL;
  ck_assert_int_eq(nn_jet_workspace_create_for_input_jets(&ws, net, &T->jets, T->dim, N), CORE_OK);
  double x[2 * N], phi[S * N * F], g[S * N], l[S * N], u[S * N], worst = 0.0, defect = 0.0;
  for (int i = 0; i < N; i += 2) {
    x[2 * i] = -1.0;
    x[2 * i + 2] = 1.0;
    x[2 * i + 1] = x[2 * i + 3] = (i == 0 ? 0.5 : 5.0) * tau * gsl_rng_uniform(rng);
  }
  T->features(&p, N, x, phi);
  const double *net_jets = NULL;
  ck_assert_int_eq(nn_mlp_forward_jets(net, ws, phi, N, &net_jets), CORE_OK);
  for (int i = 0; i < N; i += 2) {
    const int streams[3] = {0, 1, 3}; /* N, N_x, N_xx */
    for (int k = 0; k < 3; k++) {
      double a = net_jets[streams[k] * N + i], b = net_jets[streams[k] * N + i + 1];
      worst = fmax(worst, fabs(a - b) / fmax(fabs(a), 1.0));
    }
  }
  T->ansatz(&p, N, x, g, l);
  pde_compose_ansatz(&T->jets, N, g, l, net_jets, u);
  for (int i = 0; i < N; i += 2) {
    double expect = -4.0 * exp(-x[2 * i + 1] / tau);
    defect = pc_keep_worst(defect, (u[N + i + 1] - u[N + i]) - expect);
  }
  printf("periodicity of N, N_x, N_xx at x = +-1: max rel diff %.2e; u_x defect vs -4 e^{-t/tau}: "
         "worst abs err %.2e\n", worst, defect);
  ck_assert_double_lt(worst, 1e-13);
  ck_assert_double_lt(fabs(defect), 1e-12);
  nn_jet_workspace_destroy(ws);
  nn_mlp_destroy(net);
  gsl_rng_free(rng);
}
END_TEST

/* The registered reference: u0 at t = 0, and its resolution error (default vs twice the nodes) on a
 * coarse grid is small (the spectral tests study it in depth). */
START_TEST(test_reference) {
  enum { NX = 33, NT = 6, N = NX * NT };
  pde_problem p;
  pde_problem_init(&p, T);
  ck_assert_ptr_eq(pde_problem_type_find("allen_cahn_periodic"), T);
  double xt[2 * N], u[N], rel, mx, ic = 0.0;
  for (int i = 0; i < NX; i++)
    for (int j = 0; j < NT; j++) {
      xt[2 * (i * NT + j)] = -1.0 + 2.0 * i / (NX - 1);
      xt[2 * (i * NT + j) + 1] = j / (NT - 1.0);
    }
  ck_assert_int_eq(T->reference(&p, N, xt, u), CORE_OK);
  for (int i = 0; i < NX; i++)
    ic = fmax(ic, fabs(u[i * NT] - u0(xt[2 * i * NT])));
  ck_assert_int_eq(pde_reference_error(&p, N, xt, u, &rel, &mx), CORE_OK);
  printf("reference: max |u(x,0) - u0| %.2e; default vs finer nodes: rel L2 %.2e, max %.2e\n", ic, rel, mx);
  ck_assert_double_lt(ic, 1e-14);
  ck_assert_double_lt(rel, 1e-8);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("allen_cahn_periodic");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_feature_jets);
  tcase_add_test(tc, test_network_feature_jets);
  tcase_add_test(tc, test_feature_gradients);
  tcase_add_test(tc, test_model_gradient);
  tcase_add_test(tc, test_residual_derivatives);
  tcase_add_test(tc, test_ansatz_jets);
  tcase_add_test(tc, test_model_initial_and_periodic);
  tcase_add_test(tc, test_network_periodicity);
  tcase_add_test(tc, test_reference);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
