/* test_diag.c -- the list of join issues counted by kind, and the one line that sums it up.
 * Every kind is counted, however many there are, in the order it first appears. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/util.h"

/* More kinds than any fixed table of 64 held: kind_099 first, then down to kind_000, kind k
 * given k + 1 issues, interleaved so that a kind comes back after others. */
#define NKINDS 100

static void fill(join_issues *l)
{
    jis_init(l);
    for (int round = 0; round < NKINDS; round++)
        for (int k = NKINDS - 1; k >= 0; k--)
            if (round <= k) {
                char kind[32];
                snprintf(kind, sizeof kind, "kind_%03d", k);
                jis_add(l, "members.csv", round + 1, "35001", kind, "issue %d of %s", round, kind);
            }
}

static void test_count_kinds_past_64(void **state)
{
    (void)state;
    join_issues l;
    fill(&l);
    int nk = -1;
    jis_kind *kinds = jis_count_kinds(&l, &nk);
    assert_int_equal(nk, NKINDS);
    int total = 0;
    for (int i = 0; i < nk; i++) {
        int k = NKINDS - 1 - i; /* first seen first */
        char kind[32];
        snprintf(kind, sizeof kind, "kind_%03d", k);
        assert_string_equal(kinds[i].kind, kind);
        assert_int_equal(kinds[i].count, k + 1);
        total += kinds[i].count;
    }
    assert_int_equal(total, l.n);
    free(kinds);
    jis_free(&l);
}

static void test_count_kinds_none(void **state)
{
    (void)state;
    join_issues l;
    jis_init(&l);
    int nk = -1;
    jis_kind *kinds = jis_count_kinds(&l, &nk);
    assert_int_equal(nk, 0);
    free(kinds);
    char buf[64];
    jis_summary(&l, buf, sizeof buf);
    assert_string_equal(buf, "0 join issues");
}

static void test_summary_every_kind(void **state)
{
    (void)state;
    join_issues l;
    fill(&l);
    char buf[4096];
    jis_summary(&l, buf, sizeof buf);
    char *head = xasprintf("%d join issues (100 kind_099, 99 kind_098, ", l.n);
    assert_memory_equal(buf, head, strlen(head));
    free(head);
    assert_non_null(strstr(buf, ", 36 kind_035, 35 kind_034, "));
    const char *tail = ", 2 kind_001, 1 kind_000)";
    assert_string_equal(buf + strlen(buf) - strlen(tail), tail);
    jis_free(&l);

    jis_init(&l);
    jis_add(&l, "passage.csv", 0, "", "repaired_code", "code repaired");
    jis_summary(&l, buf, sizeof buf);
    assert_string_equal(buf, "1 join issue (1 repaired_code)");
    jis_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_kinds_past_64),
        cmocka_unit_test(test_count_kinds_none),
        cmocka_unit_test(test_summary_every_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
