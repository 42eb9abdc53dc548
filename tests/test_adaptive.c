/* pinn/adaptive: the rounds loop end to end on a tiny Burgers run (8x8 net, 200 points, a few
 * steps) for every registered sampler kind; merge policies (point counts, kept rows, moved
 * fractions); bitwise reproducibility of rounds.csv and the round arrays; the point-set hash;
 * RAD moving points towards large residuals; non-finite residuals and failing fits reported as
 * errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "check_main.h"
#include "core/log.h"
#include "core/npy.h"
#include "core/rng.h"
#include "gen/options.h"
#include "gen/samplers.h"
#include "pinn/adaptive.h"
#include "pinn/run.h"

/* Small budgets everywhere; sampler settings are the gen_options_quick ones (fewer fm steps). */
static const char base_config[] =
    "[problem]\nname = \"burgers\"\n"
    "[network]\nhidden = [8, 8]\n"
    "[points]\nn = 200\nkind = \"sobol\"\n"
    "[trainer]\nadam_steps = 20\neval_every = 10\n"
    "[evaluation]\npoints = [16, 8]\n"
    "[adaptive]\nrounds = 2\nadam_steps = 10\n"
    "[sampler]\npool_size = 2000\n"
    "realnvp_layers = 4\nrealnvp_width = 16\nrealnvp_epochs = 3\n"
    "spline_layers = 2\nspline_width = 16\nspline_bins = 8\nspline_epochs = 3\n"
    "fm_width = 32\nfm_depth = 2\nfm_train_steps = 100\nfm_batch = 128\nfm_ode_steps = 16\n";

static const gen_box burgers_box = {2, {-1.0, 0.0}, {1.0, 1.0}};

/* ---- a problem whose residual is NaN off the dyadic grid t = j / 1024 ----
 * The initial Sobol points (200 of them, from a base-2 sequence) have t = j / 256 exactly, so the
 * initial training is finite; uniform pool candidates are off the grid, so round 1 sees NaN. */
static pde_problem_type nan_type;
static void (*burgers_residual)(const pde_problem *, size_t, const double *, const double *,
                                double *, double *);

static void nan_residual(const pde_problem *p, size_t n, const double *x, const double *u_jets,
                         double *r, double *dr_du) {
  burgers_residual(p, n, x, u_jets, r, dr_du);
  for (size_t i = 0; i < n; i++) {
    double t = 1024.0 * x[2 * i + 1];
    if (t != floor(t))
      r[i] = NAN;
  }
}

static const pde_problem_type *const *nan_types(void) {
  static const pde_problem_type *types[] = {&nan_type, NULL};
  const pde_problem_type *burgers = pde_problem_type_find("burgers");
  ck_assert_ptr_nonnull(burgers);
  nan_type = *burgers;
  nan_type.name = "burgers_nan";
  burgers_residual = burgers->residual;
  nan_type.residual = nan_residual;
  return types;
}

/* ---- running ---- */

static void make_base_dir(char *dir, size_t size) {
  snprintf(dir, size, "/tmp/pinnsolve_adaptive_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Removes a test's base directory with its run directories (plain files one level down). */
static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (remove(path) != 0)
      remove_tree(path);
  }
  closedir(d);
  rmdir(dir);
}

static core_status run(const char *text, int n, const char *const *overrides, const char *out,
                       const pde_problem_type *const *types) {
  core_log_set_quiet(true);
  core_error_clear();
  pinn_config cfg;
  core_status s = pinn_config_load_string(&cfg, text, "t.toml", n, overrides, types);
  ck_assert_msg(s == CORE_OK, "config: %s", core_error_message());
  pinn_run_request request = {.out_dir = out, .quiet = true};
  pinn_run_result result;
  return pinn_run(&cfg, &request, &result);
}

static void run_ok(int n, const char *const *overrides, const char *out) {
  core_status s = run(base_config, n, overrides, out, NULL);
  ck_assert_msg(s == CORE_OK, "run %s: %s", out, core_error_message());
}

static char *read_file(const char *dir, const char *name, size_t *size) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  if (size)
    *size = (size_t)n;
  return buf;
}

static int file_exists(const char *dir, const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return access(path, F_OK) == 0;
}

static void expect_same_file(const char *a, const char *b, const char *name) {
  size_t na, nb;
  char *x = read_file(a, name, &na), *y = read_file(b, name, &nb);
  ck_assert_msg(na == nb && memcmp(x, y, na) == 0, "%s differs between %s and %s", name, a, b);
  free(x);
  free(y);
}

/* ---- rounds.csv ---- */

#define MAX_COLS 32
#define MAX_ROWS 16

typedef struct table {
  char *text;
  int n_cols, n_rows;
  char *head[MAX_COLS];
  char *cell[MAX_ROWS][MAX_COLS];
} table;

static int split(char *line, char **fields) {
  int n = 0;
  for (char *f = strtok(line, ","); f && n < MAX_COLS; f = strtok(NULL, ","))
    fields[n++] = f;
  return n;
}

static void read_rounds(const char *dir, table *t) {
  memset(t, 0, sizeof *t);
  t->text = read_file(dir, "rounds.csv", NULL);
  char *lines[MAX_ROWS + 1];
  int n = 0;
  for (char *l = strtok(t->text, "\n"); l && n <= MAX_ROWS; l = strtok(NULL, "\n"))
    lines[n++] = l;
  ck_assert_int_ge(n, 1);
  t->n_cols = split(lines[0], t->head);
  for (int r = 1; r < n; r++)
    ck_assert_int_eq(split(lines[r], t->cell[r - 1]), t->n_cols);
  t->n_rows = n - 1;
}

static const char *cell(const table *t, int row, const char *column) {
  ck_assert_int_lt(row, t->n_rows);
  for (int c = 0; c < t->n_cols; c++)
    if (strcmp(t->head[c], column) == 0)
      return t->cell[row][c];
  ck_abort_msg("rounds.csv has no column %s", column);
  return NULL;
}

static double num(const table *t, int row, const char *column) {
  return strtod(cell(t, row, column), NULL);
}

static int is_timing(const char *column) {
  return strcmp(column, "fit_seconds") == 0 || strcmp(column, "sample_seconds") == 0 ||
         strcmp(column, "pool_seconds") == 0 || strcmp(column, "wall_seconds") == 0;
}

/* Every column except the timings, bit for bit (the numbers are printed with 11 digits, the
 * arrays are compared as bytes separately). */
static void expect_same_rounds(const table *a, const table *b) {
  ck_assert_int_eq(a->n_rows, b->n_rows);
  ck_assert_int_eq(a->n_cols, b->n_cols);
  for (int r = 0; r < a->n_rows; r++)
    for (int c = 0; c < a->n_cols; c++)
      if (!is_timing(a->head[c]))
        ck_assert_msg(strcmp(a->cell[r][c], b->cell[r][c]) == 0, "round %d %s: %s vs %s", r,
                      a->head[c], a->cell[r][c], b->cell[r][c]);
}

/* ---- round arrays ---- */

static double *read_points(const char *dir, int round, const char *stem, size_t *n) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s_round_%03d.npy", dir, stem, round);
  double *x = NULL;
  int ndim = 0;
  size_t shape[CORE_NPY_MAX_DIM];
  ck_assert_msg(core_npy_read(path, &x, &ndim, shape) == CORE_OK, "%s", core_error_message());
  if (strcmp(stem, "pool_residuals") == 0) {
    ck_assert_int_eq(ndim, 1);
  } else {
    ck_assert_int_eq(ndim, 2);
    ck_assert_int_eq(shape[1], 2);
  }
  *n = shape[0];
  return x;
}

static void expect_inside_box(const double *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (int j = 0; j < 2; j++) {
      double v = x[2 * i + (size_t)j];
      ck_assert_msg(v >= burgers_box.lower[j] && v <= burgers_box.upper[j],
                    "point %zu coordinate %d = %g outside the box", i, j, v);
    }
}

/* The points_hash column is the hash of the saved set. */
static void expect_hash_of_file(const table *t, const char *dir, int round) {
  size_t n;
  double *x = read_points(dir, round, "points", &n);
  uint64_t h;
  ck_assert_int_eq(pinn_point_set_hash(n, 2, x, &h), CORE_OK);
  char text[32];
  snprintf(text, sizeof text, "%016llx", (unsigned long long)h);
  ck_assert_str_eq(cell(t, round, "points_hash"), text);
  ck_assert_int_eq((long)n, (long)num(t, round, "n_points"));
  free(x);
}

static int type_count(void) {
  int n = 0;
  while (gen_sampler_types[n])
    n++;
  return n;
}

static int reports_fit_loss(const gen_sampler_type *type) {
  return type == &gen_sampler_fm || type == &gen_sampler_realnvp || type == &gen_sampler_spline;
}

/* Two rounds with each sampler (replace, fresh candidates): counts, box, hashes, moved points,
 * metrics rows per round, summary fields, and a second run with the same seed bit for bit. */
START_TEST(test_every_sampler) {
  const gen_sampler_type *type = gen_sampler_types[_i];
  char base[256], a[320], b[320], kind[96];
  make_base_dir(base, sizeof base);
  snprintf(a, sizeof a, "%s/a", base);
  snprintf(b, sizeof b, "%s/b", base);
  snprintf(kind, sizeof kind, "sampler.kind=%s", type->name);
  const char *ov[] = {kind};
  run_ok(1, ov, a);
  run_ok(1, ov, b);

  table t, u;
  read_rounds(a, &t);
  read_rounds(b, &u);
  ck_assert_int_eq(t.n_rows, 3);
  for (int r = 0; r < 3; r++) {
    ck_assert_int_eq((int)num(&t, r, "round"), r);
    ck_assert_str_eq(cell(&t, r, "sampler"), type->name);
    ck_assert_int_eq((int)num(&t, r, "n_points"), 200);
    ck_assert(isfinite(num(&t, r, "l2")) && isfinite(num(&t, r, "loss")));
    ck_assert_int_eq((int)num(&t, r, "steps"), 20 + 10 * r);
    ck_assert_int_eq((int)num(&t, r, "loss_evaluations"), 20 + 10 * r); /* Adam: one per step */
    expect_hash_of_file(&t, a, r);
  }
  for (int r = 1; r < 3; r++) {
    size_t n;
    double *x = read_points(a, r, "points", &n);
    ck_assert_int_eq(n, 200);
    expect_inside_box(x, n);
    free(x);
    double *pool = read_points(a, r, "pool", &n);
    ck_assert_int_eq(n, 2000);
    expect_inside_box(pool, n);
    free(pool);
    ck_assert_int_eq((int)num(&t, r, "from_sampler"), 200);
    ck_assert_int_eq((int)num(&t, r, "pool_points"), 2000);
    /* fresh continuous draws never repeat a previous point byte for byte */
    ck_assert_double_eq(num(&t, r, "moved_fraction"), 1.0);
    ck_assert_str_ne(cell(&t, r, "points_hash"), cell(&t, r - 1, "points_hash"));
    ck_assert(num(&t, r, "pool_max_abs_r") >= num(&t, r, "pool_mean_abs_r"));
    ck_assert(num(&t, r, "pool_mean_abs_r") > 0.0);
    ck_assert_int_eq(isfinite(num(&t, r, "fit_loss")), reports_fit_loss(type));
  }

  /* same seed: identical rounds (timings aside) and identical arrays */
  expect_same_rounds(&t, &u);
  const char *files[] = {"points_round_000.npy", "points_round_001.npy", "points_round_002.npy",
                         "pool_round_002.npy", "pool_residuals_round_002.npy",
                         "collocation_points.npy", "prediction.npy"};
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++)
    expect_same_file(a, b, files[f]);

  /* the final collocation points are the last round's set */
  size_t n_last, n_final;
  double *last = read_points(a, 2, "points", &n_last);
  char path[512];
  snprintf(path, sizeof path, "%s/collocation_points.npy", a);
  double *final = NULL;
  int ndim;
  size_t shape[CORE_NPY_MAX_DIM];
  ck_assert_int_eq(core_npy_read(path, &final, &ndim, shape), CORE_OK);
  n_final = shape[0];
  ck_assert_int_eq(n_last, n_final);
  ck_assert_int_eq(memcmp(last, final, n_last * 2 * sizeof(double)), 0);
  free(last);
  free(final);

  char *metrics = read_file(a, "metrics.csv", NULL);
  ck_assert_ptr_nonnull(strstr(metrics, ",1,adam,"));
  ck_assert_ptr_nonnull(strstr(metrics, ",2,adam,"));
  free(metrics);
  char *summary = read_file(a, "summary.json", NULL), expect[128];
  snprintf(expect, sizeof expect, "\"sampler\": \"%s\"", type->name);
  ck_assert_ptr_nonnull(strstr(summary, expect));
  ck_assert_ptr_nonnull(strstr(summary, "\"rounds\": 2"));
  ck_assert_ptr_nonnull(strstr(summary, "\"fit_sample_fraction\""));
  free(summary);
  free(t.text);
  free(u.text);
  remove_tree(base);
}
END_TEST

/* RAD with c = 0 picks pool points with p ∝ |r|: the picked points' mean |r| is that of the pool
 * reweighted by p, E_p|r| = E r² / E|r| >= E|r| (Cauchy-Schwarz), computed here from the saved
 * pool residuals, so the draw must land near it and above E|r|. (Drawing 10 % of the pool without
 * replacement pulls it slightly towards E|r|.) */
START_TEST(test_rad_concentrates) {
  char base[256], a[320];
  make_base_dir(base, sizeof base);
  snprintf(a, sizeof a, "%s/a", base);
  const char *ov[] = {"sampler.kind=rad", "sampler.weight_offset=0"};
  run_ok(2, ov, a);
  table t;
  read_rounds(a, &t);
  for (int r = 1; r < 3; r++) {
    size_t n;
    double *res = read_points(a, r, "pool_residuals", &n);
    double m1 = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) {
      m1 += fabs(res[i]) / (double)n;
      m2 += res[i] * res[i] / (double)n;
    }
    double expected = m2 / m1, drawn = num(&t, r, "new_mean_abs_r");
    ck_assert_double_eq_tol(num(&t, r, "pool_mean_abs_r"), m1, 1e-9 * m1);
    printf("round %d: pool mean |r| %.4g, E_p|r| %.4g, drawn %.4g\n", r, m1, expected, drawn);
    ck_assert_msg(expected > 1.2 * m1, "round %d: residuals too even for the test (%g vs %g)", r,
                  expected, m1);
    ck_assert_msg(drawn > 1.1 * m1, "round %d: drawn mean |r| %g not above pool %g", r, drawn, m1);
    ck_assert_msg(fabs(drawn / expected - 1.0) < 0.15, "round %d: drawn %g, expected about %g", r,
                  drawn, expected);
    free(res);
  }
  free(t.text);
  remove_tree(base);
}
END_TEST

/* sampler.pool_proposal = "model": round 1 scores a uniform pool (nothing fitted yet); later
 * rounds draw (1 - α) of the pool from the spline flow and α uniformly, report the ratios' ESS,
 * and repeat bit for bit. A flow fitted towards large residuals puts its share of the pool
 * where |r| is larger than on a uniform pool. rad has no density and keeps uniform pools. */
START_TEST(test_model_pool) {
  char base[256], a[320], b[320], c[320];
  make_base_dir(base, sizeof base);
  snprintf(a, sizeof a, "%s/a", base);
  snprintf(b, sizeof b, "%s/b", base);
  snprintf(c, sizeof c, "%s/c", base);
  const char *ov[] = {"sampler.kind=spline", "sampler.pool_proposal=model",
                      "sampler.pool_uniform_share=0.25", "adaptive.rounds=3"};
  run_ok(4, ov, a);
  run_ok(4, ov, b);
  table t, u;
  read_rounds(a, &t);
  read_rounds(b, &u);
  expect_same_rounds(&t, &u);
  ck_assert_int_eq((int)num(&t, 1, "pool_from_model"), 0);
  ck_assert(isnan(num(&t, 1, "pool_ess")));
  for (int r = 2; r <= 3; r++) {
    ck_assert_int_eq((int)num(&t, r, "pool_from_model"), 1500);
    double ess = num(&t, r, "pool_ess");
    ck_assert_msg(ess > 0.0 && ess <= 1.0, "round %d: pool ESS %g", r, ess);
    size_t n;
    double *pool = read_points(a, r, "pool", &n);
    double *res = read_points(a, r, "pool_residuals", &n);
    ck_assert_int_eq(n, 2000);
    expect_inside_box(pool, n);
    double model_mean = 0, uniform_mean = 0;
    for (size_t i = 0; i < n; i++)
      *(i < 1500 ? &model_mean : &uniform_mean) += fabs(res[i]) / (i < 1500 ? 1500.0 : 500.0);
    printf("round %d: mean |r| on model candidates %.4g, on uniform ones %.4g, ESS %.3f\n", r,
           model_mean, uniform_mean, ess);
    ck_assert_msg(model_mean > uniform_mean, "round %d: model candidates %g, uniform %g", r,
                  model_mean, uniform_mean);
    free(pool);
    free(res);
  }
  const char *rad[] = {"sampler.kind=rad", "sampler.pool_proposal=model", "adaptive.rounds=2"};
  run_ok(3, rad, c);
  table v;
  read_rounds(c, &v);
  for (int r = 1; r <= 2; r++)
    ck_assert_int_eq((int)num(&v, r, "pool_from_model"), 0);
  free(t.text);
  free(u.text);
  free(v.text);
  remove_tree(base);
}
END_TEST

/* Row i of x (dim 2) appears in pool (n_pool rows), byte for byte. */
static int row_in(const double *x, const double *pool, size_t n_pool) {
  for (size_t j = 0; j < n_pool; j++)
    if (memcmp(x, pool + 2 * j, 2 * sizeof(double)) == 0)
      return 1;
  return 0;
}

/* sampler.draw = "pool": in every round the new points are rows of the round's pool (selected,
 * not drawn afresh): uniform candidates in round 1, the flow's proposals afterwards. Without a
 * model pool the setting is a config error naming both keys. */
START_TEST(test_pool_draw) {
  char base[256], a[320];
  make_base_dir(base, sizeof base);
  snprintf(a, sizeof a, "%s/a", base);
  const char *ov[] = {"sampler.kind=spline", "sampler.pool_proposal=model", "sampler.draw=pool",
                      "adaptive.rounds=3"};
  run_ok(4, ov, a);
  for (int r = 1; r <= 3; r++) {
    size_t n, n_pool;
    double *x = read_points(a, r, "points", &n);
    double *pool = read_points(a, r, "pool", &n_pool);
    size_t found = 0;
    for (size_t i = 0; i < n; i++)
      found += (size_t)row_in(x + 2 * i, pool, n_pool);
    ck_assert_int_eq(found, n);
    free(x);
    free(pool);
  }
  table t;
  read_rounds(a, &t);
  ck_assert_double_eq(num(&t, 3, "moved_fraction"), 1.0);
  free(t.text);
  remove_tree(base);

  pinn_config cfg;
  const char *bad[] = {"sampler.kind=spline", "sampler.draw=pool"};
  core_error_clear();
  ck_assert_int_eq(pinn_config_load_string(&cfg, base_config, "t.toml", 2, bad, NULL),
                   CORE_ERR_CONFIG);
  ck_assert_ptr_nonnull(strstr(core_error_message(), "sampler.pool_proposal"));
  core_error_clear();
}
END_TEST

/* add: the set grows by add_points per round and keeps the previous rows first. */
START_TEST(test_merge_add) {
  char base[256], a[320];
  make_base_dir(base, sizeof base);
  snprintf(a, sizeof a, "%s/a", base);
  const char *ov[] = {"sampler.kind=rad", "adaptive.merge=add", "adaptive.add_points=50"};
  run_ok(3, ov, a);
  table t;
  read_rounds(a, &t);
  size_t n_prev;
  double *prev = read_points(a, 0, "points", &n_prev);
  for (int r = 1; r < 3; r++) {
    size_t n;
    double *x = read_points(a, r, "points", &n);
    ck_assert_int_eq(n, 200 + 50 * (size_t)r);
    ck_assert_int_eq((int)num(&t, r, "n_points"), (int)n);
    ck_assert_int_eq((int)num(&t, r, "from_sampler"), 50);
    ck_assert_int_eq(memcmp(x, prev, n_prev * 2 * sizeof(double)), 0);
    ck_assert_double_eq_tol(num(&t, r, "moved_fraction"), 50.0 / (double)n, 1e-9);
    expect_inside_box(x, n);
    free(prev);
    prev = x;
    n_prev = n;
  }
  free(prev);
  free(t.text);
  remove_tree(base);
}
END_TEST

/* mix: (1 - f) n sampler points then f n uniform ones; L-BFGS and Adam resets per round; arrays
 * only every second round. */
START_TEST(test_merge_mix) {
  char base[256], a[320];
  make_base_dir(base, sizeof base);
  snprintf(a, sizeof a, "%s/a", base);
  const char *ov[] = {"sampler.kind=realnvp", "adaptive.merge=mix",
                      "adaptive.uniform_fraction=0.25", "adaptive.lbfgs_steps=3",
                      "adaptive.reset_adam=true", "adaptive.save_every=2"};
  run_ok(6, ov, a);
  table t;
  read_rounds(a, &t);
  for (int r = 1; r < 3; r++) {
    ck_assert_int_eq((int)num(&t, r, "n_points"), 200);
    ck_assert_int_eq((int)num(&t, r, "from_sampler"), 150);
    ck_assert_int_eq((int)num(&t, r, "uniform"), 50);
    long steps = (long)num(&t, r, "steps"), before = (long)num(&t, r - 1, "steps");
    ck_assert(steps > before + 10 && steps <= before + 13);
  }
  ck_assert(file_exists(a, "points_round_000.npy"));
  ck_assert(!file_exists(a, "points_round_001.npy"));
  ck_assert(!file_exists(a, "pool_round_001.npy"));
  ck_assert(file_exists(a, "points_round_002.npy"));
  size_t n;
  double *x = read_points(a, 2, "points", &n);
  ck_assert_int_eq(n, 200);
  expect_inside_box(x, n);
  free(x);
  free(t.text);
  remove_tree(base);
}
END_TEST

/* RAD on the current points with replace draws all n distinct points of the set: the same set
 * in another order, so the hash stays and nothing moves. */
START_TEST(test_same_set_same_hash) {
  char base[256], a[320];
  make_base_dir(base, sizeof base);
  snprintf(a, sizeof a, "%s/a", base);
  const char *ov[] = {"sampler.kind=rad", "adaptive.pool=points"};
  run_ok(2, ov, a);
  table t;
  read_rounds(a, &t);
  size_t n0, n1;
  double *x0 = read_points(a, 0, "points", &n0), *x1 = read_points(a, 1, "points", &n1);
  ck_assert_int_eq(n0, n1);
  ck_assert_int_ne(memcmp(x0, x1, n0 * 2 * sizeof(double)), 0); /* reordered */
  for (int r = 1; r < 3; r++) {
    ck_assert_str_eq(cell(&t, r, "points_hash"), cell(&t, 0, "points_hash"));
    ck_assert_double_eq(num(&t, r, "moved_fraction"), 0.0);
    ck_assert_int_eq((int)num(&t, r, "pool_points"), 200);
  }
  free(x0);
  free(x1);
  free(t.text);
  remove_tree(base);
}
END_TEST

/* The BFGS phases: rounds run with trainer.quasi_newton = bfgs, repeat bit for bit, are logged as
 * "bfgs", lower the loss below what Adam left, and differ from the same run with L-BFGS (the
 * setting reaches the trainer). */
START_TEST(test_bfgs_rounds) {
  char base[256], a[320], b[320], c[320];
  make_base_dir(base, sizeof base);
  snprintf(a, sizeof a, "%s/a", base);
  snprintf(b, sizeof b, "%s/b", base);
  snprintf(c, sizeof c, "%s/c", base);
  const char *ov[] = {"sampler.kind=rad", "trainer.quasi_newton=bfgs", "trainer.bfgs_scaling=al_baali",
                      "trainer.lbfgs_steps=30", "adaptive.adam_steps=0", "adaptive.lbfgs_steps=20"};
  run_ok(6, ov, a);
  run_ok(6, ov, b);
  const char *ov_lbfgs[] = {"sampler.kind=rad", "trainer.quasi_newton=lbfgs", "trainer.lbfgs_steps=30",
                            "adaptive.adam_steps=0", "adaptive.lbfgs_steps=20"};
  run_ok(5, ov_lbfgs, c);
  table ta, tb, tc;
  read_rounds(a, &ta);
  read_rounds(b, &tb);
  read_rounds(c, &tc);
  expect_same_rounds(&ta, &tb);
  ck_assert_str_ne(cell(&ta, 2, "l2"), cell(&tc, 2, "l2"));
  /* Each BFGS call evaluates its start point before its first step, so evaluations outrun steps
   * by at least one per call (the initial phase and one per round). */
  for (int r = 0; r < ta.n_rows; r++)
    ck_assert_int_ge((long)num(&ta, r, "loss_evaluations"), (long)num(&ta, r, "steps") + r + 1);
  /* metrics.csv: the last Adam row's loss, then BFGS rows only, ending lower. */
  char *metrics = read_file(a, "metrics.csv", NULL);
  double adam_loss = NAN, last_loss = NAN;
  int bfgs_rows = 0, lbfgs_rows = 0;
  for (char *line = strtok(metrics, "\n"); line; line = strtok(NULL, "\n")) {
    char phase[16];
    double loss;
    long step;
    int round;
    if (sscanf(line, "%ld,%d,%15[a-z],%lf", &step, &round, phase, &loss) != 4)
      continue;
    if (strcmp(phase, "adam") == 0)
      adam_loss = loss;
    bfgs_rows += strcmp(phase, "bfgs") == 0;
    lbfgs_rows += strcmp(phase, "lbfgs") == 0;
    if (round == 0)
      last_loss = loss;
  }
  ck_assert_int_gt(bfgs_rows, 0);
  ck_assert_int_eq(lbfgs_rows, 0);
  ck_assert_msg(last_loss < 0.75 * adam_loss, "BFGS left the loss at %g after Adam's %g", last_loss, adam_loss);
  free(metrics);
  free(ta.text);
  free(tb.text);
  free(tc.text);
  remove_tree(base);
}
END_TEST

START_TEST(test_point_set_hash) {
  double x[] = {0.5, 0.25, -1.0, 0.0, 0.125, 0.75, 0.5, 0.25};
  double y[] = {0.125, 0.75, 0.5, 0.25, 0.5, 0.25, -1.0, 0.0}; /* a permutation of x */
  uint64_t hx, hy, h;
  ck_assert_int_eq(pinn_point_set_hash(4, 2, x, &hx), CORE_OK);
  ck_assert_int_eq(pinn_point_set_hash(4, 2, y, &hy), CORE_OK);
  ck_assert(hx == hy);
  y[5] = nextafter(y[5], 1.0); /* one ulp */
  ck_assert_int_eq(pinn_point_set_hash(4, 2, y, &h), CORE_OK);
  ck_assert(h != hx);
  x[3] = -0.0; /* bytes differ from +0 */
  ck_assert_int_eq(pinn_point_set_hash(4, 2, x, &h), CORE_OK);
  ck_assert(h != hx);
  /* the empty set hashes to the FNV-1a offset basis */
  ck_assert_int_eq(pinn_point_set_hash(0, 2, x, &h), CORE_OK);
  ck_assert(h == UINT64_C(14695981039346656037));
  core_error_clear();
  ck_assert_int_eq(pinn_point_set_hash(1, 0, x, &h), CORE_ERR_INVALID);
}
END_TEST

START_TEST(test_nonfinite_residual) {
  char base[256], a[320];
  make_base_dir(base, sizeof base);
  snprintf(a, sizeof a, "%s/a", base);
  const pde_problem_type *const *types = nan_types();
  static const char text[] = "[problem]\nname = \"burgers_nan\"\n[network]\nhidden = [8]\n"
                             "[points]\nn = 200\n[trainer]\nadam_steps = 5\n"
                             "[evaluation]\npoints = [8, 8]\n[adaptive]\nrounds = 2\n"
                             "[sampler]\nkind = \"rad\"\npool_size = 500\n";
  core_status s = run(text, 0, NULL, a, types);
  ck_assert_int_eq(s, CORE_ERR_NUMERIC);
  ck_assert_msg(strstr(core_error_message(), "round 1: the residual at pool point 0 (x = "),
                "message: %s", core_error_message());
  ck_assert_ptr_nonnull(strstr(core_error_message(), "is nan"));
  remove_tree(base);
}
END_TEST

/* Bad weights handed to any sampler's refit fail with a message; the sampler stays usable. */
START_TEST(test_fit_rejects_bad_weights) {
  const gen_sampler_type *type = gen_sampler_types[_i];
  gsl_rng *rng = core_rng_create(7);
  gen_options o = gen_options_quick();
  gen_sampler *s = NULL;
  ck_assert_int_eq(gen_sampler_create(&s, type, &burgers_box, &o, rng), CORE_OK);
  enum { N = 300 };
  double x[2 * N], w[N], scratch[N];
  for (size_t i = 0; i < N; i++) {
    x[2 * i] = -1.0 + 2.0 * gsl_rng_uniform(rng);
    x[2 * i + 1] = gsl_rng_uniform(rng);
    w[i] = 1.0 + x[2 * i];
  }
  const double bad[] = {NAN, INFINITY, -1.0};
  for (size_t b = 0; b < 3; b++) {
    double keep = w[17];
    w[17] = bad[b];
    core_error_clear();
    core_status st = pinn_adaptive_fit(s, &o, N, x, w, NULL, scratch, rng);
    ck_assert_msg(st == CORE_ERR_NUMERIC, "%s: weight %g gave status %d", type->name, bad[b], st);
    ck_assert_msg(strstr(core_error_message(), "17"), "%s: message '%s' does not name the point",
                  type->name, core_error_message());
    w[17] = keep;
  }
  core_error_clear();
  ck_assert_msg(pinn_adaptive_fit(s, &o, N, x, w, NULL, scratch, rng) == CORE_OK, "%s: %s", type->name,
                core_error_message());
  double y[2 * 50];
  ck_assert_int_eq(gen_sampler_sample(s, 50, y, rng), CORE_OK);
  expect_inside_box(y, 50);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("adaptive");
  TCase *tc = tcase_create("rounds");
  tcase_set_timeout(tc, 120);
  int n = type_count();
  tcase_add_loop_test(tc, test_every_sampler, 0, n);
  tcase_add_test(tc, test_rad_concentrates);
  tcase_add_test(tc, test_model_pool);
  tcase_add_test(tc, test_pool_draw);
  tcase_add_test(tc, test_merge_add);
  tcase_add_test(tc, test_merge_mix);
  tcase_add_test(tc, test_same_set_same_hash);
  tcase_add_test(tc, test_bfgs_rounds);
  tcase_add_test(tc, test_point_set_hash);
  tcase_add_test(tc, test_nonfinite_residual);
  tcase_add_loop_test(tc, test_fit_rejects_bad_weights, 0, n);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
