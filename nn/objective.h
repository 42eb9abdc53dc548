/* The objective a full-batch optimizer minimises, shared by nn/lbfgs.h and nn/bfgs.h. */
#ifndef PINNSOLVE_NN_OBJECTIVE_H
#define PINNSOLVE_NN_OBJECTIVE_H

#include "core/status.h"

/* Returns the loss at x and writes its gradient; a non-CORE_OK status stops the run. */
typedef core_status (*nn_objective)(void *ctx, const double *x, double *grad, double *loss);
/* Called after every accepted iteration with the accepted point; returning non-zero stops early
 * (not an error). */
typedef int (*nn_iteration_hook)(void *ctx, int iteration, double loss, const double *x);

#endif
