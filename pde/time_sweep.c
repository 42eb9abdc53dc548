#include "pde/time_sweep.h"

#include <math.h>
#include <stdlib.h>

typedef struct time_index {
  double t;
  size_t i;
} time_index;

/* Ties keep their input order, so the visit order (and the output) does not depend on qsort. */
static int by_time(const void *a, const void *b) {
  const time_index *p = a, *q = b;
  if (p->t != q->t)
    return (p->t > q->t) - (p->t < q->t);
  return (p->i > q->i) - (p->i < q->i);
}

static core_status sweep_sorted(const pde_time_sweep_solver *solver, size_t n,
                                const time_index *order, const double *xt, double *u) {
  for (size_t k = 0; k < n; k++) {
    size_t i = order[k].i;
    if (k == 0 || order[k].t != order[k - 1].t)
      CORE_TRY(solver->advance(solver->state, order[k].t));
    u[i] = solver->interpolate(solver->state, xt[2 * i]);
  }
  return CORE_OK;
}

core_status pde_time_sweep(const pde_time_sweep_solver *solver, const char *what, size_t n,
                           const double *xt, double *u) {
  for (size_t i = 0; i < n; i++)
    if (!(xt[2 * i] >= -1.0 && xt[2 * i] <= 1.0 && xt[2 * i + 1] >= 0.0 &&
          isfinite(xt[2 * i + 1])))
      return CORE_FAIL(CORE_ERR_INVALID, "%s: point %zu (x = %g, t = %g) is outside "
                       "[-1,1] x [0,inf)", what, i, xt[2 * i], xt[2 * i + 1]);
  time_index *order = malloc((n ? n : 1) * sizeof *order);
  if (!order)
    return CORE_FAIL(CORE_ERR_NOMEM, "%s: out of memory for %zu points", what, n);
  for (size_t i = 0; i < n; i++)
    order[i] = (time_index){xt[2 * i + 1], i};
  qsort(order, n, sizeof *order, by_time);
  core_status st = sweep_sorted(solver, n, order, xt, u);
  free(order);
  return st;
}
