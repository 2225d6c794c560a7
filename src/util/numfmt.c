/* numfmt.c -- numbers, percentages, dates and the words of the report, in French or English.
 * Pure string work for the report and its maps; the CSV tables keep machine formats.
 *
 * Rounding is done once, by printf on the absolute value ("%.*f" rounds the binary value
 * correctly and carries: 69.95 -> "70.0"), and only then are the digits regrouped and the
 * decimal mark swapped; formatting the integer and fractional parts apart would print "69,10".
 * Integers go through their unsigned magnitude so that INT64_MIN has one. A value that rounds
 * to zero loses its sign ("-0,0" would puzzle a reader). French groups digits with U+202F
 * (narrow no-break space, as the Imprimerie nationale and CLDR do) and puts one before "%";
 * English uses "," and no space. Truncation never cuts a UTF-8 character in two. */
#include "util/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

#define NNBSP "\xE2\x80\xAF" /* U+202F NARROW NO-BREAK SPACE */

int nfmt_parse_lang(const char *s)
{
    if (!s)
        return -1;
    if (str_ieq(s, "fr"))
        return LANG_FR;
    if (str_ieq(s, "en"))
        return LANG_EN;
    return -1;
}

/* Copies src into buf[n], cut at a UTF-8 character boundary when it does not fit. */
static char *put(char *buf, size_t n, const char *src)
{
    if (n == 0)
        return buf;
    size_t len = strlen(src);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--; /* src[len] would be the continuation of a cut character */
    }
    memcpy(buf, src, len);
    buf[len] = '\0';
    return buf;
}

/* Appends digits (an unsigned integer part, ASCII) to out with the group separator of lang
 * every three digits from the right. out must hold strlen(digits) * 4 + 1 bytes. */
static void group_digits(report_lang lang, const char *digits, size_t ndigits, char *out)
{
    const char *sep = lang == LANG_FR ? NNBSP : ",";
    size_t seplen = strlen(sep), o = strlen(out);
    for (size_t i = 0; i < ndigits; i++) {
        if (i > 0 && (ndigits - i) % 3 == 0) {
            memcpy(out + o, sep, seplen);
            o += seplen;
        }
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

char *nfmt_int(report_lang lang, int64_t v, char *buf, size_t n)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char digits[24], out[100] = "";
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mag);
    if (v < 0)
        strcpy(out, "-");
    group_digits(lang, digits, (size_t)nd, out);
    return put(buf, n, out);
}

/* The text of |v| rounded to decimals, grouped, with the decimal mark of lang. */
static void format_real(report_lang lang, double v, int decimals, char *out, size_t outsize)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    if (!isfinite(v)) {
        snprintf(out, outsize, "%s", isnan(v) ? "?" : v > 0 ? "\xE2\x88\x9E" : "-\xE2\x88\x9E");
        return;
    }
    char digits[400]; /* DBL_MAX has 309 integer digits */
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    /* The decimal mark is whatever follows the integer digits ("." in the C locale). */
    size_t nint = strspn(digits, "0123456789");
    const char *dot = digits[nint] ? digits + nint : NULL;
    int zero = strspn(digits, "0") == nint && (!dot || strspn(dot + 1, "0") == strlen(dot + 1));
    char grouped[sizeof digits * 4 + 8] = "";
    if (v < 0 && !zero)
        strcpy(grouped, "-");
    group_digits(lang, digits, nint, grouped);
    if (dot) {
        strcat(grouped, lang == LANG_FR ? "," : ".");
        strcat(grouped, dot + 1);
    }
    snprintf(out, outsize, "%s", grouped);
}

char *nfmt_real(report_lang lang, double v, int decimals, char *buf, size_t n)
{
    char out[2000];
    format_real(lang, v, decimals, out, sizeof out);
    return put(buf, n, out);
}

char *nfmt_pct(report_lang lang, double pct, int decimals, char *buf, size_t n)
{
    char out[2000];
    format_real(lang, pct, decimals, out, sizeof out);
    strcat(out, lang == LANG_FR ? NNBSP "%" : "%");
    return put(buf, n, out);
}

static const char *const months_fr[12] = {
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre",
};
static const char *const months_en[12] = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
};

char *nfmt_date(report_lang lang, int yyyymmdd, char *buf, size_t n)
{
    char out[64];
    int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
    if (yyyymmdd <= 0)
        out[0] = '\0';
    else if (m < 1 || m > 12 || d < 1 || d > 31) /* not a date: shown as it is, never guessed */
        snprintf(out, sizeof out, "%d", yyyymmdd);
    else if (lang == LANG_FR) /* French writes the first of the month "1er" */
        snprintf(out, sizeof out, "%d%s %s %d", d, d == 1 ? "er" : "", months_fr[m - 1], y);
    else
        snprintf(out, sizeof out, "%d %s %d", d, months_en[m - 1], y);
    return put(buf, n, out);
}

/* The words of the report, sorted by key (nfmt_word searches them by bisection). */
static const struct word {
    const char *key, *fr, *en;
} words[] = {
    {"area_km2", "superficie (km²)", "area (km²)"},
    {"as_of", "au", "as of"},
    {"bordering_cpts", "CPTS limitrophes", "bordering CPTS"},
    {"code", "code", "code"},
    {"communes", "communes", "communes"},
    {"count", "nombre", "count"},
    {"counted_statuses", "statuts comptés", "statuses counted"},
    {"coverage", "couverture", "coverage"},
    {"coverage_timeline", "Évolution de la couverture", "Coverage over time"},
    {"covered", "couvert", "covered"},
    {"covered_communes", "communes couvertes", "covered communes"},
    {"covered_pct", "part couverte", "share covered"},
    {"covered_population", "population couverte", "covered population"},
    {"cpts", "CPTS", "CPTS"},
    {"cpts_counting", "CPTS comptées", "CPTS counted"},
    {"date", "date", "date"},
    {"department", "département", "department"},
    {"departments", "départements", "departments"},
    {"headline", "En bref", "Headline"},
    {"inhabitants", "habitants", "inhabitants"},
    {"issue_bad_geometry", "géométries illisibles, laissées hors des cartes",
     "unreadable geometries, left off the maps"},
    {"issue_department_mismatch", "départements qui ne correspondent pas au code",
     "departments that do not match the code"},
    {"issue_duplicate_code", "communes en plusieurs polygones", "communes in several features"},
    {"issue_duplicate_member", "communes listées deux fois par une CPTS",
     "communes listed twice by a CPTS"},
    {"issue_empty_geometry", "polygones vides", "empty polygons"},
    {"issue_empty_population", "populations manquantes (comptées 0)",
     "missing populations (counted as 0)"},
    {"issue_inconsistent_cpts", "CPTS au statut ou à la date incohérents",
     "CPTS with inconsistent status or date"},
    {"issue_merged_commune", "communes fusionnées, portées à la commune actuelle",
     "merged communes, carried to the current one"},
    {"issue_merged_polygons", "polygones de communes fusionnées, réunis",
     "polygons of merged communes, dissolved"},
    {"issue_no_polygon", "communes sans polygone (comptées, hors cartes)",
     "communes without a polygon (counted, not mapped)"},
    {"issue_not_a_coverage", "territoires aux polygones qui se chevauchent",
     "territories whose polygons overlap"},
    {"issue_not_utf8", "fichiers lus en Latin-1", "files read as Latin-1"},
    {"issue_partial_membership", "adhésions partielles à une commune nouvelle",
     "partial memberships of a merged commune"},
    {"issue_region_mismatch", "régions incohérentes dans un département",
     "inconsistent regions within a department"},
    {"issue_repaired_code", "codes réparés", "repaired codes"},
    {"issue_repaired_geometry", "géométries réparées",
     "repaired geometries"},
    {"issue_signed_without_date", "CPTS signées sans date", "signed CPTS without a date"},
    {"issue_unknown_code", "codes de commune inconnus", "unknown commune codes"},
    {"issue_unknown_epci", "EPCI inconnus", "unknown EPCI"},
    {"issue_unmatched_geometry", "polygones sans commune actuelle",
     "polygons without a current commune"},
    {"join_issues", "Ce que la jointure a rencontré", "What the join met"},
    {"join_issues_none", "Aucun problème de jointure.", "No join issue."},
    {"join_issues_see", "le détail ligne par ligne est dans", "every issue, with its line, is in"},
    {"kind", "type", "kind"},
    {"largest_communes", "communes les plus peuplées", "most populated communes"},
    {"letter", "lettre d'intention", "letter of intent"},
    {"name", "nom", "name"},
    {"nation", "France entière", "All of France"},
    {"no_date_limit", "sans limite de date", "with no date limit"},
    {"none", "aucune", "none"},
    {"of", "sur", "of"},
    {"pending_cpts", "CPTS en préparation", "CPTS in preparation"},
    {"population", "population", "population"},
    {"project", "projet", "project"},
    {"region", "région", "region"},
    {"regions", "régions", "regions"},
    {"regions_departments", "Régions et départements", "Regions and departments"},
    {"report_title", "Couverture du territoire par les CPTS", "CPTS coverage of the territory"},
    {"signed", "signée", "signed"},
    {"timeline_empty", "Aucune CPTS comptée n'a de date de signature.",
     "No counted CPTS has a signing date."},
    {"timeline_regions", "Par région, en fin d'année", "By region, at each year end"},
    {"uncovered", "non couvert", "uncovered"},
    {"uncovered_zone", "zone non couverte", "uncovered zone"},
    {"uncovered_zones", "Zones non couvertes", "Uncovered zones"},
    {"uncovered_zones_none", "Aucune zone non couverte.", "No uncovered zone."},
    {"what", "signification", "meaning"},
    {"zone", "zone", "zone"},
};

/* The index of key in words, or -1. */
static int find_word(const char *key)
{
    int lo = 0, hi = (int)(sizeof words / sizeof words[0]) - 1;
    while (key && lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(key, words[mid].key);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

const char *nfmt_word(report_lang lang, const char *key)
{
    int i = find_word(key);
    if (i < 0)
        return key ? key : "";
    return lang == LANG_EN ? words[i].en : words[i].fr;
}

int nfmt_word_known(const char *key)
{
    return find_word(key) >= 0;
}

const char *nfmt_word_key(int i)
{
    return i >= 0 && i < (int)(sizeof words / sizeof words[0]) ? words[i].key : NULL;
}

char *nfmt_capital(const char *s, char *buf, size_t n)
{
    put(buf, n, s ? s : "");
    unsigned char *b = (unsigned char *)buf;
    if (n > 0 && b[0] >= 'a' && b[0] <= 'z')
        b[0] = (unsigned char)(b[0] - 'a' + 'A');
    else if (n > 2 && b[0] == 0xC3 && b[1] >= 0xA0 && b[1] <= 0xBE && b[1] != 0xB7)
        b[1] = (unsigned char)(b[1] - 0x20); /* à..þ -> À..Þ, but not ÷ */
    return buf;
}

char *nfmt_and_more(report_lang lang, int64_t count, char *buf, size_t n)
{
    char num[64], out[128];
    nfmt_int(lang, count, num, sizeof num);
    snprintf(out, sizeof out, lang == LANG_FR ? "et %s autres" : "and %s more", num);
    return put(buf, n, out);
}
