/* diag.c -- errors for people, and the list of join issues.
 * Errors are recorded, not printed, where they happen: the caller unwinds (removing
 * half-written output) and main prints the one line. Join issues are kept in order found. */
#include "util/diag.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/strmap.h"
#include "util/util.h"

/* The errors of a job go to one context. Writers may fail on several threads at once: the
 * first error is kept whole. The scenarios of a batch each have a context of their own, so
 * that one's error neither hides nor takes the place of another's; a thread uses the context
 * set by diag_use (pool.c passes its caller's to its workers), the global one otherwise. */
static diag_context global_context = {PTHREAD_MUTEX_INITIALIZER, "", 0};
static _Thread_local diag_context *current;

static diag_context *ctx(void)
{
    return current ? current : &global_context;
}

void diag_context_init(diag_context *c)
{
    pthread_mutex_init(&c->lock, NULL);
    c->message[0] = '\0';
    c->has_message = 0;
}

void diag_context_free(diag_context *c)
{
    pthread_mutex_destroy(&c->lock);
}

diag_context *diag_current(void)
{
    return current;
}

void diag_use(diag_context *c)
{
    current = c;
}

int diag_error(const char *file, long line, const char *fmt, ...)
{
    diag_context *c = ctx();
    pthread_mutex_lock(&c->lock);
    char *message = c->message;
    size_t size = sizeof c->message;
    if (c->has_message) {
        pthread_mutex_unlock(&c->lock);
        return -1;
    }
    size_t n = 0;
    if (file && line > 0)
        n = (size_t)snprintf(message, size, "%s:%ld: ", file, line);
    else if (file)
        n = (size_t)snprintf(message, size, "%s: ", file);
    if (n >= size)
        n = size - 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message + n, size - n, fmt, ap);
    va_end(ap);
    /* One line, whatever came from the input. */
    for (char *p = message; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    c->has_message = 1;
    pthread_mutex_unlock(&c->lock);
    return -1;
}

const char *diag_message(void)
{
    diag_context *c = ctx();
    return c->has_message ? c->message : NULL;
}

void diag_clear(void)
{
    diag_context *c = ctx();
    c->has_message = 0;
    c->message[0] = '\0';
}

void diag_rename_path(const char *from, const char *to)
{
    diag_context *c = ctx();
    size_t flen = strlen(from);
    pthread_mutex_lock(&c->lock);
    if (c->has_message && flen > 0 && strstr(c->message, from)) {
        char out[sizeof c->message];
        size_t n = 0;
        for (const char *p = c->message; *p && n + 1 < sizeof out;) {
            if (strncmp(p, from, flen) == 0) {
                n += (size_t)snprintf(out + n, sizeof out - n, "%s", to);
                p += flen;
            } else {
                out[n++] = *p++;
            }
        }
        if (n >= sizeof out)
            n = sizeof out - 1;
        out[n] = '\0';
        memcpy(c->message, out, n + 1);
    }
    pthread_mutex_unlock(&c->lock);
}

void jis_init(join_issues *l)
{
    l->items = NULL;
    l->n = l->cap = 0;
}

void jis_free(join_issues *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->items[i].file);
        free(l->items[i].code);
        free(l->items[i].kind);
        free(l->items[i].message);
    }
    free(l->items);
    jis_init(l);
}

void jis_append(join_issues *to, const join_issues *from)
{
    for (int k = 0; k < from->n; k++) {
        const join_issue *it = &from->items[k];
        jis_add(to, it->file, it->line, it->code, it->kind, "%s", it->message);
    }
}

void jis_add(join_issues *l, const char *file, long line, const char *code, const char *kind,
             const char *fmt, ...)
{
    GROW(l->items, l->cap, l->n + 1);
    join_issue *it = &l->items[l->n++];
    it->file = xstrdup(file ? file : "");
    it->line = line;
    it->code = xstrdup(code ? code : "");
    it->kind = xstrdup(kind);
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    it->message = xmalloc((size_t)len + 1);
    va_start(ap, fmt);
    vsnprintf(it->message, (size_t)len + 1, fmt, ap);
    va_end(ap);
}

jis_kind *jis_count_kinds(const join_issues *l, int *nkinds)
{
    jis_kind *kinds = NULL;
    int nk = 0, cap = 0;
    strmap at; /* kind -> its index in kinds */
    smap_init(&at);
    for (int i = 0; i < l->n; i++) {
        const char *kind = l->items[i].kind;
        int k = smap_get(&at, kind);
        if (k < 0) {
            GROW(kinds, cap, nk + 1);
            k = nk++;
            kinds[k] = (jis_kind){kind, 0};
            smap_put(&at, kind, k);
        }
        kinds[k].count++;
    }
    smap_free(&at);
    *nkinds = nk;
    return kinds;
}

void jis_summary(const join_issues *l, char *buf, size_t size)
{
    int nk;
    jis_kind *kinds = jis_count_kinds(l, &nk);
    size_t n = (size_t)snprintf(buf, size, "%d join issue%s", l->n, l->n == 1 ? "" : "s");
    for (int k = 0; k < nk && n < size; k++)
        n += (size_t)snprintf(buf + n, size - n, "%s%d %s", k ? ", " : " (", kinds[k].count,
                              kinds[k].kind);
    if (nk && n < size)
        snprintf(buf + n, size - n, ")");
    free(kinds);
}
