/* ODE integrators for batches of points under a velocity field: dx/dt = v(x, t).
 *
 * Used by continuous flows (flow matching) to push source samples to the target (t: 0 -> 1)
 * and, with the augmented log-density state, to evaluate exact CNF densities (t: 1 -> 0).
 *
 * Augmented state: when `ell` is non-NULL, each point also carries a scalar ℓ with
 * dℓ/dt = ∇·v(x, t). Integrating backward from x1 at t = 1 with ℓ(1) = 0 to t = 0 gives
 * ℓ(0) = -∫_0^1 ∇·v dt and, by the instantaneous change of variables
 * d log p(x(t), t)/dt = -∇·v (Chen et al. 2018), log p1(x1) = log p0(x(0)) + ℓ(0).
 *
 * Methods: Euler, Heun (explicit trapezoid), classical RK4 with exactly `steps` uniform steps,
 * and SUNDIALS CVODE (Adams–Moulton, variable order 1..12, fixed-point corrector: the flows we
 * integrate are non-stiff, so no Jacobian or linear solver is needed).
 *
 * CVODE and the batch: by default (cvode_chunk = 0) the whole batch, n points × (d [+1])
 * components, is ONE ODE system. That lets every right-hand side be one batched network
 * evaluation, but CVODE's local error test then uses one weighted RMS norm over all samples:
 * the step size follows the batch's RMS error, and a single hard sample's error is diluted by
 * ~1/sqrt(n). cvode_chunk = k > 0 splits the batch into independent systems of at most k points
 * (k = 1: one system and one error test per sample, the strictest and slowest). */
#ifndef PINNSOLVE_GEN_ODE_H
#define PINNSOLVE_GEN_ODE_H

#include <stddef.h>

#include "core/status.h"

typedef enum gen_ode_method {
  GEN_ODE_EULER,
  GEN_ODE_HEUN,
  GEN_ODE_RK4,
  GEN_ODE_CVODE
} gen_ode_method;

/* "euler" | "heun" | "rk4" | "cvode" <-> method. parse fails with CORE_ERR_CONFIG. */
core_status gen_ode_method_parse(const char *name, gen_ode_method *out);
const char *gen_ode_method_name(gen_ode_method method);

typedef struct gen_ode_options {
  gen_ode_method method;
  int steps;        /* fixed-step methods: number of uniform steps, >= 1 */
  double rtol;      /* CVODE relative tolerance, > 0 */
  double atol;      /* CVODE absolute tolerance (every component), > 0 */
  long max_steps;   /* CVODE internal step limit per system (CVodeSetMaxNumSteps), > 0 */
  size_t cvode_chunk; /* points per CVODE system; 0 = the whole batch is one system */
} gen_ode_options;

/* RK4, 100 steps; CVODE rtol 1e-6, atol 1e-8, 50000 steps, whole batch as one system. */
gen_ode_options gen_ode_default_options(void);

/* Counters of one integrate call (summed over CVODE systems when the batch is chunked). */
typedef struct gen_ode_stats {
  long steps;             /* steps taken (fixed: == options.steps; CVODE: CVodeGetNumSteps) */
  long rhs_evals;         /* field evaluations on the batch or chunk (CVodeGetNumRhsEvals) */
  long error_test_fails;  /* CVODE only */
  long nonlin_conv_fails; /* CVODE only */
  int systems;            /* number of ODE systems solved (1 unless chunked CVODE) */
} gen_ode_stats;

/* Velocity field. x: (n, dim) row-major, borrowed; v: (n, dim) to fill; div: NULL, or (n) to
 * fill with ∇·v at each point (requested only when integrating the log-density). t may be any
 * value between t0 and t1 of the integrate call (CVODE is given t1 as stop time). */
typedef core_status (*gen_ode_field)(void *ctx, double t, size_t n, const double *x, double *v,
                                     double *div);

typedef struct gen_ode gen_ode;

/* Workspace for batches of up to max_points points in `dim` dimensions (options validated and
 * copied; NULL = defaults). */
core_status gen_ode_create(gen_ode **out, int dim, size_t max_points, const gen_ode_options *options);
void gen_ode_destroy(gen_ode *ode); /* NULL is a no-op */
const gen_ode_options *gen_ode_get_options(const gen_ode *ode);
/* Replaces the options (validated first; on failure the old ones stay). */
core_status gen_ode_set_options(gen_ode *ode, const gen_ode_options *options);

/* Integrates from t0 to t1 (t1 < t0 integrates backward), in place.
 * x: (n, dim) row-major, initial state in, final state out; n <= max_points.
 * ell: NULL, or (n): initial ℓ in, final ℓ out (dℓ/dt = ∇·v; see above).
 * stats: NULL or filled. Fails with the field's status, CORE_ERR_NUMERIC on a non-finite state,
 * CORE_ERR_SOLVER when CVODE fails (message carries CVODE's flag name). */
core_status gen_ode_integrate(gen_ode *ode, gen_ode_field field, void *ctx, double t0, double t1,
                              size_t n, double *x, double *ell, gen_ode_stats *stats);

#endif
