/* Adam (Kingma & Ba 2015) with exponential learning-rate decay lr_t = lr * rate^(t / decay_steps). */
#ifndef PINNSOLVE_NN_ADAM_H
#define PINNSOLVE_NN_ADAM_H

#include <stddef.h>

#include "core/status.h"

typedef struct nn_adam_options {
  double learning_rate; /* > 0 */
  double beta1, beta2, epsilon;
  double decay_rate;    /* 1 = no decay */
  long decay_steps;     /* > 0 */
} nn_adam_options;

/* learning_rate 1e-3, betas 0.9/0.999, epsilon 1e-8, no decay. */
nn_adam_options nn_adam_default_options(void);

typedef struct nn_adam nn_adam;
core_status nn_adam_create(nn_adam **out, size_t n_params, const nn_adam_options *options);
void nn_adam_destroy(nn_adam *adam);
/* Resets moments and step count (warm restarts between rounds keep params, not moments). */
void nn_adam_reset(nn_adam *adam);
/* One update params -= lr_t * m_hat / (sqrt(v_hat) + eps). Fails on a non-finite gradient. */
core_status nn_adam_step(nn_adam *adam, double *params, const double *grads);
double nn_adam_learning_rate(const nn_adam *adam); /* lr of the next step */

#endif
