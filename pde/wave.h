/* Wave equation u_tt = c^2 u_xx on x in [0,1] (input 0), t in [0,1] (input 1), c = 2 (parameter
 * "c"), with u(x,0) = sin(pi x) + 1/2 sin(4 pi x), u_t(x,0) = 0, u(0,t) = u(1,t) = 0 (Wu et al.
 * 2023). Exact solution (d'Alembert, standing waves):
 *   u = sin(pi x) cos(c pi t) + 1/2 sin(4 pi x) cos(4 c pi t)
 * (for c = 2: sin(pi x) cos(2 pi t) + 1/2 sin(4 pi x) cos(8 pi t)).
 *
 * Streams (nn/mlp.h order): 0 u, 1 u_x, 2 u_t, 3 u_xx, 4 u_tt.
 * Hard-constraint ansatz u = g(x) + x (1 - x) t^2 N(x,t), g = sin(pi x) + 1/2 sin(4 pi x):
 * at t = 0, u = g (initial value) and u_t = g_t + 2 t x(1-x) N + x(1-x) t^2 N_t = 0 (initial
 * velocity); at x = 0 and 1, g = 0 and l = 0. All four conditions hold for every network N. */
#ifndef PINNSOLVE_PDE_WAVE_H
#define PINNSOLVE_PDE_WAVE_H

#include "pde/problem.h"

extern const pde_problem_type pde_wave;

/* The exact solution at (x, t) for wave speed c. */
double pde_wave_exact(double c, double x, double t);

#endif
