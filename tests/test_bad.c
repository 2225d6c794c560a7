/* test_bad.c -- the bad-input corpus of tests/bad/: one cmocka test per case directory.
 * Each case says what to run and what a demanding user must get (tests/bad/README.md).
 *
 * The cases are listed at run time, so adding one is adding a directory. Each runs in a
 * fresh work directory (a copy of the case, plus the files its directives generate) with
 * ./cptscov under a 60 s alarm (kept across exec: a hang dies of SIGALRM and fails). Beyond
 * the case's own expectations, every run is held to what is always required: an exit status
 * of 0, 1 or 2 and no signal; on an error, one line on stderr, nothing on stdout, --out as
 * it was before (absent, or the file or directory that was there, byte for byte); after a
 * success, the ten outputs and nothing else in --out; and never a temporary directory
 * ".NAME.tmp-*" left beside --out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"

#define PROGRAM cli_program()
#define BAD_DIR "tests/bad"
#define SAMPLE_DIR "geodata"
#define TIME_LIMIT 60
#define MAX_ARGS 128

static const char *const output_files[] = {
    "communes.geojson", "coverage_cpts.csv", "coverage_departments.csv", "coverage_regions.csv",
    "coverage_timeline.csv", "cpts.geojson", "departments.geojson", "join_issues.csv",
    "maps", "regions.geojson", "report.html", "report.md", "summary.json", "uncovered.geojson",
};
#define NOUTPUTS ((int)(sizeof output_files / sizeof output_files[0]))

/* The default invocation: every input from the sample. An option given by a case replaces
 * the default of the same name; "without:" drops one. */
static const char *const default_inputs[][2] = {
    {"--communes", SAMPLE_DIR "/communes.shp"},  {"--population", SAMPLE_DIR "/population.csv"},
    {"--passage", SAMPLE_DIR "/passage.csv"},    {"--members", SAMPLE_DIR "/members.csv"},
    {"--epci", SAMPLE_DIR "/epci.csv"},
};
#define NDEFAULTS ((int)(sizeof default_inputs / sizeof default_inputs[0]))

typedef struct strv {
    char **v;
    int n;
} strv;

/* One case, as read from its file `case`. */
typedef struct bad_case {
    char *name;        /* "01-population-empty" */
    char *dir;         /* "tests/bad/01-population-empty" */
    char *about;       /* the first comment line */
    char *error;       /* what is wrong with the case file itself, or NULL */
    int status;        /* expected exit status, -1 until given */
    strv args, without, err_words, out_words, issues;
    strv prep;         /* "generate ...", "copy ...", "ogr2ogr ...", "delete ..." in order */
    char *out_kind;    /* NULL (a new path), file, previous, stale, foreign, unwritable,
                          file-parent */
} bad_case;

static char root[256]; /* the temporary directory of this program */

/* ---- small helpers ---- */

static void *xalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "test_bad: out of memory\n");
        exit(1);
    }
    return p;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xalloc(n), s, n);
}

static void strv_add(strv *a, char *s)
{
    char **v = realloc(a->v, (size_t)(a->n + 1) * sizeof *v);
    if (!v) {
        fprintf(stderr, "test_bad: out of memory\n");
        exit(1);
    }
    a->v = v;
    a->v[a->n++] = s;
}

static void strv_free(strv *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = 0;
}

static int write_bytes(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int copy_file(const char *from, const char *to)
{
    size_t n;
    char *b = cli_slurp(from, &n);
    if (!b)
        return -1;
    int r = write_bytes(to, b, n);
    free(b);
    return r;
}

/* ---- the case file ---- */

/* Splits s into blank-separated words; "double quotes" keep blanks in a word. */
static void split_words(const char *s, strv *out)
{
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            return;
        char *w = xalloc(strlen(s) + 1);
        size_t n = 0;
        int quoted = 0;
        for (; *s && (quoted || (*s != ' ' && *s != '\t')); s++) {
            if (*s == '"')
                quoted = !quoted;
            else
                w[n++] = *s;
        }
        w[n] = '\0';
        strv_add(out, w);
    }
}

static void read_case(bad_case *c, const char *name)
{
    memset(c, 0, sizeof *c);
    c->status = -1;
    c->name = dupstr(name);
    c->dir = cli_fmt("%s/%s", BAD_DIR, name);
    char *path = cli_fmt("%s/case", c->dir);
    char *text = cli_slurp(path, NULL);
    free(path);
    if (!text) {
        c->error = cli_fmt("cannot read %s/case", c->dir);
        return;
    }
    char *save = NULL;
    int lineno = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (line[0] == '#') {
            if (!c->about)
                c->about = dupstr(line + 1 + (line[1] == ' '));
            continue;
        }
        char *colon = strchr(line, ':');
        if (!colon) {
            c->error = cli_fmt("%s/case: \"%s\" is not \"key: value\"", c->dir, line);
            break;
        }
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (strcmp(line, "args") == 0)
            split_words(v, &c->args);
        else if (strcmp(line, "without") == 0)
            split_words(v, &c->without);
        else if (strcmp(line, "status") == 0)
            c->status = atoi(v);
        else if (strcmp(line, "stderr") == 0)
            strv_add(&c->err_words, dupstr(v));
        else if (strcmp(line, "stdout") == 0)
            strv_add(&c->out_words, dupstr(v));
        else if (strcmp(line, "issue") == 0)
            strv_add(&c->issues, dupstr(v));
        else if (strcmp(line, "out") == 0) {
            free(c->out_kind);
            c->out_kind = dupstr(v);
        } else if (strcmp(line, "generate") == 0 || strcmp(line, "copy") == 0 ||
                   strcmp(line, "ogr2ogr") == 0 || strcmp(line, "delete") == 0)
            strv_add(&c->prep, cli_fmt("%s %s", line, v));
        else {
            c->error = cli_fmt("%s/case: unknown key \"%s\"", c->dir, line);
            break;
        }
    }
    free(text);
    if (!c->error && !c->about)
        c->error = cli_fmt("%s/case: no \"# what this case is about\" line", c->dir);
    if (!c->error && (c->status < 0 || c->status > 2))
        c->error = cli_fmt("%s/case: no \"status: 0|1|2\" line", c->dir);
    if (!c->error && c->status != 0 && c->err_words.n == 0)
        c->error = cli_fmt("%s/case: an error case needs at least one \"stderr:\" line", c->dir);
    if (!c->error && c->status != 0 && c->issues.n > 0)
        c->error = cli_fmt("%s/case: \"issue:\" only goes with status 0", c->dir);
    static const char *const kinds[] = {"file", "previous", "stale", "foreign", "unwritable",
                                        "file-parent"};
    if (!c->error && c->out_kind) {
        int ok = 0;
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            ok |= strcmp(c->out_kind, kinds[i]) == 0;
        if (!ok)
            c->error = cli_fmt("%s/case: unknown \"out: %s\"", c->dir, c->out_kind);
    }
}

static void free_case(bad_case *c)
{
    free(c->name);
    free(c->dir);
    free(c->about);
    free(c->error);
    free(c->out_kind);
    strv_free(&c->args);
    strv_free(&c->without);
    strv_free(&c->err_words);
    strv_free(&c->out_words);
    strv_free(&c->issues);
    strv_free(&c->prep);
}

/* ---- preparing the work directory ---- */

/* Where a file named in a case lives: the work directory first, then the sample. NULL when
 * in neither. */
static char *find_input(const char *work, const char *name)
{
    if (!name[0] || name[0] == '/' || name[0] == '-')
        return NULL;
    char *p = cli_fmt("%s/%s", work, name);
    if (cli_exists(p))
        return p;
    free(p);
    p = cli_fmt("%s/%s", SAMPLE_DIR, name);
    if (cli_exists(p))
        return p;
    free(p);
    return NULL;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* A growing byte buffer. */
typedef struct buf {
    char *b;
    size_t n, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        while (b->n + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 4096;
        b->b = realloc(b->b, b->cap);
        if (!b->b)
            exit(1);
    }
    memcpy(b->b + b->n, s, n);
    b->n += n;
    b->b[b->n] = '\0';
}

/* Expands the escapes of t (\n \r \t \\ \xHH \{) into out; returns NULL or an error. */
static char *unescape(const char *t, size_t len, buf *out)
{
    for (size_t i = 0; i < len; i++) {
        char ch = t[i];
        if (ch == '\\' && i + 1 < len) {
            char e = t[++i];
            if (e == 'n')
                ch = '\n';
            else if (e == 'r')
                ch = '\r';
            else if (e == 't')
                ch = '\t';
            else if (e == 'x' && i + 2 < len && hexval(t[i + 1]) >= 0 && hexval(t[i + 2]) >= 0) {
                ch = (char)(hexval(t[i + 1]) * 16 + hexval(t[i + 2]));
                i += 2;
            } else if (e == '\\' || e == '{' || e == '}')
                ch = e;
            else
                return cli_fmt("unknown escape \\%c", e);
        }
        buf_add(out, &ch, 1);
    }
    return NULL;
}

/* generate: NAME TEMPLATE -- writes work/NAME. The template is text with escapes, where
 * {file F} is the content of F (work directory first, then the sample) and {repeat N TEXT}
 * is TEXT (escapes allowed, no braces) N times. Returns NULL or an error. */
static char *generate(const char *work, const char *spec)
{
    while (*spec == ' ')
        spec++;
    const char *sp = strchr(spec, ' ');
    if (!sp)
        return cli_fmt("generate: no template after the file name");
    char *name = cli_fmt("%.*s", (int)(sp - spec), spec);
    const char *t = sp + 1;
    buf out = {0};
    char *err = NULL;
    buf_add(&out, "", 0);
    while (*t && !err) {
        const char *open = t;
        while (*open && !(*open == '{' && (open == t || open[-1] != '\\')))
            open++;
        err = unescape(t, (size_t)(open - t), &out);
        if (err || !*open)
            break;
        const char *close = strchr(open, '}');
        if (!close) {
            err = cli_fmt("generate: unclosed {");
            break;
        }
        char *inner = cli_fmt("%.*s", (int)(close - open - 1), open + 1);
        if (strncmp(inner, "file ", 5) == 0) {
            char *p = find_input(work, inner + 5);
            size_t n;
            char *content = p ? cli_slurp(p, &n) : NULL;
            if (!content)
                err = cli_fmt("generate: no file %s", inner + 5);
            else
                buf_add(&out, content, n);
            free(content);
            free(p);
        } else if (strncmp(inner, "repeat ", 7) == 0) {
            char *end;
            long count = strtol(inner + 7, &end, 10);
            buf unit = {0};
            buf_add(&unit, "", 0);
            if (count < 0 || *end != ' ')
                err = cli_fmt("generate: {repeat N TEXT} needs a count");
            else
                err = unescape(end + 1, strlen(end + 1), &unit);
            for (long k = 0; !err && k < count; k++)
                buf_add(&out, unit.b, unit.n);
            free(unit.b);
        } else {
            err = cli_fmt("generate: unknown {%s}", inner);
        }
        free(inner);
        t = close + 1;
    }
    if (!err) {
        char *p = cli_fmt("%s/%s", work, name);
        if (write_bytes(p, out.b, out.n) < 0)
            err = cli_fmt("generate: cannot write %s", p);
        free(p);
    }
    free(out.b);
    free(name);
    return err;
}

/* Runs the preparation directives of c in work; returns NULL or an error. */
static char *prepare(const bad_case *c, const char *work)
{
    DIR *d = opendir(c->dir);
    if (!d)
        return cli_fmt("cannot list %s", c->dir);
    struct dirent *e;
    char *err = NULL;
    while (!err && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "case") == 0)
            continue;
        char *from = cli_fmt("%s/%s", c->dir, e->d_name), *to = cli_fmt("%s/%s", work, e->d_name);
        if (copy_file(from, to) < 0)
            err = cli_fmt("cannot copy %s", from);
        free(from);
        free(to);
    }
    closedir(d);
    for (int i = 0; !err && i < c->prep.n; i++) {
        const char *p = c->prep.v[i];
        strv w = {0};
        if (strncmp(p, "generate ", 9) == 0) {
            err = generate(work, p + 9);
        } else if (strncmp(p, "copy ", 5) == 0) {
            split_words(p + 5, &w);
            for (int k = 0; !err && k < w.n; k++) {
                char *from = cli_fmt("%s/%s", SAMPLE_DIR, w.v[k]),
                     *to = cli_fmt("%s/%s", work, w.v[k]);
                if (copy_file(from, to) < 0)
                    err = cli_fmt("copy: cannot copy %s", from);
                free(from);
                free(to);
            }
        } else if (strncmp(p, "delete ", 7) == 0) {
            split_words(p + 7, &w);
            for (int k = 0; !err && k < w.n; k++) {
                char *q = cli_fmt("%s/%s", work, w.v[k]);
                if (remove(q) != 0)
                    err = cli_fmt("delete: cannot remove %s", q);
                free(q);
            }
        } else if (strncmp(p, "ogr2ogr ", 8) == 0) {
            split_words(p + 8, &w);
            char *argv[MAX_ARGS + 2];
            int n = 0;
            argv[n++] = (char *)"ogr2ogr";
            for (int k = 0; k < w.n && n < MAX_ARGS; k++) {
                /* ogr2ogr runs in the work directory, where the case's files are; files
                 * of the sample are named from the project root. */
                if (strncmp(w.v[k], SAMPLE_DIR "/", sizeof SAMPLE_DIR) == 0) {
                    char *s = realpath(w.v[k], NULL);
                    if (s) {
                        free(w.v[k]);
                        w.v[k] = s;
                    }
                }
                argv[n++] = w.v[k];
            }
            argv[n] = NULL;
            char *log = cli_fmt("%s/ogr2ogr.log", root);
            int st = cli_spawn(argv, log, log, (cli_limits){.cwd = work, .alarm_s = TIME_LIMIT});
            if (st != 0) {
                char *l = cli_slurp(log, NULL);
                err = cli_fmt("ogr2ogr failed (status %d): %s", st, l ? l : "");
                free(l);
            }
            free(log);
        }
        strv_free(&w);
    }
    return err;
}

/* ---- snapshots of --out ---- */

/* What is at a path: nothing, a file (its bytes) or a directory (its files' names and bytes). */
typedef struct snapshot {
    int kind;          /* 0 nothing, 1 file, 2 directory, 3 other */
    strv names;        /* for a directory: sorted names */
    char **data;       /* bytes of the file, or of each file of the directory */
    size_t *len;
} snapshot;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void snap(const char *path, snapshot *s)
{
    memset(s, 0, sizeof *s);
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISREG(st.st_mode)) {
        s->kind = 1;
        s->data = xalloc(sizeof *s->data);
        s->len = xalloc(sizeof *s->len);
        s->data[0] = cli_slurp(path, &s->len[0]);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        s->kind = 3;
        return;
    }
    s->kind = 2;
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            strv_add(&s->names, dupstr(e->d_name));
    if (d)
        closedir(d);
    if (s->names.n > 1)
        qsort(s->names.v, (size_t)s->names.n, sizeof *s->names.v, cmp_str);
    s->data = xalloc((size_t)s->names.n * sizeof *s->data);
    s->len = xalloc((size_t)s->names.n * sizeof *s->len);
    for (int i = 0; i < s->names.n; i++) {
        char *p = cli_fmt("%s/%s", path, s->names.v[i]);
        s->len[i] = 0;
        s->data[i] = cli_slurp(p, &s->len[i]);
        free(p);
    }
}

static void snap_free(snapshot *s)
{
    int n = s->kind == 1 ? 1 : s->kind == 2 ? s->names.n : 0;
    for (int i = 0; i < n; i++)
        free(s->data[i]);
    free(s->data);
    free(s->len);
    strv_free(&s->names);
}

/* NULL when a and b are the same, else what differs. */
static char *snap_diff(const snapshot *a, const snapshot *b)
{
    static const char *const kinds[] = {"nothing", "a file", "a directory", "something else"};
    if (a->kind != b->kind)
        return cli_fmt("it was %s and is now %s", kinds[a->kind], kinds[b->kind]);
    if (a->kind == 1 && (a->len[0] != b->len[0] || !a->data[0] || !b->data[0] ||
                         memcmp(a->data[0], b->data[0], a->len[0]) != 0))
        return cli_fmt("the file's bytes changed");
    if (a->kind != 2)
        return NULL;
    if (a->names.n != b->names.n)
        return cli_fmt("it held %d files and holds %d", a->names.n, b->names.n);
    for (int i = 0; i < a->names.n; i++) {
        if (strcmp(a->names.v[i], b->names.v[i]) != 0)
            return cli_fmt("file %s became %s", a->names.v[i], b->names.v[i]);
        if (a->len[i] != b->len[i] || !a->data[i] || !b->data[i] ||
            memcmp(a->data[i], b->data[i], a->len[i]) != 0)
            return cli_fmt("file %s changed", a->names.v[i]);
    }
    return NULL;
}

/* ---- join_issues.csv ---- */

/* 1 when some record of the CSV text has kind in its 4th field. */
static int csv_has_kind(const char *text, const char *kind)
{
    const char *p = text;
    /* skip the header */
    while (*p && *p != '\n')
        p++;
    if (*p)
        p++;
    while (*p) {
        int field = 0, found = 0;
        buf cell = {0};
        buf_add(&cell, "", 0);
        for (;;) {
            if (*p == '"') {
                p++;
                while (*p && !(*p == '"' && p[1] != '"')) {
                    if (*p == '"')
                        p++;
                    buf_add(&cell, p++, 1);
                }
                if (*p)
                    p++;
            }
            while (*p && *p != ',' && *p != '\n')
                buf_add(&cell, p++, 1);
            if (field == 3 && strcmp(cell.b, kind) == 0)
                found = 1;
            cell.n = 0;
            cell.b[0] = '\0';
            field++;
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '\n')
                p++;
            break;
        }
        free(cell.b);
        if (found)
            return 1;
    }
    return 0;
}

/* ---- running a case ---- */

/* Runs argv (argv[0] the program) under the time limit, its output through root/TAG.*. */
static cli_result run_program(char *const *argv, const char *tag)
{
    return cli_run_in(root, tag, (const char *const *)argv + 1,
                      (cli_limits){.alarm_s = TIME_LIMIT});
}

/* The sample job into out (for "out: previous"). */
static void sample_run(const char *out, const char *tag)
{
    char *argv[2 * NDEFAULTS + 5];
    int n = 0;
    argv[n++] = (char *)PROGRAM;
    argv[n++] = (char *)"run";
    for (int i = 0; i < NDEFAULTS; i++) {
        argv[n++] = (char *)default_inputs[i][0];
        argv[n++] = (char *)default_inputs[i][1];
    }
    argv[n++] = (char *)"--out";
    argv[n++] = (char *)out;
    argv[n] = NULL;
    cli_result r = run_program(argv, tag);
    if (r.status != 0)
        fail_msg("the sample job failed (status %d): %s", r.status, r.err);
    free(r.out);
    free(r.err);
}

static int option_in(const strv *a, const char *opt)
{
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->v[i], opt) == 0)
            return 1;
    return 0;
}

/* Temporary directories ".BASE.tmp-*" in dir. */
static char *leftovers(const char *dir, const char *base)
{
    char *prefix = cli_fmt(".%s.tmp-", base);
    DIR *d = opendir(dir);
    buf found = {0};
    buf_add(&found, "", 0);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            buf_add(&found, " ", 1);
            buf_add(&found, e->d_name, strlen(e->d_name));
        }
    if (d)
        closedir(d);
    free(prefix);
    if (found.n == 0) {
        free(found.b);
        return NULL;
    }
    return found.b;
}

/* Fails the test with reason, after printing the run (its command line and outputs). */
#define FAIL(ctx, ...)                                                                            \
    do {                                                                                          \
        printf("%s\n", ctx);                                                                      \
        fflush(stdout);                                                                           \
        fail_msg(__VA_ARGS__);                                                                    \
    } while (0)

static void run_case(void **state)
{
    const bad_case *c = *state;
    if (c->error)
        fail_msg("%s", c->error);
    char *work = cli_fmt("%s/%s", root, c->name);
    assert_int_equal(mkdir(work, 0755), 0);
    char *err = prepare(c, work);
    if (err)
        fail_msg("%s: preparing the case: %s", c->name, err);

    /* --out and what is there before the run. */
    char *out = cli_fmt("%s/out", work), *out_parent = dupstr(work);
    const char *kind = c->out_kind ? c->out_kind : "";
    if (strcmp(kind, "file") == 0) {
        assert_int_equal(write_bytes(out, "not a directory\n", 16), 0);
    } else if (strcmp(kind, "previous") == 0) {
        char *tag = cli_fmt("%s.previous", c->name);
        sample_run(out, tag);
        free(tag);
    } else if (strcmp(kind, "stale") == 0) {
        /* What a run killed before its end leaves: its temporary directory, half written. */
        char *tag = cli_fmt("%s.previous", c->name);
        sample_run(out, tag);
        free(tag);
        char *tmp = cli_fmt("%s/.out.tmp-Zx81Qa", work), *p = cli_fmt("%s/communes.geojson", tmp);
        assert_int_equal(mkdir(tmp, 0755), 0);
        assert_int_equal(write_bytes(p, "{\"type\": \"Feature", 18), 0);
        free(p);
        free(tmp);
    } else if (strcmp(kind, "foreign") == 0) {
        assert_int_equal(mkdir(out, 0755), 0);
        char *p = cli_fmt("%s/notes.txt", out);
        assert_int_equal(write_bytes(p, "precious\n", 9), 0);
        free(p);
    } else if (strcmp(kind, "unwritable") == 0) {
        /* Tests often run as root, whom permissions do not stop: /proc refuses everyone. */
        free(out);
        free(out_parent);
        if (geteuid() == 0) {
            out_parent = dupstr("/proc");
            out = dupstr("/proc/cptscov-bad-out");
        } else {
            out_parent = cli_fmt("%s/read-only", work);
            assert_int_equal(mkdir(out_parent, 0555), 0);
            out = cli_fmt("%s/out", out_parent);
        }
    } else if (strcmp(kind, "file-parent") == 0) {
        free(out_parent);
        out_parent = cli_fmt("%s/a-file", work);
        assert_int_equal(write_bytes(out_parent, "a file\n", 7), 0);
        free(out);
        out = cli_fmt("%s/out", out_parent);
    }
    snapshot before;
    snap(out, &before);

    /* The command line. */
    char *argv[MAX_ARGS + 2 * NDEFAULTS + 6];
    strv owned = {0};
    int n = 0;
    argv[n++] = (char *)PROGRAM;
    argv[n++] = (char *)"run";
    for (int i = 0; i < NDEFAULTS; i++)
        if (!option_in(&c->args, default_inputs[i][0]) && !option_in(&c->without, default_inputs[i][0])) {
            argv[n++] = (char *)default_inputs[i][0];
            argv[n++] = (char *)default_inputs[i][1];
        }
    for (int i = 0; i < c->args.n && n < MAX_ARGS; i++) {
        char *p = find_input(work, c->args.v[i]);
        if (p)
            strv_add(&owned, p);
        argv[n++] = p ? p : c->args.v[i];
    }
    argv[n++] = (char *)"--out";
    argv[n++] = out;
    argv[n] = NULL;

    cli_result r = run_program(argv, c->name);
    buf cmd = {0};
    buf_add(&cmd, "", 0);
    for (int i = 0; i < n; i++) {
        buf_add(&cmd, " ", i > 0);
        buf_add(&cmd, argv[i], strlen(argv[i]));
    }
    char *ctx = cli_fmt("%s (%s)\n  command: %s\n  stderr: %s\n  stdout: %s", c->name, c->about,
                        cmd.b, r.err, r.out);

    /* What is always required. */
    if (r.signal == SIGALRM)
        FAIL(ctx, "hangs: still running after %d s", TIME_LIMIT);
    if (r.signal)
        FAIL(ctx, "crashed: killed by signal %d (%s)", r.signal, strsignal(r.signal));
    if (r.status == 126 || r.status == 127)
        FAIL(ctx, "could not run %s (build it with make cptscov)", PROGRAM);
    if (r.status < 0 || r.status > 2)
        FAIL(ctx, "exit status %d: only 0, 1 and 2 are allowed", r.status);
    if (r.status != c->status)
        FAIL(ctx, "exit status %d, expected %d", r.status, c->status);
    size_t errlen = strlen(r.err);
    char *nl = strchr(r.err, '\n');
    if (r.status != 0) {
        if (errlen == 0 || nl != r.err + errlen - 1)
            FAIL(ctx, "the error is not exactly one line");
        if (strncmp(r.err, "cptscov: ", 9) != 0)
            FAIL(ctx, "the error does not start with \"cptscov: \"");
        if (r.out[0])
            FAIL(ctx, "an error run printed on stdout");
    } else if (errlen && (nl != r.err + errlen - 1 || strncmp(r.err, "cptscov: warning: ", 18) != 0)) {
        FAIL(ctx, "a successful run must print at most the one warning line on stderr");
    }
    for (int i = 0; i < c->err_words.n; i++)
        if (!strstr(r.err, c->err_words.v[i]))
            FAIL(ctx, "stderr lacks \"%s\"", c->err_words.v[i]);
    for (int i = 0; i < c->out_words.n; i++)
        if (!strstr(r.out, c->out_words.v[i]))
            FAIL(ctx, "stdout lacks \"%s\"", c->out_words.v[i]);

    /* --out: as before after an error, the whole output after a success. */
    snapshot after;
    snap(out, &after);
    if (r.status != 0) {
        char *diff = snap_diff(&before, &after);
        if (diff)
            FAIL(ctx, "the failed run changed --out %s: %s", out, diff);
    } else {
        if (after.kind != 2)
            FAIL(ctx, "--out %s is not a directory after success", out);
        if (after.names.n != NOUTPUTS)
            FAIL(ctx, "--out holds %d files, expected the %d outputs", after.names.n,
                     NOUTPUTS);
        for (int i = 0; i < NOUTPUTS; i++) {
            if (strcmp(after.names.v[i], output_files[i]) != 0)
                FAIL(ctx, "--out holds %s where %s was expected", after.names.v[i],
                         output_files[i]);
            if (after.len[i] == 0 && strcmp(output_files[i], "maps") != 0)  /* a directory */
                FAIL(ctx, "%s is empty", output_files[i]);
        }
        char *p = cli_fmt("%s/join_issues.csv", out);
        char *issues = cli_slurp(p, NULL);
        free(p);
        assert_non_null(issues);
        for (int i = 0; i < c->issues.n; i++)
            if (!csv_has_kind(issues, c->issues.v[i]))
                FAIL(ctx, "join_issues.csv has no issue of kind %s; it holds:\n%s",
                     c->issues.v[i], issues);
        free(issues);
    }
    char *base = strrchr(out, '/') + 1;
    char *left = leftovers(out_parent, base);
    if (left)
        FAIL(ctx, "temporary directories left beside --out:%s", left);

    snap_free(&before);
    snap_free(&after);
    free(ctx);
    free(cmd.b);
    free(r.out);
    free(r.err);
    strv_free(&owned);
    free(out);
    free(out_parent);
    cli_rm_tree(work);
    free(work);
}

/* tests/bad/README.md names every case. */
static void readme_lists_cases(void **state)
{
    const strv *names = *state;
    char *readme = cli_slurp(BAD_DIR "/README.md", NULL);
    if (!readme)
        fail_msg("cannot read %s/README.md", BAD_DIR);
    for (int i = 0; i < names->n; i++) {
        char *cell = cli_fmt("| %s |", names->v[i]);
        if (!strstr(readme, cell))
            fail_msg("%s/README.md has no row \"%s\" in its table of cases", BAD_DIR, cell);
        free(cell);
    }
    free(readme);
}

int main(void)
{
    if (cli_make_root(root, sizeof root, "test-bad") < 0) {
        perror("mkdtemp");
        return 1;
    }
    strv names = {0};
    DIR *d = opendir(BAD_DIR);
    if (!d) {
        fprintf(stderr, "test_bad: cannot list %s (run from the project root)\n", BAD_DIR);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *p = cli_fmt("%s/%s/case", BAD_DIR, e->d_name);
        if (cli_exists(p))
            strv_add(&names, dupstr(e->d_name));
        free(p);
    }
    closedir(d);
    if (names.n > 1)
        qsort(names.v, (size_t)names.n, sizeof *names.v, cmp_str);
    bad_case *cases = xalloc((size_t)names.n * sizeof *cases);
    struct CMUnitTest *tests = xalloc((size_t)(names.n + 1) * sizeof *tests);
    for (int i = 0; i < names.n; i++) {
        read_case(&cases[i], names.v[i]);
        tests[i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, &cases[i]};
    }
    tests[names.n] = (struct CMUnitTest){"README lists every case", readme_lists_cases, NULL, NULL,
                                         &names};
    int failed = _cmocka_run_group_tests("bad inputs", tests, (size_t)names.n + 1, NULL, NULL);
    if (failed == 0)
        cli_rm_tree(root);
    else
        fprintf(stderr, "test_bad: the work directories of the failed cases are in %s\n", root);
    for (int i = 0; i < names.n; i++)
        free_case(&cases[i]);
    free(cases);
    free(tests);
    strv_free(&names);
    return failed ? 1 : 0;
}
