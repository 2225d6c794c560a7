/* map_styles.c -- QGIS styles for the maps of a GeoPackage: the layer_styles table.
 * Opened in QGIS, coverage shows as a choropleth without any styling by hand.
 *
 * QGIS looks, in a GeoPackage it opens, for a table layer_styles (its own convention, the
 * one it creates when a style is saved "in the database") and applies the row of a layer
 * whose useAsDefault is true. The style itself is a QML document, the XML QGIS saves to
 * .qml files: a <qgis> root holding a <renderer-v2>. Here the departments and regions are a
 * graduated choropleth of covered_pct in five classes of 20 points (fixed classes rather
 * than quantiles, so that maps of different runs compare); the communes categorized covered
 * or not (by an expression, so that the category does not depend on how a format stores a
 * boolean); the CPTS by status; the uncovered zones in a hatched red over everything. The
 * symbols use <prop> elements, which every QGIS 3 reads. Nothing from the inputs goes into
 * a style, so nothing needs escaping but the fixed texts below, written already escaped. */
#include "write/map_styles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* A fill symbol: fill colour, outline colour and width (mm), fill style. */
typedef struct fill_style {
    const char *color, *outline;
    double width;
    const char *style;
} fill_style;

static void put_symbol(FILE *f, int name, const fill_style *s)
{
    fprintf(f,
            "      <symbol type=\"fill\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" "
            "force_rhr=\"0\">\n"
            "        <layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\">\n"
            "          <prop k=\"border_width_map_unit_scale\" v=\"3x:0,0,0,0,0,0\"/>\n"
            "          <prop k=\"color\" v=\"%s\"/>\n"
            "          <prop k=\"joinstyle\" v=\"bevel\"/>\n"
            "          <prop k=\"offset\" v=\"0,0\"/>\n"
            "          <prop k=\"offset_unit\" v=\"MM\"/>\n"
            "          <prop k=\"outline_color\" v=\"%s\"/>\n"
            "          <prop k=\"outline_style\" v=\"solid\"/>\n"
            "          <prop k=\"outline_width\" v=\"%g\"/>\n"
            "          <prop k=\"outline_width_unit\" v=\"MM\"/>\n"
            "          <prop k=\"style\" v=\"%s\"/>\n"
            "        </layer>\n"
            "      </symbol>\n",
            name, s->color, s->outline, s->width, s->style);
}

static void put_head(FILE *f)
{
    fputs("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
          "<qgis version=\"3.28.0-Firenze\" styleCategories=\"Symbology\">\n", f);
}

static void put_tail(FILE *f)
{
    fputs("  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n"
          "  <layerOpacity>1</layerOpacity>\n  <layerGeometryType>2</layerGeometryType>\n"
          "</qgis>\n", f);
}

/* Covered share, 0 to 100, in five classes (light yellow to dark green). */
static void put_graduated(FILE *f)
{
    static const char *const colors[5] = {"255,255,204,255", "194,230,153,255",
                                          "120,198,121,255", "49,163,84,255", "0,104,55,255"};
    fputs("  <renderer-v2 type=\"graduatedSymbol\" attr=\"covered_pct\" "
          "graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" "
          "forceraster=\"0\" referencescale=\"-1\">\n    <ranges>\n", f);
    for (int i = 0; i < 5; i++)
        fprintf(f, "      <range render=\"true\" symbol=\"%d\" lower=\"%d.000000000000000\" "
                "upper=\"%d.000000000000000\" label=\"%d \xe2\x80\x93 %d %% covered\"/>\n",
                i, 20 * i, 20 * (i + 1), 20 * i, 20 * (i + 1));
    fputs("    </ranges>\n    <symbols>\n", f);
    for (int i = 0; i < 5; i++)
        put_symbol(f, i, &(fill_style){colors[i], "90,90,90,255", 0.26, "solid"});
    fputs("    </symbols>\n"
          "    <colorramp type=\"gradient\" name=\"[source]\">\n"
          "      <prop k=\"color1\" v=\"255,255,204,255\"/>\n"
          "      <prop k=\"color2\" v=\"0,104,55,255\"/>\n"
          "      <prop k=\"discrete\" v=\"0\"/>\n"
          "      <prop k=\"rampType\" v=\"gradient\"/>\n"
          "    </colorramp>\n"
          "    <classificationMethod id=\"EqualInterval\">\n"
          "      <symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n"
          "      <labelFormat format=\"%1 \xe2\x80\x93 %2\" labelprecision=\"0\" "
          "trimtrailingzeroes=\"1\"/>\n"
          "    </classificationMethod>\n"
          "  </renderer-v2>\n", f);
}

/* Categories of attr (an expression, escaped), each a value, a label and a symbol. */
static void put_categorized(FILE *f, const char *attr, const char *const *values,
                            const char *const *labels, const fill_style *styles, int n)
{
    fprintf(f, "  <renderer-v2 type=\"categorizedSymbol\" attr=\"%s\" symbollevels=\"0\" "
               "enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\">\n"
               "    <categories>\n", attr);
    for (int i = 0; i < n; i++)
        fprintf(f, "      <category render=\"true\" symbol=\"%d\" value=\"%s\" label=\"%s\"/>\n",
                i, values[i], labels[i]);
    fputs("    </categories>\n    <symbols>\n", f);
    for (int i = 0; i < n; i++)
        put_symbol(f, i, &styles[i]);
    fputs("    </symbols>\n  </renderer-v2>\n", f);
}

char *mst_qml(const char *layer)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    put_head(f);
    int known = 1;
    if (strcmp(layer, "departments") == 0 || strcmp(layer, "regions") == 0) {
        put_graduated(f);
    } else if (strcmp(layer, "communes") == 0) {
        static const char *const values[] = {"covered", "uncovered"};
        static const char *const labels[] = {"Covered by a CPTS", "Not covered"};
        static const fill_style styles[] = {{"120,198,121,255", "160,160,160,255", 0.1, "solid"},
                                            {"240,240,240,255", "160,160,160,255", 0.1, "solid"}};
        put_categorized(f, "if(&quot;covered&quot;, 'covered', 'uncovered')", values, labels,
                        styles, 2);
    } else if (strcmp(layer, "cpts") == 0) {
        static const char *const values[] = {"signed", "project", "letter"};
        static const char *const labels[] = {"Signed", "Project", "Letter of intent"};
        static const fill_style styles[] = {{"49,163,84,180", "0,104,55,255", 0.4, "solid"},
                                            {"253,174,97,180", "215,48,39,255", 0.4, "solid"},
                                            {"171,217,233,180", "69,117,180,255", 0.4, "solid"}};
        put_categorized(f, "status", values, labels, styles, 3);
    } else if (strcmp(layer, "uncovered") == 0) {
        fputs("  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
              "forceraster=\"0\" referencescale=\"-1\">\n    <symbols>\n", f);
        put_symbol(f, 0, &(fill_style){"227,26,28,255", "227,26,28,255", 0.8, "b_diagonal"});
        fputs("    </symbols>\n  </renderer-v2>\n", f);
    } else {
        known = 0;
    }
    put_tail(f);
    fclose(f);
    if (!known) {
        free(text);
        return NULL;
    }
    return text;
}

static const map_field style_fields[] = {
    {"f_table_catalog", MF_STRING, 0, NULL},   {"f_table_schema", MF_STRING, 0, NULL},
    {"f_table_name", MF_STRING, 0, NULL},      {"f_geometry_column", MF_STRING, 0, NULL},
    {"styleName", MF_STRING, 0, NULL},         {"styleQML", MF_STRING, 0, NULL},
    {"styleSLD", MF_STRING, 0, NULL},          {"useAsDefault", MF_BOOL, 0, NULL},
    {"description", MF_STRING, 0, NULL},       {"owner", MF_STRING, 0, NULL},
    {"ui", MF_STRING, 0, NULL},                {"update_time", MF_DATETIME, 0, NULL},
};

int mst_write(map_file *f, const map_layout *const *layouts, int n, GEOSContextHandle_t h)
{
    static const map_layout table = {"layer_styles", style_fields,
                                     (int)(sizeof style_fields / sizeof style_fields[0]), 1};
    map_writer *w = mw_open(NULL, f, &table, MAP_GPKG, ENGINE_GDAL, NULL, h);
    if (!w)
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char *qml = mst_qml(layouts[i]->name);
        if (!qml)
            continue;
        char *description = xasprintf("cptscov: %s coverage", layouts[i]->name);
        mw_begin(w);
        mw_string(w, "");
        mw_string(w, "");
        mw_string(w, layouts[i]->name);
        mw_string(w, "geom");                 /* GDAL's geometry column in a GeoPackage */
        mw_string(w, layouts[i]->name);
        mw_string(w, qml);
        mw_string(w, "");                     /* no SLD: QGIS reads the QML */
        mw_bool(w, 1);
        mw_string(w, description);
        mw_string(w, "cptscov");
        mw_null(w);
        mw_null(w);                           /* no time: re-runs give the same table */
        rc = mw_end(w, NULL);
        free(description);
        free(qml);
    }
    return mw_close(w, rc);
}
