/* Output writers and the run directory: npy round trips and layout, JSON text, atomic writes
 * under failure, run directory naming and staging. */
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "core/atomic_file.h"
#include "core/json.h"
#include "core/npy.h"
#include "core/run_dir.h"

/* ---- scratch directories ---------------------------------------------------------------- */

static char scratch[512];

static void rm_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return;
  if (S_ISDIR(st.st_mode)) {
    DIR *dir = opendir(path);
    struct dirent *e;
    while (dir != NULL && (e = readdir(dir)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      char child[1024];
      snprintf(child, sizeof child, "%s/%s", path, e->d_name);
      rm_tree(child);
    }
    if (dir != NULL)
      closedir(dir);
    rmdir(path);
  } else {
    unlink(path);
  }
}

static void scratch_setup(void) {
  const char *tmp = getenv("TMPDIR");
  snprintf(scratch, sizeof scratch, "%s/pinnsolve_io_XXXXXX", tmp && *tmp ? tmp : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(scratch));
  core_error_clear();
}

static void scratch_teardown(void) { rm_tree(scratch); }

static void scratch_path(char *buf, size_t size, const char *name) {
  snprintf(buf, size, "%s/%s", scratch, name);
}

/* Number of entries in a directory besides . and .. */
static int count_entries(const char *path) {
  DIR *dir = opendir(path);
  ck_assert_ptr_nonnull(dir);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(dir);
  return n;
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whole file into a malloc'd NUL-terminated buffer. */
static char *slurp(const char *path, size_t *len_out) {
  FILE *fp = fopen(path, "rb");
  ck_assert_msg(fp != NULL, "cannot open %s", path);
  fseek(fp, 0, SEEK_END);
  long len = ftell(fp);
  rewind(fp);
  char *buf = malloc((size_t)len + 1);
  ck_assert_uint_eq(fread(buf, 1, (size_t)len, fp), (size_t)len);
  buf[len] = '\0';
  fclose(fp);
  if (len_out != NULL)
    *len_out = (size_t)len;
  return buf;
}

/* ---- npy ---------------------------------------------------------------------------------- */

/* Values whose bits are easy to lose: signed zero, denormals, extremes, a NaN payload. */
static double tricky_value(size_t i) {
  uint64_t nan_bits = 0x7ff800000000beefULL;
  double nan_payload;
  memcpy(&nan_payload, &nan_bits, sizeof nan_payload);
  const double special[] = {-0.0, 4.9406564584124654e-324, DBL_MIN / 3.0, DBL_MAX, -DBL_MAX,
                            1e308, 3.141592653589793, 0.1, -1.0 / 3.0, nan_payload, INFINITY, -INFINITY};
  size_t n_special = sizeof special / sizeof special[0];
  return i < n_special ? special[i] : (double)i / 7.0 - 3.0;
}

static void npy_round_trip(int ndim, const size_t *shape) {
  size_t count = 1;
  for (int d = 0; d < ndim; ++d)
    count *= shape[d];
  double *data = malloc(count * sizeof *data);
  for (size_t i = 0; i < count; ++i)
    data[i] = tricky_value(i);
  char path[600];
  scratch_path(path, sizeof path, "a.npy");
  ck_assert_int_eq(core_npy_write(path, data, ndim, shape), CORE_OK);
  double *back = NULL;
  int ndim_back = 0;
  size_t shape_back[CORE_NPY_MAX_DIM];
  ck_assert_int_eq(core_npy_read(path, &back, &ndim_back, shape_back), CORE_OK);
  ck_assert_int_eq(ndim_back, ndim);
  for (int d = 0; d < ndim; ++d)
    ck_assert_uint_eq(shape_back[d], shape[d]);
  ck_assert_msg(memcmp(back, data, count * sizeof *data) == 0, "bits differ (ndim %d)", ndim);
  free(back);
  free(data);
}

START_TEST(test_npy_round_trip_bits) {
  const size_t s1[] = {13}, s2[] = {3, 4}, s3[] = {2, 3, 5}, s4[] = {1, 2, 1, 3};
  const size_t big[] = {700, 3}; /* more than one write chunk */
  npy_round_trip(1, s1);
  npy_round_trip(2, s2);
  npy_round_trip(3, s3);
  npy_round_trip(4, s4);
  npy_round_trip(2, big);
}
END_TEST

START_TEST(test_npy_zero_extent) {
  const size_t shape[] = {0, 3};
  char path[600];
  scratch_path(path, sizeof path, "empty.npy");
  ck_assert_int_eq(core_npy_write(path, NULL, 2, shape), CORE_OK);
  double *back = NULL;
  int ndim = 0;
  size_t shape_back[CORE_NPY_MAX_DIM];
  ck_assert_int_eq(core_npy_read(path, &back, &ndim, shape_back), CORE_OK);
  ck_assert_int_eq(ndim, 2);
  ck_assert_uint_eq(shape_back[0], 0);
  ck_assert_uint_eq(shape_back[1], 3);
  ck_assert_ptr_nonnull(back);
  free(back);
}
END_TEST

/* Raw layout: magic, version 1.0, data offset a multiple of 64, '\n' before the data, size. */
static void check_layout(int ndim, const size_t *shape, const char *expected_dict) {
  size_t count = 1;
  for (int d = 0; d < ndim; ++d)
    count *= shape[d];
  double *data = calloc(count > 0 ? count : 1, sizeof *data);
  char path[600];
  scratch_path(path, sizeof path, "layout.npy");
  ck_assert_int_eq(core_npy_write(path, data, ndim, shape), CORE_OK);
  free(data);
  size_t len;
  char *raw = slurp(path, &len);
  const unsigned char *u = (const unsigned char *)raw;
  ck_assert_int_eq(memcmp(raw, "\x93NUMPY\x01\x00", 8), 0);
  size_t header_len = u[8] | (size_t)u[9] << 8;
  ck_assert_uint_eq((10 + header_len) % 64, 0);
  ck_assert_int_eq(raw[10 + header_len - 1], '\n');
  ck_assert_uint_eq(len, 10 + header_len + 8 * count);
  size_t dict_len = strlen(expected_dict);
  ck_assert_msg(strncmp(raw + 10, expected_dict, dict_len) == 0, "dict: %.*s", (int)header_len,
                raw + 10);
  for (size_t i = 10 + dict_len; i < 10 + header_len - 1; ++i)
    ck_assert_int_eq(raw[i], ' ');
  free(raw);
}

START_TEST(test_npy_header_layout) {
  const size_t s1[] = {5}, s2[] = {2, 3}, s4[] = {1, 2, 3, 4};
  check_layout(1, s1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }");
  check_layout(2, s2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
  check_layout(4, s4, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3, 4), }");
  /* A dict just past one 64-byte block must grow the header to the next one. */
  const size_t s3[] = {1000000, 0, 1000};
  check_layout(3, s3, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 0, 1000), }");
}
END_TEST

static void write_raw(const char *path, const char *dict, size_t data_bytes) {
  FILE *fp = fopen(path, "wb");
  ck_assert_ptr_nonnull(fp);
  char header[128];
  int n = snprintf(header, sizeof header, "%-117s\n", dict); /* 10 + 118 = 128 */
  ck_assert_int_eq(n, 118);
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0};
  fwrite(pre, 1, 10, fp);
  fwrite(header, 1, 118, fp);
  for (size_t i = 0; i < data_bytes; ++i)
    fputc(0, fp);
  fclose(fp);
}

static void expect_read_error(const char *path, const char *fragment) {
  core_error_clear();
  double *data = (double *)&data; /* must stay untouched */
  int ndim = -7;
  size_t shape[CORE_NPY_MAX_DIM];
  ck_assert_int_eq(core_npy_read(path, &data, &ndim, shape), CORE_ERR_IO);
  ck_assert_msg(strstr(core_error_message(), fragment) != NULL, "message '%s' lacks '%s'",
                core_error_message(), fragment);
  ck_assert_msg(strstr(core_error_message(), path) != NULL, "message lacks the path");
  ck_assert_ptr_eq(data, (double *)&data);
  ck_assert_int_eq(ndim, -7);
}

START_TEST(test_npy_read_rejects) {
  char path[600];
  scratch_path(path, sizeof path, "bad.npy");
  write_raw(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12);
  expect_read_error(path, "dtype '<f4' is not supported");
  write_raw(path, "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", 24);
  expect_read_error(path, "dtype '>f8' is not supported");
  write_raw(path, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", 32);
  expect_read_error(path, "Fortran-order");
  write_raw(path, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 16);
  expect_read_error(path, "shorter");
  write_raw(path, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 32);
  expect_read_error(path, "longer");
  write_raw(path, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 8);
  expect_read_error(path, "unsupported shape");
  write_raw(path, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }", 8);
  expect_read_error(path, "unsupported shape");
  ck_assert_int_eq(core_write_text_file(path, "plain text, long enough to be read\n"), CORE_OK);
  expect_read_error(path, "not a .npy file");
  scratch_path(path, sizeof path, "missing.npy");
  expect_read_error(path, strerror(ENOENT));
}
END_TEST

START_TEST(test_npy_write_rejects_ndim) {
  const size_t shape[] = {1, 1, 1, 1, 1};
  const double x[] = {1.0};
  char path[600];
  scratch_path(path, sizeof path, "x.npy");
  ck_assert_int_eq(core_npy_write(path, x, 0, shape), CORE_ERR_INVALID);
  ck_assert_int_eq(core_npy_write(path, x, 5, shape), CORE_ERR_INVALID);
  ck_assert_int_eq(count_entries(scratch), 0);
}
END_TEST

/* ---- json --------------------------------------------------------------------------------- */

static const char expected_json[] =
    "{\n"
    "  \"problem\": \"burgers\",\n"
    "  \"note\": \"tab\\there \\\"quoted\\\" back\\\\slash\\nnew \\u0001 caf\xc3\xa9\",\n"
    "  \"l2\": 0.10000000000000001,\n"
    "  \"tiny\": -4.9406564584124654e-324,\n"
    "  \"neg_zero\": -0,\n"
    "  \"nan\": null,\n"
    "  \"inf\": null,\n"
    "  \"steps\": -9223372036854775807,\n"
    "  \"ok\": true,\n"
    "  \"empty_list\": [],\n"
    "  \"empty_obj\": {},\n"
    "  \"rounds\": [\n"
    "    {\n"
    "      \"k\": 1,\n"
    "      \"fail\": false\n"
    "    },\n"
    "    [\n"
    "      1e+22,\n"
    "      null\n"
    "    ]\n"
    "  ]\n"
    "}\n";

static void write_document(core_json *j) {
  core_json_begin_object(j);
  core_json_member_string(j, "problem", "burgers");
  core_json_member_string(j, "note", "tab\there \"quoted\" back\\slash\nnew \x01 caf\xc3\xa9");
  core_json_member_number(j, "l2", 0.1);
  core_json_member_number(j, "tiny", -4.9406564584124654e-324);
  core_json_member_number(j, "neg_zero", -0.0);
  core_json_member_number(j, "nan", NAN);
  core_json_member_number(j, "inf", INFINITY);
  core_json_member_int(j, "steps", -9223372036854775807LL);
  core_json_member_bool(j, "ok", true);
  core_json_key(j, "empty_list");
  core_json_begin_array(j);
  core_json_end_array(j);
  core_json_key(j, "empty_obj");
  core_json_begin_object(j);
  core_json_end_object(j);
  core_json_key(j, "rounds");
  core_json_begin_array(j);
  core_json_begin_object(j);
  core_json_member_int(j, "k", 1);
  core_json_member_bool(j, "fail", false);
  core_json_end_object(j);
  core_json_begin_array(j);
  core_json_number(j, 1e22); /* exact in binary, so %.17g prints it short */
  core_json_null(j);
  core_json_end_array(j);
  core_json_end_array(j);
  core_json_end_object(j);
}

START_TEST(test_json_pretty_text) {
  char *text = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&text, &len);
  ck_assert_ptr_nonnull(fp);
  core_json j;
  core_json_init(&j, fp);
  write_document(&j);
  ck_assert_int_eq(core_json_finish(&j), CORE_OK);
  fclose(fp);
  ck_assert_str_eq(text, expected_json);
  free(text);
}
END_TEST

/* %.17g must give back the same double through strtod (what any JSON reader does). */
START_TEST(test_json_numbers_round_trip) {
  for (size_t i = 0; i < 64; ++i) {
    double v = tricky_value(i);
    if (!isfinite(v))
      continue;
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    core_json j;
    core_json_init(&j, fp);
    core_json_number(&j, v);
    ck_assert_int_eq(core_json_finish(&j), CORE_OK);
    fclose(fp);
    double back = strtod(text, NULL);
    ck_assert_msg(memcmp(&back, &v, sizeof v) == 0, "%s does not round-trip", text);
    free(text);
  }
}
END_TEST

static core_status misuse_status(int which) {
  char *text = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&text, &len);
  core_json j;
  core_json_init(&j, fp);
  core_error_clear();
  switch (which) {
  case 0: core_json_begin_object(&j); core_json_int(&j, 1); break;          /* no key */
  case 1: core_json_begin_array(&j); core_json_key(&j, "k"); break;         /* key in array */
  case 2: core_json_begin_object(&j); core_json_end_array(&j); break;       /* mismatched end */
  case 3: core_json_begin_array(&j); break;                                  /* left open */
  case 4: core_json_int(&j, 1); core_json_int(&j, 2); break;                 /* two documents */
  case 5: for (int d = 0; d <= CORE_JSON_MAX_DEPTH; ++d) core_json_begin_array(&j); break;
  default: break;                                                           /* empty */
  }
  core_status s = core_json_finish(&j);
  fclose(fp);
  free(text);
  return s;
}

START_TEST(test_json_misuse) {
  for (int which = 0; which <= 6; ++which) {
    ck_assert_msg(misuse_status(which) == CORE_ERR_INVALID, "case %d accepted", which);
    ck_assert_msg(strstr(core_error_message(), "JSON writer misuse") != NULL, "case %d: %s",
                  which, core_error_message());
  }
}
END_TEST

/* ---- atomic files ------------------------------------------------------------------------- */

START_TEST(test_atomic_commit_and_replace) {
  char path[600];
  scratch_path(path, sizeof path, "note.txt");
  ck_assert_int_eq(core_write_text_file(path, "first\n"), CORE_OK);
  ck_assert_int_eq(core_write_text_file(path, "second version\n"), CORE_OK);
  char *text = slurp(path, NULL);
  ck_assert_str_eq(text, "second version\n");
  free(text);
  ck_assert_int_eq(count_entries(scratch), 1); /* no PATH.tmp.<pid> left */

  /* While open, only the temporary file exists; abort removes it and keeps the target. */
  core_atomic_file *file = NULL;
  ck_assert_int_eq(core_atomic_file_open(&file, path), CORE_OK);
  fputs("never lands", core_atomic_file_stream(file));
  ck_assert_int_eq(count_entries(scratch), 2);
  ck_assert_ptr_nonnull(strstr(core_atomic_file_tmp_path(file), "note.txt.tmp."));
  core_atomic_file_abort(file);
  core_atomic_file_abort(NULL);
  text = slurp(path, NULL);
  ck_assert_str_eq(text, "second version\n");
  free(text);
  ck_assert_int_eq(count_entries(scratch), 1);
}
END_TEST

START_TEST(test_atomic_target_is_directory) {
  char path[600], expected[800];
  scratch_path(path, sizeof path, "target");
  ck_assert_int_eq(mkdir(path, 0777), 0);
  ck_assert_int_eq(core_write_text_file(path, "data\n"), CORE_ERR_IO);
  snprintf(expected, sizeof expected, "cannot write '%s': %s", path, strerror(EISDIR));
  ck_assert_str_eq(core_error_message(), expected);
  ck_assert(is_dir(path));
  ck_assert_int_eq(count_entries(scratch), 1); /* temporary file removed */
}
END_TEST

START_TEST(test_atomic_missing_directory) {
  char path[600], expected[800];
  scratch_path(path, sizeof path, "no/such/dir/file.txt");
  ck_assert_int_eq(core_write_text_file(path, "data\n"), CORE_ERR_IO);
  snprintf(expected, sizeof expected, "cannot write '%s': %s", path, strerror(ENOENT));
  ck_assert_str_eq(core_error_message(), expected);
  ck_assert_int_eq(count_entries(scratch), 0);
}
END_TEST

/* A write that runs out of room (a file-size limit stands in for a full disk, and works as
 * root) must fail, keep the old target and leave no temporary file. Runs in its own process
 * so the limit cannot leak into other tests. Exit code = first failed check. */
static int full_disk_child(const char *path) {
  signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = {4096, 4096};
  if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
    return 10;
  size_t n = 1 << 16;
  char *big = malloc(n + 1);
  memset(big, 'x', n);
  big[n] = '\0';
  core_error_clear();
  if (core_write_text_file(path, big) != CORE_ERR_IO)
    return 11;
  char expected[800];
  snprintf(expected, sizeof expected, "cannot write '%s': %s", path, strerror(EFBIG));
  if (strcmp(core_error_message(), expected) != 0)
    return 12;
  size_t n_doubles = 1000; /* 8000 bytes of data */
  double *zeros = calloc(n_doubles, sizeof *zeros);
  core_error_clear();
  if (core_npy_write(path, zeros, 1, &n_doubles) != CORE_ERR_IO)
    return 13;
  free(zeros);
  free(big);
  return 0;
}

START_TEST(test_atomic_full_disk) {
  char path[600];
  scratch_path(path, sizeof path, "keep.txt");
  ck_assert_int_eq(core_write_text_file(path, "old\n"), CORE_OK);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0)
    _exit(full_disk_child(path));
  int status = 0;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child check %d failed",
                WEXITSTATUS(status));
  char *text = slurp(path, NULL);
  ck_assert_str_eq(text, "old\n");
  free(text);
  ck_assert_int_eq(count_entries(scratch), 1);
}
END_TEST

/* ---- run directories ---------------------------------------------------------------------- */

static const time_t fixed_time = 1700000000; /* any fixed instant: names depend only on it */

static void expected_base(char *buf, size_t size, const char *root, const char *name) {
  struct tm local;
  char stamp[32];
  localtime_r(&fixed_time, &local);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  snprintf(buf, size, "%s/%s-%s", root, name, stamp);
}

static void touch_in_run(core_run_dir *rd, const char *file) {
  char path[1024];
  ck_assert_int_eq(core_run_dir_path(rd, file, path, sizeof path), CORE_OK);
  ck_assert_int_eq(core_write_text_file(path, "x\n"), CORE_OK);
}

START_TEST(test_run_dir_same_timestamp) {
  char root[600], base[800], expected[900], final_a[1024], final_b[1024], final_c[1024];
  scratch_path(root, sizeof root, "runs/nested"); /* created with its parent */
  expected_base(base, sizeof base, root, "burgers");
  core_run_dir *a = NULL, *b = NULL, *c = NULL;
  ck_assert_int_eq(core_run_dir_create_at(&a, root, "burgers", NULL, fixed_time), CORE_OK);
  ck_assert_int_eq(core_run_dir_create_at(&b, root, "burgers", NULL, fixed_time), CORE_OK);
  snprintf(expected, sizeof expected, "%s.partial", base);
  ck_assert_str_eq(core_run_dir_staging_path(a), expected);
  snprintf(expected, sizeof expected, "%s-2.partial", base);
  ck_assert_str_eq(core_run_dir_staging_path(b), expected);
  touch_in_run(a, "metrics.csv");
  touch_in_run(b, "metrics.csv");
  ck_assert_int_eq(core_run_dir_finish(b, final_b, sizeof final_b), CORE_OK);
  ck_assert_int_eq(core_run_dir_finish(a, final_a, sizeof final_a), CORE_OK);
  ck_assert_str_eq(final_a, base);
  snprintf(expected, sizeof expected, "%s-2", base);
  ck_assert_str_eq(final_b, expected);
  /* A third run at the same instant skips both finished names. */
  ck_assert_int_eq(core_run_dir_create_at(&c, root, "burgers", NULL, fixed_time), CORE_OK);
  ck_assert_int_eq(core_run_dir_finish(c, final_c, sizeof final_c), CORE_OK);
  snprintf(expected, sizeof expected, "%s-3", base);
  ck_assert_str_eq(final_c, expected);
  ck_assert_int_eq(count_entries(root), 3); /* no .partial left behind */
  ck_assert_int_eq(count_entries(final_a), 1);
  ck_assert_int_eq(count_entries(final_b), 1);
  ck_assert_int_eq(count_entries(final_c), 0);
  /* After finish, paths point into the final directory. */
  char path[1200];
  ck_assert_int_eq(core_run_dir_path(a, "metrics.csv", path, sizeof path), CORE_OK);
  snprintf(expected, sizeof expected, "%s/metrics.csv", base);
  ck_assert_str_eq(path, expected);
  ck_assert_int_eq(core_run_dir_finish(a, NULL, 0), CORE_ERR_INVALID);
  core_run_dir_destroy(a);
  core_run_dir_destroy(b);
  core_run_dir_destroy(c);
  core_run_dir_destroy(NULL);
}
END_TEST

START_TEST(test_run_dir_final_taken_meanwhile) {
  char base[800], other[900], final_path[1024], expected[900];
  expected_base(base, sizeof base, scratch, "heat");
  core_run_dir *rd = NULL;
  ck_assert_int_eq(core_run_dir_create_at(&rd, scratch, "heat", NULL, fixed_time), CORE_OK);
  touch_in_run(rd, "summary.json");
  /* Someone else's finished run takes the name while this one works. */
  ck_assert_int_eq(mkdir(base, 0777), 0);
  snprintf(other, sizeof other, "%s/theirs.txt", base);
  ck_assert_int_eq(core_write_text_file(other, "theirs\n"), CORE_OK);
  ck_assert_int_eq(core_run_dir_finish(rd, final_path, sizeof final_path), CORE_OK);
  snprintf(expected, sizeof expected, "%s-2", base);
  ck_assert_str_eq(final_path, expected);
  ck_assert_int_eq(count_entries(base), 1);
  ck_assert_int_eq(count_entries(final_path), 1);
  ck_assert_int_eq(count_entries(scratch), 2);
  core_run_dir_destroy(rd);
}
END_TEST

START_TEST(test_run_dir_unfinished_is_kept) {
  core_run_dir *rd = NULL;
  ck_assert_int_eq(core_run_dir_create_at(&rd, scratch, "wave", NULL, fixed_time), CORE_OK);
  touch_in_run(rd, "metrics.csv");
  char staging[1024];
  snprintf(staging, sizeof staging, "%s", core_run_dir_staging_path(rd));
  ck_assert(!core_run_dir_is_finished(rd));
  core_run_dir_destroy(rd);
  ck_assert(is_dir(staging));
  ck_assert_int_eq(count_entries(staging), 1);
  /* The next run does not reuse the abandoned staging name. */
  ck_assert_int_eq(core_run_dir_create_at(&rd, scratch, "wave", NULL, fixed_time), CORE_OK);
  ck_assert_str_ne(core_run_dir_staging_path(rd), staging);
  core_run_dir_destroy(rd);
}
END_TEST

START_TEST(test_run_dir_bad_name) {
  core_run_dir *rd = (core_run_dir *)&rd;
  ck_assert_int_eq(core_run_dir_create(&rd, scratch, "a/b", NULL), CORE_ERR_INVALID);
  ck_assert_ptr_null(rd);
  ck_assert_int_eq(core_run_dir_create(&rd, scratch, "", NULL), CORE_ERR_INVALID);
  ck_assert_int_eq(count_entries(scratch), 0);
}
END_TEST

START_TEST(test_run_dir_out_not_empty) {
  char out[600], file[700], expected[800];
  scratch_path(out, sizeof out, "out");
  ck_assert_int_eq(mkdir(out, 0777), 0);
  snprintf(file, sizeof file, "%s/old.csv", out);
  ck_assert_int_eq(core_write_text_file(file, "old\n"), CORE_OK);
  core_run_dir *rd = NULL;
  ck_assert_int_eq(core_run_dir_create(&rd, NULL, "x", out), CORE_ERR_IO);
  ck_assert_ptr_null(rd);
  snprintf(expected, sizeof expected, "output directory '%s' already exists and is not empty",
           out);
  ck_assert_str_eq(core_error_message(), expected);
  ck_assert_int_eq(count_entries(scratch), 1); /* no staging directory made */
  ck_assert_int_eq(count_entries(out), 1);
}
END_TEST

START_TEST(test_run_dir_out_missing_parent) {
  char out[600], expected[800];
  scratch_path(out, sizeof out, "missing/out");
  core_run_dir *rd = NULL;
  ck_assert_int_eq(core_run_dir_create(&rd, NULL, "x", out), CORE_ERR_IO);
  snprintf(expected, sizeof expected, "cannot create output directory '%s': %s", out,
           strerror(ENOENT));
  ck_assert_str_eq(core_error_message(), expected);
  ck_assert_int_eq(count_entries(scratch), 0);
}
END_TEST

START_TEST(test_run_dir_out_finish) {
  char out[600], with_slash[700], expected[800], final_path[1024];
  /* Missing --out directory, given with a trailing slash. */
  scratch_path(out, sizeof out, "fresh");
  snprintf(with_slash, sizeof with_slash, "%s/", out);
  core_run_dir *rd = NULL;
  ck_assert_int_eq(core_run_dir_create(&rd, NULL, NULL, with_slash), CORE_OK);
  snprintf(expected, sizeof expected, "%s.partial", out);
  ck_assert_str_eq(core_run_dir_staging_path(rd), expected);
  touch_in_run(rd, "metrics.csv");
  ck_assert(!is_dir(out));
  ck_assert_int_eq(core_run_dir_finish(rd, final_path, sizeof final_path), CORE_OK);
  ck_assert_str_eq(final_path, out);
  ck_assert_int_eq(count_entries(out), 1);
  ck_assert(!is_dir(expected));
  core_run_dir_destroy(rd);
  /* An existing empty --out directory is filled by the rename. */
  scratch_path(out, sizeof out, "empty");
  ck_assert_int_eq(mkdir(out, 0777), 0);
  ck_assert_int_eq(core_run_dir_create(&rd, NULL, NULL, out), CORE_OK);
  touch_in_run(rd, "a.npy");
  touch_in_run(rd, "b.npy");
  ck_assert_int_eq(core_run_dir_finish(rd, final_path, sizeof final_path), CORE_OK);
  ck_assert_int_eq(count_entries(out), 2);
  core_run_dir_destroy(rd);
  ck_assert_int_eq(count_entries(scratch), 2);
}
END_TEST

START_TEST(test_run_dir_out_filled_meanwhile) {
  char out[600], file[700];
  scratch_path(out, sizeof out, "out");
  core_run_dir *rd = NULL;
  ck_assert_int_eq(core_run_dir_create(&rd, NULL, NULL, out), CORE_OK);
  touch_in_run(rd, "metrics.csv");
  ck_assert_int_eq(mkdir(out, 0777), 0);
  snprintf(file, sizeof file, "%s/intruder", out);
  ck_assert_int_eq(core_write_text_file(file, "x\n"), CORE_OK);
  ck_assert_int_eq(core_run_dir_finish(rd, NULL, 0), CORE_ERR_IO);
  ck_assert_ptr_nonnull(strstr(core_error_message(), "already exists and is not empty"));
  ck_assert_ptr_nonnull(strstr(core_error_message(), core_run_dir_staging_path(rd)));
  ck_assert_int_eq(count_entries(core_run_dir_staging_path(rd)), 1); /* results kept */
  core_run_dir_destroy(rd);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("io");
  TCase *npy = tcase_create("npy");
  tcase_add_checked_fixture(npy, scratch_setup, scratch_teardown);
  tcase_add_test(npy, test_npy_round_trip_bits);
  tcase_add_test(npy, test_npy_zero_extent);
  tcase_add_test(npy, test_npy_header_layout);
  tcase_add_test(npy, test_npy_read_rejects);
  tcase_add_test(npy, test_npy_write_rejects_ndim);
  suite_add_tcase(s, npy);
  TCase *json = tcase_create("json");
  tcase_add_test(json, test_json_pretty_text);
  tcase_add_test(json, test_json_numbers_round_trip);
  tcase_add_test(json, test_json_misuse);
  suite_add_tcase(s, json);
  TCase *atomic = tcase_create("atomic_file");
  tcase_add_checked_fixture(atomic, scratch_setup, scratch_teardown);
  tcase_add_test(atomic, test_atomic_commit_and_replace);
  tcase_add_test(atomic, test_atomic_target_is_directory);
  tcase_add_test(atomic, test_atomic_missing_directory);
  tcase_add_test(atomic, test_atomic_full_disk);
  suite_add_tcase(s, atomic);
  TCase *run = tcase_create("run_dir");
  tcase_add_checked_fixture(run, scratch_setup, scratch_teardown);
  tcase_add_test(run, test_run_dir_same_timestamp);
  tcase_add_test(run, test_run_dir_final_taken_meanwhile);
  tcase_add_test(run, test_run_dir_unfinished_is_kept);
  tcase_add_test(run, test_run_dir_bad_name);
  tcase_add_test(run, test_run_dir_out_not_empty);
  tcase_add_test(run, test_run_dir_out_missing_parent);
  tcase_add_test(run, test_run_dir_out_finish);
  tcase_add_test(run, test_run_dir_out_filled_meanwhile);
  suite_add_tcase(s, run);
  return s;
}

CHECK_MAIN(make_suite)
