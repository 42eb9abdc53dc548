#include "pinn/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = PINN_MODEL_CHUNK };

/* Per-chunk buffers, (streams, count) layouts. */
typedef struct chunk_buffers {
  nn_jet_workspace *ws;
  double *g, *l, *u, *r, *dr_du, *u_adjoint, *net_adjoint;
  double *phi; /* (streams, count, n_features) input-feature jets; NULL without features */
} chunk_buffers;

struct pinn_model {
  const pde_problem *problem;
  nn_mlp *net;
  int dim, streams, n_features; /* n_features 0: the network sees x */
  size_t capacity, n;    /* training points: room for, in use */
  double *x;             /* (capacity, dim) training points */
  double *g_cache;       /* ansatz jets of the training points, chunk after chunk: */
  double *l_cache;       /* chunk c holds (streams, count_c) at offset c * streams * CHUNK */
  double *phi_cache;     /* features: chunk c holds (streams, count_c, n_features) at offset
                            c * streams * CHUNK * n_features; NULL without features */
  double *residuals;     /* (capacity) r of the last loss evaluation */
  chunk_buffers chunk;
};

static void chunk_buffers_free(chunk_buffers *b) {
  nn_jet_workspace_destroy(b->ws);
  free(b->g);
  free(b->l);
  free(b->u);
  free(b->r);
  free(b->dr_du);
  free(b->u_adjoint);
  free(b->net_adjoint);
  free(b->phi);
}

static core_status chunk_buffers_alloc(chunk_buffers *b, const pinn_model *m) {
  memset(b, 0, sizeof *b);
  const pde_problem_type *type = m->problem->type;
  if (m->n_features) {
    CORE_TRY(nn_jet_workspace_create_for_input_jets(&b->ws, m->net, &type->jets, type->dim, CHUNK));
    b->phi = malloc((size_t)m->streams * CHUNK * (size_t)m->n_features * sizeof(double));
    if (!b->phi)
      return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for PINN buffers");
  } else {
    CORE_TRY(nn_jet_workspace_create(&b->ws, m->net, &type->jets, CHUNK));
  }
  size_t jets = (size_t)m->streams * CHUNK * sizeof(double);
  b->g = malloc(jets);
  b->l = malloc(jets);
  b->u = malloc(jets);
  b->r = malloc(CHUNK * sizeof(double));
  b->dr_du = malloc(jets);
  b->u_adjoint = malloc(jets);
  b->net_adjoint = malloc(jets);
  if (!b->g || !b->l || !b->u || !b->r || !b->dr_du || !b->u_adjoint || !b->net_adjoint)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for PINN buffers");
  return CORE_OK;
}

static core_status training_buffers_alloc(pinn_model *m) {
  size_t chunks = (m->capacity + CHUNK - 1) / CHUNK;
  size_t jets = chunks * (size_t)m->streams * CHUNK * sizeof(double);
  m->x = malloc(m->capacity * (size_t)m->dim * sizeof(double));
  m->g_cache = malloc(jets);
  m->l_cache = malloc(jets);
  m->residuals = calloc(m->capacity, sizeof(double));
  if (m->n_features)
    m->phi_cache = malloc(jets * (size_t)m->n_features);
  if (!m->x || !m->g_cache || !m->l_cache || !m->residuals || (m->n_features && !m->phi_cache))
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for %zu training points", m->capacity);
  return CORE_OK;
}

int pinn_model_network_inputs(const pde_problem_type *type) {
  return type->n_features > 0 ? type->n_features : type->dim;
}

core_status pinn_model_create(pinn_model **out, const pde_problem *problem, nn_mlp *net, size_t max_points) {
  *out = NULL;
  const pde_problem_type *type = problem->type;
  int inputs = pinn_model_network_inputs(type);
  if (type->n_features > 0 && !type->features)
    return CORE_FAIL(CORE_ERR_INVALID, "problem '%s' declares %d input features but no features op",
                     type->name, type->n_features);
  if (net->widths[0] != inputs || net->widths[net->n_layers] != 1)
    return CORE_FAIL(CORE_ERR_INVALID, "network maps %d -> %d inputs/outputs, problem '%s' needs %d -> 1",
                     net->widths[0], net->widths[net->n_layers], type->name, inputs);
  pinn_model *m = calloc(1, sizeof *m);
  if (!m)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating PINN");
  m->problem = problem;
  m->net = net;
  m->dim = type->dim;
  m->streams = nn_jet_spec_streams(&type->jets);
  m->n_features = type->n_features > 0 ? type->n_features : 0;
  m->capacity = max_points ? max_points : 1;
  core_status status = training_buffers_alloc(m);
  if (status == CORE_OK)
    status = chunk_buffers_alloc(&m->chunk, m);
  if (status != CORE_OK) {
    pinn_model_destroy(m);
    return status;
  }
  *out = m;
  return CORE_OK;
}

void pinn_model_destroy(pinn_model *m) {
  if (!m)
    return;
  chunk_buffers_free(&m->chunk);
  free(m->x);
  free(m->g_cache);
  free(m->l_cache);
  free(m->phi_cache);
  free(m->residuals);
  free(m);
}

/* g and l jets at x (count points); without an ansatz u = N, i.e. g = 0 and l = 1. */
static void ansatz_jets(const pinn_model *m, size_t count, const double *x, double *g, double *l) {
  const pde_problem_type *type = m->problem->type;
  if (type->ansatz) {
    type->ansatz(m->problem, count, x, g, l);
    return;
  }
  size_t jets = (size_t)m->streams * count;
  memset(g, 0, jets * sizeof(double));
  memset(l, 0, jets * sizeof(double));
  for (size_t p = 0; p < count; p++)
    l[p] = 1.0;
}

static size_t chunk_count(size_t n, size_t start) { return n - start < CHUNK ? n - start : CHUNK; }

/* Offset of the chunk starting at point `start` in phi_cache. */
static size_t phi_offset(const pinn_model *m, size_t start) {
  return start * (size_t)m->streams * (size_t)m->n_features;
}

/* The network's jets at count points x; with input features from their jets phi (which the
 * reverse pass reads again, so phi must outlive it), else from x itself. */
static core_status network_forward(pinn_model *m, size_t count, const double *x, const double *phi,
                                   const double **net_jets) {
  if (m->n_features)
    return nn_mlp_forward_jets(m->net, m->chunk.ws, phi, count, net_jets);
  return nn_mlp_forward(m->net, m->chunk.ws, x, count, net_jets);
}

/* Feature jets at count points x into phi (chunk buffer or cache); nothing without features. */
static void feature_jets(const pinn_model *m, size_t count, const double *x, double *phi) {
  if (m->n_features)
    m->problem->type->features(m->problem, count, x, phi);
}

core_status pinn_model_set_points(pinn_model *m, size_t n, const double *x) {
  if (n == 0 || n > m->capacity)
    return CORE_FAIL(CORE_ERR_INVALID, "%zu training points, the model holds 1..%zu", n, m->capacity);
  memcpy(m->x, x, n * (size_t)m->dim * sizeof(double));
  m->n = n;
  for (size_t start = 0; start < n; start += CHUNK) {
    size_t offset = start * (size_t)m->streams;
    size_t count = chunk_count(n, start);
    const double *xc = m->x + start * (size_t)m->dim;
    ansatz_jets(m, count, xc, m->g_cache + offset, m->l_cache + offset);
    feature_jets(m, count, xc, m->n_features ? m->phi_cache + phi_offset(m, start) : NULL);
  }
  return CORE_OK;
}

size_t pinn_model_point_count(const pinn_model *m) { return m->n; }
const double *pinn_model_points(const pinn_model *m) { return m->x; }
const double *pinn_model_last_residuals(const pinn_model *m) { return m->residuals; }

/* Forward jets, ansatz and residual of `count` points x with ansatz jets g, l (and feature jets phi,
 * NULL without features): r into r_out. */
static core_status residual_pass(pinn_model *m, size_t count, const double *x, const double *phi,
                                 const double *g, const double *l, double *r_out) {
  chunk_buffers *b = &m->chunk;
  const double *net_jets = NULL;
  CORE_TRY(network_forward(m, count, x, phi, &net_jets));
  pde_compose_ansatz(&m->problem->type->jets, count, g, l, net_jets, b->u);
  m->problem->type->residual(m->problem, count, x, b->u, r_out, b->dr_du);
  return CORE_OK;
}

/* dL/du_s = scale * r * dr/du_s, through the ansatz to the network's streams, reverse pass. */
static core_status residual_backward(pinn_model *m, size_t count, const double *l, const double *r,
                                     double scale) {
  chunk_buffers *b = &m->chunk;
  for (int s = 0; s < m->streams; s++)
    for (size_t p = 0; p < count; p++)
      b->u_adjoint[(size_t)s * count + p] = scale * r[p] * b->dr_du[(size_t)s * count + p];
  pde_compose_ansatz_adjoint(&m->problem->type->jets, count, l, b->u_adjoint, b->net_adjoint);
  return nn_mlp_backward(m->net, b->ws, b->net_adjoint, NULL);
}

core_status pinn_model_loss_and_gradient(pinn_model *m, double *loss) {
  size_t n = m->n;
  double sum = 0;
  nn_mlp_zero_grads(m->net);
  for (size_t start = 0; start < n; start += CHUNK) {
    size_t count = chunk_count(n, start), offset = start * (size_t)m->streams;
    double *r = m->residuals + start;
    const double *phi = m->n_features ? m->phi_cache + phi_offset(m, start) : NULL;
    CORE_TRY(residual_pass(m, count, m->x + start * (size_t)m->dim, phi, m->g_cache + offset,
                           m->l_cache + offset, r));
    for (size_t p = 0; p < count; p++)
      sum += r[p] * r[p];
    /* loss = mean r^2, so dL/dr = 2 r / n. */
    CORE_TRY(residual_backward(m, count, m->l_cache + offset, r, 2.0 / (double)n));
  }
  *loss = sum / (double)n;
  if (!isfinite(*loss))
    return CORE_FAIL(CORE_ERR_NUMERIC, "non-finite PDE loss on %zu points", n);
  return CORE_OK;
}

core_status pinn_model_residuals(pinn_model *m, size_t n, const double *x, double *r) {
  chunk_buffers *b = &m->chunk;
  for (size_t start = 0; start < n; start += CHUNK) {
    size_t count = chunk_count(n, start);
    const double *xc = x + start * (size_t)m->dim; /* borrowed: no reverse pass follows */
    ansatz_jets(m, count, xc, b->g, b->l);
    feature_jets(m, count, xc, b->phi);
    CORE_TRY(residual_pass(m, count, xc, b->phi, b->g, b->l, r + start));
  }
  return CORE_OK;
}

core_status pinn_model_predict(pinn_model *m, size_t n, const double *x, double *u) {
  chunk_buffers *b = &m->chunk;
  for (size_t start = 0; start < n; start += CHUNK) {
    size_t count = chunk_count(n, start);
    const double *xc = x + start * (size_t)m->dim;
    ansatz_jets(m, count, xc, b->g, b->l);
    feature_jets(m, count, xc, b->phi);
    const double *net_jets = NULL;
    CORE_TRY(network_forward(m, count, xc, b->phi, &net_jets));
    for (size_t p = 0; p < count; p++)
      u[start + p] = b->g[p] + b->l[p] * net_jets[p];
  }
  return CORE_OK;
}
