/* The sampler interface (GSL style): a static const type per sampler plus a state.
 *
 * gen/ sees point clouds and weights only, never a PDE. Points are (n, dim) row-major inside a
 * box. The rounds loop calls fit(points, weights) with weights from residuals (w >= 0, not
 * necessarily normalised), then sample(n). Samplers without a model (uniform, sobol) ignore fit. */
#ifndef PINNSOLVE_GEN_SAMPLER_H
#define PINNSOLVE_GEN_SAMPLER_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "core/status.h"

#define GEN_MAX_DIM 16

typedef struct gen_box {
  int dim;
  double lower[GEN_MAX_DIM];
  double upper[GEN_MAX_DIM];
} gen_box;

/* Settings for every sampler kind; each type reads the fields it needs (see gen/options.h). */
typedef struct gen_options gen_options;

typedef struct gen_sampler_type {
  const char *name;     /* the sampler.kind value */
  size_t state_size;
  core_status (*init)(void *state, const gen_box *box, const gen_options *options, gsl_rng *rng);
  /* Optional (NULL = nothing to learn). points (n, dim), weights (n) or NULL for equal weights. */
  core_status (*fit)(void *state, size_t n, const double *points, const double *weights, gsl_rng *rng);
  core_status (*sample)(void *state, size_t n, double *points, gsl_rng *rng);
  /* Optional (NULL = no density). logp (n). */
  core_status (*log_density)(void *state, size_t n, const double *points, double *logp);
  void (*destroy)(void *state);
} gen_sampler_type;

typedef struct gen_sampler {
  const gen_sampler_type *type;
  gen_box box;
  void *state;
} gen_sampler;

core_status gen_sampler_create(gen_sampler **out, const gen_sampler_type *type, const gen_box *box,
                               const gen_options *options, gsl_rng *rng);
void gen_sampler_destroy(gen_sampler *s);
core_status gen_sampler_fit(gen_sampler *s, size_t n, const double *points, const double *weights,
                            gsl_rng *rng);
core_status gen_sampler_sample(gen_sampler *s, size_t n, double *points, gsl_rng *rng);
/* CORE_ERR_UNSUPPORTED when the type has no density. */
core_status gen_sampler_log_density(gen_sampler *s, size_t n, const double *points, double *logp);

/* Registry, NULL-terminated, and lookup by name. */
extern const gen_sampler_type *const gen_sampler_types[];
const gen_sampler_type *gen_sampler_type_find(const char *name);

#endif
