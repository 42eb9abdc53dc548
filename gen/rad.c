/* "rad": residual-based adaptive distribution (Wu et al. 2023). Contract in gen/samplers.h:
 * fit(pool, |r|) stores the caller's candidate pool with p_i ∝ |r_i|^k / mean(|r|^k) + c,
 * sample(n) returns n distinct pool points drawn without replacement with probabilities p.
 *
 * Without-replacement draws use Efraimidis–Spirakis keys (Inf. Process. Lett. 97, 2006):
 * with u_i ~ U(0,1), the pool points ordered by decreasing key u_i^(1/p_i) are distributed as
 * successive sampling (take a point ∝ p, remove it, repeat), so the n largest keys are the
 * sample. We use log keys log(u_i)/p_i (same order, no underflow) and a three-way quickselect:
 * O(pool) work and one uniform per pool point, whatever n and the shape of p. Drawing with
 * gsl_ran_discrete and rejecting repeats would be cheaper for n ≪ pool but degrades without bound
 * when n approaches the number of points carrying most of the mass (c = 0 with peaked residuals:
 * coupon-collector repeats). Output rows follow decreasing key, i.e. successive-draw order. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gen/bootstrap.h"
#include "gen/options.h"
#include "gen/samplers.h"

typedef struct rad_key {
  double key;
  size_t index;
} rad_key;

typedef struct rad_state {
  gen_box box;
  double power, offset;
  bool fitted;
  size_t n_pool;     /* fitted pool size */
  size_t n_positive; /* pool points with p > 0 */
  size_t capacity;
  double *pool;  /* (capacity, dim); first n_pool rows valid */
  double *p;     /* (capacity) selection probabilities */
  rad_key *keys; /* (capacity) scratch for the selection keys */
} rad_state;

static void rad_destroy(void *state) {
  rad_state *s = state;
  free(s->pool);
  free(s->p);
  free(s->keys);
}

static core_status rad_init(void *state, const gen_box *box, const gen_options *options,
                            gsl_rng *rng) {
  (void)rng;
  rad_state *s = state;
  s->box = *box;
  s->power = options->weight_power;
  s->offset = options->weight_offset;
  if (!(isfinite(s->power) && s->power >= 0.0) || !(isfinite(s->offset) && s->offset >= 0.0))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler 'rad': weight_power %g and weight_offset %g must "
                     "be finite and >= 0", s->power, s->offset);
  return CORE_OK;
}

/* Grows the buffers keeping their contents, so a later failure leaves the fitted state intact. */
static core_status rad_reserve(rad_state *s, size_t n) {
  if (n <= s->capacity)
    return CORE_OK;
  size_t d = (size_t)s->box.dim;
  double *pool = realloc(s->pool, sizeof(double) * n * d);
  if (pool)
    s->pool = pool;
  double *p = realloc(s->p, sizeof(double) * n);
  if (p)
    s->p = p;
  rad_key *keys = realloc(s->keys, sizeof(rad_key) * n);
  if (keys)
    s->keys = keys;
  if (!pool || !p || !keys)
    return CORE_FAIL(CORE_ERR_NOMEM, "sampler 'rad': out of memory for a pool of %zu", n);
  s->capacity = n;
  return CORE_OK;
}

static core_status check_pool(const gen_box *box, size_t n, const double *points) {
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < box->dim; k++) {
      double x = points[i * (size_t)box->dim + (size_t)k];
      if (!isfinite(x))
        return CORE_FAIL(CORE_ERR_NUMERIC, "sampler 'rad': pool point %zu is not finite", i);
      if (x < box->lower[k] || x > box->upper[k])
        return CORE_FAIL(CORE_ERR_INVALID, "sampler 'rad': pool point %zu is outside the box", i);
    }
  return CORE_OK;
}

static core_status rad_fit(void *state, size_t n, const double *points, const double *weights,
                           gsl_rng *rng) {
  (void)rng;
  rad_state *s = state;
  if (n == 0)
    return CORE_FAIL(CORE_ERR_INVALID, "sampler 'rad': fit needs a nonempty candidate pool");
  CORE_TRY(check_pool(&s->box, n, points));
  /* Everything that can reject the input runs before the fitted state is overwritten. */
  if (weights)
    CORE_TRY(gen_weights_check(n, weights));
  CORE_TRY(rad_reserve(s, n));
  if (weights)
    CORE_TRY(gen_weights_normalise(n, weights, s->power, s->offset, s->p));
  else
    for (size_t i = 0; i < n; i++)
      s->p[i] = 1.0 / (double)n;
  memcpy(s->pool, points, sizeof(double) * n * (size_t)s->box.dim);
  s->n_pool = n;
  s->n_positive = 0;
  for (size_t i = 0; i < n; i++)
    s->n_positive += s->p[i] > 0.0;
  s->fitted = true;
  return CORE_OK;
}

static void swap_keys(rad_key *a, rad_key *b) {
  rad_key t = *a;
  *a = *b;
  *b = t;
}

static double median3(double a, double b, double c) {
  return fmax(fmin(a, b), fmin(fmax(a, b), c));
}

/* Rearranges a[0, len) so that a[0, n) holds n largest keys (three-way quickselect). */
static void select_largest(rad_key *a, size_t len, size_t n) {
  size_t lo = 0, hi = len;
  while (hi - lo > 1) {
    double pivot = median3(a[lo].key, a[lo + (hi - lo) / 2].key, a[hi - 1].key);
    size_t gt_end = lo, i = lo, lt_begin = hi; /* [lo,gt_end) > pivot, [lt_begin,hi) < pivot */
    while (i < lt_begin) {
      if (a[i].key > pivot)
        swap_keys(&a[gt_end++], &a[i++]);
      else if (a[i].key < pivot)
        swap_keys(&a[i], &a[--lt_begin]);
      else
        i++;
    }
    if (n < gt_end)
      hi = gt_end;
    else if (n <= lt_begin)
      return;
    else
      lo = lt_begin;
  }
}

static int by_decreasing_key(const void *pa, const void *pb) {
  const rad_key *a = pa, *b = pb;
  if (a->key != b->key)
    return a->key > b->key ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

static core_status sample_uniform(const gen_box *box, size_t n, double *points, gsl_rng *rng) {
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < box->dim; k++)
      points[i * (size_t)box->dim + (size_t)k] =
          box->lower[k] + (box->upper[k] - box->lower[k]) * gsl_rng_uniform(rng);
  return CORE_OK;
}

static core_status rad_sample(void *state, size_t n, double *points, gsl_rng *rng) {
  rad_state *s = state;
  size_t d = (size_t)s->box.dim;
  if (!s->fitted)
    return sample_uniform(&s->box, n, points, rng);
  if (n > s->n_positive)
    return CORE_FAIL(CORE_ERR_INVALID, "sampler 'rad': cannot draw %zu distinct points from a "
                     "pool of %zu (%zu with nonzero probability)", n, s->n_pool, s->n_positive);
  if (n == 0)
    return CORE_OK;
  for (size_t i = 0; i < s->n_pool; i++) {
    s->keys[i].index = i;
    s->keys[i].key = s->p[i] > 0.0 ? log(gsl_rng_uniform_pos(rng)) / s->p[i] : -INFINITY;
  }
  select_largest(s->keys, s->n_pool, n);
  qsort(s->keys, n, sizeof(rad_key), by_decreasing_key);
  for (size_t j = 0; j < n; j++)
    memcpy(points + j * d, s->pool + s->keys[j].index * d, sizeof(double) * d);
  return CORE_OK;
}

const gen_sampler_type gen_sampler_rad = {
    .name = "rad",
    .state_size = sizeof(rad_state),
    .init = rad_init,
    .fit = rad_fit,
    .sample = rad_sample,
    .log_density = NULL,
    .destroy = rad_destroy,
};
