/* pinnsolve's configuration: the struct, its TOML schema (pinn/config.c), loading with
 * command-line overrides, and the resolved-config writer for the run directory.
 *
 * Adding a key: add the field here and one descriptor line to the schema table in
 * pinn/config.c (key, kind, field, default as TOML text, bounds, help). A new section
 * ([sampler], [adaptive]) is a new nested struct here plus its lines in the table. */
#ifndef PINNSOLVE_PINN_CONFIG_H
#define PINNSOLVE_PINN_CONFIG_H

#include "core/status.h"
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
    int eval_every;
  } trainer;
  struct {                           /* a tensor grid over [lower, upper], one entry per input */
    int points[NN_MAX_INPUTS];
    int n_points;
    double lower[NN_MAX_INPUTS];
    int n_lower;
    double upper[NN_MAX_INPUTS];
    int n_upper;
  } evaluation;
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

/* Writes the resolved configuration as TOML (atomically: a temporary file renamed onto path).
 * Loading the written file gives the same configuration. */
core_status pinn_config_write(const pinn_config *cfg, const char *path);

#endif
