/* Reference solution of Allen-Cahn variant A by the method of lines:
 *   u_t = eps u_xx - rate (u^3 - u),  x in [-1,1], t >= 0,  u(x,0) = x^2 cos(pi x),  u(+-1,t) = -1.
 *
 * Space: `intervals` equal intervals (h = 2 / intervals); u_xx by sixth-order finite differences,
 * centred 7-point stencils inside and one-sided 8-point stencils at the two nodes next to each wall
 * (Fornberg 1988 weights), with the Dirichlet values in the wall nodes. Time: SUNDIALS CVODE BDF
 * with Newton iterations on a banded (bandwidth 6) difference-quotient Jacobian.
 *
 * The interfaces have the width sqrt(2 eps / rate) = 0.02 of the tanh profile, so 2048 intervals
 * put ~20 nodes across one; docs/benchmarks.md reports the resolution study. */
#ifndef PINNSOLVE_PDE_ALLEN_CAHN_MOL_H
#define PINNSOLVE_PDE_ALLEN_CAHN_MOL_H

#include <stddef.h>

#include "core/status.h"

#define PDE_AC_MOL_DEFAULT_INTERVALS 2048
#define PDE_AC_MOL_RTOL 1e-11
#define PDE_AC_MOL_ATOL 1e-13

typedef struct pde_ac_mol pde_ac_mol;

/* eps > 0, rate >= 0, intervals >= 16, tolerances > 0. The state starts at t = 0. */
core_status pde_ac_mol_create(pde_ac_mol **out, double eps, double rate, int intervals,
                              double rtol, double atol);
void pde_ac_mol_destroy(pde_ac_mol *m); /* NULL is a no-op */

/* Integrates to t (t must not be below the last t asked for; CVODE's interpolated output at t, so
 * the integrator's own steps are not cut by output times) and points *grid at the solution on all
 * intervals + 1 nodes x_j = -1 + j h, walls included. *grid is valid until the next call. */
core_status pde_ac_mol_advance(pde_ac_mol *m, double t, const double **grid);

/* Degree-7 Lagrange interpolation of a grid solution at x in [-1, 1] (8 nearest nodes). */
double pde_ac_mol_interpolate(const pde_ac_mol *m, const double *grid, double x);

/* Grid spacing and the CVODE step count so far. */
double pde_ac_mol_spacing(const pde_ac_mol *m);
long pde_ac_mol_steps(const pde_ac_mol *m);

/* u at n points xt: (n, 2) row-major (x, t), borrowed, x in [-1,1], t >= 0 (any order: the
 * points are visited in increasing t). u: (n). */
core_status pde_ac_mol_eval(double eps, double rate, int intervals, size_t n, const double *xt,
                            double *u);

#endif
