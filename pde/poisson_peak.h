/* Poisson problems with one sharp peak: -Laplace(u) = f on the box [-1,1]^d with
 *   u(x) = exp(-a |x - c 1|^2)   (a: parameter "sharpness", c: parameter "center", the same in
 *                                 every coordinate),
 * f = -Laplace(u) = (2 a d - 4 a^2 |x - c 1|^2) u and Dirichlet data from u (DAS-PINNs; FI-PINNs).
 *
 *   poisson_peak      d = 2,  a = 1000, c = 0.5: the peak has width 1/sqrt(2a) = 0.022
 *   poisson_peak_10d  d = 10, a = 10,   c = 0:   u = exp(-10 |x|^2) (docs/benchmarks.md says why)
 *
 * Streams (nn/mlp.h order): 0 u, 1..d u_{x_k}, d+1..2d u_{x_k x_k}. The residual needs only the
 * diagonal second partials; the first partials are there because the jet recurrence needs them.
 *
 * Hard-constraint ansatz u = g + l N with l = prod_k (1 - x_k^2) and g the transfinite
 * (Boolean-sum) interpolant of the boundary values. u is a product of 1-D factors
 * phi(s) = exp(-a (s - c)^2); with L phi the straight line through phi(-1) and phi(1),
 *   g = prod_k phi(x_k) - prod_k (phi(x_k) - L phi(x_k)),
 * which equals u on every face (the second product has a zero factor there) and needs no
 * knowledge of u inside the box beyond those boundary values. For the 2-D defaults the boundary
 * values are at most exp(-250) = 2.7e-109 and g rounds to 0; for the 10-D defaults they reach
 * exp(-10) = 4.5e-5 and g matters. */
#ifndef PINNSOLVE_PDE_POISSON_PEAK_H
#define PINNSOLVE_PDE_POISSON_PEAK_H

#include "pde/problem.h"

extern const pde_problem_type pde_poisson_peak;
extern const pde_problem_type pde_poisson_peak_10d;

#endif
