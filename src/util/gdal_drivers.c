/* gdal_drivers.c -- GDAL's drivers, registered as they are needed.
 * The Shapefile and CSV drivers first, every other one on the first file they cannot open.
 *
 * GDALAllRegister() runs the registration code of GDAL's 200-odd drivers, spread over the
 * whole of libgdal, mapping most of its pages in on every run, for the two drivers the
 * usual inputs need (the GeoJSON maps are written by the map writer's own engine,
 * map_geojson.c).
 * So those two are registered at start, and everything else the first time a file opens
 * with neither (a GeoPackage, a GeoJSON, a FlatGeobuf...) or a driver is asked for by name
 * (the maps' other formats): the user sees no difference but the time and memory.
 *
 * Registering while another thread opens a file would change GDAL's list of drivers under
 * it: the opens hold a read lock, the registration of every driver the write lock. */
#include "util/gdal_drivers.h"

#include <pthread.h>
#include <stdatomic.h>

#include <cpl_error.h>

/* GDAL's registration functions of the two drivers (declared by ogrsf_frmts.h, a C++
 * header). */
void RegisterOGRShape(void);
void RegisterOGRCSV(void);

static pthread_rwlock_t drivers_lock = PTHREAD_RWLOCK_INITIALIZER;
static atomic_int all_registered;

void gdrv_init(void)
{
    if (GDALGetDriverByName("ESRI Shapefile") == NULL)
        RegisterOGRShape();
    if (GDALGetDriverByName("CSV") == NULL)
        RegisterOGRCSV();
}

/* Every driver, once. */
static void register_all(void)
{
    pthread_rwlock_wrlock(&drivers_lock);
    if (!atomic_load(&all_registered)) {
        GDALAllRegister();
        atomic_store(&all_registered, 1);
    }
    pthread_rwlock_unlock(&drivers_lock);
}

static GDALDatasetH open_vector(const char *name, const char *const *allowed,
                                const char *const *options)
{
    pthread_rwlock_rdlock(&drivers_lock);
    GDALDatasetH ds = GDALOpenEx(name, GDAL_OF_VECTOR | GDAL_OF_READONLY, allowed, options, NULL);
    pthread_rwlock_unlock(&drivers_lock);
    return ds;
}

GDALDatasetH gdrv_open_vector(const char *name, const char *const *allowed,
                              const char *const *options)
{
    GDALDatasetH ds = open_vector(name, allowed, options);
    if (ds || atomic_load(&all_registered))
        return ds;
    register_all();
    CPLErrorReset();
    return open_vector(name, allowed, options);
}

GDALDriverH gdrv_by_name(const char *name)
{
    GDALDriverH d = GDALGetDriverByName(name);
    if (d || atomic_load(&all_registered))
        return d;
    register_all();
    return GDALGetDriverByName(name);
}
