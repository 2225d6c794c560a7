/* svg_map.h -- drawing territories as an SVG map: projections, layout of the frames, paths.
 * Metropolitan France in Lambert-93, each overseas department in an inset of its own. */
#ifndef CPTSCOV_SVG_MAP_H
#define CPTSCOV_SVG_MAP_H

#include <stdio.h>
#include <geos_c.h>

#include "model/commune_table.h"
#include "geom/shape.h"

/* The width of every map's viewBox, in its units; coordinates are written as integers. */
#define SVGM_WIDTH 1000

typedef struct svgm_map svgm_map;

/* The frame a department is drawn in: "" for metropolitan France, else the department's own
 * code for an overseas one ("971".."989"). Returns "" or dep. */
const char *svgm_frame_of(const char *dep);

/* Which of t's layers are drawn as they are in which frame (their CRS is the frame's): each
 * answer is a look-up in PROJ's database, so the maps of one report share them, found once by
 * the first map that needs each. Safe to share between threads. */
typedef struct svgm_crs svgm_crs;
svgm_crs *svgm_crs_new(const commune_table *t);
void svgm_crs_free(svgm_crs *c);

/* A new map of the polygons of t's layers; geometries are read with GEOS context h (the calling
 * thread's); shared: the answers of svgm_crs_new (NULL: the map finds them for itself). Every
 * map has its own PROJ context, so maps may be drawn on several threads. */
svgm_map *svgm_new(const commune_table *t, GEOSContextHandle_t h, svgm_crs *shared);
/* Adds the polygons of s, drawn in the frame of department dep (svgm_frame_of), as one path
 * of CSS class cls, with a tooltip (NULL: none) and a data-code attribute (NULL: none); the
 * texts are escaped here. Polygons are projected at once (PROJ, from their layer's CRS). */
void svgm_add(svgm_map *m, const char *dep, const shape *s, const char *cls,
              const char *tooltip, const char *code);
/* The label of the inset of overseas department dep (its name). */
void svgm_frame_label(svgm_map *m, const char *dep, const char *label);
/* A legend entry: a swatch of class cls and its label, in the order of the calls. */
void svgm_legend(svgm_map *m, const char *cls, const char *label);
/* Places the frames in the viewBox (the main frame, then the insets in a column at its left).
 * Done by svgm_write; callable before, for the tests. */
void svgm_layout(svgm_map *m);
/* Writes the map as one <svg> element (id, visible title, css in a <style>, paths, inset
 * boxes and labels, legend). Returns 0, or -1 when f reports a write error. */
int svgm_write(svgm_map *m, FILE *f, const char *id, const char *title, const char *css);
void svgm_free(svgm_map *m);

/* Where a longitude/latitude (WGS84) lands in the viewBox of the frame of dep, after layout.
 * Returns 0, or -1 when that frame is not on the map or PROJ fails. */
int svgm_lonlat(svgm_map *m, const char *dep, double lon, double lat, double *x, double *y);
/* The rectangle of the frame of dep in the viewBox: the inset's box, or the extent of the main
 * frame's drawing. Returns 0, or -1 when that frame is not on the map. */
int svgm_frame_box(const svgm_map *m, const char *dep, double box[4]);
/* The size of the viewBox after layout. */
void svgm_size(const svgm_map *m, double *width, double *height);

/* Writes s escaped for HTML and XML text and attribute values (&, <, >, ", ' as entities;
 * control characters as spaces). */
void svgm_escape(FILE *f, const char *s);

#endif
