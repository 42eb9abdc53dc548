#include "pinn/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 4096 }; /* points per forward outside training: bounds scratch memory */

/* Buffers for jets on up to `capacity` points with `streams` streams. */
typedef struct jet_buffers {
  size_t capacity;
  nn_jet_workspace *ws;
  double *x, *g, *l, *u, *r, *dr_du, *u_adjoint, *net_adjoint;
} jet_buffers;

struct pinn_model {
  const pde_problem *problem;
  nn_mlp *net;
  int streams;
  size_t n;              /* training points in use */
  jet_buffers train;     /* g, l cached for the training points */
  jet_buffers scratch;   /* residuals and predictions elsewhere */
};

static void jet_buffers_free(jet_buffers *b) {
  nn_jet_workspace_destroy(b->ws);
  free(b->x);
  free(b->g);
  free(b->l);
  free(b->u);
  free(b->r);
  free(b->dr_du);
  free(b->u_adjoint);
  free(b->net_adjoint);
}

static core_status jet_buffers_alloc(jet_buffers *b, const pinn_model *m, size_t capacity) {
  memset(b, 0, sizeof *b);
  b->capacity = capacity;
  CORE_TRY(nn_jet_workspace_create(&b->ws, m->net, &m->problem->type->jets, capacity));
  size_t jets = (size_t)m->streams * capacity;
  b->x = malloc(capacity * (size_t)m->problem->type->dim * sizeof(double));
  b->g = malloc(jets * sizeof(double));
  b->l = malloc(jets * sizeof(double));
  b->u = malloc(jets * sizeof(double));
  b->r = malloc(capacity * sizeof(double));
  b->dr_du = malloc(jets * sizeof(double));
  b->u_adjoint = malloc(jets * sizeof(double));
  b->net_adjoint = malloc(jets * sizeof(double));
  if (!b->x || !b->g || !b->l || !b->u || !b->r || !b->dr_du || !b->u_adjoint || !b->net_adjoint)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for PINN buffers (%zu points)", capacity);
  return CORE_OK;
}

core_status pinn_model_create(pinn_model **out, const pde_problem *problem, nn_mlp *net, size_t max_points) {
  *out = NULL;
  const pde_problem_type *type = problem->type;
  if (net->widths[0] != type->dim || net->widths[net->n_layers] != 1)
    return CORE_FAIL(CORE_ERR_INVALID, "network maps %d -> %d inputs/outputs, problem '%s' needs %d -> 1",
                     net->widths[0], net->widths[net->n_layers], type->name, type->dim);
  pinn_model *m = calloc(1, sizeof *m);
  if (!m)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating PINN");
  m->problem = problem;
  m->net = net;
  m->streams = nn_jet_spec_streams(&type->jets);
  core_status status = jet_buffers_alloc(&m->train, m, max_points);
  if (status == CORE_OK)
    status = jet_buffers_alloc(&m->scratch, m, CHUNK);
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
  jet_buffers_free(&m->train);
  jet_buffers_free(&m->scratch);
  free(m);
}

/* g and l jets at b->x; without an ansatz u = N, i.e. g = 0 and l = 1 (l's partials 0). */
static void ansatz_jets(const pinn_model *m, jet_buffers *b, size_t n) {
  const pde_problem_type *type = m->problem->type;
  if (type->ansatz) {
    type->ansatz(m->problem, n, b->x, b->g, b->l);
    return;
  }
  size_t jets = (size_t)m->streams * n;
  memset(b->g, 0, jets * sizeof(double));
  memset(b->l, 0, jets * sizeof(double));
  for (size_t p = 0; p < n; p++)
    b->l[p] = 1.0;
}

core_status pinn_model_set_points(pinn_model *m, size_t n, const double *x) {
  if (n == 0 || n > m->train.capacity)
    return CORE_FAIL(CORE_ERR_INVALID, "%zu training points, the model holds 1..%zu", n, m->train.capacity);
  memcpy(m->train.x, x, n * (size_t)m->problem->type->dim * sizeof(double));
  m->n = n;
  ansatz_jets(m, &m->train, n);
  return CORE_OK;
}

size_t pinn_model_point_count(const pinn_model *m) { return m->n; }
const double *pinn_model_points(const pinn_model *m) { return m->train.x; }
const double *pinn_model_last_residuals(const pinn_model *m) { return m->train.r; }

/* Forward jets, ansatz and residual on the first n points held in b (g, l already set). */
static core_status residual_pass(pinn_model *m, jet_buffers *b, size_t n) {
  const double *net_jets = NULL;
  CORE_TRY(nn_mlp_forward(m->net, b->ws, b->x, n, &net_jets));
  const nn_jet_spec *spec = &m->problem->type->jets;
  pde_compose_ansatz(spec, n, b->g, b->l, net_jets, b->u);
  m->problem->type->residual(m->problem, n, b->x, b->u, b->r, b->dr_du);
  return CORE_OK;
}

core_status pinn_model_loss_and_gradient(pinn_model *m, double *loss) {
  size_t n = m->n;
  jet_buffers *b = &m->train;
  CORE_TRY(residual_pass(m, b, n));
  double sum = 0;
  for (size_t p = 0; p < n; p++)
    sum += b->r[p] * b->r[p];
  *loss = sum / (double)n;
  if (!isfinite(*loss))
    return CORE_FAIL(CORE_ERR_NUMERIC, "non-finite PDE loss on %zu points", n);
  /* dL/du_s = (2 r / n) dr/du_s, then through the ansatz to the network's streams. */
  for (int s = 0; s < m->streams; s++)
    for (size_t p = 0; p < n; p++)
      b->u_adjoint[(size_t)s * n + p] = 2.0 * b->r[p] / (double)n * b->dr_du[(size_t)s * n + p];
  pde_compose_ansatz_adjoint(&m->problem->type->jets, n, b->l, b->u_adjoint, b->net_adjoint);
  nn_mlp_zero_grads(m->net);
  return nn_mlp_backward(m->net, b->ws, b->net_adjoint, NULL);
}

core_status pinn_model_residuals(pinn_model *m, size_t n, const double *x, double *r) {
  jet_buffers *b = &m->scratch;
  size_t dim = (size_t)m->problem->type->dim;
  for (size_t start = 0; start < n; start += b->capacity) {
    size_t count = n - start < b->capacity ? n - start : b->capacity;
    memcpy(b->x, x + start * dim, count * dim * sizeof(double));
    ansatz_jets(m, b, count);
    CORE_TRY(residual_pass(m, b, count));
    memcpy(r + start, b->r, count * sizeof(double));
  }
  return CORE_OK;
}

core_status pinn_model_predict(pinn_model *m, size_t n, const double *x, double *u) {
  jet_buffers *b = &m->scratch;
  size_t dim = (size_t)m->problem->type->dim;
  for (size_t start = 0; start < n; start += b->capacity) {
    size_t count = n - start < b->capacity ? n - start : b->capacity;
    memcpy(b->x, x + start * dim, count * dim * sizeof(double));
    ansatz_jets(m, b, count);
    const double *net_jets = NULL;
    CORE_TRY(nn_mlp_forward(m->net, b->ws, b->x, count, &net_jets));
    for (size_t p = 0; p < count; p++)
      u[start + p] = b->g[p] + b->l[p] * net_jets[p];
  }
  return CORE_OK;
}
