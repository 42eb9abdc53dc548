/* OpenBLAS set-up at start-up: kernel choice and thread count. */
#ifndef PINNSOLVE_PINN_BLAS_SETUP_H
#define PINNSOLVE_PINN_BLAS_SETUP_H

/* Debian's OpenBLAS 0.3.21 chooses its kernels by CPU model, and on AVX-512 CPUs newer than it
 * knows it falls back to Haswell (AVX2) kernels; SkylakeX kernels measured 1.4-1.7x faster at
 * pinnsolve's shapes there. OpenBLAS reads OPENBLAS_CORETYPE only when it is loaded, so when it
 * reports Haswell on a CPU with every AVX-512 subset SkylakeX kernels use (F, CD, BW, DQ, VL) and
 * the user has not set OPENBLAS_CORETYPE, this re-executes the program once with
 * OPENBLAS_CORETYPE=SkylakeX. PINNSOLVE_KEEP_BLAS_CORE=1 disables it. Returns only when no
 * re-exec happened (or it failed, which is harmless). */
void pinn_blas_select_kernels(char **argv);

/* Threads OpenBLAS may use (results are reproducible for a fixed count). */
void pinn_blas_set_threads(int threads);

#endif
