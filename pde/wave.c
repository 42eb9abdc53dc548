#include "pde/wave.h"

#include <gsl/gsl_math.h> /* M_PI, which strict C17 math.h does not declare */
#include <math.h>

enum { S_U, S_X, S_T, S_XX, S_TT }; /* stream indices fixed by the jet spec below */

double pde_wave_exact(double c, double x, double t) {
  return sin(M_PI * x) * cos(c * M_PI * t) + 0.5 * sin(4.0 * M_PI * x) * cos(4.0 * c * M_PI * t);
}

/* g = sin(pi x) + 1/2 sin(4 pi x) depends on x only; l = s x (1 - x) t^2 with s the
 * output_scale: N must carry (u - g) / (x (1 - x) t^2), which reaches hundreds near t = 0 (the
 * 8 pi t mode), so a scale lets a network with O(1) outputs represent it. */
static void wave_ansatz(const pde_problem *p, size_t n, const double *x, double *g_jets,
                        double *l_jets) {
  const double scale = p->params[1];
  for (size_t i = 0; i < n; i++) {
    double xi = x[2 * i], t = x[2 * i + 1];
    double s1 = sin(M_PI * xi), c1 = cos(M_PI * xi);
    double s4 = sin(4.0 * M_PI * xi), c4 = cos(4.0 * M_PI * xi);
    g_jets[S_U * n + i] = s1 + 0.5 * s4;
    g_jets[S_X * n + i] = M_PI * c1 + 2.0 * M_PI * c4;
    g_jets[S_T * n + i] = 0.0;
    g_jets[S_XX * n + i] = -M_PI * M_PI * s1 - 8.0 * M_PI * M_PI * s4;
    g_jets[S_TT * n + i] = 0.0;
    double w = xi * (1.0 - xi);
    l_jets[S_U * n + i] = scale * w * t * t;
    l_jets[S_X * n + i] = scale * (1.0 - 2.0 * xi) * t * t;
    l_jets[S_T * n + i] = scale * 2.0 * w * t;
    l_jets[S_XX * n + i] = scale * -2.0 * t * t;
    l_jets[S_TT * n + i] = scale * 2.0 * w;
  }
}

/* r = u_tt - c^2 u_xx; linear, so dr/du_tt = 1, dr/du_xx = -c^2 and the rest are zero. */
static void wave_residual(const pde_problem *p, size_t n, const double *x, const double *u_jets,
                          double *r, double *dr_du) {
  (void)x;
  const double c2 = p->params[0] * p->params[0];
  const double *uxx = u_jets + S_XX * n, *utt = u_jets + S_TT * n;
  for (size_t i = 0; i < n; i++) {
    r[i] = utt[i] - c2 * uxx[i];
    dr_du[S_U * n + i] = 0.0;
    dr_du[S_X * n + i] = 0.0;
    dr_du[S_T * n + i] = 0.0;
    dr_du[S_XX * n + i] = -c2;
    dr_du[S_TT * n + i] = 1.0;
  }
}

static core_status wave_reference(const pde_problem *p, size_t n, const double *x, double *u) {
  for (size_t i = 0; i < n; i++)
    u[i] = pde_wave_exact(p->params[0], x[2 * i], x[2 * i + 1]);
  return CORE_OK;
}

static const char *const wave_inputs[] = {"x", "t"};
static const char *const wave_params[] = {"c", "output_scale"};

const pde_problem_type pde_wave = {
    .name = "wave",
    .dim = 2,
    .input_names = wave_inputs,
    .lower = {0.0, 0.0},
    .upper = {1.0, 1.0},
    .jets = {.n_first = 2, .first = {0, 1}, .n_second = 2, .second = {{0, 0}, {1, 1}}},
    .n_params = 2,
    .param_names = wave_params,
    .param_defaults = {2.0, 1.0},
    .ansatz = wave_ansatz,
    .residual = wave_residual,
    .reference = wave_reference,
};
