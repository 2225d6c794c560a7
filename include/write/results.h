/* results.h -- everything the writers read: the model and what the analyses made of it.
 * Writers take a const run_results and never join or compute coverage themselves. */
#ifndef CPTSCOV_RESULTS_H
#define CPTSCOV_RESULTS_H

#include "model/commune_table.h"
#include "analyse/coverage.h"
#include "util/diag.h"
#include "model/input_file.h"
#include "write/map_writer.h"
#include "util/numfmt.h"
#include "analyse/scope.h"
#include "geom/shape.h"
#include "analyse/timeline.h"
#include "geom/outline.h"
#include "analyse/zones.h"

typedef struct run_results {
    const commune_table *table;
    const coverage_report *coverage;
    /* The part of the country shown (--scope); NULL: the whole country. Writers show only
     * what scope_has_commune/_cpts/_department/_region/_zone accept; coverage->nation stays
     * the whole country's, for reference, and coverage->scope holds the scope's figures. */
    const coverage_scope *scope;
    const shape *cpts_shapes;        /* table->ncpts entries */
    const shape *department_shapes;  /* coverage->ndepartments entries */
    const shape *region_shapes;      /* coverage->nregions entries */
    const zone_list *zones;
    const join_issues *issues;
    const input_file *inputs;
    int ninputs;
    map_engine geojson_engine;       /* who writes the GeoJSON maps */
    unsigned formats;                /* of the maps: bits 1 << map_format (0: GeoJSON) */
    int quiet;                       /* no warnings on stderr */
    const char *out_dir;             /* --out as given, to name files in messages */
    int threads;                     /* for the writers that use several (0: all cores) */
    const coverage_timeline *timeline; /* for the report and coverage_timeline.csv */
    report_lang lang;                /* of the report */
    const topo_simplified *simplified; /* --simplify: the maps' geometries from its arcs, or NULL */
    /* The exact arcs and their points in WGS84: the GeoJSON maps trace the territories whose
     * shape is traced (shape.traced) from them (NULL: from the shapes' polygons). */
    const topo_simplified *arcs;
    const double *arcs_lonlat;
    double simplify_m;               /* its tolerance in metres (0 without --simplify) */
} run_results;

/* Each writes its files into dir; returns 0, or -1 after diag_error. */
int write_tables(const char *dir, const run_results *r);   /* the coverage_*.csv (timeline
                                                              included), join_issues.csv */
int write_summary(const char *dir, const run_results *r);  /* summary.json */
/* The five maps in each of r->formats: NAME.geojson, NAME.fgb, shp/NAME.shp, and
 * cptscov.gpkg (the maps, the coverage tables and the QGIS styles). */
int write_maps(const char *dir, const run_results *r);
/* The coverage tables (the CSV tables' content) as attribute tables of the GeoPackage f. */
int write_tables_into(map_file *f, const run_results *r, GEOSContextHandle_t h);
/* The layout of map i (0 communes, 1 cpts, 2 departments, 3 regions, 4 uncovered), or NULL. */
const map_layout *write_maps_layout(int i);
/* The file of map `map` in format f under dir (NULL: the path relative to --out):
 * DIR/NAME.geojson, DIR/NAME.fgb, DIR/shp/NAME.shp, DIR/cptscov.gpkg (map unused). */
char *write_maps_path(const char *dir, const char *map, map_format f);
/* The layout of table i (coverage_departments, ..., join_issues: NAME.csv), or NULL. */
const map_layout *write_tables_layout(int i);

#endif
