/* test_numfmt.c -- numbers, percentages, dates and words for a reader, in French and English.
 * Grouping, decimal marks, rounding with carry, negatives, extremes, truncation, the words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "util/numfmt.h"

#define NN "\xE2\x80\xAF" /* U+202F, the French group separator */

static void test_parse_lang(void **state)
{
    (void)state;
    assert_int_equal(nfmt_parse_lang("fr"), LANG_FR);
    assert_int_equal(nfmt_parse_lang("FR"), LANG_FR);
    assert_int_equal(nfmt_parse_lang("en"), LANG_EN);
    assert_int_equal(nfmt_parse_lang("En"), LANG_EN);
    assert_int_equal(nfmt_parse_lang("de"), -1);
    assert_int_equal(nfmt_parse_lang(""), -1);
    assert_int_equal(nfmt_parse_lang("french"), -1);
    assert_int_equal(nfmt_parse_lang(NULL), -1);
}

static void check_int(report_lang lang, int64_t v, const char *want)
{
    char buf[64];
    assert_ptr_equal(nfmt_int(lang, v, buf, sizeof buf), buf);
    assert_string_equal(buf, want);
}

static void test_int(void **state)
{
    (void)state;
    check_int(LANG_FR, 48924, "48" NN "924");
    check_int(LANG_EN, 48924, "48,924");
    check_int(LANG_FR, 0, "0");
    check_int(LANG_EN, 7, "7");
    check_int(LANG_EN, 999, "999");
    check_int(LANG_EN, 1000, "1,000");
    check_int(LANG_FR, 100000, "100" NN "000");
    check_int(LANG_EN, 68373433, "68,373,433");
    check_int(LANG_FR, 68373433, "68" NN "373" NN "433");
    check_int(LANG_EN, -1, "-1");
    check_int(LANG_EN, -1234, "-1,234");
    check_int(LANG_FR, -123456, "-123" NN "456");
    check_int(LANG_EN, INT64_MAX, "9,223,372,036,854,775,807");
    check_int(LANG_EN, INT64_MIN, "-9,223,372,036,854,775,808");
    check_int(LANG_FR, INT64_MIN,
              "-9" NN "223" NN "372" NN "036" NN "854" NN "775" NN "808");
}

static void check_pct(report_lang lang, double v, int dec, const char *want)
{
    char buf[64];
    nfmt_pct(lang, v, dec, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_pct(void **state)
{
    (void)state;
    check_pct(LANG_FR, 69.7213, 1, "69,7" NN "%");
    check_pct(LANG_EN, 69.7213, 1, "69.7%");
    check_pct(LANG_FR, 69.95, 1, "70,0" NN "%");   /* the carry, never "69,10" */
    check_pct(LANG_EN, 69.95, 1, "70.0%");
    check_pct(LANG_EN, 99.96, 1, "100.0%");
    check_pct(LANG_EN, 9.999, 2, "10.00%");
    check_pct(LANG_FR, 100.0, 1, "100,0" NN "%");
    check_pct(LANG_FR, 0.0, 1, "0,0" NN "%");
    check_pct(LANG_EN, 12.5, 0, "12%");            /* printf rounds half to even: 12.5 -> 12 */
    check_pct(LANG_EN, 12.51, 0, "13%");
    check_pct(LANG_EN, -0.04, 1, "0.0%");          /* no "-0.0" */
    check_pct(LANG_EN, -3.25, 1, "-3.2%");
    check_pct(LANG_EN, 1234.5, 1, "1,234.5%");
}

static void check_real(report_lang lang, double v, int dec, const char *want)
{
    char buf[128];
    nfmt_real(lang, v, dec, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_real(void **state)
{
    (void)state;
    check_real(LANG_FR, 6839.07, 1, "6" NN "839,1");
    check_real(LANG_EN, 6839.07, 1, "6,839.1");
    check_real(LANG_EN, 999.96, 1, "1,000.0");     /* the carry adds a group */
    check_real(LANG_FR, 999999.5, 0, "1" NN "000" NN "000");
    check_real(LANG_EN, 0.004, 2, "0.00");
    check_real(LANG_EN, -0.004, 2, "0.00");
    check_real(LANG_EN, -1234567.891, 2, "-1,234,567.89");
    check_real(LANG_FR, -1234567.891, 2, "-1" NN "234" NN "567,89");
    check_real(LANG_EN, 3.0, 0, "3");
    check_real(LANG_EN, 2.5, -3, "2");             /* negative decimals: none */
    check_real(LANG_EN, 1.0, 20, "1.000000000");   /* at most 9 */
    check_real(LANG_EN, 1e15, 0, "1,000,000,000,000,000");
    check_real(LANG_EN, NAN, 1, "?");
    check_real(LANG_EN, INFINITY, 1, "\xE2\x88\x9E");
    char big[2000];
    nfmt_real(LANG_FR, 1.7e308, 2, big, sizeof big);
    assert_true(strlen(big) > 300);
    assert_non_null(strstr(big, ",00"));
}

static void check_date(report_lang lang, int ymd, const char *want)
{
    char buf[64];
    nfmt_date(lang, ymd, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_date(void **state)
{
    (void)state;
    check_date(LANG_FR, 20240416, "16 avril 2024");
    check_date(LANG_EN, 20240416, "16 April 2024");
    check_date(LANG_FR, 20240101, "1er janvier 2024");
    check_date(LANG_EN, 20240101, "1 January 2024");
    check_date(LANG_FR, 20231231, "31 d\xC3\xA9" "cembre 2023");
    check_date(LANG_FR, 20230815, "15 ao\xC3\xBBt 2023");
    check_date(LANG_FR, 20230201, "1er f\xC3\xA9vrier 2023");
    check_date(LANG_EN, 20230930, "30 September 2023");
    check_date(LANG_FR, 0, "");
    check_date(LANG_EN, 0, "");
    check_date(LANG_EN, 20241301, "20241301");     /* not a date: shown as it is */
    check_date(LANG_EN, 20240400, "20240400");
}

/* Truncation keeps a NUL and never cuts a UTF-8 character in two. */
static void test_truncation(void **state)
{
    (void)state;
    char buf[8];
    nfmt_int(LANG_EN, 1234567, buf, 6);
    assert_string_equal(buf, "1,234");
    nfmt_int(LANG_FR, 1234567, buf, 4);            /* "1" then 3 bytes of U+202F: cut before */
    assert_string_equal(buf, "1");
    nfmt_int(LANG_FR, 1234567, buf, 5);
    assert_string_equal(buf, "1" NN);
    nfmt_int(LANG_EN, 5, buf, 1);
    assert_string_equal(buf, "");
    buf[0] = 'x';
    nfmt_int(LANG_EN, 5, buf, 0);                  /* nothing written */
    assert_int_equal(buf[0], 'x');
    nfmt_date(LANG_FR, 20230815, buf, 7);          /* room for "15 ao" and half of û: cut before */
    assert_string_equal(buf, "15 ao");
    char more[64];
    nfmt_and_more(LANG_FR, 34912, more, sizeof more);
    assert_string_equal(more, "et 34" NN "912 autres");
    nfmt_and_more(LANG_EN, 34912, more, sizeof more);
    assert_string_equal(more, "and 34,912 more");
    char cap[32];
    assert_string_equal(nfmt_capital("département", cap, sizeof cap), "Département");
    assert_string_equal(nfmt_capital("évolution", cap, sizeof cap), "Évolution");
    assert_string_equal(nfmt_capital("à jour", cap, sizeof cap), "À jour");
    assert_string_equal(nfmt_capital("CPTS", cap, sizeof cap), "CPTS");
    assert_string_equal(nfmt_capital("÷x", cap, sizeof cap), "÷x");
    assert_string_equal(nfmt_capital("12 ans", cap, sizeof cap), "12 ans");
    assert_string_equal(nfmt_capital("", cap, sizeof cap), "");
    assert_string_equal(nfmt_capital(NULL, cap, sizeof cap), "");
    assert_string_equal(nfmt_capital("évolution", cap, 2), ""); /* é does not fit */
}

static void test_words(void **state)
{
    (void)state;
    assert_string_equal(nfmt_word(LANG_FR, "covered"), "couvert");
    assert_string_equal(nfmt_word(LANG_EN, "covered"), "covered");
    assert_string_equal(nfmt_word(LANG_FR, "department"), "d\xC3\xA9partement");
    assert_string_equal(nfmt_word(LANG_FR, "signed"), "sign\xC3\xA9" "e");
    assert_string_equal(nfmt_word(LANG_EN, "no such key"), "no such key");
    assert_string_equal(nfmt_word(LANG_EN, NULL), "");
    assert_false(nfmt_word_known("no such key"));
    /* Every key is found (the table is sorted, since lookup bisects), and has both words. */
    int n = 0, differ = 0;
    for (const char *k, *prev = NULL; (k = nfmt_word_key(n)) != NULL; prev = k, n++) {
        if (prev)
            assert_true(strcmp(prev, k) < 0);
        assert_true(nfmt_word_known(k));
        assert_true(nfmt_word(LANG_FR, k)[0] != '\0');
        assert_true(nfmt_word(LANG_EN, k)[0] != '\0');
        differ += strcmp(nfmt_word(LANG_FR, k), nfmt_word(LANG_EN, k)) != 0;
    }
    assert_true(n > 20);
    assert_true(differ > n / 2);
    assert_null(nfmt_word_key(-1));
    /* The status names of the commune table have words. */
    assert_true(nfmt_word_known("signed") && nfmt_word_known("project") &&
                nfmt_word_known("letter"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_lang), cmocka_unit_test(test_int),
        cmocka_unit_test(test_pct),        cmocka_unit_test(test_real),
        cmocka_unit_test(test_date),       cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
