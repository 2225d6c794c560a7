/* csv_write.h -- cells and rows of CSV files (RFC 4180, UTF-8 without BOM, LF line ends).
 * Shared by every writer of tables, so that quoting and spreadsheet safety are done once. */
#ifndef CPTSCOV_CSV_WRITE_H
#define CPTSCOV_CSV_WRITE_H

#include <stdint.h>
#include <stdio.h>

#include "write/map_writer.h"

/* A CSV file being written. A failed write is remembered and reported by csvw_close, so
 * that writers can put cells one after the other without testing each one. */
typedef struct csvw {
    FILE *f;
    char *path;
    int err;    /* errno of the first failed write, 0 when none */
    int cells;  /* cells already in the current row */
} csvw;

/* Creates (or truncates) the file at path; returns 0, or -1 after diag_error. */
int csvw_open(csvw *w, const char *path);
/* A text cell: quoted when it holds , " CR or LF, and prefixed with ' when it starts with
 * = + - @ TAB or CR, so that a spreadsheet never runs it as a formula. NULL is an empty cell. */
void csvw_text(csvw *w, const char *s);
/* An integer cell, never prefixed. */
void csvw_int(csvw *w, int64_t v);
/* A number with that many decimals ("%.*f"), never prefixed. */
void csvw_fixed(csvw *w, double v, int decimals);
void csvw_empty(csvw *w);
/* The header row: the names of fields[0..n-1] (a table's layout) as text cells, then the
 * end of the row. */
void csvw_header(csvw *w, const map_field *fields, int n);
/* Ends the row with LF. */
void csvw_end_row(csvw *w);
/* Closes the file; returns 0, or -1 after diag_error when any write or the close failed. */
int csvw_close(csvw *w);

#endif
