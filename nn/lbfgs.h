/* Full-batch L-BFGS on a flat parameter vector, via liblbfgs (More–Thuente line search). */
#ifndef PINNSOLVE_NN_LBFGS_H
#define PINNSOLVE_NN_LBFGS_H

#include <stddef.h>

#include "core/status.h"
#include "nn/objective.h"

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
core_status nn_lbfgs_minimize(size_t n, double *x, nn_objective objective, nn_iteration_hook progress,
                              void *ctx, const nn_lbfgs_options *options, nn_lbfgs_report *report);

#endif
