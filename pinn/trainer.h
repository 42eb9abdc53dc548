/* Training phases on a fixed point set: Adam, then full-batch L-BFGS or BFGS. */
#ifndef PINNSOLVE_PINN_TRAINER_H
#define PINNSOLVE_PINN_TRAINER_H

#include "nn/adam.h"
#include "nn/bfgs.h"
#include "pinn/model.h"

typedef enum pinn_phase { PINN_PHASE_ADAM, PINN_PHASE_LBFGS, PINN_PHASE_BFGS } pinn_phase;

/* The quasi-Newton method of the phases after Adam: limited-memory (liblbfgs) or dense BFGS
 * (nn/bfgs.h), whose curvature carries over from call to call, e.g. across adaptive rounds. */
typedef enum pinn_quasi_newton { PINN_QUASI_NEWTON_LBFGS, PINN_QUASI_NEWTON_BFGS } pinn_quasi_newton;
const char *pinn_phase_name(pinn_phase phase);

/* Called after every optimizer step with the loss before that step's update (Adam) or after the
 * accepted iteration (L-BFGS). step counts across phases and calls. Non-OK stops training. */
typedef core_status (*pinn_step_hook)(void *ctx, long step, pinn_phase phase, double loss);

typedef struct pinn_trainer_options {
  long adam_steps;
  long lbfgs_steps;
  nn_adam_options adam;
  int lbfgs_history;
  pinn_quasi_newton quasi_newton;
  nn_bfgs_scaling bfgs_scaling;
} pinn_trainer_options;

typedef struct pinn_trainer pinn_trainer;

core_status pinn_trainer_create(pinn_trainer **out, pinn_model *model, nn_mlp *net,
                                const pinn_trainer_options *options, pinn_step_hook hook, void *hook_ctx);
void pinn_trainer_destroy(pinn_trainer *t);

/* Runs adam_steps Adam steps then up to lbfgs_steps quasi-Newton iterations on the model's current
 * points. Adam's moments persist across calls (warm start); pass reset_adam to clear them. */
core_status pinn_trainer_run(pinn_trainer *t, long adam_steps, long lbfgs_steps, int reset_adam);
long pinn_trainer_steps_done(const pinn_trainer *t);
/* Loss-and-gradient evaluations so far: the cost of the steps (a quasi-Newton step whose line
 * search tries several points costs several). */
long pinn_trainer_loss_evaluations(const pinn_trainer *t);
/* The phase lbfgs_steps > 0 runs (PINN_PHASE_LBFGS or PINN_PHASE_BFGS). */
pinn_phase pinn_trainer_quasi_newton_phase(const pinn_trainer *t);
double pinn_trainer_last_loss(const pinn_trainer *t);

#endif
