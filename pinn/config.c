/* pinnsolve's configuration schema and loader (see pinn/config.h). */
#include "pinn/config.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/config.h"
#include "core/toml.h"
#include "gen/sampler.h"
#include "gen/samplers.h"

const char *const pinn_points_kind_names[] = {"sobol", "uniform", "lhs", NULL};
const char *const pinn_merge_names[] = {"replace", "add", "mix", NULL};
const char *const pinn_pool_names[] = {"points", "candidates", NULL};
const char *const pinn_quasi_newton_names[] = {"lbfgs", "bfgs", NULL};
static const char *const bfgs_scaling_names[] = {"none", "oren_luenberger", "al_baali", NULL};

static const char *const activation_names[] = {"tanh", "sin", NULL};
static const int activation_values[] = {NN_ACT_TANH, NN_ACT_SIN};

#define F(field) offsetof(pinn_config, field)

/* One line per key: name, kind, field, default (TOML text), then bounds and help. Integer
 * bounds are inclusive unless a flag says otherwise. */
static const core_config_key schema[] = {
    {"problem.name", CORE_CONFIG_STRING, F(problem.name), NULL, .flags = CORE_CONFIG_REQUIRED,
     .max_len = PINN_NAME_SIZE, .help = "registered problem type; its parameters follow"},

    {"network.hidden", CORE_CONFIG_INT_ARRAY, F(network.hidden), "[64, 64, 64]", .min = 1,
     .max = 1024, .min_len = 1, .max_len = PINN_MAX_HIDDEN, .count_offset = F(network.n_hidden),
     .help = "widths of the hidden layers"},
    {"network.activation", CORE_CONFIG_CHOICE, F(network.activation), "\"tanh\"",
     .choices = activation_names, .choice_values = activation_values,
     .help = "hidden-layer activation"},

    {"points.n", CORE_CONFIG_INT, F(points.n), "2000", .min = 1, .max = 10000000,
     .help = "number of collocation points"},
    {"points.kind", CORE_CONFIG_CHOICE, F(points.kind), "\"sobol\"",
     .choices = pinn_points_kind_names, .help = "initial collocation point placement"},

    {"trainer.adam_steps", CORE_CONFIG_INT, F(trainer.adam_steps), "10000", .min = 0,
     .max = INT_MAX, .help = "Adam steps"},
    {"trainer.lbfgs_steps", CORE_CONFIG_INT, F(trainer.lbfgs_steps), "0", .min = 0,
     .max = INT_MAX, .help = "L-BFGS iterations after Adam"},
    {"trainer.learning_rate", CORE_CONFIG_FLOAT, F(trainer.learning_rate), "1e-3", .min = 0,
     .max = 1, .flags = CORE_CONFIG_MIN_EXCLUSIVE, .help = "Adam learning rate"},
    {"trainer.lr_decay_rate", CORE_CONFIG_FLOAT, F(trainer.lr_decay_rate), "1.0", .min = 0,
     .max = 1, .flags = CORE_CONFIG_MIN_EXCLUSIVE,
     .help = "learning-rate factor per lr_decay_steps steps"},
    {"trainer.lr_decay_steps", CORE_CONFIG_INT, F(trainer.lr_decay_steps), "1000", .min = 1,
     .max = INT_MAX, .help = "steps per learning-rate decay factor"},
    {"trainer.lbfgs_history", CORE_CONFIG_INT, F(trainer.lbfgs_history), "50", .min = 1,
     .max = 1000, .help = "L-BFGS history length"},
    {"trainer.quasi_newton", CORE_CONFIG_CHOICE, F(trainer.quasi_newton), "\"lbfgs\"",
     .choices = pinn_quasi_newton_names,
     .help = "method of the lbfgs_steps phases: lbfgs (limited memory) or bfgs (dense, keeps curvature)"},
    {"trainer.bfgs_scaling", CORE_CONFIG_CHOICE, F(trainer.bfgs_scaling), "\"none\"",
     .choices = bfgs_scaling_names, .help = "BFGS self-scaling: none, oren_luenberger or al_baali (nn/bfgs.h)"},
    {"trainer.eval_every", CORE_CONFIG_INT, F(trainer.eval_every), "500", .min = 1,
     .max = INT_MAX, .help = "steps between evaluations"},

    {"evaluation.points", CORE_CONFIG_INT_ARRAY, F(evaluation.points), NULL, .min = 2,
     .max = 100000, .min_len = 1, .max_len = NN_MAX_INPUTS, .count_offset = F(evaluation.n_points),
     .help = "grid points per input (default 100 each)"},
    {"evaluation.lower", CORE_CONFIG_FLOAT_ARRAY, F(evaluation.lower), NULL, .min_len = 1,
     .max_len = NN_MAX_INPUTS, .count_offset = F(evaluation.n_lower),
     .help = "lower corner of the evaluation grid (default: the problem's box)"},
    {"evaluation.upper", CORE_CONFIG_FLOAT_ARRAY, F(evaluation.upper), NULL, .min_len = 1,
     .max_len = NN_MAX_INPUTS, .count_offset = F(evaluation.n_upper),
     .help = "upper corner of the evaluation grid (default: the problem's box)"},
    {"evaluation.random_points", CORE_CONFIG_INT, F(evaluation.random_points), "0", .min = 0,
     .max = 10000000,
     .help = "> 0: evaluate on this many random points in [lower, upper] instead of the grid"},
    {"evaluation.seed", CORE_CONFIG_INT, F(evaluation.seed), "1", .min = 0, .max = INT_MAX,
     .help = "seed of the random evaluation points (fixed, so every run sees the same set)"},
    {"evaluation.peak_fraction", CORE_CONFIG_FLOAT, F(evaluation.peak_fraction), "0.0", .min = 0,
     .max = 1, .help = "share of the random points drawn from a Gaussian around peak_center"},
    {"evaluation.peak_center", CORE_CONFIG_FLOAT_ARRAY, F(evaluation.peak_center), NULL,
     .min_len = 1, .max_len = NN_MAX_INPUTS, .count_offset = F(evaluation.n_peak_center),
     .help = "centre of the peak draws (default: the centre of the box)"},
    {"evaluation.peak_width", CORE_CONFIG_FLOAT, F(evaluation.peak_width), "0.1", .min = 0,
     .max = 1e6, .flags = CORE_CONFIG_MIN_EXCLUSIVE,
     .help = "standard deviation per coordinate of the peak draws"},

    {"sampler.kind", CORE_CONFIG_STRING, F(sampler.kind), "\"uniform\"", .max_len = PINN_NAME_SIZE,
     .help = "sampler of the adaptive rounds (uniform, sobol, lhs, rad, realnvp, spline, fm); "
             "its settings are sampler.<key> (gen/options.h)"},

    {"adaptive.rounds", CORE_CONFIG_INT, F(adaptive.rounds), "0", .min = 0, .max = 1000000,
     .help = "resample-and-train rounds after the initial training (0: fixed points)"},
    {"adaptive.adam_steps", CORE_CONFIG_INT, F(adaptive.adam_steps), "1000", .min = 0,
     .max = INT_MAX, .help = "Adam steps per round"},
    {"adaptive.lbfgs_steps", CORE_CONFIG_INT, F(adaptive.lbfgs_steps), "0", .min = 0,
     .max = INT_MAX, .help = "L-BFGS iterations per round, after its Adam steps"},
    {"adaptive.merge", CORE_CONFIG_CHOICE, F(adaptive.merge), "\"replace\"",
     .choices = pinn_merge_names,
     .help = "replace: n new points; add: append add_points; mix: n with a uniform share"},
    {"adaptive.uniform_fraction", CORE_CONFIG_FLOAT, F(adaptive.uniform_fraction), "0.1",
     .min = 0, .max = 1, .help = "mix: fraction of the n points drawn uniformly"},
    {"adaptive.add_points", CORE_CONFIG_INT, F(adaptive.add_points), "0", .min = 0,
     .max = 10000000, .help = "add: points appended per round (0: points.n / rounds)"},
    {"adaptive.pool", CORE_CONFIG_CHOICE, F(adaptive.pool), "\"candidates\"",
     .choices = pinn_pool_names,
     .help = "residuals for the refit on the current points or on sampler.pool_size uniform "
             "candidates"},
    {"adaptive.reset_adam", CORE_CONFIG_BOOL, F(adaptive.reset_adam), "false",
     .help = "clear Adam's moments at every round (false: warm start)"},
    {"adaptive.save_every", CORE_CONFIG_INT, F(adaptive.save_every), "1", .min = 0,
     .max = INT_MAX,
     .help = "write points/pool/residual arrays every this many rounds (0: never)"},

    {"run.seed", CORE_CONFIG_INT, F(run.seed), "1234", .min = 0, .max = INT_MAX,
     .help = "random seed"},
    {"run.threads", CORE_CONFIG_INT, F(run.threads), "1", .min = 1, .max = 64,
     .help = "worker threads"},
    {"run.out_root", CORE_CONFIG_STRING, F(run.out_root), "\"runs\"", .max_len = PINN_PATH_SIZE,
     .help = "directory that receives run directories"},
};

#define N_SCHEMA ((int)(sizeof schema / sizeof schema[0]))

/* ---- [problem] parameters ------------------------------------------------------------------ */

static core_status find_problem(pinn_config *cfg, const core_config *binder,
                                const pde_problem_type *const *types) {
  const char *names[64];
  int n = 0;
  for (const pde_problem_type *const *t = types; *t; t++) {
    if (strcmp((*t)->name, cfg->problem.name) == 0) {
      pde_problem p;
      pde_problem_init(&p, *t);
      cfg->problem.type = *t;
      memcpy(cfg->problem.params, p.params, sizeof cfg->problem.params);
      return CORE_OK;
    }
    if (n < 64)
      names[n++] = (*t)->name;
  }
  const char *origin = core_config_origin(binder, "problem.name");
  const char *s = core_config_suggest(cfg->problem.name, names, n);
  char known[512] = "";
  for (int i = 0, used = 0; i < n && used < (int)sizeof known; i++)
    used += snprintf(known + used, sizeof known - (size_t)used, "%s%s", i ? ", " : "", names[i]);
  if (s)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown problem '%s' (did you mean '%s'?)", origin,
                     cfg->problem.name, s);
  return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown problem '%s' (known problems: %s)", origin,
                   cfg->problem.name, n ? known : "none");
}

/* Dynamic keys of [problem]: the parameters of the chosen type, as numbers. */
static core_status bind_param(void *user, const char *name, const core_toml_value *v,
                              const char *origin) {
  pinn_config *cfg = user;
  const pde_problem_type *type = cfg->problem.type;
  int index = pde_problem_param_index(type, name);
  if (index < 0) {
    char full[PDE_MAX_PARAMS + 1][96], key[128];
    const char *names[PDE_MAX_PARAMS + 1];
    int n = 0;
    for (; n < type->n_params; n++) {
      snprintf(full[n], sizeof full[n], "problem.%s", type->param_names[n]);
      names[n] = full[n];
    }
    names[n++] = "problem.name";
    snprintf(key, sizeof key, "problem.%s", name);
    const char *s = core_config_suggest(key, names, n);
    if (s)
      return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown key '%s' (did you mean '%s'?)", origin, key,
                       s);
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown key '%s' (problem '%s' has %d parameters)",
                     origin, key, type->name, type->n_params);
  }
  if (v->type != CORE_TOML_INT && v->type != CORE_TOML_FLOAT)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: problem.%s must be a number, got %s", origin, name,
                     core_toml_type_name(v->type));
  double x = v->type == CORE_TOML_INT ? (double)v->as.i : v->as.f;
  if (!isfinite(x))
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: problem.%s must be a finite number, got %g", origin,
                     name, x);
  cfg->problem.params[index] = x;
  return CORE_OK;
}

/* ---- [evaluation] against the problem's dimension ----------------------------------------- */

static core_status check_length(const core_config *binder, const pinn_config *cfg,
                                const char *key, int n) {
  const char *origin = core_config_origin(binder, key);
  int dim = cfg->problem.type->dim;
  if (n != dim)
    return CORE_FAIL(CORE_ERR_CONFIG,
                     "%s: %s must have %d entries (one per input of problem '%s'), got %d",
                     origin, key, dim, cfg->problem.type->name, n);
  return CORE_OK;
}

/* A grid is the product of its counts: 100 per axis is fine in 2-D, not in 10-D. */
static core_status check_grid_size(const pinn_config *cfg, const core_config *binder) {
  if (cfg->evaluation.random_points > 0)
    return CORE_OK;
  double total = 1.0;
  for (int i = 0; i < cfg->evaluation.n_points; i++)
    total *= cfg->evaluation.points[i];
  if (total <= 1e8)
    return CORE_OK;
  const char *origin = core_config_origin(binder, "evaluation.points");
  return CORE_FAIL(CORE_ERR_CONFIG,
                   "%s: the evaluation grid would have %.3g points (limit 1e8); use fewer "
                   "evaluation.points or evaluation.random_points", origin ? origin :
                   core_config_source(binder), total);
}

static core_status resolve_evaluation(pinn_config *cfg, const core_config *binder) {
  const pde_problem_type *type = cfg->problem.type;
  int dim = type->dim;
  if (!core_config_origin(binder, "evaluation.points")) {
    cfg->evaluation.n_points = dim;
    for (int i = 0; i < dim; i++)
      cfg->evaluation.points[i] = 100;
  }
  if (!core_config_origin(binder, "evaluation.lower")) {
    cfg->evaluation.n_lower = dim;
    memcpy(cfg->evaluation.lower, type->lower, (size_t)dim * sizeof(double));
  }
  if (!core_config_origin(binder, "evaluation.upper")) {
    cfg->evaluation.n_upper = dim;
    memcpy(cfg->evaluation.upper, type->upper, (size_t)dim * sizeof(double));
  }
  if (!core_config_origin(binder, "evaluation.peak_center")) {
    cfg->evaluation.n_peak_center = dim;
    for (int i = 0; i < dim; i++)
      cfg->evaluation.peak_center[i] = 0.5 * (cfg->evaluation.lower[i] + cfg->evaluation.upper[i]);
  }
  CORE_TRY(check_length(binder, cfg, "evaluation.peak_center", cfg->evaluation.n_peak_center));
  CORE_TRY(check_grid_size(cfg, binder));
  CORE_TRY(check_length(binder, cfg, "evaluation.points", cfg->evaluation.n_points));
  CORE_TRY(check_length(binder, cfg, "evaluation.lower", cfg->evaluation.n_lower));
  CORE_TRY(check_length(binder, cfg, "evaluation.upper", cfg->evaluation.n_upper));
  for (int i = 0; i < dim; i++) {
    if (cfg->evaluation.lower[i] < cfg->evaluation.upper[i])
      continue;
    const char *origin = core_config_origin(binder, "evaluation.upper");
    if (!origin)
      origin = core_config_origin(binder, "evaluation.lower");
    return CORE_FAIL(CORE_ERR_CONFIG,
                     "%s: evaluation.lower[%d] must be < evaluation.upper[%d], got %g >= %g",
                     origin, i, i, cfg->evaluation.lower[i], cfg->evaluation.upper[i]);
  }
  return CORE_OK;
}

/* ---- [sampler] settings and [adaptive] combinations ------------------------------------- */

/* The sampler hook's state: the config and where each recorded setting came from. */
typedef struct sampler_binding {
  pinn_config *cfg;
  char origins[PINN_MAX_SAMPLER_SETTINGS][160];
} sampler_binding;

/* Re-records the message of a failure that had no origin as "<origin>: <message>". */
static core_status fail_with_origin(const char *origin) {
  char message[512];
  snprintf(message, sizeof message, "%s", core_error_message());
  core_error_clear();
  return CORE_FAIL(CORE_ERR_CONFIG, "%s: %s", origin, message);
}

static core_status unknown_sampler_key(const char *name, const char *origin) {
  char full[128][64], key[128], known[1536] = "";
  const char *names[128];
  int n = 0, used = 0;
  for (size_t i = 0; gen_options_key(i) && n < 127; i++, n++) {
    snprintf(full[n], sizeof full[n], "sampler.%s", gen_options_key(i));
    names[n] = full[n];
    if (used < (int)sizeof known)
      used += snprintf(known + used, sizeof known - (size_t)used, "%s%s", i ? ", " : "",
                       gen_options_key(i));
  }
  names[n++] = "sampler.kind";
  snprintf(key, sizeof key, "sampler.%s", name);
  const char *s = core_config_suggest(key, names, n);
  if (s)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown key '%s' (did you mean '%s'?)", origin, key, s);
  return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown key '%s' (sampler settings: %s)", origin, key,
                   known);
}

static int is_sampler_key(const char *name) {
  for (size_t i = 0; gen_options_key(i); i++)
    if (strcmp(gen_options_key(i), name) == 0)
      return 1;
  return 0;
}

/* The text gen_options_set reads: numbers as written back exactly (%.17g), words as they are. */
static core_status sampler_value_text(const core_toml_value *v, const char *name,
                                      const char *origin, char *text, size_t size,
                                      int *is_string) {
  *is_string = v->type == CORE_TOML_STRING;
  int len = 0;
  switch (v->type) {
  case CORE_TOML_INT:
    len = snprintf(text, size, "%lld", v->as.i);
    break;
  case CORE_TOML_FLOAT:
    len = snprintf(text, size, "%.17g", v->as.f);
    break;
  case CORE_TOML_BOOL:
    len = snprintf(text, size, "%s", v->as.b ? "true" : "false");
    break;
  case CORE_TOML_STRING:
    len = snprintf(text, size, "%s", v->as.s);
    break;
  default:
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: sampler.%s must be a single value, got %s", origin,
                     name, core_toml_type_name(v->type));
  }
  if (len < 0 || (size_t)len >= size)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: sampler.%s is longer than %zu characters", origin,
                     name, size - 1);
  return CORE_OK;
}

/* Dynamic keys of [sampler]: every key gen/options.c knows, set through gen_options_set. */
static core_status bind_sampler_option(void *user, const char *name, const core_toml_value *v,
                                       const char *origin) {
  sampler_binding *b = user;
  pinn_config *cfg = b->cfg;
  if (!is_sampler_key(name))
    return unknown_sampler_key(name, origin);
  char text[sizeof cfg->sampler.settings[0].text];
  int is_string = 0;
  CORE_TRY(sampler_value_text(v, name, origin, text, sizeof text, &is_string));
  if (gen_options_set(&cfg->sampler.options, name, text) != CORE_OK)
    return fail_with_origin(origin);
  int i = 0;
  while (i < cfg->sampler.n_settings && strcmp(cfg->sampler.settings[i].key, name) != 0)
    i++;
  if (i == PINN_MAX_SAMPLER_SETTINGS)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: more than %d sampler settings", origin,
                     PINN_MAX_SAMPLER_SETTINGS);
  if (i == cfg->sampler.n_settings)
    cfg->sampler.n_settings++;
  pinn_sampler_setting *s = &cfg->sampler.settings[i];
  snprintf(s->key, sizeof s->key, "%s", name);
  snprintf(s->text, sizeof s->text, "%s", text);
  s->is_string = is_string;
  snprintf(b->origins[i], sizeof b->origins[i], "%s", origin);
  return CORE_OK;
}

/* Where sampler.<key> was set, or NULL. */
static const char *setting_origin(const sampler_binding *b, const char *key) {
  for (int i = 0; i < b->cfg->sampler.n_settings; i++)
    if (strcmp(b->cfg->sampler.settings[i].key, key) == 0)
      return b->origins[i];
  return NULL;
}

static core_status find_sampler(pinn_config *cfg, const core_config *binder) {
  cfg->sampler.type = gen_sampler_type_find(cfg->sampler.kind);
  if (cfg->sampler.type)
    return CORE_OK;
  const char *names[64];
  char known[512] = "";
  int n = 0;
  for (const gen_sampler_type *const *t = gen_sampler_types; *t && n < 64; t++, n++) {
    names[n] = (*t)->name;
    size_t used = strlen(known);
    snprintf(known + used, sizeof known - used, "%s%s", n ? ", " : "", (*t)->name);
  }
  const char *origin = core_config_origin(binder, "sampler.kind");
  const char *s = core_config_suggest(cfg->sampler.kind, names, n);
  if (s)
    return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown sampler '%s' (did you mean '%s'?)",
                     origin ? origin : core_config_source(binder), cfg->sampler.kind, s);
  return CORE_FAIL(CORE_ERR_CONFIG, "%s: unknown sampler '%s' (known samplers: %s)",
                   origin ? origin : core_config_source(binder), cfg->sampler.kind, known);
}

/* gen_options_validate names the field; the message gets the line of a setting it mentions. */
static core_status validate_sampler(const pinn_config *cfg, const core_config *binder,
                                    const sampler_binding *b) {
  if (gen_options_validate(&cfg->sampler.options) == CORE_OK)
    return CORE_OK;
  const char *origin = core_config_source(binder);
  for (int i = 0; i < cfg->sampler.n_settings; i++)
    if (strstr(core_error_message(), cfg->sampler.settings[i].key)) {
      origin = b->origins[i];
      break;
    }
  return fail_with_origin(origin);
}

static const char *origin_or(const core_config *binder, const char *key, const char *fallback) {
  const char *origin = core_config_origin(binder, key);
  return origin ? origin : fallback;
}

/* RAD (and a flow with sampler.draw = "pool") draws distinct points of the pool it was fitted
 * on, so the pool must hold a round's draw. */
static core_status check_rad_pool(const pinn_config *cfg, const core_config *binder,
                                  const sampler_binding *b) {
  size_t drawn = pinn_config_round_counts(cfg, 1).from_sampler;
  const char *source = core_config_source(binder);
  if (cfg->adaptive.pool == PINN_POOL_CANDIDATES && drawn > cfg->sampler.options.pool_size) {
    const char *origin = setting_origin(b, "pool_size");
    return CORE_FAIL(CORE_ERR_CONFIG,
                     "%s: sampler.pool_size (%zu) must be at least the %zu points %s draws per "
                     "round (adaptive.merge = \"%s\")",
                     origin ? origin : origin_or(binder, "sampler.kind", source),
                     cfg->sampler.options.pool_size, drawn, cfg->sampler.type->name,
                     pinn_merge_names[cfg->adaptive.merge]);
  }
  if (cfg->adaptive.pool == PINN_POOL_POINTS && drawn > (size_t)cfg->points.n)
    return CORE_FAIL(CORE_ERR_CONFIG,
                     "%s: adaptive.add_points (%zu) must be <= points.n (%d) for rad with "
                     "adaptive.pool = \"points\" (rad draws distinct points of the pool)",
                     origin_or(binder, "adaptive.add_points", source), drawn, cfg->points.n);
  return CORE_OK;
}

static core_status resolve_adaptive(pinn_config *cfg, const core_config *binder,
                                    const sampler_binding *b) {
  if (cfg->adaptive.merge == PINN_MERGE_ADD && cfg->adaptive.add_points == 0 &&
      cfg->adaptive.rounds > 0) {
    int per_round = cfg->points.n / cfg->adaptive.rounds;
    cfg->adaptive.add_points = per_round > 0 ? per_round : 1;
  }
  if (cfg->adaptive.rounds == 0)
    return CORE_OK;
  if (pinn_config_max_points(cfg) > 10000000) {
    const char *source = core_config_source(binder);
    return CORE_FAIL(CORE_ERR_CONFIG,
                     "%s: points.n + adaptive.rounds * adaptive.add_points = %zu exceeds 10000000",
                     origin_or(binder, "adaptive.add_points",
                               origin_or(binder, "adaptive.rounds", source)),
                     pinn_config_max_points(cfg));
  }
  const char *kind = cfg->sampler.type->name;
  int flow = cfg->sampler.type == &gen_sampler_realnvp || cfg->sampler.type == &gen_sampler_spline;
  int selects = flow && cfg->sampler.options.draw == GEN_DRAW_POOL;
  if (selects && cfg->adaptive.pool != PINN_POOL_CANDIDATES)
    return CORE_FAIL(CORE_ERR_CONFIG,
                     "%s: sampler.draw = \"pool\" selects among candidates and needs "
                     "adaptive.pool = \"candidates\"",
                     origin_or(binder, "adaptive.pool", core_config_source(binder)));
  if (strcmp(kind, "rad") == 0 || selects)
    return check_rad_pool(cfg, binder, b);
  return CORE_OK;
}

pinn_round_counts pinn_config_round_counts(const pinn_config *cfg, int round) {
  pinn_round_counts c = {0, 0, 0};
  size_t n = (size_t)cfg->points.n;
  switch (cfg->adaptive.merge) {
  case PINN_MERGE_ADD:
    c.from_sampler = (size_t)cfg->adaptive.add_points;
    c.kept = n + (size_t)(round > 1 ? round - 1 : 0) * (size_t)cfg->adaptive.add_points;
    break;
  case PINN_MERGE_MIX:
    c.uniform = (size_t)floor(cfg->adaptive.uniform_fraction * (double)n + 0.5);
    c.from_sampler = n - c.uniform;
    break;
  default:
    c.from_sampler = n;
  }
  return c;
}

size_t pinn_config_max_points(const pinn_config *cfg) {
  size_t n = (size_t)cfg->points.n;
  if (cfg->adaptive.merge == PINN_MERGE_ADD)
    n += (size_t)cfg->adaptive.rounds * (size_t)cfg->adaptive.add_points;
  return n;
}

/* ---- loading ------------------------------------------------------------------------------- */

static core_status bind_all(pinn_config *cfg, core_config *binder, const core_toml_doc *doc,
                            int n_overrides, const char *const *overrides,
                            const pde_problem_type *const *types, sampler_binding *sampler) {
  CORE_TRY(core_config_add_dynamic(binder, "problem", bind_param, cfg));
  CORE_TRY(core_config_add_dynamic(binder, "sampler", bind_sampler_option, sampler));
  CORE_TRY(core_config_bind(binder, doc, n_overrides, overrides));
  CORE_TRY(find_problem(cfg, binder, types));
  CORE_TRY(find_sampler(cfg, binder));
  CORE_TRY(core_config_bind_dynamic(binder));
  CORE_TRY(resolve_evaluation(cfg, binder));
  CORE_TRY(validate_sampler(cfg, binder, sampler));
  return resolve_adaptive(cfg, binder, sampler);
}

static core_status load_doc(pinn_config *cfg, const core_toml_doc *doc, int n_overrides,
                            const char *const *overrides, const pde_problem_type *const *types) {
  memset(cfg, 0, sizeof *cfg);
  snprintf(cfg->source, sizeof cfg->source, "%s", doc ? core_toml_doc_name(doc) : "<command line>");
  cfg->sampler.options = gen_options_default();
  core_config *binder = NULL;
  CORE_TRY(core_config_create(&binder, schema, N_SCHEMA, cfg));
  sampler_binding sampler = {.cfg = cfg};
  core_status s = bind_all(cfg, binder, doc, n_overrides, overrides,
                           types ? types : pde_problem_types, &sampler);
  core_config_destroy(binder);
  return s;
}

core_status pinn_config_load(pinn_config *cfg, const char *path, int n_overrides,
                             const char *const *overrides) {
  core_toml_doc *doc = NULL;
  if (path)
    CORE_TRY(core_toml_parse_file(&doc, path));
  core_status s = load_doc(cfg, doc, n_overrides, overrides, NULL);
  core_toml_doc_destroy(doc);
  return s;
}

core_status pinn_config_load_string(pinn_config *cfg, const char *text, const char *name,
                                    int n_overrides, const char *const *overrides,
                                    const pde_problem_type *const *types) {
  core_toml_doc *doc = NULL;
  CORE_TRY(core_toml_parse_string(&doc, text, name));
  core_status s = load_doc(cfg, doc, n_overrides, overrides, types);
  core_toml_doc_destroy(doc);
  return s;
}

/* ---- writing ------------------------------------------------------------------------------- */

/* sampler.<key> settings as they were given (gen_options_set reads the same text back). */
static void write_sampler_settings(const pinn_config *cfg, FILE *out) {
  for (int i = 0; i < cfg->sampler.n_settings; i++) {
    const pinn_sampler_setting *s = &cfg->sampler.settings[i];
    fprintf(out, "%s = ", s->key);
    if (s->is_string)
      core_config_write_string(out, s->text);
    else
      fputs(s->text, out);
    fputc('\n', out);
  }
}

static void write_params(void *user, const char *table, FILE *out) {
  const pinn_config *cfg = user;
  const pde_problem_type *type = cfg->problem.type;
  if (strcmp(table, "sampler") == 0)
    write_sampler_settings(cfg, out);
  if (strcmp(table, "problem") != 0 || !type)
    return;
  for (int i = 0; i < type->n_params; i++) {
    fprintf(out, "%s = ", type->param_names[i]);
    core_config_write_float(out, cfg->problem.params[i]);
    fputc('\n', out);
  }
}

core_status pinn_config_write(const pinn_config *cfg, const char *path) {
  core_atomic_file *file = NULL;
  CORE_TRY(core_atomic_file_open(&file, path));
  FILE *out = core_atomic_file_stream(file);
  fprintf(out, "# pinnsolve resolved configuration (from %s)\n\n", cfg->source);
  core_status s = core_config_write(out, schema, N_SCHEMA, cfg, write_params, (void *)cfg);
  if (s != CORE_OK) {
    core_atomic_file_abort(file);
    return s;
  }
  return core_atomic_file_commit(file);
}
