/* table.c -- reading a delimited text table (INSEE, ARS lists) row by row through GDAL/OGR.
 * Columns are found by name; every row knows its line in the file, for error messages.
 *
 * GDAL's CSV driver does the parsing (quotes, separators, BOM, CRLF). It skips blank lines
 * and lets quoted cells hold line breaks, so its row count is not the file's line number;
 * the file is read into memory once, and a quick pass over it there notes the line where
 * each row starts, for error messages, and
 * refuses what GDAL would misread without a word (NUL bytes, UTF-16, absurdly long lines).
 * Text that is not UTF-8 is taken as Latin-1 (the other encoding French spreadsheets
 * export) and converted; the readers report it.
 *
 * The driver opens the table and names its columns; its rows are then parsed by the function
 * the driver parses them with (CSVReadParseLine3L, same separator, same settings), without
 * making an OGR feature of each: the feature, its fields and their strings would be most of
 * the time the national tables take to read. The separator is the one whose
 * parse of the header gives the driver's column names; where none does (the driver renamed
 * a column: an empty name, or blanks around one), the rows are read as the driver's
 * features. */
#include "read/table.h"

#include <cpl_conv.h>
#include <cpl_csv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <ogr_api.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>

#include "util/diag.h"
#include "util/gdal_drivers.h"
#include "util/util.h"

/* No row of a table is a megabyte long; GDAL's reader would take one byte by byte (and
 * refuse it only past 10 MB), so such a line is refused at once. */
#define MAX_LINE (1L << 20)

/* What GDAL's CSV driver gives CSVReadParseLine3L as the longest line (its default). */
#define DRIVER_MAX_LINE ((size_t)10000000)

/* A table is read into memory once: scanned there, then parsed there. No table of this
 * program's is near a gigabyte, the population of a million communes included. */
#define MAX_TABLE ((GIntBig)1 << 30)

/* What one pass over the file finds before GDAL reads it. */
typedef struct file_scan {
    long nul_line;   /* the line of the first NUL byte, or 0 */
    long long_line;  /* the first line longer than MAX_LINE bytes, or 0 */
    long stray_line; /* the line of a quote opened inside a cell and left open at a line's
                        end (GDAL would merge the rows up to the next quote), or 0 */
    long open_line;  /* the line of a quote never closed (the rest would be one cell), or 0 */
} file_scan;

/* Whether scan_file has nothing to note of byte c but the length of its line. */
static int plain_byte(unsigned char c)
{
    return c != '\0' && c != '\r' && c != '\n' && c != '"';
}

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
static file_scan scan_file(table *t, const unsigned char *bytes, size_t size)
{
    int cap = 0, quoted = 0, blank = 1, opens_cell = 0, prev = '\n', c;
    long line = 1, len = 0, quote_line = 0;
    file_scan r = {0, 0, 0, 0};
    for (size_t at = 0; at < size; at++) {
        if (!blank && plain_byte(bytes[at])) { /* a run of them only lengthens the line */
            size_t run = at;
            while (run < size && plain_byte(bytes[run]))
                run++;
            len += (long)(run - at);
            if (len > MAX_LINE && !r.long_line)
                r.long_line = line;
            prev = bytes[run - 1];
            at = run - 1;
            continue;
        }
        c = bytes[at];
        if (c == '\0' && !r.nul_line)
            r.nul_line = line;
        if (c == '\r') {
            /* CR LF ends a line, and so does a lone CR (the "CSV (Macintosh)" of old
             * spreadsheets), as GDAL reads them. */
            if (at + 1 < size && bytes[at + 1] == '\n')
                at++;
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

/* The next record of fp with separator sep, as GDAL's CSV driver parses its records: quotes
 * honoured and removed, separators not merged, a UTF-8 BOM skipped. */
static char **parse_record(VSILFILE *fp, const char *sep)
{
    return CSVReadParseLine3L(fp, DRIVER_MAX_LINE, sep, true, false, false, true);
}

/* Whether names are the names the driver gave the columns, in their order. */
static int driver_names(const table *t, char **names)
{
    if (CSLCount(names) != t->ncols)
        return 0;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(t->layer);
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(names[i], OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i))) != 0)
            return 0;
    return 1;
}

/* Hands the file's bytes to GDAL's /vsimem/, where open_rows reads them (the parser reads a
 * line in blocks and seeks back to its end: a system call per row on a file). */
static void keep_in_memory(table *t, GByte *bytes, vsi_l_offset size)
{
    t->mem_path = xasprintf("/vsimem/cptscov-table-%p", (void *)t);
    VSILFILE *mem = VSIFileFromMemBuffer(t->mem_path, bytes, size, TRUE);
    if (mem) {
        VSIFCloseL(mem);
    } else {
        VSIFree(bytes);
        free(t->mem_path);
        t->mem_path = NULL;
    }
}

/* Opens t's bytes for its rows to be parsed alone, past the header, with the separator whose
 * parse of the header gives the driver's column names (the driver's own guess, GDAL's
 * CSVDetectSeperator, tried first). Leaves t->fp NULL when none does; the driver's features
 * are read then. */
static void open_rows(table *t)
{
    VSILFILE *fp = t->mem_path ? VSIFOpenL(t->mem_path, "rb") : NULL;
    if (!fp)
        return;
    const char *first = CPLReadLine2L(fp, (int)DRIVER_MAX_LINE, NULL);
    const char separators[] = {first ? CSVDetectSeperator(first) : ',', '\t', ',', ';', ' '};
    for (size_t i = 0; i < sizeof separators; i++) {
        char sep[2] = {separators[i], '\0'};
        VSIRewindL(fp);
        char **names = parse_record(fp, sep);
        int same = names && driver_names(t, names);
        CSLDestroy(names);
        if (same) {
            t->fp = fp;
            memcpy(t->delimiter, sep, sizeof sep);
            return;
        }
    }
    VSIFCloseL(fp);
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
    if (st.st_size > MAX_TABLE)
        return diag_error(path, 0, "the file is larger than 1 GB, which no table of communes "
                                   "or memberships is; check the path");
    GByte *bytes = NULL;
    vsi_l_offset size = 0;
    if (!VSIIngestFile(NULL, path, &bytes, &size, MAX_TABLE))
        return diag_error(path, 0, "cannot read this file; check its permissions");
    /* GDAL would see one column of NUL-separated bytes; say what the file is instead. */
    if (size >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) ||
                      (bytes[0] == 0xFE && bytes[1] == 0xFF))) {
        VSIFree(bytes);
        return diag_error(path, 1, "the file is UTF-16 (a spreadsheet's \"Unicode text\"); save "
                                   "it as CSV UTF-8");
    }
    file_scan scan = scan_file(t, bytes, (size_t)size);
    /* Cells are cut at ASCII bytes, which no UTF-8 sequence holds: in a UTF-8 file every
     * cell is UTF-8, which one pass over the file tells instead of one per cell. */
    t->utf8 = size <= INT_MAX && CPLIsUTF8((const char *)bytes, (int)size);
    keep_in_memory(t, bytes, size);
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
    open_rows(t);
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

/* Reads the next record into t->tokens or t->row: 1, or 0 at the end of the file or on
 * GDAL's error. Blank lines are skipped, as the driver skips them. */
static int read_record(table *t)
{
    if (t->fp) {
        do {
            CSLDestroy(t->tokens);
            t->tokens = parse_record(t->fp, t->delimiter);
        } while (t->tokens && !t->tokens[0]);
        t->ntokens = CSLCount(t->tokens);
        return t->tokens != NULL;
    }
    t->row = OGR_L_GetNextFeature(t->layer);
    return t->row != NULL;
}

/* Cell i of the record just read, as the driver's feature gives it ("" when absent). */
static const char *record_cell(const table *t, int i)
{
    if (t->fp)
        return i < t->ntokens ? t->tokens[i] : "";
    return OGR_F_IsFieldSetAndNotNull(t->row, i) ? OGR_F_GetFieldAsString(t->row, i) : "";
}

int tbl_next(table *t)
{
    if (t->row) {
        OGR_F_Destroy(t->row);
        t->row = NULL;
    }
    clear_cells(t);
    CPLErrorReset();
    if (!read_record(t)) {
        if (CPLGetLastErrorType() >= CE_Failure)
            return diag_error(t->path, row_line(t, t->rows + 1), "unreadable row: %s; fix or remove this line",
                              CPLGetLastErrorMsg());
        return 0;
    }
    t->rows++;
    t->line = row_line(t, t->rows);
    int recoded = 0;
    for (int i = 0; i < t->ncols; i++) {
        const char *s = record_cell(t, i);
        if (!t->utf8 && !CPLIsUTF8(s, -1)) {
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

int tbl_has_cell(const table *t, int col)
{
    if (col < 0 || col >= t->ncols)
        return 0;
    if (t->fp)
        return t->tokens && col < t->ntokens;
    return t->row && OGR_F_IsFieldSet(t->row, col);
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
    CSLDestroy(t->tokens);
    t->tokens = NULL;
    if (t->fp)
        VSIFCloseL(t->fp);
    t->fp = NULL;
    if (t->mem_path)
        VSIUnlink(t->mem_path);
    free(t->mem_path);
    t->mem_path = NULL;
    if (t->ds)
        GDALClose(t->ds);
    t->row = NULL;
    t->cells = NULL;
    t->recoded = NULL;
    t->ds = NULL;
}
