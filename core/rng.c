#include "core/rng.h"

gsl_rng *core_rng_create(unsigned long seed) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (rng)
    gsl_rng_set(rng, seed);
  return rng;
}
