#include "pde/burgers.h"

#include <gsl/gsl_math.h> /* M_PI, which strict C17 math.h does not declare */
#include <math.h>

#include "pde/cole_hopf.h"

enum { S_U, S_X, S_T, S_XX }; /* stream indices fixed by the jet spec below */

/* g = -sin(pi x) carries the initial condition; l = (1 - x^2) t vanishes at t = 0 and x = +-1. */
static void burgers_ansatz(const pde_problem *p, size_t n, const double *x, double *g_jets,
                           double *l_jets) {
  (void)p;
  for (size_t i = 0; i < n; i++) {
    double xi = x[2 * i], t = x[2 * i + 1];
    double s = sin(M_PI * xi), c = cos(M_PI * xi);
    g_jets[S_U * n + i] = -s;
    g_jets[S_X * n + i] = -M_PI * c;
    g_jets[S_T * n + i] = 0.0;
    g_jets[S_XX * n + i] = M_PI * M_PI * s;
    l_jets[S_U * n + i] = (1.0 - xi * xi) * t;
    l_jets[S_X * n + i] = -2.0 * xi * t;
    l_jets[S_T * n + i] = 1.0 - xi * xi;
    l_jets[S_XX * n + i] = -2.0 * t;
  }
}

/* r = u_t + u u_x - nu u_xx; dr/du = u_x, dr/du_x = u, dr/du_t = 1, dr/du_xx = -nu. */
static void burgers_residual(const pde_problem *p, size_t n, const double *x,
                             const double *u_jets, double *r, double *dr_du) {
  (void)x;
  const double nu = p->params[0];
  const double *u = u_jets + S_U * n, *ux = u_jets + S_X * n, *ut = u_jets + S_T * n,
               *uxx = u_jets + S_XX * n;
  for (size_t i = 0; i < n; i++) {
    r[i] = ut[i] + u[i] * ux[i] - nu * uxx[i];
    dr_du[S_U * n + i] = ux[i];
    dr_du[S_X * n + i] = u[i];
    dr_du[S_T * n + i] = 1.0;
    dr_du[S_XX * n + i] = -nu;
  }
}

/* A fresh quadrature rule per call: building it is O(nodes^2) work, small next to evaluating
 * nodes cosines at each of the n points. */
static core_status cole_hopf_with_nodes(const pde_problem *p, int nodes, size_t n, const double *x,
                                        double *u) {
  pde_cole_hopf *ch = NULL;
  CORE_TRY(pde_cole_hopf_create(&ch, p->params[0], nodes));
  core_status st = pde_cole_hopf_eval(ch, n, x, u);
  pde_cole_hopf_destroy(ch);
  return st;
}

static core_status burgers_reference(const pde_problem *p, size_t n, const double *x, double *u) {
  return cole_hopf_with_nodes(p, PDE_COLE_HOPF_DEFAULT_NODES, n, x, u);
}

/* 1.5x the Gauss-Hermite nodes for the resolution study. */
static core_status burgers_reference_finer(const pde_problem *p, size_t n, const double *x, double *u) {
  return cole_hopf_with_nodes(p, 3 * PDE_COLE_HOPF_DEFAULT_NODES / 2, n, x, u);
}

static const char *const burgers_inputs[] = {"x", "t"};
static const char *const burgers_params[] = {"nu"};

const pde_problem_type pde_burgers = {
    .name = "burgers",
    .dim = 2,
    .input_names = burgers_inputs,
    .lower = {-1.0, 0.0},
    .upper = {1.0, 1.0},
    .jets = {.n_first = 2, .first = {0, 1}, .n_second = 1, .second = {{0, 0}}},
    .n_params = 1,
    .param_names = burgers_params,
    .param_defaults = {0.01 / M_PI},
    .ansatz = burgers_ansatz,
    .residual = burgers_residual,
    .reference = burgers_reference,
    .reference_finer = burgers_reference_finer,
};
