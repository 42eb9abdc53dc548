#include "pinn/trainer.h"

#include <stdlib.h>
#include <string.h>

#include "nn/lbfgs.h"

struct pinn_trainer {
  pinn_model *model;
  nn_mlp *net;
  pinn_trainer_options options;
  nn_adam *adam;
  nn_bfgs *bfgs; /* created at the first BFGS phase; keeps its curvature from call to call */
  double *x;     /* the quasi-Newton methods' own copy of the parameters (n_params) */
  pinn_step_hook hook;
  void *hook_ctx;
  long step;
  long loss_evaluations; /* Adam: one per step; quasi-Newton: every line-search trial as well */
  double last_loss;
};

const char *pinn_phase_name(pinn_phase phase) {
  static const char *const names[] = {"adam", "lbfgs", "bfgs"};
  return names[phase];
}

pinn_phase pinn_trainer_quasi_newton_phase(const pinn_trainer *t) {
  return t->options.quasi_newton == PINN_QUASI_NEWTON_BFGS ? PINN_PHASE_BFGS : PINN_PHASE_LBFGS;
}

core_status pinn_trainer_create(pinn_trainer **out, pinn_model *model, nn_mlp *net,
                                const pinn_trainer_options *options, pinn_step_hook hook, void *hook_ctx) {
  *out = NULL;
  pinn_trainer *t = calloc(1, sizeof *t);
  if (!t)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating trainer");
  t->model = model;
  t->net = net;
  t->options = *options;
  t->hook = hook;
  t->hook_ctx = hook_ctx;
  core_status status = nn_adam_create(&t->adam, net->n_params, &options->adam);
  t->x = status == CORE_OK ? malloc(net->n_params * sizeof(double)) : NULL;
  if (status == CORE_OK && !t->x)
    status = CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating trainer");
  if (status != CORE_OK) {
    pinn_trainer_destroy(t);
    return status;
  }
  *out = t;
  return CORE_OK;
}

void pinn_trainer_destroy(pinn_trainer *t) {
  if (!t)
    return;
  nn_adam_destroy(t->adam);
  nn_bfgs_destroy(t->bfgs);
  free(t->x);
  free(t);
}

long pinn_trainer_steps_done(const pinn_trainer *t) { return t->step; }
long pinn_trainer_loss_evaluations(const pinn_trainer *t) { return t->loss_evaluations; }
double pinn_trainer_last_loss(const pinn_trainer *t) { return t->last_loss; }

static core_status report_step(pinn_trainer *t, pinn_phase phase, double loss) {
  t->step++;
  t->last_loss = loss;
  return t->hook ? t->hook(t->hook_ctx, t->step, phase, loss) : CORE_OK;
}

static core_status adam_phase(pinn_trainer *t, long steps) {
  for (long k = 0; k < steps; k++) {
    double loss = 0;
    CORE_TRY(pinn_model_loss_and_gradient(t->model, &loss));
    t->loss_evaluations++;
    CORE_TRY(nn_adam_step(t->adam, t->net->params, t->net->grads));
    CORE_TRY(report_step(t, PINN_PHASE_ADAM, loss));
  }
  return CORE_OK;
}

/* The quasi-Newton methods work on their own copy of the parameters; each evaluation loads
 * them into the net. */
static core_status quasi_newton_objective(void *ctx, const double *x, double *grad, double *loss) {
  pinn_trainer *t = ctx;
  memcpy(t->net->params, x, t->net->n_params * sizeof(double));
  CORE_TRY(pinn_model_loss_and_gradient(t->model, loss));
  t->loss_evaluations++;
  memcpy(grad, t->net->grads, t->net->n_params * sizeof(double));
  return CORE_OK;
}

static int quasi_newton_progress(void *ctx, int iteration, double loss, const double *x) {
  (void)iteration;
  pinn_trainer *t = ctx;
  /* The hook may evaluate the model: give it the accepted parameters, not a line-search trial. */
  memcpy(t->net->params, x, t->net->n_params * sizeof(double));
  return report_step(t, pinn_trainer_quasi_newton_phase(t), loss) != CORE_OK;
}

/* Both methods write their final point into t->x; the net takes it whatever the status. */
static core_status finish_quasi_newton(pinn_trainer *t, core_status status, int iterations, double final_loss) {
  memcpy(t->net->params, t->x, t->net->n_params * sizeof(double));
  if (status == CORE_OK && iterations > 0)
    t->last_loss = final_loss;
  return status;
}

static core_status lbfgs_phase(pinn_trainer *t, long steps) {
  nn_lbfgs_options options = nn_lbfgs_default_options();
  options.max_iterations = (int)steps;
  options.history = t->options.lbfgs_history;
  nn_lbfgs_report report;
  memcpy(t->x, t->net->params, t->net->n_params * sizeof(double));
  core_status status = nn_lbfgs_minimize(t->net->n_params, t->x, quasi_newton_objective, quasi_newton_progress,
                                         t, &options, &report);
  return finish_quasi_newton(t, status, report.iterations, report.final_loss);
}

static core_status bfgs_phase(pinn_trainer *t, long steps) {
  if (!t->bfgs) {
    nn_bfgs_options options = nn_bfgs_default_options();
    options.scaling = t->options.bfgs_scaling;
    CORE_TRY(nn_bfgs_create(&t->bfgs, t->net->n_params, &options));
  }
  memcpy(t->x, t->net->params, t->net->n_params * sizeof(double));
  nn_bfgs_report report;
  core_status status = nn_bfgs_minimize(t->bfgs, t->x, (int)steps, quasi_newton_objective, quasi_newton_progress,
                                        t, &report);
  return finish_quasi_newton(t, status, report.iterations, report.final_loss);
}

core_status pinn_trainer_run(pinn_trainer *t, long adam_steps, long lbfgs_steps, int reset_adam) {
  if (reset_adam)
    nn_adam_reset(t->adam);
  CORE_TRY(adam_phase(t, adam_steps));
  if (lbfgs_steps <= 0)
    return CORE_OK;
  if (t->options.quasi_newton == PINN_QUASI_NEWTON_BFGS)
    return bfgs_phase(t, lbfgs_steps);
  return lbfgs_phase(t, lbfgs_steps);
}
