/* fields.h -- the meaning of one cell: commune codes, populations, dates.
 * Pure functions on strings, shared by every reader and fuzzed on their own. */
#ifndef CPTSCOV_FIELDS_H
#define CPTSCOV_FIELDS_H

#include <stdint.h>

#include "model/commune_table.h"

enum { FLD_OK = 0, FLD_REPAIRED = 1, FLD_INVALID = -1 };

/* The rules codes are read by, given by every caller: INSEE's (below), or free codes
 * (--free-codes): commune codes are then any identifier of 1 to CODE_LEN letters, digits, '_'
 * or '-', department and region codes of 1 to 3, and none is repaired; for synthetic
 * countries (the benchmark's million communes) and data that is not INSEE's. A run reads
 * every code of its inputs and its --scope by the same rules. */
typedef enum fld_codes { FLD_INSEE_CODES, FLD_FREE_CODES } fld_codes;

/* Reads a commune code into out ("35238", "2A004"). Repairs what spreadsheets do to codes:
 * a lost leading zero ("1001" -> "01001"), a trailing ".0", blanks and thousands separators,
 * lower case ("2a004"), a leading apostrophe. Returns FLD_OK, FLD_REPAIRED or FLD_INVALID. */
int fld_code(const char *raw, fld_codes codes, commune_code out);
/* A department code: "35", "2A", "971", "975" (a lone digit "1" is repaired to "01"). */
int fld_department(const char *raw, fld_codes codes, char out[4]);
/* A region code: two digits ("1" is repaired to "01"), or the three of an overseas
 * collectivity ("975"). */
int fld_region(const char *raw, fld_codes codes, char out[4]);
/* A non-negative integer (blanks around allowed); FLD_INVALID for anything else,
 * including fractions, signs, and values over INT64_MAX. */
int fld_population(const char *raw, int64_t *out);
/* An ISO date YYYY-MM-DD that exists, as YYYYMMDD; "" gives 0 and FLD_OK. */
int fld_date(const char *raw, int *out);
/* Writes YYYYMMDD as YYYY-MM-DD into buf (11 bytes); "" for 0. */
void fld_format_date(int ymd, char buf[11]);

#endif
