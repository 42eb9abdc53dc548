#include "pde/cole_hopf.h"

#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h> /* M_PI, which strict C17 math.h does not declare */
#include <math.h>
#include <stdlib.h>

struct pde_cole_hopf {
  double nu;
  size_t n;
  double *z;     /* Gauss-Hermite nodes for the weight exp(-z^2), owned */
  double *log_w; /* log of their weights, owned */
};

/* Orthonormal Hermite polynomials for the weight exp(-z^2) (p_k = H_k / sqrt(2^k k! sqrt(pi))):
 *   p_{k+1} = z sqrt(2/(k+1)) p_k - sqrt(k/(k+1)) p_{k-1},  p_0 = pi^(-1/4),
 *   p_n' = sqrt(2n) p_{n-1}.
 * Returns the Newton step p_n / p_n' at z and log |p_{n-1}(z)|. The recurrence is rescaled as it
 * grows (|p_{n-1}| ~ exp(z^2 / 2) reaches 1e160 at the outer nodes of a 200-point rule). */
static double hermite_newton_step(size_t n, double z, double *log_abs_pnm1) {
  double prev = 0.0, cur = pow(M_PI, -0.25), log_scale = 0.0;
  for (size_t k = 0; k + 1 < n; k++) {
    double next = z * sqrt(2.0 / (double)(k + 1)) * cur - sqrt((double)k / (double)(k + 1)) * prev;
    prev = cur;
    cur = next;
    if (fabs(cur) > 1e150) {
      cur *= 1e-150;
      prev *= 1e-150;
      log_scale += 150.0 * M_LN10;
    }
  }
  double pn = z * sqrt(2.0 / (double)n) * cur - sqrt((double)(n - 1) / (double)n) * prev;
  *log_abs_pnm1 = log(fabs(cur)) + log_scale;
  return pn / (sqrt(2.0 * (double)n) * cur);
}

/* GSL's rule (Golub-Welsch) gives nodes to ~1e-13 and the tiny outer weights to ~1e-13 relative,
 * and those weights dominate once f contributes up to exp(100). Two Newton steps on p_n polish
 * each node and the Christoffel formula w = 1 / (n p_{n-1}^2) gives its weight directly in logs
 * (no underflow for large n), which brings the rule to ~1e-16. */
static void polish_rule(size_t n, const double *nodes, double *z, double *log_w) {
  for (size_t i = 0; i < n; i++) {
    double zi = nodes[i], log_p = 0.0;
    for (int it = 0; it < 2; it++)
      zi -= hermite_newton_step(n, zi, &log_p);
    hermite_newton_step(n, zi, &log_p);
    z[i] = zi;
    log_w[i] = -log((double)n) - 2.0 * log_p;
  }
}

core_status pde_cole_hopf_create(pde_cole_hopf **out, double nu, size_t n_nodes) {
  *out = NULL;
  if (!(nu > 0.0) || !isfinite(nu))
    return CORE_FAIL(CORE_ERR_INVALID, "Cole-Hopf: viscosity nu = %g must be positive", nu);
  if (n_nodes < 2)
    return CORE_FAIL(CORE_ERR_INVALID, "Cole-Hopf: %zu quadrature nodes is too few", n_nodes);
  pde_cole_hopf *ch = calloc(1, sizeof *ch);
  if (!ch)
    return CORE_FAIL(CORE_ERR_NOMEM, "Cole-Hopf: out of memory");
  ch->nu = nu;
  ch->n = n_nodes;
  ch->z = malloc(n_nodes * sizeof *ch->z);
  ch->log_w = malloc(n_nodes * sizeof *ch->log_w);
  /* Weight |z - a|^alpha exp(-b (z - a)^2) with a = 0, b = 1, alpha = 0: plain exp(-z^2). */
  gsl_integration_fixed_workspace *w =
      gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, n_nodes, 0.0, 1.0, 0.0, 0.0);
  if (!ch->z || !ch->log_w || !w) {
    gsl_integration_fixed_free(w);
    pde_cole_hopf_destroy(ch);
    return CORE_FAIL(CORE_ERR_SOLVER, "Cole-Hopf: Gauss-Hermite rule with %zu nodes failed",
                     n_nodes);
  }
  const double *nodes = gsl_integration_fixed_nodes(w);
  core_status st = CORE_OK;
  for (size_t i = 0; i < n_nodes && st == CORE_OK; i++)
    if (!isfinite(nodes[i]))
      st = CORE_FAIL(CORE_ERR_SOLVER, "Cole-Hopf: Gauss-Hermite node %zu is not finite", i);
  if (st == CORE_OK)
    polish_rule(n_nodes, nodes, ch->z, ch->log_w);
  gsl_integration_fixed_free(w);
  if (st != CORE_OK) {
    pde_cole_hopf_destroy(ch);
    return st;
  }
  *out = ch;
  return CORE_OK;
}

void pde_cole_hopf_destroy(pde_cole_hopf *ch) {
  if (!ch)
    return;
  free(ch->z);
  free(ch->log_w);
  free(ch);
}

/* Both sums in one pass with a running maximum m of the exponents
 * e_i = log w_i - cos(pi y_i) / (2 pi nu): when a larger exponent arrives the partial sums are
 * rescaled by exp(m_old - m_new), so every term added is exp(e_i - m) <= 1 (online log-sum-exp). */
double pde_cole_hopf_value(const pde_cole_hopf *ch, double x, double t) {
  if (t <= 0.0)
    return -sin(M_PI * x);
  const double scale = sqrt(4.0 * ch->nu * t), inv = 1.0 / (2.0 * M_PI * ch->nu);
  double m = -INFINITY, num = 0.0, den = 0.0;
  for (size_t i = 0; i < ch->n; i++) {
    double y = x - scale * ch->z[i];
    double e = ch->log_w[i] - cos(M_PI * y) * inv;
    if (e > m) {
      double r = exp(m - e); /* 0 on the first term */
      num *= r;
      den *= r;
      m = e;
    }
    double a = exp(e - m);
    num += sin(M_PI * y) * a;
    den += a;
  }
  return -num / den;
}

core_status pde_cole_hopf_eval(const pde_cole_hopf *ch, size_t n, const double *xt, double *u) {
  for (size_t p = 0; p < n; p++) {
    double x = xt[2 * p], t = xt[2 * p + 1];
    if (!isfinite(x) || !isfinite(t) || t < 0.0)
      return CORE_FAIL(CORE_ERR_INVALID, "Cole-Hopf: point %zu (x = %g, t = %g) needs finite x "
                       "and t >= 0", p, x, t);
    u[p] = pde_cole_hopf_value(ch, x, t);
  }
  return CORE_OK;
}
