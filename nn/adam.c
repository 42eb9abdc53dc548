#include "nn/adam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct nn_adam {
  nn_adam_options options;
  size_t n;
  long step;
  double *m, *v;
};

nn_adam_options nn_adam_default_options(void) {
  nn_adam_options o = {.learning_rate = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .epsilon = 1e-8,
                       .decay_rate = 1.0, .decay_steps = 1000};
  return o;
}

core_status nn_adam_create(nn_adam **out, size_t n_params, const nn_adam_options *options) {
  *out = NULL;
  if (!(options->learning_rate > 0) || !(options->decay_rate > 0) || options->decay_steps < 1)
    return CORE_FAIL(CORE_ERR_INVALID, "Adam: learning rate, decay rate and decay steps must be positive");
  nn_adam *adam = calloc(1, sizeof *adam);
  if (!adam)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating Adam");
  adam->options = *options;
  adam->n = n_params;
  adam->m = calloc(n_params, sizeof(double));
  adam->v = calloc(n_params, sizeof(double));
  if (!adam->m || !adam->v) {
    nn_adam_destroy(adam);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating Adam for %zu parameters", n_params);
  }
  *out = adam;
  return CORE_OK;
}

void nn_adam_destroy(nn_adam *adam) {
  if (!adam)
    return;
  free(adam->m);
  free(adam->v);
  free(adam);
}

void nn_adam_reset(nn_adam *adam) {
  memset(adam->m, 0, adam->n * sizeof(double));
  memset(adam->v, 0, adam->n * sizeof(double));
  adam->step = 0;
}

double nn_adam_learning_rate(const nn_adam *adam) {
  const nn_adam_options *o = &adam->options;
  return o->learning_rate * pow(o->decay_rate, (double)adam->step / (double)o->decay_steps);
}

core_status nn_adam_step(nn_adam *adam, double *params, const double *grads) {
  for (size_t i = 0; i < adam->n; i++)
    if (!isfinite(grads[i]))
      return CORE_FAIL(CORE_ERR_NUMERIC, "non-finite gradient (parameter %zu) at Adam step %ld", i,
                       adam->step);
  const nn_adam_options *o = &adam->options;
  double lr = nn_adam_learning_rate(adam);
  adam->step++;
  /* Bias corrections folded into the step size (Kingma & Ba 2015, end of §2). */
  double c1 = 1.0 - pow(o->beta1, (double)adam->step);
  double c2 = 1.0 - pow(o->beta2, (double)adam->step);
  double step_size = lr * sqrt(c2) / c1;
  double eps = o->epsilon * sqrt(c2);
  for (size_t i = 0; i < adam->n; i++) {
    adam->m[i] = o->beta1 * adam->m[i] + (1.0 - o->beta1) * grads[i];
    adam->v[i] = o->beta2 * adam->v[i] + (1.0 - o->beta2) * grads[i] * grads[i];
    params[i] -= step_size * adam->m[i] / (sqrt(adam->v[i]) + eps);
  }
  return CORE_OK;
}
