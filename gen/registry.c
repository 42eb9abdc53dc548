/* Every sampler type pinnsolve knows, in the order --help lists them. One line per type. */
#include "gen/sampler.h"
#include "gen/samplers.h"

const gen_sampler_type *const gen_sampler_types[] = {
    /* ---- model-free ---- */
    &gen_sampler_uniform,
    &gen_sampler_sobol,
    &gen_sampler_lhs,
    /* ---- residual-based ---- */
    &gen_sampler_rad,
    /* ---- normalizing flows ---- */
    &gen_sampler_realnvp,
    &gen_sampler_spline,
    /* ---- flow matching ---- */
    &gen_sampler_fm,
    NULL,
};
