/* core/config and pinn/config: defaults, unknown keys with suggestions, wrong types, ranges,
 * choices, overrides, dynamic [problem] keys, evaluation lengths against the problem's
 * dimension, [sampler] settings (gen options as dynamic keys) and [adaptive] combinations, and
 * the resolved-config writer's round trip. Messages are checked with file:line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "core/config.h"
#include "gen/sampler.h"
#include "pinn/config.h"

/* A three-input problem with two parameters, only for the binder (never evaluated). */
static const char *const cube_inputs[] = {"x", "y", "t"};
static const char *const cube_params[] = {"alpha", "beta"};
static const pde_problem_type cube_type = {
    .name = "cube",
    .dim = 3,
    .input_names = cube_inputs,
    .lower = {0.0, -2.0, 0.0},
    .upper = {1.0, 2.0, 5.0},
    .n_params = 2,
    .param_names = cube_params,
    .param_defaults = {0.25, -3.0},
};
static const pde_problem_type *const test_types[] = {&cube_type, NULL};

static core_status load(pinn_config *cfg, const char *text, int n, const char *const *ov) {
  core_error_clear();
  return pinn_config_load_string(cfg, text, "t.toml", n, ov, NULL);
}

static core_status load_cube(pinn_config *cfg, const char *text, int n, const char *const *ov) {
  core_error_clear();
  return pinn_config_load_string(cfg, text, "t.toml", n, ov, test_types);
}

static void expect_error(core_status s, const char *message) {
  ck_assert_int_eq(s, CORE_ERR_CONFIG);
  ck_assert_msg(strstr(core_error_message(), message), "message \"%s\" lacks \"%s\"",
                core_error_message(), message);
}

#define BURGERS "[problem]\nname = \"burgers\"\n"

START_TEST(test_defaults) {
  pinn_config cfg;
  ck_assert_int_eq(load(&cfg, BURGERS, 0, NULL), CORE_OK);
  const pde_problem_type *burgers = pde_problem_type_find("burgers");
  ck_assert_ptr_eq(cfg.problem.type, burgers);
  ck_assert_double_eq(cfg.problem.params[0], burgers->param_defaults[0]);
  ck_assert_int_eq(cfg.network.n_hidden, 3);
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(cfg.network.hidden[i], 64);
  ck_assert_int_eq(cfg.network.activation, NN_ACT_TANH);
  ck_assert_int_eq(cfg.points.n, 2000);
  ck_assert_int_eq(cfg.points.kind, PINN_POINTS_SOBOL);
  ck_assert_int_eq(cfg.trainer.adam_steps, 10000);
  ck_assert_int_eq(cfg.trainer.lbfgs_steps, 0);
  ck_assert_double_eq(cfg.trainer.learning_rate, 1e-3);
  ck_assert_double_eq(cfg.trainer.lr_decay_rate, 1.0);
  ck_assert_int_eq(cfg.trainer.lr_decay_steps, 1000);
  ck_assert_int_eq(cfg.trainer.lbfgs_history, 50);
  ck_assert_int_eq(cfg.trainer.eval_every, 500);
  ck_assert_int_eq(cfg.evaluation.n_points, burgers->dim);
  for (int i = 0; i < burgers->dim; i++) {
    ck_assert_int_eq(cfg.evaluation.points[i], 100);
    ck_assert_double_eq(cfg.evaluation.lower[i], burgers->lower[i]);
    ck_assert_double_eq(cfg.evaluation.upper[i], burgers->upper[i]);
  }
  ck_assert_int_eq(cfg.run.seed, 1234);
  ck_assert_int_eq(cfg.run.threads, 1);
  ck_assert_str_eq(cfg.run.out_root, "runs");
  ck_assert_str_eq(cfg.source, "t.toml");
}
END_TEST

START_TEST(test_values_from_file) {
  pinn_config cfg;
  ck_assert_int_eq(load(&cfg,
                        BURGERS "nu = 0.05\n[network]\nhidden = [8, 16]\nactivation = \"sin\"\n"
                                "[points]\nkind = \"lhs\"\n[trainer]\nlearning_rate = 1\n",
                        0, NULL),
                   CORE_OK);
  ck_assert_double_eq(cfg.problem.params[0], 0.05);
  ck_assert_int_eq(cfg.network.n_hidden, 2);
  ck_assert_int_eq(cfg.network.hidden[1], 16);
  ck_assert_int_eq(cfg.network.activation, NN_ACT_SIN);
  ck_assert_int_eq(cfg.points.kind, PINN_POINTS_LHS);
  ck_assert_double_eq(cfg.trainer.learning_rate, 1.0); /* an integer for a float key */
}
END_TEST

START_TEST(test_unknown_keys) {
  pinn_config cfg;
  expect_error(load(&cfg, BURGERS "[trainer]\nadam_step = 5\n", 0, NULL),
               "t.toml:4: unknown key 'trainer.adam_step' (did you mean 'trainer.adam_steps'?)");
  expect_error(load(&cfg, BURGERS "[trainer]\nmomentum = 0.9\n", 0, NULL),
               "t.toml:4: unknown key 'trainer.momentum'");
  ck_assert_ptr_null(strstr(core_error_message(), "did you mean"));
  expect_error(load(&cfg, BURGERS "[traner]\n", 0, NULL),
               "t.toml:3: unknown table [traner] (did you mean [trainer]?)");
  expect_error(load(&cfg, "seed = 1\n" BURGERS, 0, NULL), "t.toml:1: unknown key 'seed'");
}
END_TEST

START_TEST(test_wrong_types) {
  pinn_config cfg;
  expect_error(load(&cfg, BURGERS "[trainer]\nadam_steps = \"abc\"\n", 0, NULL),
               "t.toml:4: trainer.adam_steps must be an integer, got string");
  expect_error(load(&cfg, BURGERS "[points]\nn = 2.5\n", 0, NULL),
               "t.toml:4: points.n must be an integer, got float 2.5");
  expect_error(load(&cfg, BURGERS "[trainer]\nlearning_rate = true\n", 0, NULL),
               "t.toml:4: trainer.learning_rate must be a number, got boolean");
  expect_error(load(&cfg, BURGERS "[network]\nhidden = 64\n", 0, NULL),
               "t.toml:4: network.hidden must be an array of integers, got integer 64");
  expect_error(load(&cfg, BURGERS "[network]\nhidden = [64, 1.5]\n", 0, NULL),
               "t.toml:4: network.hidden[1] must be an integer, got float 1.5");
  expect_error(load(&cfg, "[problem]\nname = 3\n", 0, NULL),
               "t.toml:2: problem.name must be a string, got integer 3");
  expect_error(load(&cfg, BURGERS "[trainer]\nlearning_rate = nan\n", 0, NULL),
               "t.toml:4: trainer.learning_rate must be a finite number");
}
END_TEST

START_TEST(test_ranges) {
  pinn_config cfg;
  expect_error(load(&cfg, BURGERS "[points]\nn = -5\n", 0, NULL),
               "t.toml:4: points.n must be >= 1, got -5");
  expect_error(load(&cfg, BURGERS "[trainer]\nadam_steps = -1\n", 0, NULL),
               "t.toml:4: trainer.adam_steps must be >= 0, got -1");
  expect_error(load(&cfg, BURGERS "[run]\nthreads = 65\n", 0, NULL),
               "t.toml:4: run.threads must be <= 64, got 65");
  expect_error(load(&cfg, BURGERS "[trainer]\nlearning_rate = 0\n", 0, NULL),
               "t.toml:4: trainer.learning_rate must be > 0, got 0");
  expect_error(load(&cfg, BURGERS "[trainer]\nlr_decay_rate = 1.5\n", 0, NULL),
               "t.toml:4: trainer.lr_decay_rate must be <= 1, got 1.5");
  expect_error(load(&cfg, BURGERS "[network]\nhidden = [64, 0]\n", 0, NULL),
               "t.toml:4: network.hidden[1] must be >= 1, got 0");
  expect_error(load(&cfg, BURGERS "[network]\nhidden = []\n", 0, NULL),
               "t.toml:4: network.hidden must have 1 to 15 entries, got 0");
  expect_error(load(&cfg, BURGERS "[run]\nseed = 3000000000\n", 0, NULL),
               "t.toml:4: run.seed is out of range, got 3000000000");
  /* the bounds themselves are accepted */
  ck_assert_int_eq(load(&cfg, BURGERS "[run]\nthreads = 64\n[trainer]\nlearning_rate = 1.0\n"
                                      "adam_steps = 0\n",
                        0, NULL),
                   CORE_OK);
  ck_assert_int_eq(cfg.run.threads, 64);
}
END_TEST

START_TEST(test_choices) {
  pinn_config cfg;
  expect_error(load(&cfg, BURGERS "[network]\nactivation = \"relu\"\n", 0, NULL),
               "t.toml:4: network.activation must be one of \"tanh\", \"sin\"; got \"relu\"");
  expect_error(load(&cfg, BURGERS "[points]\nkind = \"grid\"\n", 0, NULL),
               "points.kind must be one of \"sobol\", \"uniform\", \"lhs\"; got \"grid\"");
}
END_TEST

START_TEST(test_overrides) {
  pinn_config cfg;
  const char *ov[] = {"trainer.adam_steps=500", "points.kind=uniform", "network.hidden=[8, 8]",
                      "run.out_root=123", "problem.nu = 0.5", "points.kind=\"lhs\""};
  ck_assert_int_eq(load(&cfg, BURGERS "[trainer]\nadam_steps = 7\n", 6, ov), CORE_OK);
  ck_assert_int_eq(cfg.trainer.adam_steps, 500); /* the override wins over the file */
  ck_assert_int_eq(cfg.points.kind, PINN_POINTS_LHS);
  ck_assert_int_eq(cfg.network.n_hidden, 2);
  ck_assert_str_eq(cfg.run.out_root, "123");
  ck_assert_double_eq(cfg.problem.params[0], 0.5);

  const char *bad_int[] = {"trainer.adam_steps=abc"};
  expect_error(load(&cfg, BURGERS, 1, bad_int),
               "--set trainer.adam_steps=abc: trainer.adam_steps must be an integer, got string");
  const char *typo[] = {"trainer.adam_step=5"};
  expect_error(load(&cfg, BURGERS, 1, typo), "--set trainer.adam_step=5: unknown key "
                                             "'trainer.adam_step' (did you mean "
                                             "'trainer.adam_steps'?)");
  const char *no_eq[] = {"trainer.adam_steps"};
  expect_error(load(&cfg, BURGERS, 1, no_eq), "--set trainer.adam_steps: expected key=value");
  const char *range[] = {"points.n=-5"};
  expect_error(load(&cfg, BURGERS, 1, range), "--set points.n=-5: points.n must be >= 1, got -5");
  const char *syntax[] = {"points.n=1__0"};
  expect_error(load(&cfg, BURGERS, 1, syntax), "--set points.n=1__0: invalid value '1__0'");
  const char *choice[] = {"points.kind=fm"};
  expect_error(load(&cfg, BURGERS, 1, choice), "--set points.kind=fm: points.kind must be one of");
  /* without a file, the overrides alone must name the problem */
  const char *name[] = {"problem.name=burgers", "problem.nu=0.02"};
  core_error_clear();
  ck_assert_int_eq(pinn_config_load(&cfg, NULL, 2, name), CORE_OK);
  ck_assert_double_eq(cfg.problem.params[0], 0.02);
  ck_assert_str_eq(cfg.source, "<command line>");
}
END_TEST

START_TEST(test_problem_keys) {
  pinn_config cfg;
  /* a parameter may come before the name */
  ck_assert_int_eq(load(&cfg, "[problem]\nnu = 0.125\nname = \"burgers\"\n", 0, NULL), CORE_OK);
  ck_assert_double_eq(cfg.problem.params[0], 0.125);
  expect_error(load(&cfg, BURGERS "nuu = 0.1\n", 0, NULL),
               "t.toml:3: unknown key 'problem.nuu' (did you mean 'problem.nu'?)");
  expect_error(load(&cfg, BURGERS "viscosity = 0.1\n", 0, NULL),
               "t.toml:3: unknown key 'problem.viscosity'");
  expect_error(load(&cfg, BURGERS "nu = \"small\"\n", 0, NULL),
               "t.toml:3: problem.nu must be a number, got string");
  expect_error(load(&cfg, "[problem]\nname = \"burger\"\n", 0, NULL),
               "t.toml:2: unknown problem 'burger' (did you mean 'burgers'?)");
  expect_error(load(&cfg, "[problem]\nname = \"heat\"\n", 0, NULL),
               "t.toml:2: unknown problem 'heat' (known problems: burgers");
  expect_error(load(&cfg, "[network]\nhidden = [4]\n", 0, NULL),
               "t.toml: missing required key 'problem.name'");
  const char *ov[] = {"problem.nu=x"};
  expect_error(load(&cfg, BURGERS, 1, ov), "--set problem.nu=x: problem.nu must be a number");
  /* parameters of another registry's type */
  ck_assert_int_eq(load_cube(&cfg, "[problem]\nname = \"cube\"\nbeta = 4\n", 0, NULL), CORE_OK);
  ck_assert_double_eq(cfg.problem.params[0], 0.25);
  ck_assert_double_eq(cfg.problem.params[1], 4.0);
  expect_error(load_cube(&cfg, "[problem]\nname = \"cube\"\nalpah = 4\n", 0, NULL),
               "t.toml:3: unknown key 'problem.alpah' (did you mean 'problem.alpha'?)");
}
END_TEST

START_TEST(test_evaluation_vs_dimension) {
  pinn_config cfg;
  expect_error(load(&cfg, BURGERS "\n[evaluation]\npoints = [10, 10, 10]\n", 0, NULL),
               "t.toml:5: evaluation.points must have 2 entries (one per input of problem "
               "'burgers'), got 3");
  expect_error(load(&cfg, BURGERS "[evaluation]\nlower = [0.0]\n", 0, NULL),
               "t.toml:4: evaluation.lower must have 2 entries");
  expect_error(load(&cfg, BURGERS "[evaluation]\nupper = [0.5, -1.0]\n", 0, NULL),
               "t.toml:4: evaluation.lower[1] must be < evaluation.upper[1], got 0 >= -1");
  expect_error(load(&cfg, BURGERS "[evaluation]\npoints = [10, 1]\n", 0, NULL),
               "t.toml:4: evaluation.points[1] must be >= 2, got 1");
  const char *ov[] = {"evaluation.upper=[1, 1, 1]"};
  expect_error(load(&cfg, BURGERS, 1, ov), "--set evaluation.upper=[1, 1, 1]: evaluation.upper "
                                           "must have 2 entries");
  /* defaults follow the problem's dimension and box */
  ck_assert_int_eq(load_cube(&cfg, "[problem]\nname = \"cube\"\n[evaluation]\npoints = [3, 4, 5]\n",
                             0, NULL),
                   CORE_OK);
  ck_assert_int_eq(cfg.evaluation.n_lower, 3);
  ck_assert_double_eq(cfg.evaluation.lower[1], -2.0);
  ck_assert_double_eq(cfg.evaluation.upper[2], 5.0);
  ck_assert_int_eq(cfg.evaluation.points[2], 5);
}
END_TEST

START_TEST(test_sampler_keys) {
  pinn_config cfg;
  ck_assert_int_eq(load(&cfg, BURGERS, 0, NULL), CORE_OK);
  ck_assert_str_eq(cfg.sampler.kind, "uniform");
  ck_assert_ptr_eq(cfg.sampler.type, gen_sampler_type_find("uniform"));
  gen_options def = gen_options_default();
  ck_assert_double_eq(cfg.sampler.options.weight_power, def.weight_power);
  ck_assert_int_eq(cfg.sampler.options.pool_size, def.pool_size);
  ck_assert_int_eq(cfg.sampler.n_settings, 0);

  ck_assert_int_eq(load(&cfg,
                        BURGERS "[sampler]\nkind = \"fm\"\nfm_width = 16\nweight_power = 2\n"
                                "dedupe = \"merge\"\nweight_offset = 0.5\n",
                        0, NULL),
                   CORE_OK);
  ck_assert_ptr_eq(cfg.sampler.type, gen_sampler_type_find("fm"));
  ck_assert_int_eq(cfg.sampler.options.fm_width, 16);
  ck_assert_double_eq(cfg.sampler.options.weight_power, 2.0);
  ck_assert_double_eq(cfg.sampler.options.weight_offset, 0.5);
  ck_assert_int_eq(cfg.sampler.options.dedupe, GEN_DEDUPE_MERGE);
  ck_assert_int_eq(cfg.sampler.options.fm_depth, def.fm_depth); /* untouched */

  /* overrides: unquoted words for string settings, the last assignment wins */
  const char *ov[] = {"sampler.kind=rad", "sampler.fm_integrator=euler", "sampler.fm_width=8",
                      "sampler.weight_power=0.5"};
  ck_assert_int_eq(load(&cfg, BURGERS "[sampler]\nfm_width = 16\n", 4, ov), CORE_OK);
  ck_assert_str_eq(cfg.sampler.kind, "rad");
  ck_assert_int_eq(cfg.sampler.options.fm_integrator, GEN_ODE_EULER);
  ck_assert_int_eq(cfg.sampler.options.fm_width, 8);
  ck_assert_double_eq(cfg.sampler.options.weight_power, 0.5);
  ck_assert_int_eq(cfg.sampler.n_settings, 3);

  expect_error(load(&cfg, BURGERS "[sampler]\nweight_pwer = 2\n", 0, NULL),
               "t.toml:4: unknown key 'sampler.weight_pwer' (did you mean "
               "'sampler.weight_power'?)");
  expect_error(load(&cfg, BURGERS "[sampler]\ncolour = 2\n", 0, NULL),
               "t.toml:4: unknown key 'sampler.colour' (sampler settings: weight_power, ");
  const char *typo[] = {"sampler.fm_widht=3"};
  expect_error(load(&cfg, BURGERS, 1, typo),
               "--set sampler.fm_widht=3: unknown key 'sampler.fm_widht' (did you mean "
               "'sampler.fm_width'?)");
  expect_error(load(&cfg, BURGERS "[sampler]\nkind = \"fn\"\n", 0, NULL),
               "t.toml:4: unknown sampler 'fn' (did you mean 'fm'?)");
  expect_error(load(&cfg, BURGERS "[sampler]\nkind = \"gaussian_process\"\n", 0, NULL),
               "t.toml:4: unknown sampler 'gaussian_process' (known samplers: uniform, sobol");
  expect_error(load(&cfg, BURGERS "[sampler]\nfm_width = \"wide\"\n", 0, NULL),
               "t.toml:4: sampler.fm_width: 'wide' is not an integer");
  expect_error(load(&cfg, BURGERS "[sampler]\ndedupe = \"drop\"\n", 0, NULL),
               "t.toml:4: sampler.dedupe: 'drop' is not jitter, merge or none");
  expect_error(load(&cfg, BURGERS "[sampler]\nweight_power = [1, 2]\n", 0, NULL),
               "t.toml:4: sampler.weight_power must be a single value, got array");
  /* gen_options_validate's range checks, placed at the line that set the field */
  expect_error(load(&cfg, BURGERS "[sampler]\nkind = \"fm\"\n\nfm_depth = 9\n", 0, NULL),
               "t.toml:6: sampler.fm_width must be >= 1 and fm_depth in 1..8");
  expect_error(load(&cfg, BURGERS "[sampler]\nweight_offset = -1\n", 0, NULL),
               "t.toml:4: sampler.weight_offset must be finite and >= 0, got -1");
}
END_TEST

START_TEST(test_adaptive_keys) {
  pinn_config cfg;
  ck_assert_int_eq(load(&cfg, BURGERS, 0, NULL), CORE_OK);
  ck_assert_int_eq(cfg.adaptive.rounds, 0);
  ck_assert_int_eq(cfg.adaptive.adam_steps, 1000);
  ck_assert_int_eq(cfg.adaptive.lbfgs_steps, 0);
  ck_assert_int_eq(cfg.adaptive.merge, PINN_MERGE_REPLACE);
  ck_assert_double_eq(cfg.adaptive.uniform_fraction, 0.1);
  ck_assert_int_eq(cfg.adaptive.pool, PINN_POOL_CANDIDATES);
  ck_assert_int_eq(cfg.adaptive.reset_adam, 0);
  ck_assert_int_eq(cfg.adaptive.save_every, 1);
  ck_assert_int_eq(pinn_config_max_points(&cfg), 2000);

  expect_error(load(&cfg, BURGERS "[adaptive]\nrounds = -1\n", 0, NULL),
               "t.toml:4: adaptive.rounds must be >= 0, got -1");
  expect_error(load(&cfg, BURGERS "[adaptive]\nmerge = \"append\"\n", 0, NULL),
               "t.toml:4: adaptive.merge must be one of \"replace\", \"add\", \"mix\"; got "
               "\"append\"");
  const char *pool[] = {"adaptive.pool=grid"};
  expect_error(load(&cfg, BURGERS, 1, pool), "--set adaptive.pool=grid: adaptive.pool must be "
                                             "one of \"points\", \"candidates\"");
  expect_error(load(&cfg, BURGERS "[adaptive]\nuniform_fraction = 1.5\n", 0, NULL),
               "t.toml:4: adaptive.uniform_fraction must be <= 1, got 1.5");
  expect_error(load(&cfg, BURGERS "[adaptive]\nreset_adam = 1\n", 0, NULL),
               "t.toml:4: adaptive.reset_adam must be a boolean");

  /* add: default share points.n / rounds; the model must hold the final set */
  ck_assert_int_eq(load(&cfg, BURGERS "[adaptive]\nrounds = 4\nmerge = \"add\"\n", 0, NULL),
                   CORE_OK);
  ck_assert_int_eq(cfg.adaptive.add_points, 500);
  ck_assert_int_eq(pinn_config_max_points(&cfg), 4000);
  pinn_round_counts r3 = pinn_config_round_counts(&cfg, 3);
  ck_assert_int_eq(r3.kept, 3000);
  ck_assert_int_eq(r3.from_sampler, 500);
  ck_assert_int_eq(r3.uniform, 0);
  /* mix: the uniform share rounds to the nearest point */
  ck_assert_int_eq(load(&cfg, BURGERS "[points]\nn = 10\n[adaptive]\nmerge = \"mix\"\n"
                                      "uniform_fraction = 0.25\n",
                        0, NULL),
                   CORE_OK);
  pinn_round_counts m = pinn_config_round_counts(&cfg, 1);
  ck_assert_int_eq(m.uniform, 3);
  ck_assert_int_eq(m.from_sampler, 7);
  ck_assert_int_eq(m.kept, 0);

  /* RAD draws distinct pool points */
  expect_error(load(&cfg, BURGERS "[adaptive]\nrounds = 1\n[sampler]\nkind = \"rad\"\n"
                                  "pool_size = 100\n",
                    0, NULL),
               "t.toml:7: sampler.pool_size (100) must be at least the 2000 points rad draws per "
               "round");
  /* a flow selecting among candidates (draw = pool) needs them, and enough of them */
  expect_error(load(&cfg, BURGERS "[adaptive]\nrounds = 1\n[sampler]\nkind = \"spline\"\n"
                                  "pool_size = 100\npool_proposal = \"model\"\ndraw = \"pool\"\n",
                    0, NULL),
               "t.toml:7: sampler.pool_size (100) must be at least the 2000 points spline draws "
               "per round");
  const char *draw_points[] = {"sampler.kind=realnvp", "adaptive.rounds=1",
                               "adaptive.pool=points", "sampler.pool_proposal=model",
                               "sampler.draw=pool"};
  expect_error(load(&cfg, BURGERS, 5, draw_points),
               "--set adaptive.pool=points: sampler.draw = \"pool\" selects among candidates and "
               "needs adaptive.pool = \"candidates\"");
  const char *rad_add[] = {"sampler.kind=rad", "adaptive.rounds=1", "adaptive.merge=add",
                           "adaptive.pool=points", "adaptive.add_points=3000"};
  expect_error(load(&cfg, BURGERS, 5, rad_add),
               "--set adaptive.add_points=3000: adaptive.add_points (3000) must be <= points.n "
               "(2000)");
  const char *huge[] = {"adaptive.rounds=1000", "adaptive.merge=add",
                        "adaptive.add_points=1000000"};
  expect_error(load(&cfg, BURGERS, 3, huge), "exceeds 10000000");
}
END_TEST

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  static char buf[16384];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *copy = malloc(n + 1);
  memcpy(copy, buf, n + 1);
  return copy;
}

START_TEST(test_write_round_trip) {
  char dir[] = "/tmp/pinnsolve_config_XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char first[256], second[256];
  snprintf(first, sizeof first, "%s/a.toml", dir);
  snprintf(second, sizeof second, "%s/b.toml", dir);
  pinn_config a, b;
  const char *ov[] = {"trainer.learning_rate=0.1", "run.out_root=out dir \"q\"\\x",
                      "problem.nu=0.1", "sampler.fm_integrator=heun", "sampler.weight_power=0.1"};
  ck_assert_int_eq(load(&a,
                        BURGERS "[network]\nhidden = [3, 5, 7, 9]\nactivation = \"sin\"\n"
                                "[evaluation]\nlower = [-0.5, 0.25]\n[trainer]\nlbfgs_steps = 9\n"
                                "[sampler]\nkind = \"fm\"\nfm_width = 12\n"
                                "[adaptive]\nrounds = 3\nmerge = \"add\"\nreset_adam = true\n",
                        5, ov),
                   CORE_OK);
  ck_assert_int_eq(pinn_config_write(&a, first), CORE_OK);
  core_error_clear();
  ck_assert_int_eq(pinn_config_load(&b, first, 0, NULL), CORE_OK);
  ck_assert_ptr_eq(b.problem.type, a.problem.type);
  ck_assert_double_eq(b.problem.params[0], 0.1); /* %.17g reads back exactly */
  ck_assert_int_eq(b.network.n_hidden, 4);
  ck_assert_int_eq(memcmp(b.network.hidden, a.network.hidden, sizeof a.network.hidden), 0);
  ck_assert_int_eq(b.network.activation, NN_ACT_SIN);
  ck_assert_double_eq(b.trainer.learning_rate, 0.1);
  ck_assert_int_eq(b.trainer.lbfgs_steps, 9);
  ck_assert_double_eq(b.evaluation.lower[0], -0.5);
  ck_assert_double_eq(b.evaluation.upper[0], a.evaluation.upper[0]);
  ck_assert_int_eq(b.evaluation.points[1], 100);
  ck_assert_str_eq(b.run.out_root, "out dir \"q\"\\x");
  ck_assert_str_eq(b.sampler.kind, "fm");
  ck_assert_int_eq(b.sampler.options.fm_width, 12);
  ck_assert_int_eq(b.sampler.options.fm_integrator, GEN_ODE_HEUN);
  ck_assert_double_eq(b.sampler.options.weight_power, 0.1);
  ck_assert_int_eq(b.adaptive.rounds, 3);
  ck_assert_int_eq(b.adaptive.merge, PINN_MERGE_ADD);
  ck_assert_int_eq(b.adaptive.add_points, 666);
  ck_assert_int_eq(b.adaptive.reset_adam, 1);
  /* writing what was read gives the same text apart from the source comment */
  ck_assert_int_eq(pinn_config_write(&b, second), CORE_OK);
  char *ta = read_all(first), *tb = read_all(second);
  ck_assert_str_eq(strchr(ta, '\n'), strchr(tb, '\n'));
  ck_assert_ptr_nonnull(strstr(ta, "\n[trainer]\n"));
  ck_assert_ptr_nonnull(strstr(ta, "\nnu = 0.10000000000000001\n"));
  free(ta);
  free(tb);
  remove(first);
  remove(second);
  rmdir(dir);
}
END_TEST

START_TEST(test_missing_file) {
  pinn_config cfg;
  core_error_clear();
  ck_assert_int_eq(pinn_config_load(&cfg, "x.toml", 0, NULL), CORE_ERR_IO);
  ck_assert_str_eq(core_error_message(), "cannot read config 'x.toml': No such file or directory");
}
END_TEST

START_TEST(test_suggest) {
  const char *keys[] = {"trainer.adam_steps", "trainer.lbfgs_steps", "points.n", "points.kind"};
  ck_assert_str_eq(core_config_suggest("trainer.adma_steps", keys, 4), "trainer.adam_steps");
  ck_assert_str_eq(core_config_suggest("traner.lbfgs_steps", keys, 4), "trainer.lbfgs_steps");
  ck_assert_str_eq(core_config_suggest("points.m", keys, 4), "points.n");
  ck_assert_ptr_null(core_config_suggest("points.count", keys, 4));
  ck_assert_ptr_null(core_config_suggest("x", keys, 4));
}
END_TEST

/* The generic binder on its own: booleans, strings, a root key, the writer's TOML. */
typedef struct small {
  int verbose;
  double scale;
  char label[8];
  int flag;
} small;

static const core_config_key small_keys[] = {
    {"verbose", CORE_CONFIG_BOOL, offsetof(small, verbose), "false", .help = "chatty"},
    {"io.scale", CORE_CONFIG_FLOAT, offsetof(small, scale), "-2.5", .min = -10, .max = 10},
    {"io.label", CORE_CONFIG_STRING, offsetof(small, label), "\"ab\"", .max_len = 8},
    {"io.deep.flag", CORE_CONFIG_BOOL, offsetof(small, flag), "true", .help = "nested"},
};

static core_status bind_small(small *s, const char *text, int n, const char *const *ov) {
  core_error_clear();
  core_toml_doc *doc = NULL;
  CORE_TRY(core_toml_parse_string(&doc, text, "s.toml"));
  core_config *c = NULL;
  core_status st = core_config_create(&c, small_keys, 4, s);
  if (st == CORE_OK)
    st = core_config_bind(c, doc, n, ov);
  core_config_destroy(c);
  core_toml_doc_destroy(doc);
  return st;
}

START_TEST(test_generic_binder) {
  small s;
  ck_assert_int_eq(bind_small(&s, "verbose = true\n[io]\nscale = 3\n", 0, NULL), CORE_OK);
  ck_assert_int_eq(s.verbose, 1);
  ck_assert_double_eq(s.scale, 3.0);
  ck_assert_str_eq(s.label, "ab");
  ck_assert_int_eq(s.flag, 1);
  expect_error(bind_small(&s, "verbose = 1\n", 0, NULL),
               "s.toml:1: verbose must be a boolean, got integer 1");
  expect_error(bind_small(&s, "[io]\nlabel = \"12345678\"\n", 0, NULL),
               "s.toml:2: io.label is longer than 7 characters");
  expect_error(bind_small(&s, "[io.deep]\nflags = true\n", 0, NULL),
               "s.toml:2: unknown key 'io.deep.flags' (did you mean 'io.deep.flag'?)");
  const char *ov[] = {"io.deep.flag=false", "io.label=x"};
  ck_assert_int_eq(bind_small(&s, "", 2, ov), CORE_OK);
  ck_assert_int_eq(s.flag, 0);
  ck_assert_str_eq(s.label, "x");

  /* the writer's output binds back to the same struct */
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  s.scale = 0.1;
  ck_assert_int_eq(core_config_write(f, small_keys, 4, &s, NULL, NULL), CORE_OK);
  fclose(f);
  ck_assert_ptr_nonnull(strstr(text, "# chatty\nverbose = false\n"));
  ck_assert_ptr_nonnull(strstr(text, "[io.deep]\n# nested\nflag = false\n"));
  small t;
  memset(&t, 0x55, sizeof t);
  ck_assert_int_eq(bind_small(&t, text, 0, NULL), CORE_OK);
  ck_assert_int_eq(t.verbose, s.verbose);
  ck_assert_double_eq(t.scale, 0.1);
  ck_assert_str_eq(t.label, "x");
  ck_assert_int_eq(t.flag, 0);
  free(text);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("config");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_defaults);
  tcase_add_test(tc, test_values_from_file);
  tcase_add_test(tc, test_unknown_keys);
  tcase_add_test(tc, test_wrong_types);
  tcase_add_test(tc, test_ranges);
  tcase_add_test(tc, test_choices);
  tcase_add_test(tc, test_overrides);
  tcase_add_test(tc, test_problem_keys);
  tcase_add_test(tc, test_evaluation_vs_dimension);
  tcase_add_test(tc, test_sampler_keys);
  tcase_add_test(tc, test_adaptive_keys);
  tcase_add_test(tc, test_write_round_trip);
  tcase_add_test(tc, test_missing_file);
  tcase_add_test(tc, test_suggest);
  tcase_add_test(tc, test_generic_binder);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
