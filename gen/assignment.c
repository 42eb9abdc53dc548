/* Dense linear assignment by shortest augmenting paths (see gen/assignment.h), organised as in
 * Jonker & Volgenant (1987), "A shortest augmenting path algorithm for dense and sparse linear
 * assignment problems", Computing 38.
 *
 * Invariant: column potentials v and implicit row potentials u_i = c[i][σ(i)] - v[σ(i)] (matched
 * rows) keep every reduced cost c_ij - u_i - v_j >= 0 with the matched pairs tight.
 * 1. Column reduction: v_j = min_i c_ij, and column j takes its cheapest row when that row is
 *    still free (all those pairs are tight; typically over half the rows get matched here).
 * 2. Each free row f is matched by a Dijkstra search over columns on the reduced costs: columns
 *    whose distance is final ("ready"), columns at the current minimum distance awaiting their
 *    row's scan ("scan"), and the rest ("todo") live in one array partitioned by two cursors, so
 *    each scan touches only todo columns. The search stops at the first free column reached; the
 *    ready columns' potentials absorb their distances (keeping reduced costs >= 0 and the path
 *    tight), and the alternating path is flipped. */
#include "gen/assignment.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define NONE SIZE_MAX

struct gen_assignment {
  size_t n_max;
  double *v;        /* (n_max) column potentials */
  double *dist;     /* (n_max) shortest reduced distance from the free row to each column */
  size_t *cols;     /* (n_max) columns partitioned ready | scan | todo */
  size_t *pred;     /* (n_max) row preceding column j on its shortest path */
  size_t *row_col;  /* (n_max) column matched to row i, NONE if free */
  size_t *col_row;  /* (n_max) row matched to column j, NONE if free */
};

core_status gen_assignment_create(gen_assignment **out, size_t n_max) {
  *out = NULL;
  if (n_max < 1 || n_max > ((size_t)1 << 24))
    return CORE_FAIL(CORE_ERR_INVALID, "gen_assignment_create: n_max %zu out of range", n_max);
  gen_assignment *a = calloc(1, sizeof *a);
  if (!a)
    return CORE_FAIL(CORE_ERR_NOMEM, "gen_assignment_create: out of memory");
  a->n_max = n_max;
  a->v = malloc(n_max * sizeof *a->v);
  a->dist = malloc(n_max * sizeof *a->dist);
  a->cols = malloc(n_max * sizeof *a->cols);
  a->pred = malloc(n_max * sizeof *a->pred);
  a->row_col = malloc(n_max * sizeof *a->row_col);
  a->col_row = malloc(n_max * sizeof *a->col_row);
  if (!a->v || !a->dist || !a->cols || !a->pred || !a->row_col || !a->col_row) {
    gen_assignment_destroy(a);
    return CORE_FAIL(CORE_ERR_NOMEM, "gen_assignment_create: out of memory (n_max %zu)", n_max);
  }
  *out = a;
  return CORE_OK;
}

void gen_assignment_destroy(gen_assignment *a) {
  if (!a)
    return;
  free(a->v);
  free(a->dist);
  free(a->cols);
  free(a->pred);
  free(a->row_col);
  free(a->col_row);
  free(a);
}

/* Step 1: v_j = min_i c_ij; column j is matched to its cheapest row if that row is free. */
static void column_reduction(gen_assignment *a, size_t n, const double *cost) {
  for (size_t i = 0; i < n; i++)
    a->row_col[i] = NONE;
  for (size_t j = 0; j < n; j++) {
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
      if (cost[i * n + j] < cost[best * n + j])
        best = i;
    a->v[j] = cost[best * n + j];
    a->col_row[j] = NONE;
    if (a->row_col[best] == NONE) {
      a->row_col[best] = j;
      a->col_row[j] = best;
    }
  }
}

/* Moves the todo columns at the smallest distance into the scan set (cols[*low .. *up)); returns
 * that distance. Requires *low == *up < n. */
static double collect_minimum(gen_assignment *a, size_t n, size_t low, size_t *up) {
  size_t u = low;
  double d_min = a->dist[a->cols[u++]];
  for (size_t k = u; k < n; k++) {
    size_t j = a->cols[k];
    double dj = a->dist[j];
    if (dj <= d_min) {
      if (dj < d_min) { /* strictly closer: restart the scan set */
        u = low;
        d_min = dj;
      }
      a->cols[k] = a->cols[u];
      a->cols[u++] = j;
    }
  }
  *up = u;
  return d_min;
}

/* Scans the row matched to column j1 (at distance d_min): relaxes the todo columns; a column
 * reached at d_min joins the scan set, or ends the search if it is free (returned; else NONE). */
static size_t scan_row(gen_assignment *a, size_t n, const double *cost, size_t j1, double d_min,
                       size_t *up) {
  size_t i = a->col_row[j1];
  const double *row = cost + i * n;
  double h = row[j1] - a->v[j1] - d_min; /* u_i relative to the free row's distance labels */
  for (size_t k = *up; k < n; k++) {
    size_t j = a->cols[k];
    double reduced = row[j] - a->v[j] - h;
    if (reduced < a->dist[j]) {
      a->dist[j] = reduced;
      a->pred[j] = i;
      if (reduced == d_min) {
        if (a->col_row[j] == NONE)
          return j;
        a->cols[k] = a->cols[*up];
        a->cols[(*up)++] = j;
      }
    }
  }
  return NONE;
}

/* Step 2 for free row f: shortest augmenting path, potential update, path flip. */
static void augment_row(gen_assignment *a, size_t n, const double *cost, size_t f) {
  for (size_t j = 0; j < n; j++) {
    a->dist[j] = cost[f * n + j] - a->v[j];
    a->pred[j] = f;
    a->cols[j] = j;
  }
  size_t low = 0, up = 0, last = 0, end = NONE;
  double d_min = 0;
  while (end == NONE) {
    if (low == up) {
      last = low;
      d_min = collect_minimum(a, n, low, &up);
      for (size_t k = low; k < up && end == NONE; k++)
        if (a->col_row[a->cols[k]] == NONE)
          end = a->cols[k];
      if (end != NONE)
        break;
    }
    end = scan_row(a, n, cost, a->cols[low++], d_min, &up);
  }
  for (size_t k = 0; k < last; k++) { /* ready columns: dist <= d_min, potentials drop */
    size_t j = a->cols[k];
    a->v[j] += a->dist[j] - d_min;
  }
  for (size_t j = end;;) { /* flip the alternating path back to f */
    size_t i = a->pred[j], next = a->row_col[i];
    a->col_row[j] = i;
    a->row_col[i] = j;
    if (i == f)
      break;
    j = next;
  }
}

core_status gen_assignment_solve(gen_assignment *a, size_t n, const double *cost,
                                 size_t *row_to_col, double *total, double *row_dual,
                                 double *col_dual) {
  if (n < 1 || n > a->n_max)
    return CORE_FAIL(CORE_ERR_INVALID, "gen_assignment_solve: n %zu not in 1..%zu", n, a->n_max);
  for (size_t k = 0; k < n * n; k++)
    if (!isfinite(cost[k]))
      return CORE_FAIL(CORE_ERR_NUMERIC, "gen_assignment_solve: cost (%zu, %zu) is not finite",
                       k / n, k % n);
  column_reduction(a, n, cost);
  for (size_t f = 0; f < n; f++)
    if (a->row_col[f] == NONE)
      augment_row(a, n, cost, f);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    size_t j = a->row_col[i];
    row_to_col[i] = j;
    sum += cost[i * n + j];
    if (row_dual)
      row_dual[i] = cost[i * n + j] - a->v[j]; /* tight on the matched pair */
  }
  if (!isfinite(sum))
    return CORE_FAIL(CORE_ERR_NUMERIC, "gen_assignment_solve: costs too large (overflow)");
  if (total)
    *total = sum;
  if (col_dual)
    for (size_t j = 0; j < n; j++)
      col_dual[j] = a->v[j];
  return CORE_OK;
}
