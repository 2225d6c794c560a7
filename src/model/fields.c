/* fields.c -- the meaning of one cell: commune codes, populations, dates.
 * Pure functions on strings, shared by every reader and fuzzed on their own.
 *
 * Codes come from spreadsheets that treat them as numbers: "01001" becomes 1001 or
 * "1001.0", and "2A004" survives only by luck. Every repair here is one that can only have
 * one meaning; the readers report each repair, and anything else is refused. */
#include "model/fields.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Copies raw without blanks (ASCII, no-break spaces U+00A0 and U+202F), at most size-1 bytes;
 * returns -1 when it does not fit, else 1 when something was removed, else 0. */
static int strip_blanks(const char *raw, char *out, size_t size)
{
    size_t n = 0;
    int removed = 0;
    for (const unsigned char *p = (const unsigned char *)raw; *p;) {
        if (isspace(*p)) {
            p++;
            removed = 1;
        } else if (p[0] == 0xC2 && p[1] == 0xA0) {
            p += 2;
            removed = 1;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF) {
            p += 3;
            removed = 1;
        } else {
            if (n + 1 >= size)
                return -1;
            out[n++] = (char)*p++;
        }
    }
    out[n] = '\0';
    return removed;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* A free identifier: 1 to max characters among letters, digits, '_' and '-', blanks around
 * allowed. Nothing is repaired: without INSEE's rules there is no meaning to restore. */
static int free_identifier(const char *raw, char *out, size_t max)
{
    while (isspace((unsigned char)*raw))
        raw++;
    size_t n = 0;
    while (raw[n] && (isalnum((unsigned char)raw[n]) || raw[n] == '_' || raw[n] == '-'))
        n++;
    const char *rest = raw + n;
    while (isspace((unsigned char)*rest))
        rest++;
    if (n == 0 || n > max || *rest)
        return FLD_INVALID;
    memcpy(out, raw, n);
    out[n] = '\0';
    return FLD_OK;
}

int fld_code(const char *raw, fld_codes codes, commune_code out)
{
    if (codes == FLD_FREE_CODES)
        return free_identifier(raw, out, CODE_LEN);
    char buf[32];
    int repaired = strip_blanks(raw, buf, sizeof buf);
    if (repaired < 0)
        return FLD_INVALID;
    char *s = buf;
    if (*s == '\'') {
        s++;
        repaired = 1;
    }
    size_t n = strlen(s);
    if (n > 2 && strcmp(s + n - 2, ".0") == 0) {
        s[n -= 2] = '\0';
        repaired = 1;
    }
    if (n == 4 && all_digits(s, 4)) {
        out[0] = '0';
        memcpy(out + 1, s, 5);
        return FLD_REPAIRED;
    }
    if (n != INSEE_CODE_LEN)
        return FLD_INVALID;
    if (s[0] == '2' && (s[1] == 'a' || s[1] == 'b')) {
        s[1] = (char)toupper((unsigned char)s[1]);
        repaired = 1;
    }
    int corsica = s[0] == '2' && (s[1] == 'A' || s[1] == 'B') && all_digits(s + 2, 3);
    if (!corsica && !all_digits(s, 5))
        return FLD_INVALID;
    memcpy(out, s, 6);
    return repaired ? FLD_REPAIRED : FLD_OK;
}

/* A department or region code made of blanks-free buf (n bytes): a lone digit is the
 * spreadsheet's "01" without its zero. Returns FLD_REPAIRED when so repaired, else -2. */
static int lone_digit(const char *buf, size_t n, char out[4])
{
    if (n != 1 || !isdigit((unsigned char)buf[0]))
        return -2;
    out[0] = '0';
    out[1] = buf[0];
    out[2] = '\0';
    return FLD_REPAIRED;
}

int fld_department(const char *raw, fld_codes codes, char out[4])
{
    if (codes == FLD_FREE_CODES)
        return free_identifier(raw, out, 3);
    char buf[8];
    int repaired = strip_blanks(raw, buf, sizeof buf);
    if (repaired < 0)
        return FLD_INVALID;
    size_t n = strlen(buf);
    int lone = lone_digit(buf, n, out);
    if (lone != -2)
        return lone;
    if (n == 2 && buf[0] == '2' && (buf[1] == 'a' || buf[1] == 'b')) {
        buf[1] = (char)toupper((unsigned char)buf[1]);
        repaired = 1;
    }
    int ok = (n == 2 && (all_digits(buf, 2) || (buf[0] == '2' && (buf[1] == 'A' || buf[1] == 'B')))) ||
             (n == 3 && all_digits(buf, 3) && buf[0] == '9' && (buf[1] == '7' || buf[1] == '8'));
    if (!ok)
        return FLD_INVALID;
    memcpy(out, buf, n + 1);
    return repaired ? FLD_REPAIRED : FLD_OK;
}

int fld_region(const char *raw, fld_codes codes, char out[4])
{
    if (codes == FLD_FREE_CODES)
        return free_identifier(raw, out, 3);
    char buf[8];
    int repaired = strip_blanks(raw, buf, sizeof buf);
    if (repaired < 0)
        return FLD_INVALID;
    size_t n = strlen(buf);
    if (n == 0 || n > 3 || !all_digits(buf, n) || (n == 3 && buf[0] != '9'))
        return FLD_INVALID;
    int lone = lone_digit(buf, n, out);
    if (lone != -2)
        return lone;
    memcpy(out, buf, n + 1);
    return repaired ? FLD_REPAIRED : FLD_OK;
}

int fld_population(const char *raw, int64_t *out)
{
    const char *p = raw;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p))
        return FLD_INVALID;
    int64_t v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        int d = *p - '0';
        if (v > (INT64_MAX - d) / 10)
            return FLD_INVALID;
        v = v * 10 + d;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p)
        return FLD_INVALID;
    *out = v;
    return FLD_OK;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

int fld_date(const char *raw, int *out)
{
    const char *p = raw;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && isspace((unsigned char)p[n - 1]))
        n--;
    if (n == 0) {
        *out = 0;
        return FLD_OK;
    }
    if (n != 10 || p[4] != '-' || p[7] != '-' || !all_digits(p, 4) || !all_digits(p + 5, 2) ||
        !all_digits(p + 8, 2))
        return FLD_INVALID;
    int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    int m = (p[5] - '0') * 10 + (p[6] - '0');
    int d = (p[8] - '0') * 10 + (p[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return FLD_INVALID;
    *out = y * 10000 + m * 100 + d;
    return FLD_OK;
}

void fld_format_date(int ymd, char buf[11])
{
    if (ymd <= 0) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, 11, "%04d-%02d-%02d", (ymd / 10000) % 10000, (ymd / 100) % 100, ymd % 100);
}
