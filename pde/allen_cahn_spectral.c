#include "pde/allen_cahn_spectral.h"

#include <cvode/cvode.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fft_halfcomplex.h>
#include <gsl/gsl_fft_real.h>
#include <gsl/gsl_math.h> /* M_PI, which strict C17 math.h does not declare */
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sunlinsol/sunlinsol_spgmr.h>

#include "pde/time_sweep.h"

#define MAX_NODES (1 << 24)
#define KRYLOV_DIM 10 /* GMRES needs a few iterations; see the header */
#define RESEED 32     /* modes between exact cos/sin in the interpolation recurrence */

struct pde_ac_spectral {
  double eps, rate;
  int nodes;
  double *grid;     /* (nodes): the last output */
  double *coef;     /* (nodes): its half-complex Fourier coefficients, divided by nodes */
  double t_last;
  int exact_u0;     /* the default initial data: at t = 0 report x^2 cos(pi x) itself */
  SUNContext ctx;
  N_Vector y;
  SUNLinearSolver ls;
  void *mem;
  char message[256]; /* CVODE's last error message */
};

static int is_power_of_two(int n) { return n > 0 && (n & (n - 1)) == 0; }

/* Wavenumber k of entry p of GSL's radix-2 half-complex array: r_0, r_1, .., r_{n/2},
 * i_{n/2-1}, .., i_1 (entries p and n - p hold mode p). On x in [-1,1) mode k is exp(i pi k x),
 * so d^2/dx^2 multiplies it by -(pi k)^2. */
static double mode_pi_k(int p, int n) { return M_PI * (double)(p <= n / 2 ? p : n - p); }

/* out = D2 u (out may equal u): FFT, multiply by -(pi k)^2, inverse FFT (which divides by n). */
static int fourier_d2(int n, const double *u, double *out) {
  if (out != u)
    memcpy(out, u, (size_t)n * sizeof *u);
  if (gsl_fft_real_radix2_transform(out, 1, (size_t)n) != GSL_SUCCESS)
    return -1;
  for (int p = 0; p < n; p++) {
    double pk = mode_pi_k(p, n);
    out[p] *= -pk * pk;
  }
  return gsl_fft_halfcomplex_radix2_inverse(out, 1, (size_t)n) == GSL_SUCCESS ? 0 : -1;
}

core_status pde_ac_spectral_second_derivative(int n, const double *u, double *uxx) {
  if (!is_power_of_two(n) || n < 2 || n > MAX_NODES)
    return CORE_FAIL(CORE_ERR_INVALID, "Fourier second derivative: %d nodes is not a power of two "
                     "in [2, %d]", n, MAX_NODES);
  if (fourier_d2(n, u, uxx) != 0)
    return CORE_FAIL(CORE_ERR_SOLVER, "Fourier second derivative: GSL FFT of %d values failed", n);
  return CORE_OK;
}

/* f(u) = eps D2 u - rate (u^3 - u). */
static int ac_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data) {
  (void)t;
  pde_ac_spectral *m = user_data;
  const double *u = N_VGetArrayPointer(y);
  double *du = N_VGetArrayPointer(ydot);
  if (fourier_d2(m->nodes, u, du) != 0)
    return -1;
  int finite = 1;
  for (int j = 0; j < m->nodes; j++) {
    du[j] = m->eps * du[j] - m->rate * (u[j] * u[j] * u[j] - u[j]);
    finite &= isfinite(du[j]) != 0;
  }
  return finite ? 0 : 1; /* recoverable: CVODE retries with a smaller step */
}

/* J v = eps D2 v - rate (3u^2 - 1) v, exact (no difference quotient at these tolerances). */
static int ac_jtimes(N_Vector v, N_Vector jv, sunrealtype t, N_Vector y, N_Vector fy,
                     void *user_data, N_Vector tmp) {
  (void)t;
  (void)fy;
  (void)tmp;
  pde_ac_spectral *m = user_data;
  const double *u = N_VGetArrayPointer(y), *vv = N_VGetArrayPointer(v);
  double *out = N_VGetArrayPointer(jv);
  if (fourier_d2(m->nodes, vv, out) != 0)
    return -1;
  for (int j = 0; j < m->nodes; j++)
    out[j] = m->eps * out[j] - m->rate * (3.0 * u[j] * u[j] - 1.0) * vv[j];
  return 0;
}

/* Nothing to set up: P = I - gamma eps D2 depends on gamma only, which psolve receives. */
static int ac_psetup(sunrealtype t, N_Vector y, N_Vector fy, sunbooleantype jok,
                     sunbooleantype *jcur, sunrealtype gamma, void *user_data) {
  (void)t;
  (void)y;
  (void)fy;
  (void)jok;
  (void)gamma;
  (void)user_data;
  *jcur = SUNFALSE;
  return 0;
}

/* z = (I - gamma eps D2)^{-1} r, exactly: mode k divided by 1 + gamma eps (pi k)^2. */
static int ac_psolve(sunrealtype t, N_Vector y, N_Vector fy, N_Vector r, N_Vector z,
                     sunrealtype gamma, sunrealtype delta, int lr, void *user_data) {
  (void)t;
  (void)y;
  (void)fy;
  (void)delta;
  (void)lr;
  pde_ac_spectral *m = user_data;
  const int n = m->nodes;
  double *out = N_VGetArrayPointer(z);
  memcpy(out, N_VGetArrayPointer(r), (size_t)n * sizeof *out);
  if (gsl_fft_real_radix2_transform(out, 1, (size_t)n) != GSL_SUCCESS)
    return -1;
  for (int p = 0; p < n; p++) {
    double pk = mode_pi_k(p, n);
    out[p] /= 1.0 + gamma * m->eps * pk * pk;
  }
  return gsl_fft_halfcomplex_radix2_inverse(out, 1, (size_t)n) == GSL_SUCCESS ? 0 : -1;
}

/* Nodal values of the Fourier series of u0(x) = x^2 cos(pi x) truncated to |k| < n/2, with the
 * exact coefficients u0 = a_0/2 + sum_k a_k cos(k pi x), a_k = (I(k-1) + I(k+1)) / 2,
 * I(m) = int_{-1}^{1} x^2 cos(m pi x) dx = 2/3 (m = 0), 4 (-1)^m / (m pi)^2 (m != 0).
 * Sampling u0 at the nodes instead would alias its slowly decaying coefficients (the kink at
 * x = +-1 gives a_k ~ 4 / (pi k)^2) into the low modes, an O(n^-2) error that diffusion does not
 * remove; the truncated modes k >= n/2 instead decay like exp(-eps (pi k)^2 t) in the exact
 * solution too. Built half-complex in theta = pi (x + 1), where cos(k pi x) = (-1)^k cos(k theta). */
static double u0_integral(int k) {
  if (k == 0)
    return 2.0 / 3.0;
  return 4.0 * (k % 2 ? -1.0 : 1.0) / ((M_PI * k) * (M_PI * k));
}

static int initial_projection(int n, double *y) {
  memset(y, 0, (size_t)n * sizeof *y);
  for (int k = 0; k < n / 2; k++) {
    double a = 0.5 * (u0_integral(abs(k - 1)) + u0_integral(k + 1));
    y[k] = (k == 0 ? 0.5 : 0.5 * (k % 2 ? -1.0 : 1.0)) * n * a;
  }
  return gsl_fft_halfcomplex_radix2_inverse(y, 1, (size_t)n) == GSL_SUCCESS ? 0 : -1;
}

static void ac_error_handler(int code, const char *module, const char *function, char *msg,
                             void *eh_data) {
  (void)code;
  pde_ac_spectral *m = eh_data;
  snprintf(m->message, sizeof m->message, "%s/%s: %s", module, function, msg);
}

#define CV_CHECK(m, call)                                                                       \
  do {                                                                                          \
    int cv_flag_ = (call);                                                                      \
    if (cv_flag_ < 0)                                                                           \
      return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn spectral reference: %s failed with %s (%s)", \
                       #call, CVodeGetReturnFlagName(cv_flag_), (m)->message);                  \
  } while (0)

static core_status setup_cvode(pde_ac_spectral *m, double rtol, double atol, const double *u0) {
  if (SUNContext_Create(NULL, &m->ctx) != 0) {
    m->ctx = NULL;
    return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn spectral reference: SUNContext_Create failed");
  }
  m->y = N_VNew_Serial(m->nodes, m->ctx);
  if (!m->y)
    return CORE_FAIL(CORE_ERR_NOMEM, "Allen-Cahn spectral reference: N_VNew_Serial(%d) failed",
                     m->nodes);
  double *y = N_VGetArrayPointer(m->y);
  if (u0)
    memcpy(y, u0, (size_t)m->nodes * sizeof *y);
  else if (initial_projection(m->nodes, y) != 0)
    return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn spectral reference: GSL FFT of %d values failed",
                     m->nodes);
  m->mem = CVodeCreate(CV_BDF, m->ctx);
  if (!m->mem)
    return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn spectral reference: CVodeCreate failed");
  CV_CHECK(m, CVodeSetErrHandlerFn(m->mem, ac_error_handler, m));
  CV_CHECK(m, CVodeInit(m->mem, ac_rhs, 0.0, m->y));
  CV_CHECK(m, CVodeSetUserData(m->mem, m));
  CV_CHECK(m, CVodeSStolerances(m->mem, rtol, atol));
  CV_CHECK(m, CVodeSetMaxNumSteps(m->mem, 1000000));
  m->ls = SUNLinSol_SPGMR(m->y, SUN_PREC_LEFT, KRYLOV_DIM, m->ctx);
  if (!m->ls)
    return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn spectral reference: SUNLinSol_SPGMR failed");
  CV_CHECK(m, CVodeSetLinearSolver(m->mem, m->ls, NULL));
  CV_CHECK(m, CVodeSetJacTimes(m->mem, NULL, ac_jtimes));
  CV_CHECK(m, CVodeSetPreconditioner(m->mem, ac_psetup, ac_psolve));
  return CORE_OK;
}

/* coef = FFT(y) / nodes, for the interpolant. */
static core_status update_coefficients(pde_ac_spectral *m) {
  const int n = m->nodes;
  memcpy(m->coef, N_VGetArrayPointer(m->y), (size_t)n * sizeof *m->coef);
  if (gsl_fft_real_radix2_transform(m->coef, 1, (size_t)n) != GSL_SUCCESS)
    return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn spectral reference: GSL FFT of %d values "
                     "failed", n);
  for (int p = 0; p < n; p++)
    m->coef[p] /= n;
  return CORE_OK;
}

core_status pde_ac_spectral_create_from(pde_ac_spectral **out, double eps, double rate, int nodes,
                                        double rtol, double atol, const double *u0) {
  *out = NULL;
  if (!(eps > 0.0) || !isfinite(eps) || !(rate >= 0.0) || !isfinite(rate))
    return CORE_FAIL(CORE_ERR_INVALID, "Allen-Cahn spectral reference: needs eps > 0 and rate >= "
                     "0, got %g and %g", eps, rate);
  if (!is_power_of_two(nodes) || nodes < 16 || nodes > MAX_NODES)
    return CORE_FAIL(CORE_ERR_INVALID, "Allen-Cahn spectral reference: needs a power of two in "
                     "[16, %d] nodes, got %d", MAX_NODES, nodes);
  if (!(rtol > 0.0) || !(atol > 0.0))
    return CORE_FAIL(CORE_ERR_INVALID, "Allen-Cahn spectral reference: needs positive tolerances, "
                     "got %g and %g", rtol, atol);
  pde_ac_spectral *m = calloc(1, sizeof *m);
  if (!m)
    return CORE_FAIL(CORE_ERR_NOMEM, "Allen-Cahn spectral reference: out of memory");
  m->eps = eps;
  m->rate = rate;
  m->nodes = nodes;
  m->grid = calloc((size_t)nodes, sizeof *m->grid);
  m->coef = calloc((size_t)nodes, sizeof *m->coef);
  core_status st = (m->grid && m->coef)
                       ? CORE_OK
                       : CORE_FAIL(CORE_ERR_NOMEM, "Allen-Cahn spectral reference: out of memory");
  if (st == CORE_OK)
    st = setup_cvode(m, rtol, atol, u0);
  if (st == CORE_OK) {
    /* At t = 0 the solution is the initial data itself, not its truncated series. */
    m->exact_u0 = u0 == NULL;
    for (int j = 0; j < nodes; j++) {
      double x = -1.0 + 2.0 * j / nodes;
      m->grid[j] = u0 ? u0[j] : x * x * cos(M_PI * x);
    }
    st = update_coefficients(m);
  }
  if (st != CORE_OK) {
    pde_ac_spectral_destroy(m);
    return st;
  }
  *out = m;
  return CORE_OK;
}

core_status pde_ac_spectral_create(pde_ac_spectral **out, double eps, double rate, int nodes,
                                   double rtol, double atol) {
  return pde_ac_spectral_create_from(out, eps, rate, nodes, rtol, atol, NULL);
}

void pde_ac_spectral_destroy(pde_ac_spectral *m) {
  if (!m)
    return;
  if (m->mem)
    CVodeFree(&m->mem);
  if (m->ls)
    SUNLinSolFree(m->ls);
  if (m->y)
    N_VDestroy(m->y);
  if (m->ctx)
    SUNContext_Free(&m->ctx);
  free(m->grid);
  free(m->coef);
  free(m);
}

core_status pde_ac_spectral_advance(pde_ac_spectral *m, double t, const double **grid) {
  if (!(t >= m->t_last) || !isfinite(t))
    return CORE_FAIL(CORE_ERR_INVALID, "Allen-Cahn spectral reference: output time %g is before "
                     "%g", t, m->t_last);
  if (t > m->t_last) {
    /* y holds the last output; CVODE integrates past t and interpolates back to it. */
    double tret = 0.0;
    int flag = CVode(m->mem, t, m->y, &tret, CV_NORMAL);
    if (flag < 0)
      return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn spectral reference: CVode to t = %g failed "
                       "with %s (%s)", t, CVodeGetReturnFlagName(flag), m->message);
    m->t_last = t;
    memcpy(m->grid, N_VGetArrayPointer(m->y), (size_t)m->nodes * sizeof *m->grid);
    CORE_TRY(update_coefficients(m));
  }
  *grid = m->grid;
  return CORE_OK;
}

/* sum_k c_k exp(i k theta), theta = pi (x + 1), for the real series stored half-complex:
 * c_0 + 2 sum_{0<k<n/2} (Re c_k cos k theta - Im c_k sin k theta) + Re c_{n/2} cos(n theta / 2).
 * (cos, sin)(k theta) by rotation, re-seeded every RESEED modes so rounding cannot accumulate. */
double pde_ac_spectral_interpolate(const pde_ac_spectral *m, double x) {
  if (m->exact_u0 && m->t_last == 0.0) {
    double xp = x - 2.0 * floor((x + 1.0) / 2.0); /* periodic image in [-1, 1) */
    return xp * xp * cos(M_PI * xp);
  }
  const int n = m->nodes, half = n / 2;
  const double *c = m->coef, theta = M_PI * (x + 1.0);
  const double c1 = cos(theta), s1 = sin(theta);
  double sum = 0.0, ck = 1.0, sk = 0.0;
  for (int k = 1; k < half; k++) {
    if (k % RESEED == 0) {
      ck = cos(k * theta);
      sk = sin(k * theta);
    } else {
      double next = ck * c1 - sk * s1;
      sk = sk * c1 + ck * s1;
      ck = next;
    }
    sum += c[k] * ck - c[n - k] * sk;
  }
  return c[0] + 2.0 * sum + c[half] * cos(half * theta);
}

int pde_ac_spectral_nodes(const pde_ac_spectral *m) { return m->nodes; }

long pde_ac_spectral_steps(const pde_ac_spectral *m) {
  long steps = 0;
  if (CVodeGetNumSteps(m->mem, &steps) < 0)
    return -1;
  return steps;
}

long pde_ac_spectral_linear_iterations(const pde_ac_spectral *m) {
  long iters = 0;
  if (CVodeGetNumLinIters(m->mem, &iters) < 0)
    return -1;
  return iters;
}

static core_status spectral_advance(void *state, double t) {
  const double *grid = NULL;
  return pde_ac_spectral_advance(state, t, &grid);
}

static double spectral_interpolate(void *state, double x) {
  return pde_ac_spectral_interpolate(state, x);
}

core_status pde_ac_spectral_eval(double eps, double rate, int nodes, size_t n, const double *xt,
                                 double *u) {
  pde_ac_spectral *m = NULL;
  CORE_TRY(pde_ac_spectral_create(&m, eps, rate, nodes, PDE_AC_SPECTRAL_RTOL,
                                  PDE_AC_SPECTRAL_ATOL));
  pde_time_sweep_solver solver = {m, spectral_advance, spectral_interpolate};
  core_status st = pde_time_sweep(&solver, "Allen-Cahn spectral reference", n, xt, u);
  pde_ac_spectral_destroy(m);
  return st;
}
