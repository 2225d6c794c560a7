/* help.c -- the help of cptscov's two commands and their man page.
 * Both are made from the options table (options.c) and the writers' own lists of outputs. */
#include "app/help.h"
#include "options_internal.h"

#include <stdlib.h>
#include <string.h>

#include "write/map_writer.h"
#include "write/results.h"
#include "util/util.h"
#include "util/version.h"

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
    unsigned w = opt_where(o);
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

void help_print(FILE *f)
{
    fprintf(f, "Usage: %s\n\n", usage);
    wrap(f, description, 0, 80);
    fputc('\n', f);
    wrap(f, batch_description, 0, 80);
    fprintf(f, "\nOptions:\n");
    const option_spec *o;
    for (size_t i = 0; (o = opt_spec(i)) != NULL; i++) {
        char shortform[8] = "";
        if (opt_short(o))
            snprintf(shortform, sizeof shortform, ", -%c", opt_short(o));
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

void help_print_man(FILE *f)
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
    const option_spec *o;
    for (size_t i = 0; (o = opt_spec(i)) != NULL; i++) {
        fprintf(f, ".TP\n.B ");
        troff(f, o->name);
        if (opt_short(o))
            fprintf(f, ", \\-%c", opt_short(o));
        if (o->arg) {
            fprintf(f, " \\fI");
            troff(f, o->arg);
            fprintf(f, "\\fR");
        }
        fputc('\n', f);
        troff(f, o->help);
        fprintf(f, " (");
        troff(f, where_text(o));
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
