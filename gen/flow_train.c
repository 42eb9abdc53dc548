#include "gen/flow_train.h"

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct gen_flow_trainer {
  gen_coupling_flow *flow;
  gen_flow_base base;
  gen_flow_train_options o;
  int n_blocks;
  nn_adam *adam[GEN_COUPLING_MAX_LAYERS];
  double *batch_u, *z_bar, *l_bar, *logdet; /* (max_points, dim) / (max_points) */
};

static double clamp_open_unit(double v) {
  const double eps = 1e-12;
  return v < eps ? eps : (v > 1.0 - eps ? 1.0 - eps : v);
}

/* log of the logit-normal density at v in (0, 1): N(logit v) / (v (1 - v)). */
static double logit_normal_log_density(double v) {
  double log_v = log(v), log_1mv = log1p(-v), s = log_v - log_1mv;
  return -0.5 * s * s - 0.5 * log(2.0 * M_PI) - log_v - log_1mv;
}

/* -d/dv of logit_normal_log_density: (logit v + 1 - 2v) / (v (1 - v)). */
static double logit_normal_nll_slope(double v) {
  double s = log(v) - log1p(-v);
  return (s + 1.0 - 2.0 * v) / (v * (1.0 - v));
}

void gen_flow_base_log_density(gen_flow_base base, int dim, size_t n, const double *z,
                               double *out) {
  for (size_t p = 0; p < n; p++) {
    const double *row = z + p * (size_t)dim;
    double acc = 0.0;
    if (base == GEN_FLOW_BASE_GAUSSIAN) {
      for (int j = 0; j < dim; j++)
        acc += row[j] * row[j];
      acc = -0.5 * acc - 0.5 * dim * log(2.0 * M_PI);
    } else if (base == GEN_FLOW_BASE_LOGIT_NORMAL) {
      for (int j = 0; j < dim; j++)
        acc += logit_normal_log_density(clamp_open_unit(row[j]));
    }
    out[p] = acc;
  }
}

void gen_flow_base_nll_gradient(gen_flow_base base, int dim, size_t n, const double *z,
                                size_t batch, double *z_bar) {
  for (size_t i = 0; i < n * (size_t)dim; i++) {
    double slope = 0.0;
    if (base == GEN_FLOW_BASE_GAUSSIAN)
      slope = z[i];
    else if (base == GEN_FLOW_BASE_LOGIT_NORMAL)
      slope = logit_normal_nll_slope(clamp_open_unit(z[i]));
    z_bar[i] = slope / (double)batch;
  }
}

core_status gen_flow_trainer_create(gen_flow_trainer **out, gen_coupling_flow *flow,
                                    gen_flow_base base, const gen_flow_train_options *o) {
  *out = NULL;
  if (o->epochs < 1 || !(o->learning_rate > 0.0) || !(o->holdout_fraction >= 0.0) ||
      !(o->holdout_fraction <= 0.9) || !(o->lr_decay > 0.0 && o->lr_decay <= 1.0))
    return CORE_FAIL(CORE_ERR_INVALID,
                     "flow training: epochs %d, learning rate %g, decay %g, held-out fraction %g "
                     "invalid",
                     o->epochs, o->learning_rate, o->lr_decay, o->holdout_fraction);
  gen_flow_trainer *t = calloc(1, sizeof *t);
  if (!t)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating flow trainer");
  t->flow = flow;
  t->base = base;
  t->o = *o;
  t->n_blocks = gen_coupling_flow_n_blocks(flow);
  const gen_coupling_options *fo = gen_coupling_flow_options(flow);
  size_t m = fo->max_points, d = (size_t)fo->dim;
  t->batch_u = malloc(m * d * sizeof(double));
  t->z_bar = malloc(m * d * sizeof(double));
  t->l_bar = malloc(m * sizeof(double));
  t->logdet = malloc(m * sizeof(double));
  if (!t->batch_u || !t->z_bar || !t->l_bar || !t->logdet) {
    gen_flow_trainer_destroy(t);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating flow trainer");
  }
  *out = t;
  return CORE_OK;
}

/* Fresh Adam moments and a decay lr · lr_decay^(step / total_steps) for the coming fit. */
static core_status reset_optimisers(gen_flow_trainer *t, size_t total_steps) {
  nn_adam_options ao = nn_adam_default_options();
  ao.learning_rate = t->o.learning_rate;
  ao.decay_rate = t->o.lr_decay;
  ao.decay_steps = total_steps > 0 ? (long)total_steps : 1;
  for (int b = 0; b < t->n_blocks; b++) {
    nn_adam_destroy(t->adam[b]);
    t->adam[b] = NULL;
    CORE_TRY(nn_adam_create(&t->adam[b], gen_coupling_flow_block(t->flow, b)->n_params, &ao));
  }
  return CORE_OK;
}

void gen_flow_trainer_destroy(gen_flow_trainer *t) {
  if (!t)
    return;
  for (int b = 0; b < GEN_COUPLING_MAX_LAYERS; b++)
    nn_adam_destroy(t->adam[b]);
  free(t->batch_u);
  free(t->z_bar);
  free(t->l_bar);
  free(t->logdet);
  free(t);
}

core_status gen_flow_weighted_nll(gen_coupling_flow *flow, gen_flow_base base, size_t n,
                                  const double *u, const double *weights, const double *offset,
                                  double *nll) {
  const gen_coupling_options *fo = gen_coupling_flow_options(flow);
  size_t m = fo->max_points, d = (size_t)fo->dim;
  double *z = malloc(m * d * sizeof(double)), *buf = malloc(2 * m * sizeof(double));
  if (!z || !buf) {
    free(z);
    free(buf);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory scoring a flow");
  }
  double sum = 0.0, wsum = 0.0;
  core_status s = CORE_OK;
  for (size_t start = 0; s == CORE_OK && start < n; start += m) {
    size_t c = n - start < m ? n - start : m;
    s = gen_coupling_flow_forward(flow, c, u + start * d, z, buf);
    if (s != CORE_OK)
      break;
    gen_flow_base_log_density(base, fo->dim, c, z, buf + m);
    for (size_t p = 0; p < c; p++) {
      double w = weights ? weights[start + p] : 1.0;
      double logq = buf[m + p] + buf[p] + (offset ? offset[start + p] : 0.0);
      sum -= w * logq;
      wsum += w;
    }
  }
  free(z);
  free(buf);
  CORE_TRY(s);
  if (!(wsum > 0.0))
    return CORE_FAIL(CORE_ERR_INVALID, "flow scoring: weights sum to %g", wsum);
  *nll = sum / wsum;
  if (!isfinite(*nll))
    return CORE_FAIL(CORE_ERR_NUMERIC, "flow scoring: non-finite NLL");
  return CORE_OK;
}

/* One Adam step on the batch in t->batch_u (m points); *nll = batch mean NLL (flow coordinates). */
static core_status train_step(gen_flow_trainer *t, size_t m, double *nll) {
  const gen_coupling_options *fo = gen_coupling_flow_options(t->flow);
  const double *z;
  gen_coupling_flow_zero_grads(t->flow);
  CORE_TRY(gen_coupling_flow_forward_keep(t->flow, m, t->batch_u, &z, t->logdet));
  /* L = -(1/m) Σ [log p_base(z_p) + logdet_p]. */
  gen_flow_base_log_density(t->base, fo->dim, m, z, t->l_bar);
  double sum = 0.0;
  for (size_t p = 0; p < m; p++) {
    sum -= t->l_bar[p] + t->logdet[p];
    t->l_bar[p] = -1.0 / (double)m;
  }
  gen_flow_base_nll_gradient(t->base, fo->dim, m, z, m, t->z_bar);
  *nll = sum / (double)m;
  if (!isfinite(*nll))
    return CORE_FAIL(CORE_ERR_NUMERIC, "flow training: non-finite batch NLL");
  CORE_TRY(gen_coupling_flow_backward(t->flow, t->z_bar, t->l_bar, NULL));
  for (int b = 0; b < t->n_blocks; b++) {
    nn_mlp *mlp = gen_coupling_flow_block(t->flow, b);
    CORE_TRY(nn_adam_step(t->adam[b], mlp->params, mlp->grads));
  }
  return CORE_OK;
}

/* Working memory of one fit: a random split and the held-out part gathered contiguously. */
typedef struct fit_data {
  size_t *perm; /* perm[0 .. n_hold-1] held out, the rest trains */
  size_t n_hold, n_train;
  int score; /* held-out scoring possible: some held-out points with positive total weight */
  double *hold_u, *hold_w, *hold_off, *snapshot;
  gsl_ran_discrete_t *table;
} fit_data;

static void fit_data_free(fit_data *fd) {
  free(fd->perm);
  free(fd->hold_u);
  free(fd->hold_w);
  free(fd->hold_off);
  free(fd->snapshot);
  if (fd->table)
    gsl_ran_discrete_free(fd->table);
}

static core_status fit_data_init(fit_data *fd, const gen_flow_trainer *t, size_t n, const double *u,
                                 const double *weights, const double *offset, gsl_rng *rng) {
  size_t d = (size_t)gen_coupling_flow_options(t->flow)->dim;
  fd->n_hold = (size_t)floor(t->o.holdout_fraction * (double)n);
  fd->n_train = n - fd->n_hold;
  fd->perm = malloc(n * sizeof *fd->perm);
  fd->hold_u = malloc((fd->n_hold + 1) * d * sizeof(double));
  fd->hold_w = malloc((fd->n_hold + 1) * sizeof(double));
  fd->hold_off = malloc((fd->n_hold + 1) * sizeof(double));
  fd->snapshot = malloc(gen_coupling_flow_n_params(t->flow) * sizeof(double));
  if (!fd->perm || !fd->hold_u || !fd->hold_w || !fd->hold_off || !fd->snapshot)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory fitting a flow to %zu points", n);
  for (size_t i = 0; i < n; i++)
    fd->perm[i] = i;
  gsl_ran_shuffle(rng, fd->perm, n, sizeof *fd->perm);
  double hold_sum = 0.0;
  for (size_t i = 0; i < fd->n_hold; i++) {
    size_t k = fd->perm[i];
    memcpy(fd->hold_u + i * d, u + k * d, d * sizeof(double));
    fd->hold_w[i] = weights ? weights[k] : 1.0;
    fd->hold_off[i] = offset ? offset[k] : 0.0;
    hold_sum += fd->hold_w[i];
  }
  fd->score = fd->n_hold > 0 && hold_sum > 0.0;
  if (weights) {
    double *w = malloc(fd->n_train * sizeof *w), sum = 0.0;
    if (!w)
      return CORE_FAIL(CORE_ERR_NOMEM, "out of memory fitting a flow to %zu points", n);
    for (size_t i = 0; i < fd->n_train; i++)
      sum += (w[i] = weights[fd->perm[fd->n_hold + i]]);
    fd->table = sum > 0.0 && isfinite(sum) ? gsl_ran_discrete_preproc(fd->n_train, w) : NULL;
    free(w);
    if (!fd->table)
      return CORE_FAIL(CORE_ERR_INVALID, "flow fit: training weights sum to %g", sum);
  }
  return CORE_OK;
}

static core_status check_inputs(size_t n, const double *u, const double *weights, size_t d) {
  if (n < 1)
    return CORE_FAIL(CORE_ERR_INVALID, "flow fit: no points");
  for (size_t i = 0; i < n * d; i++)
    if (!isfinite(u[i]))
      return CORE_FAIL(CORE_ERR_INVALID, "flow fit: point %zu is not finite", i / d);
  for (size_t i = 0; weights && i < n; i++)
    if (!(weights[i] >= 0.0) || !isfinite(weights[i]))
      return CORE_FAIL(CORE_ERR_INVALID, "flow fit: weight %zu is %g", i, weights[i]);
  return CORE_OK;
}

static size_t batch_size(const gen_flow_trainer *t, const fit_data *fd) {
  size_t batch = gen_coupling_flow_options(t->flow)->max_points;
  return batch > fd->n_train ? fd->n_train : batch;
}

static size_t steps_per_epoch(const gen_flow_trainer *t, const fit_data *fd) {
  return (fd->n_train + batch_size(t, fd) - 1) / batch_size(t, fd);
}

/* One epoch: ceil(n_train / batch) steps; returns the mean batch NLL. */
static core_status run_epoch(gen_flow_trainer *t, fit_data *fd, const double *u, gsl_rng *rng,
                             double *mean_nll) {
  size_t d = (size_t)gen_coupling_flow_options(t->flow)->dim;
  size_t batch = batch_size(t, fd), steps = steps_per_epoch(t, fd);
  size_t *train = fd->perm + fd->n_hold;
  if (!fd->table)
    gsl_ran_shuffle(rng, train, fd->n_train, sizeof *train);
  double total = 0.0;
  for (size_t s = 0; s < steps; s++) {
    size_t m = batch;
    for (size_t p = 0; p < m; p++) {
      size_t k = fd->table ? train[gsl_ran_discrete(rng, fd->table)]
                           : train[(s * batch + p) % fd->n_train];
      memcpy(t->batch_u + p * d, u + k * d, d * sizeof(double));
    }
    double nll;
    CORE_TRY(train_step(t, m, &nll));
    total += nll;
  }
  *mean_nll = total / (double)steps;
  return CORE_OK;
}

static core_status fit_loop(gen_flow_trainer *t, fit_data *fd, const double *u, gsl_rng *rng,
                            gen_flow_fit_report *r) {
  r->n_train = fd->n_train;
  r->n_holdout = fd->n_hold;
  r->best_epoch = 0;
  r->start_holdout_nll = r->best_holdout_nll = NAN;
  if (fd->score) {
    CORE_TRY(gen_flow_weighted_nll(t->flow, t->base, fd->n_hold, fd->hold_u, fd->hold_w,
                                   fd->hold_off, &r->start_holdout_nll));
    r->best_holdout_nll = r->start_holdout_nll;
    gen_coupling_flow_get_params(t->flow, fd->snapshot);
  }
  for (int e = 1; e <= t->o.epochs; e++) {
    CORE_TRY(run_epoch(t, fd, u, rng, &r->last_train_nll));
    if (!fd->score)
      continue;
    double nll;
    CORE_TRY(gen_flow_weighted_nll(t->flow, t->base, fd->n_hold, fd->hold_u, fd->hold_w,
                                   fd->hold_off, &nll));
    if (nll < r->best_holdout_nll) {
      r->best_holdout_nll = nll;
      r->best_epoch = e;
      gen_coupling_flow_get_params(t->flow, fd->snapshot);
    }
  }
  if (fd->score)
    gen_coupling_flow_set_params(t->flow, fd->snapshot);
  return CORE_OK;
}

core_status gen_flow_trainer_fit(gen_flow_trainer *t, size_t n, const double *u,
                                 const double *weights, const double *offset, gsl_rng *rng,
                                 gen_flow_fit_report *report) {
  size_t d = (size_t)gen_coupling_flow_options(t->flow)->dim;
  CORE_TRY(check_inputs(n, u, weights, d));
  fit_data fd = {0};
  gen_flow_fit_report r;
  core_status s = fit_data_init(&fd, t, n, u, weights, offset, rng);
  if (s == CORE_OK)
    s = reset_optimisers(t, (size_t)t->o.epochs * steps_per_epoch(t, &fd));
  if (s == CORE_OK)
    s = fit_loop(t, &fd, u, rng, &r);
  fit_data_free(&fd);
  if (s == CORE_OK && report)
    *report = r;
  return s;
}
