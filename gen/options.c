#include "gen/options.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gen_options gen_options_default(void) {
  gen_options o;
  memset(&o, 0, sizeof o);

  /* ---- residual weights: RAD and bootstrap ---- */
  o.weight_power = 1.0;
  o.weight_offset = 1.0;
  o.pool_size = 100000;
  o.dedupe = GEN_DEDUPE_JITTER;
  o.jitter_fraction = 0.5;
  o.base_sequence = GEN_BASE_RANDOM;
  o.pool_proposal = GEN_POOL_UNIFORM;
  o.pool_uniform_share = 0.2;
  o.draw = GEN_DRAW_MODEL;

  /* ---- realnvp ---- */
  o.realnvp_layers = 8;
  o.realnvp_width = 32;
  o.realnvp_depth = 2;
  o.realnvp_epochs = 150;
  o.realnvp_batch = 256;
  o.realnvp_learning_rate = 2e-3;
  o.realnvp_lr_decay = 0.3;
  o.realnvp_holdout = 0.1;

  /* ---- spline ---- */
  o.spline_layers = 4;
  o.spline_width = 32;
  o.spline_depth = 2;
  o.spline_bins = 16;
  o.spline_epochs = 100;
  o.spline_batch = 256;
  o.spline_learning_rate = 2e-3;
  o.spline_lr_decay = 0.3;
  o.spline_holdout = 0.1;

  /* ---- fm ---- */
  o.fm_width = 64;
  o.fm_depth = 3;
  o.fm_train_steps = 3000;
  o.fm_batch = 256;
  o.fm_learning_rate = 2e-3;
  o.fm_lr_decay = 0.1;
  o.fm_integrator = GEN_ODE_RK4;
  o.fm_density_integrator = GEN_ODE_CVODE;
  o.fm_ode_steps = 20;
  o.fm_rtol = 1e-6;
  o.fm_atol = 1e-8;
  o.fm_source = GEN_FM_SOURCE_UNIFORM;
  o.fm_box_policy = GEN_FM_BOX_CLAMP;
  o.fm_coupling = GEN_FM_COUPLING_INDEPENDENT;
  o.fm_ema = 0.0;

  return o;
}

gen_options gen_options_quick(void) {
  gen_options o = gen_options_default();

  /* ---- residual weights: RAD and bootstrap ---- */
  o.pool_size = 20000;

  /* ---- realnvp ---- */
  o.realnvp_layers = 4;
  o.realnvp_width = 16;
  o.realnvp_epochs = 8;

  /* ---- spline ---- */
  o.spline_layers = 2;
  o.spline_width = 16;
  o.spline_bins = 8;
  o.spline_epochs = 8;

  /* ---- fm ---- */
  o.fm_width = 32;
  o.fm_depth = 2;
  o.fm_train_steps = 300;
  o.fm_batch = 128;
  o.fm_ode_steps = 16;
  o.fm_rtol = 1e-5;
  o.fm_atol = 1e-7;

  return o;
}

/* realnvp and spline: the coupling-flow settings both share. */
static core_status validate_flow(const char *kind, int layers, int width, int depth, int epochs,
                                 size_t batch, double learning_rate, double lr_decay,
                                 double holdout) {
  if (layers < 1 || layers > 32 || width < 1 || depth < 1 || depth > 8)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.%s_layers must be in 1..32, %s_width >= 1 and "
                     "%s_depth in 1..8 (%d, %d, %d)", kind, kind, kind, layers, width, depth);
  if (epochs < 1 || batch < 1)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.%s_epochs and %s_batch must be >= 1", kind, kind);
  if (!(lr_decay > 0.0 && lr_decay <= 1.0))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.%s_lr_decay must lie in (0, 1], got %g", kind,
                     lr_decay);
  if (!(learning_rate > 0.0 && isfinite(learning_rate)) || !(holdout >= 0.0 && holdout <= 0.9))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.%s_learning_rate must be > 0 and %s_holdout in "
                     "[0, 0.9] (%g, %g)", kind, kind, learning_rate, holdout);
  return CORE_OK;
}

core_status gen_options_validate(const gen_options *o) {
  /* ---- residual weights: RAD and bootstrap ---- */
  if (!(o->weight_power >= 0.0 && isfinite(o->weight_power)))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.weight_power must be finite and >= 0, got %g",
                     o->weight_power);
  if (!(o->weight_offset >= 0.0 && isfinite(o->weight_offset)))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.weight_offset must be finite and >= 0, got %g",
                     o->weight_offset);
  if (o->pool_size < 1)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.pool_size must be >= 1");
  if (o->dedupe != GEN_DEDUPE_JITTER && o->dedupe != GEN_DEDUPE_MERGE &&
      o->dedupe != GEN_DEDUPE_NONE)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.dedupe has an unknown value %d", (int)o->dedupe);
  if (!(o->jitter_fraction > 0.0 && isfinite(o->jitter_fraction)))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.jitter_fraction must be finite and > 0, got %g",
                     o->jitter_fraction);
  if ((unsigned)o->base_sequence > GEN_BASE_SOBOL)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.base_sequence has an unknown value %d",
                     (int)o->base_sequence);
  if ((unsigned)o->pool_proposal > GEN_POOL_MODEL)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.pool_proposal has an unknown value %d",
                     (int)o->pool_proposal);
  if ((unsigned)o->draw > GEN_DRAW_POOL)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.draw has an unknown value %d", (int)o->draw);
  if (o->draw == GEN_DRAW_POOL && o->pool_proposal != GEN_POOL_MODEL)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.draw = \"pool\" selects among the model's "
                     "proposals and needs sampler.pool_proposal = \"model\" (with a uniform "
                     "pool it would be sampler.kind = \"rad\")");
  if (!(o->pool_uniform_share > 0.0 && o->pool_uniform_share <= 1.0))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.pool_uniform_share must lie in (0, 1], got %g",
                     o->pool_uniform_share);

  /* ---- realnvp ---- */
  CORE_TRY(validate_flow("realnvp", o->realnvp_layers, o->realnvp_width, o->realnvp_depth,
                         o->realnvp_epochs, o->realnvp_batch, o->realnvp_learning_rate,
                         o->realnvp_lr_decay, o->realnvp_holdout));

  /* ---- spline ---- */
  CORE_TRY(validate_flow("spline", o->spline_layers, o->spline_width, o->spline_depth,
                         o->spline_epochs, o->spline_batch, o->spline_learning_rate,
                         o->spline_lr_decay, o->spline_holdout));
  if ((unsigned)o->spline_base > GEN_SPLINE_BASE_LOGIT_NORMAL)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.spline_base has an unknown value %d",
                     (int)o->spline_base);
  if (o->spline_bins < 1 || o->spline_bins > 64)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.spline_bins must be in 1..64, got %d",
                     o->spline_bins);

  /* ---- fm ---- */
  if (o->fm_width < 1 || o->fm_depth < 1 || o->fm_depth > 8)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.fm_width must be >= 1 and fm_depth in 1..8 (%d, %d)",
                     o->fm_width, o->fm_depth);
  if (o->fm_train_steps < 0 || o->fm_batch < 1 || o->fm_ode_steps < 1)
    return CORE_FAIL(CORE_ERR_CONFIG,
                     "sampler.fm_train_steps must be >= 0, fm_batch and fm_ode_steps >= 1");
  if (!(o->fm_learning_rate > 0.0 && isfinite(o->fm_learning_rate)) ||
      !(o->fm_lr_decay > 0.0 && o->fm_lr_decay <= 1.0))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.fm_learning_rate must be > 0 and fm_lr_decay in "
                     "(0, 1] (%g, %g)", o->fm_learning_rate, o->fm_lr_decay);
  if (!(o->fm_rtol > 0.0 && o->fm_rtol < 1.0) || !(o->fm_atol > 0.0 && o->fm_atol < 1.0))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.fm_rtol and fm_atol must lie in (0, 1) (%g, %g)",
                     o->fm_rtol, o->fm_atol);
  if (!(o->fm_ema >= 0.0 && o->fm_ema < 1.0))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.fm_ema must lie in [0, 1), got %g", o->fm_ema);
  if ((unsigned)o->fm_integrator > GEN_ODE_CVODE ||
      (unsigned)o->fm_density_integrator > GEN_ODE_CVODE ||
      (unsigned)o->fm_source > GEN_FM_SOURCE_GAUSSIAN ||
      (unsigned)o->fm_box_policy > GEN_FM_BOX_REFLECT ||
      (unsigned)o->fm_coupling > GEN_FM_COUPLING_OT)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.fm_*: an enum field has an unknown value");

  return CORE_OK;
}

/* ---- config keys ---- */

typedef enum option_kind {
  OPT_DOUBLE, OPT_SIZE, OPT_INT, OPT_BOOL, OPT_DEDUPE, OPT_BASE_SEQUENCE, OPT_POOL_PROPOSAL, OPT_DRAW,
  OPT_SPLINE_BASE,
  OPT_ODE_METHOD, OPT_FM_SOURCE, OPT_FM_BOX, OPT_FM_COUPLING /* fm */
} option_kind;

typedef struct option_key {
  const char *name;
  option_kind kind;
  size_t offset;
} option_key;

#define KEY(field, kind) {#field, kind, offsetof(gen_options, field)}

static const option_key option_keys[] = {
    /* ---- residual weights: RAD and bootstrap ---- */
    KEY(weight_power, OPT_DOUBLE),
    KEY(weight_offset, OPT_DOUBLE),
    KEY(pool_size, OPT_SIZE),
    KEY(dedupe, OPT_DEDUPE),
    KEY(jitter_fraction, OPT_DOUBLE),
    KEY(base_sequence, OPT_BASE_SEQUENCE),
    KEY(pool_proposal, OPT_POOL_PROPOSAL),
    KEY(pool_uniform_share, OPT_DOUBLE),
    KEY(draw, OPT_DRAW),

    /* ---- realnvp ---- */
    KEY(realnvp_layers, OPT_INT),
    KEY(realnvp_width, OPT_INT),
    KEY(realnvp_depth, OPT_INT),
    KEY(realnvp_epochs, OPT_INT),
    KEY(realnvp_batch, OPT_SIZE),
    KEY(realnvp_learning_rate, OPT_DOUBLE),
    KEY(realnvp_lr_decay, OPT_DOUBLE),
    KEY(realnvp_holdout, OPT_DOUBLE),

    /* ---- spline ---- */
    KEY(spline_layers, OPT_INT),
    KEY(spline_width, OPT_INT),
    KEY(spline_depth, OPT_INT),
    KEY(spline_bins, OPT_INT),
    KEY(spline_base, OPT_SPLINE_BASE),
    KEY(spline_epochs, OPT_INT),
    KEY(spline_batch, OPT_SIZE),
    KEY(spline_learning_rate, OPT_DOUBLE),
    KEY(spline_lr_decay, OPT_DOUBLE),
    KEY(spline_holdout, OPT_DOUBLE),

    /* ---- fm ---- */
    KEY(fm_width, OPT_INT),
    KEY(fm_depth, OPT_INT),
    KEY(fm_train_steps, OPT_INT),
    KEY(fm_batch, OPT_SIZE),
    KEY(fm_learning_rate, OPT_DOUBLE),
    KEY(fm_lr_decay, OPT_DOUBLE),
    KEY(fm_integrator, OPT_ODE_METHOD),
    KEY(fm_density_integrator, OPT_ODE_METHOD),
    KEY(fm_ode_steps, OPT_INT),
    KEY(fm_rtol, OPT_DOUBLE),
    KEY(fm_atol, OPT_DOUBLE),
    KEY(fm_source, OPT_FM_SOURCE),
    KEY(fm_box_policy, OPT_FM_BOX),
    KEY(fm_coupling, OPT_FM_COUPLING),
    KEY(fm_ema, OPT_DOUBLE),

    {NULL, OPT_DOUBLE, 0},
};

#undef KEY

const char *gen_options_key(size_t i) {
  size_t count = sizeof option_keys / sizeof option_keys[0] - 1;
  return i < count ? option_keys[i].name : NULL;
}

static core_status parse_double(const char *key, const char *text, double *out) {
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.%s: '%s' is not a finite number", key, text);
  *out = v;
  return CORE_OK;
}

static core_status parse_integer(const char *key, const char *text, long long lo, long long hi,
                                 long long *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE || v < lo || v > hi)
    return CORE_FAIL(CORE_ERR_CONFIG, "sampler.%s: '%s' is not an integer in %lld..%lld", key,
                     text, lo, hi);
  *out = v;
  return CORE_OK;
}

static core_status parse_bool(const char *key, const char *text, bool *out) {
  if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
    *out = text[0] == 't';
    return CORE_OK;
  }
  return CORE_FAIL(CORE_ERR_CONFIG, "sampler.%s: '%s' is not true or false", key, text);
}

static core_status set_field(gen_options *o, const option_key *k, const char *value) {
  char *field = (char *)o + k->offset;
  long long v = 0;
  switch (k->kind) {
  case OPT_DOUBLE:
    return parse_double(k->name, value, (double *)(void *)field);
  case OPT_SIZE:
    CORE_TRY(parse_integer(k->name, value, 0, (long long)(1LL << 40), &v));
    *(size_t *)(void *)field = (size_t)v;
    return CORE_OK;
  case OPT_INT:
    CORE_TRY(parse_integer(k->name, value, -(1LL << 31) + 1, (1LL << 31) - 1, &v));
    *(int *)(void *)field = (int)v;
    return CORE_OK;
  case OPT_BOOL:
    return parse_bool(k->name, value, (bool *)(void *)field);
  case OPT_DEDUPE:
    return gen_dedupe_parse(value, (gen_dedupe *)(void *)field);
  case OPT_BASE_SEQUENCE:
    return gen_base_sequence_parse(value, (gen_base_sequence *)(void *)field);
  case OPT_POOL_PROPOSAL:
    return gen_pool_proposal_parse(value, (gen_pool_proposal *)(void *)field);
  case OPT_DRAW:
    return gen_draw_parse(value, (gen_draw *)(void *)field);
  case OPT_SPLINE_BASE:
    return gen_spline_base_parse(value, (gen_spline_base *)(void *)field);
  case OPT_ODE_METHOD: /* fm */
    return gen_ode_method_parse(value, (gen_ode_method *)(void *)field);
  case OPT_FM_SOURCE:
    return gen_fm_source_parse(value, (gen_fm_source *)(void *)field);
  case OPT_FM_BOX:
    return gen_fm_box_policy_parse(value, (gen_fm_box_policy *)(void *)field);
  case OPT_FM_COUPLING:
    return gen_fm_coupling_parse(value, (gen_fm_coupling *)(void *)field);
  }
  return CORE_FAIL(CORE_ERR_CONFIG, "sampler.%s: unhandled option kind", k->name);
}

core_status gen_options_set(gen_options *o, const char *key, const char *value) {
  for (const option_key *k = option_keys; k->name; k++)
    if (strcmp(k->name, key) == 0)
      return set_field(o, k, value);
  return CORE_FAIL(CORE_ERR_CONFIG, "unknown sampler option 'sampler.%s'", key);
}

/* ---- named choices ---- */

/* names[value] for value in 0..count-1, "?" otherwise. */
static const char *choice_name(const char *const *names, int count, int value) {
  return value >= 0 && value < count ? names[value] : "?";
}

/* The index of text among names, or CORE_ERR_CONFIG "sampler.KEY: 'text' is not a, b or c". */
static core_status choice_parse(const char *key, const char *const *names, int count,
                                const char *text, int *out) {
  for (int i = 0; i < count; i++)
    if (strcmp(text, names[i]) == 0) {
      *out = i;
      return CORE_OK;
    }
  char list[160] = "";
  size_t len = 0;
  for (int i = 0; i < count && len < sizeof list; i++)
    len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                            i == 0 ? "" : i == count - 1 ? " or " : ", ", names[i]);
  return CORE_FAIL(CORE_ERR_CONFIG, "sampler.%s: '%s' is not %s", key, text, list);
}

#define COUNT(names) ((int)(sizeof names / sizeof names[0]))

/* One name table, name function and parse function per enum option. */
#define CHOICE(type, key, names)                                                                  \
  const char *type##_name(type value) { return choice_name(names, COUNT(names), (int)value); }   \
  core_status type##_parse(const char *text, type *out) {                                       \
    int i = 0;                                                                                    \
    CORE_TRY(choice_parse(key, names, COUNT(names), text, &i));                                   \
    *out = (type)i;                                                                               \
    return CORE_OK;                                                                               \
  }

static const char *const dedupe_names[] = {"jitter", "merge", "none"};
static const char *const base_sequence_names[] = {"random", "sobol"};
static const char *const pool_proposal_names[] = {"uniform", "model"};
static const char *const draw_names[] = {"model", "pool"};
static const char *const spline_base_names[] = {"uniform", "logit_normal"};
static const char *const fm_source_names[] = {"uniform", "gaussian"};
static const char *const fm_box_names[] = {"clamp", "reflect"};
static const char *const fm_coupling_names[] = {"independent", "ot"};

CHOICE(gen_dedupe, "dedupe", dedupe_names)
CHOICE(gen_base_sequence, "base_sequence", base_sequence_names)
CHOICE(gen_pool_proposal, "pool_proposal", pool_proposal_names)
CHOICE(gen_draw, "draw", draw_names)
CHOICE(gen_spline_base, "spline_base", spline_base_names)
CHOICE(gen_fm_source, "fm_source", fm_source_names)
CHOICE(gen_fm_box_policy, "fm_box_policy", fm_box_names)
CHOICE(gen_fm_coupling, "fm_coupling", fm_coupling_names)
