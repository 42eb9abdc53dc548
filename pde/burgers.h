/* Viscous Burgers: u_t + u u_x = nu u_xx on x in [-1,1] (input 0), t in [0,1] (input 1),
 * u(x,0) = -sin(pi x), u(+-1,t) = 0 (Raissi et al. 2019). Parameter "nu", default 0.01/pi.
 *
 * Streams (nn/mlp.h order): 0 u, 1 u_x, 2 u_t, 3 u_xx.
 * Hard-constraint ansatz (Wu et al. 2023): u = -sin(pi x) + (1 - x^2) t N(x,t), so the initial and
 * boundary conditions hold for every network N.
 * Reference: the Cole-Hopf solution (pde/cole_hopf.h). */
#ifndef PINNSOLVE_PDE_BURGERS_H
#define PINNSOLVE_PDE_BURGERS_H

#include "pde/problem.h"

extern const pde_problem_type pde_burgers;

#endif
