/* How accurate a problem type's reference solution is, measured where it is used.
 *
 * For a closed-form reference the error is rounding only and reported as 0. For a computed one
 * it is a resolution study: the reference (u_ref, as type->reference gave it) against the same
 * method at twice the resolution (Allen-Cahn: 2x the grid intervals; Burgers: 300 instead of 200
 * Gauss-Hermite nodes), so the figure bounds the reference's own error when the method converges
 * (it is the error of the coarser solution up to the finer one's much smaller error).
 * Each type provides the finer method as its reference_finer op. */
#ifndef PINNSOLVE_PDE_REFERENCE_ERROR_H
#define PINNSOLVE_PDE_REFERENCE_ERROR_H

#include <stddef.h>

#include "pde/problem.h"

/* x: (n, dim) row-major, u_ref: (n) the reference at x, both borrowed.
 * *relative_l2 = ||u_ref - u_fine|| / ||u_fine||, *max_abs = max |u_ref - u_fine|; both 0 for an
 * exact (closed-form) reference and NAN for a type without a reference. */
core_status pde_reference_error(const pde_problem *p, size_t n, const double *x,
                                const double *u_ref, double *relative_l2, double *max_abs);

#endif
