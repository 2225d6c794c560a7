/* table.h -- reading a delimited text table (INSEE, ARS lists) row by row through GDAL/OGR.
 * Columns are found by name; every row knows its line in the file, for error messages. */
#ifndef CPTSCOV_TABLE_H
#define CPTSCOV_TABLE_H

#include <cpl_vsi.h>
#include <gdal.h>

#include "util/diag.h"

typedef struct table {
    const char *path;
    GDALDatasetH ds;
    OGRLayerH layer;
    OGRFeatureH row;      /* the current row, when OGR reads the rows (else NULL) */
    VSILFILE *fp;         /* the file past its header, when the rows are parsed alone */
    char *mem_path;       /* where fp's copy of the file is, in GDAL's /vsimem/ */
    char delimiter[2];    /* the separator GDAL's driver found, for the rows parsed alone */
    char **tokens;        /* the current row's cells as parsed alone (CSL list) */
    int ntokens;          /* how many */
    int ncols;
    long line;            /* line where the current row starts (the header is line 1) */
    long *row_lines;      /* line where each record starts, header first */
    int nrow_lines;
    long rows;            /* rows read so far */
    const char **cells;   /* the current row's cells, UTF-8: the row's own strings, or */
    char **recoded;       /* the cells read as Latin-1, converted (NULL for the others) */
    int utf8;             /* the whole file is UTF-8: so is every cell, none is checked */
    long non_utf8_rows;   /* rows that were not UTF-8 and were read as Latin-1 */
    long first_non_utf8_line;
} table;

/* Opens path as a table with a header line; `,`, `;` and tab separators, BOM, CRLF.
 * Returns 0, or -1 after diag_error. */
int tbl_open(table *t, const char *path);
/* Index of the column named override (when not NULL) or else of the first of names[]
 * (NULL-terminated, case-insensitive) present. -1 when none; then, when required is given,
 * records an error naming the flag to use (e.g. "--pop-count"). -2 after diag_error when
 * two columns bear the name found. */
int tbl_column(table *t, const char *override, const char *const *names, const char *what,
               const char *flag);
/* The records the file holds after its header (from the quick pass of tbl_open; blank
 * lines aside, the rows tbl_next will give), at most INT_MAX / 2: for sizing what the rows
 * fill, once. */
int tbl_record_count(const table *t);
/* Reads the next row: 1, 0 at the end, -1 after diag_error. */
int tbl_next(table *t);
/* Cell col of the current row ("" when empty or col < 0). */
const char *tbl_cell(const table *t, int col);
/* Whether the current row reaches column col (a row cut short does not reach its last
 * columns; an empty cell is reached). */
int tbl_has_cell(const table *t, int col);
/* Reports, as one join issue, the rows read as Latin-1. */
void tbl_report_encoding(const table *t, join_issues *ji);
void tbl_close(table *t);

#endif
