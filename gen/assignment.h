/* Dense linear assignment: a permutation σ minimising Σ_i c[i][σ(i)] over an n x n cost matrix.
 *
 * Used by the flow-matching sampler for minibatch optimal-transport couplings (gen/flow_matching.c,
 * fm_coupling = "ot"): pairing B source points with B data points by the exact optimal assignment
 * under squared Euclidean cost is the discrete OT plan between the two empirical measures.
 *
 * Algorithm: shortest augmenting paths with row/column potentials (Kuhn–Munkres in the
 * Jonker–Volgenant form), O(n^3) time, O(n) memory besides the cost matrix. On return the
 * potentials certify optimality: u_i + v_j <= c_ij for all (i, j), with equality on the chosen
 * pairs, so Σ u + Σ v equals the optimal cost (LP duality). */
#ifndef PINNSOLVE_GEN_ASSIGNMENT_H
#define PINNSOLVE_GEN_ASSIGNMENT_H

#include <stddef.h>

#include "core/status.h"

typedef struct gen_assignment gen_assignment;

/* Workspace for problems of size up to n_max (>= 1). */
core_status gen_assignment_create(gen_assignment **out, size_t n_max);
void gen_assignment_destroy(gen_assignment *a);

/* Solves the n x n problem (1 <= n <= n_max). cost: (n, n) row-major, borrowed, finite (any sign).
 * row_to_col: (n) output, row i is assigned column row_to_col[i] (a permutation of 0..n-1).
 * total: optional (NULL), the optimal cost Σ_i cost[i][row_to_col[i]].
 * row_dual, col_dual: optional (n) outputs, the certifying potentials u, v described above.
 * CORE_ERR_INVALID for n out of range, CORE_ERR_NUMERIC for a non-finite cost. No allocation. */
core_status gen_assignment_solve(gen_assignment *a, size_t n, const double *cost,
                                 size_t *row_to_col, double *total, double *row_dual,
                                 double *col_dual);

#endif
