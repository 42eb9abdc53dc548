/* The adaptive-sampling rounds (DESIGN §1): after the initial training on fixed points, each
 * round k = 1..adaptive.rounds
 *   1. measures the residual r on a pool (the current points, or sampler.pool_size fresh
 *      candidates; adaptive.pool), the candidates uniform or, with sampler.pool_proposal =
 *      "model", drawn mostly from the sampler's last fit and importance-weighted,
 *   2. refits the one sampler of the run to the pool with weights from |r| (pinn_adaptive_fit),
 *   3. draws new points (from the sampler, or with sampler.draw = "pool" selects them among the
 *      pool's candidates by their fit weights) and merges them into the next training set
 *      (adaptive.merge):
 *        replace: n sampler points;  add: the current set + add_points sampler points;
 *        mix: (n - u) sampler points + u = round(uniform_fraction n) uniform points,
 *   4. trains adaptive.adam_steps Adam + adaptive.lbfgs_steps L-BFGS steps on the new set (Adam
 *      warm-started unless adaptive.reset_adam) and evaluates.
 * The sampler persists across rounds, so model samplers warm-start their refits. When its kind is
 * the points.kind that drew the initial set, it first skips points.n draws, so a deterministic
 * sequence (sobol) continues after the initial points instead of repeating them.
 *
 * Files in the run directory (rounds >= 1 only; rounds = 0 writes nothing and draws nothing):
 *   rounds.csv, one row per round, flushed as it is written; round 0 is the initial training:
 *     round, sampler, n_points, from_sampler, uniform,
 *     moved_fraction   share of the new set's rows absent from the previous set (byte equality,
 *                      counted as multisets),
 *     points_hash      pinn_point_set_hash of the new set (16 hex digits),
 *     fit_loss         fm: CFM loss of the fit; realnvp/spline: best held-out NLL (else the last
 *                      training NLL); nan for samplers without one,
 *     fit_seconds, sample_seconds (sampler and uniform draws of the round),
 *     pool_seconds     drawing the pool and evaluating its residuals,
 *     out_of_box       fm: points the flow carried out of the box and clamped/reflected; else nan,
 *     pool_points, pool_mean_abs_r, pool_max_abs_r (over the pool as drawn),
 *     new_mean_abs_r   mean |r| at the sampler's new points, before training on them,
 *     loss, l2, max_error (after the round's training), steps, wall_seconds;
 *   points_round_XXX.npy (n, dim) the set trained on in round XXX (000: the initial points),
 *   pool_round_XXX.npy (pool, dim) and pool_residuals_round_XXX.npy (pool) for rounds >= 1,
 *   written for rounds that are multiples of adaptive.save_every (never when it is 0).
 * Grid diagnostics, in saved rounds >= 1 only (they cost an extra residual pass over the
 * evaluation grid and, for fm, a CVODE log-density solve; other rounds leave the columns nan):
 *   weights_round_XXX.npy (pool)  p_i = (|r_i|^k / mean|r|^k + c) / (1 + c), the selection
 *                      probabilities the fit used (k = weight_power, c = weight_offset); only
 *                      for samplers with a fit (rad, realnvp, spline, fm),
 *   grid_residuals_round_XXX.npy  |r| on the evaluation grid, shaped like the grid, under the
 *                      network that scored the pool (before the round's training),
 *   grid_logdensity_round_XXX.npy log q of the fitted sampler on the density grid (the
 *                      evaluation grid, or for fm a coarser one: density_grid_points.npy) for
 *                      samplers with a density (not rad),
 *   rounds.csv columns kl_residual, ess_residual: KL(p || q) and the effective sample size
 *                      fraction 1 / sum_i p_i^2 / q_i of the target p ∝ |r|^k against the
 *                      sampler density q, both normalised over the density grid's points
 *                      where q > 0; mass_outside_support: the share of p where q = 0;
 *                      kl_fit_target, ess_fit_target: KL and ESS for the fit target
 *                      p ∝ |r|^k / mean|r|^k + c. Their cost is logged per round (not in rounds.csv).
 *   rounds.csv columns pool_from_model, pool_ess: with sampler.pool_proposal = "model" and a
 *                      fitted realnvp or spline sampler, the candidates drawn from the sampler
 *                      (the rest are uniform) and Kish's effective sample size fraction of the
 *                      pool's importance ratios (gen/options.h); 0 and nan for uniform pools.
 *   rounds.csv column loss_evaluations: the trainer's loss-and-gradient evaluations so far (each
 *                      Adam step one, each quasi-Newton step one per line-search trial), the
 *                      cost that steps alone hide when the line search works hard. */
#ifndef PINNSOLVE_PINN_ADAPTIVE_H
#define PINNSOLVE_PINN_ADAPTIVE_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "gen/sampler.h"
#include "pinn/config.h"
#include "pinn/model.h"
#include "pinn/monitor.h"
#include "pinn/trainer.h"

/* Everything borrowed. The model must have been created with pinn_config_max_points(config)
 * points and hold the initial set; the trainer has run the initial phase and the monitor has
 * evaluated its end. dir: the (staging) run directory. */
typedef struct pinn_adaptive_setup {
  const pinn_config *config;
  pinn_model *model;
  pinn_trainer *trainer;
  pinn_monitor *monitor;
  gsl_rng *rng;
  const char *dir;
  const pinn_evaluation *evaluation; /* the grid for the diagnostics; NULL: none */
} pinn_adaptive_setup;

typedef struct pinn_adaptive_summary {
  int rounds;            /* rounds completed */
  double fit_seconds;    /* total over the rounds */
  double sample_seconds; /* total over the rounds */
  double pool_seconds;   /* total over the rounds: pool draws and their residuals */
} pinn_adaptive_summary;

/* Runs the rounds. summary is filled even on failure (rounds completed so far). A non-finite
 * residual on the pool fails with CORE_ERR_NUMERIC naming the round and the point. */
core_status pinn_adaptive_run(const pinn_adaptive_setup *setup, pinn_adaptive_summary *summary);

/* Refits s to points (n, dim) with abs_r (n) = |r| >= 0. Weight conventions differ by type
 * (gen/samplers.h, gen/flow_sampler.h): rad and fm apply p ∝ |r|^k / mean|r|^k + c themselves
 * and get |r|; realnvp and spline take relative probabilities, so they get that p, formed here
 * with options->weight_power, ->weight_offset into scratch (n). ratio (n): the importance ratios
 * U / proposal of a pool not drawn uniformly (gen_weights_normalise_importance), realnvp and
 * spline only (CORE_ERR_INVALID for the others); NULL for a uniform pool. Samplers without a
 * fit only have their weights checked. Non-finite or negative weights: CORE_ERR_NUMERIC. */
core_status pinn_adaptive_fit(gen_sampler *s, const gen_options *options, size_t n,
                              const double *points, const double *abs_r, const double *ratio,
                              double *scratch, gsl_rng *rng);

/* FNV-1a 64 over the bytes of the rows of x (n, dim) taken in byte-lexicographic row order, so
 * the hash belongs to the point set (as a multiset), not to the order a sampler returned it. */
core_status pinn_point_set_hash(size_t n, int dim, const double *x, uint64_t *hash);

#endif
