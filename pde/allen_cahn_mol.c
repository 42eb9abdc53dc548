#include "pde/allen_cahn_mol.h"

#include <cvode/cvode.h>
#include <gsl/gsl_math.h> /* M_PI, which strict C17 math.h does not declare */
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sunlinsol/sunlinsol_band.h>
#include <sunmatrix/sunmatrix_band.h>

#include "pde/time_sweep.h"

#define STENCIL 8   /* nodes per row: 7 centred (8th weight 0) or 8 one-sided */
#define BANDWIDTH 6 /* the one-sided rows reach 6 unknowns away */
#define WALL_VALUE (-1.0)

struct pde_ac_mol {
  double eps, rate, h;
  int intervals;          /* nodes 0..intervals; unknowns are the interior nodes 1..intervals-1 */
  int *first;             /* (intervals + 1): first node of row j's stencil */
  double *weights;        /* (intervals + 1, STENCIL): u_xx weights, already divided by h^2 */
  double *grid;           /* (intervals + 1): the last output, walls included */
  double t_last;
  SUNContext ctx;
  N_Vector y;
  SUNMatrix jac;
  SUNLinearSolver ls;
  void *mem;
  char message[256];      /* CVODE's last error message */
};

/* Fornberg (1988): weights c[k][i] of the k-th derivative at z from values at nodes x[0..n-1],
 * k = 0..2. Exact for polynomials of degree n - 1. */
static void fornberg_weights(double z, const double *x, int n, double c[3][STENCIL]) {
  memset(c, 0, 3 * sizeof c[0]);
  double c1 = 1.0, c4 = x[0] - z;
  c[0][0] = 1.0;
  for (int i = 1; i < n; i++) {
    int mn = i < 2 ? i : 2;
    double c2 = 1.0, c5 = c4;
    c4 = x[i] - z;
    for (int j = 0; j < i; j++) {
      double c3 = x[i] - x[j];
      c2 *= c3;
      if (j == i - 1) {
        for (int k = mn; k >= 1; k--)
          c[k][i] = c1 * (k * c[k - 1][i - 1] - c5 * c[k][i - 1]) / c2;
        c[0][i] = -c1 * c5 * c[0][i - 1] / c2;
      }
      for (int k = mn; k >= 1; k--)
        c[k][j] = (c4 * c[k][j] - k * c[k - 1][j]) / c3;
      c[0][j] = c4 * c[0][j] / c3;
    }
    c1 = c2;
  }
}

/* Row j: centred nodes j-3..j+3 where they exist, else the 8 nodes nearest the wall. */
static void build_stencils(pde_ac_mol *m) {
  const int n = m->intervals;
  for (int j = 1; j < n; j++) {
    int first = j - 3, count = 7;
    if (j < 3 || j > n - 3) {
      first = j < 3 ? 0 : n - 7;
      count = 8;
    }
    double nodes[STENCIL], c[3][STENCIL];
    for (int k = 0; k < count; k++)
      nodes[k] = (double)(first + k);
    fornberg_weights((double)j, nodes, count, c);
    m->first[j] = first;
    for (int k = 0; k < STENCIL; k++)
      m->weights[(size_t)j * STENCIL + (size_t)k] = k < count ? c[2][k] / (m->h * m->h) : 0.0;
  }
}

/* Interior unknowns y_i = u_{i+1}; the walls hold WALL_VALUE. */
static int ac_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data) {
  (void)t;
  pde_ac_mol *m = user_data;
  const double *u = N_VGetArrayPointer(y);
  double *du = N_VGetArrayPointer(ydot);
  double *full = m->grid; /* scratch: the full row with walls */
  full[0] = full[m->intervals] = WALL_VALUE;
  memcpy(full + 1, u, (size_t)(m->intervals - 1) * sizeof *u);
  for (int j = 1; j < m->intervals; j++) {
    const double *w = m->weights + (size_t)j * STENCIL, *v = full + m->first[j];
    double uxx = 0.0;
    for (int k = 0; k < STENCIL; k++)
      uxx += w[k] * v[k];
    double uj = full[j];
    du[j - 1] = m->eps * uxx - m->rate * (uj * uj * uj - uj);
  }
  for (int i = 0; i < m->intervals - 1; i++)
    if (!isfinite(du[i]))
      return 1; /* recoverable: CVODE retries with a smaller step */
  return 0;
}

static void ac_error_handler(int code, const char *module, const char *function, char *msg,
                             void *eh_data) {
  (void)code;
  pde_ac_mol *m = eh_data;
  snprintf(m->message, sizeof m->message, "%s/%s: %s", module, function, msg);
}

#define CV_CHECK(m, call)                                                                      \
  do {                                                                                         \
    int cv_flag_ = (call);                                                                     \
    if (cv_flag_ < 0)                                                                          \
      return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn reference: %s failed with %s (%s)", #call, \
                       CVodeGetReturnFlagName(cv_flag_), (m)->message);                        \
  } while (0)

static core_status setup_cvode(pde_ac_mol *m, double rtol, double atol) {
  sunindextype len = m->intervals - 1;
  if (SUNContext_Create(NULL, &m->ctx) != 0) {
    m->ctx = NULL;
    return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn reference: SUNContext_Create failed");
  }
  m->y = N_VNew_Serial(len, m->ctx);
  if (!m->y)
    return CORE_FAIL(CORE_ERR_NOMEM, "Allen-Cahn reference: N_VNew_Serial(%ld) failed", (long)len);
  double *y = N_VGetArrayPointer(m->y);
  for (int j = 1; j < m->intervals; j++) {
    double x = -1.0 + j * m->h;
    y[j - 1] = x * x * cos(M_PI * x);
  }
  m->mem = CVodeCreate(CV_BDF, m->ctx);
  if (!m->mem)
    return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn reference: CVodeCreate failed");
  CV_CHECK(m, CVodeSetErrHandlerFn(m->mem, ac_error_handler, m));
  CV_CHECK(m, CVodeInit(m->mem, ac_rhs, 0.0, m->y));
  CV_CHECK(m, CVodeSetUserData(m->mem, m));
  CV_CHECK(m, CVodeSStolerances(m->mem, rtol, atol));
  CV_CHECK(m, CVodeSetMaxNumSteps(m->mem, 1000000));
  m->jac = SUNBandMatrix(len, BANDWIDTH, BANDWIDTH, m->ctx);
  if (!m->jac)
    return CORE_FAIL(CORE_ERR_NOMEM, "Allen-Cahn reference: SUNBandMatrix failed");
  m->ls = SUNLinSol_Band(m->y, m->jac, m->ctx);
  if (!m->ls)
    return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn reference: SUNLinSol_Band failed");
  CV_CHECK(m, CVodeSetLinearSolver(m->mem, m->ls, m->jac));
  return CORE_OK;
}

core_status pde_ac_mol_create(pde_ac_mol **out, double eps, double rate, int intervals,
                              double rtol, double atol) {
  *out = NULL;
  if (!(eps > 0.0) || !isfinite(eps) || !(rate >= 0.0) || !isfinite(rate))
    return CORE_FAIL(CORE_ERR_INVALID, "Allen-Cahn reference: needs eps > 0 and rate >= 0, got "
                     "%g and %g", eps, rate);
  if (intervals < 16 || !(rtol > 0.0) || !(atol > 0.0))
    return CORE_FAIL(CORE_ERR_INVALID, "Allen-Cahn reference: needs >= 16 intervals and positive "
                     "tolerances, got %d, %g, %g", intervals, rtol, atol);
  pde_ac_mol *m = calloc(1, sizeof *m);
  if (!m)
    return CORE_FAIL(CORE_ERR_NOMEM, "Allen-Cahn reference: out of memory");
  m->eps = eps;
  m->rate = rate;
  m->intervals = intervals;
  m->h = 2.0 / intervals;
  size_t nodes = (size_t)intervals + 1;
  m->first = calloc(nodes, sizeof *m->first);
  m->weights = calloc(nodes * STENCIL, sizeof *m->weights);
  m->grid = calloc(nodes, sizeof *m->grid);
  core_status st = (m->first && m->weights && m->grid)
                       ? CORE_OK
                       : CORE_FAIL(CORE_ERR_NOMEM, "Allen-Cahn reference: out of memory");
  if (st == CORE_OK) {
    build_stencils(m);
    st = setup_cvode(m, rtol, atol);
  }
  if (st != CORE_OK) {
    pde_ac_mol_destroy(m);
    return st;
  }
  *out = m;
  return CORE_OK;
}

void pde_ac_mol_destroy(pde_ac_mol *m) {
  if (!m)
    return;
  if (m->mem)
    CVodeFree(&m->mem);
  if (m->ls)
    SUNLinSolFree(m->ls);
  if (m->jac)
    SUNMatDestroy(m->jac);
  if (m->y)
    N_VDestroy(m->y);
  if (m->ctx)
    SUNContext_Free(&m->ctx);
  free(m->first);
  free(m->weights);
  free(m->grid);
  free(m);
}

core_status pde_ac_mol_advance(pde_ac_mol *m, double t, const double **grid) {
  if (!(t >= m->t_last) || !isfinite(t))
    return CORE_FAIL(CORE_ERR_INVALID, "Allen-Cahn reference: output time %g is before %g", t,
                     m->t_last);
  const double *y = N_VGetArrayPointer(m->y);
  if (t > 0.0) {
    /* y holds the last output; CVODE integrates past t and interpolates back to it. */
    double tret = 0.0;
    int flag = CVode(m->mem, t, m->y, &tret, CV_NORMAL);
    if (flag < 0)
      return CORE_FAIL(CORE_ERR_SOLVER, "Allen-Cahn reference: CVode to t = %g failed with %s "
                       "(%s)", t, CVodeGetReturnFlagName(flag), m->message);
  }
  m->t_last = t;
  m->grid[0] = m->grid[m->intervals] = WALL_VALUE;
  memcpy(m->grid + 1, y, (size_t)(m->intervals - 1) * sizeof *y);
  *grid = m->grid;
  return CORE_OK;
}

double pde_ac_mol_interpolate(const pde_ac_mol *m, const double *grid, double x) {
  double s = (x + 1.0) / m->h;
  int first = (int)floor(s) - 3;
  if (first < 0)
    first = 0;
  if (first > m->intervals - 7)
    first = m->intervals - 7;
  double value = 0.0;
  for (int k = 0; k < STENCIL; k++) {
    double w = 1.0;
    for (int i = 0; i < STENCIL; i++)
      if (i != k)
        w *= (s - (first + i)) / (double)(k - i);
    value += w * grid[first + k];
  }
  return value;
}

double pde_ac_mol_spacing(const pde_ac_mol *m) { return m->h; }

long pde_ac_mol_steps(const pde_ac_mol *m) {
  long steps = 0;
  if (CVodeGetNumSteps(m->mem, &steps) < 0)
    return -1;
  return steps;
}

/* pde_time_sweep's view of the solver: advance keeps the grid the interpolation reads. */
typedef struct mol_sweep {
  pde_ac_mol *m;
  const double *grid;
} mol_sweep;

static core_status mol_advance(void *state, double t) {
  mol_sweep *s = state;
  return pde_ac_mol_advance(s->m, t, &s->grid);
}

static double mol_interpolate(void *state, double x) {
  const mol_sweep *s = state;
  return pde_ac_mol_interpolate(s->m, s->grid, x);
}

core_status pde_ac_mol_eval(double eps, double rate, int intervals, size_t n, const double *xt,
                            double *u) {
  mol_sweep sweep = {NULL, NULL};
  CORE_TRY(pde_ac_mol_create(&sweep.m, eps, rate, intervals, PDE_AC_MOL_RTOL, PDE_AC_MOL_ATOL));
  pde_time_sweep_solver solver = {&sweep, mol_advance, mol_interpolate};
  core_status st = pde_time_sweep(&solver, "Allen-Cahn reference", n, xt, u);
  pde_ac_mol_destroy(sweep.m);
  return st;
}
