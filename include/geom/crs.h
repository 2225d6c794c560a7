/* crs.h -- coordinate reference systems of the commune layers, through PROJ.
 * Each layer keeps its own CRS; this gives its way to WGS84 and areas on the ellipsoid. */
#ifndef CPTSCOV_CRS_H
#define CPTSCOV_CRS_H

#include <geos_c.h>

#include "model/commune_table.h"

/* Fills the CRS fields of layer from a WKT definition. Returns 0, or -1 after diag_error
 * naming path. */
int crs_setup_layer(commune_layer *layer, const char *wkt, const char *path);
/* Takes the n points xy (x, y, x, y...) of a layer to WGS84 longitude, latitude in degrees,
 * in place, with the calling thread's copies of the layer's to_wgs84 and inverse (NULL when
 * the layer has none); a point PROJ cannot take becomes HUGE_VAL. */
void crs_to_wgs84(void *to_wgs84, void *inverse, double *xy, size_t n);
/* Area of the polygonal geometry g (in layer's CRS) on the GRS80/WGS84 ellipsoid, in km²,
 * with copies of the layer's transformations (PJ* to_wgs84 and projection, NULL for a
 * geographic layer) that the calling thread owns, and g's planar area and extent (xmin,
 * ymin, xmax, ymax) that the caller has already. */
double crs_area_km2_with(const commune_layer *layer, void *to_wgs84, void *projection,
                         GEOSContextHandle_t h, const GEOSGeometry *g, double planar,
                         const double *bbox);

#endif
