/* gen/flow_matching.c: the "fm" sampler.
 *
 * Exact checks: the jet divergence against central differences of v; an untrained flow (v = 0)
 * has the source density; CVODE densities against RK4 with many steps; sampling with CVODE
 * against RK4; parameter averaging. Learning checks: held-out NLL on make_moons(noise = 0.1)
 * within 0.15 nats of the entropy floor 1.007 (shared/REFERENCES.md §3) with minibatch OT
 * coupling, weighted fits with both couplings, and fits to circles and a Gaussian mixture
 * (gen/toy_data.h) judged by held-out NLL against the exact mixture density and sample geometry. */
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/rng.h"
#include "gen/flow_matching.h"
#include "gen/options.h"
#include "gen/samplers.h"
#include "gen/toy_data.h"

/* Moons live in about [-1.3, 2.3] x [-0.8, 1.3] for noise 0.1. */
static const gen_box moons_box = {2, {-1.5, -1.0}, {2.5, 1.5}};

static gen_sampler *make_fm(const gen_box *box, const gen_options *o, gsl_rng *rng) {
  gen_sampler *s = NULL;
  core_status st = gen_sampler_create(&s, &gen_sampler_fm, box, o, rng);
  ck_assert_msg(st == CORE_OK, "create: %s", core_error_message());
  return s;
}

static void fit_ok(gen_sampler *s, size_t n, const double *x, const double *w, gsl_rng *rng) {
  core_status st = gen_sampler_fit(s, n, x, w, rng);
  ck_assert_msg(st == CORE_OK, "fit: %s", core_error_message());
}

static double mean_nll(gen_sampler *s, size_t n, const double *x) {
  double *logp = malloc(n * sizeof *logp), sum = 0;
  core_status st = gen_sampler_log_density(s, n, x, logp);
  ck_assert_msg(st == CORE_OK, "log_density: %s", core_error_message());
  for (size_t i = 0; i < n; i++)
    sum -= logp[i];
  free(logp);
  return sum / (double)n;
}

static double *moons(size_t n, gsl_rng *rng) {
  double *x = malloc(2 * n * sizeof *x);
  ck_assert_int_eq(gen_toy_moons(n, 0.1, rng, x), CORE_OK);
  return x;
}

/* A small model trained briefly on moons (non-trivial field for the exactness checks). */
static gen_sampler *small_trained(gen_options *o, unsigned long seed) {
  gsl_rng *rng = core_rng_create(seed);
  gen_sampler *s = make_fm(&moons_box, o, rng);
  double *x = moons(2000, rng);
  fit_ok(s, 2000, x, NULL, rng);
  free(x);
  gsl_rng_free(rng);
  return s;
}

static gen_options small_options(void) {
  gen_options o = gen_options_default();
  o.fm_width = 32;
  o.fm_depth = 2;
  o.fm_train_steps = 300;
  o.fm_batch = 128;
  return o;
}

/* ---- exactness -------------------------------------------------------------------------- */

START_TEST(test_divergence_matches_fd) {
  gen_options o = small_options();
  gen_sampler *s = small_trained(&o, 1);
  gsl_rng *rng = core_rng_create(2);
  enum { N = 20 };
  double u[2 * N], v[2 * N], div[N], up[2 * N], vp[2 * N], vm[2 * N];
  for (int i = 0; i < 2 * N; i++)
    u[i] = 2.4 * gsl_rng_uniform(rng) - 1.2;
  const double h = 1e-5;
  double max_rel = 0, max_div = 0;
  for (int k = 0; k < 4; k++) {
    double t = k / 3.0;
    ck_assert_int_eq(gen_fm_velocity(s, t, N, u, v, div), CORE_OK);
    double fd[N] = {0};
    for (int j = 0; j < 2; j++) {
      memcpy(up, u, sizeof u);
      for (int i = 0; i < N; i++)
        up[2 * i + j] += h;
      ck_assert_int_eq(gen_fm_velocity(s, t, N, up, vp, NULL), CORE_OK);
      for (int i = 0; i < N; i++)
        up[2 * i + j] -= 2 * h;
      ck_assert_int_eq(gen_fm_velocity(s, t, N, up, vm, NULL), CORE_OK);
      for (int i = 0; i < N; i++)
        fd[i] += (vp[2 * i + j] - vm[2 * i + j]) / (2 * h);
    }
    for (int i = 0; i < N; i++) {
      double rel = (div[i] - fd[i]) / fmax(fabs(fd[i]), 1e-2); /* signed relative error */
      max_rel = fmax(max_rel, fabs(rel));
      max_div = fmax(max_div, fabs(div[i]));
    }
  }
  printf("divergence vs central differences: max |rel err| %.2e (max |div| %.2f)\n", max_rel,
         max_div);
  ck_assert_double_gt(max_div, 0.1); /* trained: the field is not trivially divergence-free */
  ck_assert_double_lt(max_rel, 1e-6);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* v = 0 before any fit: samples are the source, the density is the source's. */
START_TEST(test_untrained_is_source) {
  gsl_rng *rng = core_rng_create(3);
  gen_options o = small_options();
  gen_sampler *s = make_fm(&moons_box, &o, rng);
  double x[6] = {0.0, 0.0, 2.4, -0.9, 3.0, 0.0}, logp[3];
  ck_assert_int_eq(gen_sampler_log_density(s, 3, x, logp), CORE_OK);
  ck_assert_double_eq_tol(logp[0], -log(4.0 * 2.5), 1e-12); /* uniform on the box */
  ck_assert_double_eq_tol(logp[1], -log(4.0 * 2.5), 1e-12);
  ck_assert(isinf(logp[2]) && logp[2] < 0);
  gen_sampler_destroy(s);

  o.fm_source = GEN_FM_SOURCE_GAUSSIAN;
  s = make_fm(&moons_box, &o, rng);
  ck_assert_int_eq(gen_sampler_log_density(s, 2, x, logp), CORE_OK);
  /* u = ((0 - 0.5)/2, (0 - 0.25)/1.25), log N(u; 0, I) - log(2 · 1.25) */
  double u0 = -0.25, u1 = -0.2;
  ck_assert_double_eq_tol(logp[0], -log(2 * M_PI) - 0.5 * (u0 * u0 + u1 * u1) - log(2.5), 1e-12);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* Gaussian source, untrained: the fraction clamped is P(some |z_j| > 1) = 1 - erf(1/√2)^2. */
START_TEST(test_out_of_box_counted) {
  const gen_fm_box_policy policies[2] = {GEN_FM_BOX_CLAMP, GEN_FM_BOX_REFLECT};
  for (int k = 0; k < 2; k++) {
    gsl_rng *rng = core_rng_create(4);
    gen_options o = small_options();
    o.fm_source = GEN_FM_SOURCE_GAUSSIAN;
    o.fm_box_policy = policies[k];
    gen_sampler *s = make_fm(&moons_box, &o, rng);
    enum { N = 4000 };
    double *x = malloc(2 * N * sizeof *x);
    ck_assert_int_eq(gen_sampler_sample(s, N, x, rng), CORE_OK);
    size_t faces = 0;
    for (int i = 0; i < 2 * N; i++) {
      int j = i % 2;
      ck_assert(x[i] >= moons_box.lower[j] && x[i] <= moons_box.upper[j]);
      faces += x[i] == moons_box.lower[j] || x[i] == moons_box.upper[j];
    }
    gen_fm_stats st;
    ck_assert_int_eq(gen_fm_get_stats(s, &st), CORE_OK);
    double p = 1 - pow(erf(M_SQRT1_2), 2), se = sqrt(p * (1 - p) / N);
    ck_assert_int_eq(st.sampled, N);
    ck_assert_msg(fabs((double)st.out_of_box / N - p) < 4 * se, "out of box %zu of %d (p %.3f)",
                  st.out_of_box, N, p);
    ck_assert_int_eq(st.out_of_box_total, st.out_of_box);
    if (policies[k] == GEN_FM_BOX_CLAMP) /* clamped coordinates sit on a face */
      ck_assert_int_ge(faces, st.out_of_box);
    else
      ck_assert_int_eq(faces, 0);
    free(x);
    gen_sampler_destroy(s);
    gsl_rng_free(rng);
  }
}
END_TEST

/* Gaussian source: every point has a finite density (see test_uniform_source_support). */
START_TEST(test_cvode_density_matches_rk4) {
  gen_options o = small_options();
  o.fm_source = GEN_FM_SOURCE_GAUSSIAN;
  gen_sampler *a = small_trained(&o, 5);
  o.fm_density_integrator = GEN_ODE_RK4;
  o.fm_ode_steps = 400;
  gen_sampler *b = small_trained(&o, 5); /* same seed: bit-identical parameters */
  gsl_rng *rng = core_rng_create(6);
  enum { N = 300 };
  double *x = moons(N, rng), la[N], lb[N];
  ck_assert_int_eq(gen_sampler_log_density(a, N, x, la), CORE_OK);
  ck_assert_int_eq(gen_sampler_log_density(b, N, x, lb), CORE_OK);
  double err = 0;
  for (int i = 0; i < N; i++) {
    ck_assert(isfinite(la[i]));
    err += fabs(la[i] - lb[i]) / N;
  }
  gen_fm_stats st;
  ck_assert_int_eq(gen_fm_get_stats(a, &st), CORE_OK);
  printf("density CVODE (rtol %g) vs RK4-400: mean |dlogp| %.2e; CVODE %ld steps, %ld rhs evals\n",
         o.fm_rtol, err, st.density_ode.steps, st.density_ode.rhs_evals);
  ck_assert_double_lt(err, 1e-5);
  ck_assert_int_gt(st.density_ode.steps, 0);
  ck_assert_int_eq(st.density_ode.systems, 1);
  free(x);
  gen_sampler_destroy(a);
  gen_sampler_destroy(b);
  gsl_rng_free(rng);
}
END_TEST

/* Same source draws (same rng state), sampling by CVODE and by RK4-200 agree. */
START_TEST(test_cvode_sampling_matches_rk4) {
  gen_options o = small_options();
  o.fm_integrator = GEN_ODE_CVODE;
  gen_sampler *a = small_trained(&o, 7);
  o.fm_integrator = GEN_ODE_RK4;
  o.fm_ode_steps = 200;
  gen_sampler *b = small_trained(&o, 7);
  enum { N = 500 };
  double xa[2 * N], xb[2 * N];
  gsl_rng *ra = core_rng_create(8), *rb = core_rng_create(8);
  ck_assert_int_eq(gen_sampler_sample(a, N, xa, ra), CORE_OK);
  ck_assert_int_eq(gen_sampler_sample(b, N, xb, rb), CORE_OK);
  double err = 0;
  for (int i = 0; i < 2 * N; i++)
    err = fmax(err, fabs(xa[i] - xb[i]));
  ck_assert_double_lt(err, 1e-4);
  gen_fm_stats st;
  ck_assert_int_eq(gen_fm_get_stats(b, &st), CORE_OK);
  ck_assert_int_eq(st.sample_ode.steps, 200);
  ck_assert_int_eq(st.sample_ode.rhs_evals, 800);
  gen_sampler_destroy(a);
  gen_sampler_destroy(b);
  gsl_rng_free(ra);
  gsl_rng_free(rb);
}
END_TEST

/* ---- learning --------------------------------------------------------------------------- */

/* The acceptance target: held-out NLL within 0.15 nats of the entropy floor 1.007. Plain CFM
 * (independent coupling, depth 3, batch 256) needs about 30000 steps for it (measured 1.160 in
 * 36 s of Release training; 1.52 after 3000). What brings it within a test's budget, measured on
 * this data (1000 held-out points, standard error about 0.022):
 *   - minibatch OT coupling: the paired targets are nearly deterministic (CFM loss 0.03 instead
 *     of 0.6); at batch 128, depth 4, 5000 steps 1.20 (6.1 s) against 1.40 for independent
 *     pairs at batch 128 and 1.31 at batch 256 (6.0 s), with 2-3x fewer CVODE steps for the
 *     density (a straighter field);
 *   - depth 5 instead of 3-4 (5000 steps: 1.14 vs 1.20); width 96 or 48 did not help per second;
 *   - parameter averaging (fm_ema 0.998) with a milder decay 0.2: seeds 10, 12, 13 at 6000 steps
 *     gave 1.113, 1.132, 1.119, against 1.117, 1.150, 1.160 without averaging (decay 0.1);
 *   - sampling t with more weight near 1 (t = 1 - (1 - U)^2) did not help with OT (1.22 vs 1.20).
 * Gaussian source: with the uniform source some held-out tail points have -inf density
 * (test_uniform_source_support). */
#define MOONS_NLL_MARGIN 0.15
START_TEST(test_moons_nll) {
  gsl_rng *rng = core_rng_create(10);
  gen_options o = gen_options_default();
  o.fm_source = GEN_FM_SOURCE_GAUSSIAN;
  o.fm_coupling = GEN_FM_COUPLING_OT;
  o.fm_depth = 5;
  o.fm_batch = 128;
  o.fm_train_steps = 6000;
  o.fm_learning_rate = 5e-3;
  o.fm_lr_decay = 0.2;
  o.fm_ema = 0.998;
  o.fm_rtol = 1e-5;
  o.fm_atol = 1e-6;
  gen_sampler *s = make_fm(&moons_box, &o, rng);
  enum { N_TRAIN = 20000, N_TEST = 1000 };
  double *train = moons(N_TRAIN, rng), *test = moons(N_TEST, rng);
  fit_ok(s, N_TRAIN, train, NULL, rng);
  double nll = mean_nll(s, N_TEST, test);
  gen_fm_stats st;
  ck_assert_int_eq(gen_fm_get_stats(s, &st), CORE_OK);
  printf("moons: held-out NLL %.4f (floor 1.007), CFM loss %.4f, CVODE %ld steps %ld rhs evals, "
         "source-outside %zu\n", nll, st.loss, st.density_ode.steps, st.density_ode.rhs_evals,
         st.source_outside);
  ck_assert_double_le(nll, 1.007 + MOONS_NLL_MARGIN);
  ck_assert_double_gt(nll, 1.007 - 0.1); /* held-out NLL below the entropy would be a bug */
  free(train);
  free(test);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* Uniform source: a point whose backward image leaves the source cube has density -inf (the
 * learned flow's image of the cube need not cover the data's Gaussian tails); counted. */
START_TEST(test_uniform_source_support) {
  gen_options o = small_options();
  gen_sampler *s = small_trained(&o, 12);
  gsl_rng *rng = core_rng_create(13);
  enum { N = 500 };
  double *x = moons(N, rng), logp[N];
  ck_assert_int_eq(gen_sampler_log_density(s, N, x, logp), CORE_OK);
  size_t neg_inf = 0;
  for (int i = 0; i < N; i++) {
    ck_assert(!isnan(logp[i]) && logp[i] < INFINITY);
    neg_inf += isinf(logp[i]) ? 1 : 0;
  }
  gen_fm_stats st;
  ck_assert_int_eq(gen_fm_get_stats(s, &st), CORE_OK);
  ck_assert_int_eq(st.source_outside, neg_inf);
  printf("uniform source, 300-step model: %zu of %d held-out points have -inf density\n",
         neg_inf, N);
  ck_assert_int_lt(neg_inf, N / 2);
  free(x);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* Weights select the left half of a uniform cloud: samples follow the weights, with both
 * couplings (the OT pairing works on the weighted draws). The OT pairs are shorter than independent
 * ones, so the regression target varies less: the final CFM loss must be lower. */
START_TEST(test_weighted_fit) {
  double loss[2];
  for (int c = 0; c < 2; c++) {
    gsl_rng *rng = core_rng_create(14);
    gen_options o = small_options();
    o.fm_train_steps = 1000;
    o.weight_power = 1.0;
    o.weight_offset = 0.0;
    o.fm_coupling = c == 0 ? GEN_FM_COUPLING_INDEPENDENT : GEN_FM_COUPLING_OT;
    gen_sampler *s = make_fm(&moons_box, &o, rng);
    enum { N = 4000 };
    double *x = malloc(2 * N * sizeof *x), *w = malloc(N * sizeof *w);
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < 2; j++)
        x[2 * i + j] =
            moons_box.lower[j] + (moons_box.upper[j] - moons_box.lower[j]) * gsl_rng_uniform(rng);
      w[i] = x[2 * i] < 0.5 ? 1.0 : 0.0;
    }
    fit_ok(s, N, x, w, rng);
    ck_assert_int_eq(gen_sampler_sample(s, N, x, rng), CORE_OK);
    int left = 0;
    for (int i = 0; i < N; i++)
      left += x[2 * i] < 0.5;
    gen_fm_stats st;
    ck_assert_int_eq(gen_fm_get_stats(s, &st), CORE_OK);
    printf("weighted fit (%s coupling): %.3f of the samples in the weighted half, CFM loss %.4f\n",
           gen_fm_coupling_name(o.fm_coupling), (double)left / N, st.loss);
    ck_assert_int_gt(left, 0.85 * N);
    ck_assert_int_eq(st.fits, 1);
    ck_assert(isfinite(st.loss) && st.loss > 0);
    loss[c] = st.loss;
    free(x);
    free(w);
    gen_sampler_destroy(s);
    gsl_rng_free(rng);
  }
  ck_assert_double_lt(loss[1], 0.5 * loss[0]);
}
END_TEST

/* fm_ema: β = 0 is the plain last iterate (and fits are reproducible bit for bit); β = 0.99
 * returns the average of the last ~100 iterates: a different field, but close to the last
 * iterate (within a fraction of the field's size) since the warm-up keeps the start out. */
START_TEST(test_ema) {
  gen_options o = small_options();
  o.fm_train_steps = 200;
  double v[3][2 * 4];
  const double u[2 * 4] = {0.1, -0.2, 0.5, 0.3, -0.7, 0.0, 0.2, 0.9};
  const double beta[3] = {0.0, 0.0, 0.99};
  for (int k = 0; k < 3; k++) {
    o.fm_ema = beta[k];
    gen_sampler *s = small_trained(&o, 30);
    ck_assert_int_eq(gen_fm_velocity(s, 0.5, 4, u, v[k], NULL), CORE_OK);
    gen_sampler_destroy(s);
  }
  double same = 0, diff = 0, size = 0;
  for (int i = 0; i < 8; i++) {
    same = fmax(same, fabs(v[0][i] - v[1][i]));
    diff = fmax(diff, fabs(v[0][i] - v[2][i]));
    size = fmax(size, fabs(v[0][i]));
  }
  printf("fm_ema 0.99: max |v_avg - v_last| %.3g (max |v| %.3g)\n", diff, size);
  ck_assert_double_eq(same, 0.0); /* same seed: bit-identical */
  ck_assert_double_gt(diff, 1e-6);
  ck_assert_double_lt(diff, 0.3 * size);
}
END_TEST

START_TEST(test_options) {
  gen_options o = gen_options_default();
  ck_assert_int_eq(gen_options_set(&o, "fm_integrator", "cvode"), CORE_OK);
  ck_assert_int_eq(o.fm_integrator, GEN_ODE_CVODE);
  ck_assert_int_eq(gen_options_set(&o, "fm_density_integrator", "heun"), CORE_OK);
  ck_assert_int_eq(o.fm_density_integrator, GEN_ODE_HEUN);
  ck_assert_int_eq(gen_options_set(&o, "fm_source", "gaussian"), CORE_OK);
  ck_assert_int_eq(o.fm_source, GEN_FM_SOURCE_GAUSSIAN);
  ck_assert_int_eq(gen_options_set(&o, "fm_box_policy", "reflect"), CORE_OK);
  ck_assert_int_eq(o.fm_box_policy, GEN_FM_BOX_REFLECT);
  ck_assert_int_eq(gen_options_set(&o, "fm_coupling", "ot"), CORE_OK);
  ck_assert_int_eq(o.fm_coupling, GEN_FM_COUPLING_OT);
  ck_assert_str_eq(gen_fm_coupling_name(o.fm_coupling), "ot");
  ck_assert_int_eq(gen_options_set(&o, "fm_coupling", "independent"), CORE_OK);
  ck_assert_int_eq(o.fm_coupling, GEN_FM_COUPLING_INDEPENDENT);
  ck_assert_int_eq(gen_options_set(&o, "fm_ema", "0.99"), CORE_OK);
  ck_assert_double_eq(o.fm_ema, 0.99);
  ck_assert_int_eq(gen_options_set(&o, "fm_width", "48"), CORE_OK);
  ck_assert_int_eq(o.fm_width, 48);
  ck_assert_int_eq(gen_options_set(&o, "fm_rtol", "1e-7"), CORE_OK);
  ck_assert_double_eq(o.fm_rtol, 1e-7);
  ck_assert_int_eq(gen_options_validate(&o), CORE_OK);
  ck_assert_int_eq(gen_options_set(&o, "fm_integrator", "rk45"), CORE_ERR_CONFIG);
  ck_assert_int_eq(gen_options_set(&o, "fm_source", "beta"), CORE_ERR_CONFIG);
  ck_assert_int_eq(gen_options_set(&o, "fm_box_policy", "wrap"), CORE_ERR_CONFIG);
  ck_assert_int_eq(gen_options_set(&o, "fm_coupling", "sinkhorn"), CORE_ERR_CONFIG);
  o.fm_ema = 1.0;
  ck_assert_int_eq(gen_options_validate(&o), CORE_ERR_CONFIG);
  o.fm_ema = 0.99;
  o.fm_coupling = (gen_fm_coupling)7;
  ck_assert_int_eq(gen_options_validate(&o), CORE_ERR_CONFIG);
  o.fm_coupling = GEN_FM_COUPLING_OT;
  ck_assert_int_eq(gen_options_validate(&o), CORE_OK);
  o.fm_width = 0;
  ck_assert_int_eq(gen_options_validate(&o), CORE_ERR_CONFIG);
  gsl_rng *rng = core_rng_create(1);
  gen_sampler *s = NULL;
  ck_assert_int_eq(gen_sampler_create(&s, &gen_sampler_fm, &moons_box, &o, rng), CORE_ERR_CONFIG);
  ck_assert_ptr_null(s);
  ck_assert_ptr_eq(gen_sampler_type_find("fm"), &gen_sampler_fm);
  gen_fm_stats st;
  o = gen_options_default();
  ck_assert_int_eq(gen_sampler_create(&s, &gen_sampler_uniform, &moons_box, &o, rng), CORE_OK);
  ck_assert_int_eq(gen_fm_get_stats(s, &st), CORE_ERR_INVALID);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* 8 Gaussians (gen/toy_data.h): held-out KL estimate E[log p - log q] against the exact density. */
START_TEST(test_fit_gaussian_mixture) {
  static const gen_box box = {2, {-4.5, -4.5}, {4.5, 4.5}};
  gsl_rng *rng = core_rng_create(20);
  gen_options o = gen_options_default();
  o.fm_source = GEN_FM_SOURCE_GAUSSIAN;
  o.fm_train_steps = 2000;
  o.fm_rtol = 1e-5;
  o.fm_atol = 1e-6;
  gen_sampler *s = make_fm(&box, &o, rng);
  gen_toy_eight_gaussians eg;
  gen_toy_eight_gaussians_init(&eg);
  enum { N_TRAIN = 10000, N_TEST = 1000 };
  double *train = malloc(2 * N_TRAIN * sizeof *train), *test = malloc(2 * N_TEST * sizeof *test);
  double *exact = malloc(N_TEST * sizeof *exact);
  ck_assert_int_eq(gen_toy_mixture_sample(&eg.mix, N_TRAIN, rng, train), CORE_OK);
  ck_assert_int_eq(gen_toy_mixture_sample(&eg.mix, N_TEST, rng, test), CORE_OK);
  ck_assert_int_eq(gen_toy_mixture_log_density(&eg.mix, N_TEST, test, exact), CORE_OK);
  fit_ok(s, N_TRAIN, train, NULL, rng);
  double nll = mean_nll(s, N_TEST, test), exact_nll = 0;
  for (int i = 0; i < N_TEST; i++)
    exact_nll -= exact[i] / N_TEST;
  printf("8 Gaussians: held-out NLL %.4f, exact %.4f, KL estimate %.3f (uniform on box: %.3f)\n",
         nll, exact_nll, nll - exact_nll, log(81.0) - exact_nll);
  ck_assert_double_lt(nll - exact_nll, 0.5);
  ck_assert_double_gt(nll - exact_nll, -0.1);
  free(train);
  free(test);
  free(exact);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

/* Circles (radii 1 and 0.5, noise 0.05): samples lie on the circles, half on each. */
START_TEST(test_fit_circles) {
  static const gen_box box = {2, {-1.5, -1.5}, {1.5, 1.5}};
  gsl_rng *rng = core_rng_create(21);
  gen_options o = gen_options_default();
  o.fm_train_steps = 2000;
  gen_sampler *s = make_fm(&box, &o, rng);
  enum { N = 10000, M = 2000 };
  double *x = malloc(2 * N * sizeof *x);
  ck_assert_int_eq(gen_toy_circles(N, 0.05, 0.5, rng, x), CORE_OK);
  fit_ok(s, N, x, NULL, rng);
  ck_assert_int_eq(gen_sampler_sample(s, M, x, rng), CORE_OK);
  int near = 0, inner = 0;
  for (int i = 0; i < M; i++) {
    double r = hypot(x[2 * i], x[2 * i + 1]);
    near += fabs(r - 1.0) < 0.15 || fabs(r - 0.5) < 0.15;
    inner += r < 0.75;
  }
  /* uniform points on the box: P(near) = π (0.6 + 0.3) / 9 = 0.31 */
  printf("circles: %.3f of samples within 0.15 of a circle, %.3f inner\n", (double)near / M,
         (double)inner / M);
  ck_assert_int_gt(near, 0.55 * M); /* budget-limited: 0.65 measured at 3000 steps */
  ck_assert_int_gt(inner, 0.4 * M);
  ck_assert_int_lt(inner, 0.6 * M);
  free(x);
  gen_sampler_destroy(s);
  gsl_rng_free(rng);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("flow_matching");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_divergence_matches_fd);
  tcase_add_test(tc, test_untrained_is_source);
  tcase_add_test(tc, test_out_of_box_counted);
  tcase_add_test(tc, test_cvode_density_matches_rk4);
  tcase_add_test(tc, test_cvode_sampling_matches_rk4);
  tcase_add_test(tc, test_uniform_source_support);
  tcase_add_test(tc, test_weighted_fit);
  tcase_add_test(tc, test_ema);
  tcase_add_test(tc, test_options);
  tcase_add_test(tc, test_fit_gaussian_mixture);
  tcase_add_test(tc, test_fit_circles);
  tcase_add_test(tc, test_moons_nll);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
