/* pinnsolve's configuration: the struct, its TOML schema (pinn/config.c), loading with
 * command-line overrides, and the resolved-config writer for the run directory.
 *
 * Adding a key: add the field here and one descriptor line to the schema table in
 * pinn/config.c (key, kind, field, default as TOML text, bounds, help). A new section
 * ([sampler], [adaptive]) is a new nested struct here plus its lines in the table. */
#ifndef PINNSOLVE_PINN_CONFIG_H
#define PINNSOLVE_PINN_CONFIG_H

#include <stddef.h>

#include "core/status.h"
#include "gen/options.h"
#include "nn/mlp.h"
#include "pde/problem.h"

#define PINN_MAX_HIDDEN 15
#define PINN_NAME_SIZE 64
#define PINN_PATH_SIZE 1024

/* [points] kind; pinn_points_kind_names[kind] is its config spelling. */
typedef enum pinn_points_kind {
  PINN_POINTS_SOBOL,
  PINN_POINTS_UNIFORM,
  PINN_POINTS_LHS
} pinn_points_kind;
extern const char *const pinn_points_kind_names[]; /* NULL-terminated */

/* [adaptive] merge: how a round's new points form the next training set. */
typedef enum pinn_merge {
  PINN_MERGE_REPLACE, /* the n new points replace the set */
  PINN_MERGE_ADD,     /* add_points new points are appended to the set */
  PINN_MERGE_MIX      /* n points: (1 - uniform_fraction) n from the sampler, the rest uniform */
} pinn_merge;
extern const char *const pinn_merge_names[]; /* NULL-terminated */

/* [adaptive] pool: where residuals are measured before a refit. */
typedef enum pinn_pool {
  PINN_POOL_POINTS,    /* on the current training points */
  PINN_POOL_CANDIDATES /* on a fresh uniform candidate pool of sampler.pool_size points */
} pinn_pool;
extern const char *const pinn_pool_names[]; /* NULL-terminated */

/* [trainer] quasi_newton: the full-batch method of the lbfgs_steps phases. */
extern const char *const pinn_quasi_newton_names[]; /* NULL-terminated, pinn_quasi_newton order */

#define PINN_MAX_SAMPLER_SETTINGS 64

/* One sampler.<key> assignment as given (the last one per key), kept for the config writer. */
typedef struct pinn_sampler_setting {
  char key[48];   /* without "sampler." */
  char text[80];  /* the value as gen_options_set reads it */
  int is_string;  /* written back quoted */
} pinn_sampler_setting;

typedef struct pinn_config {
  char source[PINN_PATH_SIZE];       /* the config file ("<command line>" without one) */
  struct {
    char name[PINN_NAME_SIZE];       /* a registered problem type */
    const pde_problem_type *type;    /* resolved from name */
    double params[PDE_MAX_PARAMS];   /* type->n_params values, by type->param_names */
  } problem;
  struct {
    int hidden[PINN_MAX_HIDDEN];     /* widths of the hidden layers */
    int n_hidden;
    int activation;                  /* an nn_activation (NN_ACT_TANH, NN_ACT_SIN) */
  } network;
  struct {
    int n;                           /* collocation points */
    int kind;                        /* a pinn_points_kind */
  } points;
  struct {
    int adam_steps;
    int lbfgs_steps;
    double learning_rate;
    double lr_decay_rate;            /* lr = learning_rate * rate^(step / lr_decay_steps) */
    int lr_decay_steps;
    int lbfgs_history;
    int quasi_newton;                /* a pinn_quasi_newton: the method lbfgs_steps run */
    int bfgs_scaling;                /* an nn_bfgs_scaling */
    int eval_every;
  } trainer;
  struct {                           /* a tensor grid over [lower, upper], one entry per input */
    int points[NN_MAX_INPUTS];
    int n_points;
    double lower[NN_MAX_INPUTS];
    int n_lower;
    double upper[NN_MAX_INPUTS];
    int n_upper;
    int random_points;               /* > 0: this many random points instead of the grid */
    int seed;                        /* their generator's seed (not run.seed: same set each run) */
    double peak_fraction;            /* share of them drawn around peak_center */
    double peak_center[NN_MAX_INPUTS];
    int n_peak_center;               /* resolved to dim (default: the centre of the box) */
    double peak_width;               /* standard deviation per coordinate of the peak draws */
  } evaluation;
  struct {
    char kind[PINN_NAME_SIZE];       /* a registered gen sampler name */
    const gen_sampler_type *type;    /* resolved from kind */
    gen_options options;             /* gen_options_default() plus the sampler.<key> settings */
    pinn_sampler_setting settings[PINN_MAX_SAMPLER_SETTINGS];
    int n_settings;
  } sampler;
  struct {
    int rounds;                      /* 0: train on the initial points only */
    int adam_steps;                  /* per round */
    int lbfgs_steps;                 /* per round */
    int merge;                       /* a pinn_merge */
    double uniform_fraction;         /* mix: share of the n points drawn uniformly */
    int add_points;                  /* add: points appended per round (resolved, > 0 for add) */
    int pool;                        /* a pinn_pool */
    int reset_adam;                  /* clear Adam's moments at the start of every round */
    int save_every;                  /* write the round arrays every this many rounds (0: never) */
  } adaptive;
  struct {
    int seed;
    int threads;
    char out_root[PINN_PATH_SIZE];
  } run;
} pinn_config;

/* Loads `path` (NULL: overrides only), applies overrides ("trainer.adam_steps=500"), checks
 * everything. Missing file: CORE_ERR_IO "cannot read config 'x.toml': No such file or directory";
 * any other problem: CORE_ERR_CONFIG "<file>:<line>: <message>" (or "--set k=v: <message>"). */
core_status pinn_config_load(pinn_config *cfg, const char *path, int n_overrides,
                             const char *const *overrides);

/* The same from text, with messages naming `name`; `types` is a NULL-terminated problem registry
 * (NULL: pde_problem_types). For tests and tools that bring their own problem types. */
core_status pinn_config_load_string(pinn_config *cfg, const char *text, const char *name,
                                    int n_overrides, const char *const *overrides,
                                    const pde_problem_type *const *types);

/* Points of one adaptive round: drawn from the sampler, drawn uniformly (mix), and kept from
 * the previous set (add). */
typedef struct pinn_round_counts {
  size_t from_sampler, uniform, kept;
} pinn_round_counts;
/* For round k >= 1 (kept grows with k for "add"). */
pinn_round_counts pinn_config_round_counts(const pinn_config *cfg, int round);
/* The largest training set over the run: points.n, or points.n + rounds * add_points for "add". */
size_t pinn_config_max_points(const pinn_config *cfg);

/* Writes the resolved configuration as TOML (atomically: a temporary file renamed onto path).
 * Loading the written file gives the same configuration. */
core_status pinn_config_write(const pinn_config *cfg, const char *path);

#endif
