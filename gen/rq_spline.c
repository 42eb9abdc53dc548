#include "gen/rq_spline.h"

#include <math.h>
#include <string.h>

gen_rq_config gen_rq_default_config(void) {
  return (gen_rq_config){
      .n_bins = 8, .min_width = 1e-3, .min_height = 1e-3, .min_derivative = 1e-3};
}

core_status gen_rq_config_validate(const gen_rq_config *c) {
  if (c->n_bins < 1 || c->n_bins > GEN_RQ_MAX_BINS)
    return CORE_FAIL(CORE_ERR_INVALID, "spline bins must be in 1..%d, got %d", GEN_RQ_MAX_BINS,
                     c->n_bins);
  if (!(c->min_width >= 0.0 && c->min_width * c->n_bins < 1.0))
    return CORE_FAIL(CORE_ERR_INVALID, "spline minimum bin width %g: need 0 <= K*min < 1",
                     c->min_width);
  if (!(c->min_height >= 0.0 && c->min_height * c->n_bins < 1.0))
    return CORE_FAIL(CORE_ERR_INVALID, "spline minimum bin height %g: need 0 <= K*min < 1",
                     c->min_height);
  if (!(c->min_derivative > 0.0 && c->min_derivative < 1.0))
    return CORE_FAIL(CORE_ERR_INVALID, "spline minimum derivative %g must lie in (0, 1)",
                     c->min_derivative);
  return CORE_OK;
}

int gen_rq_n_raw(const gen_rq_config *c) { return 3 * c->n_bins + 1; }

static double softplus(double v) { return v > 0.0 ? v + log1p(exp(-v)) : log1p(exp(v)); }

static double sigmoid(double v) {
  if (v >= 0.0)
    return 1.0 / (1.0 + exp(-v));
  double e = exp(v);
  return e / (1.0 + e);
}

static void softmax(int n, const double *v, double *out) {
  double m = v[0], sum = 0.0;
  for (int i = 1; i < n; i++)
    m = v[i] > m ? v[i] : m;
  for (int i = 0; i < n; i++) {
    out[i] = exp(v[i] - m);
    sum += out[i];
  }
  for (int i = 0; i < n; i++)
    out[i] /= sum;
}

void gen_rq_knots_build(const gen_rq_config *c, const double *raw, gen_rq_knots *k) {
  int n = c->n_bins;
  k->n_bins = n;
  k->width_scale = 1.0 - n * c->min_width;
  k->height_scale = 1.0 - n * c->min_height;
  softmax(n, raw, k->softmax_w);
  softmax(n, raw + n, k->softmax_h);
  k->x[0] = k->y[0] = 0.0;
  for (int i = 0; i < n; i++) {
    k->w[i] = c->min_width + k->width_scale * k->softmax_w[i];
    k->h[i] = c->min_height + k->height_scale * k->softmax_h[i];
    k->x[i + 1] = k->x[i] + k->w[i];
    k->y[i + 1] = k->y[i] + k->h[i];
  }
  /* The sums reach 1 up to rounding; pin the ends so [0, 1] maps onto [0, 1]. */
  k->x[n] = k->y[n] = 1.0;
  k->w[n - 1] = 1.0 - k->x[n - 1];
  k->h[n - 1] = 1.0 - k->y[n - 1];
  /* Shift so that raw = 0 gives d = 1: softplus(shift) = 1 - dmin. */
  double shift = log(expm1(1.0 - c->min_derivative));
  for (int i = 0; i <= n; i++) {
    double arg = raw[2 * n + i] + shift;
    k->d[i] = c->min_derivative + softplus(arg);
    k->sigmoid_d[i] = sigmoid(arg);
  }
}

static double clamp01(double v) { return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); }

/* y_b + h_b g with exact knot values at θ = 0 and θ = 1, so the ends map to 0 and 1 exactly. */
static double bin_value(const gen_rq_knots *k, int b, double theta, double g) {
  if (theta == 0.0)
    return k->y[b];
  if (theta == 1.0)
    return k->y[b + 1];
  return clamp01(k->y[b] + k->h[b] * g);
}

/* Bin b with knots[b] <= v < knots[b+1]; the last bin also takes v = 1. */
static int find_bin(int n, const double *knots, double v) {
  int b = n - 1;
  while (b > 0 && v < knots[b])
    b--;
  return b;
}

/* Everything about one bin at one θ: the value g of the normalised rational quadratic
 * (y = y_b + h g), the log-derivative ℓ and their partials in (θ, s, d0, d1). */
typedef struct rq_local {
  double theta, s, d0, d1;
  double g, ell;
  double g_theta, g_s, g_d0, g_d1;
  double l_theta, l_s, l_d0, l_d1;
} rq_local;

/* Durkan et al. eq. 4 (value) and eq. 5 (derivative); partials for the reverse pass. */
static void rq_eval(rq_local *r, int want_partials) {
  double t = r->theta, s = r->s, d0 = r->d0, d1 = r->d1;
  double q = t * (1.0 - t), sum = d0 + d1 - 2.0 * s;
  double num = s * t * t + d0 * q;
  double den = s + sum * q;
  double m = d1 * t * t + 2.0 * s * q + d0 * (1.0 - t) * (1.0 - t);
  r->g = num / den;
  r->ell = 2.0 * log(s) + log(m) - 2.0 * log(den);
  if (!want_partials)
    return;
  double num_t = 2.0 * s * t + d0 * (1.0 - 2.0 * t), num_s = t * t, num_d0 = q;
  double den_t = sum * (1.0 - 2.0 * t), den_s = 1.0 - 2.0 * q, den_d = q;
  double m_t = 2.0 * d1 * t + 2.0 * s * (1.0 - 2.0 * t) - 2.0 * d0 * (1.0 - t);
  double m_s = 2.0 * q, m_d0 = (1.0 - t) * (1.0 - t), m_d1 = t * t;
  r->g_theta = (num_t - r->g * den_t) / den;
  r->g_s = (num_s - r->g * den_s) / den;
  r->g_d0 = (num_d0 - r->g * den_d) / den;
  r->g_d1 = (-r->g * den_d) / den;
  r->l_theta = m_t / m - 2.0 * den_t / den;
  r->l_s = 2.0 / s + m_s / m - 2.0 * den_s / den;
  r->l_d0 = m_d0 / m - 2.0 * den_d / den;
  r->l_d1 = m_d1 / m - 2.0 * den_d / den;
}

static void local_at(const gen_rq_knots *k, int b, double theta, rq_local *r) {
  r->theta = theta;
  r->s = k->h[b] / k->w[b];
  r->d0 = k->d[b];
  r->d1 = k->d[b + 1];
}

double gen_rq_forward(const gen_rq_knots *k, double x, double *log_deriv) {
  double xc = clamp01(x);
  int b = find_bin(k->n_bins, k->x, xc);
  rq_local r;
  local_at(k, b, clamp01((xc - k->x[b]) / k->w[b]), &r);
  rq_eval(&r, 0);
  *log_deriv = r.ell;
  return bin_value(k, b, r.theta, r.g);
}

double gen_rq_inverse(const gen_rq_knots *k, double y, double *log_deriv) {
  double yc = clamp01(y);
  int b = find_bin(k->n_bins, k->y, yc);
  double h = k->h[b], s = h / k->w[b], d0 = k->d[b], d1 = k->d[b + 1];
  double dy = yc - k->y[b], sum = d0 + d1 - 2.0 * s;
  /* Durkan et al. appendix A.3: a θ² + b θ + c = 0 for θ in [0, 1]. */
  double a = h * (s - d0) + dy * sum;
  double bq = h * d0 - dy * sum;
  double c = -s * dy;
  double disc = bq * bq - 4.0 * a * c;
  disc = disc > 0.0 ? disc : 0.0;
  double den = -bq - sqrt(disc);
  double theta = den != 0.0 ? clamp01(2.0 * c / den) : 0.0;
  rq_local r;
  local_at(k, b, theta, &r);
  rq_eval(&r, 0);
  *log_deriv = r.ell;
  if (theta == 0.0 || theta == 1.0)
    return k->x[b + (theta == 1.0)];
  return clamp01(k->x[b] + theta * k->w[b]);
}

double gen_rq_forward_backward(const gen_rq_knots *k, double x, double y_bar, double l_bar,
                               double *raw_bar, double *log_deriv, double *x_bar) {
  int n = k->n_bins;
  double xc = clamp01(x);
  int b = find_bin(n, k->x, xc);
  double w = k->w[b], h = k->h[b];
  rq_local r;
  local_at(k, b, clamp01((xc - k->x[b]) / w), &r);
  rq_eval(&r, 1);
  *log_deriv = r.ell;
  double y = bin_value(k, b, r.theta, r.g);

  /* Adjoints of the local variables θ = (x - x_b)/w_b and s = h_b/w_b. */
  double theta_bar = y_bar * h * r.g_theta + l_bar * r.l_theta;
  double s_bar = y_bar * h * r.g_s + l_bar * r.l_s;
  *x_bar = xc == x ? theta_bar / w : 0.0;

  double w_bar[GEN_RQ_MAX_BINS], h_bar[GEN_RQ_MAX_BINS];
  memset(w_bar, 0, (size_t)n * sizeof *w_bar);
  memset(h_bar, 0, (size_t)n * sizeof *h_bar);
  w_bar[b] = -(theta_bar * r.theta + s_bar * r.s) / w;
  h_bar[b] = y_bar * r.g + s_bar / w;
  /* Left knots are cumulative sums: x_b = Σ_{j<b} w_j, y_b = Σ_{j<b} h_j. */
  double xk_bar = -theta_bar / w;
  for (int j = 0; j < b; j++) {
    w_bar[j] += xk_bar;
    h_bar[j] += y_bar;
  }
  /* Softmax reverse pass: ā_i = S σ_i (w̄_i - Σ_j σ_j w̄_j). */
  double dot_w = 0.0, dot_h = 0.0;
  for (int j = 0; j < n; j++) {
    dot_w += k->softmax_w[j] * w_bar[j];
    dot_h += k->softmax_h[j] * h_bar[j];
  }
  for (int j = 0; j < n; j++) {
    raw_bar[j] += k->width_scale * k->softmax_w[j] * (w_bar[j] - dot_w);
    raw_bar[n + j] += k->height_scale * k->softmax_h[j] * (h_bar[j] - dot_h);
  }
  double d0_bar = y_bar * h * r.g_d0 + l_bar * r.l_d0;
  double d1_bar = y_bar * h * r.g_d1 + l_bar * r.l_d1;
  raw_bar[2 * n + b] += d0_bar * k->sigmoid_d[b];
  raw_bar[2 * n + b + 1] += d1_bar * k->sigmoid_d[b + 1];
  return y;
}
