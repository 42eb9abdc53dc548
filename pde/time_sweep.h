/* Evaluating a time-stepping reference solver at scattered (x, t) points: the points are visited in
 * increasing t (stable order), the solver is advanced once per distinct t and interpolated in x
 * there, so one integration serves any point set. Shared by the Allen-Cahn references. */
#ifndef PINNSOLVE_PDE_TIME_SWEEP_H
#define PINNSOLVE_PDE_TIME_SWEEP_H

#include <stddef.h>

#include "core/status.h"

typedef struct pde_time_sweep_solver {
  void *state;
  core_status (*advance)(void *state, double t); /* to t, never below the last t */
  double (*interpolate)(void *state, double x);  /* at the last advanced t */
} pde_time_sweep_solver;

/* xt: (n, 2) row-major (x, t), borrowed, each x in [-1, 1] and t >= 0 finite (else
 * CORE_ERR_INVALID naming `what` and the point). u: (n). */
core_status pde_time_sweep(const pde_time_sweep_solver *solver, const char *what, size_t n,
                           const double *xt, double *u);

#endif
