#include "gen/sampler.h"

#include <stdlib.h>
#include <string.h>

core_status gen_sampler_create(gen_sampler **out, const gen_sampler_type *type, const gen_box *box,
                               const gen_options *options, gsl_rng *rng) {
  *out = NULL;
  if (box->dim < 1 || box->dim > GEN_MAX_DIM)
    return CORE_FAIL(CORE_ERR_INVALID, "sampler '%s': dimension %d outside 1..%d", type->name,
                     box->dim, GEN_MAX_DIM);
  for (int i = 0; i < box->dim; i++)
    if (!(box->lower[i] < box->upper[i]))
      return CORE_FAIL(CORE_ERR_INVALID, "sampler '%s': empty box in dimension %d", type->name, i);
  gen_sampler *s = calloc(1, sizeof *s);
  if (!s)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating sampler '%s'", type->name);
  s->type = type;
  s->box = *box;
  s->state = calloc(1, type->state_size ? type->state_size : 1);
  if (!s->state) {
    free(s);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating sampler '%s'", type->name);
  }
  core_status status = type->init(s->state, box, options, rng);
  if (status != CORE_OK) {
    gen_sampler_destroy(s);
    return status;
  }
  *out = s;
  return CORE_OK;
}

void gen_sampler_destroy(gen_sampler *s) {
  if (!s)
    return;
  if (s->type->destroy)
    s->type->destroy(s->state);
  free(s->state);
  free(s);
}

core_status gen_sampler_fit(gen_sampler *s, size_t n, const double *points, const double *weights,
                            gsl_rng *rng) {
  if (!s->type->fit)
    return CORE_OK;
  return s->type->fit(s->state, n, points, weights, rng);
}

core_status gen_sampler_sample(gen_sampler *s, size_t n, double *points, gsl_rng *rng) {
  return s->type->sample(s->state, n, points, rng);
}

core_status gen_sampler_log_density(gen_sampler *s, size_t n, const double *points, double *logp) {
  if (!s->type->log_density)
    return CORE_FAIL(CORE_ERR_UNSUPPORTED, "sampler '%s' has no density", s->type->name);
  return s->type->log_density(s->state, n, points, logp);
}

const gen_sampler_type *gen_sampler_type_find(const char *name) {
  for (const gen_sampler_type *const *t = gen_sampler_types; *t; t++)
    if (strcmp((*t)->name, name) == 0)
      return *t;
  return NULL;
}
