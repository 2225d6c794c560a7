/* csv_write.c -- cells and rows of CSV files (RFC 4180, UTF-8 without BOM, LF line ends).
 * Shared by every writer of tables, so that quoting and spreadsheet safety are done once.
 *
 * RFC 4180 asks for CRLF; we write LF, which every spreadsheet and CSV library reads and
 * which keeps the files diff-friendly. Text from the inputs may start with a character a
 * spreadsheet takes for a formula (=HYPERLINK(...)): such a cell gets a leading ' (the
 * OWASP "CSV injection" advice). Numbers are written by csvw_int and csvw_fixed and are never
 * prefixed, so a negative number stays a number. */
#include "write/csv_write.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/util.h"

/* Writes n bytes, remembering the first failure. */
static void put(csvw *w, const char *s, size_t n)
{
    if (w->err || n == 0)
        return;
    if (fwrite(s, 1, n, w->f) != n)
        w->err = errno ? errno : EIO;
}

static void put_str(csvw *w, const char *s)
{
    put(w, s, strlen(s));
}

/* The separator before every cell but the first of a row. */
static void begin_cell(csvw *w)
{
    if (w->cells > 0)
        put(w, ",", 1);
    w->cells++;
}

int csvw_open(csvw *w, const char *path)
{
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wb");
    if (!w->f)
        return diag_error(path, 0, "cannot write: %s; check free space and permissions",
                          strerror(errno));
    w->path = xstrdup(path);
    return 0;
}

void csvw_text(csvw *w, const char *s)
{
    begin_cell(w);
    if (!s)
        return;
    int formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                  s[0] == '\r';
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        put(w, "\"", 1);
    if (formula)
        put(w, "'", 1);
    if (!quote) {
        put_str(w, s);
        return;
    }
    /* Inner quotes are doubled: write up to each quote, then the quote twice. */
    const char *p = s;
    const char *q;
    while ((q = strchr(p, '"')) != NULL) {
        put(w, p, (size_t)(q - p));
        put(w, "\"\"", 2);
        p = q + 1;
    }
    put_str(w, p);
    put(w, "\"", 1);
}

void csvw_int(csvw *w, int64_t v)
{
    char buf[32];
    begin_cell(w);
    int n = snprintf(buf, sizeof buf, "%" PRId64, v);
    put(w, buf, (size_t)n);
}

void csvw_fixed(csvw *w, double v, int decimals)
{
    char buf[64];
    begin_cell(w);
    int n = snprintf(buf, sizeof buf, "%.*f", decimals, v);
    if (n < 0 || (size_t)n >= sizeof buf)
        n = snprintf(buf, sizeof buf, "%g", v); /* absurdly large: still a number */
    put(w, buf, (size_t)n);
}

void csvw_empty(csvw *w)
{
    begin_cell(w);
}

void csvw_header(csvw *w, const map_field *fields, int n)
{
    for (int i = 0; i < n; i++)
        csvw_text(w, fields[i].name);
    csvw_end_row(w);
}

void csvw_end_row(csvw *w)
{
    put(w, "\n", 1);
    w->cells = 0;
}

int csvw_close(csvw *w)
{
    int err = w->err;
    if (!err && ferror(w->f))
        err = EIO;
    if (fclose(w->f) != 0 && !err)
        err = errno ? errno : EIO;
    int r = 0;
    if (err)
        r = diag_error(w->path, 0, "cannot write: %s; check free space and permissions",
                       strerror(err));
    free(w->path);
    memset(w, 0, sizeof *w);
    return r;
}
