/* "realnvp": RealNVP normalizing flow (Dinh et al. 2017) on the box.
 *
 * Affine coupling layers z_B = u_B e^{s(u_A)} + t(u_A) alternating halves, with a smooth log-scale
 * bound s = 2 tanh(ŝ/2) and zero-initialised conditioner outputs (identity at start), over a
 * standard Gaussian base. The box is handled by a logit pre-transform of the box-normalised
 * coordinates (gen/flow_sampler.h: v clipped to [1e-9, 1-1e-9], log-det
 * Σ_j [-ln width_j - ln v_j - ln(1 - v_j)] included in every density), so samples map back through
 * the logistic function into the closed box and the density is normalised on the box with no
 * rejection. d = 1 is allowed: the single coordinate has nothing to condition on and each layer is
 * a learned affine map (bias-only conditioner), i.e. the flow is a Gaussian in logit space.
 * Fitting is weighted maximum likelihood on the given points (see gen/flow_sampler.h). */
#include "gen/flow_sampler.h"
#include "gen/options.h"
#include "gen/samplers.h"

static core_status realnvp_init(void *state, const gen_box *box, const gen_options *options,
                                gsl_rng *rng) {
  gen_options defaults = gen_options_default();
  const gen_options *o = options ? options : &defaults;
  CORE_TRY(gen_options_validate(o));
  gen_coupling_options fo = {
      .kind = GEN_COUPLING_AFFINE,
      .dim = box->dim,
      .n_layers = o->realnvp_layers,
      .hidden_width = o->realnvp_width,
      .hidden_depth = o->realnvp_depth,
      .scale_bound = 2.0,
      .spline = gen_rq_default_config(),
      .max_points = o->realnvp_batch,
  };
  gen_flow_train_options to = {.epochs = o->realnvp_epochs,
                               .learning_rate = o->realnvp_learning_rate,
                               .lr_decay = o->realnvp_lr_decay,
                               .holdout_fraction = o->realnvp_holdout};
  return gen_flow_sampler_init(state, box, GEN_BOX_MAP_LOGIT, GEN_FLOW_BASE_GAUSSIAN,
                               o->base_sequence, &fo, &to, rng);
}

const gen_sampler_type gen_sampler_realnvp = {
    .name = "realnvp",
    .state_size = sizeof(gen_flow_sampler_state),
    .init = realnvp_init,
    .fit = gen_flow_sampler_fit,
    .sample = gen_flow_sampler_sample,
    .log_density = gen_flow_sampler_log_density,
    .destroy = gen_flow_sampler_destroy,
};
