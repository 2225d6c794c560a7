/* map_styles.h -- QGIS styles for the maps of a GeoPackage: the layer_styles table.
 * Opened in QGIS, coverage shows as a choropleth without any styling by hand. */
#ifndef CPTSCOV_MAP_STYLES_H
#define CPTSCOV_MAP_STYLES_H

#include "write/map_writer.h"

/* The QML (a QGIS layer style document) of map `layer` (communes, cpts, departments,
 * regions, uncovered), malloc'd; NULL for a map it has no style for. */
char *mst_qml(const char *layer);
/* Writes the layer_styles table of f: one default style per map of layouts[0..n-1].
 * Returns 0, or -1 after diag_error. */
int mst_write(map_file *f, const map_layout *const *layouts, int n, GEOSContextHandle_t h);

#endif
