/* Explicit randomness: every stochastic function takes a gsl_rng made here from a config seed. */
#ifndef PINNSOLVE_CORE_RNG_H
#define PINNSOLVE_CORE_RNG_H

#include <gsl/gsl_rng.h>

/* Mersenne Twister seeded with `seed`; NULL on allocation failure. Free with gsl_rng_free. */
gsl_rng *core_rng_create(unsigned long seed);

#endif
