/* A line search for the strong Wolfe conditions (Nocedal & Wright, Numerical Optimization,
 * 2nd ed., Algorithms 3.5 and 3.6, with safeguarded cubic interpolation in the zoom phase).
 *
 * Along x + a d it finds a step a with
 *   f(x + a d) <= f(x) + c1 a g'd            (sufficient decrease) and
 *   |g(x + a d)'d| <= c2 |g'd|                (curvature),
 * which keeps y's = (g_new - g)'s > 0, so a BFGS update stays positive definite. */
#ifndef PINNSOLVE_NN_LINE_SEARCH_H
#define PINNSOLVE_NN_LINE_SEARCH_H

#include <stddef.h>

#include "nn/objective.h"

typedef struct nn_line_search_options {
  double c1;            /* sufficient-decrease constant, 0 < c1 < c2 (default 1e-4) */
  double c2;            /* curvature constant, c2 < 1 (default 0.9) */
  double max_step;      /* largest a tried (default 1e10) */
  int max_evaluations;  /* default 30 */
} nn_line_search_options;

nn_line_search_options nn_line_search_default_options(void);

typedef enum nn_line_search_result {
  NN_LINE_SEARCH_WOLFE,     /* both conditions hold */
  NN_LINE_SEARCH_DECREASE,  /* evaluations ran out; the best point only lowers f */
  NN_LINE_SEARCH_FAILED     /* no point lower than f(x) was found */
} nn_line_search_result;

/* Work vectors of length n the search owns between calls (no allocation per iteration). */
typedef struct nn_line_search nn_line_search;
core_status nn_line_search_create(nn_line_search **out, size_t n, const nn_line_search_options *options);
void nn_line_search_destroy(nn_line_search *ls);

/* Searches from x (f, g known: loss and gradient at x) along the descent direction d (g'd < 0)
 * starting with step a0. On WOLFE or DECREASE it writes the accepted point into x_new, its
 * gradient into g_new, its loss into *f_new and the step into *step; on FAILED they are
 * untouched. *evaluations counts objective calls. Objective errors are returned as errors. */
core_status nn_line_search_run(nn_line_search *ls, const double *x, double f, const double *g,
                               const double *d, double a0, nn_objective objective, void *ctx,
                               double *x_new, double *g_new, double *f_new, double *step,
                               int *evaluations, nn_line_search_result *result);

#endif
