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

const char *const pinn_points_kind_names[] = {"sobol", "uniform", "lhs", NULL};

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

/* ---- loading ------------------------------------------------------------------------------- */

static core_status bind_all(pinn_config *cfg, core_config *binder, const core_toml_doc *doc,
                            int n_overrides, const char *const *overrides,
                            const pde_problem_type *const *types) {
  CORE_TRY(core_config_add_dynamic(binder, "problem", bind_param, cfg));
  CORE_TRY(core_config_bind(binder, doc, n_overrides, overrides));
  CORE_TRY(find_problem(cfg, binder, types));
  CORE_TRY(core_config_bind_dynamic(binder));
  return resolve_evaluation(cfg, binder);
}

static core_status load_doc(pinn_config *cfg, const core_toml_doc *doc, int n_overrides,
                            const char *const *overrides, const pde_problem_type *const *types) {
  memset(cfg, 0, sizeof *cfg);
  snprintf(cfg->source, sizeof cfg->source, "%s", doc ? core_toml_doc_name(doc) : "<command line>");
  core_config *binder = NULL;
  CORE_TRY(core_config_create(&binder, schema, N_SCHEMA, cfg));
  core_status s = bind_all(cfg, binder, doc, n_overrides, overrides, types ? types : pde_problem_types);
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

static void write_params(void *user, const char *table, FILE *out) {
  const pinn_config *cfg = user;
  const pde_problem_type *type = cfg->problem.type;
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
