#include "gen/bootstrap.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

core_status gen_weights_check(size_t n, const double *w) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(w[i]) || w[i] < 0.0)
      return CORE_FAIL(CORE_ERR_NUMERIC,
                       "weight %zu of %zu is %g: weights must be finite and nonnegative", i, n,
                       w[i]);
  return CORE_OK;
}

core_status gen_weights_normalise(size_t n, const double *w, double power, double offset,
                                  double *p) {
  return gen_weights_normalise_importance(n, w, NULL, power, offset, p);
}

static core_status check_ratios(size_t n, const double *ratio) {
  for (size_t i = 0; ratio && i < n; i++)
    if (!(isfinite(ratio[i]) && ratio[i] > 0.0))
      return CORE_FAIL(CORE_ERR_NUMERIC,
                       "importance ratio %zu of %zu is %g: ratios must be finite and > 0", i, n,
                       ratio[i]);
  return CORE_OK;
}

core_status gen_weights_normalise_importance(size_t n, const double *w, const double *ratio,
                                             double power, double offset, double *p) {
  if (n == 0)
    return CORE_FAIL(CORE_ERR_INVALID, "cannot form selection probabilities for 0 points");
  if (!(isfinite(power) && power >= 0.0) || !(isfinite(offset) && offset >= 0.0))
    return CORE_FAIL(CORE_ERR_INVALID, "weight power %g and offset %g must be finite and >= 0",
                     power, offset);
  CORE_TRY(gen_weights_check(n, w));
  CORE_TRY(check_ratios(n, ratio));
  double wmax = 0.0;
  for (size_t i = 0; i < n; i++)
    wmax = fmax(wmax, w[i]);
  /* a^k / mean(a^k) is invariant under a -> a/max(a); the scaled form cannot overflow.
   * p may alias w, so each p[i] overwrites w[i] only after its last read. */
  double weighted_sum = 0.0, ratio_sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    double r = ratio ? ratio[i] : 1.0;
    p[i] = wmax > 0.0 ? pow(w[i] / wmax, power) : (power == 0.0 ? 1.0 : 0.0);
    weighted_sum += r * p[i];
    ratio_sum += r;
  }
  double mean = weighted_sum / ratio_sum;
  double total = 0.0;
  for (size_t i = 0; i < n; i++) {
    double r = ratio ? ratio[i] : 1.0;
    p[i] = r * ((mean > 0.0 ? p[i] / mean : 0.0) + offset);
    total += p[i];
  }
  if (!(total > 0.0)) /* all residuals zero and c = 0: nothing prefers any point */
    for (size_t i = 0; i < n; i++)
      total += p[i] = ratio ? ratio[i] : 1.0;
  for (size_t i = 0; i < n; i++)
    p[i] /= total;
  return CORE_OK;
}

double gen_reflect(double x, double lo, double hi) {
  if (!isfinite(x))
    return x;
  double w = hi - lo;
  double y = fmod(x - lo, 2.0 * w);
  if (y < 0.0)
    y += 2.0 * w;
  if (y > w)
    y = 2.0 * w - y;
  return fmin(hi, fmax(lo, lo + y));
}

/* m draws with replacement; a zero-probability index is redrawn (guards the alias table's
 * rounding at bin edges, so zero weight really means never drawn). */
static core_status draw_indices(size_t n, const double *p, size_t m, size_t *draws, gsl_rng *rng) {
  gsl_ran_discrete_t *table = gsl_ran_discrete_preproc(n, p);
  if (!table)
    return CORE_FAIL(CORE_ERR_SOLVER, "gsl_ran_discrete_preproc failed for %zu points", n);
  for (size_t j = 0; j < m; j++) {
    size_t i;
    do
      i = gsl_ran_discrete(rng, table);
    while (p[i] <= 0.0);
    draws[j] = i;
  }
  gsl_ran_discrete_free(table);
  return CORE_OK;
}

static void jitter_sd(const gen_box *box, double fraction, size_t m, double *sd) {
  double spacing = pow((double)m, -1.0 / box->dim);
  for (int j = 0; j < box->dim; j++)
    sd[j] = fraction * (box->upper[j] - box->lower[j]) * spacing;
}

/* Writes the rows for the policy; counts: (n) zeroed on entry, scratch. */
static void write_rows(const gen_box *box, const gen_options *o, const double *points, size_t m,
                       const size_t *draws, size_t *counts, double *out, double *out_weights,
                       gen_bootstrap_report *r, gsl_rng *rng) {
  size_t d = (size_t)box->dim;
  bool merge = o->dedupe == GEN_DEDUPE_MERGE, jitter = o->dedupe == GEN_DEDUPE_JITTER;
  if (jitter && m > 0)
    jitter_sd(box, o->jitter_fraction, m, r->jitter_sd);
  if (merge)
    for (size_t j = 0; j < m; j++)
      counts[draws[j]]++;
  size_t row = 0;
  for (size_t j = 0; j < m; j++) {
    size_t i = draws[j];
    double weight = 1.0;
    bool repeat = false;
    if (merge) {
      if (counts[i] == 0) /* emitted already: a merged point's count is cleared once written */
        continue;
      weight = (double)counts[i];
      counts[i] = 0;
    } else {
      repeat = counts[i]++ > 0;
    }
    double *dst = out + row * d;
    memcpy(dst, points + i * d, sizeof(double) * d);
    if (jitter && repeat) {
      for (size_t k = 0; k < d; k++)
        dst[k] = gen_reflect(dst[k] + gsl_ran_gaussian(rng, r->jitter_sd[k]), box->lower[k],
                             box->upper[k]);
      r->n_jittered++;
    }
    if (out_weights)
      out_weights[row] = weight;
    row++;
  }
  r->n_out = row;
}

static core_status check_inputs(const gen_box *box, size_t n, const double *points) {
  if (n == 0)
    return CORE_FAIL(CORE_ERR_INVALID, "bootstrap needs at least one source point");
  for (size_t i = 0; i < n * (size_t)box->dim; i++) {
    int k = (int)(i % (size_t)box->dim);
    if (!isfinite(points[i]))
      return CORE_FAIL(CORE_ERR_NUMERIC, "bootstrap source point %zu has a non-finite coordinate",
                       i / (size_t)box->dim);
    if (points[i] < box->lower[k] || points[i] > box->upper[k])
      return CORE_FAIL(CORE_ERR_INVALID, "bootstrap source point %zu lies outside the box",
                       i / (size_t)box->dim);
  }
  return CORE_OK;
}

core_status gen_bootstrap_resample(const gen_box *box, const gen_options *options, size_t n,
                                   const double *points, const double *weights, size_t m,
                                   double *out, double *out_weights, gen_bootstrap_report *report,
                                   gsl_rng *rng) {
  gen_bootstrap_report local;
  gen_bootstrap_report *r = report ? report : &local;
  memset(r, 0, sizeof *r);
  CORE_TRY(check_inputs(box, n, points));
  double *p = malloc(sizeof(double) * n);
  size_t *counts = calloc(n, sizeof(size_t));
  size_t *draws = malloc(sizeof(size_t) * (m ? m : 1));
  core_status status = CORE_OK;
  if (!p || !counts || !draws) {
    status = CORE_FAIL(CORE_ERR_NOMEM, "out of memory resampling %zu of %zu points", m, n);
    goto done;
  }
  if (weights)
    status = gen_weights_normalise(n, weights, options->weight_power, options->weight_offset, p);
  else
    for (size_t i = 0; i < n; i++)
      p[i] = 1.0 / (double)n;
  if (status == CORE_OK)
    status = draw_indices(n, p, m, draws, rng);
  if (status != CORE_OK)
    goto done;
  write_rows(box, options, points, m, draws, counts, out, out_weights, r, rng);
  r->n_drawn = m;
  memset(counts, 0, sizeof(size_t) * n);
  for (size_t j = 0; j < m; j++)
    r->n_unique += counts[draws[j]]++ == 0;
  r->duplicate_fraction = m ? (double)(m - r->n_unique) / (double)m : 0.0;
done:
  free(p);
  free(counts);
  free(draws);
  return status;
}
