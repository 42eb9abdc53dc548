/* Reference solution of Allen-Cahn variant B by the method of lines:
 *   u_t = eps u_xx - rate (u^3 - u),  x in [-1,1] periodic, t >= 0,  u(x,0) = x^2 cos(pi x)
 * (eps = 1e-4, rate = 5 in the published problem).
 *
 * Space: Fourier pseudo-spectral collocation on N equispaced nodes x_j = -1 + 2j/N, j = 0..N-1
 * (N a power of two; x = 1 is the node x = -1 again). u_xx is formed by one real FFT, the
 * multiplication of mode k by -(pi k)^2 (the Nyquist mode k = N/2 included, so the operator is
 * symmetric) and one inverse FFT (GSL radix-2 real / half-complex routines, in place, no
 * workspace). The reaction term is evaluated pointwise at the nodes (collocation; its aliasing is a
 * resolution error that the N vs 2N study measures).
 *
 * Time: SUNDIALS CVODE BDF with Newton iterations. The Newton matrix is I - gamma J with
 * J = eps D2 + diag(-rate (3u^2 - 1)); D2 is dense in x (N^2 entries: 32 MB at N = 2048, and an
 * O(N^3) factorisation per setup), so it is never formed. Instead SPGMR (GMRES) solves the
 * Newton systems with the exact product J v (one FFT pair) and the left preconditioner
 * P = I - gamma eps D2, which is diagonal in Fourier space and applied exactly by one FFT pair:
 * mode k is divided by 1 + gamma eps (pi k)^2. It removes the stiff part exactly (the diffusion
 * eigenvalues reach eps (pi N/2)^2 ~ 1e3 at N = 2048, 4e3 at 4096); the reaction part that
 * remains, gamma |rate (3u^2 - 1)| <= 2 gamma rate, is small at the steps the tight tolerances
 * allow, so GMRES converges at once (measured over t in [0, 1]: ~500-650 steps and as many GMRES
 * iterations for N = 128 .. 8192; 0.2 s at N = 2048, 0.4 s at 4096 in a Release build). No
 * Jacobian is stored, so the memory is O(N). An implicit-explicit split was not chosen because
 * CVODE has no IMEX mode (that would need ARKODE), and treating the reaction explicitly would
 * cap the step by stability instead of accuracy.
 *
 * Initial data. The periodic extension of u0 has a kink at x = +-1 (u0'(+-1) = -+2), so its
 * Fourier coefficients a_k decay only like 4 / (pi k)^2. Sampling u0 at the nodes would alias the
 * modes k >= N/2 into the low modes, an O(N^-2) error that diffusion never removes (measured: N vs
 * 2N differences fall only 4x per doubling, 1.8e-5 max at 2048 vs 4096). The integrator therefore
 * starts from the Fourier series of u0 truncated to |k| < N/2, with its exact coefficients; the
 * modes it leaves out decay like exp(-eps (pi k)^2 t) in the true solution as well, so the error
 * is confined to t below ~ 4 / (eps (pi N)^2) near x = +-1 (measured max |u_N - u_2N|: N = 2048:
 * 3e-5 at t = 1e-3, 2e-7 at t = 0.005, ~1e-10 (the time tolerance) from t = 0.05 on; N = 4096:
 * 3e-7 at t = 1e-3, 1e-10 from t = 0.005 on). At t = 0 itself the reference reports u0 exactly.
 * The interfaces of width sqrt(2 eps / rate) = 0.0063 are resolved from N = 1024 on. */
#ifndef PINNSOLVE_PDE_ALLEN_CAHN_SPECTRAL_H
#define PINNSOLVE_PDE_ALLEN_CAHN_SPECTRAL_H

#include <stddef.h>

#include "core/status.h"

/* 4096 rather than 2048: at t = 1e-3 the kink at x = +-1 still costs 3e-5 at 2048 and 3e-7 at
 * 4096 (see above), and a run takes well under a second either way. */
#define PDE_AC_SPECTRAL_DEFAULT_NODES 4096
#define PDE_AC_SPECTRAL_RTOL 1e-11
#define PDE_AC_SPECTRAL_ATOL 1e-13

typedef struct pde_ac_spectral pde_ac_spectral;

/* eps > 0, rate >= 0, nodes a power of two >= 16, tolerances > 0. The state starts at t = 0 from
 * u0(x) = x^2 cos(pi x) (its truncated Fourier series, see above). */
core_status pde_ac_spectral_create(pde_ac_spectral **out, double eps, double rate, int nodes,
                                   double rtol, double atol);

/* As pde_ac_spectral_create, but the state starts at t = 0 from the trigonometric interpolant of
 * u0: (nodes) values at the nodes x_j = -1 + 2j/nodes, borrowed (copied). For smooth periodic data
 * (tests: the heat equation from cos(k pi x)). */
core_status pde_ac_spectral_create_from(pde_ac_spectral **out, double eps, double rate, int nodes,
                                        double rtol, double atol, const double *u0);

void pde_ac_spectral_destroy(pde_ac_spectral *m); /* NULL is a no-op */

/* Integrates to t (t must not be below the last t asked for; CVODE's interpolated output at t, so
 * the integrator's own steps are not cut by output times), points *grid at the solution on the
 * `nodes` nodes x_j = -1 + 2j/nodes (at t = 0: the initial data at the nodes) and computes its
 * Fourier coefficients for pde_ac_spectral_interpolate. *grid is valid until the next call. */
core_status pde_ac_spectral_advance(pde_ac_spectral *m, double t, const double **grid);

/* The trigonometric interpolant through all nodes of the last advanced state, at any x (period 2):
 * the Fourier series sum_{|k| <= N/2} c_k exp(i pi k (x + 1)) with the Nyquist mode as a cosine,
 * summed directly in O(N) (rotation recurrence, re-seeded with cos/sin every 32 modes). At t = 0
 * with the default initial data it returns x^2 cos(pi x) (periodic image of x) exactly. */
double pde_ac_spectral_interpolate(const pde_ac_spectral *m, double x);

/* Number of nodes, and the CVODE step count and GMRES iteration count so far. */
int pde_ac_spectral_nodes(const pde_ac_spectral *m);
long pde_ac_spectral_steps(const pde_ac_spectral *m);
long pde_ac_spectral_linear_iterations(const pde_ac_spectral *m);

/* The Fourier second derivative used by the solver: uxx = D2 u for a periodic function sampled at
 * n equispaced nodes on [-1, 1) (period 2). u, uxx: (n), borrowed; uxx may equal u. n must be a
 * power of two >= 2. Exact (to rounding) for trigonometric polynomials of degree < n/2. */
core_status pde_ac_spectral_second_derivative(int n, const double *u, double *uxx);

/* u at n points xt: (n, 2) row-major (x, t), borrowed, x in [-1,1], t >= 0 (any order: the
 * points are visited in increasing t). u: (n). */
core_status pde_ac_spectral_eval(double eps, double rate, int nodes, size_t n, const double *xt,
                                 double *u);

#endif
