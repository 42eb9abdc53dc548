#include "pinn/run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/json.h"
#include "core/log.h"
#include "core/npy.h"
#include "core/rng.h"
#include "core/run_dir.h"
#include "gen/options.h"
#include "gen/samplers.h"
#include "pinn/adaptive.h"
#include "pinn/blas_setup.h"
#include "pinn/evaluation.h"
#include "pinn/model.h"
#include "pinn/monitor.h"
#include "pinn/trainer.h"
#include "pinn/version.h"

/* Everything a run owns; released in one place whatever step failed. */
typedef struct run_state {
  const pinn_config *config;
  pde_problem problem;
  gsl_rng *rng;
  nn_mlp *net;
  double *points;
  pinn_model *model;
  pinn_evaluation *evaluation;
  core_run_dir *dir;
  FILE *metrics;
  pinn_monitor *monitor;
  pinn_trainer *trainer;
  pinn_adaptive_summary adaptive;
} run_state;

static void run_state_release(run_state *s) {
  pinn_trainer_destroy(s->trainer);
  pinn_monitor_destroy(s->monitor);
  if (s->metrics)
    fclose(s->metrics);
  core_run_dir_destroy(s->dir);
  pinn_evaluation_destroy(s->evaluation);
  pinn_model_destroy(s->model);
  free(s->points);
  nn_mlp_destroy(s->net);
  if (s->rng)
    gsl_rng_free(s->rng);
}

static gen_box problem_box(const pde_problem_type *type) {
  gen_box box = {.dim = type->dim};
  for (int i = 0; i < type->dim; i++) {
    box.lower[i] = type->lower[i];
    box.upper[i] = type->upper[i];
  }
  return box;
}

static core_status create_network(run_state *s) {
  const pinn_config *c = s->config;
  int widths[NN_MAX_LAYERS + 1];
  widths[0] = pinn_model_network_inputs(s->problem.type);
  for (int l = 0; l < c->network.n_hidden; l++)
    widths[l + 1] = c->network.hidden[l];
  widths[c->network.n_hidden + 1] = 1;
  CORE_TRY(nn_mlp_create(&s->net, c->network.n_hidden + 2, widths, (nn_activation)c->network.activation));
  nn_mlp_init_glorot(s->net, s->rng);
  return CORE_OK;
}

/* The fixed collocation points, drawn by the sampler named like the [points] kind. */
static core_status draw_collocation_points(run_state *s) {
  const pinn_config *c = s->config;
  const gen_sampler_type *type = gen_sampler_type_find(pinn_points_kind_names[c->points.kind]);
  if (!type)
    return CORE_FAIL(CORE_ERR_INVALID, "no sampler for points kind '%s'", pinn_points_kind_names[c->points.kind]);
  gen_box box = problem_box(s->problem.type);
  gen_options options = gen_options_default();
  gen_sampler *sampler = NULL;
  CORE_TRY(gen_sampler_create(&sampler, type, &box, &options, s->rng));
  size_t n = (size_t)c->points.n;
  s->points = malloc(n * (size_t)box.dim * sizeof(double));
  core_status status = s->points ? gen_sampler_sample(sampler, n, s->points, s->rng)
                                 : CORE_FAIL(CORE_ERR_NOMEM, "out of memory for %zu points", n);
  gen_sampler_destroy(sampler);
  return status;
}

static core_status open_run_directory(run_state *s, const pinn_run_request *request) {
  const pinn_config *c = s->config;
  CORE_TRY(core_run_dir_create(&s->dir, c->run.out_root, c->problem.name, request->out_dir));
  char path[4096];
  CORE_TRY(core_run_dir_path(s->dir, "config.toml", path, sizeof path));
  CORE_TRY(pinn_config_write(c, path));
  CORE_TRY(core_run_dir_path(s->dir, "metrics.csv", path, sizeof path));
  s->metrics = fopen(path, "w");
  if (!s->metrics)
    return CORE_FAIL(CORE_ERR_IO, "cannot write '%s'", path);
  return CORE_OK;
}

/* The grid, or the fixed random set when evaluation.random_points > 0. */
static core_status create_evaluation(run_state *s) {
  const pinn_config *c = s->config;
  if (c->evaluation.random_points > 0) {
    pinn_random_points spec = {.n = (size_t)c->evaluation.random_points,
                               .seed = (unsigned long)c->evaluation.seed,
                               .peak_fraction = c->evaluation.peak_fraction,
                               .peak_center = c->evaluation.peak_center,
                               .peak_width = c->evaluation.peak_width};
    CORE_TRY(pinn_evaluation_create_random(&s->evaluation, &s->problem, &spec,
                                           c->evaluation.lower, c->evaluation.upper));
  } else {
    CORE_TRY(pinn_evaluation_create(&s->evaluation, &s->problem, c->evaluation.points,
                                    c->evaluation.lower, c->evaluation.upper));
  }
  if (s->evaluation->reference)
    core_log("%s: %zu evaluation points, reference error %.2e (relative L2), %.2e (max)",
             c->problem.name, s->evaluation->n, s->evaluation->reference_error,
             s->evaluation->reference_max_error);
  return CORE_OK;
}

static core_status build_run(run_state *s, const pinn_run_request *request) {
  const pinn_config *c = s->config;
  pde_problem_init(&s->problem, c->problem.type);
  memcpy(s->problem.params, c->problem.params, sizeof s->problem.params);
  pinn_blas_set_threads(c->run.threads);
  s->rng = core_rng_create((unsigned long)c->run.seed);
  if (!s->rng)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the random number generator");
  CORE_TRY(create_network(s));
  CORE_TRY(draw_collocation_points(s));
  CORE_TRY(pinn_model_create(&s->model, &s->problem, s->net, pinn_config_max_points(c)));
  CORE_TRY(pinn_model_set_points(s->model, (size_t)c->points.n, s->points));
  CORE_TRY(create_evaluation(s));
  CORE_TRY(open_run_directory(s, request));
  pinn_monitor_options monitor_options = {
      .eval_every = c->trainer.eval_every,
      .total_steps = (long)c->trainer.adam_steps + c->trainer.lbfgs_steps +
                     (long)c->adaptive.rounds * (c->adaptive.adam_steps + c->adaptive.lbfgs_steps),
      .live = request->live_progress,
      .quiet = request->quiet,
  };
  CORE_TRY(pinn_monitor_create(&s->monitor, s->model, s->evaluation, s->metrics, &monitor_options));
  pinn_trainer_options trainer_options = {
      .adam_steps = c->trainer.adam_steps,
      .lbfgs_steps = c->trainer.lbfgs_steps,
      .adam = nn_adam_default_options(),
      .lbfgs_history = c->trainer.lbfgs_history,
      .quasi_newton = (pinn_quasi_newton)c->trainer.quasi_newton,
      .bfgs_scaling = (nn_bfgs_scaling)c->trainer.bfgs_scaling,
  };
  trainer_options.adam.learning_rate = c->trainer.learning_rate;
  trainer_options.adam.decay_rate = c->trainer.lr_decay_rate;
  trainer_options.adam.decay_steps = c->trainer.lr_decay_steps;
  return pinn_trainer_create(&s->trainer, s->model, s->net, &trainer_options, pinn_monitor_step, s->monitor);
}

static core_status write_npy(const run_state *s, const char *name, const double *data, int ndim,
                             const size_t *shape) {
  char path[4096];
  CORE_TRY(core_run_dir_path(s->dir, name, path, sizeof path));
  return core_npy_write(path, data, ndim, shape);
}

/* |r| of the final network on the evaluation grid, for the report's residual map. */
static core_status write_grid_residuals(const run_state *s, int ndim, const size_t *shape) {
  const pinn_evaluation *e = s->evaluation;
  double *r = malloc(e->n * sizeof *r);
  if (!r)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the grid residuals");
  core_status status = pinn_model_residuals(s->model, e->n, e->x, r);
  for (size_t p = 0; status == CORE_OK && p < e->n; p++)
    r[p] = fabs(r[p]);
  if (status == CORE_OK)
    status = write_npy(s, "grid_residuals.npy", r, ndim, shape);
  free(r);
  return status;
}

/* Grid arrays shaped like the grid (axis i has counts[i] points), points as (n, dim). */
static core_status write_arrays(const run_state *s) {
  const pinn_evaluation *e = s->evaluation;
  size_t grid_shape[NN_MAX_INPUTS], dim = (size_t)e->dim;
  for (int i = 0; i < e->dim; i++)
    grid_shape[i] = (size_t)e->counts[i];
  int grid_ndim = e->dim <= 4 && e->is_grid ? e->dim : 1;
  if (grid_ndim == 1)
    grid_shape[0] = e->n;
  size_t points_shape[2] = {e->n, dim};
  CORE_TRY(write_npy(s, "eval_points.npy", e->x, 2, points_shape));
  CORE_TRY(write_npy(s, "prediction.npy", e->prediction, grid_ndim, grid_shape));
  if (e->reference) {
    double *error = malloc(e->n * sizeof *error);
    if (!error)
      return CORE_FAIL(CORE_ERR_NOMEM, "out of memory for the error map");
    for (size_t p = 0; p < e->n; p++)
      error[p] = e->prediction[p] - e->reference[p];
    core_status status = write_npy(s, "reference.npy", e->reference, grid_ndim, grid_shape);
    if (status == CORE_OK)
      status = write_npy(s, "error.npy", error, grid_ndim, grid_shape);
    free(error);
    CORE_TRY(status);
  }
  CORE_TRY(write_grid_residuals(s, grid_ndim, grid_shape));
  size_t n = pinn_model_point_count(s->model);
  size_t colloc_shape[2] = {n, dim};
  CORE_TRY(write_npy(s, "collocation_points.npy", pinn_model_points(s->model), 2, colloc_shape));
  return write_npy(s, "residuals.npy", pinn_model_last_residuals(s->model), 1, colloc_shape);
}

static core_status write_summary(const run_state *s, const pinn_run_result *r) {
  char path[4096];
  CORE_TRY(core_run_dir_path(s->dir, "summary.json", path, sizeof path));
  core_atomic_file *file = NULL;
  CORE_TRY(core_atomic_file_open(&file, path));
  core_json json;
  core_json_init(&json, core_atomic_file_stream(file));
  const pinn_config *c = s->config;
  core_json_begin_object(&json);
  core_json_member_string(&json, "problem", c->problem.name);
  core_json_member_number(&json, "relative_l2", r->relative_l2);
  core_json_member_number(&json, "max_error", r->max_error);
  core_json_member_number(&json, "reference_error", s->evaluation->reference_error);
  core_json_member_number(&json, "reference_max_error", s->evaluation->reference_max_error);
  core_json_member_int(&json, "evaluation_points", (long long)s->evaluation->n);
  core_json_member_number(&json, "final_loss", pinn_trainer_last_loss(s->trainer));
  core_json_member_int(&json, "steps", r->steps);
  core_json_member_int(&json, "loss_evaluations", pinn_trainer_loss_evaluations(s->trainer));
  core_json_member_int(&json, "adam_steps", c->trainer.adam_steps);
  core_json_member_int(&json, "lbfgs_steps", c->trainer.lbfgs_steps);
  core_json_member_int(&json, "collocation_points", (long long)pinn_model_point_count(s->model));
  core_json_member_int(&json, "parameters", (long long)s->net->n_params);
  core_json_member_number(&json, "wall_seconds", r->wall_seconds);
  core_json_member_string(&json, "sampler", c->sampler.kind);
  core_json_member_int(&json, "rounds", s->adaptive.rounds);
  core_json_member_number(&json, "fit_seconds", s->adaptive.fit_seconds);
  core_json_member_number(&json, "sample_seconds", s->adaptive.sample_seconds);
  core_json_member_number(&json, "pool_seconds", s->adaptive.pool_seconds);
  core_json_member_number(&json, "fit_sample_fraction",
                          r->wall_seconds > 0 ? (s->adaptive.fit_seconds + s->adaptive.sample_seconds) /
                                                    r->wall_seconds
                                              : 0.0);
  core_json_member_int(&json, "seed", c->run.seed);
  core_json_member_int(&json, "threads", c->run.threads);
  core_json_member_string(&json, "pinnsolve_version", pinn_version());
  core_json_member_string(&json, "libraries", pinn_library_versions());
  core_json_end_object(&json);
  core_status status = core_json_finish(&json);
  if (status != CORE_OK) {
    core_atomic_file_abort(file);
    return status;
  }
  return core_atomic_file_commit(file);
}

static core_status train_and_record(run_state *s, pinn_run_result *result) {
  const pinn_config *c = s->config;
  core_log("%s: %d collocation points (%s), network %d parameters, %d Adam + up to %d %s steps",
           c->problem.name, c->points.n, pinn_points_kind_names[c->points.kind], (int)s->net->n_params,
           c->trainer.adam_steps, c->trainer.lbfgs_steps,
           c->trainer.quasi_newton == PINN_QUASI_NEWTON_BFGS ? "BFGS" : "L-BFGS");
  core_status status = pinn_trainer_run(s->trainer, c->trainer.adam_steps, c->trainer.lbfgs_steps, 0);
  long steps = pinn_trainer_steps_done(s->trainer);
  /* The final row: after the last step (and for the residuals, on the final parameters). */
  double loss = 0;
  if (status == CORE_OK)
    status = pinn_model_loss_and_gradient(s->model, &loss);
  pinn_phase last_phase =
      c->trainer.lbfgs_steps > 0 ? pinn_trainer_quasi_newton_phase(s->trainer) : PINN_PHASE_ADAM;
  if (status == CORE_OK)
    status = pinn_monitor_evaluate(s->monitor, steps, last_phase, loss);
  pinn_adaptive_setup adaptive = {.config = c, .model = s->model, .trainer = s->trainer, .monitor = s->monitor,
                                  .rng = s->rng, .dir = core_run_dir_staging_path(s->dir),
                                  .evaluation = s->evaluation};
  if (status == CORE_OK)
    status = pinn_adaptive_run(&adaptive, &s->adaptive); /* no-op for adaptive.rounds = 0 */
  steps = pinn_trainer_steps_done(s->trainer);
  pinn_monitor_finish(s->monitor);
  CORE_TRY(status);
  pinn_errors errors = pinn_monitor_last_errors(s->monitor);
  result->relative_l2 = errors.relative_l2;
  result->max_error = errors.max_abs;
  result->steps = steps;
  result->wall_seconds = pinn_monitor_elapsed(s->monitor);
  return CORE_OK;
}

/* ---- --report: scripts/report on the finished run directory ------------------------------- */

#define REPORT_PYTHON "/usr/bin/python3"

static bool is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* scripts/report from $PINNSOLVE_SOURCE_DIR, then the source tree this file was compiled from
 * (CMake passes absolute source paths, so __FILE__ is <source>/pinn/run.c), then ../scripts next
 * to the executable (a build directory inside the source tree). */
static bool find_report_script(char *out, size_t size) {
  const char *env = getenv("PINNSOLVE_SOURCE_DIR");
  if (env && (size_t)snprintf(out, size, "%s/scripts/report", env) < size && is_file(out))
    return true;
  const char *self = __FILE__, *tail = strstr(self, "pinn/run.c");
  if (self[0] == '/' && tail &&
      (size_t)snprintf(out, size, "%.*sscripts/report", (int)(tail - self), self) < size &&
      is_file(out))
    return true;
  char exe[4096];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0)
    return false;
  exe[len] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash)
    *slash = '\0';
  return (size_t)snprintf(out, size, "%s/../scripts/report", exe) < size && is_file(out);
}

/* Runs argv[0] with argv and returns its exit status (-1 if it could not run). */
static int run_child(char *const argv[], bool silent) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    if (silent && (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)))
      _exit(127);
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
    return -1;
  return WEXITSTATUS(status);
}

/* A failed or impossible report does not fail the run: it says why and how to get one. */
static void make_report(const char *run_dir) {
  char script[4096];
  char *probe[] = {REPORT_PYTHON, "-c", "import numpy, matplotlib", NULL};
  if (!is_file(REPORT_PYTHON) || run_child(probe, true) != 0) {
    fprintf(stderr, "pinnsolve: --report needs %s with numpy and matplotlib: "
                    "apt-get install python3-numpy python3-matplotlib, then run "
                    "scripts/report %s\n", REPORT_PYTHON, run_dir);
    return;
  }
  if (!find_report_script(script, sizeof script)) {
    fprintf(stderr, "pinnsolve: --report: scripts/report not found (this pinnsolve was not run "
                    "from its source tree; set PINNSOLVE_SOURCE_DIR to it), then run "
                    "scripts/report %s\n", run_dir);
    return;
  }
  char *argv[] = {REPORT_PYTHON, script, (char *)run_dir, NULL};
  int code = run_child(argv, false);
  if (code != 0)
    fprintf(stderr, "pinnsolve: --report: %s failed (exit status %d)\n", script, code);
}

core_status pinn_run(const pinn_config *config, const pinn_run_request *request, pinn_run_result *result) {
  memset(result, 0, sizeof *result);
  run_state s = {.config = config};
  core_status status = build_run(&s, request);
  if (status == CORE_OK)
    status = train_and_record(&s, result);
  if (status == CORE_OK)
    status = write_arrays(&s);
  if (status == CORE_OK)
    status = write_summary(&s, result);
  if (status == CORE_OK && fclose(s.metrics) != 0)
    status = CORE_FAIL(CORE_ERR_IO, "cannot write metrics.csv");
  s.metrics = NULL;
  if (status == CORE_OK)
    status = core_run_dir_finish(s.dir, result->run_dir, sizeof result->run_dir);
  if (status == CORE_OK)
    core_log("run directory: %s (%.1f s)", result->run_dir, result->wall_seconds);
  else if (s.dir && !core_run_dir_is_finished(s.dir))
    fprintf(stderr, "pinnsolve: partial results kept in %s\n", core_run_dir_staging_path(s.dir));
  run_state_release(&s);
  if (status == CORE_OK && request->report)
    make_report(result->run_dir);
  return status;
}
