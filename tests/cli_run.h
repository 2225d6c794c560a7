/* cli_run.h -- running programs from a test (cptscov itself, or a tool): exit status, stdout
 * and stderr captured in files; and the file helpers the tests that run them share.
 *
 * The tests that run the built ./cptscov as a user does (test_cli, test_batch, test_bad,
 * test_interrupt, test_formats, test_report_html) each had their own copy of these; one copy
 * keeps them alike: $CPTSCOV_BIN honoured everywhere (make check-asan), the same limits
 * (a run that hangs dies of SIGALRM; a file size limit makes a write fail mid-way), the same
 * handling of a child killed by a signal. Every function is static inline, as in fixtures.h,
 * so that a test uses what it needs without warnings for the rest. */
#ifndef CPTSCOV_TEST_CLI_RUN_H
#define CPTSCOV_TEST_CLI_RUN_H

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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The sample's inputs in dir ("geodata": tests run from the project root), as arguments of
 * `cptscov run`. */
#define CLI_SAMPLE_ARGS(dir)                                                                   \
    "--communes", dir "/communes.shp", "--population", dir "/population.csv", "--passage",    \
        dir "/passage.csv", "--members", dir "/members.csv", "--epci", dir "/epci.csv"

#define CLI_MAX_ARGS 128

/* The program under test: ./cptscov, or $CPTSCOV_BIN (make check-asan runs its sanitized build). */
static inline const char *cli_program(void)
{
    const char *p = getenv("CPTSCOV_BIN");
    return p && p[0] ? p : "./cptscov";
}

/* A string made as printf would print it, malloc'd. */
static inline char *cli_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static inline char *cli_fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    int n = vasprintf(&s, f, ap);
    va_end(ap);
    assert_true(n >= 0);
    return s;
}

/* dir/name, malloc'd. */
static inline char *cli_path(const char *dir, const char *name)
{
    return cli_fmt("%s/%s", dir, name);
}

/* The whole file, NUL-terminated (*len its size when len is not NULL), or NULL when it cannot
 * be read. */
static inline char *cli_slurp(const char *path, size_t *len)
{
    if (len)
        *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, k;
    char *b = malloc(cap);
    assert_non_null(b);
    while ((k = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            b = realloc(b, cap *= 2);
            assert_non_null(b);
        }
    }
    fclose(f);
    b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

/* Fails the test unless files a and b both exist and are the same bytes. */
static inline void cli_same_bytes(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *ta = cli_slurp(a, &na), *tb = cli_slurp(b, &nb);
    if (!ta || !tb)
        fail_msg("%s is missing", ta ? b : a);
    if (na != nb || memcmp(ta, tb, na) != 0)
        fail_msg("%s and %s differ", a, b);
    free(ta);
    free(tb);
}

/* Writes text as the whole of file path. */
static inline void cli_spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* 1 when path names something (a dangling link included). */
static inline int cli_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static inline int cli_remove_entry(const char *p, const struct stat *st, int flag,
                                   struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

/* Removes path and everything below it; links are removed, never followed. */
static inline void cli_rm_tree(const char *path)
{
    if (cli_exists(path))
        nftw(path, cli_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Makes a new directory "cptscov-NAME-XXXXXX" under $TMPDIR (or /tmp) into dir (size bytes).
 * Returns 0, or -1 (for a cmocka setup). */
static inline int cli_make_root(char *dir, size_t size, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/cptscov-%s-XXXXXX", tmp && tmp[0] ? tmp : "/tmp", name);
    return mkdtemp(dir) ? 0 : -1;
}

/* Names of the entries of dir whose name starts with prefix ("" for all), "." and ".." left
 * out. */
static inline int cli_count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

/* Occurrences of needle in s. */
static inline int cli_count(const char *s, const char *needle)
{
    int n = 0;
    size_t k = strlen(needle);
    for (const char *p = strstr(s, needle); p && k; p = strstr(p + k, needle))
        n++;
    return n;
}

/* ---- running a child ---- */

/* How a child runs; {0} for none of it. */
typedef struct cli_limits {
    const char *cwd;   /* the directory it runs in (NULL: this one) */
    unsigned alarm_s;  /* seconds after which it dies of SIGALRM, kept across exec (0: never) */
    long fsize;        /* bytes a file of it may reach, writes past that fail (0: no limit) */
} cli_limits;

/* Starts argv (argv[0] looked up in PATH when it has no '/'), its stdout to file out and its
 * stderr to file err (NULL: /dev/null; out and err the same path: both to one file).
 * Returns its pid. */
static inline pid_t cli_start(char *const argv[], const char *out, const char *err,
                              cli_limits lim)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid != 0)
        return pid;
    int fo = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = out && err && strcmp(out, err) == 0
                 ? dup(fo)
                 : open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
        _exit(126);
    close(fo);
    close(fe);
    if (lim.cwd && chdir(lim.cwd) != 0)
        _exit(126);
    if (lim.fsize > 0) {
        signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG instead */
        struct rlimit rl = {(rlim_t)lim.fsize, (rlim_t)lim.fsize};
        setrlimit(RLIMIT_FSIZE, &rl);
    }
    if (lim.alarm_s)
        alarm(lim.alarm_s);
    execvp(argv[0], argv);
    _exit(127);
}

/* Waits for pid: its exit status, or -1 when a signal ended it (*sig the signal, 0 when it
 * exited; sig may be NULL). */
static inline int cli_wait(pid_t pid, int *sig)
{
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0)
        assert_int_equal(errno, EINTR);
    if (sig)
        *sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* Runs argv to its end (see cli_start); its exit status, or -1 after a signal. */
static inline int cli_spawn(char *const argv[], const char *out, const char *err,
                            cli_limits lim)
{
    return cli_wait(cli_start(argv, out, err, lim), NULL);
}

/* What one run of the program did. */
typedef struct cli_result {
    int status;   /* exit status; -1 when a signal ended it */
    int signal;   /* that signal, or 0 */
    char *out;    /* stdout */
    char *err;    /* stderr */
} cli_result;

/* Runs cptscov with args (NULL-terminated, without the program), its stdout and stderr
 * through the files dir/TAG.stdout and dir/TAG.stderr. */
static inline cli_result cli_run_in(const char *dir, const char *tag, const char *const *args,
                                    cli_limits lim)
{
    char *argv[CLI_MAX_ARGS + 2];
    int n = 0;
    argv[n++] = (char *)cli_program();
    for (; *args; args++) {
        assert_true(n <= CLI_MAX_ARGS);
        argv[n++] = (char *)*args;
    }
    argv[n] = NULL;
    char *out = cli_fmt("%s/%s.stdout", dir, tag), *err = cli_fmt("%s/%s.stderr", dir, tag);
    cli_result r = {0, 0, NULL, NULL};
    r.status = cli_wait(cli_start(argv, out, err, lim), &r.signal);
    r.out = cli_slurp(out, NULL);
    r.err = cli_slurp(err, NULL);
    assert_non_null(r.out);
    assert_non_null(r.err);
    free(out);
    free(err);
    return r;
}

/* Runs cptscov with the given arguments, NULL-terminated, its output through files in dir. */
static inline cli_result cli_run(const char *dir, const char *first, ...)
{
    const char *args[CLI_MAX_ARGS + 1];
    int n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        assert_true(n < CLI_MAX_ARGS);
        args[n++] = a;
    }
    va_end(ap);
    args[n] = NULL;
    return cli_run_in(dir, "run", args, (cli_limits){0});
}

static inline void cli_result_free(cli_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

#endif
