/* Every problem type pinnsolve knows. */
#include "pde/problem.h"

const pde_problem_type *const pde_problem_types[] = {
    NULL,
};
