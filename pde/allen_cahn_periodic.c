#include "pde/allen_cahn_periodic.h"

#include <gsl/gsl_math.h> /* M_PI, which strict C17 math.h does not declare */
#include <math.h>

#include "pde/allen_cahn.h"
#include "pde/allen_cahn_spectral.h"

enum { S_U, S_X, S_T, S_XX, STREAMS };  /* stream indices fixed by the jet spec below */
enum { P_EPS, P_RATE, P_TAU };          /* parameter indices */
enum { F_COS, F_SIN, F_T, FEATURES = PDE_AC_PERIODIC_FEATURES };

/* phi = (cos(pi x), sin(pi x), t) and its partials with respect to (x, t); layout
 * (streams, n, features). */
static void periodic_features(const pde_problem *p, size_t n, const double *x, double *phi) {
  (void)p;
  const double pi2 = M_PI * M_PI;
  for (size_t i = 0; i < n; i++) {
    double c = cos(M_PI * x[2 * i]), s = sin(M_PI * x[2 * i]), t = x[2 * i + 1];
    double *v = phi + (S_U * n + i) * FEATURES, *dx = phi + (S_X * n + i) * FEATURES;
    double *dt = phi + (S_T * n + i) * FEATURES, *dxx = phi + (S_XX * n + i) * FEATURES;
    v[F_COS] = c;
    v[F_SIN] = s;
    v[F_T] = t;
    dx[F_COS] = -M_PI * s;
    dx[F_SIN] = M_PI * c;
    dx[F_T] = 0.0;
    dt[F_COS] = 0.0;
    dt[F_SIN] = 0.0;
    dt[F_T] = 1.0;
    dxx[F_COS] = -pi2 * c;
    dxx[F_SIN] = -pi2 * s;
    dxx[F_T] = 0.0;
  }
}

/* g = E u0(x), l = 1 - E with E = exp(-t/tau), u0 = x^2 cos(pi x). */
static void periodic_ansatz(const pde_problem *p, size_t n, const double *x, double *g_jets,
                            double *l_jets) {
  const double tau = p->params[P_TAU];
  for (size_t i = 0; i < n; i++) {
    double xi = x[2 * i], t = x[2 * i + 1];
    double s = sin(M_PI * xi), c = cos(M_PI * xi), e = exp(-t / tau);
    double u0 = xi * xi * c;
    double u0_x = 2.0 * xi * c - M_PI * xi * xi * s;
    double u0_xx = 2.0 * c - 4.0 * M_PI * xi * s - M_PI * M_PI * xi * xi * c;
    g_jets[S_U * n + i] = e * u0;
    g_jets[S_X * n + i] = e * u0_x;
    g_jets[S_T * n + i] = -e * u0 / tau;
    g_jets[S_XX * n + i] = e * u0_xx;
    l_jets[S_U * n + i] = 1.0 - e;
    l_jets[S_X * n + i] = 0.0;
    l_jets[S_T * n + i] = e / tau;
    l_jets[S_XX * n + i] = 0.0;
  }
}

/* r = u_t - eps u_xx + rate (u^3 - u); dr/du = rate (3u^2 - 1), dr/du_t = 1, dr/du_xx = -eps. */
static core_status periodic_reference(const pde_problem *p, size_t n, const double *x, double *u) {
  return pde_ac_spectral_eval(p->params[P_EPS], p->params[P_RATE], PDE_AC_SPECTRAL_DEFAULT_NODES, n,
                              x, u);
}

/* Twice the Fourier nodes for the resolution study. */
static core_status periodic_reference_finer(const pde_problem *p, size_t n, const double *x,
                                            double *u) {
  return pde_ac_spectral_eval(p->params[P_EPS], p->params[P_RATE],
                              2 * PDE_AC_SPECTRAL_DEFAULT_NODES, n, x, u);
}

static const char *const periodic_inputs[] = {"x", "t"};
static const char *const periodic_params[] = {"eps", "rate", "tau"};

const pde_problem_type pde_allen_cahn_periodic = {
    .name = "allen_cahn_periodic",
    .dim = 2,
    .input_names = periodic_inputs,
    .lower = {-1.0, 0.0},
    .upper = {1.0, 1.0},
    .jets = {.n_first = 2, .first = {0, 1}, .n_second = 1, .second = {{0, 0}}},
    .n_params = 3,
    .param_names = periodic_params,
    .param_defaults = {1e-4, 5.0, 0.01},
    .n_features = FEATURES,
    .features = periodic_features,
    .ansatz = periodic_ansatz,
    .residual = pde_allen_cahn_residual,
    .reference = periodic_reference,
    .reference_finer = periodic_reference_finer,
};
