/* test_fields.c -- the meaning of one cell: codes, departments, regions, populations, dates.
 * Every repair fields.h promises is made, and everything else is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "analyse/scope.h"
#include "model/fields.h"
#include "util/diag.h"

/* fld_code(raw) must return want, and, unless invalid, give the code expect. */
static void check_code(const char *raw, int want, const char *expect)
{
    commune_code out = "";
    int r = fld_code(raw, FLD_INSEE_CODES, out);
    if (r != want)
        fail_msg("fld_code(\"%s\") returned %d, expected %d", raw, r, want);
    if (want != FLD_INVALID)
        assert_string_equal(out, expect);
}

static void test_code_valid(void **state)
{
    (void)state;
    check_code("35238", FLD_OK, "35238");
    check_code("2A004", FLD_OK, "2A004");
    check_code("2B033", FLD_OK, "2B033");
    check_code("97101", FLD_OK, "97101");
    check_code("00000", FLD_OK, "00000");
}

static void test_code_repaired(void **state)
{
    (void)state;
    check_code("1001", FLD_REPAIRED, "01001");
    check_code(" 35238 ", FLD_REPAIRED, "35238");
    check_code("35 238", FLD_REPAIRED, "35238");
    check_code("35\xC2\xA0" "238", FLD_REPAIRED, "35238");       /* no-break space */
    check_code("35\xE2\x80\xAF" "238", FLD_REPAIRED, "35238");   /* narrow no-break space */
    check_code("2a004", FLD_REPAIRED, "2A004");
    check_code("2b033", FLD_REPAIRED, "2B033");
    check_code("35238.0", FLD_REPAIRED, "35238");
    check_code("1001.0", FLD_REPAIRED, "01001");
    check_code("'01001", FLD_REPAIRED, "01001");
    check_code("'1001", FLD_REPAIRED, "01001");
    check_code("\t35238\r", FLD_REPAIRED, "35238");
}

static void test_code_invalid(void **state)
{
    (void)state;
    char longest[101];
    memset(longest, '1', 100);
    longest[100] = '\0';
    const char *bad[] = {"",      "123",   "123456", "ABCDE",  "2C004", "35-23",
                         "2A04",  "2AB04", "   ",    ".0",     "35238.5", "35238.00",
                         "''01001", "1001a", "35\xC2" "238", "\xC2\xA0", longest};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_code(bad[i], FLD_INVALID, NULL);
}

static void check_area(int (*f)(const char *, fld_codes, char[4]), const char *name,
                       const char *raw, int want, const char *expect)
{
    char out[4] = "";
    int r = f(raw, FLD_INSEE_CODES, out);
    if (r != want)
        fail_msg("%s(\"%s\") returned %d, expected %d", name, raw, r, want);
    if (want != FLD_INVALID)
        assert_string_equal(out, expect);
}

static void test_department(void **state)
{
    (void)state;
    check_area(fld_department, "fld_department", "35", FLD_OK, "35");
    check_area(fld_department, "fld_department", "01", FLD_OK, "01");
    check_area(fld_department, "fld_department", "2A", FLD_OK, "2A");
    check_area(fld_department, "fld_department", "2B", FLD_OK, "2B");
    check_area(fld_department, "fld_department", "971", FLD_OK, "971");
    check_area(fld_department, "fld_department", "975", FLD_OK, "975");
    check_area(fld_department, "fld_department", "1", FLD_REPAIRED, "01");
    check_area(fld_department, "fld_department", "2a", FLD_REPAIRED, "2A");
    check_area(fld_department, "fld_department", " 35 ", FLD_REPAIRED, "35");
    const char *bad[] = {"", "100", "2C", "961", "3A", "9711", "A", "35.0", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_area(fld_department, "fld_department", bad[i], FLD_INVALID, NULL);
}

static void test_region(void **state)
{
    (void)state;
    check_area(fld_region, "fld_region", "53", FLD_OK, "53");
    check_area(fld_region, "fld_region", "01", FLD_OK, "01");
    check_area(fld_region, "fld_region", "1", FLD_REPAIRED, "01");
    check_area(fld_region, "fld_region", "975", FLD_OK, "975");
    check_area(fld_region, "fld_region", " 53", FLD_REPAIRED, "53");
    const char *bad[] = {"", "5a", "1234", "153", "2A", "-1", " "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_area(fld_region, "fld_region", bad[i], FLD_INVALID, NULL);
}

static void check_population(const char *raw, int want, int64_t expect)
{
    int64_t v = -7;
    int r = fld_population(raw, &v);
    if (r != want)
        fail_msg("fld_population(\"%s\") returned %d, expected %d", raw, r, want);
    if (want == FLD_OK)
        assert_true(v == expect);
    else
        assert_true(v == -7);  /* left alone */
}

static void test_population(void **state)
{
    (void)state;
    check_population("0", FLD_OK, 0);
    check_population("123", FLD_OK, 123);
    check_population(" 42 ", FLD_OK, 42);
    check_population("007", FLD_OK, 7);
    check_population("9223372036854775807", FLD_OK, INT64_MAX);
    const char *bad[] = {"-1", "+1", "1.5", "1e3", "12a", "", " ", "9223372036854775808",
                         "99999999999999999999", "1 000", "0x10", "-0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_population(bad[i], FLD_INVALID, 0);
}

static void check_date(const char *raw, int want, int expect)
{
    int v = -7;
    int r = fld_date(raw, &v);
    if (r != want)
        fail_msg("fld_date(\"%s\") returned %d, expected %d", raw, r, want);
    if (want == FLD_OK)
        assert_int_equal(v, expect);
}

static void test_date(void **state)
{
    (void)state;
    check_date("2024-04-16", FLD_OK, 20240416);
    check_date("2024-02-29", FLD_OK, 20240229);
    check_date("2000-02-29", FLD_OK, 20000229);
    check_date("1900-01-01", FLD_OK, 19000101);
    check_date("2023-12-31", FLD_OK, 20231231);
    check_date(" 2024-04-16 ", FLD_OK, 20240416);
    check_date("", FLD_OK, 0);
    check_date("  ", FLD_OK, 0);
    const char *bad[] = {"2023-02-30", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10",
                         "2024-04-31", "2024-04-00", "24-04-16",   "16/04/2024", "2024-4-16",
                         "1899-12-31", "2024/04/16", "2024-04-16T00:00", "abcd-ef-gh"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_date(bad[i], FLD_INVALID, 0);
}

static void test_format_date(void **state)
{
    (void)state;
    char buf[11];
    fld_format_date(20240416, buf);
    assert_string_equal(buf, "2024-04-16");
    fld_format_date(19000101, buf);
    assert_string_equal(buf, "1900-01-01");
    fld_format_date(0, buf);
    assert_string_equal(buf, "");
    /* Round trip. */
    int v = 0;
    assert_int_equal(fld_date("2024-02-29", &v), FLD_OK);
    fld_format_date(v, buf);
    assert_string_equal(buf, "2024-02-29");
}

/* --free-codes: any identifier, nothing repaired, INSEE's rules off. */
static void test_free_codes(void **state)
{
    (void)state;
    commune_code c;
    char d[4];
    assert_int_equal(fld_code(" 012345 ", FLD_FREE_CODES, c), FLD_OK);
    assert_string_equal(c, "012345");
    assert_int_equal(fld_code("A-b_9", FLD_FREE_CODES, c), FLD_OK);
    assert_string_equal(c, "A-b_9");
    assert_int_equal(fld_code("1001", FLD_FREE_CODES, c), FLD_OK); /* not repaired */
    assert_string_equal(c, "1001");
    assert_int_equal(fld_code("123456789012345", FLD_FREE_CODES, c), FLD_OK);
    assert_int_equal(fld_code("1234567890123456", FLD_FREE_CODES, c), FLD_INVALID);
    assert_int_equal(fld_code("", FLD_FREE_CODES, c), FLD_INVALID);
    assert_int_equal(fld_code("a b", FLD_FREE_CODES, c), FLD_INVALID);
    assert_int_equal(fld_code("é", FLD_FREE_CODES, c), FLD_INVALID);
    assert_int_equal(fld_department("123", FLD_FREE_CODES, d), FLD_OK);
    assert_int_equal(fld_department("1234", FLD_FREE_CODES, d), FLD_INVALID);
    assert_int_equal(fld_region("R7", FLD_FREE_CODES, d), FLD_OK);
    assert_int_equal(fld_code("012345", FLD_INSEE_CODES, c), FLD_INVALID);
    assert_int_equal(fld_code("1001", FLD_INSEE_CODES, c), FLD_REPAIRED);
}

/* --scope reads its codes by the rules the inputs were read by: a free department code is a
 * scope with --free-codes, not one by INSEE's rules (cptscov run checked it by INSEE's). */
static void test_scope_follows_the_code_rules(void **state)
{
    (void)state;
    diag_clear();
    assert_int_equal(scope_check("dep:X0", FLD_INSEE_CODES), -1);
    assert_non_null(diag_message());
    diag_clear();
    assert_int_equal(scope_check("dep:X0", FLD_FREE_CODES), 0);
    assert_int_equal(scope_check("region:R7,R8", FLD_FREE_CODES), 0);
    assert_int_equal(scope_check("dep:35,22", FLD_INSEE_CODES), 0);
    diag_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scope_follows_the_code_rules),
        cmocka_unit_test(test_free_codes),
        cmocka_unit_test(test_code_valid),
        cmocka_unit_test(test_code_repaired),
        cmocka_unit_test(test_code_invalid),
        cmocka_unit_test(test_department),
        cmocka_unit_test(test_region),
        cmocka_unit_test(test_population),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_format_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
