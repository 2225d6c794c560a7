/* options.c -- the command line of cptscov, from one table.
 * The same table drives parsing, --help and the man page (help.c), so they cannot drift apart.
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
#include "options_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/util.h"

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

const option_spec *opt_spec(size_t i)
{
    return i < NOPTIONS ? &options[i] : NULL;
}

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
unsigned opt_where(const option_spec *o)
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

char opt_short(const option_spec *o)
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
            if (opt_short(&options[i]) == name[1])
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
        if (!spec || !(opt_where(spec) & where))
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
    return spec && (opt_where(spec) & where) ? spec : NULL;
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
                              opt_where(other) & OPT_INPUTS ? "[inputs]" : "a [scenario NAME]");
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
        if ((opt_where(&options[i]) & where) && is_set(src, &options[i]))
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
        if (!(opt_where(spec) & where) || !is_set(o, spec))
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

const char **opt_paths(const run_options *o, unsigned where, int *n)
{
    const char **paths = NULL;
    int cap = 0;
    *n = 0;
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_spec *spec = &options[i];
        if (!is_path(spec) || !(opt_where(spec) & where) || !is_set(o, spec))
            continue;
        const char *base = (const char *)o + spec->offset;
        if (spec->kind == OPT_LIST || spec->kind == OPT_SPLIT) {
            const string_list *l = (const string_list *)base;
            GROW(paths, cap, *n + l->n);
            for (int k = 0; k < l->n; k++)
                paths[(*n)++] = l->items[k];
        } else if (spec->kind == OPT_VALUE) {
            GROW(paths, cap, *n + 1);
            paths[(*n)++] = *(const char *const *)base;
        }
    }
    return paths;
}
