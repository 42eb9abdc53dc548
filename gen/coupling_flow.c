#include "gen/coupling_flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct gen_coupling_flow {
  gen_coupling_options o;
  int n_raw; /* conditioner outputs per transformed coordinate */
  int n_cond[GEN_COUPLING_MAX_LAYERS], n_trans[GEN_COUPLING_MAX_LAYERS];
  int cond_idx[GEN_COUPLING_MAX_LAYERS][GEN_COUPLING_MAX_DIM];
  int trans_idx[GEN_COUPLING_MAX_LAYERS][GEN_COUPLING_MAX_DIM];
  nn_mlp *mlp[GEN_COUPLING_MAX_LAYERS];
  nn_jet_workspace *ws[GEN_COUPLING_MAX_LAYERS];
  double *cond_in[GEN_COUPLING_MAX_LAYERS]; /* (max_points, max(n_cond, 1)) */
  const double *raw[GEN_COUPLING_MAX_LAYERS]; /* conditioner outputs of the last forward */
  double *act[GEN_COUPLING_MAX_LAYERS + 1]; /* layer inputs (max_points, dim); act[L] = z */
  double *raw_bar; /* (max_points, max n_trans * n_raw) */
  double *cond_bar; /* (max_points, dim) */
  double *state_bar; /* (max_points, dim) */
  size_t n_kept; /* points of the last forward_keep (0 = none) */
};

static core_status validate(const gen_coupling_options *o) {
  if (o->kind != GEN_COUPLING_AFFINE && o->kind != GEN_COUPLING_SPLINE)
    return CORE_FAIL(CORE_ERR_INVALID, "coupling flow: unknown transform kind %d", (int)o->kind);
  if (o->dim < 1 || o->dim > GEN_COUPLING_MAX_DIM)
    return CORE_FAIL(CORE_ERR_INVALID, "coupling flow: dimension %d outside 1..%d", o->dim,
                     GEN_COUPLING_MAX_DIM);
  if (o->n_layers < 1 || o->n_layers > GEN_COUPLING_MAX_LAYERS)
    return CORE_FAIL(CORE_ERR_INVALID, "coupling flow: %d layers outside 1..%d", o->n_layers,
                     GEN_COUPLING_MAX_LAYERS);
  if (o->hidden_width < 1 || o->hidden_depth < 1 || o->hidden_depth > NN_MAX_LAYERS - 1)
    return CORE_FAIL(CORE_ERR_INVALID, "coupling flow: conditioner width %d, depth %d invalid",
                     o->hidden_width, o->hidden_depth);
  if (o->max_points < 1)
    return CORE_FAIL(CORE_ERR_INVALID, "coupling flow: max_points must be >= 1");
  if (o->kind == GEN_COUPLING_AFFINE && !(o->scale_bound > 0.0 && isfinite(o->scale_bound)))
    return CORE_FAIL(CORE_ERR_INVALID, "coupling flow: scale bound %g must be > 0", o->scale_bound);
  if (o->kind == GEN_COUPLING_SPLINE)
    CORE_TRY(gen_rq_config_validate(&o->spline));
  return CORE_OK;
}

static void set_partitions(gen_coupling_flow *f) {
  int d = f->o.dim, half = d / 2, shift = (d + 1) / 2;
  for (int l = 0; l < f->o.n_layers; l++) {
    f->n_cond[l] = half;
    f->n_trans[l] = d - half;
    for (int j = 0; j < d; j++) {
      int idx = (l * shift + j) % d;
      if (j < half)
        f->cond_idx[l][j] = idx;
      else
        f->trans_idx[l][j - half] = idx;
    }
  }
}

static core_status create_layer(gen_coupling_flow *f, int l, gsl_rng *rng) {
  const gen_coupling_options *o = &f->o;
  int widths[NN_MAX_LAYERS + 1], nw = 0;
  widths[nw++] = f->n_cond[l] > 0 ? f->n_cond[l] : 1;
  for (int i = 0; i < o->hidden_depth; i++)
    widths[nw++] = o->hidden_width;
  widths[nw++] = f->n_trans[l] * f->n_raw;
  CORE_TRY(nn_mlp_create(&f->mlp[l], nw, widths, NN_ACT_TANH));
  nn_mlp_init_glorot(f->mlp[l], rng);
  nn_mlp_zero_output_layer(f->mlp[l]);
  nn_jet_spec spec = {0}; /* value stream only */
  CORE_TRY(nn_jet_workspace_create(&f->ws[l], f->mlp[l], &spec, o->max_points));
  f->cond_in[l] = calloc(o->max_points * (size_t)widths[0], sizeof(double));
  if (!f->cond_in[l])
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for coupling layer %d", l);
  return CORE_OK;
}

static core_status create_buffers(gen_coupling_flow *f) {
  size_t m = f->o.max_points, d = (size_t)f->o.dim;
  for (int l = 0; l <= f->o.n_layers; l++)
    if (!(f->act[l] = malloc(m * d * sizeof(double))))
      return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for coupling flow buffers");
  f->raw_bar = malloc(m * d * (size_t)f->n_raw * sizeof(double));
  f->cond_bar = malloc(m * d * sizeof(double));
  f->state_bar = malloc(m * d * sizeof(double));
  if (!f->raw_bar || !f->cond_bar || !f->state_bar)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for coupling flow buffers");
  return CORE_OK;
}

core_status gen_coupling_flow_create(gen_coupling_flow **out, const gen_coupling_options *o,
                                     gsl_rng *rng) {
  *out = NULL;
  CORE_TRY(validate(o));
  gen_coupling_flow *f = calloc(1, sizeof *f);
  if (!f)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating coupling flow");
  f->o = *o;
  f->n_raw = o->kind == GEN_COUPLING_AFFINE ? 2 : gen_rq_n_raw(&o->spline);
  set_partitions(f);
  core_status s = create_buffers(f);
  for (int l = 0; s == CORE_OK && l < o->n_layers; l++)
    s = create_layer(f, l, rng);
  if (s != CORE_OK) {
    gen_coupling_flow_destroy(f);
    return s;
  }
  *out = f;
  return CORE_OK;
}

void gen_coupling_flow_destroy(gen_coupling_flow *f) {
  if (!f)
    return;
  for (int l = 0; l < GEN_COUPLING_MAX_LAYERS; l++) {
    nn_mlp_destroy(f->mlp[l]);
    nn_jet_workspace_destroy(f->ws[l]);
    free(f->cond_in[l]);
  }
  for (int l = 0; l <= GEN_COUPLING_MAX_LAYERS; l++)
    free(f->act[l]);
  free(f->raw_bar);
  free(f->cond_bar);
  free(f->state_bar);
  free(f);
}

const gen_coupling_options *gen_coupling_flow_options(const gen_coupling_flow *f) { return &f->o; }

/* ---- elementwise transforms (forward = data -> base) ---- */

static double affine_forward(double bound, const double *raw, double x, double *ell) {
  double s = bound * tanh(raw[0] / bound);
  *ell = s;
  return x * exp(s) + raw[1];
}

static double affine_inverse(double bound, const double *raw, double y, double *ell) {
  double s = bound * tanh(raw[0] / bound);
  *ell = s;
  return (y - raw[1]) * exp(-s);
}

/* y = x e^s + t, ℓ = s, s = b tanh(ŝ/b), ds/dŝ = 1 - tanh²(ŝ/b). */
static double affine_backward(double bound, const double *raw, double x, double y_bar, double l_bar,
                              double *raw_bar, double *x_bar) {
  double th = tanh(raw[0] / bound), s = bound * th, e = exp(s);
  raw_bar[0] += (y_bar * x * e + l_bar) * (1.0 - th * th);
  raw_bar[1] += y_bar;
  *x_bar = y_bar * e;
  return x * e + raw[1];
}

static double element_forward(const gen_coupling_flow *f, const double *raw, double x,
                              double *ell) {
  if (f->o.kind == GEN_COUPLING_AFFINE)
    return affine_forward(f->o.scale_bound, raw, x, ell);
  gen_rq_knots k;
  gen_rq_knots_build(&f->o.spline, raw, &k);
  return gen_rq_forward(&k, x, ell);
}

static double element_inverse(const gen_coupling_flow *f, const double *raw, double y,
                              double *ell) {
  if (f->o.kind == GEN_COUPLING_AFFINE)
    return affine_inverse(f->o.scale_bound, raw, y, ell);
  gen_rq_knots k;
  gen_rq_knots_build(&f->o.spline, raw, &k);
  return gen_rq_inverse(&k, y, ell);
}

static void element_backward(const gen_coupling_flow *f, const double *raw, double x, double y_bar,
                             double l_bar, double *raw_bar, double *x_bar) {
  if (f->o.kind == GEN_COUPLING_AFFINE) {
    affine_backward(f->o.scale_bound, raw, x, y_bar, l_bar, raw_bar, x_bar);
    return;
  }
  gen_rq_knots k;
  double ell;
  gen_rq_knots_build(&f->o.spline, raw, &k);
  gen_rq_forward_backward(&k, x, y_bar, l_bar, raw_bar, &ell, x_bar);
}

/* ---- layers ---- */

/* Runs layer l's conditioner on the A-coordinates of `in` (unchanged by the layer, so the same
 * for forward and inverse). */
static core_status run_conditioner(gen_coupling_flow *f, int l, size_t n, const double *in) {
  int d = f->o.dim, nc = f->n_cond[l];
  double *c = f->cond_in[l];
  if (nc == 0)
    memset(c, 0, n * sizeof *c);
  for (size_t p = 0; p < n && nc > 0; p++)
    for (int j = 0; j < nc; j++)
      c[p * (size_t)nc + (size_t)j] = in[p * (size_t)d + (size_t)f->cond_idx[l][j]];
  return nn_mlp_forward(f->mlp[l], f->ws[l], c, n, &f->raw[l]);
}

static core_status layer_forward(gen_coupling_flow *f, int l, size_t n, const double *in,
                                 double *out, double *logdet) {
  int d = f->o.dim, nt = f->n_trans[l];
  size_t out_dim = (size_t)nt * (size_t)f->n_raw;
  CORE_TRY(run_conditioner(f, l, n, in));
  memcpy(out, in, n * (size_t)d * sizeof *out);
  for (size_t p = 0; p < n; p++)
    for (int j = 0; j < nt; j++) {
      size_t at = p * (size_t)d + (size_t)f->trans_idx[l][j];
      double ell;
      out[at] =
          element_forward(f, f->raw[l] + p * out_dim + (size_t)j * (size_t)f->n_raw, in[at], &ell);
      logdet[p] += ell;
    }
  return CORE_OK;
}

static core_status layer_inverse(gen_coupling_flow *f, int l, size_t n, const double *out,
                                 double *in, double *logdet) {
  int d = f->o.dim, nt = f->n_trans[l];
  size_t out_dim = (size_t)nt * (size_t)f->n_raw;
  CORE_TRY(run_conditioner(f, l, n, out));
  memcpy(in, out, n * (size_t)d * sizeof *in);
  for (size_t p = 0; p < n; p++)
    for (int j = 0; j < nt; j++) {
      size_t at = p * (size_t)d + (size_t)f->trans_idx[l][j];
      double ell;
      in[at] =
          element_inverse(f, f->raw[l] + p * out_dim + (size_t)j * (size_t)f->n_raw, out[at], &ell);
      logdet[p] += ell;
    }
  return CORE_OK;
}

static core_status check_finite(size_t n, int d, const double *x, const double *logdet,
                                const char *what) {
  for (size_t p = 0; p < n; p++) {
    int ok = isfinite(logdet[p]);
    for (int j = 0; j < d && ok; j++)
      ok = isfinite(x[p * (size_t)d + (size_t)j]);
    if (!ok)
      return CORE_FAIL(CORE_ERR_NUMERIC, "coupling flow %s: non-finite value at point %zu", what,
                       p);
  }
  return CORE_OK;
}

core_status gen_coupling_flow_forward_keep(gen_coupling_flow *f, size_t n, const double *u,
                                           const double **z, double *logdet) {
  if (n > f->o.max_points)
    return CORE_FAIL(CORE_ERR_INVALID, "coupling flow: %zu points exceed the batch of %zu", n,
                     f->o.max_points);
  f->n_kept = 0;
  memcpy(f->act[0], u, n * (size_t)f->o.dim * sizeof *u);
  memset(logdet, 0, n * sizeof *logdet);
  for (int l = 0; l < f->o.n_layers; l++)
    CORE_TRY(layer_forward(f, l, n, f->act[l], f->act[l + 1], logdet));
  CORE_TRY(check_finite(n, f->o.dim, f->act[f->o.n_layers], logdet, "forward"));
  f->n_kept = n;
  *z = f->act[f->o.n_layers];
  return CORE_OK;
}

core_status gen_coupling_flow_forward(gen_coupling_flow *f, size_t n, const double *u, double *z,
                                      double *logdet) {
  size_t d = (size_t)f->o.dim;
  for (size_t start = 0; start < n; start += f->o.max_points) {
    size_t m = n - start < f->o.max_points ? n - start : f->o.max_points;
    const double *zc;
    CORE_TRY(gen_coupling_flow_forward_keep(f, m, u + start * d, &zc, logdet + start));
    memcpy(z + start * d, zc, m * d * sizeof *z);
  }
  f->n_kept = 0;
  return CORE_OK;
}

core_status gen_coupling_flow_inverse(gen_coupling_flow *f, size_t n, const double *z, double *u,
                                      double *logdet) {
  size_t d = (size_t)f->o.dim;
  int L = f->o.n_layers;
  f->n_kept = 0;
  for (size_t start = 0; start < n; start += f->o.max_points) {
    size_t m = n - start < f->o.max_points ? n - start : f->o.max_points;
    memcpy(f->act[L], z + start * d, m * d * sizeof *z);
    memset(logdet + start, 0, m * sizeof *logdet);
    for (int l = L - 1; l >= 0; l--)
      CORE_TRY(layer_inverse(f, l, m, f->act[l + 1], f->act[l], logdet + start));
    CORE_TRY(check_finite(m, f->o.dim, f->act[0], logdet + start, "inverse"));
    memcpy(u + start * d, f->act[0], m * d * sizeof *u);
  }
  return CORE_OK;
}

/* Reverse pass through layer l: state_bar holds dL/d(out) on entry and dL/d(in) on exit. */
static core_status layer_backward(gen_coupling_flow *f, int l, size_t n, const double *l_bar) {
  int d = f->o.dim, nt = f->n_trans[l], nc = f->n_cond[l];
  size_t out_dim = (size_t)nt * (size_t)f->n_raw;
  const double *in = f->act[l];
  memset(f->raw_bar, 0, n * out_dim * sizeof *f->raw_bar);
  for (size_t p = 0; p < n; p++)
    for (int j = 0; j < nt; j++) {
      size_t at = p * (size_t)d + (size_t)f->trans_idx[l][j];
      size_t r = p * out_dim + (size_t)j * (size_t)f->n_raw;
      double x_bar;
      element_backward(f, f->raw[l] + r, in[at], f->state_bar[at], l_bar[p], f->raw_bar + r,
                       &x_bar);
      f->state_bar[at] = x_bar;
    }
  CORE_TRY(nn_mlp_backward(f->mlp[l], f->ws[l], f->raw_bar, f->cond_bar));
  for (size_t p = 0; p < n && nc > 0; p++)
    for (int j = 0; j < nc; j++)
      f->state_bar[p * (size_t)d + (size_t)f->cond_idx[l][j]] +=
          f->cond_bar[p * (size_t)nc + (size_t)j];
  return CORE_OK;
}

core_status gen_coupling_flow_backward(gen_coupling_flow *f, const double *z_bar,
                                       const double *l_bar, double *u_bar) {
  size_t n = f->n_kept, d = (size_t)f->o.dim;
  if (n == 0)
    return CORE_FAIL(CORE_ERR_INVALID, "coupling flow backward without a kept forward pass");
  memcpy(f->state_bar, z_bar, n * d * sizeof *z_bar);
  for (int l = f->o.n_layers - 1; l >= 0; l--)
    CORE_TRY(layer_backward(f, l, n, l_bar));
  if (u_bar)
    memcpy(u_bar, f->state_bar, n * d * sizeof *u_bar);
  return CORE_OK;
}

int gen_coupling_flow_n_blocks(const gen_coupling_flow *f) { return f->o.n_layers; }

nn_mlp *gen_coupling_flow_block(gen_coupling_flow *f, int i) { return f->mlp[i]; }

size_t gen_coupling_flow_n_params(const gen_coupling_flow *f) {
  size_t total = 0;
  for (int l = 0; l < f->o.n_layers; l++)
    total += f->mlp[l]->n_params;
  return total;
}

void gen_coupling_flow_zero_grads(gen_coupling_flow *f) {
  for (int l = 0; l < f->o.n_layers; l++)
    nn_mlp_zero_grads(f->mlp[l]);
}

void gen_coupling_flow_get_params(const gen_coupling_flow *f, double *flat) {
  for (int l = 0; l < f->o.n_layers; l++) {
    memcpy(flat, f->mlp[l]->params, f->mlp[l]->n_params * sizeof *flat);
    flat += f->mlp[l]->n_params;
  }
}

void gen_coupling_flow_set_params(gen_coupling_flow *f, const double *flat) {
  for (int l = 0; l < f->o.n_layers; l++) {
    memcpy(f->mlp[l]->params, flat, f->mlp[l]->n_params * sizeof *flat);
    flat += f->mlp[l]->n_params;
  }
}
