/* The evaluation points (a tensor-product grid, or a fixed random set drawn from a seed), the
 * reference solution on them, the reference's own error, and the network's errors. */
#ifndef PINNSOLVE_PINN_EVALUATION_H
#define PINNSOLVE_PINN_EVALUATION_H

#include <stddef.h>

#include "pinn/model.h"

typedef struct pinn_evaluation {
  int dim;
  int is_grid;                /* 1: tensor grid (counts), 0: random points (counts[0] = n) */
  int counts[NN_MAX_INPUTS];  /* points per axis */
  size_t n;                   /* product of counts */
  double *x;                  /* (n, dim), last axis fastest */
  double *reference;          /* (n), NULL when the problem has no reference */
  double *prediction;         /* (n), from the last pinn_evaluation_run */
  double reference_norm;      /* ||u_ref||_2 */
  double reference_error;     /* relative L2 of the reference itself (pde/reference_error.h) */
  double reference_max_error; /* its max abs error; both 0 for closed forms, NAN if unknown */
} pinn_evaluation;

/* Grid linspace(lower[i], upper[i], counts[i]) per axis; computes the reference once. */
core_status pinn_evaluation_create(pinn_evaluation **out, const pde_problem *problem, const int *counts,
                                   const double *lower, const double *upper);

/* Random points: n points, (1 - peak_fraction) n uniform in [lower, upper] and the rest
 * (rounded) from N(peak_center, peak_width^2 I) restricted to the box (rejection), drawn from
 * their own generator seeded with `seed`, so the set is the same for every run and sampler.
 * peak_center: (dim), borrowed; ignored when peak_fraction = 0. */
typedef struct pinn_random_points {
  size_t n;
  unsigned long seed;
  double peak_fraction;
  const double *peak_center;
  double peak_width;
} pinn_random_points;
core_status pinn_evaluation_create_random(pinn_evaluation **out, const pde_problem *problem,
                                          const pinn_random_points *spec, const double *lower,
                                          const double *upper);
void pinn_evaluation_destroy(pinn_evaluation *e);

typedef struct pinn_errors {
  double relative_l2; /* ||u - u_ref|| / ||u_ref||, NAN without reference */
  double max_abs;     /* max |u - u_ref| */
} pinn_errors;

/* Predicts on the grid (kept in e->prediction) and compares with the reference. */
core_status pinn_evaluation_run(pinn_evaluation *e, pinn_model *model, pinn_errors *errors);

#endif
