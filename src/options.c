/* options.c -- the command line of cptscov, from one table.
 * The same table drives parsing, --help and the man page, so they cannot drift apart.
 *
 * Each row names an option, its argument, where it lands in run_options and its help text;
 * adding an option is adding a row. Lists (--communes, --status, --format) may be repeated,
 * and --status and --format also take comma-separated values. */
#include "options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "version.h"

/* OPT_SPLIT: a list that also takes comma-separated values. */
typedef enum opt_kind { OPT_FLAG, OPT_VALUE, OPT_LIST, OPT_SPLIT, OPT_COUNT, OPT_METRES } opt_kind;

typedef struct option_spec {
    const char *name;
    const char *arg;      /* NULL for a flag */
    opt_kind kind;
    size_t offset;        /* into run_options */
    const char *help;
} option_spec;

#define AT(field) offsetof(run_options, field)

static const option_spec options[] = {
    {"--communes", "PATH", OPT_LIST, AT(communes),
     "Commune polygons: any OGR vector source (Shapefile, GeoPackage, GeoJSON, FlatGeobuf), each "
     "in its own CRS. Repeat for each territory. Required."},
    {"--code-field", "NAME", OPT_VALUE, AT(code_field),
     "Field of the commune code in the polygons (default: the first of INSEE_COM, insee_com, "
     "code, CODGEO)."},
    {"--free-codes", NULL, OPT_FLAG, AT(free_codes),
     "Take commune codes as free identifiers (1 to 15 letters, digits, _ or -; departments and "
     "regions 1 to 3) instead of INSEE codes, and repair none: for synthetic or foreign data."},
    {"--population", "CSV", OPT_VALUE, AT(population),
     "INSEE-style population table, `;`, `,` or tab separated, one row per current commune. "
     "Its codes are the vintage everything is carried to. Required."},
    {"--pop-code", "COLUMN", OPT_VALUE, AT(pop_code),
     "Column of the commune code in the population table (default: COM or CODGEO)."},
    {"--pop-dep", "COLUMN", OPT_VALUE, AT(pop_dep),
     "Column of the department code (default: DEP)."},
    {"--pop-reg", "COLUMN", OPT_VALUE, AT(pop_reg), "Column of the region code (default: REG)."},
    {"--pop-count", "COLUMN", OPT_VALUE, AT(pop_count),
     "Column of the municipal population (default: PMUN or population)."},
    {"--passage", "CSV", OPT_VALUE, AT(passage),
     "Table from older commune codes to current ones (CODGEO_INI;CODGEO_2025). Polygons of "
     "merged communes are dissolved into their current commune."},
    {"--passage-from", "COLUMN", OPT_VALUE, AT(passage_from),
     "Column of the old codes in the passage table (default: CODGEO_INI)."},
    {"--passage-to", "COLUMN", OPT_VALUE, AT(passage_to),
     "Column of the current codes in the passage table (default: the first CODGEO_<year>)."},
    {"--members", "CSV", OPT_VALUE, AT(members),
     "CPTS memberships, one row per (CPTS, commune): cpts_id;cpts_name;insee_com;status;"
     "signed_on. insee_com may be EPCI:<SIREN> for a whole EPCI (needs --epci). Required."},
    {"--epci", "CSV", OPT_VALUE, AT(epci),
     "Communes of each EPCI (EPCI;LIBEPCI;NATURE;COM), for memberships by EPCI."},
    {"--status", "LIST", OPT_SPLIT, AT(status),
     "Statuses that count as covering: signed, project, letter; repeat or separate with commas "
     "(default: signed)."},
    {"--as-of", "YYYY-MM-DD", OPT_VALUE, AT(as_of),
     "Count only CPTS signed on or before that date (CPTS without a date then never count)."},
    {"--scope", "region:CODES|dep:CODES", OPT_VALUE, AT(scope),
     "Show only these regions or departments (comma-separated codes, e.g. region:53 or "
     "dep:35,22): tables, maps and summary keep the territories with a commune there (a CPTS "
     "or zone whole); the national figures stay in summary.json for reference."},
    {"--out", "DIR", OPT_VALUE, AT(out),
     "Output directory, written whole or not at all; a previous cptscov output there is "
     "replaced. Required."},
    {"--format", "LIST", OPT_SPLIT, AT(formats),
     "Formats of the maps: geojson (RFC 7946, one file per map), gpkg (one GeoPackage, "
     "cptscov.gpkg, with every map, the coverage tables and QGIS styles), fgb (FlatGeobuf, one "
     "file per map, with a spatial index), shp (Shapefile, one per map in shp/); repeat or "
     "separate with commas (default: geojson)."},
    {"--geojson-engine", "stream|gdal", OPT_VALUE, AT(geojson_engine),
     "Who writes the GeoJSON maps: cptscov's streaming writer (default, fast) or GDAL's "
     "GeoJSON driver (the reference; the same features, several times slower)."},
    {"--lang", "fr|en", OPT_VALUE, AT(lang),
     "Language of report.md and report.html: French (default) or English, numbers and dates written the way "
     "each writes them (69,7 %, 48 924; 69.7%, 48,924)."},
    {"--simplify", "TOLERANCE_M", OPT_METRES, AT(simplify_m),
     "Simplify the geometries of the GeoJSON maps with this tolerance in metres (e.g. 100), "
     "each shared border once, so that neighbours never show gaps or overlaps; attributes, "
     "areas and figures stay those of the exact polygons (default: exact polygons)."},
    {"--strict", NULL, OPT_FLAG, AT(strict),
     "Treat join issues (unknown codes, repairs, partial memberships...) as errors."},
    {"--threads", "N", OPT_COUNT, AT(threads),
     "Threads for the dissolves (default: as many as the machine has cores)."},
    {"--timings", NULL, OPT_FLAG, AT(timings), "Print the time of each stage on stderr."},
    {"--quiet", NULL, OPT_FLAG, AT(quiet), "Print nothing but errors."},
    {"--help", NULL, OPT_FLAG, AT(help), "Print this help and exit."},
    {"--version", NULL, OPT_FLAG, AT(version),
     "Print the versions of cptscov, GDAL, GEOS and PROJ and exit."},
    {"--man", NULL, OPT_FLAG, AT(man), "Print the manual page (troff) and exit."},
};

#define NOPTIONS (sizeof options / sizeof options[0])

static void list_add(string_list *l, const char *s)
{
    GROW(l->items, l->cap, l->n + 1);
    l->items[l->n++] = s;
}

static const option_spec *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

int opt_parse(run_options *o, int argc, char **argv, int first)
{
    memset(o, 0, sizeof *o);
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        size_t len = eq && strncmp(a, "--", 2) == 0 ? (size_t)(eq - a) : strlen(a);
        const option_spec *spec = strncmp(a, "--", 2) == 0 ? find_option(a, len) : NULL;
        if (!spec)
            return diag_error(NULL, 0, "unknown argument \"%s\"; see cptscov --help", a);
        char *base = (char *)o + spec->offset;
        if (spec->kind == OPT_FLAG) {
            if (eq)
                return diag_error(NULL, 0, "%s takes no value; see cptscov --help", spec->name);
            *(int *)base = 1;
            continue;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value || !value[0] ||
            (!eq && strncmp(value, "--", 2) == 0 && find_option(value, strlen(value))))
            return diag_error(NULL, 0, "%s needs a value (%s); see cptscov --help", spec->name,
                              spec->arg);
        if (spec->kind == OPT_COUNT) {
            char *end;
            long n = strtol(value, &end, 10);
            if (*end || n < 1 || n > 1024)
                return diag_error(NULL, 0, "%s \"%s\" is not a number from 1 to 1024", spec->name,
                                  value);
            *(int *)base = (int)n;
        } else if (spec->kind == OPT_METRES) {
            char *end;
            double m = strtod(value, &end);
            if (*end || end == value || !isfinite(m) || m <= 0 || m > 1e6)
                return diag_error(NULL, 0, "%s \"%s\" is not a length in metres; give a number "
                                  "above 0 and up to 1000000, e.g. 100", spec->name, value);
            if (*(double *)base > 0)
                return diag_error(NULL, 0, "%s is given twice; give it once", spec->name);
            *(double *)base = m;
        } else if (spec->kind == OPT_VALUE) {
            const char **dst = (const char **)base;
            if (*dst)
                return diag_error(NULL, 0, "%s is given twice; give it once", spec->name);
            *dst = value;
        } else if (spec->kind == OPT_SPLIT) {
            /* Comma-separated values: split into the list (the pieces live in the list). */
            string_list *l = (string_list *)base;
            int before = l->n;
            char *copy = xstrdup(value), *save = NULL;
            for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
                list_add(l, xstrdup(p));
            free(copy);
            if (l->n == before) /* "," alone would silently mean the default */
                return diag_error(NULL, 0, "%s \"%s\" names nothing; see cptscov --help",
                                  spec->name, value);
        } else {
            list_add((string_list *)base, value);
        }
    }
    return 0;
}

void opt_free(run_options *o)
{
    for (int i = 0; i < o->status.n; i++)
        free((char *)o->status.items[i]);
    free(o->status.items);
    for (int i = 0; i < o->formats.n; i++)
        free((char *)o->formats.items[i]);
    free(o->formats.items);
    free(o->communes.items);
    memset(o, 0, sizeof *o);
}

static const char usage[] =
    "cptscov run --communes PATH [--communes PATH ...] --population CSV [--passage CSV]\n"
    "            --members CSV [--epci CSV] [--status signed|project|letter ...]\n"
    "            [--as-of YYYY-MM-DD] [--scope region:CODES|dep:CODES]\n"
    "            [--format geojson,gpkg,fgb,shp] --out DIR";

static const char description[] =
    "Joins commune polygons, a population table and CPTS memberships, carries every code to "
    "the population table's vintage, and writes the population covered by CPTS per CPTS, "
    "department, region and nation, as CSV tables, summary.json and maps (GeoJSON, GeoPackage, "
    "FlatGeobuf, Shapefile).";

/* Writes text wrapped at width columns, each line indented by indent. */
static void wrap(FILE *f, const char *text, int indent, int width)
{
    int col = indent;
    fprintf(f, "%*s", indent, "");
    while (*text) {
        size_t w = strcspn(text, " ");
        if (col > indent && col + 1 + (int)w > width) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fwrite(text, 1, w, f);
        col += (int)w;
        text += w;
        while (*text == ' ')
            text++;
    }
    fputc('\n', f);
}

void opt_print_help(FILE *f)
{
    fprintf(f, "Usage: %s\n\n", usage);
    wrap(f, description, 0, 80);
    fprintf(f, "\nOptions:\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        fprintf(f, "  %s%s%s\n", options[i].name, options[i].arg ? " " : "",
                options[i].arg ? options[i].arg : "");
        wrap(f, options[i].help, 6, 80);
    }
    fprintf(f, "\nExit status: 0 done, 1 error in the inputs or while writing (nothing written),\n"
               "2 usage error. Outputs: coverage_departments.csv, coverage_regions.csv,\n"
               "coverage_cpts.csv, coverage_timeline.csv, join_issues.csv, summary.json,\n"
               "report.md, and the maps communes.geojson, cpts.geojson, departments.geojson,\n"
               "regions.geojson, uncovered.geojson (by --format, also or instead: cptscov.gpkg,\n"
               "NAME.fgb, shp/NAME.shp).\n");
}

/* Writes s escaped for troff. */
static void troff(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

void opt_print_man(FILE *f)
{
    fprintf(f, ".TH CPTSCOV 1 \"\" \"cptscov %s\" \"User Commands\"\n.SH NAME\n"
               "cptscov \\- population covered by CPTS, per territory, with maps\n"
               ".SH SYNOPSIS\n.nf\n", CPTSCOV_VERSION);
    troff(f, usage);
    fprintf(f, "\n.fi\n.SH DESCRIPTION\n");
    troff(f, description);
    fprintf(f, "\n.SH OPTIONS\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        fprintf(f, ".TP\n.B ");
        troff(f, options[i].name);
        if (options[i].arg) {
            fprintf(f, " \\fI");
            troff(f, options[i].arg);
            fprintf(f, "\\fR");
        }
        fputc('\n', f);
        troff(f, options[i].help);
        fputc('\n', f);
    }
    fprintf(f, ".SH EXIT STATUS\n0 done; 1 error in the inputs or while writing (nothing is "
               "written); 2 usage error.\n");
}
