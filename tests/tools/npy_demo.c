/* Writes a few .npy arrays and a JSON summary into the directory given as argv[1], for
 * tests/test_npy_numpy.sh to load with numpy and Python's json module. Every value is produced
 * by correctly rounded IEEE operations (+, -, /, sqrt), so Python can recompute it bit for bit. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/atomic_file.h"
#include "core/json.h"
#include "core/npy.h"

static core_status write_array(const char *dir, const char *name, int ndim, const size_t *shape,
                               double (*value)(size_t)) {
  size_t count = 1;
  for (int d = 0; d < ndim; ++d)
    count *= shape[d];
  double *data = malloc((count > 0 ? count : 1) * sizeof *data);
  if (data == NULL)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory");
  for (size_t k = 0; k < count; ++k)
    data[k] = value(k);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  core_status s = core_npy_write(path, data, ndim, shape);
  free(data);
  return s;
}

static double vec_value(size_t k) {
  const double v[] = {0.0, -0.0, 4.9406564584124654e-324, DBL_MIN / 3.0, DBL_MAX, -1e308,
                      0.1, -1.0 / 3.0, INFINITY};
  return v[k];
}
static double mat_value(size_t k) { return (double)k / 7.0 - 1.0; }
static double cube_value(size_t k) { return sqrt((double)k); }
static double four_value(size_t k) { return (double)k / 13.0; }

static core_status write_summary(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/summary.json", dir);
  core_atomic_file *file = NULL;
  CORE_TRY(core_atomic_file_open(&file, path));
  core_json j;
  core_json_init(&j, core_atomic_file_stream(file));
  core_json_begin_object(&j);
  core_json_member_string(&j, "name", "npy_demo");
  core_json_member_int(&j, "count", 4);
  core_json_member_bool(&j, "ok", true);
  core_json_key(&j, "values");
  core_json_begin_array(&j);
  core_json_number(&j, 0.1);
  core_json_number(&j, -1.0 / 3.0);
  core_json_number(&j, DBL_MIN / 3.0);
  core_json_number(&j, NAN);
  core_json_end_array(&j);
  core_json_key(&j, "nested");
  core_json_begin_object(&j);
  core_json_member_string(&j, "s", "a\"b\\c\n\t\x1f");
  core_json_end_object(&j);
  core_json_end_object(&j);
  core_status s = core_json_finish(&j);
  if (s != CORE_OK) {
    core_atomic_file_abort(file);
    return s;
  }
  return core_atomic_file_commit(file);
}

static core_status run(const char *dir) {
  const size_t vec[] = {9}, mat[] = {3, 4}, cube[] = {2, 3, 5}, four[] = {2, 1, 3, 2},
               empty[] = {0, 3};
  CORE_TRY(write_array(dir, "vec.npy", 1, vec, vec_value));
  CORE_TRY(write_array(dir, "mat.npy", 2, mat, mat_value));
  CORE_TRY(write_array(dir, "cube.npy", 3, cube, cube_value));
  CORE_TRY(write_array(dir, "four.npy", 4, four, four_value));
  CORE_TRY(write_array(dir, "empty.npy", 2, empty, four_value));
  return write_summary(dir);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: npy_demo DIR\n");
    return 2;
  }
  if (run(argv[1]) != CORE_OK) {
    fprintf(stderr, "npy_demo: %s\n", core_error_message());
    return 1;
  }
  return 0;
}
