/* Every sampler type pinnsolve knows, in the order --help lists them. */
#include "gen/sampler.h"

const gen_sampler_type *const gen_sampler_types[] = {
    NULL,
};
