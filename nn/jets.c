/* Forward and reverse passes of the MLP with Taylor-mode input derivatives ("jets").
 *
 * Every layer's streams are stacked as row blocks of one (streams * n, width) row-major matrix,
 * so each dense layer is one cblas_dgemm for all streams. Through an activation h = σ(z):
 *   h_0  = σ(z_0)
 *   h_i  = σ'(z_0) z_i
 *   h_ab = σ''(z_0) z_a z_b + σ'(z_0) z_ab
 * The reverse pass walks the same layers backwards (DESIGN.md §3 gives the adjoint recurrences). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/activation.h"
#include "nn/mlp.h"

struct nn_jet_workspace {
  nn_jet_spec spec;
  int streams;
  size_t max_points;
  size_t n;                        /* points of the last forward */
  const double *x;                 /* input of the last forward (borrowed) */
  double *z[NN_MAX_LAYERS];        /* pre-activations of dense layer l: (streams*n, widths[l+1]) */
  double *h[NN_MAX_LAYERS];        /* inputs of dense layer l >= 1: (streams*n, widths[l]) */
  double *adjoint[2];              /* ping-pong adjoint buffers, (streams*n, max width) */
  int second_a[NN_MAX_SECOND];     /* stream index of the first partial for each pair's a */
  int second_b[NN_MAX_SECOND];
  double *row_scratch;             /* 3 * max width: derivatives of σ on one row */
};

static int max_width(const nn_mlp *mlp) {
  int w = 0;
  for (int l = 0; l <= mlp->n_layers; l++)
    if (mlp->widths[l] > w)
      w = mlp->widths[l];
  return w;
}

core_status nn_jet_workspace_create(nn_jet_workspace **out, const nn_mlp *mlp,
                                    const nn_jet_spec *spec, size_t max_points) {
  *out = NULL;
  CORE_TRY(nn_jet_spec_validate(spec, mlp->widths[0]));
  nn_jet_workspace *ws = calloc(1, sizeof *ws);
  if (!ws)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating network workspace");
  ws->spec = *spec;
  ws->streams = nn_jet_spec_streams(spec);
  ws->max_points = max_points;
  for (int k = 0; k < spec->n_second; k++) {
    ws->second_a[k] = nn_jet_spec_first_stream(spec, spec->second[k][0]);
    ws->second_b[k] = nn_jet_spec_first_stream(spec, spec->second[k][1]);
  }
  size_t rows = (size_t)ws->streams * (max_points ? max_points : 1);
  int ok = 1;
  for (int l = 0; l < mlp->n_layers; l++) {
    ws->z[l] = malloc(rows * (size_t)mlp->widths[l + 1] * sizeof(double));
    ok = ok && ws->z[l];
    if (l > 0) {
      ws->h[l] = malloc(rows * (size_t)mlp->widths[l] * sizeof(double));
      ok = ok && ws->h[l];
    }
  }
  ws->row_scratch = malloc(3 * (size_t)max_width(mlp) * sizeof(double));
  ok = ok && ws->row_scratch;
  for (int k = 0; k < 2; k++) {
    ws->adjoint[k] = malloc(rows * (size_t)max_width(mlp) * sizeof(double));
    ok = ok && ws->adjoint[k];
  }
  if (!ok) {
    nn_jet_workspace_destroy(ws);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for network workspace (%zu points, %d streams)",
                     max_points, ws->streams);
  }
  *out = ws;
  return CORE_OK;
}

void nn_jet_workspace_destroy(nn_jet_workspace *ws) {
  if (!ws)
    return;
  for (int l = 0; l < NN_MAX_LAYERS; l++) {
    free(ws->z[l]);
    free(ws->h[l]);
  }
  free(ws->row_scratch);
  free(ws->adjoint[0]);
  free(ws->adjoint[1]);
  free(ws);
}

const nn_jet_spec *nn_jet_workspace_spec(const nn_jet_workspace *ws) { return &ws->spec; }

/* Input layer: the value stream is x W^T + b; d/dx_i of the input is the unit vector e_i, so
 * first-partial streams are column i of W for every point, and second partials are zero. */
static void input_layer_forward(const nn_mlp *mlp, nn_jet_workspace *ws, const double *x) {
  size_t n = ws->n;
  int in = mlp->widths[0], w = mlp->widths[1];
  const double *W = mlp->params + mlp->weight_offset[0];
  const double *b = mlp->params + mlp->bias_offset[0];
  double *z = ws->z[0];
  for (size_t p = 0; p < n; p++)
    memcpy(z + p * (size_t)w, b, (size_t)w * sizeof(double));
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, w, in, 1.0, x, in, W, in, 1.0, z, w);
  for (int k = 0; k < ws->spec.n_first; k++) {
    double *zk = z + (size_t)(1 + k) * n * (size_t)w;
    int i = ws->spec.first[k];
    for (int j = 0; j < w; j++)
      zk[j] = W[(size_t)j * (size_t)in + (size_t)i];
    for (size_t p = 1; p < n; p++)
      memcpy(zk + p * (size_t)w, zk, (size_t)w * sizeof(double));
  }
  size_t second_rows = (size_t)ws->spec.n_second * n;
  memset(z + (size_t)(1 + ws->spec.n_first) * n * (size_t)w, 0, second_rows * (size_t)w * sizeof(double));
}

/* h = σ(z) with the jet recurrences, one point (row) at a time so the rows stay in cache. */
static void activation_forward(nn_activation act, nn_jet_workspace *ws, int w, const double *z, double *h) {
  size_t n = ws->n, stride = n * (size_t)w;
  const nn_jet_spec *spec = &ws->spec;
  double *d1 = ws->row_scratch, *d2 = d1 + w;
  for (size_t p = 0; p < n; p++) {
    size_t row = p * (size_t)w;
    nn_activation_row(act, w, z + row, h + row);
    if (ws->streams == 1)
      continue;
    nn_activation_row_derivatives(act, w, z + row, h + row, d1, d2, NULL);
    for (int k = 0; k < spec->n_first; k++) {
      const double *zk = z + (size_t)(1 + k) * stride + row;
      double *hk = h + (size_t)(1 + k) * stride + row;
      for (int j = 0; j < w; j++)
        hk[j] = d1[j] * zk[j];
    }
    for (int k = 0; k < spec->n_second; k++) {
      const double *zs = z + (size_t)(1 + spec->n_first + k) * stride + row;
      const double *za = z + (size_t)ws->second_a[k] * stride + row;
      const double *zb = z + (size_t)ws->second_b[k] * stride + row;
      double *hs = h + (size_t)(1 + spec->n_first + k) * stride + row;
      for (int j = 0; j < w; j++)
        hs[j] = d2[j] * za[j] * zb[j] + d1[j] * zs[j];
    }
  }
}

/* z = h W^T for every stream, plus the bias on the value stream only. */
static void dense_forward(const nn_mlp *mlp, int l, const nn_jet_workspace *ws, const double *h, double *z) {
  size_t n = ws->n, rows = (size_t)ws->streams * n;
  int in = mlp->widths[l], w = mlp->widths[l + 1];
  const double *W = mlp->params + mlp->weight_offset[l];
  const double *b = mlp->params + mlp->bias_offset[l];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, w, in, 1.0, h, in, W, in, 0.0, z, w);
  for (size_t p = 0; p < n; p++)
    for (int j = 0; j < w; j++)
      z[p * (size_t)w + j] += b[j];
}

core_status nn_mlp_forward(const nn_mlp *mlp, nn_jet_workspace *ws, const double *x, size_t n,
                           const double **out) {
  if (n > ws->max_points)
    return CORE_FAIL(CORE_ERR_INVALID, "network forward on %zu points, workspace holds %zu", n,
                     ws->max_points);
  ws->n = n;
  ws->x = x;
  input_layer_forward(mlp, ws, x);
  for (int l = 1; l < mlp->n_layers; l++) {
    activation_forward(mlp->activation, ws, mlp->widths[l], ws->z[l - 1], ws->h[l]);
    dense_forward(mlp, l, ws, ws->h[l], ws->z[l]);
  }
  *out = ws->z[mlp->n_layers - 1];
  return CORE_OK;
}

/* Adjoint of the activation: from dL/dh (all streams) to dL/dz, using z and h of the forward. */
static void activation_backward(nn_activation act, nn_jet_workspace *ws, int w, const double *z,
                                const double *h, const double *h_bar, double *z_bar) {
  size_t n = ws->n, stride = n * (size_t)w;
  const nn_jet_spec *spec = &ws->spec;
  int n_first = spec->n_first;
  double *d1 = ws->row_scratch, *d2 = d1 + w, *d3 = d2 + w;
  for (size_t p = 0; p < n; p++) {
    size_t row = p * (size_t)w;
    nn_activation_row_derivatives(act, w, z + row, h + row, d1, d2, spec->n_second ? d3 : NULL);
    double *zbar0 = z_bar + row;
    for (int j = 0; j < w; j++)
      zbar0[j] = d1[j] * h_bar[row + j];
    for (int k = 0; k < n_first; k++) {
      size_t at = (size_t)(1 + k) * stride + row;
      for (int j = 0; j < w; j++) {
        z_bar[at + j] = d1[j] * h_bar[at + j];
        zbar0[j] += d2[j] * z[at + j] * h_bar[at + j];
      }
    }
    for (int k = 0; k < spec->n_second; k++) {
      size_t at = (size_t)(1 + n_first + k) * stride + row;
      const double *za = z + (size_t)ws->second_a[k] * stride + row;
      const double *zb = z + (size_t)ws->second_b[k] * stride + row;
      double *za_bar = z_bar + (size_t)ws->second_a[k] * stride + row;
      double *zb_bar = z_bar + (size_t)ws->second_b[k] * stride + row;
      for (int j = 0; j < w; j++) {
        double g = h_bar[at + j];
        z_bar[at + j] = d1[j] * g;
        za_bar[j] += d2[j] * zb[j] * g;
        zb_bar[j] += d2[j] * za[j] * g;
        zbar0[j] += (d3[j] * za[j] * zb[j] + d2[j] * z[at + j]) * g;
      }
    }
  }
}

/* dW += z_bar^T h over all streams, db += value-stream rows of z_bar. */
static void dense_backward_params(nn_mlp *mlp, int l, const nn_jet_workspace *ws, const double *h,
                                  const double *z_bar) {
  size_t n = ws->n, rows = (size_t)ws->streams * n;
  int in = mlp->widths[l], w = mlp->widths[l + 1];
  double *dW = mlp->grads + mlp->weight_offset[l];
  double *db = mlp->grads + mlp->bias_offset[l];
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, w, in, (int)rows, 1.0, z_bar, w, h, in, 1.0, dW, in);
  for (size_t p = 0; p < n; p++)
    for (int j = 0; j < w; j++)
      db[j] += z_bar[p * (size_t)w + j];
}

/* Input layer: the value stream saw x, first-partial stream k saw the constant e_{first[k]},
 * second partials saw zeros. */
static void input_layer_backward(nn_mlp *mlp, const nn_jet_workspace *ws, const double *z_bar,
                                 double *x_adjoint) {
  size_t n = ws->n;
  int in = mlp->widths[0], w = mlp->widths[1];
  double *dW = mlp->grads + mlp->weight_offset[0];
  double *db = mlp->grads + mlp->bias_offset[0];
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, w, in, (int)n, 1.0, z_bar, w, ws->x, in, 1.0, dW, in);
  for (size_t p = 0; p < n; p++)
    for (int j = 0; j < w; j++)
      db[j] += z_bar[p * (size_t)w + j];
  for (int k = 0; k < ws->spec.n_first; k++) {
    const double *zk = z_bar + (size_t)(1 + k) * n * (size_t)w;
    int i = ws->spec.first[k];
    for (size_t p = 0; p < n; p++)
      for (int j = 0; j < w; j++)
        dW[(size_t)j * (size_t)in + (size_t)i] += zk[p * (size_t)w + j];
  }
  if (x_adjoint) {
    const double *W = mlp->params + mlp->weight_offset[0];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, in, w, 1.0, z_bar, w, W, in, 0.0,
                x_adjoint, in);
  }
}

core_status nn_mlp_backward(nn_mlp *mlp, nn_jet_workspace *ws, const double *out_adjoint,
                            double *x_adjoint) {
  size_t rows = (size_t)ws->streams * ws->n;
  /* h_bar and z_bar buffers never alias: the GEMM reads z_bar into h_bar, then the activation
   * adjoint reads h_bar into the z_bar buffer, which the previous z_bar no longer needs. */
  const double *z_bar = out_adjoint;
  double *h_bar = ws->adjoint[0], *z_bar_buffer = ws->adjoint[1];
  for (int l = mlp->n_layers - 1; l >= 1; l--) {
    int in = mlp->widths[l], w = mlp->widths[l + 1];
    dense_backward_params(mlp, l, ws, ws->h[l], z_bar);
    const double *W = mlp->params + mlp->weight_offset[l];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, in, w, 1.0, z_bar, w, W, in, 0.0,
                h_bar, in);
    activation_backward(mlp->activation, ws, in, ws->z[l - 1], ws->h[l], h_bar, z_bar_buffer);
    z_bar = z_bar_buffer;
  }
  input_layer_backward(mlp, ws, z_bar, x_adjoint);
  return CORE_OK;
}
