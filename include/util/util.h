/* util.h -- allocation that cannot return NULL, and small string helpers.
 * Out of memory is the one error cptscov does not recover from: it says so and exits 1. */
#ifndef CPTSCOV_UTIL_H
#define CPTSCOV_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* n zeroed elements of size, zeroed by writing them: for a hash table that is read (probed)
 * before it is written. Fresh pages from calloc are the shared zero page until written, so
 * each would fault twice, the second time flushing the TLB of every core running one of our
 * threads (an interrupt each, costly in a virtual machine). */
void *xzeroed(size_t n, size_t size);
char *xstrdup(const char *s);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *array (of *cap elements of size elem) so that it holds at least need elements. */
void grow_array(void **array, int *cap, int need, size_t elem);
#define GROW(arr, cap, need) grow_array((void **)&(arr), &(cap), (need), sizeof *(arr))

/* Gives the memory freed so far back to the system, after a large free (the commune polygons,
 * once the arcs hold them): the allocator keeps freed pages for a while otherwise, and the
 * peak memory of the national job counts them. */
void mem_release(void);

/* With on, keeps the memory freed from here for the allocations that follow, until
 * mem_hold(0) or mem_release: jemalloc otherwise returns freed pages to the system on a
 * timer, and the next large array is then zeroed afresh by the kernel. */
void mem_hold(int on);

/* Copies s without leading and trailing blanks into a new string. */
char *str_trim_dup(const char *s);
/* 1 when a and b are equal ignoring ASCII case. */
int str_ieq(const char *a, const char *b);
/* Writes the decimal digits of v (a '-' first when negative) at p, no NUL; returns the end
 * (at most 20 characters): the writers' integers, by the million, without printf. */
char *str_put_int(char *p, int64_t v);
/* Writes "N:S" at key (room for strlen(s) + 13 bytes) and returns key: the keys of the
 * string maps that tell an entry of a numbered list (a layer, a CPTS) seen twice. snprintf
 * took 1 300 instructions for each of the 60 000 of the national job. */
char *str_int_key(char *key, int n, const char *s);

#endif
