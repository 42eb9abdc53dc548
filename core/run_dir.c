#include "core/run_dir.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Gives up after this many taken names: something is wrong with the directory. */
enum { RUN_DIR_MAX_SUFFIX = 10000 };

struct core_run_dir {
  char *base;         /* final name without suffix (auto) or the --out directory */
  char *final_path;   /* base, or base-<suffix> */
  char *staging_path; /* <final>.partial[-k] */
  int suffix;         /* 1 = no suffix */
  bool explicit_dir;
  bool finished;
};

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *str_printf(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  int len = vsnprintf(NULL, 0, fmt, args);
  va_end(args);
  char *s = len < 0 ? NULL : malloc((size_t)len + 1);
  if (s == NULL)
    return NULL;
  va_start(args, fmt);
  vsnprintf(s, (size_t)len + 1, fmt, args);
  va_end(args);
  return s;
}

static char *with_suffix(const char *base, int suffix) {
  return suffix == 1 ? str_printf("%s", base) : str_printf("%s-%d", base, suffix);
}

/* 1 if path exists (any type), 0 if not, -1 on another error (errno set). */
static int path_exists(const char *path) {
  struct stat st;
  if (lstat(path, &st) == 0)
    return 1;
  return errno == ENOENT ? 0 : -1;
}

/* 1 if the directory has no entries besides . and .., 0 if it has, -1 on error (errno set). */
static int dir_is_empty(const char *path) {
  DIR *dir = opendir(path);
  if (dir == NULL)
    return -1;
  int empty = 1;
  struct dirent *entry;
  while (empty && (entry = readdir(dir)) != NULL)
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
      empty = 0;
  closedir(dir);
  return empty;
}

/* mkdir -p: creates every missing component of path. */
static core_status make_dirs(const char *path) {
  char *buf = str_printf("%s", path);
  if (buf == NULL)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating '%s'", path);
  for (char *p = buf + 1;; ++p) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
      int err = errno;
      core_status s = CORE_FAIL(CORE_ERR_IO, "cannot create directory '%s': %s", buf,
                                strerror(err));
      free(buf);
      return s;
    }
    *p = saved;
    if (saved == '\0')
      break;
  }
  free(buf);
  return CORE_OK;
}

/* Creates "<final>.partial" (or ".partial-k" if another run holds that name) for --out. */
static core_status stage_explicit(core_run_dir *rd) {
  for (int k = 1; k <= RUN_DIR_MAX_SUFFIX; ++k) {
    free(rd->staging_path);
    rd->staging_path = k == 1 ? str_printf("%s.partial", rd->final_path)
                              : str_printf("%s.partial-%d", rd->final_path, k);
    if (rd->staging_path == NULL)
      return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating a run directory");
    if (mkdir(rd->staging_path, 0777) == 0)
      return CORE_OK;
    if (errno != EEXIST)
      return CORE_FAIL(CORE_ERR_IO, "cannot create output directory '%s': %s", rd->final_path,
                       strerror(errno));
  }
  return CORE_FAIL(CORE_ERR_IO, "cannot create output directory '%s': too many staging "
                   "directories '%s.partial*'", rd->final_path, rd->final_path);
}

static core_status check_explicit(const char *dir) {
  struct stat st;
  if (lstat(dir, &st) != 0) {
    if (errno == ENOENT)
      return CORE_OK;
    return CORE_FAIL(CORE_ERR_IO, "cannot use output directory '%s': %s", dir, strerror(errno));
  }
  if (!S_ISDIR(st.st_mode))
    return CORE_FAIL(CORE_ERR_IO, "output directory '%s' already exists and is not a directory",
                     dir);
  int empty = dir_is_empty(dir);
  if (empty < 0)
    return CORE_FAIL(CORE_ERR_IO, "cannot use output directory '%s': %s", dir, strerror(errno));
  if (!empty)
    return CORE_FAIL(CORE_ERR_IO, "output directory '%s' already exists and is not empty", dir);
  return CORE_OK;
}

static core_status create_explicit(core_run_dir *rd, const char *dir) {
  rd->explicit_dir = true;
  rd->base = str_printf("%s", dir);
  if (rd->base == NULL)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating a run directory");
  /* "out/" would otherwise stage as "out/.partial", inside the target. */
  for (size_t n = strlen(rd->base); n > 1 && rd->base[n - 1] == '/'; --n)
    rd->base[n - 1] = '\0';
  rd->final_path = str_printf("%s", rd->base);
  if (rd->final_path == NULL)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating a run directory");
  CORE_TRY(check_explicit(rd->final_path));
  return stage_explicit(rd);
}

static core_status check_name(const char *name) {
  if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
      strcmp(name, "..") == 0)
    return CORE_FAIL(CORE_ERR_INVALID, "invalid run name '%s' (non-empty, without '/')",
                     name == NULL ? "" : name);
  return CORE_OK;
}

/* Takes the first suffix whose final name does not exist and whose staging name mkdir can
 * create: mkdir is atomic, so two runs started in the same second cannot share a directory. */
static core_status stage_auto(core_run_dir *rd) {
  for (rd->suffix = 1; rd->suffix <= RUN_DIR_MAX_SUFFIX; ++rd->suffix) {
    free(rd->final_path);
    free(rd->staging_path);
    rd->final_path = with_suffix(rd->base, rd->suffix);
    rd->staging_path = rd->final_path ? str_printf("%s.partial", rd->final_path) : NULL;
    if (rd->staging_path == NULL)
      return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating a run directory");
    int exists = path_exists(rd->final_path);
    if (exists < 0)
      return CORE_FAIL(CORE_ERR_IO, "cannot create run directory '%s': %s", rd->staging_path,
                       strerror(errno));
    if (exists)
      continue;
    if (mkdir(rd->staging_path, 0777) == 0)
      return CORE_OK;
    if (errno != EEXIST)
      return CORE_FAIL(CORE_ERR_IO, "cannot create run directory '%s': %s", rd->staging_path,
                       strerror(errno));
  }
  return CORE_FAIL(CORE_ERR_IO, "cannot create run directory '%s': too many runs with this name",
                   rd->base);
}

static core_status create_auto(core_run_dir *rd, const char *root, const char *name,
                               time_t when) {
  CORE_TRY(check_name(name));
  if (root == NULL || root[0] == '\0')
    root = ".";
  CORE_TRY(make_dirs(root));
  struct tm local;
  char stamp[32];
  if (localtime_r(&when, &local) == NULL ||
      strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local) == 0)
    return CORE_FAIL(CORE_ERR_INVALID, "cannot format the run timestamp");
  rd->base = str_printf("%s/%s-%s", root, name, stamp);
  if (rd->base == NULL)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating a run directory");
  return stage_auto(rd);
}

core_status core_run_dir_create_at(core_run_dir **out, const char *root, const char *name,
                                   const char *explicit_dir, time_t when) {
  *out = NULL;
  core_run_dir *rd = calloc(1, sizeof *rd);
  if (rd == NULL)
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory creating a run directory");
  core_status s = explicit_dir != NULL ? create_explicit(rd, explicit_dir)
                                       : create_auto(rd, root, name, when);
  if (s != CORE_OK) {
    core_run_dir_destroy(rd);
    return s;
  }
  *out = rd;
  return CORE_OK;
}

core_status core_run_dir_create(core_run_dir **out, const char *root, const char *name,
                                const char *explicit_dir) {
  return core_run_dir_create_at(out, root, name, explicit_dir, time(NULL));
}

core_status core_run_dir_path(const core_run_dir *rd, const char *file, char *buf, size_t size) {
  const char *dir = rd->finished ? rd->final_path : rd->staging_path;
  int len = snprintf(buf, size, "%s/%s", dir, file);
  if (len < 0 || (size_t)len >= size)
    return CORE_FAIL(CORE_ERR_INVALID, "path '%s/%s' is too long", dir, file);
  return CORE_OK;
}

/* rename() onto an empty directory replaces it, onto a non-empty one fails: exactly the --out
 * rule, checked again at the moment of the move. */
static core_status finish_explicit(core_run_dir *rd) {
  if (rename(rd->staging_path, rd->final_path) == 0)
    return CORE_OK;
  if (errno == ENOTEMPTY || errno == EEXIST)
    return CORE_FAIL(CORE_ERR_IO, "output directory '%s' already exists and is not empty "
                     "(results are in '%s')", rd->final_path, rd->staging_path);
  return CORE_FAIL(CORE_ERR_IO, "cannot rename '%s' to '%s': %s (results are in '%s')",
                   rd->staging_path, rd->final_path, strerror(errno), rd->staging_path);
}

/* Reserves the final name with mkdir (atomic, fails if taken), then renames staging onto the
 * reserved empty directory; a taken name moves on to the next suffix. */
static core_status finish_auto(core_run_dir *rd) {
  for (; rd->suffix <= RUN_DIR_MAX_SUFFIX; ++rd->suffix) {
    char *candidate = with_suffix(rd->base, rd->suffix);
    if (candidate == NULL)
      return CORE_FAIL(CORE_ERR_NOMEM, "out of memory finishing a run directory");
    free(rd->final_path);
    rd->final_path = candidate;
    if (mkdir(candidate, 0777) != 0) {
      if (errno == EEXIST)
        continue;
      return CORE_FAIL(CORE_ERR_IO, "cannot create run directory '%s': %s (results are in "
                       "'%s')", candidate, strerror(errno), rd->staging_path);
    }
    if (rename(rd->staging_path, candidate) == 0)
      return CORE_OK;
    int err = errno;
    rmdir(candidate);
    return CORE_FAIL(CORE_ERR_IO, "cannot rename '%s' to '%s': %s", rd->staging_path, candidate,
                     strerror(err));
  }
  return CORE_FAIL(CORE_ERR_IO, "cannot finish run directory '%s': too many runs with this name "
                   "(results are in '%s')", rd->base, rd->staging_path);
}

core_status core_run_dir_finish(core_run_dir *rd, char *final_path_out, size_t size) {
  if (rd->finished)
    return CORE_FAIL(CORE_ERR_INVALID, "run directory '%s' is already finished", rd->final_path);
  CORE_TRY(rd->explicit_dir ? finish_explicit(rd) : finish_auto(rd));
  rd->finished = true;
  if (final_path_out != NULL) {
    int len = snprintf(final_path_out, size, "%s", rd->final_path);
    if (len < 0 || (size_t)len >= size)
      return CORE_FAIL(CORE_ERR_INVALID, "run directory path '%s' is too long", rd->final_path);
  }
  return CORE_OK;
}

const char *core_run_dir_staging_path(const core_run_dir *rd) { return rd->staging_path; }
const char *core_run_dir_final_path(const core_run_dir *rd) { return rd->final_path; }
bool core_run_dir_is_finished(const core_run_dir *rd) { return rd->finished; }

void core_run_dir_destroy(core_run_dir *rd) {
  if (rd == NULL)
    return;
  free(rd->base);
  free(rd->final_path);
  free(rd->staging_path);
  free(rd);
}
