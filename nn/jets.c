/* Forward and reverse passes of the MLP with Taylor-mode input derivatives ("jets").
 *
 * Inside, a layer's activations are feature-major: a (width, streams * n) row-major matrix whose
 * row j holds feature j for every stream and point (stream s occupies columns s*n .. s*n+n-1).
 * Each dense layer is then one cblas_dgemm Z = W H for all streams, a shape OpenBLAS runs
 * 1.1-1.4x faster than the point-major transpose at our widths (measured), and every
 * elementwise loop runs over long contiguous rows. Through an activation h = σ(z):
 *   h_0  = σ(z_0)
 *   h_i  = σ'(z_0) z_i
 *   h_ab = σ''(z_0) z_a z_b + σ'(z_0) z_ab
 * The reverse pass walks the same layers backwards (DESIGN.md §3 gives the adjoint recurrences).
 * The input layer either sees x itself (derivative streams: unit vectors and zeros) or, through
 * nn_mlp_forward_jets, the caller's jets of input features phi(x); every layer above is the same.
 * The public layout of outputs and adjoints is (streams, n, out_dim), see nn/mlp.h. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "nn/activation.h"
#include "nn/mlp.h"

struct nn_jet_workspace {
  nn_jet_spec spec;
  int streams;
  size_t max_points;
  size_t n;                     /* points of the last forward */
  size_t cols;                  /* streams * n: the leading dimension of every layer matrix */
  const double *x;              /* input of the last forward (borrowed), (n, in_dim) */
  const double *in_jets;        /* or its input jets (borrowed), (streams, n, in_dim); NULL after
                                   nn_mlp_forward */
  double *z[NN_MAX_LAYERS];     /* pre-activations of dense layer l: (widths[l+1], cols) */
  double *h[NN_MAX_LAYERS];     /* inputs of dense layer l >= 1: (widths[l], cols) */
  double *adjoint[2];           /* (max width, cols) each */
  double *out;                  /* (streams, n, out_dim), when out_dim > 1 */
  int second_a[NN_MAX_SECOND];  /* stream index of the first partial for each pair's a */
  int second_b[NN_MAX_SECOND];
  double *derivs;               /* 3 * max_points: σ', σ'', σ''' along one feature row */
};

static int max_width(const nn_mlp *mlp) {
  int w = 0;
  for (int l = 0; l <= mlp->n_layers; l++)
    if (mlp->widths[l] > w)
      w = mlp->widths[l];
  return w;
}

static core_status workspace_create(nn_jet_workspace **out, const nn_mlp *mlp, const nn_jet_spec *spec,
                                    int spec_inputs, size_t max_points) {
  *out = NULL;
  CORE_TRY(nn_jet_spec_validate(spec, spec_inputs));
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
  size_t points = max_points ? max_points : 1, cols = (size_t)ws->streams * points;
  int ok = 1;
  for (int l = 0; l < mlp->n_layers; l++) {
    ws->z[l] = malloc(cols * (size_t)mlp->widths[l + 1] * sizeof(double));
    ok = ok && ws->z[l];
    if (l > 0) {
      ws->h[l] = malloc(cols * (size_t)mlp->widths[l] * sizeof(double));
      ok = ok && ws->h[l];
    }
  }
  for (int k = 0; k < 2; k++) {
    ws->adjoint[k] = malloc(cols * (size_t)max_width(mlp) * sizeof(double));
    ok = ok && ws->adjoint[k];
  }
  ws->out = malloc(cols * (size_t)mlp->widths[mlp->n_layers] * sizeof(double));
  ws->derivs = malloc(3 * points * sizeof(double));
  if (!ok || !ws->out || !ws->derivs) {
    int streams = ws->streams;
    nn_jet_workspace_destroy(ws);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for network workspace (%zu points, %d streams)",
                     max_points, streams);
  }
  *out = ws;
  return CORE_OK;
}

core_status nn_jet_workspace_create(nn_jet_workspace **out, const nn_mlp *mlp,
                                    const nn_jet_spec *spec, size_t max_points) {
  return workspace_create(out, mlp, spec, mlp->widths[0], max_points);
}

core_status nn_jet_workspace_create_for_input_jets(nn_jet_workspace **out, const nn_mlp *mlp,
                                                   const nn_jet_spec *spec, int spec_inputs,
                                                   size_t max_points) {
  *out = NULL;
  if (spec_inputs < 1 || spec_inputs > NN_MAX_INPUTS)
    return CORE_FAIL(CORE_ERR_INVALID, "jet workspace: %d original inputs, need 1..%d", spec_inputs,
                     NN_MAX_INPUTS);
  return workspace_create(out, mlp, spec, spec_inputs, max_points);
}

void nn_jet_workspace_destroy(nn_jet_workspace *ws) {
  if (!ws)
    return;
  for (int l = 0; l < NN_MAX_LAYERS; l++) {
    free(ws->z[l]);
    free(ws->h[l]);
  }
  free(ws->adjoint[0]);
  free(ws->adjoint[1]);
  free(ws->out);
  free(ws->derivs);
  free(ws);
}

const nn_jet_spec *nn_jet_workspace_spec(const nn_jet_workspace *ws) { return &ws->spec; }

/* Input layer: the value stream is W x + b; d/dx_i of the input is the unit vector e_i, so a
 * first-partial stream is column i of W at every point, and second partials are zero. */
static void input_layer_forward(const nn_mlp *mlp, nn_jet_workspace *ws, const double *x) {
  size_t n = ws->n, cols = ws->cols;
  int in = mlp->widths[0], w = mlp->widths[1];
  const double *W = mlp->params + mlp->weight_offset[0];
  const double *b = mlp->params + mlp->bias_offset[0];
  double *z = ws->z[0];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, w, (int)n, in, 1.0, W, in, x, in, 0.0, z, (int)cols);
  size_t second_start = (size_t)(1 + ws->spec.n_first) * n;
  for (int j = 0; j < w; j++) {
    double *row = z + (size_t)j * cols;
    for (size_t p = 0; p < n; p++)
      row[p] += b[j];
    for (int k = 0; k < ws->spec.n_first; k++) {
      double wji = W[(size_t)j * (size_t)in + (size_t)ws->spec.first[k]];
      double *zk = row + (size_t)(1 + k) * n;
      for (size_t p = 0; p < n; p++)
        zk[p] = wji;
    }
    memset(row + second_start, 0, (cols - second_start) * sizeof(double));
  }
}

/* One feature row through the activation with the jet recurrences. */
static void activation_forward_row(nn_activation act, nn_jet_workspace *ws, const double *z, double *h) {
  size_t n = ws->n;
  const nn_jet_spec *spec = &ws->spec;
  nn_activation_row(act, (int)n, z, h);
  if (ws->streams == 1)
    return;
  double *d1 = ws->derivs, *d2 = d1 + n;
  nn_activation_row_derivatives(act, (int)n, z, h, d1, d2, NULL);
  for (int k = 0; k < spec->n_first; k++) {
    const double *zk = z + (size_t)(1 + k) * n;
    double *hk = h + (size_t)(1 + k) * n;
    for (size_t p = 0; p < n; p++)
      hk[p] = d1[p] * zk[p];
  }
  for (int k = 0; k < spec->n_second; k++) {
    size_t s = (size_t)(1 + spec->n_first + k) * n;
    const double *za = z + (size_t)ws->second_a[k] * n, *zb = z + (size_t)ws->second_b[k] * n;
    for (size_t p = 0; p < n; p++)
      h[s + p] = d2[p] * za[p] * zb[p] + d1[p] * z[s + p];
  }
}

/* z = W h for every stream, plus the bias on the value stream only. */
static void dense_forward(const nn_mlp *mlp, int l, const nn_jet_workspace *ws, const double *h, double *z) {
  size_t n = ws->n, cols = ws->cols;
  int in = mlp->widths[l], w = mlp->widths[l + 1];
  const double *W = mlp->params + mlp->weight_offset[l];
  const double *b = mlp->params + mlp->bias_offset[l];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, w, (int)cols, in, 1.0, W, in, h, (int)cols, 0.0, z,
              (int)cols);
  for (int j = 0; j < w; j++)
    for (size_t p = 0; p < n; p++)
      z[(size_t)j * cols + p] += b[j];
}

/* Input layer from feature jets: Z = W Phi over all streams at once (Phi's point-major layout
 * (cols, in) is the transpose GEMM operand), then the bias on the value stream. */
static void input_jets_layer_forward(const nn_mlp *mlp, nn_jet_workspace *ws, const double *in_jets) {
  size_t n = ws->n, cols = ws->cols;
  int in = mlp->widths[0], w = mlp->widths[1];
  const double *W = mlp->params + mlp->weight_offset[0];
  const double *b = mlp->params + mlp->bias_offset[0];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, w, (int)cols, in, 1.0, W, in, in_jets, in, 0.0,
              ws->z[0], (int)cols);
  for (int j = 0; j < w; j++)
    for (size_t p = 0; p < n; p++)
      ws->z[0][(size_t)j * cols + p] += b[j];
}

static core_status begin_forward(nn_jet_workspace *ws, size_t n) {
  if (n > ws->max_points)
    return CORE_FAIL(CORE_ERR_INVALID, "network forward on %zu points, workspace holds %zu", n,
                     ws->max_points);
  ws->n = n;
  ws->cols = (size_t)ws->streams * n;
  return CORE_OK;
}

/* Hidden and output layers, after the input layer has filled z[0]. */
static core_status forward_from_first_layer(const nn_mlp *mlp, nn_jet_workspace *ws, const double **out) {
  for (int l = 1; l < mlp->n_layers; l++) {
    for (int j = 0; j < mlp->widths[l]; j++)
      activation_forward_row(mlp->activation, ws, ws->z[l - 1] + (size_t)j * ws->cols,
                             ws->h[l] + (size_t)j * ws->cols);
    dense_forward(mlp, l, ws, ws->h[l], ws->z[l]);
  }
  int out_dim = mlp->widths[mlp->n_layers];
  const double *z_out = ws->z[mlp->n_layers - 1];
  if (out_dim == 1) { /* (1, streams * n) is already (streams, n, 1) */
    *out = z_out;
    return CORE_OK;
  }
  for (int o = 0; o < out_dim; o++)
    for (size_t c = 0; c < ws->cols; c++)
      ws->out[c * (size_t)out_dim + (size_t)o] = z_out[(size_t)o * ws->cols + c];
  *out = ws->out;
  return CORE_OK;
}

core_status nn_mlp_forward(const nn_mlp *mlp, nn_jet_workspace *ws, const double *x, size_t n,
                           const double **out) {
  CORE_TRY(begin_forward(ws, n));
  ws->x = x;
  ws->in_jets = NULL;
  input_layer_forward(mlp, ws, x);
  return forward_from_first_layer(mlp, ws, out);
}

core_status nn_mlp_forward_jets(const nn_mlp *mlp, nn_jet_workspace *ws, const double *in_jets,
                                size_t n, const double **out) {
  CORE_TRY(begin_forward(ws, n));
  ws->x = NULL;
  ws->in_jets = in_jets;
  input_jets_layer_forward(mlp, ws, in_jets);
  return forward_from_first_layer(mlp, ws, out);
}

/* Adjoint of the activation on one feature row: from dL/dh (all streams) to dL/dz. */
static void activation_backward_row(nn_activation act, nn_jet_workspace *ws, const double *z, const double *h,
                                    const double *h_bar, double *z_bar) {
  size_t n = ws->n;
  const nn_jet_spec *spec = &ws->spec;
  double *d1 = ws->derivs, *d2 = d1 + n, *d3 = d2 + n;
  nn_activation_row_derivatives(act, (int)n, z, h, d1, d2, spec->n_second ? d3 : NULL);
  for (size_t p = 0; p < n; p++)
    z_bar[p] = d1[p] * h_bar[p];
  for (int k = 0; k < spec->n_first; k++) {
    size_t s = (size_t)(1 + k) * n;
    for (size_t p = 0; p < n; p++) {
      z_bar[s + p] = d1[p] * h_bar[s + p];
      z_bar[p] += d2[p] * z[s + p] * h_bar[s + p];
    }
  }
  for (int k = 0; k < spec->n_second; k++) {
    size_t s = (size_t)(1 + spec->n_first + k) * n;
    size_t a = (size_t)ws->second_a[k] * n, b = (size_t)ws->second_b[k] * n;
    for (size_t p = 0; p < n; p++) {
      double g = h_bar[s + p];
      z_bar[s + p] = d1[p] * g;
      z_bar[a + p] += d2[p] * z[b + p] * g;
      z_bar[b + p] += d2[p] * z[a + p] * g;
      z_bar[p] += (d3[p] * z[a + p] * z[b + p] + d2[p] * z[s + p]) * g;
    }
  }
}

/* dW += z_bar h^T over all streams, db += the value-stream columns of z_bar. */
static void dense_backward_params(nn_mlp *mlp, int l, const nn_jet_workspace *ws, const double *h,
                                  const double *z_bar) {
  size_t n = ws->n, cols = ws->cols;
  int in = mlp->widths[l], w = mlp->widths[l + 1];
  double *dW = mlp->grads + mlp->weight_offset[l];
  double *db = mlp->grads + mlp->bias_offset[l];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, w, in, (int)cols, 1.0, z_bar, (int)cols, h, (int)cols,
              1.0, dW, in);
  for (int j = 0; j < w; j++) {
    double sum = 0;
    for (size_t p = 0; p < n; p++)
      sum += z_bar[(size_t)j * cols + p];
    db[j] += sum;
  }
}

/* Input layer: the value stream saw x, first-partial stream k saw the constant e_{first[k]},
 * second partials saw zeros. */
static void input_layer_backward(nn_mlp *mlp, const nn_jet_workspace *ws, const double *z_bar,
                                 double *x_adjoint) {
  size_t n = ws->n, cols = ws->cols;
  int in = mlp->widths[0], w = mlp->widths[1];
  double *dW = mlp->grads + mlp->weight_offset[0];
  double *db = mlp->grads + mlp->bias_offset[0];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, w, in, (int)n, 1.0, z_bar, (int)cols, ws->x, in, 1.0,
              dW, in);
  for (int j = 0; j < w; j++) {
    const double *row = z_bar + (size_t)j * cols;
    double sum = 0;
    for (size_t p = 0; p < n; p++)
      sum += row[p];
    db[j] += sum;
    for (int k = 0; k < ws->spec.n_first; k++) {
      const double *zk = row + (size_t)(1 + k) * n;
      double sum_k = 0;
      for (size_t p = 0; p < n; p++)
        sum_k += zk[p];
      dW[(size_t)j * (size_t)in + (size_t)ws->spec.first[k]] += sum_k;
    }
  }
  if (x_adjoint) {
    const double *W = mlp->params + mlp->weight_offset[0];
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, in, w, 1.0, z_bar, (int)cols, W, in, 0.0,
                x_adjoint, in);
  }
}

/* Input layer after nn_mlp_forward_jets: stream s saw its feature jets, so dW += Z_bar Phi over
 * all streams in one GEMM; the input adjoint is W^T Z_bar per stream. */
static void input_jets_layer_backward(nn_mlp *mlp, const nn_jet_workspace *ws, const double *z_bar,
                                      double *in_adjoint) {
  size_t n = ws->n, cols = ws->cols;
  int in = mlp->widths[0], w = mlp->widths[1];
  double *dW = mlp->grads + mlp->weight_offset[0];
  double *db = mlp->grads + mlp->bias_offset[0];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, w, in, (int)cols, 1.0, z_bar, (int)cols, ws->in_jets,
              in, 1.0, dW, in);
  for (int j = 0; j < w; j++) {
    double sum = 0;
    for (size_t p = 0; p < n; p++)
      sum += z_bar[(size_t)j * cols + p];
    db[j] += sum;
  }
  if (in_adjoint) {
    const double *W = mlp->params + mlp->weight_offset[0];
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)cols, in, w, 1.0, z_bar, (int)cols, W, in, 0.0,
                in_adjoint, in);
  }
}

/* The output adjoint in the internal (out_dim, streams * n) layout. */
static const double *output_adjoint(const nn_mlp *mlp, nn_jet_workspace *ws, const double *out_adjoint) {
  int out_dim = mlp->widths[mlp->n_layers];
  if (out_dim == 1)
    return out_adjoint;
  double *t = ws->adjoint[1];
  for (int o = 0; o < out_dim; o++)
    for (size_t c = 0; c < ws->cols; c++)
      t[(size_t)o * ws->cols + c] = out_adjoint[c * (size_t)out_dim + (size_t)o];
  return t;
}

core_status nn_mlp_backward(nn_mlp *mlp, nn_jet_workspace *ws, const double *out_adjoint,
                            double *x_adjoint) {
  size_t cols = ws->cols;
  /* The GEMM reads z_bar into h_bar (adjoint[0]); the activation adjoint then writes the next
   * z_bar into adjoint[1], whose previous content (the last z_bar) is no longer needed. */
  const double *z_bar = output_adjoint(mlp, ws, out_adjoint);
  double *h_bar = ws->adjoint[0], *z_bar_buffer = ws->adjoint[1];
  for (int l = mlp->n_layers - 1; l >= 1; l--) {
    int in = mlp->widths[l], w = mlp->widths[l + 1];
    dense_backward_params(mlp, l, ws, ws->h[l], z_bar);
    const double *W = mlp->params + mlp->weight_offset[l];
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, (int)cols, w, 1.0, W, in, z_bar, (int)cols, 0.0,
                h_bar, (int)cols);
    for (int j = 0; j < in; j++) {
      size_t row = (size_t)j * cols;
      activation_backward_row(mlp->activation, ws, ws->z[l - 1] + row, ws->h[l] + row, h_bar + row,
                              z_bar_buffer + row);
    }
    z_bar = z_bar_buffer;
  }
  if (ws->in_jets)
    input_jets_layer_backward(mlp, ws, z_bar, x_adjoint);
  else
    input_layer_backward(mlp, ws, z_bar, x_adjoint);
  return CORE_OK;
}
