/* Flow matching sampler "fm" (conditional flow matching, Lipman et al. 2023, linear path).
 *
 * Coordinates: the net sees u = (x - c) / h ∈ [-1, 1]^d (c box centre, h half widths), so every
 * box gives O(1) inputs; densities carry the map's log-det: log p_x(x) = log p_u(u) - Σ_j log h_j.
 *
 * Weighted fit: the weights w go through gen_weights_normalise (p ∝ w^k / mean(w^k) + c, the rule
 * shared with the bootstrap) and each minibatch draws its data points u1 ∝ p (Walker alias table).
 * CFM is a regression on (u0, u1, t), so drawing u1 from the weighted empirical measure gives an
 * unbiased gradient of the weighted CFM loss; repeated draws are harmless here (no likelihood on
 * duplicates), so no bootstrap or jitter is needed. Refits warm-start from the current parameters
 * (Adam's moments are reset; its learning rate decays from fm_learning_rate to
 * fm_learning_rate * fm_lr_decay over each fit).
 *
 * Coupling (fm_coupling): "independent" pairs each minibatch source point u0 with a data point u1
 * at random; "ot" pairs them by the exact assignment minimising Σ |u0 - u1|² over the minibatch
 * (gen/assignment.h), i.e. the minibatch OT plan (Tong et al. 2023; Pooladian et al. 2023). Both
 * couplings have the data as t = 1 marginal, so the learned flow still maps the source to the
 * data; with OT the conditional paths cross less, the regression target is nearly deterministic
 * and the marginal field is straighter (fewer CVODE steps for densities, smaller RK4 error).
 * Parameter averaging (fm_ema) ends each fit on an exponential average of its Adam iterates.
 *
 * Box handling: samples the flow carries outside [-1, 1]^d are clamped or reflected
 * (fm_box_policy) and counted (gen_fm_stats.out_of_box). For the log-density, points outside the
 * box get -inf (the sampler's support is the box); inside points are integrated backward with
 * dℓ/dt = ∇·v, the divergence being exact through first-order jets. With the uniform source an
 * image u0 counts as inside the source cube up to FM_SOURCE_SLACK (normalised units): integration
 * and model error put the images of points on the data's edge a hair outside the cube, and -inf
 * for those would be an artefact; images farther out have density -inf (counted). */
#include "gen/flow_matching.h"

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen/assignment.h"
#include "gen/base_sequence.h"
#include "gen/bootstrap.h"
#include "gen/options.h"
#include "gen/samplers.h"
#include "nn/adam.h"
#include "nn/mlp.h"

#define FM_CHUNK 1024         /* points per ODE solve (and per CVODE system) */
#define FM_SOURCE_SLACK 1e-3  /* tolerance of the uniform source's support, normalised units */

typedef struct fm_state {
  gen_box box;
  int d;
  gen_options o;
  double centre[GEN_MAX_DIM], half[GEN_MAX_DIM], log_half_sum;
  nn_mlp *net;
  nn_jet_workspace *ws_train, *ws_value, *ws_div;
  int div_stream[GEN_MAX_DIM]; /* stream of ∂v/∂u_i in ws_div */
  nn_adam *adam;
  gen_ode *ode;
  double *in;      /* (max(batch, chunk), d + 1) network input */
  double *target;  /* (batch, d) */
  double *adjoint; /* (batch, d) */
  double *u0, *u1; /* (batch, d) minibatch source and data points */
  double *cost;    /* (batch, batch) pairing cost, fm_coupling "ot" only */
  size_t *pair;    /* (batch) data point paired with source point k */
  gen_assignment *assign; /* fm_coupling "ot" only */
  double *ema;     /* (n_params) averaged parameters (fm_ema) */
  double *u;       /* (chunk, d) ODE state */
  double *ell;     /* (chunk) */
  size_t *index;   /* (chunk) compaction for log_density */
  gen_fm_stats stats;
} fm_state;

/* ---- network and buffers ---------------------------------------------------------------- */

static core_status fm_create_net(fm_state *s, gsl_rng *rng) {
  int widths[NN_MAX_LAYERS + 1], nw = 0;
  widths[nw++] = s->d + 1;
  for (int l = 0; l < s->o.fm_depth; l++)
    widths[nw++] = s->o.fm_width;
  widths[nw++] = s->d;
  CORE_TRY(nn_mlp_create(&s->net, nw, widths, NN_ACT_ELU));
  nn_mlp_init_glorot(s->net, rng);
  nn_mlp_zero_output_layer(s->net); /* v = 0: before the first fit, samples = source */
  nn_jet_spec value = {0}, first = {0};
  first.n_first = s->d;
  for (int i = 0; i < s->d; i++)
    first.first[i] = i; /* spatial inputs only; t (input d) needs no partial */
  CORE_TRY(nn_jet_workspace_create(&s->ws_train, s->net, &value, s->o.fm_batch));
  CORE_TRY(nn_jet_workspace_create(&s->ws_value, s->net, &value, FM_CHUNK));
  CORE_TRY(nn_jet_workspace_create(&s->ws_div, s->net, &first, FM_CHUNK));
  for (int i = 0; i < s->d; i++)
    s->div_stream[i] = nn_jet_spec_first_stream(&first, i);
  nn_adam_options ao = nn_adam_default_options();
  ao.learning_rate = s->o.fm_learning_rate;
  ao.decay_rate = s->o.fm_lr_decay;
  ao.decay_steps = s->o.fm_train_steps > 0 ? s->o.fm_train_steps : 1;
  return nn_adam_create(&s->adam, s->net->n_params, &ao);
}

static core_status fm_create_buffers(fm_state *s) {
  size_t d = (size_t)s->d, b = s->o.fm_batch, rows = b > FM_CHUNK ? b : FM_CHUNK;
  s->in = malloc(rows * (d + 1) * sizeof(double));
  s->target = malloc(b * d * sizeof(double));
  s->adjoint = malloc(b * d * sizeof(double));
  s->u = malloc(FM_CHUNK * d * sizeof(double));
  s->ell = malloc(FM_CHUNK * sizeof(double));
  s->index = malloc(FM_CHUNK * sizeof(size_t));
  s->u0 = malloc(b * d * sizeof(double));
  s->u1 = malloc(b * d * sizeof(double));
  s->pair = malloc(b * sizeof(size_t));
  if (!s->in || !s->target || !s->adjoint || !s->u || !s->ell || !s->index || !s->u0 || !s->u1 ||
      !s->pair)
    return CORE_FAIL(CORE_ERR_NOMEM, "fm: out of memory for buffers (batch %zu)", b);
  if (!(s->ema = malloc(s->net->n_params * sizeof(double))))
    return CORE_FAIL(CORE_ERR_NOMEM, "fm: out of memory for the parameter average");
  if (s->o.fm_coupling == GEN_FM_COUPLING_OT) {
    if (!(s->cost = malloc(b * b * sizeof(double))))
      return CORE_FAIL(CORE_ERR_NOMEM, "fm: out of memory for the %zu x %zu coupling cost", b, b);
    CORE_TRY(gen_assignment_create(&s->assign, b));
  }
  return gen_ode_create(&s->ode, s->d, FM_CHUNK, NULL);
}

static void fm_destroy(void *state) {
  fm_state *s = state;
  gen_ode_destroy(s->ode);
  nn_adam_destroy(s->adam);
  nn_jet_workspace_destroy(s->ws_div);
  nn_jet_workspace_destroy(s->ws_value);
  nn_jet_workspace_destroy(s->ws_train);
  nn_mlp_destroy(s->net);
  free(s->in);
  free(s->target);
  free(s->adjoint);
  free(s->u);
  free(s->ell);
  free(s->index);
  free(s->u0);
  free(s->u1);
  free(s->cost);
  free(s->pair);
  gen_assignment_destroy(s->assign);
  free(s->ema);
}

static core_status fm_init(void *state, const gen_box *box, const gen_options *options,
                           gsl_rng *rng) {
  fm_state *s = state;
  CORE_TRY(gen_options_validate(options));
  s->box = *box;
  s->d = box->dim;
  s->o = *options;
  s->log_half_sum = 0;
  for (int j = 0; j < s->d; j++) {
    s->centre[j] = 0.5 * (box->lower[j] + box->upper[j]);
    s->half[j] = 0.5 * (box->upper[j] - box->lower[j]);
    s->log_half_sum += log(s->half[j]);
  }
  CORE_TRY(fm_create_net(s, rng));
  return fm_create_buffers(s);
}

/* ---- velocity field --------------------------------------------------------------------- */

/* gen_ode_field on normalised coordinates; n <= FM_CHUNK. */
static core_status fm_field(void *ctx, double t, size_t n, const double *u, double *v, double *div) {
  fm_state *s = ctx;
  size_t d = (size_t)s->d;
  for (size_t p = 0; p < n; p++) {
    memcpy(s->in + p * (d + 1), u + p * d, d * sizeof(double));
    s->in[p * (d + 1) + d] = t;
  }
  const double *out;
  CORE_TRY(nn_mlp_forward(s->net, div ? s->ws_div : s->ws_value, s->in, n, &out));
  memcpy(v, out, n * d * sizeof(double));
  if (div)
    for (size_t p = 0; p < n; p++) { /* ∇·v = Σ_i ∂v_i/∂u_i: component i of stream ∂/∂u_i */
      double sum = 0;
      for (size_t i = 0; i < d; i++)
        sum += out[(size_t)s->div_stream[i] * n * d + p * d + i];
      div[p] = sum;
    }
  return CORE_OK;
}

static void draw_source(const fm_state *s, size_t n, double *u, gsl_rng *rng) {
  size_t len = n * (size_t)s->d;
  if (s->o.fm_source == GEN_FM_SOURCE_UNIFORM)
    for (size_t i = 0; i < len; i++)
      u[i] = 2.0 * gsl_rng_uniform(rng) - 1.0;
  else
    for (size_t i = 0; i < len; i++)
      u[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
}

/* Source points from a shifted Sobol set in (0, 1)^d, mapped to the source distribution. */
static core_status sobol_source(const fm_state *s, size_t n, double *u, gsl_rng *rng) {
  CORE_TRY(gen_sobol_shifted(n, s->d, u, rng));
  if (s->o.fm_source == GEN_FM_SOURCE_GAUSSIAN)
    gen_uniform_to_gaussian(n, s->d, u);
  else
    for (size_t i = 0; i < n * (size_t)s->d; i++)
      u[i] = 2.0 * u[i] - 1.0;
  return CORE_OK;
}

/* ---- training --------------------------------------------------------------------------- */

/* Minibatch OT coupling: pair[k] = the data point assigned to source point k by the exact
 * assignment minimising Σ_k |u0_k - u1_pair[k]|² (the discrete OT plan between the two minibatch
 * measures; Tong et al. 2023, Pooladian et al. 2023). Independent coupling: pair[k] = k. */
static core_status fm_couple(fm_state *s) {
  size_t d = (size_t)s->d, b = s->o.fm_batch;
  if (s->o.fm_coupling != GEN_FM_COUPLING_OT) {
    for (size_t k = 0; k < b; k++)
      s->pair[k] = k;
    return CORE_OK;
  }
  for (size_t k = 0; k < b; k++)
    for (size_t l = 0; l < b; l++) {
      double c = 0;
      for (size_t j = 0; j < d; j++) {
        double diff = s->u0[k * d + j] - s->u1[l * d + j];
        c += diff * diff;
      }
      s->cost[k * b + l] = c;
    }
  return gen_assignment_solve(s->assign, b, s->cost, s->pair, NULL, NULL, NULL);
}

/* Draws the minibatch: u0 from the source, u1 from the data (∝ weights when a table is given),
 * both in normalised coordinates, then pairs them (fm_couple). */
static core_status fm_draw_batch(fm_state *s, size_t n, const double *points,
                                 const gsl_ran_discrete_t *table, gsl_rng *rng) {
  size_t d = (size_t)s->d, b = s->o.fm_batch;
  draw_source(s, b, s->u0, rng);
  for (size_t k = 0; k < b; k++) {
    size_t idx = table ? gsl_ran_discrete(rng, table) : gsl_rng_uniform_int(rng, n);
    for (size_t j = 0; j < d; j++)
      s->u1[k * d + j] = (points[idx * d + j] - s->centre[j]) / s->half[j];
  }
  return fm_couple(s);
}

/* One Adam step on a CFM minibatch: u_t = (1 - t) u0 + t u1, target u1 - u0, t ~ U(0, 1). */
static core_status fm_train_step(fm_state *s, size_t n, const double *points,
                                 const gsl_ran_discrete_t *table, gsl_rng *rng, double *loss) {
  size_t d = (size_t)s->d, b = s->o.fm_batch;
  CORE_TRY(fm_draw_batch(s, n, points, table, rng));
  for (size_t k = 0; k < b; k++) {
    double t = gsl_rng_uniform(rng);
    const double *u0 = s->u0 + k * d, *u1 = s->u1 + s->pair[k] * d;
    for (size_t j = 0; j < d; j++) {
      s->in[k * (d + 1) + j] = (1.0 - t) * u0[j] + t * u1[j];
      s->target[k * d + j] = u1[j] - u0[j];
    }
    s->in[k * (d + 1) + d] = t;
  }
  const double *out;
  CORE_TRY(nn_mlp_forward(s->net, s->ws_train, s->in, b, &out));
  double sum = 0, scale = 1.0 / (double)(b * d);
  for (size_t i = 0; i < b * d; i++) {
    double r = out[i] - s->target[i];
    sum += r * r;
    s->adjoint[i] = 2.0 * r * scale;
  }
  *loss = sum * scale;
  if (!isfinite(*loss))
    return CORE_FAIL(CORE_ERR_NUMERIC, "fm: non-finite flow-matching loss");
  nn_mlp_zero_grads(s->net);
  CORE_TRY(nn_mlp_backward(s->net, s->ws_train, s->adjoint, NULL));
  return nn_adam_step(s->adam, s->net->params, s->net->grads);
}

/* Polyak averaging of the parameters over a fit (fm_ema = β, 0 = off): θ̄ <- β_k θ̄ + (1 - β_k) θ
 * with the warm-up β_k = min(β, (1 + k) / (10 + k)), so a short fit is not pulled back towards
 * its starting point. Averaging the tail of the trajectory cancels much of the minibatch noise
 * left in the last Adam iterates, which the exact NLL is sensitive to. */
static void fm_ema_update(fm_state *s, int k) {
  double beta = fmin(s->o.fm_ema, (1.0 + k) / (10.0 + k));
  const double *p = s->net->params;
  for (size_t q = 0; q < s->net->n_params; q++)
    s->ema[q] = beta * s->ema[q] + (1.0 - beta) * p[q];
}

/* Alias table for drawing data indices ∝ normalised weights (NULL weights: none needed). */
static core_status fm_weight_table(const fm_state *s, size_t n, const double *weights,
                                   gsl_ran_discrete_t **table) {
  *table = NULL;
  if (!weights)
    return CORE_OK;
  double *p = malloc(n * sizeof *p);
  if (!p)
    return CORE_FAIL(CORE_ERR_NOMEM, "fm: out of memory for %zu weights", n);
  core_status st = gen_weights_normalise(n, weights, s->o.weight_power, s->o.weight_offset, p);
  if (st == CORE_OK && !(*table = gsl_ran_discrete_preproc(n, p)))
    st = CORE_FAIL(CORE_ERR_NOMEM, "fm: gsl_ran_discrete_preproc failed for %zu weights", n);
  free(p);
  return st;
}

static core_status fm_fit(void *state, size_t n, const double *points, const double *weights,
                          gsl_rng *rng) {
  fm_state *s = state;
  if (n == 0)
    return CORE_FAIL(CORE_ERR_INVALID, "fm: fit needs at least one point");
  for (size_t i = 0; i < n * (size_t)s->d; i++)
    if (!isfinite(points[i]))
      return CORE_FAIL(CORE_ERR_NUMERIC, "fm: fit point %zu is not finite", i / (size_t)s->d);
  gsl_ran_discrete_t *table;
  CORE_TRY(fm_weight_table(s, n, weights, &table));
  nn_adam_reset(s->adam);
  int steps = s->o.fm_train_steps, tail = steps / 10 > 0 ? steps / 10 : 1;
  double loss = 0, tail_sum = 0;
  core_status st = CORE_OK;
  size_t n_params = s->net->n_params;
  memcpy(s->ema, s->net->params, n_params * sizeof(double));
  for (int k = 0; k < steps && st == CORE_OK; k++) {
    st = fm_train_step(s, n, points, table, rng, &loss);
    fm_ema_update(s, k);
    if (k >= steps - tail)
      tail_sum += loss;
  }
  if (st == CORE_OK && steps > 0)
    memcpy(s->net->params, s->ema, n_params * sizeof(double)); /* the averaged field is the model */
  gsl_ran_discrete_free(table);
  s->stats.fits++;
  s->stats.loss = steps > 0 ? tail_sum / (steps < tail ? steps : tail) : NAN;
  return st;
}

/* ---- sampling --------------------------------------------------------------------------- */

static void add_ode_stats(gen_ode_stats *acc, const gen_ode_stats *st) {
  acc->steps += st->steps;
  acc->rhs_evals += st->rhs_evals;
  acc->error_test_fails += st->error_test_fails;
  acc->nonlin_conv_fails += st->nonlin_conv_fails;
  acc->systems += st->systems;
}

static core_status fm_use_integrator(fm_state *s, gen_ode_method method) {
  gen_ode_options oo = gen_ode_default_options();
  oo.method = method;
  oo.steps = s->o.fm_ode_steps;
  oo.rtol = s->o.fm_rtol;
  oo.atol = s->o.fm_atol;
  return gen_ode_set_options(s->ode, &oo);
}

/* Normalised samples to box coordinates, applying the out-of-box policy; counts leavers. */
static size_t fm_to_box(const fm_state *s, size_t n, double *u, double *x) {
  size_t d = (size_t)s->d, outside = 0;
  for (size_t p = 0; p < n; p++) {
    int left = 0;
    for (size_t j = 0; j < d; j++) {
      double v = u[p * d + j];
      if (v < -1.0 || v > 1.0) {
        left = 1;
        v = s->o.fm_box_policy == GEN_FM_BOX_CLAMP ? fmin(1.0, fmax(-1.0, v))
                                                   : gen_reflect(v, -1.0, 1.0);
      }
      /* c + h v can round past a face: keep the closed box exactly */
      x[p * d + j] = fmin(s->box.upper[j], fmax(s->box.lower[j], s->centre[j] + s->half[j] * v));
    }
    outside += (size_t)left;
  }
  return outside;
}

static core_status fm_sample(void *state, size_t n, double *points, gsl_rng *rng) {
  fm_state *s = state;
  size_t d = (size_t)s->d;
  s->stats.sampled = n;
  s->stats.out_of_box = 0;
  s->stats.sample_ode = (gen_ode_stats){0};
  CORE_TRY(fm_use_integrator(s, s->o.fm_integrator));
  if (s->o.base_sequence == GEN_BASE_SOBOL) /* all n source points as one set */
    CORE_TRY(sobol_source(s, n, points, rng));
  for (size_t i0 = 0; i0 < n; i0 += FM_CHUNK) {
    size_t m = n - i0 < FM_CHUNK ? n - i0 : FM_CHUNK;
    gen_ode_stats st;
    if (s->o.base_sequence == GEN_BASE_SOBOL) /* chunk i0 reads its source before writing there */
      memcpy(s->u, points + i0 * d, m * d * sizeof(double));
    else
      draw_source(s, m, s->u, rng);
    CORE_TRY(gen_ode_integrate(s->ode, fm_field, s, 0.0, 1.0, m, s->u, NULL, &st));
    add_ode_stats(&s->stats.sample_ode, &st);
    s->stats.out_of_box += fm_to_box(s, m, s->u, points + i0 * d);
  }
  s->stats.out_of_box_total += s->stats.out_of_box;
  return CORE_OK;
}

/* ---- log-density ------------------------------------------------------------------------ */

static double fm_log_source(fm_state *s, const double *u0) {
  double r2 = 0;
  int inside = 1;
  for (int j = 0; j < s->d; j++) {
    r2 += u0[j] * u0[j];
    inside &= fabs(u0[j]) <= 1.0 + FM_SOURCE_SLACK;
  }
  if (s->o.fm_source == GEN_FM_SOURCE_GAUSSIAN)
    return -0.5 * s->d * log(2.0 * M_PI) - 0.5 * r2;
  if (!inside) {
    s->stats.source_outside++;
    return -INFINITY;
  }
  return -s->d * M_LN2;
}

/* One chunk of m <= FM_CHUNK points: outside the box -> -inf, inside -> backward CNF integral. */
static core_status fm_log_density_chunk(fm_state *s, size_t m, const double *x, double *logp) {
  size_t d = (size_t)s->d, k = 0;
  for (size_t p = 0; p < m; p++) {
    int inside = 1;
    for (size_t j = 0; j < d; j++) {
      if (!isfinite(x[p * d + j]))
        return CORE_FAIL(CORE_ERR_NUMERIC, "fm: log_density point has a non-finite coordinate");
      inside &= x[p * d + j] >= s->box.lower[j] && x[p * d + j] <= s->box.upper[j];
    }
    if (!inside) {
      logp[p] = -INFINITY;
      continue;
    }
    for (size_t j = 0; j < d; j++)
      s->u[k * d + j] = (x[p * d + j] - s->centre[j]) / s->half[j];
    s->ell[k] = 0; /* ℓ(1) = 0; log p1(u1) = log p0(u(0)) + ℓ(0) (gen/ode.h) */
    s->index[k++] = p;
  }
  if (k == 0)
    return CORE_OK;
  gen_ode_stats st;
  CORE_TRY(gen_ode_integrate(s->ode, fm_field, s, 1.0, 0.0, k, s->u, s->ell, &st));
  add_ode_stats(&s->stats.density_ode, &st);
  for (size_t q = 0; q < k; q++)
    logp[s->index[q]] = fm_log_source(s, s->u + q * d) + s->ell[q] - s->log_half_sum;
  return CORE_OK;
}

static core_status fm_log_density(void *state, size_t n, const double *points, double *logp) {
  fm_state *s = state;
  s->stats.source_outside = 0;
  s->stats.density_ode = (gen_ode_stats){0};
  CORE_TRY(fm_use_integrator(s, s->o.fm_density_integrator));
  for (size_t i0 = 0; i0 < n; i0 += FM_CHUNK) {
    size_t m = n - i0 < FM_CHUNK ? n - i0 : FM_CHUNK;
    CORE_TRY(fm_log_density_chunk(s, m, points + i0 * (size_t)s->d, logp + i0));
  }
  return CORE_OK;
}

/* ---- type and extras -------------------------------------------------------------------- */

const gen_sampler_type gen_sampler_fm = {
    .name = "fm",
    .state_size = sizeof(fm_state),
    .init = fm_init,
    .fit = fm_fit,
    .sample = fm_sample,
    .log_density = fm_log_density,
    .destroy = fm_destroy,
};

core_status gen_fm_get_stats(const gen_sampler *s, gen_fm_stats *out) {
  if (!s || s->type != &gen_sampler_fm)
    return CORE_FAIL(CORE_ERR_INVALID, "gen_fm_get_stats: not an fm sampler");
  *out = ((const fm_state *)s->state)->stats;
  return CORE_OK;
}

core_status gen_fm_velocity(gen_sampler *s, double t, size_t n, const double *u, double *v,
                            double *div) {
  if (!s || s->type != &gen_sampler_fm)
    return CORE_FAIL(CORE_ERR_INVALID, "gen_fm_velocity: not an fm sampler");
  fm_state *st = s->state;
  size_t d = (size_t)st->d;
  for (size_t i0 = 0; i0 < n; i0 += FM_CHUNK) {
    size_t m = n - i0 < FM_CHUNK ? n - i0 : FM_CHUNK;
    CORE_TRY(fm_field(st, t, m, u + i0 * d, v + i0 * d, div ? div + i0 : NULL));
  }
  return CORE_OK;
}
