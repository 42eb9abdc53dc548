#include "pde/reference_error.h"

#include <math.h>
#include <stdlib.h>

#include "pde/allen_cahn.h"
#include "pde/allen_cahn_mol.h"
#include "pde/burgers.h"
#include "pde/cole_hopf.h"
#include "pde/poisson_peak.h"
#include "pde/wave.h"

static core_status finer_reference(const pde_problem *p, size_t n, const double *x, double *u) {
  if (p->type == &pde_allen_cahn)
    return pde_ac_mol_eval(p->params[0], p->params[1], 2 * PDE_AC_MOL_DEFAULT_INTERVALS, n, x, u);
  pde_cole_hopf *ch = NULL;
  CORE_TRY(pde_cole_hopf_create(&ch, p->params[0], 3 * PDE_COLE_HOPF_DEFAULT_NODES / 2));
  core_status st = pde_cole_hopf_eval(ch, n, x, u);
  pde_cole_hopf_destroy(ch);
  return st;
}

core_status pde_reference_error(const pde_problem *p, size_t n, const double *x,
                                const double *u_ref, double *relative_l2, double *max_abs) {
  const pde_problem_type *t = p->type;
  *relative_l2 = *max_abs = 0.0;
  if (t == &pde_wave || t == &pde_poisson_peak || t == &pde_poisson_peak_10d)
    return CORE_OK; /* closed forms */
  if (t != &pde_allen_cahn && t != &pde_burgers) {
    *relative_l2 = *max_abs = NAN;
    return CORE_OK;
  }
  double *fine = malloc((n ? n : 1) * sizeof *fine);
  if (!fine)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the reference resolution study");
  core_status st = finer_reference(p, n, x, fine);
  if (st == CORE_OK) {
    double diff = 0.0, norm = 0.0, worst = 0.0;
    for (size_t i = 0; i < n; i++) {
      double d = u_ref[i] - fine[i];
      diff += d * d;
      norm += fine[i] * fine[i];
      worst = fmax(worst, fabs(d));
    }
    *relative_l2 = norm > 0.0 ? sqrt(diff / norm) : sqrt(diff);
    *max_abs = worst;
  }
  free(fine);
  return st;
}
