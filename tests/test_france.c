/* test_france.c -- the names of the departments and regions of the 2025 COG.
 * Every department code has its name; unknown codes have none. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model/france.h"

static void test_some_names(void **state)
{
    (void)state;
    assert_string_equal(fr_department_name("01"), "Ain");
    assert_string_equal(fr_department_name("2A"), "Corse-du-Sud");
    assert_string_equal(fr_department_name("2B"), "Haute-Corse");
    assert_string_equal(fr_department_name("13"), "Bouches-du-Rhône");
    assert_string_equal(fr_department_name("21"), "Côte-d'Or");
    assert_string_equal(fr_department_name("35"), "Ille-et-Vilaine");
    assert_string_equal(fr_department_name("90"), "Territoire de Belfort");
    assert_string_equal(fr_department_name("95"), "Val-d'Oise");
    assert_string_equal(fr_department_name("974"), "La Réunion");
    assert_string_equal(fr_department_name("976"), "Mayotte");
    assert_string_equal(fr_region_name("01"), "Guadeloupe");
    assert_string_equal(fr_region_name("11"), "Île-de-France");
    assert_string_equal(fr_region_name("53"), "Bretagne");
    assert_string_equal(fr_region_name("93"), "Provence-Alpes-Côte d'Azur");
    assert_string_equal(fr_region_name("94"), "Corse");
}

static void test_all_departments(void **state)
{
    (void)state;
    char code[4];
    int found = 0;
    for (int d = 1; d <= 95; d++) {
        if (d == 20) {
            assert_null(fr_department_name("20"));
            continue;
        }
        snprintf(code, sizeof code, "%02d", d);
        const char *name = fr_department_name(code);
        assert_non_null(name);
        assert_true(strlen(name) > 0);
        found++;
    }
    const char *others[] = {"2A", "2B", "971", "972", "973", "974", "976"};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
        assert_non_null(fr_department_name(others[k]));
        found++;
    }
    assert_int_equal(found, 101);
}

static void test_all_regions(void **state)
{
    (void)state;
    const char *codes[] = {"01", "02", "03", "04", "06", "11", "24", "27", "28",
                           "32", "44", "52", "53", "75", "76", "84", "93", "94"};
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++)
        assert_non_null(fr_region_name(codes[k]));
}

static void test_unknown_codes(void **state)
{
    (void)state;
    const char *deps[] = {"", "0", "00", "1", "035", "35 ", "20", "96", "97", "975", "977", "978", "99", "2C"};
    for (size_t k = 0; k < sizeof deps / sizeof deps[0]; k++)
        assert_null(fr_department_name(deps[k]));
    assert_null(fr_department_name(NULL));
    const char *regs[] = {"", "05", "12", "35", "99", "053"};
    for (size_t k = 0; k < sizeof regs / sizeof regs[0]; k++)
        assert_null(fr_region_name(regs[k]));
    assert_null(fr_region_name(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_some_names),
        cmocka_unit_test(test_all_departments),
        cmocka_unit_test(test_all_regions),
        cmocka_unit_test(test_unknown_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
