#include "gen/flow_sampler.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen/samplers.h"

#define LOGIT_EPS 1e-9

core_status gen_flow_sampler_init(gen_flow_sampler_state *st, const gen_box *box, gen_box_map map,
                                  gen_flow_base base, gen_base_sequence sequence,
                                  const gen_coupling_options *flow_options,
                                  const gen_flow_train_options *train_options, gsl_rng *rng) {
  st->box = *box;
  st->map = map;
  st->base = base;
  st->sequence = sequence;
  gen_coupling_options fo = *flow_options;
  fo.dim = box->dim;
  CORE_TRY(gen_coupling_flow_create(&st->flow, &fo, rng));
  CORE_TRY(gen_flow_trainer_create(&st->trainer, st->flow, base, train_options));
  st->chunk_u = malloc(fo.max_points * (size_t)fo.dim * sizeof(double));
  st->chunk_logdet = malloc(fo.max_points * sizeof(double));
  st->chunk_offset = malloc(fo.max_points * sizeof(double));
  st->chunk_base = malloc(fo.max_points * sizeof(double));
  st->chunk_inside = malloc(fo.max_points);
  if (!st->chunk_u || !st->chunk_logdet || !st->chunk_offset || !st->chunk_base ||
      !st->chunk_inside)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating a flow sampler");
  return CORE_OK;
}

void gen_flow_sampler_destroy(void *state) {
  gen_flow_sampler_state *st = state;
  gen_flow_trainer_destroy(st->trainer);
  gen_coupling_flow_destroy(st->flow);
  free(st->chunk_u);
  free(st->chunk_logdet);
  free(st->chunk_offset);
  free(st->chunk_base);
  free(st->chunk_inside);
}

/* Box -> flow coordinates for one point; returns ln|det ∂u/∂x|. The point must be inside. */
static double to_flow(const gen_flow_sampler_state *st, const double *x, double *u) {
  double offset = 0.0;
  for (int j = 0; j < st->box.dim; j++) {
    double width = st->box.upper[j] - st->box.lower[j];
    double v = (x[j] - st->box.lower[j]) / width;
    v = v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
    offset -= log(width);
    if (st->map == GEN_BOX_MAP_LOGIT) {
      v = v < LOGIT_EPS ? LOGIT_EPS : (v > 1.0 - LOGIT_EPS ? 1.0 - LOGIT_EPS : v);
      u[j] = log(v) - log1p(-v);
      offset -= log(v) + log1p(-v);
    } else {
      u[j] = v;
    }
  }
  return offset;
}

/* 1 / (1 + e^-v) without overflow for large |v|. */
static double logistic(double v) { return v >= 0.0 ? 1.0 / (1.0 + exp(-v)) : exp(v) / (1.0 + exp(v)); }

/* Flow coordinates -> box, clamped to the closed box. */
static void to_box(const gen_flow_sampler_state *st, const double *u, double *x) {
  for (int j = 0; j < st->box.dim; j++) {
    double v = u[j];
    if (st->map == GEN_BOX_MAP_LOGIT)
      v = logistic(v);
    double xj = st->box.lower[j] + v * (st->box.upper[j] - st->box.lower[j]);
    x[j] =
        xj < st->box.lower[j] ? st->box.lower[j] : (xj > st->box.upper[j] ? st->box.upper[j] : xj);
  }
}

/* 1 inside the closed box, 0 outside, -1 for a non-finite coordinate. */
static int inside(const gen_box *box, const double *x) {
  int in = 1;
  for (int j = 0; j < box->dim; j++) {
    if (!isfinite(x[j]))
      return -1;
    in = in && x[j] >= box->lower[j] && x[j] <= box->upper[j];
  }
  return in;
}

core_status gen_flow_sampler_fit(void *state, size_t n, const double *points, const double *weights,
                                 gsl_rng *rng) {
  gen_flow_sampler_state *st = state;
  size_t d = (size_t)st->box.dim;
  for (size_t i = 0; i < n; i++)
    if (inside(&st->box, points + i * d) != 1)
      return CORE_FAIL(CORE_ERR_INVALID, "flow fit: point %zu is outside the box or not finite", i);
  double *u = malloc((n * d + 1) * sizeof *u), *offset = malloc((n + 1) * sizeof *offset);
  if (!u || !offset) {
    free(u);
    free(offset);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory fitting a flow to %zu points", n);
  }
  for (size_t i = 0; i < n; i++)
    offset[i] = to_flow(st, points + i * d, u + i * d);
  gen_flow_fit_report report;
  core_status s = gen_flow_trainer_fit(st->trainer, n, u, weights, offset, rng, &report);
  free(u);
  free(offset);
  CORE_TRY(s);
  st->last = report;
  st->n_fits++;
  return CORE_OK;
}

/* g -> logistic(g) in place: N(0, 1) draws become logit-normal draws in (0, 1). */
static void gaussian_to_logit_normal(size_t len, double *z) {
  for (size_t i = 0; i < len; i++)
    z[i] = logistic(z[i]);
}

/* Base points for a chunk in place. A Sobol set is drawn for all n points up front (into the
 * output buffer, which each chunk then overwrites with its own samples), so the chunks are
 * consecutive pieces of one low-discrepancy set. */
static void random_base(const gen_flow_sampler_state *st, size_t len, double *z, gsl_rng *rng) {
  for (size_t i = 0; i < len; i++)
    z[i] = st->base == GEN_FLOW_BASE_UNIFORM ? gsl_rng_uniform(rng) : gsl_ran_gaussian(rng, 1.0);
  if (st->base == GEN_FLOW_BASE_LOGIT_NORMAL)
    gaussian_to_logit_normal(len, z);
}

core_status gen_flow_sampler_sample(void *state, size_t n, double *points, gsl_rng *rng) {
  gen_flow_sampler_state *st = state;
  size_t d = (size_t)st->box.dim, m = gen_coupling_flow_options(st->flow)->max_points;
  if (st->sequence == GEN_BASE_SOBOL) {
    CORE_TRY(gen_sobol_shifted(n, st->box.dim, points, rng));
    if (st->base != GEN_FLOW_BASE_UNIFORM)
      gen_uniform_to_gaussian(n, st->box.dim, points);
    if (st->base == GEN_FLOW_BASE_LOGIT_NORMAL)
      gaussian_to_logit_normal(n * d, points);
  }
  for (size_t start = 0; start < n; start += m) {
    size_t c = n - start < m ? n - start : m;
    double *chunk = points + start * d;
    if (st->sequence == GEN_BASE_RANDOM)
      random_base(st, c * d, chunk, rng);
    CORE_TRY(gen_coupling_flow_inverse(st->flow, c, chunk, chunk, st->chunk_logdet));
    for (size_t i = 0; i < c; i++)
      to_box(st, chunk + i * d, chunk + i * d);
  }
  return CORE_OK;
}

core_status gen_flow_sampler_log_density(void *state, size_t n, const double *points,
                                         double *logp) {
  gen_flow_sampler_state *st = state;
  size_t d = (size_t)st->box.dim, m = gen_coupling_flow_options(st->flow)->max_points;
  for (size_t start = 0; start < n; start += m) {
    size_t c = n - start < m ? n - start : m;
    for (size_t i = 0; i < c; i++) {
      const double *x = points + (start + i) * d;
      int in = inside(&st->box, x);
      if (in < 0)
        return CORE_FAIL(CORE_ERR_NUMERIC,
                         "log density asked at point %zu with a non-finite "
                         "coordinate",
                         start + i);
      st->chunk_inside[i] = (unsigned char)in;
      /* Outside points go through the flow clamped and are overwritten with -inf below. */
      st->chunk_offset[i] = to_flow(st, x, st->chunk_u + i * d);
    }
    CORE_TRY(gen_coupling_flow_forward(st->flow, c, st->chunk_u, st->chunk_u, st->chunk_logdet));
    gen_flow_base_log_density(st->base, st->box.dim, c, st->chunk_u, st->chunk_base);
    for (size_t i = 0; i < c; i++)
      logp[start + i] = st->chunk_inside[i]
                            ? st->chunk_base[i] + st->chunk_logdet[i] + st->chunk_offset[i]
                            : -INFINITY;
  }
  return CORE_OK;
}

static core_status flow_state(const gen_sampler *s, gen_flow_sampler_state **st) {
  if (s->type != &gen_sampler_realnvp && s->type != &gen_sampler_spline)
    return CORE_FAIL(CORE_ERR_INVALID, "sampler '%s' is not a coupling flow", s->type->name);
  *st = s->state;
  return CORE_OK;
}

core_status gen_flow_sampler_last_report(const gen_sampler *s, gen_flow_fit_report *report) {
  gen_flow_sampler_state *st = NULL;
  CORE_TRY(flow_state(s, &st));
  if (st->n_fits == 0)
    return CORE_FAIL(CORE_ERR_INVALID, "sampler '%s' has not been fitted", s->type->name);
  *report = st->last;
  return CORE_OK;
}

core_status gen_flow_sampler_flow(gen_sampler *s, gen_coupling_flow **flow) {
  gen_flow_sampler_state *st = NULL;
  CORE_TRY(flow_state(s, &st));
  *flow = st->flow;
  return CORE_OK;
}
