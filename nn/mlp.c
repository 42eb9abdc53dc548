/* MLP parameters: creation, layout and initialisation. The jet passes live in nn/jets.c. */
#include "nn/mlp.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

core_status nn_mlp_create(nn_mlp **out, int n_widths, const int *widths, nn_activation act) {
  *out = NULL;
  if (n_widths < 2 || n_widths - 1 > NN_MAX_LAYERS)
    return CORE_FAIL(CORE_ERR_INVALID, "network needs 0..%d hidden layers, got %d", NN_MAX_LAYERS - 1,
                     n_widths - 2);
  for (int l = 0; l < n_widths; l++)
    if (widths[l] < 1)
      return CORE_FAIL(CORE_ERR_INVALID, "network layer %d has width %d", l, widths[l]);
  nn_mlp *mlp = calloc(1, sizeof *mlp);
  if (!mlp)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating network");
  mlp->n_layers = n_widths - 1;
  mlp->activation = act;
  memcpy(mlp->widths, widths, (size_t)n_widths * sizeof *widths);
  size_t offset = 0;
  for (int l = 0; l < mlp->n_layers; l++) {
    mlp->weight_offset[l] = offset;
    offset += (size_t)widths[l + 1] * (size_t)widths[l];
    mlp->bias_offset[l] = offset;
    offset += (size_t)widths[l + 1];
  }
  mlp->n_params = offset;
  mlp->params = calloc(offset, sizeof(double));
  mlp->grads = calloc(offset, sizeof(double));
  if (!mlp->params || !mlp->grads) {
    nn_mlp_destroy(mlp);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory allocating %zu network parameters", offset);
  }
  *out = mlp;
  return CORE_OK;
}

void nn_mlp_destroy(nn_mlp *mlp) {
  if (!mlp)
    return;
  free(mlp->params);
  free(mlp->grads);
  free(mlp);
}

/* Glorot & Bengio (2010): U(-a, a) with a = sqrt(6 / (fan_in + fan_out)). */
void nn_mlp_init_glorot(nn_mlp *mlp, gsl_rng *rng) {
  for (int l = 0; l < mlp->n_layers; l++) {
    int fan_in = mlp->widths[l], fan_out = mlp->widths[l + 1];
    double a = sqrt(6.0 / (fan_in + fan_out));
    double *w = mlp->params + mlp->weight_offset[l];
    for (size_t i = 0; i < (size_t)fan_in * (size_t)fan_out; i++)
      w[i] = gsl_ran_flat(rng, -a, a);
    memset(mlp->params + mlp->bias_offset[l], 0, (size_t)fan_out * sizeof(double));
  }
}

void nn_mlp_zero_output_layer(nn_mlp *mlp) {
  int l = mlp->n_layers - 1;
  size_t count = (size_t)mlp->widths[l + 1] * ((size_t)mlp->widths[l] + 1);
  memset(mlp->params + mlp->weight_offset[l], 0, count * sizeof(double));
}

void nn_mlp_zero_grads(nn_mlp *mlp) { memset(mlp->grads, 0, mlp->n_params * sizeof(double)); }
