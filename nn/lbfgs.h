/* Full-batch L-BFGS on a flat parameter vector, via liblbfgs (More–Thuente line search). */
#ifndef PINNSOLVE_NN_LBFGS_H
#define PINNSOLVE_NN_LBFGS_H

#include <stddef.h>

#include "core/status.h"

/* Returns the loss at x and writes its gradient; a non-CORE_OK status stops the run. */
typedef core_status (*nn_objective)(void *ctx, const double *x, double *grad, double *loss);
/* Called after every accepted iteration; returning non-zero stops early (not an error). */
typedef int (*nn_lbfgs_progress)(void *ctx, int iteration, double loss, const double *x);

typedef struct nn_lbfgs_options {
  int max_iterations;  /* > 0 */
  int history;         /* m, the number of correction pairs (default 50) */
  double gtol;         /* relative gradient tolerance ||g|| / max(1, ||x||) (default 1e-12) */
  int max_linesearch;  /* default 40 */
} nn_lbfgs_options;

nn_lbfgs_options nn_lbfgs_default_options(void);

typedef struct nn_lbfgs_report {
  int iterations;      /* accepted iterations */
  int evaluations;     /* objective calls */
  double final_loss;
  const char *stop_reason;
} nn_lbfgs_report;

/* Minimises in place. A line search that cannot progress ends the phase normally (x keeps
 * the best point); only objective errors and allocation failures are returned as errors. */
core_status nn_lbfgs_minimize(size_t n, double *x, nn_objective objective, nn_lbfgs_progress progress,
                              void *ctx, const nn_lbfgs_options *options, nn_lbfgs_report *report);

#endif
