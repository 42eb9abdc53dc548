/* "spline": rational-quadratic neural spline flow (Durkan et al. 2019) on the box.
 *
 * Coupling layers of monotone rational-quadratic splines on [0, 1] (gen/rq_spline.h) alternating
 * halves, over a base on [0, 1]^d (uniform, or logit-normal with sampler.spline_base), mapped
 * affinely onto the box (log-det -Σ_j ln width_j).
 * Every layer maps [0, 1]^d onto itself, so samples are inside the box by construction, and the
 * zero-initialised flow (uniform bins, unit derivatives) is exactly the identity: the base density
 * on the box (uniform: NLL Σ_j ln width_j on any data). d = 1 is allowed (bias-only conditioner:
 * one learned spline per layer). Fitting is weighted maximum likelihood on the given points (see
 * gen/flow_sampler.h). */
#include "gen/flow_sampler.h"
#include "gen/options.h"
#include "gen/samplers.h"

static core_status spline_init(void *state, const gen_box *box, const gen_options *options,
                               gsl_rng *rng) {
  gen_options defaults = gen_options_default();
  const gen_options *o = options ? options : &defaults;
  CORE_TRY(gen_options_validate(o));
  gen_rq_config rq = gen_rq_default_config();
  rq.n_bins = o->spline_bins;
  gen_coupling_options fo = {
      .kind = GEN_COUPLING_SPLINE,
      .dim = box->dim,
      .n_layers = o->spline_layers,
      .hidden_width = o->spline_width,
      .hidden_depth = o->spline_depth,
      .scale_bound = 2.0,
      .spline = rq,
      .max_points = o->spline_batch,
  };
  gen_flow_train_options to = {.epochs = o->spline_epochs,
                               .learning_rate = o->spline_learning_rate,
                               .lr_decay = o->spline_lr_decay,
                               .holdout_fraction = o->spline_holdout};
  gen_flow_base base = o->spline_base == GEN_SPLINE_BASE_LOGIT_NORMAL ? GEN_FLOW_BASE_LOGIT_NORMAL
                                                                       : GEN_FLOW_BASE_UNIFORM;
  return gen_flow_sampler_init(state, box, GEN_BOX_MAP_AFFINE, base, o->base_sequence, &fo, &to,
                               rng);
}

const gen_sampler_type gen_sampler_spline = {
    .name = "spline",
    .state_size = sizeof(gen_flow_sampler_state),
    .init = spline_init,
    .fit = gen_flow_sampler_fit,
    .sample = gen_flow_sampler_sample,
    .log_density = gen_flow_sampler_log_density,
    .destroy = gen_flow_sampler_destroy,
};
