/* Exact solution of viscous Burgers u_t + u u_x = nu u_xx on x in [-1,1] with u(x,0) = -sin(pi x)
 * and u(+-1,t) = 0, by the Cole-Hopf transform (Basdevant et al. 1986; Raissi et al. 2019):
 *
 *   u(x,t) = - int sin(pi(x-eta)) f(x-eta) G(eta) deta / int f(x-eta) G(eta) deta,
 *   f(y) = exp(-cos(pi y) / (2 pi nu)),  G(eta) = exp(-eta^2 / (4 nu t)).
 *
 * With eta = sqrt(4 nu t) z both integrals carry the weight exp(-z^2) and are done by Gauss-Hermite
 * quadrature (GSL's nodes polished by Newton steps, Christoffel weights kept as logarithms). The
 * exponent -cos/(2 pi nu) spans +-50 for nu = 0.01/pi, so every sum is scaled by its largest term
 * (log-sum-exp); the ratio is then free of overflow. */
#ifndef PINNSOLVE_PDE_COLE_HOPF_H
#define PINNSOLVE_PDE_COLE_HOPF_H

#include <stddef.h>

#include "core/status.h"

/* Default rule size: 200 nodes match a 16,000-point trapezoid rule to ~1e-15 at nu = 0.01/pi. */
#define PDE_COLE_HOPF_DEFAULT_NODES 200

typedef struct pde_cole_hopf pde_cole_hopf;

/* nu > 0, n_nodes >= 2. Nodes and log-weights are computed once here. */
core_status pde_cole_hopf_create(pde_cole_hopf **out, double nu, size_t n_nodes);
void pde_cole_hopf_destroy(pde_cole_hopf *ch); /* NULL is a no-op */

/* u(x, t) for one point; t = 0 gives -sin(pi x) exactly. Requires t >= 0 and finite x, t
 * (pde_cole_hopf_eval checks that; this one does not). */
double pde_cole_hopf_value(const pde_cole_hopf *ch, double x, double t);

/* Batch evaluation. xt: (n, 2) row-major (x, t), borrowed; u: (n). The object is only read, so
 * one instance may serve several threads. CORE_ERR_INVALID on a negative or non-finite input. */
core_status pde_cole_hopf_eval(const pde_cole_hopf *ch, size_t n, const double *xt, double *u);

#endif
