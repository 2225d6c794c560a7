/* table.c -- reading a delimited text table (INSEE, ARS lists) row by row through GDAL/OGR.
 * Columns are found by name; every row knows its line in the file, for error messages.
 *
 * GDAL's CSV driver does the parsing (quotes, separators, BOM, CRLF). It skips blank lines
 * and lets quoted cells hold line breaks, so its row count is not the file's line number;
 * a quick pass over the file notes the line where each row starts, for error messages, and
 * refuses what GDAL would misread without a word (NUL bytes, UTF-16, absurdly long lines).
 * Text that is not UTF-8 is taken as Latin-1 (the other encoding French spreadsheets
 * export) and converted; the readers report it. */
#include "table.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <ogr_api.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>

#include "diag.h"
#include "gdal_drivers.h"
#include "util.h"

/* No row of a table is a megabyte long; GDAL's reader would take one byte by byte (and
 * refuse it only past 10 MB), so such a line is refused at once. */
#define MAX_LINE (1L << 20)

/* What one pass over the file finds before GDAL reads it. */
typedef struct file_scan {
    long nul_line;   /* the line of the first NUL byte, or 0 */
    long long_line;  /* the first line longer than MAX_LINE bytes, or 0 */
    long stray_line; /* the line of a quote opened inside a cell and left open at a line's
                        end (GDAL would merge the rows up to the next quote), or 0 */
    long open_line;  /* the line of a quote never closed (the rest would be one cell), or 0 */
} file_scan;

/* Notes in t->row_lines the line where each record of the file starts (the header first),
 * following quotes as GDAL does (a quote anywhere opens or closes a quoted part) and skipping
 * empty lines as GDAL does. GDAL skips only lines with nothing on them: a line of blanks is
 * a row. `blank` is 1 at the start of a record, until its first character (which may be the
 * quote that opens it). A NUL byte is noted too: GDAL would end the cell there without a
 * word, and what follows (a quote) would no longer agree with these lines.
 *
 * Quotes that GDAL would follow silently into a wrong table are noted too. A quoted cell may
 * hold a line break only when its quote opens the cell (after a separator or at the start of
 * a record, as spreadsheets write them); a quote inside a cell (`L"Oasis`) that is still open
 * at the end of the line would make GDAL read the following rows, up to the next quote, as
 * part of that cell; and a quote never closed would swallow the rest of the file. */
static file_scan scan_file(table *t, FILE *f)
{
    int cap = 0, quoted = 0, blank = 1, opens_cell = 0, prev = '\n', c;
    long line = 1, len = 0, quote_line = 0;
    file_scan r = {0, 0, 0, 0};
    /* getc_unlocked: this thread alone reads f, and the locking getc took a third of the
     * pass. */
    while ((c = getc_unlocked(f)) != EOF) {
        if (c == '\0' && !r.nul_line)
            r.nul_line = line;
        if (c == '\r') {
            /* CR LF ends a line, and so does a lone CR (the "CSV (Macintosh)" of old
             * spreadsheets), as GDAL reads them. */
            int next = getc_unlocked(f);
            if (next != '\n' && next != EOF)
                ungetc(next, f);
            c = '\n';
        }
        if (c == '\n') {
            if (!quoted)
                blank = 1;
            else if (!opens_cell && !r.stray_line)
                r.stray_line = quote_line;
            line++;
            prev = '\n';
            len = 0;
            continue;
        }
        if (++len > MAX_LINE && !r.long_line)
            r.long_line = line;
        if (blank) {
            blank = 0;
            GROW(t->row_lines, cap, t->nrow_lines + 1);
            t->row_lines[t->nrow_lines++] = line;
        }
        if (c == '"') {
            quoted = !quoted;
            if (quoted) {
                quote_line = line;
                opens_cell = prev == '\n' || prev == ';' || prev == ',' || prev == '\t';
            }
        }
        prev = c;
    }
    if (quoted)
        r.open_line = quote_line;
    return r;
}

int tbl_open(table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    struct stat st;
    if (stat(path, &st) != 0)
        return diag_error(path, 0, "cannot read this file; check the path");
    if (S_ISDIR(st.st_mode))
        return diag_error(path, 0, "is a directory, not a table; give the path of a .csv file");
    if (st.st_size == 0)
        return diag_error(path, 1, "the file is empty; give a table with a header line");
    FILE *f = fopen(path, "rb");
    if (!f)
        return diag_error(path, 0, "cannot read this file; check its permissions");
    /* GDAL would see one column of NUL-separated bytes; say what the file is instead. */
    int b0 = getc(f), b1 = getc(f);
    if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
        fclose(f);
        return diag_error(path, 1, "the file is UTF-16 (a spreadsheet's \"Unicode text\"); save "
                                   "it as CSV UTF-8");
    }
    rewind(f);
    file_scan scan = scan_file(t, f);
    fclose(f);
    if (scan.nul_line) {
        tbl_close(t);
        return diag_error(path, scan.nul_line, "cannot read as a table: a NUL byte (UTF-16 without "
                                          "BOM, or a binary file?); save it as CSV UTF-8");
    }
    if (scan.long_line) {
        tbl_close(t);
        return diag_error(path, scan.long_line, "this line is longer than 1 MB, which no row of a "
                                          "table is; fix or remove it");
    }
    if (scan.open_line) {
        tbl_close(t);
        return diag_error(path, scan.open_line, "a quote (\") opened on this line is never "
                          "closed, so the rest of the file would be one cell; close it or "
                          "remove it");
    }
    if (scan.stray_line) {
        tbl_close(t);
        return diag_error(path, scan.stray_line, "a quote (\") inside a cell is still open at "
                          "the end of this line, so the next rows would be read into this cell; "
                          "remove it, or quote the whole cell and double the quote (\"\")");
    }
    char *name = xasprintf("CSV:%s", path);
    const char *drivers[] = {"CSV", NULL};
    const char *options[] = {"AUTODETECT_TYPE=NO", "HEADERS=YES", "EMPTY_STRING_AS_NULL=NO",
                             "KEEP_GEOM_COLUMNS=YES", NULL};
    CPLErrorReset();
    t->ds = gdrv_open_vector(name, drivers, options);
    free(name);
    if (!t->ds || GDALDatasetGetLayerCount(t->ds) < 1) {
        const char *why = CPLGetLastErrorMsg();
        tbl_close(t);
        return diag_error(path, 1, "cannot read as a table%s%s; give a `;`, `,` or tab separated "
                                   "text file with a header line",
                          why[0] ? ": " : "", why);
    }
    t->layer = GDALDatasetGetLayer(t->ds, 0);
    t->ncols = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(t->layer));
    t->cells = xcalloc((size_t)(t->ncols ? t->ncols : 1), sizeof *t->cells);
    t->recoded = xcalloc((size_t)(t->ncols ? t->ncols : 1), sizeof *t->recoded);
    t->line = 1;
    return 0;
}

/* Column i, named name: -2 after diag_error when another column has the same name (which
 * one is meant cannot be known), else i. */
static int unique_column(const table *t, int i, const char *name)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(t->layer);
    for (int j = i + 1; j < t->ncols; j++)
        if (str_ieq(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j)), name)) {
            diag_error(t->path, 1, "columns %d and %d are both named \"%s\"; rename or remove one",
                       i + 1, j + 1, name);
            return -2;
        }
    return i;
}

int tbl_column(table *t, const char *override, const char *const *names, const char *what,
               const char *flag)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(t->layer);
    if (override) {
        for (int i = 0; i < t->ncols; i++)
            if (str_ieq(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), override))
                return unique_column(t, i, override);
        return diag_error(t->path, 1, "no column named \"%s\" (given with %s); check the header",
                          override, flag);
    }
    for (const char *const *n = names; *n; n++)
        for (int i = 0; i < t->ncols; i++)
            if (str_ieq(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), *n))
                return unique_column(t, i, *n);
    if (!what)
        return -1;
    char tried[256] = "";
    size_t len = 0;
    for (const char *const *n = names; *n && len < sizeof tried; n++)
        len += (size_t)snprintf(tried + len, sizeof tried - len, "%s%s", n == names ? "" : ", ", *n);
    return diag_error(t->path, 1, "no %s column (looked for %s); name it with %s", what, tried, flag);
}

static void clear_cells(table *t)
{
    for (int i = 0; i < t->ncols; i++) {
        t->cells[i] = NULL;
        if (t->recoded[i]) {
            free(t->recoded[i]);
            t->recoded[i] = NULL;
        }
    }
}

int tbl_record_count(const table *t)
{
    return t->nrow_lines > 1 ? (t->nrow_lines - 1 < INT_MAX / 2 ? t->nrow_lines - 1 : INT_MAX / 2)
                             : 0;
}

/* The line where row number `row` (1 for the first after the header) starts. */
static long row_line(const table *t, long row)
{
    if (row < t->nrow_lines)
        return t->row_lines[row];
    return (t->nrow_lines ? t->row_lines[t->nrow_lines - 1] : 1) + row - t->nrow_lines + 1;
}

int tbl_next(table *t)
{
    if (t->row) {
        OGR_F_Destroy(t->row);
        t->row = NULL;
    }
    clear_cells(t);
    CPLErrorReset();
    t->row = OGR_L_GetNextFeature(t->layer);
    if (!t->row) {
        if (CPLGetLastErrorType() >= CE_Failure)
            return diag_error(t->path, row_line(t, t->rows + 1), "unreadable row: %s; fix or remove this line",
                              CPLGetLastErrorMsg());
        return 0;
    }
    t->rows++;
    t->line = row_line(t, t->rows);
    int recoded = 0;
    for (int i = 0; i < t->ncols; i++) {
        const char *s = OGR_F_IsFieldSetAndNotNull(t->row, i) ? OGR_F_GetFieldAsString(t->row, i) : "";
        if (!CPLIsUTF8(s, -1)) {
            char *u = CPLRecode(s, CPL_ENC_ISO8859_1, CPL_ENC_UTF8);
            t->cells[i] = t->recoded[i] = xstrdup(u);
            CPLFree(u);
            recoded = 1;
        } else {
            t->cells[i] = s; /* the row's own, until the next row */
        }
    }
    if (recoded && t->non_utf8_rows++ == 0)
        t->first_non_utf8_line = t->line;
    return 1;
}

const char *tbl_cell(const table *t, int col)
{
    if (col < 0 || col >= t->ncols || !t->cells[col])
        return "";
    return t->cells[col];
}

void tbl_report_encoding(const table *t, join_issues *ji)
{
    if (t->non_utf8_rows)
        jis_add(ji, t->path, t->first_non_utf8_line, "", "not_utf8",
                "%ld rows are not UTF-8 and were read as Latin-1; save the file as UTF-8",
                t->non_utf8_rows);
}

void tbl_close(table *t)
{
    if (t->row)
        OGR_F_Destroy(t->row);
    if (t->cells) {
        clear_cells(t);
        free(t->cells);
        free(t->recoded);
    }
    free(t->row_lines);
    t->row_lines = NULL;
    if (t->ds)
        GDALClose(t->ds);
    t->row = NULL;
    t->cells = NULL;
    t->recoded = NULL;
    t->ds = NULL;
}
