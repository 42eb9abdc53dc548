/* The evaluation grid: tensor-product points, the reference solution on them, and errors. */
#ifndef PINNSOLVE_PINN_EVALUATION_H
#define PINNSOLVE_PINN_EVALUATION_H

#include <stddef.h>

#include "pinn/model.h"

typedef struct pinn_evaluation {
  int dim;
  int counts[NN_MAX_INPUTS];  /* points per axis */
  size_t n;                   /* product of counts */
  double *x;                  /* (n, dim), last axis fastest */
  double *reference;          /* (n), NULL when the problem has no reference */
  double *prediction;         /* (n), from the last pinn_evaluation_run */
  double reference_norm;      /* ||u_ref||_2 */
} pinn_evaluation;

/* Grid linspace(lower[i], upper[i], counts[i]) per axis; computes the reference once. */
core_status pinn_evaluation_create(pinn_evaluation **out, const pde_problem *problem, const int *counts,
                                   const double *lower, const double *upper);
void pinn_evaluation_destroy(pinn_evaluation *e);

typedef struct pinn_errors {
  double relative_l2; /* ||u - u_ref|| / ||u_ref||, NAN without reference */
  double max_abs;     /* max |u - u_ref| */
} pinn_errors;

/* Predicts on the grid (kept in e->prediction) and compares with the reference. */
core_status pinn_evaluation_run(pinn_evaluation *e, pinn_model *model, pinn_errors *errors);

#endif
