/* manifest.c -- OUT/manifest.json of a batch: what each scenario was made from.
 * Its inputs (path, size, modification time, SHA-256), its options and the digest of its data.
 *
 * The manifest is what makes a batch incremental, so it is written last, atomically (a
 * temporary file renamed over the old one), once every scenario directory is in place: a
 * batch killed halfway leaves the previous manifest, whose entries then do not match and are
 * redone. Times are kept in nanoseconds, as integers, so that they compare exactly. */
#include "app/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/diag.h"
#include "util/util.h"

json_t *mfst_load(const char *path, int *broken)
{
    *broken = 0;
    if (access(path, F_OK) != 0)
        return json_object();
    json_error_t err;
    json_t *m = json_load_file(path, 0, &err);
    if (!m || !json_is_object(m) || !json_is_object(json_object_get(m, "scenarios"))) {
        json_decref(m);
        *broken = 1;
        return json_object();
    }
    return m;
}

int mfst_save(const json_t *m, const char *path)
{
    char *tmp = xasprintf("%s.tmp", path);
    int rc = json_dump_file(m, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return diag_error(path, 0, "cannot write the manifest: %s; check free space and "
                                   "permissions", strerror(e ? e : EIO));
    }
    free(tmp);
    return 0;
}

json_t *mfst_scenario(json_t *m, const char *name)
{
    json_t *e = json_object_get(json_object_get(m, "scenarios"), name);
    return json_is_object(e) ? e : NULL;
}

json_t *mfst_files_json(const mfst_file *files, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "path", json_string(files[i].path));
        json_object_set_new(o, "size", json_integer(files[i].size));
        json_object_set_new(o, "mtime_ns", json_integer(files[i].mtime_ns));
        json_object_set_new(o, "sha256", json_string(files[i].sha256));
        json_array_append_new(a, o);
    }
    return a;
}

int mfst_file_match(json_t *e, const mfst_file *f, char sha[65])
{
    json_t *files = json_object_get(e, "files");
    size_t i;
    json_t *o;
    json_array_foreach(files, i, o) {
        const char *p = json_string_value(json_object_get(o, "path"));
        if (!p || strcmp(p, f->path) != 0)
            continue;
        const char *s = json_string_value(json_object_get(o, "sha256"));
        if (json_integer_value(json_object_get(o, "size")) != f->size || !s || strlen(s) != 64)
            return 0;
        snprintf(sha, 65, "%s", s);
        return json_integer_value(json_object_get(o, "mtime_ns")) == f->mtime_ns ? 1 : 2;
    }
    return 0;
}
