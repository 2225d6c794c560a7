/* gdal_drivers.h -- GDAL's drivers, registered as they are needed.
 * Every open of a vector file and every lookup of a driver by name goes through here. */
#ifndef CPTSCOV_GDAL_DRIVERS_H
#define CPTSCOV_GDAL_DRIVERS_H

#include <gdal.h>

/* Registers the drivers nearly every run needs (Shapefile, CSV); the others wait for a file
 * that neither opens. Call once before any thread opens a file. */
void gdrv_init(void);
/* GDALOpenEx of a vector dataset, read-only, with GDAL's allowed drivers and open options
 * (either NULL); retried with every driver registered when the first ones cannot open it.
 * Safe on several threads at once. NULL when no driver opens it (CPLGetLastErrorMsg says
 * why). */
GDALDatasetH gdrv_open_vector(const char *name, const char *const *allowed,
                              const char *const *options);
/* GDALGetDriverByName, registering every driver first when name is not registered yet. */
GDALDriverH gdrv_by_name(const char *name);

#endif
