/* One Check program per test file: CHECK_MAIN(make_suite) runs the suite and sets the exit code. */
#ifndef PINNSOLVE_TESTS_CHECK_MAIN_H
#define PINNSOLVE_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN(make_suite)                               \
  int main(void) {                                           \
    SRunner *runner = srunner_create(make_suite());          \
    srunner_run_all(runner, CK_NORMAL);                      \
    int failed = srunner_ntests_failed(runner);              \
    srunner_free(runner);                                    \
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;        \
  }

#endif
