/* Times one full PINN training step on Burgers (forward with derivative streams, residual,
 * reverse pass, Adam update) and, in the same run, the bare cblas_dgemm calls of that step's
 * shapes. Prints one line per case:
 *   step net=20x3 n=2000 ms=... gflops=... blas_gflops=... blas_ratio=...
 * gflops counts the matrix-multiply flops of the step; blas_ratio = step gflops / dgemm gflops.
 * Usage: bench_step [--repeats R]. Single-threaded unless OPENBLAS_NUM_THREADS says otherwise. */
#include <cblas.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/rng.h"
#include "nn/adam.h"
#include "pinn/model.h"

typedef struct bench_case {
  int width, depth;
  size_t n;
} bench_case;

/* The dgemm shapes (m, n, k, transA, transB) a training step issues, in order, for one chunk of
 * `chunk` points (nn/jets.c: feature-major layers; pinn/model.h: chunked steps). */
typedef struct gemm_shape {
  int m, n, k;
  CBLAS_TRANSPOSE ta, tb;
} gemm_shape;

static int chunk_gemm_shapes(const nn_mlp *mlp, int streams, int chunk, gemm_shape *shapes) {
  int count = 0, cols = streams * chunk;
  const int *w = mlp->widths;
  shapes[count++] = (gemm_shape){w[1], chunk, w[0], CblasNoTrans, CblasTrans};
  for (int l = 1; l < mlp->n_layers; l++)
    shapes[count++] = (gemm_shape){w[l + 1], cols, w[l], CblasNoTrans, CblasNoTrans};
  for (int l = mlp->n_layers - 1; l >= 1; l--) {
    shapes[count++] = (gemm_shape){w[l + 1], w[l], cols, CblasNoTrans, CblasTrans};
    shapes[count++] = (gemm_shape){w[l], cols, w[l + 1], CblasTrans, CblasNoTrans};
  }
  shapes[count++] = (gemm_shape){w[1], w[0], chunk, CblasNoTrans, CblasNoTrans};
  return count;
}

static double gemm_flops(const gemm_shape *shapes, int count) {
  double flops = 0;
  for (int i = 0; i < count; i++)
    flops += 2.0 * shapes[i].m * shapes[i].n * shapes[i].k;
  return flops;
}

static void run_gemms(const gemm_shape *shapes, int count, const double *a, const double *b, double *c) {
  for (int i = 0; i < count; i++) {
    const gemm_shape *s = &shapes[i];
    int lda = s->ta == CblasNoTrans ? s->k : s->m, ldb = s->tb == CblasNoTrans ? s->n : s->k;
    cblas_dgemm(CblasRowMajor, s->ta, s->tb, s->m, s->n, s->k, 1.0, a, lda, b, ldb, 0.0, c, s->n);
  }
}

/* Seconds per repetition of the step's dgemm calls alone (`chunks` times the chunk shapes, then
 * the last partial chunk's), on buffers of the same sizes. */
static double time_bare_gemms(const gemm_shape *shapes, int count, size_t chunks, const gemm_shape *last,
                              int repeats) {
  size_t biggest = 0;
  for (int i = 0; i < count; i++) {
    size_t sizes[3] = {(size_t)shapes[i].m * shapes[i].k, (size_t)shapes[i].k * shapes[i].n,
                       (size_t)shapes[i].m * shapes[i].n};
    for (int j = 0; j < 3; j++)
      biggest = sizes[j] > biggest ? sizes[j] : biggest;
  }
  double *a = calloc(biggest, sizeof *a), *b = calloc(biggest, sizeof *b), *c = calloc(biggest, sizeof *c);
  for (size_t i = 0; i < biggest; i++)
    a[i] = b[i] = 1e-3 * (double)(i % 97);
  double best = 1e30;
  for (int r = 0; r < repeats; r++) {
    double t0 = core_clock_seconds();
    for (size_t chunk = 0; chunk < chunks; chunk++)
      run_gemms(shapes, count, a, b, c);
    if (last)
      run_gemms(last, count, a, b, c);
    double t = core_clock_seconds() - t0;
    best = t < best ? t : best;
  }
  free(a);
  free(b);
  free(c);
  return best;
}

static int run_case(const bench_case *bc, int repeats) {
  const pde_problem_type *type = pde_problem_type_find("burgers");
  if (!type) {
    fprintf(stderr, "bench_step: problem 'burgers' is not registered\n");
    return 1;
  }
  pde_problem problem;
  pde_problem_init(&problem, type);
  int widths[NN_MAX_LAYERS + 1] = {type->dim};
  for (int l = 1; l <= bc->depth; l++)
    widths[l] = bc->width;
  widths[bc->depth + 1] = 1;
  gsl_rng *rng = core_rng_create(1);
  nn_mlp *net = NULL;
  pinn_model *model = NULL;
  nn_adam *adam = NULL;
  nn_adam_options adam_options = nn_adam_default_options();
  double *x = malloc(bc->n * (size_t)type->dim * sizeof *x);
  for (size_t p = 0; p < bc->n; p++)
    for (int i = 0; i < type->dim; i++)
      x[p * (size_t)type->dim + (size_t)i] = type->lower[i] + gsl_rng_uniform(rng) * (type->upper[i] - type->lower[i]);
  if (nn_mlp_create(&net, bc->depth + 2, widths, NN_ACT_TANH) != CORE_OK ||
      pinn_model_create(&model, &problem, net, bc->n) != CORE_OK ||
      nn_adam_create(&adam, net->n_params, &adam_options) != CORE_OK ||
      pinn_model_set_points(model, bc->n, x) != CORE_OK) {
    fprintf(stderr, "bench_step: %s\n", core_error_message());
    return 1;
  }
  nn_mlp_init_glorot(net, rng);
  double loss = 0, best = 1e30;
  for (int r = 0; r < repeats + 3; r++) { /* three warm-up steps */
    double t0 = core_clock_seconds();
    pinn_model_loss_and_gradient(model, &loss);
    nn_adam_step(adam, net->params, net->grads);
    double t = core_clock_seconds() - t0;
    if (r >= 3 && t < best)
      best = t;
  }
  /* Full chunks of the step plus the last partial one, as the step issues them. */
  gemm_shape shapes[2][2 * NN_MAX_LAYERS + 2];
  int streams = nn_jet_spec_streams(&type->jets);
  size_t full = bc->n / PINN_MODEL_CHUNK, rest = bc->n % PINN_MODEL_CHUNK;
  int count = chunk_gemm_shapes(net, streams, PINN_MODEL_CHUNK, shapes[0]);
  chunk_gemm_shapes(net, streams, rest ? (int)rest : 1, shapes[1]);
  double flops = (double)full * gemm_flops(shapes[0], count) + (rest ? gemm_flops(shapes[1], count) : 0);
  double blas = time_bare_gemms(shapes[0], count, full, rest ? shapes[1] : NULL, repeats);
  printf("step net=%dx%d n=%zu ms=%.3f gflops=%.2f blas_gflops=%.2f blas_ratio=%.2f\n", bc->width,
         bc->depth, bc->n, 1e3 * best, flops / best * 1e-9, flops / blas * 1e-9, blas / best);
  fflush(stdout);
  nn_adam_destroy(adam);
  pinn_model_destroy(model);
  nn_mlp_destroy(net);
  free(x);
  gsl_rng_free(rng);
  return 0;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  int repeats = 20;
  if (argc == 3 && strcmp(argv[1], "--repeats") == 0)
    repeats = atoi(argv[2]);
  if (repeats < 1) {
    fprintf(stderr, "usage: bench_step [--repeats R]  (R >= 1)\n");
    return 2;
  }
  const char *core = getenv("OPENBLAS_CORETYPE");
  printf("# openblas: %s; OPENBLAS_CORETYPE=%s; best of %d steps\n", openblas_get_config(),
         core ? core : "(unset)", repeats);
  const bench_case cases[] = {{20, 3, 2000}, {64, 4, 2000}, {20, 3, 10000}, {64, 4, 10000}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (run_case(&cases[i], repeats) != 0)
      return 1;
  return 0;
}
