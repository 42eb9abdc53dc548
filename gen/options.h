/* Settings for every sampler kind (struct gen_options, typedef'd in gen/sampler.h).
 *
 * One field group per sampler kind, each under its own header comment; each type reads only its
 * group (plus the shared weight settings). Defaults live in gen_options_default(), cheap settings
 * for the conformance battery and smoke runs in gen_options_quick(), and the key table that maps
 * config keys ("sampler.weight_power") to fields in gen/options.c. Adding a sampler kind means:
 * a field group here, its defaults in both functions, its keys in the table, its validation in
 * gen_options_validate(). */
#ifndef PINNSOLVE_GEN_OPTIONS_H
#define PINNSOLVE_GEN_OPTIONS_H

#include <stddef.h>

#include "core/status.h"
#include "gen/base_sequence.h"
#include "gen/ode.h"
#include "gen/sampler.h"

/* What the weighted bootstrap does with repeated draws (REFERENCES §4: maximum likelihood on
 * exact duplicates drives the NLL to -inf). */
/* Flow matching (gen/flow_matching.c): source distribution in box-normalised coordinates
 * [-1, 1]^d, and what happens to samples the flow carries outside the box. */
typedef enum gen_fm_source {
  GEN_FM_SOURCE_UNIFORM = 0, /* "uniform": U([-1, 1]^d), i.e. uniform on the box */
  GEN_FM_SOURCE_GAUSSIAN     /* "gaussian": N(0, I) in normalised coordinates */
} gen_fm_source;

typedef enum gen_fm_box_policy {
  GEN_FM_BOX_CLAMP = 0, /* "clamp": project onto the nearest face */
  GEN_FM_BOX_REFLECT    /* "reflect": mirror back into the box */
} gen_fm_box_policy;

/* How a CFM minibatch pairs its source points u0 with its data points u1. */
typedef enum gen_fm_coupling {
  GEN_FM_COUPLING_INDEPENDENT = 0, /* "independent": u0 and u1 drawn independently (plain CFM) */
  GEN_FM_COUPLING_OT               /* "ot": exact minibatch optimal-transport assignment under
                                    * squared Euclidean cost (Tong et al. 2023; Pooladian et al.
                                    * 2023): straighter conditional paths, lower-variance target */
} gen_fm_coupling;

/* Where the rounds loop draws its candidate pool (pinn/adaptive.c). */
typedef enum gen_pool_proposal {
  GEN_POOL_UNIFORM = 0, /* "uniform": sampler.pool_size uniform points in the box */
  GEN_POOL_MODEL        /* "model": a defensive mixture (1 - α) q + α U of the sampler's last fit
                         * q and the uniform density U, α = pool_uniform_share, with importance
                         * ratios U / mixture in the fit weights (Hesterberg 1995). Only samplers
                         * with a closed-form density (realnvp, spline) and at least one fit draw
                         * from it; the others, and every sampler's first round, use uniform. */
} gen_pool_proposal;

/* The spline flow's base density on the unit cube (gen/spline_flow.c). */
typedef enum gen_spline_base {
  GEN_SPLINE_BASE_UNIFORM = 0, /* "uniform": the unfitted flow is uniform on the box */
  GEN_SPLINE_BASE_LOGIT_NORMAL /* "logit_normal": logit of each coordinate ~ N(0, 1); the
                                * unfitted flow already concentrates towards the box's centre
                                * (sd ~0.2 of the width per coordinate), which lets it propose
                                * candidates near a central peak in high dimension */
} gen_spline_base;

/* Where a round's new points come from (pinn/adaptive.c). */
typedef enum gen_draw {
  GEN_DRAW_MODEL = 0, /* "model": drawn from the sampler just fitted */
  GEN_DRAW_POOL       /* "pool": chosen without replacement among the round's scored candidates
                       * with probabilities ∝ ratio_i (|r_i|^k / m + c)
                       * (gen_weights_normalise_importance): sampling-importance-resampling with
                       * the flow as the proposal. Needs pool_proposal = "model". Round 1's pool
                       * is uniform (nothing fitted yet), so its selection is RAD's; realnvp and
                       * spline only, the other kinds draw from their model. */
} gen_draw;

typedef enum gen_dedupe {
  GEN_DEDUPE_JITTER = 0, /* "jitter": repeats get reflected Gaussian jitter, first copy exact */
  GEN_DEDUPE_MERGE,      /* "merge": unique points only, multiplicities returned as weights */
  GEN_DEDUPE_NONE        /* "none": keep exact duplicates (only for models that tolerate them) */
} gen_dedupe;

struct gen_options {
  /* ---- residual weights: RAD (gen/rad.c) and the weighted bootstrap (gen/bootstrap.c) ----
   * p_i ∝ |r_i|^k / mean(|r|^k) + c  (Wu et al. 2023, eq. for RAD; k = 1, c = 1 in their runs). */
  double weight_power;     /* k >= 0, default 1 */
  double weight_offset;    /* c >= 0, default 1 */
  size_t pool_size;        /* uniform candidate pool the caller evaluates for RAD, default 100000 */
  gen_dedupe dedupe;       /* bootstrap duplicate policy, default GEN_DEDUPE_JITTER */
  double jitter_fraction;  /* jitter sd = fraction · width_j · m^(-1/d), default 0.5 */
  gen_base_sequence base_sequence; /* realnvp, spline, fm: base draws of sample()
                                    * (gen/base_sequence.h), default random */
  gen_pool_proposal pool_proposal; /* candidate pool, default uniform */
  double pool_uniform_share;       /* α in (0, 1]: uniform share of a "model" pool, default 0.2;
                                    * it bounds every importance ratio by 1/α */
  gen_draw draw;                   /* new points, default model */

  /* ---- realnvp (normalizing flow, affine couplings) ---- */
  int realnvp_layers;            /* coupling layers, 1..32, default 8 */
  int realnvp_width;             /* conditioner hidden width, default 32 */
  int realnvp_depth;             /* conditioner hidden layers, 1..8, default 2 */
  int realnvp_epochs;            /* epochs per fit (warm-started), default 150 */
  size_t realnvp_batch;          /* minibatch, default 256 */
  double realnvp_learning_rate;  /* Adam learning rate at the start of each fit, default 2e-3 */
  double realnvp_lr_decay;       /* lr factor at the end of each fit, (0, 1], default 0.3 */
  double realnvp_holdout;        /* held-out fraction for early stopping, [0, 0.9], default 0.1 */

  /* ---- spline (normalizing flow, rational-quadratic splines) ---- */
  int spline_layers;             /* coupling layers, 1..32, default 4 */
  int spline_width;              /* conditioner hidden width, default 32 */
  int spline_depth;              /* conditioner hidden layers, 1..8, default 2 */
  int spline_bins;               /* bins per spline, 1..64, default 16 */
  gen_spline_base spline_base;    /* base density, default uniform */
  int spline_epochs;             /* epochs per fit (warm-started), default 100 */
  size_t spline_batch;           /* minibatch, default 256 */
  double spline_learning_rate;   /* Adam learning rate at the start of each fit, default 2e-3 */
  double spline_lr_decay;        /* lr factor at the end of each fit, (0, 1], default 0.3 */
  double spline_holdout;         /* held-out fraction for early stopping, [0, 0.9], default 0.1 */

  /* ---- fm (flow matching) ---- */
  int fm_width;                  /* hidden width of the velocity MLP, default 64 */
  int fm_depth;                  /* hidden layers, default 3 */
  int fm_train_steps;            /* Adam steps per fit (warm-started), default 3000 */
  size_t fm_batch;               /* CFM minibatch, default 256 */
  double fm_learning_rate;       /* Adam learning rate at the start of each fit, default 2e-3 */
  double fm_lr_decay;            /* lr factor reached at the end of each fit (0, 1], default 0.1 */
  gen_ode_method fm_integrator;  /* sampling integrator, default rk4 */
  gen_ode_method fm_density_integrator; /* log-density integrator, default cvode */
  int fm_ode_steps;              /* steps of the fixed-step integrators, default 20 (RK4-20: mean
                                  * |Δ log p| 2.8e-5 on the Gaussian-mixture oracle) */
  double fm_rtol;                /* CVODE relative tolerance, default 1e-6 */
  double fm_atol;                /* CVODE absolute tolerance, default 1e-8 */
  gen_fm_source fm_source;       /* default uniform */
  gen_fm_box_policy fm_box_policy; /* default clamp */
  gen_fm_coupling fm_coupling;   /* default independent: "ot" solves a batch x batch assignment
                                  * per step (6 ms at batch 256, 1 ms at 128, vs 0.8 ms for the
                                  * network step at 256); see tests/test_flow_matching.c */
  double fm_ema;                 /* parameter averaging β in [0, 1), 0 = off (default): the fit
                                  * ends on the exponential average of its iterates */
};

/* The defaults documented above (and in each group). */
gen_options gen_options_default(void);

/* Defaults with small budgets (epochs, widths, pool) so a conformance test or a smoke run of
 * every sampler kind costs well under a second each; statistical behaviour is kept. */
gen_options gen_options_quick(void);

/* CORE_ERR_CONFIG with a message naming the first invalid field. */
core_status gen_options_validate(const gen_options *o);

/* Sets the field named `key` (without the "sampler." prefix, e.g. "weight_power") from its text
 * form `value`. CORE_ERR_CONFIG for an unknown key or a malformed/out-of-range value. */
core_status gen_options_set(gen_options *o, const char *key, const char *value);

/* Key names, NULL-terminated, in table order (for --help and config diagnostics). */
const char *gen_options_key(size_t i);

/* "jitter" / "merge" / "none" <-> enum; parse returns CORE_ERR_CONFIG for other text. */
const char *gen_dedupe_name(gen_dedupe d);
/* fm: "uniform"/"gaussian" and "clamp"/"reflect" <-> enums; CORE_ERR_CONFIG for other text. */
const char *gen_fm_source_name(gen_fm_source s);
core_status gen_fm_source_parse(const char *text, gen_fm_source *out);
const char *gen_fm_box_policy_name(gen_fm_box_policy p);
core_status gen_fm_box_policy_parse(const char *text, gen_fm_box_policy *out);
/* fm: "independent"/"ot" <-> enum; CORE_ERR_CONFIG for other text. */
const char *gen_fm_coupling_name(gen_fm_coupling c);
core_status gen_fm_coupling_parse(const char *text, gen_fm_coupling *out);
core_status gen_dedupe_parse(const char *text, gen_dedupe *out);
const char *gen_base_sequence_name(gen_base_sequence s);
core_status gen_base_sequence_parse(const char *text, gen_base_sequence *out);
/* "model"/"pool" <-> enum; CORE_ERR_CONFIG for other text. */
const char *gen_draw_name(gen_draw d);
core_status gen_draw_parse(const char *text, gen_draw *out);
const char *gen_spline_base_name(gen_spline_base b);
core_status gen_spline_base_parse(const char *text, gen_spline_base *out);
/* "uniform"/"model" <-> enum; CORE_ERR_CONFIG for other text. */
const char *gen_pool_proposal_name(gen_pool_proposal p);
core_status gen_pool_proposal_parse(const char *text, gen_pool_proposal *out);

#endif
