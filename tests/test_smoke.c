/* test_smoke.c -- the commune table and the hash map behind it.
 * The grid fixture must give the table it promises. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixtures.h"
#include "util/strmap.h"

static void test_grid_table(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 4, 3);
    assert_int_equal(t.ncommunes, 12);
    assert_int_equal(ctab_find_commune(&t, "35001"), 0);
    assert_int_equal(ctab_find_commune(&t, "35012"), 11);
    assert_int_equal(ctab_find_commune(&t, "35013"), -1);
    assert_int_equal(ctab_add_commune(&t, "35001"), -1);
    const char *codes[] = {"35002", "35001", "35002"};
    int k = fix_cpts(&t, "A", STATUS_SIGNED, 20240416, codes, 3);
    assert_int_equal(t.cpts[k].ncommunes, 2);
    assert_int_equal(t.cpts[k].communes[0], 0);
    assert_int_equal(t.communes[1].ncpts, 1);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_strmap_grows(void **state)
{
    (void)state;
    strmap m;
    smap_init(&m);
    char key[16];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(smap_put(&m, key, i), -1);
    }
    for (int i = 0; i < 100000; i += 7) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(smap_get(&m, key), i);
    }
    assert_int_equal(smap_get(&m, "absent"), -1);
    assert_int_equal(smap_put(&m, "k5", 9), 5);
    smap_free(&m);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_int_equal(ctab_parse_status(" Signed "), STATUS_SIGNED);
    assert_int_equal(ctab_parse_status("project"), STATUS_PROJECT);
    assert_int_equal(ctab_parse_status("LETTER"), STATUS_LETTER);
    assert_int_equal(ctab_parse_status("signé"), -1);
    assert_int_equal(ctab_parse_status(""), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_table),
        cmocka_unit_test(test_strmap_grows),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
