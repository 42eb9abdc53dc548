#include "pinn/blas_setup.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int cpu_has_skylakex_features(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
}

void pinn_blas_select_kernels(char **argv) {
  if (getenv("OPENBLAS_CORETYPE") || getenv("PINNSOLVE_KEEP_BLAS_CORE"))
    return;
  const char *core = openblas_get_corename();
  if (!core || strcasecmp(core, "haswell") != 0 || !cpu_has_skylakex_features())
    return;
  if (setenv("OPENBLAS_CORETYPE", "SkylakeX", 1) != 0)
    return;
  execv("/proc/self/exe", argv);
  unsetenv("OPENBLAS_CORETYPE"); /* exec failed: carry on with the kernels we have */
}

void pinn_blas_set_threads(int threads) { openblas_set_num_threads(threads); }
