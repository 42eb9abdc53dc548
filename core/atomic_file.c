#include "core/atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct core_atomic_file {
  FILE *fp;
  char *path;
  char *tmp_path;
  int write_errno; /* errno of the first short write, 0 if none */
};

static void atomic_file_free(core_atomic_file *file) {
  free(file->path);
  free(file->tmp_path);
  free(file);
}

core_status core_atomic_file_open(core_atomic_file **out, const char *path) {
  *out = NULL;
  if (path == NULL || path[0] == '\0')
    return CORE_FAIL(CORE_ERR_INVALID, "cannot write a file with an empty path");
  core_atomic_file *file = calloc(1, sizeof *file);
  size_t len = strlen(path);
  size_t tmp_size = len + 32;
  if (file != NULL) {
    file->path = malloc(len + 1);
    file->tmp_path = malloc(tmp_size);
  }
  if (file == NULL || file->path == NULL || file->tmp_path == NULL) {
    if (file != NULL)
      atomic_file_free(file);
    return CORE_FAIL(CORE_ERR_NOMEM, "out of memory opening '%s'", path);
  }
  memcpy(file->path, path, len + 1);
  snprintf(file->tmp_path, tmp_size, "%s.tmp.%ld", path, (long)getpid());
  file->fp = fopen(file->tmp_path, "wb");
  if (file->fp == NULL) {
    int err = errno;
    atomic_file_free(file);
    return CORE_FAIL(CORE_ERR_IO, "cannot write '%s': %s", path, strerror(err));
  }
  *out = file;
  return CORE_OK;
}

FILE *core_atomic_file_stream(core_atomic_file *file) { return file->fp; }
core_status core_atomic_file_write(core_atomic_file *file, const void *data, size_t size) {
  if (size == 0 || file->write_errno != 0)
    return CORE_OK;
  errno = 0;
  if (fwrite(data, 1, size, file->fp) != size)
    file->write_errno = errno != 0 ? errno : EIO;
  return CORE_OK;
}

const char *core_atomic_file_path(const core_atomic_file *file) { return file->path; }
const char *core_atomic_file_tmp_path(const core_atomic_file *file) { return file->tmp_path; }

/* Flushes user-space buffers and the page cache; returns 0 or an errno value. A write error
 * seen earlier by stdio leaves only the stream's error flag, not its errno, hence EIO. */
static int flush_to_disk(FILE *fp) {
  if (fflush(fp) != 0)
    return errno != 0 ? errno : EIO;
  if (ferror(fp))
    return EIO;
  if (fsync(fileno(fp)) != 0)
    return errno;
  return 0;
}

core_status core_atomic_file_commit(core_atomic_file *file) {
  if (file == NULL)
    return CORE_FAIL(CORE_ERR_INVALID, "commit of a file that was never opened");
  errno = 0;
  int err = file->write_errno != 0 ? file->write_errno : flush_to_disk(file->fp);
  /* fclose reports delayed write errors (e.g. quota, NFS) that fsync may not. */
  if (fclose(file->fp) != 0 && err == 0)
    err = errno != 0 ? errno : EIO;
  file->fp = NULL;
  if (err == 0 && rename(file->tmp_path, file->path) != 0)
    err = errno;
  if (err != 0) {
    unlink(file->tmp_path);
    core_status s = CORE_FAIL(CORE_ERR_IO, "cannot write '%s': %s", file->path, strerror(err));
    atomic_file_free(file);
    return s;
  }
  atomic_file_free(file);
  return CORE_OK;
}

void core_atomic_file_abort(core_atomic_file *file) {
  if (file == NULL)
    return;
  if (file->fp != NULL)
    fclose(file->fp);
  unlink(file->tmp_path);
  atomic_file_free(file);
}

core_status core_write_text_file(const char *path, const char *text) {
  core_atomic_file *file = NULL;
  CORE_TRY(core_atomic_file_open(&file, path));
  core_atomic_file_write(file, text, strlen(text));
  return core_atomic_file_commit(file);
}
