/* Every problem type pinnsolve knows. */
#include "pde/problem.h"
#include "pde/burgers.h"

const pde_problem_type *const pde_problem_types[] = {
    &pde_burgers,
    NULL,
};
