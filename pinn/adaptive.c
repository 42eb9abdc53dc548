/* The adaptive-sampling rounds (see pinn/adaptive.h). */
#include "pinn/adaptive.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/npy.h"
#include "gen/bootstrap.h"
#include "gen/flow_matching.h"
#include "gen/flow_sampler.h"
#include "gen/samplers.h"

/* ---- point sets: byte-exact comparison and hashing ---------------------------------------- */

/* One point padded with zeros to GEN_MAX_DIM, so rows compare with one memcmp. */
typedef struct point_row {
  double x[GEN_MAX_DIM];
} point_row;

static int compare_rows(const void *a, const void *b) { return memcmp(a, b, sizeof(point_row)); }

static void sort_rows(size_t n, int dim, const double *x, point_row *rows) {
  for (size_t i = 0; i < n; i++) {
    memset(&rows[i], 0, sizeof rows[i]);
    memcpy(rows[i].x, x + i * (size_t)dim, (size_t)dim * sizeof(double));
  }
  qsort(rows, n, sizeof *rows, compare_rows);
}

/* FNV-1a, 64-bit (offset basis 14695981039346656037, prime 2^40 + 2^8 + 0xb3). */
static uint64_t hash_rows(size_t n, int dim, const point_row *rows) {
  uint64_t h = UINT64_C(14695981039346656037);
  for (size_t i = 0; i < n; i++) {
    const unsigned char *bytes = (const unsigned char *)rows[i].x;
    for (size_t b = 0; b < (size_t)dim * sizeof(double); b++) {
      h ^= bytes[b];
      h *= UINT64_C(1099511628211);
    }
  }
  return h;
}

/* Rows of `next` without a partner in `cur`, both sorted, matched as multisets. */
static size_t count_new_rows(size_t n_cur, const point_row *cur, size_t n_next,
                             const point_row *next) {
  size_t i = 0, j = 0, matched = 0;
  while (i < n_cur && j < n_next) {
    int c = memcmp(&cur[i], &next[j], sizeof *cur);
    if (c == 0) {
      matched++;
      i++;
      j++;
    } else if (c < 0) {
      i++;
    } else {
      j++;
    }
  }
  return n_next - matched;
}

core_status pinn_point_set_hash(size_t n, int dim, const double *x, uint64_t *hash) {
  if (dim < 1 || dim > GEN_MAX_DIM)
    return CORE_FAIL(CORE_ERR_INVALID, "point set hash: dimension %d outside 1..%d", dim,
                     GEN_MAX_DIM);
  point_row *rows = malloc((n ? n : 1) * sizeof *rows);
  if (!rows)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory hashing %zu points", n);
  sort_rows(n, dim, x, rows);
  *hash = hash_rows(n, dim, rows);
  free(rows);
  return CORE_OK;
}

/* ---- fitting ------------------------------------------------------------------------------ */

/* Coupling flows read weights as relative probabilities (gen/flow_sampler.h). */
static int takes_probabilities(const gen_sampler_type *type) {
  return type == &gen_sampler_realnvp || type == &gen_sampler_spline;
}

core_status pinn_adaptive_fit(gen_sampler *s, const gen_options *options, size_t n,
                              const double *points, const double *abs_r, const double *ratio,
                              double *scratch, gsl_rng *rng) {
  if (ratio && !takes_probabilities(s->type))
    return CORE_FAIL(CORE_ERR_INVALID, "sampler '%s' cannot take importance ratios",
                     s->type->name);
  if (!s->type->fit)
    return gen_weights_check(n, abs_r);
  const double *weights = abs_r;
  if (takes_probabilities(s->type)) {
    CORE_TRY(gen_weights_normalise_importance(n, abs_r, ratio, options->weight_power,
                                              options->weight_offset, scratch));
    weights = scratch;
  }
  return gen_sampler_fit(s, n, points, weights, rng);
}

/* The fit loss and out-of-box count of samplers that report them (NaN otherwise), and whether a
 * flow's refit kept its starting parameters (no epoch lowered the held-out NLL). */
static void sampler_stats(const gen_sampler *s, double *fit_loss, double *out_of_box, bool *fit_unchanged) {
  *fit_loss = NAN;
  *out_of_box = NAN;
  *fit_unchanged = false;
  if (s->type == &gen_sampler_fm) {
    gen_fm_stats st;
    if (gen_fm_get_stats(s, &st) == CORE_OK) {
      if (st.fits > 0)
        *fit_loss = st.loss;
      *out_of_box = (double)st.out_of_box;
    }
  } else if (takes_probabilities(s->type)) {
    gen_flow_fit_report r;
    if (gen_flow_sampler_last_report(s, &r) == CORE_OK) {
      *fit_loss = isfinite(r.best_holdout_nll) ? r.best_holdout_nll : r.last_train_nll;
      *fit_unchanged = isfinite(r.best_holdout_nll) && r.best_epoch == 0;
    }
  }
}

/* ---- the rounds --------------------------------------------------------------------------- */

typedef struct adaptive {
  const pinn_adaptive_setup *setup;
  const pinn_config *c;
  pinn_adaptive_summary *summary;
  gen_box box;
  int dim;
  gen_sampler *sampler, *uniform;
  gen_sampler *selector; /* sampler.draw = "pool" with a flow: a rad sampler choosing among
                          * the pool; NULL otherwise */
  size_t pool_capacity;
  double *pool, *pool_r, *abs_r, *scratch; /* (pool_capacity, dim) and (pool_capacity) */
  double *pool_ratio;                      /* (pool_capacity) U / proposal; NULL: uniform pool */
  double *pool_logq;                       /* (pool_capacity) scratch for the proposal density */
  int fits;                                /* sampler fits so far */
  double *next, *new_r;                    /* (max_points, dim), (max_points) */
  point_row *sorted_cur, *sorted_next;     /* (max_points) */
  size_t n_cur;
  FILE *csv;
  /* grid diagnostics (setup->evaluation != NULL): residuals on the evaluation grid, and the
   * density grid (a strided sub-grid of it, see density_grid) with the log-density there */
  double *grid_r;                  /* (evaluation n) */
  size_t n_dens;                   /* points of the density grid */
  int dens_counts[GEN_MAX_DIM];    /* its points per axis */
  size_t *dens_index;              /* (n_dens) indices into the evaluation grid */
  double *dens_x, *dens_logq, *dens_r; /* (n_dens, dim), (n_dens), (n_dens) */
} adaptive;

typedef struct round_record {
  int round;
  size_t n_points, from_sampler, uniform, pool_points;
  double moved, fit_loss, fit_seconds, sample_seconds, pool_seconds, out_of_box;
  double pool_mean, pool_max, new_mean, loss, l2, max_error, wall;
  double kl_residual, ess_residual, kl_fit, ess_fit, mass_outside, diag_seconds;
  size_t pool_from_model;
  double pool_ess;
  uint64_t hash;
  long steps;
  long loss_evaluations; /* the trainer's count after the round (line-search trials included) */
  bool fit_unchanged;     /* the flow's refit kept its starting parameters */
} round_record;

/* The pool's importance ratios, or NULL when the round's pool was uniform (or the points). */
static const double *pool_ratio(const adaptive *a, const round_record *r) {
  return r->pool_from_model > 0 ? a->pool_ratio : NULL;
}

static const char csv_header[] =
    "round,sampler,n_points,from_sampler,uniform,moved_fraction,points_hash,fit_loss,"
    "fit_seconds,sample_seconds,pool_seconds,out_of_box,pool_points,pool_mean_abs_r,"
    "pool_max_abs_r,new_mean_abs_r,loss,l2,max_error,steps,wall_seconds,kl_residual,ess_residual,"
    "kl_fit_target,ess_fit_target,mass_outside_support,pool_from_model,pool_ess,loss_evaluations\n";

static core_status open_csv(adaptive *a) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/rounds.csv", a->setup->dir) >= (int)sizeof path)
    return CORE_FAIL(CORE_ERR_INVALID, "run directory path too long for rounds.csv");
  a->csv = fopen(path, "w");
  if (!a->csv)
    return CORE_FAIL(CORE_ERR_IO, "cannot write '%s'", path);
  if (fputs(csv_header, a->csv) < 0 || fflush(a->csv) != 0)
    return CORE_FAIL(CORE_ERR_IO, "cannot write '%s'", path);
  return CORE_OK;
}

/* When the sampler is the kind that drew the initial points, it continues after them: a fresh
 * "sobol" would otherwise repeat the initial set exactly in round 1 (a no-op resample). */
static core_status skip_initial_draw(adaptive *a) {
  const pinn_config *c = a->c;
  if (strcmp(c->sampler.kind, pinn_points_kind_names[c->points.kind]) != 0)
    return CORE_OK;
  return gen_sampler_sample(a->sampler, (size_t)c->points.n, a->next, a->setup->rng);
}

static core_status diagnostics_open(adaptive *a);

static core_status adaptive_open(adaptive *a, const pinn_adaptive_setup *setup,
                                 pinn_adaptive_summary *summary) {
  const pinn_config *c = setup->config;
  a->setup = setup;
  a->c = c;
  a->summary = summary;
  const pde_problem_type *type = c->problem.type;
  a->dim = a->box.dim = type->dim;
  memcpy(a->box.lower, type->lower, (size_t)type->dim * sizeof(double));
  memcpy(a->box.upper, type->upper, (size_t)type->dim * sizeof(double));
  size_t d = (size_t)a->dim, max_points = pinn_config_max_points(c);
  if (pinn_model_point_count(setup->model) > max_points)
    return CORE_FAIL(CORE_ERR_INVALID, "adaptive rounds: the model holds %zu points, more than %zu",
                     pinn_model_point_count(setup->model), max_points);
  a->pool_capacity = c->adaptive.pool == PINN_POOL_CANDIDATES ? c->sampler.options.pool_size
                                                              : max_points;
  a->pool = malloc(a->pool_capacity * d * sizeof(double));
  a->pool_r = malloc(a->pool_capacity * sizeof(double));
  a->abs_r = malloc(a->pool_capacity * sizeof(double));
  a->scratch = malloc(a->pool_capacity * sizeof(double));
  a->pool_ratio = malloc(a->pool_capacity * sizeof(double));
  a->pool_logq = malloc(a->pool_capacity * sizeof(double));
  a->next = malloc(max_points * d * sizeof(double));
  a->new_r = malloc(max_points * sizeof(double));
  a->sorted_cur = malloc(max_points * sizeof(point_row));
  a->sorted_next = malloc(max_points * sizeof(point_row));
  if (!a->pool || !a->pool_r || !a->abs_r || !a->scratch || !a->pool_ratio || !a->pool_logq ||
      !a->next || !a->new_r ||
      !a->sorted_cur || !a->sorted_next)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for adaptive rounds (pool %zu, points %zu)",
                     a->pool_capacity, max_points);
  CORE_TRY(gen_sampler_create(&a->sampler, c->sampler.type, &a->box, &c->sampler.options,
                              setup->rng));
  CORE_TRY(gen_sampler_create(&a->uniform, &gen_sampler_uniform, &a->box, &c->sampler.options,
                              setup->rng));
  if (c->sampler.options.draw == GEN_DRAW_POOL && takes_probabilities(c->sampler.type)) {
    /* p arrives formed (importance-corrected); k = 1, c = 0 make rad's probabilities ∝ p. */
    gen_options select = c->sampler.options;
    select.weight_power = 1.0;
    select.weight_offset = 0.0;
    CORE_TRY(gen_sampler_create(&a->selector, &gen_sampler_rad, &a->box, &select, setup->rng));
  }
  CORE_TRY(skip_initial_draw(a));
  CORE_TRY(diagnostics_open(a));
  return open_csv(a);
}

static core_status adaptive_close(adaptive *a) {
  gen_sampler_destroy(a->sampler);
  gen_sampler_destroy(a->uniform);
  gen_sampler_destroy(a->selector);
  free(a->pool);
  free(a->pool_r);
  free(a->abs_r);
  free(a->scratch);
  free(a->pool_ratio);
  free(a->pool_logq);
  free(a->next);
  free(a->new_r);
  free(a->sorted_cur);
  free(a->sorted_next);
  free(a->grid_r);
  free(a->dens_index);
  free(a->dens_x);
  free(a->dens_logq);
  free(a->dens_r);
  if (a->csv && fclose(a->csv) != 0)
    return CORE_FAIL(CORE_ERR_IO, "cannot write rounds.csv");
  return CORE_OK;
}

static core_status save_array(const adaptive *a, const char *stem, int round, const double *x,
                              int ndim, size_t rows) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/%s_round_%03d.npy", a->setup->dir, stem, round) >=
      (int)sizeof path)
    return CORE_FAIL(CORE_ERR_INVALID, "run directory path too long for %s", stem);
  size_t shape[2] = {rows, (size_t)a->dim};
  return core_npy_write(path, x, ndim, shape);
}

static int saves_round(const adaptive *a, int round) {
  int every = a->c->adaptive.save_every;
  return every > 0 && round % every == 0;
}

/* ---- grid diagnostics (saved rounds; see pinn/adaptive.h) --------------------------------- */

/* fm's log-density is a CVODE solve of the CNF with its divergence, about 1 ms a point for the
 * default velocity net (6.5 s for 6400 points measured), so it is taken on a strided sub-grid
 * of at most this many points (Burgers' 256 x 100 grid: every 4th point, 64 x 25). */
#define FM_DENSITY_MAX_POINTS 2048

static core_status diagnostics_alloc(adaptive *a, size_t n_grid) {
  size_t d = (size_t)a->dim;
  a->grid_r = malloc(n_grid * sizeof(double));
  a->dens_index = malloc(a->n_dens * sizeof(size_t));
  a->dens_x = malloc(a->n_dens * d * sizeof(double));
  a->dens_logq = malloc(a->n_dens * sizeof(double));
  a->dens_r = malloc(2 * a->n_dens * sizeof(double)); /* |r| there, then the target p */
  if (!a->grid_r || !a->dens_index || !a->dens_x || !a->dens_logq || !a->dens_r)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the grid diagnostics (%zu points)",
                     n_grid);
  return CORE_OK;
}

/* The density grid: every s-th interior point per axis of the evaluation grid, with the smallest
 * common stride s that keeps it within the limit (1 for samplers with a cheap density). Faces are
 * left out: they have no mass, and a flow's density can be singular there (a logit box map sends
 * them to infinity), which would swamp the grid normalisation of q. */
static int interior_count(int count, size_t stride) {
  return count < 3 ? count : (int)((size_t)(count - 3) / stride + 1);
}

static core_status density_grid(adaptive *a) {
  const pinn_evaluation *e = a->setup->evaluation;
  size_t limit = a->sampler->type == &gen_sampler_fm ? FM_DENSITY_MAX_POINTS : e->n;
  size_t stride = 0, n = 0;
  do {
    stride++;
    n = 1;
    for (int j = 0; j < e->dim; j++)
      n *= (size_t)interior_count(e->counts[j], stride);
  } while (n > limit && stride < 1000000);
  a->n_dens = n;
  for (int j = 0; j < e->dim; j++)
    a->dens_counts[j] = interior_count(e->counts[j], stride);
  CORE_TRY(diagnostics_alloc(a, e->n));
  for (size_t p = 0; p < n; p++) {
    size_t rest = p, index = 0, scale = 1;
    for (int j = e->dim - 1; j >= 0; j--) {
      size_t first = e->counts[j] < 3 ? 0 : 1;
      index += (first + (rest % (size_t)a->dens_counts[j]) * stride) * scale;
      rest /= (size_t)a->dens_counts[j];
      scale *= (size_t)e->counts[j];
    }
    a->dens_index[p] = index;
    memcpy(a->dens_x + p * (size_t)a->dim, e->x + index * (size_t)a->dim,
           (size_t)a->dim * sizeof(double));
  }
  char path[4096];
  if (snprintf(path, sizeof path, "%s/density_grid_points.npy", a->setup->dir) >=
      (int)sizeof path)
    return CORE_FAIL(CORE_ERR_INVALID, "run directory path too long for the density grid");
  size_t shape[2] = {n, (size_t)a->dim};
  return core_npy_write(path, a->dens_x, 2, shape);
}

static core_status diagnostics_open(adaptive *a) {
  /* Densities are compared on a grid; random evaluation sets (10-D) have none. */
  if (!a->setup->evaluation || !a->setup->evaluation->is_grid || a->c->adaptive.save_every <= 0)
    return CORE_OK;
  return density_grid(a);
}

/* x (n) written shaped like a grid with counts per axis (flat beyond 4 axes, as run.c does). */
static core_status save_grid_array(const adaptive *a, const char *stem, int round,
                                   const double *x, const int *counts, size_t n) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/%s_round_%03d.npy", a->setup->dir, stem, round) >=
      (int)sizeof path)
    return CORE_FAIL(CORE_ERR_INVALID, "run directory path too long for %s", stem);
  size_t shape[GEN_MAX_DIM] = {n};
  int ndim = a->dim <= 4 ? a->dim : 1;
  for (int j = 0; ndim > 1 && j < a->dim; j++)
    shape[j] = (size_t)counts[j];
  if (ndim == 1)
    shape[0] = n;
  return core_npy_write(path, x, ndim, shape);
}

/* KL(p || q) and the effective sample size fraction 1 / sum p_i^2 / q_i (Kish's ESS of the
 * importance weights p/q under q, over N), with p ∝ |r|^k / mean|r|^k + c and q ∝ exp(logq)
 * normalised over the grid points where q > 0; *outside = the mass of p where q = 0 (fm's
 * backward image can leave its uniform source there, and KL would be infinite). */
static void divergence(adaptive *a, double offset, double *kl, double *ess, double *outside) {
  size_t n = a->n_dens;
  double *p = a->dens_r + n, m = -INFINITY, z = 0, sum_p = 0, sum_in = 0, acc_kl = 0, acc_ess = 0;
  *kl = *ess = *outside = NAN;
  if (gen_weights_normalise(n, a->dens_r, a->c->sampler.options.weight_power, offset, p) !=
      CORE_OK) {
    core_error_clear();
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (isnan(a->dens_logq[i]) || a->dens_logq[i] == INFINITY)
      return;
    m = fmax(m, a->dens_logq[i]);
    sum_p += p[i];
    sum_in += a->dens_logq[i] > -INFINITY ? p[i] : 0.0;
  }
  if (!isfinite(m) || !(sum_in > 0))
    return;
  for (size_t i = 0; i < n; i++)
    z += exp(a->dens_logq[i] - m);
  double log_z = m + log(z);
  for (size_t i = 0; i < n; i++) {
    if (p[i] <= 0 || a->dens_logq[i] == -INFINITY)
      continue;
    double log_p = log(p[i] / sum_in), log_q = a->dens_logq[i] - log_z;
    acc_kl += exp(log_p) * (log_p - log_q);
    acc_ess += exp(2 * log_p - log_q);
  }
  *kl = acc_kl;
  *ess = 1.0 / acc_ess;
  *outside = 1.0 - sum_in / sum_p;
}

/* log q on the density grid and the divergences; a failed density solve is logged, not fatal
 * (the diagnostics must not end a training run). */
static core_status sampler_density(adaptive *a, int round, round_record *r) {
  if (!a->sampler->type->log_density)
    return CORE_OK;
  if (gen_sampler_log_density(a->sampler, a->n_dens, a->dens_x, a->dens_logq) != CORE_OK) {
    core_log("round %d: no log-density diagnostics: %s", round, core_error_message());
    core_error_clear();
    return CORE_OK;
  }
  CORE_TRY(save_grid_array(a, "grid_logdensity", round, a->dens_logq, a->dens_counts, a->n_dens));
  for (size_t i = 0; i < a->n_dens; i++)
    a->dens_r[i] = a->grid_r[a->dens_index[i]];
  double unused;
  divergence(a, 0.0, &r->kl_residual, &r->ess_residual, &r->mass_outside);
  divergence(a, a->c->sampler.options.weight_offset, &r->kl_fit, &r->ess_fit, &unused);
  return CORE_OK;
}

/* |r| on the grid under the network that scored the pool, the fit weights, the sampler's
 * density and the divergences (saved rounds only). */
static core_status grid_diagnostics(adaptive *a, int round, round_record *r) {
  r->kl_residual = r->ess_residual = r->kl_fit = r->ess_fit = r->mass_outside = NAN;
  const pinn_evaluation *e = a->setup->evaluation;
  if (!e || !e->is_grid || !saves_round(a, round))
    return CORE_OK;
  double t0 = core_clock_seconds();
  CORE_TRY(pinn_model_residuals(a->setup->model, e->n, e->x, a->grid_r));
  for (size_t i = 0; i < e->n; i++)
    a->grid_r[i] = fabs(a->grid_r[i]);
  CORE_TRY(save_grid_array(a, "grid_residuals", round, a->grid_r, e->counts, e->n));
  if (a->sampler->type->fit) {
    const gen_options *o = &a->c->sampler.options;
    CORE_TRY(gen_weights_normalise_importance(r->pool_points, a->abs_r, pool_ratio(a, r),
                                              o->weight_power, o->weight_offset, a->scratch));
    CORE_TRY(save_array(a, "weights", round, a->scratch, 1, r->pool_points));
  }
  CORE_TRY(sampler_density(a, round, r));
  r->diag_seconds = core_clock_seconds() - t0;
  return CORE_OK;
}

static core_status write_row(const adaptive *a, const round_record *r) {
  int ok = fprintf(a->csv,
                   "%d,%s,%zu,%zu,%zu,%.10e,%016" PRIx64 ",%.10e,%.6f,%.6f,%.6f,%.0f,%zu,%.10e,"
                   "%.10e,%.10e,%.10e,%.10e,%.10e,%ld,%.4f,%.6e,%.6e,%.6e,%.6e,%.6e,%zu,%.6e,%ld\n",
                   r->round, a->c->sampler.kind, r->n_points, r->from_sampler, r->uniform, r->moved,
                   r->hash, r->fit_loss, r->fit_seconds, r->sample_seconds, r->pool_seconds,
                   r->out_of_box, r->pool_points, r->pool_mean, r->pool_max, r->new_mean, r->loss,
                   r->l2, r->max_error, r->steps, r->wall, r->kl_residual, r->ess_residual,
                   r->kl_fit, r->ess_fit, r->mass_outside, r->pool_from_model, r->pool_ess,
                   r->loss_evaluations) >= 0;
  if (!ok || fflush(a->csv) != 0)
    return CORE_FAIL(CORE_ERR_IO, "cannot write rounds.csv");
  return CORE_OK;
}

/* Loss on the current points, the monitor's evaluation row at this step, and the errors. */
/* quasi_newton_steps: the last training's quasi-Newton length, which names the phase logged. */
static core_status evaluate(const adaptive *a, int quasi_newton_steps, round_record *r) {
  const pinn_adaptive_setup *s = a->setup;
  CORE_TRY(pinn_model_loss_and_gradient(s->model, &r->loss));
  r->steps = pinn_trainer_steps_done(s->trainer);
  r->loss_evaluations = pinn_trainer_loss_evaluations(s->trainer);
  pinn_phase phase = quasi_newton_steps > 0 ? pinn_trainer_quasi_newton_phase(s->trainer) : PINN_PHASE_ADAM;
  CORE_TRY(pinn_monitor_evaluate(s->monitor, r->steps, phase, r->loss));
  pinn_monitor_finish(s->monitor);
  pinn_errors e = pinn_monitor_last_errors(s->monitor);
  r->l2 = e.relative_l2;
  r->max_error = e.max_abs;
  r->wall = pinn_monitor_elapsed(s->monitor);
  return CORE_OK;
}

/* Round 0: the initial set and the initial training, already run and evaluated by the caller. */
static core_status initial_round(adaptive *a) {
  const pinn_model *model = a->setup->model;
  a->n_cur = pinn_model_point_count(model);
  sort_rows(a->n_cur, a->dim, pinn_model_points(model), a->sorted_cur);
  round_record r = {.n_points = a->n_cur, .moved = NAN, .fit_loss = NAN, .out_of_box = NAN,
                    .pool_mean = NAN, .pool_max = NAN, .new_mean = NAN, .kl_residual = NAN,
                    .ess_residual = NAN, .kl_fit = NAN, .ess_fit = NAN, .mass_outside = NAN,
                    .pool_ess = NAN};
  r.hash = hash_rows(a->n_cur, a->dim, a->sorted_cur);
  if (saves_round(a, 0))
    CORE_TRY(save_array(a, "points", 0, pinn_model_points(model), 2, a->n_cur));
  CORE_TRY(evaluate(a, a->c->trainer.lbfgs_steps, &r));
  return write_row(a, &r);
}

static core_status nonfinite_residual(const adaptive *a, int round, size_t i) {
  const pde_problem_type *type = a->c->problem.type;
  char where[256] = "";
  size_t used = 0;
  for (int j = 0; j < a->dim && used < sizeof where; j++)
    used += (size_t)snprintf(where + used, sizeof where - used, "%s%s = %g", j ? ", " : "",
                             type->input_names ? type->input_names[j] : "x",
                             a->pool[i * (size_t)a->dim + (size_t)j]);
  return CORE_FAIL(CORE_ERR_NUMERIC,
                   "round %d: the residual at pool point %zu (%s) is %g; the sampler cannot be "
                   "fitted to non-finite residuals",
                   round, i, where, a->pool_r[i]);
}

/* A "model" candidate pool needs a fitted sampler whose density is closed-form (realnvp,
 * spline: one pass through the flow; fm's is an ODE solve per point, too slow for a pool). */
static int draws_model_pool(const adaptive *a) {
  return a->c->adaptive.pool == PINN_POOL_CANDIDATES &&
         a->c->sampler.options.pool_proposal == GEN_POOL_MODEL &&
         takes_probabilities(a->sampler->type) && a->fits > 0;
}

/* Kish's effective sample size fraction (Σ w)^2 / (n Σ w^2) of the importance ratios. */
static double ratio_ess(size_t n, const double *w) {
  double sum = 0, sum2 = 0;
  for (size_t i = 0; i < n; i++) {
    sum += w[i];
    sum2 += w[i] * w[i];
  }
  return sum * sum / ((double)n * sum2);
}

/* n candidates from the defensive mixture (1 - α) q + α U: the first n - round(α n) from the
 * sampler, the rest uniform, with ratio_i = U / mixture = 1 / ((1 - α) q(x_i) V + α) (V the box
 * volume), which never exceeds 1/α however poorly q covers the box. */
static core_status draw_model_pool(adaptive *a, size_t n, round_record *r) {
  const pinn_adaptive_setup *s = a->setup;
  size_t d = (size_t)a->dim;
  double alpha = a->c->sampler.options.pool_uniform_share, log_volume = 0;
  size_t n_uniform = (size_t)llround(alpha * (double)n), n_model = n - n_uniform;
  for (int j = 0; j < a->dim; j++)
    log_volume += log(a->box.upper[j] - a->box.lower[j]);
  CORE_TRY(gen_sampler_sample(a->sampler, n_model, a->pool, s->rng));
  CORE_TRY(gen_sampler_sample(a->uniform, n_uniform, a->pool + n_model * d, s->rng));
  CORE_TRY(gen_sampler_log_density(a->sampler, n, a->pool, a->pool_logq));
  for (size_t i = 0; i < n; i++) {
    if (isnan(a->pool_logq[i]) || a->pool_logq[i] == INFINITY)
      return CORE_FAIL(CORE_ERR_NUMERIC, "model pool: the sampler's log density at candidate "
                       "%zu is %g", i, a->pool_logq[i]);
    double qv = exp(a->pool_logq[i] + log_volume); /* q over U; 0 outside q's support */
    /* A density so peaked that qv overflows still gets a positive (negligible) ratio. */
    a->pool_ratio[i] = fmax(1.0 / ((1.0 - alpha) * qv + alpha), DBL_MIN);
  }
  r->pool_from_model = n_model;
  r->pool_ess = ratio_ess(n, a->pool_ratio);
  return CORE_OK;
}

/* Step 1: the pool, its residuals and their statistics. */
static core_status measure_pool(adaptive *a, int round, round_record *r) {
  const pinn_adaptive_setup *s = a->setup;
  double t0 = core_clock_seconds();
  size_t n = a->n_cur, d = (size_t)a->dim;
  r->pool_ess = NAN;
  if (draws_model_pool(a)) {
    n = a->pool_capacity;
    CORE_TRY(draw_model_pool(a, n, r));
  } else if (a->c->adaptive.pool == PINN_POOL_CANDIDATES) {
    n = a->pool_capacity;
    CORE_TRY(gen_sampler_sample(a->uniform, n, a->pool, s->rng));
  } else {
    memcpy(a->pool, pinn_model_points(s->model), n * d * sizeof(double));
  }
  CORE_TRY(pinn_model_residuals(s->model, n, a->pool, a->pool_r));
  double sum = 0, max = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(a->pool_r[i]))
      return nonfinite_residual(a, round, i);
    a->abs_r[i] = fabs(a->pool_r[i]);
    sum += a->abs_r[i];
    max = fmax(max, a->abs_r[i]);
  }
  r->pool_points = n;
  r->pool_mean = sum / (double)n;
  r->pool_max = max;
  r->pool_seconds = core_clock_seconds() - t0;
  return CORE_OK;
}

static core_status check_inside(const adaptive *a, int round, size_t n, const double *x) {
  size_t d = (size_t)a->dim;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) {
      double v = x[i * d + j];
      if (!(v >= a->box.lower[j] && v <= a->box.upper[j]))
        return CORE_FAIL(CORE_ERR_NUMERIC,
                         "round %d: sampler '%s' returned point %zu with coordinate %zu = %g "
                         "outside [%g, %g]",
                         round, a->c->sampler.kind, i, j, v, a->box.lower[j], a->box.upper[j]);
    }
  return CORE_OK;
}

/* sampler.draw = "pool" (a flow sampler; the config guarantees a candidate pool that holds a
 * round's draw): the fit weights p, left in scratch by pinn_adaptive_fit, choose the new points
 * among the pool without replacement. The pool is uniform in round 1 (nothing fitted yet), the
 * flow's proposals afterwards. */
static core_status draw_from_sampler(adaptive *a, const round_record *r, double *fresh) {
  gsl_rng *rng = a->setup->rng;
  if (!a->selector)
    return gen_sampler_sample(a->sampler, r->from_sampler, fresh, rng);
  CORE_TRY(gen_sampler_fit(a->selector, r->pool_points, a->pool, a->scratch, rng));
  return gen_sampler_sample(a->selector, r->from_sampler, fresh, rng);
}

/* Step 3: next = [kept current points | sampler points | uniform points]. */
static core_status draw_next(adaptive *a, int round, size_t kept, round_record *r) {
  const pinn_adaptive_setup *s = a->setup;
  size_t d = (size_t)a->dim;
  memcpy(a->next, pinn_model_points(s->model), kept * d * sizeof(double));
  double *fresh = a->next + kept * d;
  double t0 = core_clock_seconds();
  if (r->from_sampler > 0)
    CORE_TRY(draw_from_sampler(a, r, fresh));
  if (r->uniform > 0)
    CORE_TRY(gen_sampler_sample(a->uniform, r->uniform, fresh + r->from_sampler * d, s->rng));
  r->sample_seconds = core_clock_seconds() - t0;
  r->n_points = kept + r->from_sampler + r->uniform;
  return check_inside(a, round, r->from_sampler + r->uniform, fresh);
}

/* Mean |r| at the sampler's new points under the network that chose them. */
static core_status score_new_points(adaptive *a, size_t kept, round_record *r) {
  r->new_mean = NAN;
  if (r->from_sampler == 0)
    return CORE_OK;
  const double *x = a->next + kept * (size_t)a->dim;
  CORE_TRY(pinn_model_residuals(a->setup->model, r->from_sampler, x, a->new_r));
  double sum = 0;
  for (size_t i = 0; i < r->from_sampler; i++)
    sum += fabs(a->new_r[i]);
  r->new_mean = sum / (double)r->from_sampler;
  return CORE_OK;
}

/* Moved fraction and hash of the new set; the new set's sorted rows become the current ones. */
static void compare_sets(adaptive *a, round_record *r) {
  sort_rows(r->n_points, a->dim, a->next, a->sorted_next);
  size_t fresh = count_new_rows(a->n_cur, a->sorted_cur, r->n_points, a->sorted_next);
  r->moved = r->n_points ? (double)fresh / (double)r->n_points : 0.0;
  r->hash = hash_rows(r->n_points, a->dim, a->sorted_next);
  point_row *t = a->sorted_cur;
  a->sorted_cur = a->sorted_next;
  a->sorted_next = t;
}

static core_status save_round(const adaptive *a, int round, const round_record *r) {
  if (!saves_round(a, round))
    return CORE_OK;
  CORE_TRY(save_array(a, "points", round, a->next, 2, r->n_points));
  CORE_TRY(save_array(a, "pool", round, a->pool, 2, r->pool_points));
  return save_array(a, "pool_residuals", round, a->pool_r, 1, r->pool_points);
}

static void log_round(const adaptive *a, const round_record *r) {
  core_log("round %d/%d %s fit %.1fs sample %.1fs moved %.0f%% loss %.2e L2 %.2e", r->round,
           a->c->adaptive.rounds, a->c->sampler.kind, r->fit_seconds, r->sample_seconds,
           100.0 * r->moved, r->loss, r->l2);
  /* Silent otherwise: with weights on a few points the flow can stay put round after round. */
  if (r->fit_unchanged)
    core_log("round %d: the %s refit kept its starting parameters (no epoch lowered the held-out NLL)",
             r->round, a->c->sampler.kind);
  if (r->diag_seconds > 0)
    core_log("round %d: grid diagnostics %.1fs (not in fit/sample/pool seconds)", r->round,
             r->diag_seconds);
}

static core_status run_round(adaptive *a, int round) {
  const pinn_adaptive_setup *s = a->setup;
  const pinn_config *c = a->c;
  pinn_round_counts counts = pinn_config_round_counts(c, round);
  round_record r = {.round = round, .from_sampler = counts.from_sampler, .uniform = counts.uniform};
  CORE_TRY(measure_pool(a, round, &r));
  double t0 = core_clock_seconds();
  CORE_TRY(pinn_adaptive_fit(a->sampler, &c->sampler.options, r.pool_points, a->pool, a->abs_r,
                             pool_ratio(a, &r), a->scratch, s->rng));
  a->fits++;
  r.fit_seconds = core_clock_seconds() - t0;
  size_t kept = c->adaptive.merge == PINN_MERGE_ADD ? a->n_cur : 0;
  CORE_TRY(draw_next(a, round, kept, &r));
  sampler_stats(a->sampler, &r.fit_loss, &r.out_of_box, &r.fit_unchanged);
  if (r.from_sampler == 0)
    r.out_of_box = NAN;
  CORE_TRY(score_new_points(a, kept, &r));
  compare_sets(a, &r);
  CORE_TRY(save_round(a, round, &r));
  CORE_TRY(grid_diagnostics(a, round, &r));
  CORE_TRY(pinn_model_set_points(s->model, r.n_points, a->next));
  a->n_cur = r.n_points;
  a->summary->fit_seconds += r.fit_seconds;
  a->summary->sample_seconds += r.sample_seconds;
  a->summary->pool_seconds += r.pool_seconds;
  pinn_monitor_set_round(s->monitor, round);
  CORE_TRY(pinn_trainer_run(s->trainer, c->adaptive.adam_steps, c->adaptive.lbfgs_steps,
                            c->adaptive.reset_adam));
  CORE_TRY(evaluate(a, c->adaptive.lbfgs_steps, &r));
  CORE_TRY(write_row(a, &r));
  log_round(a, &r);
  return CORE_OK;
}

/* "points", "candidates", or for a model proposal where the candidates come from, so a kind
 * that cannot draw its own pool says so instead of silently using uniform candidates. */
static void describe_pool(const adaptive *a, char *text, size_t size) {
  const pinn_config *c = a->c;
  const gen_options *o = &c->sampler.options;
  if (c->adaptive.pool != PINN_POOL_CANDIDATES || o->pool_proposal != GEN_POOL_MODEL)
    snprintf(text, size, "%s", pinn_pool_names[c->adaptive.pool]);
  else if (takes_probabilities(a->sampler->type))
    snprintf(text, size, "candidates from the model (%.0f%% uniform) after round 1%s",
             100.0 * o->pool_uniform_share,
             o->draw == GEN_DRAW_POOL ? ", new points selected among them by residual" : "");
  else
    snprintf(text, size, "candidates (uniform: '%s' has no closed-form density to draw a pool "
             "from)", c->sampler.kind);
}

core_status pinn_adaptive_run(const pinn_adaptive_setup *setup, pinn_adaptive_summary *summary) {
  memset(summary, 0, sizeof *summary);
  const pinn_config *c = setup->config;
  if (c->adaptive.rounds == 0)
    return CORE_OK;
  adaptive a;
  memset(&a, 0, sizeof a);
  core_status status = adaptive_open(&a, setup, summary);
  if (status == CORE_OK) {
    char pool[256];
    describe_pool(&a, pool, sizeof pool);
    core_log("adaptive: %d rounds of %d Adam + up to %d %s steps, sampler %s, merge %s, pool %s",
             c->adaptive.rounds, c->adaptive.adam_steps, c->adaptive.lbfgs_steps,
             c->trainer.quasi_newton == PINN_QUASI_NEWTON_BFGS ? "BFGS" : "L-BFGS", c->sampler.kind,
             pinn_merge_names[c->adaptive.merge], pool);
    status = initial_round(&a);
  }
  for (int k = 1; status == CORE_OK && k <= c->adaptive.rounds; k++) {
    status = run_round(&a, k);
    if (status == CORE_OK)
      summary->rounds = k;
  }
  core_status closed = adaptive_close(&a);
  return status != CORE_OK ? status : closed;
}
