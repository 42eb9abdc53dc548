#include "pinn/version.h"

#include <cblas.h>
#include <gsl/gsl_version.h>
#include <stdio.h>
#include <sundials/sundials_config.h>

const char *pinn_version(void) { return PINNSOLVE_VERSION; }

const char *pinn_library_versions(void) {
  static char buffer[256];
  snprintf(buffer, sizeof buffer, "gsl %s, sundials %s, %s", gsl_version, SUNDIALS_VERSION,
           openblas_get_config());
  return buffer;
}
