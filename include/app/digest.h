/* digest.h -- SHA-256 of files, and of the joined data one scenario shows.
 * A batch redoes a scenario when the digest of its data changed, not whenever an input did. */
#ifndef CPTSCOV_DIGEST_H
#define CPTSCOV_DIGEST_H

#include "read/inputs.h"
#include "analyse/scope.h"
#include "analyse/territories.h"

/* The SHA-256 of a file as 64 hex digits into hex. Returns 0, or -1 after diag_error. */
int dig_file(const char *path, char hex[65]);

/* One SHA-256 per commune of what the writers may show of it (code, names, codes of its
 * department, region and EPCI, population, polygon, memberships): made once for a batch.
 * It reads the polygons as read, so it runs before the arcs' build takes them
 * (topo_build_taking, through terr_begin): a table whose polygons_taken is set gets NULL
 * after diag_error (a bug of the caller), never digests without polygons. Otherwise a new
 * array of 32 bytes per commune; h is the table's GEOS context. */
unsigned char (*dig_communes_before_arcs(const commune_table *t, GEOSContextHandle_t h))[32];

/* The digest of the data a scenario shows: the program and its libraries, the normalised
 * options (options_text), the inputs' rows and layers, the join issues of the reading, the
 * national figures under the rule, and the communes, CPTS and zones in scope with what lies
 * around them (the communes of its CPTS and zones, its regions whole). Equal digests mean
 * equal outputs. tr needs only terr_begin. */
void dig_scenario(const inputs *in, const territories *tr, const unsigned char (*communes)[32],
                  const coverage_rule *rule, const coverage_scope *scope,
                  const char *options_text, char hex[65]);

#endif
