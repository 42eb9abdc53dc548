/* Allen-Cahn, variant A (Wu et al. 2023): u_t = eps u_xx - rate (u^3 - u) on x in [-1,1]
 * (input 0), t in [0,1] (input 1), u(x,0) = x^2 cos(pi x), u(+-1,t) = -1. Parameters "eps"
 * (default 0.001) and "rate" (default 5).
 *
 * Streams (nn/mlp.h order): 0 u, 1 u_x, 2 u_t, 3 u_xx.
 * Hard-constraint ansatz: u = x^2 cos(pi x) + t (1 - x^2) N(x,t); g takes the wall value
 * cos(pi) = -1 at x = +-1, l vanishes at t = 0 and x = +-1.
 * Reference: method of lines, pde/allen_cahn_mol.h, with PDE_AC_MOL_DEFAULT_INTERVALS. */
#ifndef PINNSOLVE_PDE_ALLEN_CAHN_H
#define PINNSOLVE_PDE_ALLEN_CAHN_H

#include "pde/problem.h"

extern const pde_problem_type pde_allen_cahn;

/* The residual both variants share (the periodic one, pde/allen_cahn_periodic.h, has the same
 * streams and its eps and rate in parameter slots 0 and 1). */
void pde_allen_cahn_residual(const pde_problem *p, size_t n, const double *x, const double *u_jets,
                             double *r, double *dr_du);

#endif
