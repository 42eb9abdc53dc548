/* Residual weights and the weighted bootstrap that feeds density models.
 *
 * The rounds loop turns residuals into selection probabilities with one rule shared by RAD and
 * the bootstrap (Wu et al. 2023):  p_i ∝ |r_i|^k / mean(|r|^k) + c.
 * The bootstrap then draws m points with replacement with probabilities p, so a density model
 * fitted to the resample with equal weights learns p. Repeated draws are exact duplicates, on
 * which maximum likelihood diverges (REFERENCES §4); the dedupe policy in gen_options handles them. */
#ifndef PINNSOLVE_GEN_BOOTSTRAP_H
#define PINNSOLVE_GEN_BOOTSTRAP_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "core/status.h"
#include "gen/options.h"
#include "gen/sampler.h"

/* CORE_ERR_NUMERIC naming the first weight that is NaN, infinite or negative. w: (n), borrowed. */
core_status gen_weights_check(size_t n, const double *w);

/* p_i = (a_i^k / mean(a^k) + c) / (1 + c)  with a = w (nonnegative, e.g. |r|), so Σ p = 1.
 * Computed on a / max(a) so large k cannot overflow. When every a_i^k is 0 (all residuals
 * zero, k > 0) the first term is dropped and p is uniform. k = 0 gives uniform p (0^0 = 1).
 * w: (n) borrowed, may alias p; p: (n) written. n >= 1. CORE_ERR_NUMERIC for bad weights
 * (gen_weights_check), CORE_ERR_INVALID for k < 0, c < 0 or non-finite k, c. */
core_status gen_weights_normalise(size_t n, const double *w, double power, double offset,
                                  double *p);

/* The same target for a pool drawn from a proposal density q instead of uniformly over the box:
 * ratio_i = U(x_i) / q(x_i) (the uniform density over the proposal's, finite and > 0), and
 *   p_i ∝ ratio_i (a_i^k / m + c),   m = Σ ratio_i a_i^k / Σ ratio_i,
 * m being the self-normalised importance estimate of the uniform mean of a^k, so that p
 * reweights the pool towards the same distribution gen_weights_normalise gives a uniform pool.
 * ratio = NULL means all ones and gives gen_weights_normalise's result bit for bit.
 * CORE_ERR_NUMERIC for a bad ratio (not finite or <= 0), otherwise as gen_weights_normalise. */
core_status gen_weights_normalise_importance(size_t n, const double *w, const double *ratio,
                                             double power, double offset, double *p);

/* What one resample did, for the rounds log. */
typedef struct gen_bootstrap_report {
  size_t n_drawn;            /* m */
  size_t n_unique;           /* distinct source points among the m draws */
  double duplicate_fraction; /* (m - n_unique) / m: draws that repeat an earlier draw */
  size_t n_out;              /* rows written to out (m, or n_unique for GEN_DEDUPE_MERGE) */
  size_t n_jittered;         /* rows that received jitter (GEN_DEDUPE_JITTER) */
  double jitter_sd[GEN_MAX_DIM]; /* per-dimension jitter sd used (0 unless jitter) */
} gen_bootstrap_report;

/* Weighted bootstrap: draws m indices with replacement with p from gen_weights_normalise
 * (options->weight_power, ->weight_offset) using gsl_ran_discrete (Walker alias, O(1) a draw),
 * then applies options->dedupe:
 *   jitter: rows in draw order; the first draw of a source point is copied exactly, each repeat
 *           gets N(0, h_j^2) noise per dimension, reflected back into the box at the faces, with
 *           h_j = jitter_fraction · (upper_j - lower_j) · m^(-1/d).
 *           m^(-1/d)·width is the spacing of m points spread evenly over the box: this is the
 *           smoothed bootstrap (kernel bandwidth h) with h below the resolution m points can carry,
 *           so it moves the resample by less than its own sampling noise while separating copies by
 *           far more than rounding, which bounds the likelihood of any density model (a Silverman
 *           bandwidth, ∝ m^(-1/(d+4)), would blur the residual peaks we want to resolve).
 *   merge:  one row per distinct source point (in order of first draw), out_weights = its count.
 *   none:   rows in draw order, exact copies.
 * box: the domain (points inside it); points: (n, box->dim) borrowed; weights: (n) nonnegative or
 * NULL for equal weights; out: (m, box->dim) written (first report->n_out rows meaningful);
 * out_weights: (m) or NULL, written with the multiplicity (merge) or 1 (jitter, none);
 * report: may be NULL. n >= 1, m >= 0. */
core_status gen_bootstrap_resample(const gen_box *box, const gen_options *options, size_t n,
                                   const double *points, const double *weights, size_t m,
                                   double *out, double *out_weights, gen_bootstrap_report *report,
                                   gsl_rng *rng);

/* x reflected into [lo, hi] (as often as needed: a mirror-periodic extension of the interval). */
double gen_reflect(double x, double lo, double hi);

#endif
