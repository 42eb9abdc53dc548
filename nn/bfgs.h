/* Full-batch BFGS with a dense inverse-Hessian approximation and optional self-scaling.
 *
 * For the small networks a PINN uses (a few thousand parameters) the dense n x n matrix is
 * affordable, and unlike L-BFGS it keeps all curvature information: Kiyani et al. (2025) and
 * Urban, Stefanou & Pons (2025) report PINN losses orders of magnitude lower with (self-scaled)
 * BFGS than with L-BFGS at the same iteration count. The approximation persists across calls,
 * so training that continues on a new point set keeps what it learnt about the loss surface.
 *
 * Update (Nocedal & Wright eq. 6.17), with s = x+ - x, y = g+ - g, rho = 1 / y's and a scale
 * gamma applied to H first:
 *   H+ = gamma (I - rho s y') H (I - rho y s') + rho s s'.
 * gamma = y's / y'Hy on the first update (N&W eq. 6.20); afterwards
 *   1                    plain BFGS;
 *   y's / y'Hy           Oren & Luenberger's self-scaling, every step;
 *   max(1, b), b = s'Bs / y's = -a s'g / y's (B = H^-1, a the step length): Al-Baali's
 *                        self-scaling, which only enlarges H, when the model overestimates
 *                        curvature along the step (Urban, Stefanou & Pons 2025, eq. 11). */
#ifndef PINNSOLVE_NN_BFGS_H
#define PINNSOLVE_NN_BFGS_H

#include <stddef.h>

#include "nn/line_search.h"
#include "nn/objective.h"

/* The dense matrix takes 8 n^2 bytes; beyond this many variables use L-BFGS. */
#define NN_BFGS_MAX_VARIABLES 20000

typedef enum nn_bfgs_scaling {
  NN_BFGS_SCALING_NONE,
  NN_BFGS_SCALING_OREN_LUENBERGER,
  NN_BFGS_SCALING_AL_BAALI
} nn_bfgs_scaling;

typedef struct nn_bfgs_options {
  nn_bfgs_scaling scaling;            /* default NN_BFGS_SCALING_NONE */
  double gtol;                        /* stop when ||g||_2 <= gtol (default 0: never) */
  nn_line_search_options line_search; /* strong Wolfe, c1 1e-4, c2 0.9 */
} nn_bfgs_options;

nn_bfgs_options nn_bfgs_default_options(void);

typedef struct nn_bfgs_report {
  int iterations;     /* accepted iterations */
  int evaluations;    /* objective calls */
  int resets;         /* times H went back to the identity (non-descent direction, failed search) */
  double final_loss;
  const char *stop_reason;
} nn_bfgs_report;

typedef struct nn_bfgs nn_bfgs;

core_status nn_bfgs_create(nn_bfgs **out, size_t n, const nn_bfgs_options *options);
void nn_bfgs_destroy(nn_bfgs *b); /* NULL is a no-op */
/* Forgets the curvature: H = I, rescaled at the next update. */
void nn_bfgs_reset(nn_bfgs *b);
/* The current inverse-Hessian approximation's entry (i, j), for tests. */
double nn_bfgs_inverse_hessian(const nn_bfgs *b, size_t i, size_t j);

/* Up to max_iterations iterations from x (n), in place; H carries over from earlier calls.
 * Ends early on ||g|| <= gtol, on a line search that cannot lower the loss even from the
 * identity, or when hook returns non-zero. Only objective errors are returned as errors. */
core_status nn_bfgs_minimize(nn_bfgs *b, double *x, int max_iterations, nn_objective objective,
                             nn_iteration_hook hook, void *ctx, nn_bfgs_report *report);

#endif
