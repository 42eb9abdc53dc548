#include "pde/poisson_peak.h"

#include <math.h>

/* The 1-D factor phi(s) = exp(-a (s - c)^2), its derivatives, and the boundary line L phi. */
typedef struct peak_factor {
  double phi, d1, d2; /* phi, phi', phi'' at s */
  double psi, psi_d1; /* phi - L phi and its derivative (L phi'' = 0) */
} peak_factor;

static peak_factor factor_at(double a, double c, double s) {
  double y = s - c, phi = exp(-a * y * y);
  double left = exp(-a * (1.0 + c) * (1.0 + c)), right = exp(-a * (1.0 - c) * (1.0 - c));
  peak_factor f = {.phi = phi, .d1 = -2.0 * a * y * phi, .d2 = (4.0 * a * a * y * y - 2.0 * a) * phi};
  f.psi = phi - (left * (1.0 - s) + right * (1.0 + s)) / 2.0;
  f.psi_d1 = f.d1 - (right - left) / 2.0;
  return f;
}

/* out[k] = prod_{i != k} v[i] by prefix and suffix products (no division: v may hold zeros). */
static void products_without(int d, const double *v, double *out) {
  double prefix = 1.0;
  for (int k = 0; k < d; k++) {
    out[k] = prefix;
    prefix *= v[k];
  }
  double suffix = 1.0;
  for (int k = d - 1; k >= 0; k--) {
    out[k] *= suffix;
    suffix *= v[k];
  }
}

static void peak_ansatz_point(const pde_problem *p, const double *x, size_t n, size_t i,
                              double *g_jets, double *l_jets) {
  const int d = p->type->dim;
  const double a = p->params[0], c = p->params[1];
  peak_factor f[NN_MAX_INPUTS];
  double phi[NN_MAX_INPUTS] = {0}, psi[NN_MAX_INPUTS] = {0}, w[NN_MAX_INPUTS] = {0};
  double phi_wo[NN_MAX_INPUTS] = {0}, psi_wo[NN_MAX_INPUTS] = {0}, w_wo[NN_MAX_INPUTS] = {0};
  for (int k = 0; k < d; k++) {
    f[k] = factor_at(a, c, x[k]);
    phi[k] = f[k].phi;
    psi[k] = f[k].psi;
    w[k] = 1.0 - x[k] * x[k];
  }
  products_without(d, phi, phi_wo);
  products_without(d, psi, psi_wo);
  products_without(d, w, w_wo);
  g_jets[i] = phi_wo[0] * phi[0] - psi_wo[0] * psi[0];
  l_jets[i] = w_wo[0] * w[0];
  for (int k = 0; k < d; k++) {
    size_t s1 = (size_t)(1 + k) * n + i, s2 = (size_t)(1 + d + k) * n + i;
    g_jets[s1] = f[k].d1 * phi_wo[k] - f[k].psi_d1 * psi_wo[k];
    g_jets[s2] = f[k].d2 * (phi_wo[k] - psi_wo[k]);
    l_jets[s1] = -2.0 * x[k] * w_wo[k];
    l_jets[s2] = -2.0 * w_wo[k];
  }
}

static void peak_ansatz(const pde_problem *p, size_t n, const double *x, double *g_jets,
                        double *l_jets) {
  const size_t d = (size_t)p->type->dim;
  for (size_t i = 0; i < n; i++)
    peak_ansatz_point(p, x + i * d, n, i, g_jets, l_jets);
}

/* |x - c|^2 and u at one point. */
static double peak_value(const pde_problem *p, const double *x, double *r2_out) {
  const int d = p->type->dim;
  double r2 = 0.0;
  for (int k = 0; k < d; k++)
    r2 += (x[k] - p->params[1]) * (x[k] - p->params[1]);
  *r2_out = r2;
  return exp(-p->params[0] * r2);
}

/* r = -sum_k u_kk - f: linear, dr/du_kk = -1 and every other stream 0. */
static void peak_residual(const pde_problem *p, size_t n, const double *x, const double *u_jets,
                          double *r, double *dr_du) {
  const int d = p->type->dim;
  const double a = p->params[0];
  for (size_t i = 0; i < n; i++) {
    double r2, u = peak_value(p, x + i * (size_t)d, &r2);
    double lap = 0.0;
    for (int k = 0; k < d; k++)
      lap += u_jets[(size_t)(1 + d + k) * n + i];
    r[i] = -lap - (2.0 * a * d - 4.0 * a * a * r2) * u;
    for (int s = 0; s <= d; s++)
      dr_du[(size_t)s * n + i] = 0.0;
    for (int k = 0; k < d; k++)
      dr_du[(size_t)(1 + d + k) * n + i] = -1.0;
  }
}

static core_status peak_reference(const pde_problem *p, size_t n, const double *x, double *u) {
  const size_t d = (size_t)p->type->dim;
  for (size_t i = 0; i < n; i++) {
    double r2;
    u[i] = peak_value(p, x + i * d, &r2);
  }
  return CORE_OK;
}

static const char *const peak_params[] = {"sharpness", "center"};
static const char *const inputs_2d[] = {"x", "y"};
static const char *const inputs_10d[] = {"x1", "x2", "x3", "x4", "x5",
                                         "x6", "x7", "x8", "x9", "x10"};

const pde_problem_type pde_poisson_peak = {
    .name = "poisson_peak",
    .dim = 2,
    .input_names = inputs_2d,
    .lower = {-1.0, -1.0},
    .upper = {1.0, 1.0},
    .jets = {.n_first = 2, .first = {0, 1}, .n_second = 2, .second = {{0, 0}, {1, 1}}},
    .n_params = 2,
    .param_names = peak_params,
    .param_defaults = {1000.0, 0.5},
    .ansatz = peak_ansatz,
    .residual = peak_residual,
    .reference = peak_reference,
};

const pde_problem_type pde_poisson_peak_10d = {
    .name = "poisson_peak_10d",
    .dim = 10,
    .input_names = inputs_10d,
    .lower = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1},
    .upper = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    .jets = {.n_first = 10,
             .first = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
             .n_second = 10,
             .second = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {7, 7}, {8, 8},
                        {9, 9}}},
    .n_params = 2,
    .param_names = peak_params,
    .param_defaults = {10.0, 0.0},
    .ansatz = peak_ansatz,
    .residual = peak_residual,
    .reference = peak_reference,
};
