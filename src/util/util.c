/* util.c -- allocation that cannot return NULL, and small string helpers.
 * Every module allocates through these so that no caller has to test for NULL. */
#include "util/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static void out_of_memory(void)
{
    fputs("cptscov: out of memory; free memory or run on fewer inputs\n", stderr);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xzeroed(size_t n, size_t size)
{
    n = n ? n : 1;
    size = size ? size : 1;
    if (n > (size_t)-1 / size)
        out_of_memory();
    return memset(xmalloc(n * size), 0, n * size);
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* jemalloc's control interface, present when the program is linked with it (the program is;
 * the test, sanitizer and fuzz builds use libc's malloc, which malloc_trim serves). */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));

void mem_hold(int on)
{
    if (!mallctl)
        return;
    ssize_t ms = -1; /* never */
    size_t len = sizeof ms;
    if (!on && mallctl("arenas.dirty_decay_ms", &ms, &len, NULL, 0) != 0) /* the default */
        return;
    mallctl("arena.0.dirty_decay_ms", NULL, NULL, &ms, sizeof ms);
}

void mem_release(void)
{
    if (mallctl)
        mallctl("arena.4096.purge", NULL, NULL, NULL, 0); /* 4096: MALLCTL_ARENAS_ALL */
    else
        malloc_trim(0);
}

void grow_array(void **array, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return;
    int n = *cap ? *cap : 4;
    while (n < need)
        n *= 2;
    *array = xrealloc(*array, (size_t)n * elem);
    *cap = n;
}

char *str_trim_dup(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *r = xmalloc(n + 1);
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

int str_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

char *str_put_int(char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        *p++ = '-';
        u = (uint64_t)0 - u;
    }
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        *p++ = tmp[--n];
    return p;
}

char *str_int_key(char *key, int n, const char *s)
{
    char *p = str_put_int(key, n);
    *p++ = ':';
    strcpy(p, s);
    return key;
}
