#include "pde/reference_error.h"

#include <math.h>
#include <stdlib.h>

core_status pde_reference_error(const pde_problem *p, size_t n, const double *x,
                                const double *u_ref, double *relative_l2, double *max_abs) {
  const pde_problem_type *t = p->type;
  *relative_l2 = *max_abs = 0.0;
  if (!t->reference) {
    *relative_l2 = *max_abs = NAN;
    return CORE_OK;
  }
  if (!t->reference_finer)
    return CORE_OK; /* a closed form */
  double *fine = malloc((n ? n : 1) * sizeof *fine);
  if (!fine)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the reference resolution study");
  core_status st = t->reference_finer(p, n, x, fine);
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
