#include "pde/allen_cahn.h"

#include <gsl/gsl_math.h> /* M_PI, which strict C17 math.h does not declare */
#include <math.h>

#include "pde/allen_cahn_mol.h"

enum { S_U, S_X, S_T, S_XX }; /* stream indices fixed by the jet spec below */

/* g = x^2 cos(pi x), l = t (1 - x^2). */
static void allen_cahn_ansatz(const pde_problem *p, size_t n, const double *x, double *g_jets,
                              double *l_jets) {
  (void)p;
  for (size_t i = 0; i < n; i++) {
    double xi = x[2 * i], t = x[2 * i + 1];
    double s = sin(M_PI * xi), c = cos(M_PI * xi);
    g_jets[S_U * n + i] = xi * xi * c;
    g_jets[S_X * n + i] = 2.0 * xi * c - M_PI * xi * xi * s;
    g_jets[S_T * n + i] = 0.0;
    g_jets[S_XX * n + i] = 2.0 * c - 4.0 * M_PI * xi * s - M_PI * M_PI * xi * xi * c;
    l_jets[S_U * n + i] = t * (1.0 - xi * xi);
    l_jets[S_X * n + i] = -2.0 * xi * t;
    l_jets[S_T * n + i] = 1.0 - xi * xi;
    l_jets[S_XX * n + i] = -2.0 * t;
  }
}

/* r = u_t - eps u_xx + rate (u^3 - u); dr/du = rate (3u^2 - 1), dr/du_t = 1, dr/du_xx = -eps. */
void pde_allen_cahn_residual(const pde_problem *p, size_t n, const double *x, const double *u_jets,
                             double *r, double *dr_du) {
  (void)x;
  const double eps = p->params[0], rate = p->params[1];
  const double *u = u_jets + S_U * n, *ut = u_jets + S_T * n, *uxx = u_jets + S_XX * n;
  for (size_t i = 0; i < n; i++) {
    r[i] = ut[i] - eps * uxx[i] + rate * (u[i] * u[i] * u[i] - u[i]);
    dr_du[S_U * n + i] = rate * (3.0 * u[i] * u[i] - 1.0);
    dr_du[S_X * n + i] = 0.0;
    dr_du[S_T * n + i] = 1.0;
    dr_du[S_XX * n + i] = -eps;
  }
}

static core_status allen_cahn_reference(const pde_problem *p, size_t n, const double *x,
                                        double *u) {
  return pde_ac_mol_eval(p->params[0], p->params[1], PDE_AC_MOL_DEFAULT_INTERVALS, n, x, u);
}

/* Twice the grid intervals for the resolution study. */
static core_status allen_cahn_reference_finer(const pde_problem *p, size_t n, const double *x,
                                              double *u) {
  return pde_ac_mol_eval(p->params[0], p->params[1], 2 * PDE_AC_MOL_DEFAULT_INTERVALS, n, x, u);
}

static const char *const allen_cahn_inputs[] = {"x", "t"};
static const char *const allen_cahn_params[] = {"eps", "rate"};

const pde_problem_type pde_allen_cahn = {
    .name = "allen_cahn",
    .dim = 2,
    .input_names = allen_cahn_inputs,
    .lower = {-1.0, 0.0},
    .upper = {1.0, 1.0},
    .jets = {.n_first = 2, .first = {0, 1}, .n_second = 1, .second = {{0, 0}}},
    .n_params = 2,
    .param_names = allen_cahn_params,
    .param_defaults = {0.001, 5.0},
    .ansatz = allen_cahn_ansatz,
    .residual = pde_allen_cahn_residual,
    .reference = allen_cahn_reference,
    .reference_finer = allen_cahn_reference_finer,
};
