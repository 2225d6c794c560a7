/* test_svg_map.c -- the SVG maps: projection into the viewBox, the overseas insets, escaping.
 * Known points of Rennes and Paris must land where a hand computation puts them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "report/svg_map.h"

/* Lambert-93 of Rennes's town hall (48.1113 N, 1.6800 W) and of Notre-Dame de Paris
 * (48.8530 N, 2.3499 E), as `cs2cs EPSG:4326 EPSG:2154` gives them. */
#define RENNES_X 351904.5
#define RENNES_Y 6789310.6
#define PARIS_X 652297.0
#define PARIS_Y 6861636.4

/* The frame of the tests: a square of Lambert-93 from (100 km, 6050 km) to (1200 km, 7150 km). */
#define SQ_X0 100000.0
#define SQ_Y0 6050000.0
#define SQ_SIDE 1100000.0

static GEOSGeometry *rect(GEOSContextHandle_t h, double x, double y, double w, double hh)
{
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, 5, 2);
    double xs[5] = {x, x + w, x + w, x, x}, ys[5] = {y, y, y + hh, y + hh, y};
    for (unsigned k = 0; k < 5; k++)
        GEOSCoordSeq_setXY_r(h, s, k, xs[k], ys[k]);
    return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
}

/* A shape of one polygon in layer l (of nl layers). */
static shape one(GEOSGeometry *g, int l, int nl)
{
    shape s = {xcalloc((size_t)nl, sizeof(GEOSGeometry *)), nl, 0, 0};
    s.by_layer[l] = g;
    return s;
}

/* Adds a layer in longitude/latitude (WGS84). */
static void wgs84_layer(commune_table *t)
{
    commune_layer l = {0};
    l.path = xstrdup("lonlat");
    l.name = xstrdup("lonlat");
    l.crs_name = xstrdup("WGS 84");
    l.crs_id = xstrdup("EPSG:4326");
    PJ *p = proj_create_crs_to_crs(PJ_DEFAULT_CTX, "EPSG:4326", "EPSG:4326", NULL);
    l.to_wgs84 = proj_normalize_for_visualization(PJ_DEFAULT_CTX, p);
    proj_destroy(p);
    l.geographic = 1;
    ctab_add_layer(t, &l);
}

static char *render(svgm_map *m, const char *title)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(svgm_write(m, f, "test", title, ".dep{fill:#000}"), 0);
    fclose(f);
    return buf;
}

/* One frame, no inset, no legend: the square fills the width, 980 units from x = 10 (PAD),
 * below the title (y = 36), at 980 / 1 100 000 unit per metre. By hand:
 *   Rennes  x = 10 + (351904.5 - 100000) * 980 / 1.1e6 = 234.42
 *           y = 36 + (7150000 - 6789310.6) * 980 / 1.1e6 = 357.34
 *   Paris   x = 10 + (652297.0 - 100000) * 980 / 1.1e6 = 502.05
 *           y = 36 + (7150000 - 6861636.4) * 980 / 1.1e6 = 292.91 */
static void known_points_land_where_computed(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    ctab_init(&t, h);
    fix_layer(&t);
    shape sq = one(rect(h, SQ_X0, SQ_Y0, SQ_SIDE, SQ_SIDE), 0, 1);
    /* A 20 km square whose first corner is Rennes: its path starts where Rennes lands. */
    shape rn = one(rect(h, RENNES_X, RENNES_Y, 20000, 20000), 0, 1);
    svgm_map *m = svgm_new(&t, h, NULL);
    svgm_add(m, "35", &sq, "dep", NULL, "35");
    svgm_add(m, "35", &rn, "dep", "Rennes", NULL);
    svgm_layout(m);
    double x, y, w, hh;
    svgm_size(m, &w, &hh);
    assert_float_equal(w, 1000, 1e-9);
    assert_float_equal(hh, 36 + 980 + 10, 1e-9);
    assert_int_equal(svgm_lonlat(m, "35", -1.6800, 48.1113, &x, &y), 0);
    assert_float_equal(x, 234.42, 0.05);
    assert_float_equal(y, 357.34, 0.05);
    assert_int_equal(svgm_lonlat(m, "75", 2.3499, 48.8530, &x, &y), 0);
    assert_float_equal(x, 502.05, 0.05);
    assert_float_equal(y, 292.91, 0.05);
    char *svg = render(m, "Test");
    assert_non_null(strstr(svg, "d=\"M234 357l"));
    assert_non_null(strstr(svg, "viewBox=\"0 0 1000 1026\""));
    /* The square: 980 units a side, drawn with relative moves. */
    assert_non_null(strstr(svg, "<path class=\"dep\" data-code=\"35\" d=\"M10 1016l980 0 0-980-980 0z\"/>"));
    free(svg);
    svgm_free(m);
    shape_free(&t, &sq);
    shape_free(&t, &rn);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static int overlap(const double a[4], const double b[4])
{
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/* The five overseas departments, each a small square of longitude/latitude around a point of
 * it, with metropolitan France: every inset has its box, none overlaps the metropole nor
 * another, all sit in the viewBox, and a point of each lands inside its own box. */
static void insets_do_not_overlap_the_metropole(void **state)
{
    (void)state;
    static const struct { const char *dep; double lon, lat; } dom[] = {
        {"971", -61.55, 16.25}, {"972", -61.02, 14.64}, {"973", -53.0, 4.0},
        {"974", 55.53, -21.13}, {"976", 45.15, -12.82},
    };
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    ctab_init(&t, h);
    fix_layer(&t);
    wgs84_layer(&t);
    svgm_map *m = svgm_new(&t, h, NULL);
    shape shapes[6];
    shapes[0] = one(rect(h, SQ_X0, SQ_Y0, SQ_SIDE, SQ_SIDE), 0, 2);
    svgm_add(m, "35", &shapes[0], "dep", NULL, "35");
    for (int i = 0; i < 5; i++) {
        shapes[i + 1] = one(rect(h, dom[i].lon - 0.2, dom[i].lat - 0.2, 0.4, 0.4), 1, 2);
        svgm_add(m, dom[i].dep, &shapes[i + 1], "dep", NULL, dom[i].dep);
        svgm_frame_label(m, dom[i].dep, "<Île & co>");
    }
    svgm_layout(m);
    double metro[4], w, hh;
    svgm_size(m, &w, &hh);
    assert_int_equal(svgm_frame_box(m, "35", metro), 0);
    double boxes[5][4];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(svgm_frame_box(m, dom[i].dep, boxes[i]), 0);
        assert_false(overlap(boxes[i], metro));
        for (int j = 0; j < i; j++)
            assert_false(overlap(boxes[i], boxes[j]));
        assert_true(boxes[i][0] >= 0 && boxes[i][2] <= w && boxes[i][1] >= 0 && boxes[i][3] <= hh);
        double x, y;
        assert_int_equal(svgm_lonlat(m, dom[i].dep, dom[i].lon, dom[i].lat, &x, &y), 0);
        assert_true(x > boxes[i][0] && x < boxes[i][2] && y > boxes[i][1] && y < boxes[i][3]);
    }
    assert_true(metro[2] <= w && metro[3] <= hh);
    assert_int_equal(svgm_frame_box(m, "2A", metro), 0);   /* Corsica: the metropole */
    assert_int_equal(svgm_frame_box(m, "975", metro), -1);  /* not on the map */
    char *svg = render(m, "Insets");
    assert_non_null(strstr(svg, "&lt;Île &amp; co&gt;"));
    assert_null(strstr(svg, "<Île"));
    free(svg);
    svgm_free(m);
    for (int i = 0; i < 6; i++)
        shape_free(&t, &shapes[i]);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* The metropole (a Lambert-93 layer, drawn as it is) and Guadeloupe (a WGS84 layer, taken
 * to its UTM frame) drawn by a map that finds for itself which layer has its frame's CRS. */
static char *draw_two_frames(GEOSContextHandle_t h, commune_table *t, svgm_crs *shared)
{
    svgm_map *m = svgm_new(t, h, shared);
    shape metro = one(rect(h, SQ_X0, SQ_Y0, SQ_SIDE, SQ_SIDE), 0, 2);
    shape glp = one(rect(h, -61.75, 16.05, 0.4, 0.4), 1, 2);
    svgm_add(m, "35", &metro, "dep", NULL, "35");
    svgm_add(m, "971", &glp, "dep", NULL, "971");
    char *svg = render(m, "Two frames");
    svgm_free(m);
    shape_free(t, &metro);
    shape_free(t, &glp);
    return svg;
}

/* Maps that share their answers (svgm_crs, as the report's do, on several threads) draw
 * what a map finding them alone draws, whether the answers were found by an earlier map or
 * by this one. */
static void shared_crs_answers_draw_the_same(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    ctab_init(&t, h);
    fix_layer(&t);
    wgs84_layer(&t);
    char *alone = draw_two_frames(h, &t, NULL);
    svgm_crs *shared = svgm_crs_new(&t);
    char *first = draw_two_frames(h, &t, shared);
    char *second = draw_two_frames(h, &t, shared);
    assert_string_equal(first, alone);
    assert_string_equal(second, alone);
    assert_non_null(strstr(alone, "data-code=\"971\""));
    free(alone);
    free(first);
    free(second);
    svgm_crs_free(shared);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void frames_of_departments(void **state)
{
    (void)state;
    assert_string_equal(svgm_frame_of("35"), "");
    assert_string_equal(svgm_frame_of("2A"), "");
    assert_string_equal(svgm_frame_of("971"), "971");
    assert_string_equal(svgm_frame_of("976"), "976");
    assert_string_equal(svgm_frame_of("99"), "");
}

static void escapes_markup(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    svgm_escape(f, "<script>\"a\" & 'b'</script>\x01\n");
    svgm_escape(f, NULL);
    fclose(f);
    assert_string_equal(buf, "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;  ");
    free(buf);
}

/* Tooltips, classes and codes from the inputs are escaped in the map; a ring smaller than
 * a unit collapses and is not written; the legend is drawn. */
static void tooltips_escaped_and_tiny_rings_dropped(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    ctab_init(&t, h);
    fix_layer(&t);
    shape sq = one(rect(h, SQ_X0, SQ_Y0, SQ_SIDE, SQ_SIDE), 0, 1);
    shape tiny = one(rect(h, RENNES_X, RENNES_Y, 100, 100), 0, 1); /* 0.09 unit */
    svgm_map *m = svgm_new(&t, h, NULL);
    svgm_add(m, "35", &sq, "dep", "CPTS <b>\"Rance\"</b> & co", "3\"5");
    svgm_add(m, "35", &tiny, "tiny", NULL, NULL);
    svgm_legend(m, "dep", "moins de 20 % <");
    char *svg = render(m, "Title <x>");
    assert_non_null(strstr(svg, "<title>CPTS &lt;b&gt;&quot;Rance&quot;&lt;/b&gt; &amp; co</title>"));
    assert_non_null(strstr(svg, "data-code=\"3&quot;5\""));
    assert_non_null(strstr(svg, "<path class=\"tiny\" d=\"\"/>"));
    assert_non_null(strstr(svg, "moins de 20 % &lt;</text>"));
    assert_non_null(strstr(svg, "<title>Title &lt;x&gt;</title>"));
    assert_null(strstr(svg, "<x>"));
    free(svg);
    svgm_free(m);
    shape_free(&t, &sq);
    shape_free(&t, &tiny);
    ctab_free(&t);
    GEOS_finish_r(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_points_land_where_computed),
        cmocka_unit_test(insets_do_not_overlap_the_metropole),
        cmocka_unit_test(shared_crs_answers_draw_the_same),
        cmocka_unit_test(frames_of_departments),
        cmocka_unit_test(escapes_markup),
        cmocka_unit_test(tooltips_escaped_and_tiny_rings_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
