/* numfmt.h -- numbers, percentages and dates written for a reader, in French or English.
 * The report and its maps use it; the CSV tables and GeoJSON keep machine formats. */
#ifndef CPTSCOV_NUMFMT_H
#define CPTSCOV_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

typedef enum report_lang { LANG_FR = 0, LANG_EN = 1 } report_lang;

/* "fr" or "en" (any case); -1 when neither. */
int nfmt_parse_lang(const char *s);

/* 48924 -> "48 924" (fr, U+202F narrow no-break space between groups) or "48,924" (en).
 * Always NUL-terminated; truncates to n-1 bytes. Returns buf. */
char *nfmt_int(report_lang lang, int64_t v, char *buf, size_t n);
/* 69.7213 with 1 decimal -> "69,7 %" (fr, U+202F before %) or "69.7%" (en). */
char *nfmt_pct(report_lang lang, double pct, int decimals, char *buf, size_t n);
/* 6839.07 with 1 decimal -> "6 839,1" (fr) or "6,839.1" (en). */
char *nfmt_real(report_lang lang, double v, int decimals, char *buf, size_t n);
/* 20240416 -> "16 avril 2024" (fr) or "16 April 2024" (en); "" for 0. */
char *nfmt_date(report_lang lang, int yyyymmdd, char *buf, size_t n);

/* The few words of the report: nfmt_word(lang, "covered") -> "couvert" / "covered".
 * Unknown keys come back as the key itself, so a missing translation shows, never crashes. */
const char *nfmt_word(report_lang lang, const char *key);
/* 1 when key has a translation. */
int nfmt_word_known(const char *key);
/* The i-th key of the table (in order), or NULL past its end: for tests and checks. */
const char *nfmt_word_key(int i);
/* s with its first letter capitalised (ASCII and the Latin-1 letters: "évolution" ->
 * "Évolution"), for words that start a sentence or a column. */
char *nfmt_capital(const char *s, char *buf, size_t n);
/* The end of a cut list: "et 34 912 autres" (fr) or "and 34,912 more" (en). */
char *nfmt_and_more(report_lang lang, int64_t count, char *buf, size_t n);

#endif
