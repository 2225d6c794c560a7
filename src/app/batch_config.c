/* batch_config.c -- the INI file of `cptscov batch`: one [inputs] section, many scenarios.
 * Keys are the options of `cptscov run` without "--", looked up in the options table.
 *
 * libinih parses the file. Debian's libinih 55 is built with INI_HANDLER_LINENO, but its
 * ini.h declares the handler without the line (the library's own default), so a handler
 * that took it would rely on a build flag the header does not tell. The lines are counted
 * here instead, by the reader given to ini_parse_stream: inih reads one line, parses it and
 * calls the handler before reading the next, so the count is the handler's line. The reader
 * also sees what this build of inih never passes to the handler: section headers (an empty
 * [scenario NAME], the national scenario with every default, is a scenario), and lines too
 * long for inih's buffer of INI_MAX_LINE bytes, which it would cut silently. */
#include "app/batch_config.h"

#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/util.h"

/* What the reader and the handler share while a file is parsed. */
typedef struct parse_state {
    batch_config *c;
    FILE *f;
    long line;               /* of the line inih is parsing */
    long error_line;         /* of the first error found here, 0 when none */
    int inputs_seen;
    long inputs_line;
    int stop;                /* an error: the reader ends the file */
} parse_state;

int bcfg_safe_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '.' || strncmp(name, "manifest.", 9) == 0)
        return 0; /* hidden, "..", or the manifest's own files */
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

static int fail(parse_state *st, const char *fmt, const char *a, const char *b)
{
    diag_error(st->c->path, st->line, fmt, a, b);
    if (!st->error_line)
        st->error_line = st->line;
    st->stop = 1;
    return 0;
}

/* A section header seen by the reader: [inputs] or [scenario NAME]. */
static void section(parse_state *st, const char *name)
{
    batch_config *c = st->c;
    if (strcmp(name, "inputs") == 0) {
        if (st->inputs_seen) {
            char first[32];
            snprintf(first, sizeof first, "%ld", st->inputs_line);
            fail(st, "a second [inputs] section (the first is at line %s%s); give one", first, "");
            return;
        }
        st->inputs_seen = 1;
        st->inputs_line = st->line;
        return;
    }
    if (strncmp(name, "scenario ", 9) != 0) {
        fail(st, "unknown section [%s]; use [inputs] or [scenario NAME]%s", name, "");
        return;
    }
    const char *sn = name + 9;
    while (*sn == ' ')
        sn++;
    if (!bcfg_safe_name(sn)) {
        fail(st, "scenario name \"%s\" cannot be a directory name; use 1 to 64 letters, digits, "
                 "'-', '_' or '.', not starting with '.' nor \"manifest.\"%s", sn, "");
        return;
    }
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->scenarios[i].name, sn) == 0) {
            char first[32];
            snprintf(first, sizeof first, "%ld", c->scenarios[i].line);
            fail(st, "scenario \"%s\" is already defined at line %s; give each a name of its own",
                 sn, first);
            return;
        }
    GROW(c->scenarios, c->cap, c->n + 1);
    batch_scenario *s = &c->scenarios[c->n++];
    memset(s, 0, sizeof *s);
    s->name = xstrdup(sn);
    s->line = st->line;
}

/* Gives inih one line, counting lines and noting section headers. */
static char *reader(char *str, int num, void *stream)
{
    parse_state *st = stream;
    if (st->stop || !fgets(str, num, st->f))
        return NULL;
    st->line++;
    size_t n = strlen(str);
    if (n == (size_t)num - 1 && str[n - 1] != '\n' && !feof(st->f)) {
        char max[32];
        snprintf(max, sizeof max, "%d", num - 2);
        fail(st, "line longer than %s characters%s; continue a list on indented lines below its "
                 "key", max, "");
        return NULL;
    }
    const char *p = str;
    if (st->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    p += strspn(p, " \t");
    if (*p == '[') {
        const char *end = strchr(p, ']');
        if (!end) {
            fail(st, "a section header needs its closing ]%s%s", "", "");
            return NULL;
        }
        char *name = xmalloc((size_t)(end - p));
        memcpy(name, p + 1, (size_t)(end - p - 1));
        name[end - p - 1] = '\0';
        section(st, name);
        free(name);
    }
    return str;
}

static int handler(void *user, const char *sect, const char *name, const char *value)
{
    parse_state *st = user;
    batch_config *c = st->c;
    if (st->stop)
        return 0;
    int rc;
    if (strcmp(sect, "inputs") == 0) {
        rc = opt_set_key(&c->inputs, name, value, OPT_INPUTS, c->dir, c->path, st->line);
    } else if (strncmp(sect, "scenario ", 9) == 0 && c->n > 0) {
        rc = opt_set_key(&c->scenarios[c->n - 1].options, name, value, OPT_SCENARIO, c->dir,
                         c->path, st->line);
    } else if (!sect[0]) {
        return fail(st, "\"%s\" comes before any section; put it under [inputs] or "
                        "[scenario NAME]%s", name, "");
    } else {
        return 0; /* a section already refused */
    }
    if (rc < 0) {
        if (!st->error_line)
            st->error_line = st->line;
        st->stop = 1;
        return 0;
    }
    return 1;
}

int bcfg_read(batch_config *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->path = xstrdup(path);
    char *copy = xstrdup(path);
    c->dir = xstrdup(dirname(copy));
    free(copy);
    parse_state st = {c, fopen(path, "rb"), 0, 0, 0, 0, 0};
    if (!st.f)
        return diag_error(path, 0, "cannot read: %s; give the batch's INI file", strerror(errno));
    int rc = ini_parse_stream(reader, &st, handler, &st);
    fclose(st.f);
    if (rc > 0 && (!st.error_line || rc < st.error_line)) {
        diag_clear();
        return diag_error(path, rc, "not a \"key = value\" line nor a [section]; comment it out "
                                    "with ';' or '#'");
    }
    if (st.error_line)
        return -1;
    if (rc != 0)
        return diag_error(path, 0, "cannot parse (out of memory)");
    if (!st.inputs_seen)
        return diag_error(path, 0, "no [inputs] section; give one with communes, population and "
                                   "members");
    const run_options *in = &c->inputs;
    const char *missing = in->communes.n == 0 ? "communes" : !in->population ? "population"
                          : !in->members ? "members" : NULL;
    if (missing)
        return diag_error(path, st.inputs_line, "[inputs] has no %s; it needs communes, "
                          "population and members", missing);
    if (c->n == 0)
        return diag_error(path, 0, "no [scenario NAME] section; give at least one");
    return 0;
}

void bcfg_free(batch_config *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->scenarios[i].name);
        opt_free(&c->scenarios[i].options);
    }
    free(c->scenarios);
    opt_free(&c->inputs);
    free(c->path);
    free(c->dir);
    memset(c, 0, sizeof *c);
}
