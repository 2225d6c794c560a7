/* options.c -- the command line of cptscov, from one table.
 * The same table drives parsing, --help and the man page, so they cannot drift apart.
 *
 * Each row names an option, its argument, where it lands in run_options and its help text;
 * adding an option is adding a row. Lists (--communes, --status, --format) may be repeated,
 * and --status and --format also take comma-separated values.
 *
 * `cptscov batch` reads the same options from an INI file: the [inputs] section takes those
 * that say how the inputs are read, each [scenario NAME] section those of a scenario, under
 * the option's name without "--". Which command or section takes an option is said by the
 * short table of places below, for the options that are not a scenario's; any other row is a
 * scenario option, so that an option added for `run` (a format, a language) works in a batch
 * with no other change, is listed under batch in --help, and is compared by the batch's
 * manifest (opt_normalise). */
#include "app/options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "write/map_writer.h"
#include "write/results.h"
#include "util/util.h"
#include "util/version.h"

/* OPT_SPLIT: a list that also takes comma-separated values. */
typedef enum opt_kind { OPT_FLAG, OPT_VALUE, OPT_LIST, OPT_SPLIT, OPT_COUNT, OPT_METRES } opt_kind;

typedef struct option_spec {
    const char *name;
    const char *arg;      /* NULL for a flag */
    opt_kind kind;
    size_t offset;        /* into run_options */
    const char *help;
} option_spec;

#define INPUT (OPT_RUN | OPT_INPUTS)
#define INPUT_PATH (OPT_RUN | OPT_INPUTS | OPT_PATH)
#define BOTH (OPT_RUN | OPT_BATCH)

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
     "Threads of each pool of tasks: validity checks, areas, dissolves, the maps' projection "
     "and formats (default: as many as the machine has cores). The polygons read ahead of "
     "the tables and the report's simplification and drawing run on threads of their own "
     "beside them; the outputs are the same for any N."},
    {"--timings", NULL, OPT_FLAG, AT(timings), "Print the time of each stage on stderr."},
    {"--quiet", NULL, OPT_FLAG, AT(quiet),
     "Print nothing but errors (batch: one line per scenario, no progress bar, and the table)."},
    {"--jobs", "N", OPT_COUNT, AT(jobs),
     "Batch: scenarios computed at once, each on a thread of its own (default: as many as the "
     "machine has cores)."},
    {"--force", NULL, OPT_FLAG, AT(force),
     "Batch: redo every scenario, even those whose inputs and options are unchanged."},
    {"--help", NULL, OPT_FLAG, AT(help), "Print this help and exit."},
    {"--version", NULL, OPT_FLAG, AT(version),
     "Print the versions of cptscov, GDAL, GEOS and PROJ and exit."},
    {"--man", NULL, OPT_FLAG, AT(man), "Print the manual page (troff) and exit."},
};

#define NOPTIONS (sizeof options / sizeof options[0])

/* Where an option is taken, for those that are not a scenario's (the table's "commands"
 * column, kept apart so that a row added to the table above needs nothing more): an option
 * absent from here is an option of a scenario, taken by run and as a key of [scenario NAME]. */
typedef struct option_place {
    const char *name;
    unsigned commands;    /* OPT_RUN, OPT_BATCH, OPT_INPUTS, OPT_PATH (options.h) */
    char short_name;      /* a one-letter form (-j), or 0 */
} option_place;

static const option_place places[] = {
    {"--communes", INPUT_PATH, 0},
    {"--code-field", INPUT, 0},
    {"--free-codes", INPUT, 0},
    {"--population", INPUT_PATH, 0},
    {"--pop-code", INPUT, 0},
    {"--pop-dep", INPUT, 0},
    {"--pop-reg", INPUT, 0},
    {"--pop-count", INPUT, 0},
    {"--passage", INPUT_PATH, 0},
    {"--passage-from", INPUT, 0},
    {"--passage-to", INPUT, 0},
    {"--members", INPUT_PATH, 0},
    {"--epci", INPUT_PATH, 0},
    {"--out", BOTH, 0},
    {"--threads", OPT_RUN, 0},
    {"--timings", BOTH, 0},
    {"--quiet", BOTH, 0},
    {"--jobs", OPT_BATCH, 'j'},
    {"--force", OPT_BATCH, 0},
    {"--help", BOTH, 0},
    {"--version", BOTH, 0},
    {"--man", BOTH, 0},
};

#define NPLACES (sizeof places / sizeof places[0])

static void list_add(string_list *l, const char *s)
{
    GROW(l->items, l->cap, l->n + 1);
    l->items[l->n++] = s;
}

static const option_place *place_of(const option_spec *o)
{
    for (size_t i = 0; i < NPLACES; i++)
        if (strcmp(places[i].name, o->name) == 0)
            return &places[i];
    return NULL;
}

/* Where a row is taken: its place, or a scenario option's when it has none. */
static unsigned where_of(const option_spec *o)
{
    const option_place *p = place_of(o);
    unsigned w = p ? p->commands & (OPT_RUN | OPT_BATCH | OPT_INPUTS | OPT_SCENARIO) : 0;
    return w ? w : OPT_RUN | OPT_SCENARIO;
}

static int is_path(const option_spec *o)
{
    const option_place *p = place_of(o);
    return p && (p->commands & OPT_PATH);
}

static char short_of(const option_spec *o)
{
    const option_place *p = place_of(o);
    return p ? p->short_name : 0;
}

static const option_spec *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
            return &options[i];
    if (len == 2 && name[0] == '-' && name[1] != '-')
        for (size_t i = 0; i < NOPTIONS; i++)
            if (short_of(&options[i]) == name[1])
                return &options[i];
    return NULL;
}

/* Adds the comma-separated pieces of value to l (the pieces are owned by o). Returns how many. */
static int add_pieces(run_options *o, string_list *l, const char *value)
{
    int before = l->n;
    char *copy = xstrdup(value), *save = NULL;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        char *item = str_trim_dup(p);
        if (!item[0]) {
            free(item);
            continue;
        }
        list_add(&o->owned, item);
        list_add(l, item);
    }
    free(copy);
    return l->n - before;
}

/* Stores value into the field of spec. In an INI file (file set), lists take comma-separated
 * values and keep what the file owns; on the command line, values are argv's. */
static int store(run_options *o, const option_spec *spec, const char *value, const char *file,
                 long line, const char *key)
{
    char *base = (char *)o + spec->offset;
    if (spec->kind == OPT_FLAG) {
        if (file) {
            if (str_ieq(value, "true") || str_ieq(value, "yes") || strcmp(value, "1") == 0)
                *(int *)base = 1;
            else if (str_ieq(value, "false") || str_ieq(value, "no") || strcmp(value, "0") == 0)
                *(int *)base = 0;
            else
                return diag_error(file, line, "%s = \"%s\": write true or false", key, value);
        } else {
            *(int *)base = 1;
        }
        return 0;
    }
    if (spec->kind == OPT_COUNT) {
        char *end;
        long n = strtol(value, &end, 10);
        if (*end || n < 1 || n > 1024)
            return diag_error(file, line, "%s \"%s\" is not a number from 1 to 1024",
                              file ? key : spec->name, value);
        *(int *)base = (int)n;
    } else if (spec->kind == OPT_METRES) {
        char *end;
        double m = strtod(value, &end);
        if (*end || end == value || !isfinite(m) || m <= 0 || m > 1e6)
            return diag_error(file, line, "%s \"%s\" is not a length in metres; give a number "
                              "above 0 and up to 1000000, e.g. 100", file ? key : spec->name,
                              value);
        if (*(double *)base > 0)
            return diag_error(file, line, "%s is given twice; give it once",
                              file ? key : spec->name);
        *(double *)base = m;
    } else if (spec->kind == OPT_VALUE) {
        const char **dst = (const char **)base;
        if (*dst)
            return diag_error(file, line, "%s is given twice; give it once",
                              file ? key : spec->name);
        if (file) {
            char *copy = xstrdup(value);
            list_add(&o->owned, copy);
            value = copy;
        }
        *dst = value;
    } else if (file || spec->kind == OPT_SPLIT) {
        /* Comma-separated values: split into the list (the pieces live in o->owned). */
        if (add_pieces(o, (string_list *)base, value) == 0) /* "," alone would mean the default */
            return diag_error(file, line, "%s \"%s\" names nothing; see cptscov --help",
                              file ? key : spec->name, value);
    } else {
        list_add((string_list *)base, value);
    }
    return 0;
}

int opt_parse_for(run_options *o, int argc, char **argv, int first, unsigned where)
{
    memset(o, 0, sizeof *o);
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (where == OPT_BATCH && a[0] != '-' && !o->config) {
            o->config = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t len = eq && strncmp(a, "--", 2) == 0 ? (size_t)(eq - a) : strlen(a);
        if (a[0] == '-' && a[1] && a[1] != '-' && a[2]) { /* -j4: a short form and its value */
            len = 2;
            eq = a + 1;
        }
        const option_spec *spec = a[0] == '-' ? find_option(a, len) : NULL;
        if (!spec || !(where_of(spec) & where))
            return diag_error(NULL, 0, "unknown argument \"%s\"; see cptscov --help", a);
        if (spec->kind == OPT_FLAG) {
            if (eq)
                return diag_error(NULL, 0, "%s takes no value; see cptscov --help", spec->name);
            *(int *)((char *)o + spec->offset) = 1;
            continue;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value || !value[0] ||
            (!eq && strncmp(value, "--", 2) == 0 && find_option(value, strlen(value))))
            return diag_error(NULL, 0, "%s needs a value (%s); see cptscov --help", spec->name,
                              spec->arg);
        if (store(o, spec, value, NULL, 0, NULL) < 0)
            return -1;
    }
    return 0;
}

int opt_parse(run_options *o, int argc, char **argv, int first)
{
    return opt_parse_for(o, argc, argv, first, OPT_RUN);
}

void opt_free(run_options *o)
{
    for (int i = 0; i < o->owned.n; i++)
        free((char *)o->owned.items[i]);
    free(o->owned.items);
    free(o->status.items);
    free(o->formats.items);
    free(o->communes.items);
    memset(o, 0, sizeof *o);
}

/* The row a key of an INI section names: "as_of" and "as-of" for --as-of, and the plural of a
 * list ("formats" for --format). NULL when none, or not taken in that section. */
static const option_spec *find_key(const char *key, unsigned where)
{
    char name[64];
    size_t n = strlen(key);
    if (n + 3 > sizeof name)
        return NULL;
    name[0] = name[1] = '-';
    for (size_t i = 0; i <= n; i++)
        name[i + 2] = key[i] == '_' ? '-' : key[i];
    const option_spec *spec = find_option(name, n + 2);
    if (!spec && n > 1 && name[n + 1] == 's') {
        spec = find_option(name, n + 1);
        if (spec && spec->kind != OPT_LIST && spec->kind != OPT_SPLIT)
            spec = NULL;
    }
    return spec && (where_of(spec) & where) ? spec : NULL;
}

int opt_set_key(run_options *o, const char *key, const char *value, unsigned where,
                const char *base_dir, const char *file, long line)
{
    const option_spec *spec = find_key(key, where);
    if (!spec) {
        /* Say where the key belongs when it is an option of the other section. */
        const option_spec *other = find_key(key, OPT_INPUTS | OPT_SCENARIO);
        if (other)
            return diag_error(file, line, "\"%s\" belongs in %s, not here", key,
                              where_of(other) & OPT_INPUTS ? "[inputs]" : "a [scenario NAME]");
        return diag_error(file, line, "unknown key \"%s\"; the keys are the options of cptscov run "
                          "without \"--\" (see cptscov --help)", key);
    }
    if (!value || !value[0])
        return diag_error(file, line, "%s needs a value (%s)", key, spec->arg ? spec->arg : "true");
    if (!is_path(spec) || !base_dir || strcmp(base_dir, ".") == 0)
        return store(o, spec, value, file, line, key);
    /* Paths relative to the INI file; for a list, each piece. */
    char *copy = xstrdup(value), *save = NULL;
    int rc = 0, any = 0;
    for (char *p = strtok_r(copy, ",", &save); p && rc == 0; p = strtok_r(NULL, ",", &save)) {
        char *item = str_trim_dup(p);
        if (item[0]) {
            char *path = item[0] == '/' ? xstrdup(item) : xasprintf("%s/%s", base_dir, item);
            rc = store(o, spec, path, file, line, key);
            free(path);
            any = 1;
        }
        free(item);
        if (spec->kind != OPT_LIST && spec->kind != OPT_SPLIT)
            break;
    }
    free(copy);
    if (rc == 0 && !any)
        rc = diag_error(file, line, "%s needs a value (%s)", key, spec->arg);
    return rc;
}

static size_t field_size(const option_spec *spec)
{
    switch (spec->kind) {
    case OPT_LIST:
    case OPT_SPLIT: return sizeof(string_list);
    case OPT_VALUE: return sizeof(const char *);
    case OPT_METRES: return sizeof(double);
    default: return sizeof(int);
    }
}

static int is_set(const run_options *o, const option_spec *spec)
{
    const char *base = (const char *)o + spec->offset;
    switch (spec->kind) {
    case OPT_LIST:
    case OPT_SPLIT: return ((const string_list *)base)->n > 0;
    case OPT_VALUE: return *(const char *const *)base != NULL;
    case OPT_METRES: return *(const double *)base != 0;
    default: return *(const int *)base != 0;
    }
}

void opt_merge(run_options *dst, const run_options *src, unsigned where)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if ((where_of(&options[i]) & where) && is_set(src, &options[i]))
            memcpy((char *)dst + options[i].offset, (const char *)src + options[i].offset,
                   field_size(&options[i]));
}

char *opt_normalise(const run_options *o, unsigned where)
{
    size_t cap = 256, n = 0;
    char *s = xmalloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_spec *spec = &options[i];
        if (!(where_of(spec) & where) || !is_set(o, spec))
            continue;
        const char *base = (const char *)o + spec->offset;
        char *v;
        if (spec->kind == OPT_LIST || spec->kind == OPT_SPLIT) {
            const string_list *l = (const string_list *)base;
            size_t len = 1;
            for (int k = 0; k < l->n; k++)
                len += strlen(l->items[k]) + 1;
            v = xmalloc(len);
            v[0] = '\0';
            for (int k = 0; k < l->n; k++) {
                if (k)
                    strcat(v, ",");
                strcat(v, l->items[k]);
            }
        } else if (spec->kind == OPT_VALUE) {
            v = xstrdup(*(const char *const *)base);
        } else if (spec->kind == OPT_METRES) {
            v = xasprintf("%.17g", *(const double *)base);
        } else {
            v = xasprintf("%d", *(const int *)base);
        }
        size_t need = strlen(spec->name) + strlen(v) + 3;
        while (n + need >= cap) {
            cap *= 2;
            s = xrealloc(s, cap);
        }
        n += (size_t)snprintf(s + n, cap - n, "%s=%s\n", spec->name + 2, v);
        free(v);
    }
    return s;
}

int opt_paths(const run_options *o, unsigned where, const char **paths, int max)
{
    int n = 0;
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_spec *spec = &options[i];
        if (!is_path(spec) || !(where_of(spec) & where) || !is_set(o, spec))
            continue;
        const char *base = (const char *)o + spec->offset;
        if (spec->kind == OPT_LIST || spec->kind == OPT_SPLIT) {
            const string_list *l = (const string_list *)base;
            for (int k = 0; k < l->n && n < max; k++)
                paths[n++] = l->items[k];
        } else if (spec->kind == OPT_VALUE && n < max) {
            paths[n++] = *(const char *const *)base;
        }
    }
    return n;
}

static const char usage[] =
    "cptscov run --communes PATH [--communes PATH ...] --population CSV [--passage CSV]\n"
    "            --members CSV [--epci CSV] [--status signed|project|letter ...]\n"
    "            [--as-of YYYY-MM-DD] [--scope region:CODES|dep:CODES]\n"
    "            [--format geojson,gpkg,fgb,shp] --out DIR\n"
    "       cptscov batch CONFIG --out OUT [-j N] [--force] [--quiet]";

static const char description[] =
    "Joins commune polygons, a population table and CPTS memberships, carries every code to "
    "the population table's vintage, and writes the population covered by CPTS per CPTS, "
    "department, region and nation, as CSV tables, summary.json and maps (GeoJSON, GeoPackage, "
    "FlatGeobuf, Shapefile).";

static const char batch_description[] =
    "cptscov batch reads the inputs once and writes many scenarios, each into OUT/NAME/ exactly "
    "as cptscov run would. CONFIG is an INI file: one [inputs] section whose keys are the "
    "options marked [inputs] below, without \"--\" (communes = a comma-separated list of "
    "layers; paths relative to CONFIG), and any number of [scenario NAME] sections whose keys "
    "are the options marked [scenario] (status = signed,project, as_of = 2024-12-31, scope = "
    "region:53, ...). NAME is made of letters, digits, '-', '_' and '.'. OUT/manifest.json "
    "records each scenario's inputs (size, time, SHA-256), options and a digest of the data it "
    "shows: a scenario whose inputs and options are unchanged is skipped, and a change to the "
    "inputs redoes only the scenarios whose data it changes (--force redoes all). A scenario "
    "that fails does not stop the others.";

/* The files of an output, named from the writers' own lists (the tables, the maps, the
 * formats' paths), so that --help and the man page cannot miss one; malloc'd. */
static char *outputs_text(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&text, &size);
    if (!m)
        return xstrdup("");
    fputs("Outputs, in --out (batch: in OUT/NAME/ for each scenario, and OUT/manifest.json): "
          "the tables", m);
    for (int i = 0; write_tables_layout(i); i++)
        fprintf(m, "%s %s.csv", i ? "," : "", write_tables_layout(i)->name);
    fputs("; summary.json; report.md; report.html, whose maps are also written alone as "
          "maps/NAME.svg; the maps NAME =", m);
    for (int i = 0; write_maps_layout(i); i++)
        fprintf(m, "%s %s", i ? "," : "", write_maps_layout(i)->name);
    fputs(", by --format:", m);
    for (int f = 0; f < MAP_NFORMATS; f++) {
        char *path = write_maps_path(NULL, "NAME", (map_format)f);
        fprintf(m, "%s %s (%s%s)", f ? "," : "", path, mw_format_name((map_format)f),
                f == MAP_GEOJSON ? ", the default" : f == MAP_GPKG ? ": every map and table" : "");
        free(path);
    }
    fputs(".", m);
    fclose(m);
    return text;
}

/* Where the option is taken, for the help and the man page. */
static const char *where_text(const option_spec *o)
{
    unsigned w = where_of(o);
    if ((w & OPT_INPUTS) && (w & OPT_RUN))
        return "run; batch: key of [inputs]";
    if ((w & OPT_SCENARIO) && (w & OPT_RUN))
        return "run; batch: key of [scenario NAME]";
    if ((w & OPT_RUN) && (w & OPT_BATCH))
        return "run and batch";
    return w & OPT_BATCH ? "batch" : "run";
}

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
    fputc('\n', f);
    wrap(f, batch_description, 0, 80);
    fprintf(f, "\nOptions:\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_spec *o = &options[i];
        char shortform[8] = "";
        if (short_of(o))
            snprintf(shortform, sizeof shortform, ", -%c", short_of(o));
        fprintf(f, "  %s%s%s%s\n", o->name, shortform, o->arg ? " " : "", o->arg ? o->arg : "");
        char *text = xasprintf("%s (%s)", o->help, where_text(o));
        wrap(f, text, 6, 80);
        free(text);
    }
    fputc('\n', f);
    char *outputs = outputs_text();
    wrap(f, outputs, 0, 80);
    free(outputs);
    fprintf(f, "\nExit status: 0 done, 1 error in the inputs or while writing (nothing written;\n"
               "batch: one scenario or more failed, the others are written), 2 usage error.\n");
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
    fprintf(f, "\n.PP\n");
    troff(f, batch_description);
    fprintf(f, "\n.SH OPTIONS\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        fprintf(f, ".TP\n.B ");
        troff(f, options[i].name);
        if (short_of(&options[i]))
            fprintf(f, ", \\-%c", short_of(&options[i]));
        if (options[i].arg) {
            fprintf(f, " \\fI");
            troff(f, options[i].arg);
            fprintf(f, "\\fR");
        }
        fputc('\n', f);
        troff(f, options[i].help);
        fprintf(f, " (");
        troff(f, where_text(&options[i]));
        fprintf(f, ")\n");
    }
    fprintf(f, ".SH FILES\n");
    char *outputs = outputs_text();
    troff(f, outputs);
    free(outputs);
    fprintf(f, "\n.SH EXIT STATUS\n0 done; 1 error in the inputs or while writing (nothing is "
               "written), or, for batch, one scenario or more failed (the others are written); "
               "2 usage error, or an error in the batch's INI file.\n");
}
