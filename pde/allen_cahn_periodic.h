/* Allen-Cahn, variant B (periodic): u_t = eps u_xx - rate (u^3 - u) on x in [-1,1] (input 0),
 * periodic with period 2, t in [0,1] (input 1), u(x,0) = u0(x) = x^2 cos(pi x). Parameters "eps"
 * (default 1e-4), "rate" (default 5) and "tau" (default 0.01, must be > 0; see the ansatz).
 *
 * Streams (nn/mlp.h order): 0 u, 1 u_x, 2 u_t, 3 u_xx.
 *
 * Periodicity is exact in the network: it sees the input features (cos(pi x), sin(pi x), t), not
 * x, so N and all its x-derivatives take the same values at x = -1 and x = 1.
 *
 * Initial condition by a blended hard-constraint ansatz
 *   u = e^{-t/tau} u0(x) + (1 - e^{-t/tau}) N(cos(pi x), sin(pi x), t),
 * i.e. g = e^{-t/tau} u0, l = 1 - e^{-t/tau}: u(x,0) = u0(x) exactly and u(-1,t) = u(1,t) exactly
 * (u0(-1) = u0(1) = -1). u0's periodic extension has a kink at x = +-1 (u0'(1) = -2,
 * u0'(-1) = +2), so u_x is periodic only up to the defect u_x(1,t) - u_x(-1,t) = -4 e^{-t/tau},
 * which decays with t (below 2e-4 from t = 10 tau on); the true solution smooths the kink by
 * diffusion on the much slower scale of eps. tau trades how long u stays pinned to u0 against how
 * steep the blend is (u_t carries (N - u0) e^{-t/tau} / tau).
 *
 * Reference: Fourier pseudo-spectral method of lines, pde/allen_cahn_spectral.h, with
 * PDE_AC_SPECTRAL_DEFAULT_NODES; reference_finer doubles the nodes. */
#ifndef PINNSOLVE_PDE_ALLEN_CAHN_PERIODIC_H
#define PINNSOLVE_PDE_ALLEN_CAHN_PERIODIC_H

#include "pde/problem.h"

/* Number of input features the network sees: cos(pi x), sin(pi x), t. */
#define PDE_AC_PERIODIC_FEATURES 3

extern const pde_problem_type pde_allen_cahn_periodic;

#endif
