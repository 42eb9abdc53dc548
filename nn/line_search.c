#include "nn/line_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct nn_line_search {
  size_t n;
  nn_line_search_options options;
  double *x_trial, *g_trial; /* the point being evaluated */
  double *x_best, *g_best;   /* the lowest point seen, the fallback when evaluations run out */
};

/* One evaluated step: a, phi(a) = f(x + a d), phi'(a) = g(x + a d)'d. */
typedef struct trial {
  double a, f, slope;
} trial;

/* Everything one search needs, so the helpers below take a single argument. */
typedef struct search {
  nn_line_search *ls;
  const double *x, *d;
  double f0, slope0;
  nn_objective objective;
  void *ctx;
  int evaluations;
  double best_f, best_a;
} search;

nn_line_search_options nn_line_search_default_options(void) {
  nn_line_search_options o = {.c1 = 1e-4, .c2 = 0.9, .max_step = 1e10, .max_evaluations = 30};
  return o;
}

core_status nn_line_search_create(nn_line_search **out, size_t n, const nn_line_search_options *options) {
  *out = NULL;
  nn_line_search *ls = calloc(1, sizeof *ls);
  double *block = ls ? malloc(4 * n * sizeof(double)) : NULL;
  if (!block) {
    free(ls);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for a line search over %zu variables", n);
  }
  ls->n = n;
  ls->options = *options;
  ls->x_trial = block;
  ls->g_trial = block + n;
  ls->x_best = block + 2 * n;
  ls->g_best = block + 3 * n;
  *out = ls;
  return CORE_OK;
}

void nn_line_search_destroy(nn_line_search *ls) {
  if (!ls)
    return;
  free(ls->x_trial);
  free(ls);
}

static double dot(size_t n, const double *a, const double *b) {
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

/* phi and phi' at step a; a non-finite loss counts as +inf so the search backs off. */
static core_status evaluate(search *s, double a, trial *t) {
  nn_line_search *ls = s->ls;
  for (size_t i = 0; i < ls->n; i++)
    ls->x_trial[i] = s->x[i] + a * s->d[i];
  double f = NAN;
  s->evaluations++;
  CORE_TRY(s->objective(s->ctx, ls->x_trial, ls->g_trial, &f));
  t->a = a;
  t->f = isfinite(f) ? f : INFINITY;
  t->slope = isfinite(f) ? dot(ls->n, ls->g_trial, s->d) : NAN;
  if (t->f < s->best_f) {
    s->best_f = t->f;
    s->best_a = a;
    memcpy(ls->x_best, ls->x_trial, ls->n * sizeof(double));
    memcpy(ls->g_best, ls->g_trial, ls->n * sizeof(double));
  }
  return CORE_OK;
}

static int sufficient_decrease(const search *s, const trial *t) {
  return t->f <= s->f0 + s->ls->options.c1 * t->a * s->slope0;
}

static int curvature_holds(const search *s, const trial *t) {
  return fabs(t->slope) <= -s->ls->options.c2 * s->slope0;
}

static int evaluations_left(const search *s) { return s->evaluations < s->ls->options.max_evaluations; }

/* Minimiser of the cubic through (a, f, slope) at both ends (Nocedal & Wright eq. 3.59), kept
 * at least 10% of the interval away from either end; bisection when the cubic has none or an
 * end is infinite. */
static double interpolate(const trial *lo, const trial *hi) {
  double width = hi->a - lo->a;
  double mid = lo->a + 0.5 * width;
  if (!isfinite(hi->f) || !isfinite(hi->slope))
    return mid;
  double d1 = lo->slope + hi->slope - 3.0 * (lo->f - hi->f) / (lo->a - hi->a);
  double disc = d1 * d1 - lo->slope * hi->slope;
  if (!(disc >= 0))
    return mid;
  double d2 = copysign(sqrt(disc), width);
  double a = hi->a - width * (hi->slope + d2 - d1) / (hi->slope - lo->slope + 2.0 * d2);
  double margin = 0.1 * fabs(width);
  double left = fmin(lo->a, hi->a) + margin, right = fmax(lo->a, hi->a) - margin;
  return (isfinite(a) && a >= left && a <= right) ? a : mid;
}

/* Algorithm 3.6: lo satisfies sufficient decrease and is the lowest so far; the interval
 * [lo, hi] contains strong Wolfe steps. Returns 1 with *accepted set on success. */
static core_status zoom(search *s, trial lo, trial hi, trial *accepted, int *found) {
  *found = 0;
  while (evaluations_left(s) && fabs(hi.a - lo.a) > 1e-15 * fmax(1.0, fabs(lo.a))) {
    trial t;
    CORE_TRY(evaluate(s, interpolate(&lo, &hi), &t));
    if (!sufficient_decrease(s, &t) || t.f >= lo.f) {
      hi = t;
      continue;
    }
    if (curvature_holds(s, &t)) {
      *accepted = t;
      *found = 1;
      return CORE_OK;
    }
    if (t.slope * (hi.a - lo.a) >= 0)
      hi = lo;
    lo = t;
  }
  return CORE_OK;
}

/* Algorithm 3.5: grow the step until it brackets a strong Wolfe step, then zoom. */
static core_status bracket_and_zoom(search *s, double a0, trial *accepted, int *found) {
  *found = 0;
  trial previous = {.a = 0, .f = s->f0, .slope = s->slope0};
  double a = fmin(a0, s->ls->options.max_step);
  for (int first = 1; evaluations_left(s); first = 0) {
    trial t;
    CORE_TRY(evaluate(s, a, &t));
    if (!sufficient_decrease(s, &t) || (!first && t.f >= previous.f))
      return zoom(s, previous, t, accepted, found);
    if (curvature_holds(s, &t)) {
      *accepted = t;
      *found = 1;
      return CORE_OK;
    }
    if (t.slope >= 0)
      return zoom(s, t, previous, accepted, found);
    if (a >= s->ls->options.max_step)
      return CORE_OK;
    previous = t;
    a = fmin(4.0 * a, s->ls->options.max_step);
  }
  return CORE_OK;
}

core_status nn_line_search_run(nn_line_search *ls, const double *x, double f, const double *g,
                               const double *d, double a0, nn_objective objective, void *ctx,
                               double *x_new, double *g_new, double *f_new, double *step,
                               int *evaluations, nn_line_search_result *result) {
  search s = {.ls = ls, .x = x, .d = d, .f0 = f, .slope0 = dot(ls->n, g, d), .objective = objective,
              .ctx = ctx, .best_f = f, .best_a = 0};
  *result = NN_LINE_SEARCH_FAILED;
  *evaluations = 0;
  if (!(s.slope0 < 0) || !(a0 > 0))
    return CORE_OK;
  trial accepted;
  int found = 0;
  core_status status = bracket_and_zoom(&s, a0, &accepted, &found);
  *evaluations = s.evaluations;
  CORE_TRY(status);
  if (found) {
    /* The accepted step is always the last one evaluated, so the trial buffers hold it. */
    memcpy(x_new, ls->x_trial, ls->n * sizeof(double));
    memcpy(g_new, ls->g_trial, ls->n * sizeof(double));
    *f_new = accepted.f;
    *step = accepted.a;
    *result = NN_LINE_SEARCH_WOLFE;
  } else if (s.best_f < f) {
    memcpy(x_new, ls->x_best, ls->n * sizeof(double));
    memcpy(g_new, ls->g_best, ls->n * sizeof(double));
    *f_new = s.best_f;
    *step = s.best_a;
    *result = NN_LINE_SEARCH_DECREASE;
  }
  return CORE_OK;
}
