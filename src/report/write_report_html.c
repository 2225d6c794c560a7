/* write_report_html.c -- report.html, the report a planner reads, and maps/NAME.svg.
 * One self-contained file: inline CSS and SVG, no fetched script, font or image.
 *
 * Who reads it decides how it is made. Planners send it by e-mail and print it, so it holds
 * everything itself and opens offline; prints on A4 (@page, a section a page, no map cut in
 * two); is in French by default with numbers written for the language (numfmt.c). The tables
 * are plain HTML, readable without JavaScript; a few lines of inline script only add sorting
 * when clicking a column's header. Every text from the inputs (names, codes, file names,
 * messages) is escaped. Like every writer it reads the run results and computes nothing: the
 * maps come from report_maps.c, drawn once and both inlined here and written to maps/. With
 * --scope (r->scope), the national headline and maps stay, for reference; the scope's figures
 * follow the headline, and the tables, zones, region charts and region maps are the scope's. */
#include "report/write_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/report_maps.h"
#include "report/svg_map.h"
#include "util/util.h"

#define TR(fr, en) (lang == LANG_EN ? (en) : (fr))

/* How many join issues the report shows as examples (all are in join_issues.csv). */
#define ISSUE_EXAMPLES 20
/* Communes named per uncovered zone, the most populous first, and CPTS named per list: a
 * zone of thousands of communes would fill a hundred printed pages (uncovered.geojson and
 * communes.geojson hold every one). */
#define ZONE_COMMUNES 30
#define ZONE_CPTS 15

static const char page_css[] =
    "body{font:15px/1.45 system-ui,sans-serif;color:#222;max-width:1100px;margin:0 auto;"
    "padding:0 16px}"
    "h1{font-size:26px;margin:18px 0 4px}h2{font-size:21px;border-bottom:2px solid #31a354;"
    "padding-bottom:2px;margin-top:32px}h3{font-size:17px;margin:18px 0 6px}"
    "nav{font-size:14px;margin:8px 0}nav a{margin-right:12px}"
    ".headline{display:flex;gap:24px;align-items:baseline;flex-wrap:wrap;background:#f3faf1;"
    "padding:12px 16px;border-radius:6px}"
    ".big{font-size:44px;font-weight:bold;color:#006d2c}"
    ".rule{color:#555;font-size:14px}"
    "figure{margin:12px 0;break-inside:avoid;page-break-inside:avoid}"
    "svg.map,svg.chart{width:100%;height:auto;max-height:92vh;display:block}"
    "#regions svg.map{max-width:820px;margin:0 auto}"
    "table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}"
    "th,td{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right;white-space:nowrap}"
    "th{background:#f0f0f0}table.sortable th{cursor:pointer}"
    "th[aria-sort=ascending]::after{content:' \\25B2'}"
    "th[aria-sort=descending]::after{content:' \\25BC'}"
    ".communes{font-size:12px;color:#444}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:8px}"
    ".chart .line{fill:none;stroke:#006d2c;stroke-width:2}"
    ".chart .grid{stroke:#ddd}.chart text{font:11px sans-serif;fill:#555}"
    ".chart .dot{fill:#006d2c}"
    ".note{color:#555;font-size:13px}"
    "@page{size:A4;margin:14mm}"
    "@media print{body{max-width:none;font-size:11pt;padding:0}nav{display:none}"
    "section{break-before:page}section.first{break-before:auto}"
    "svg.map{max-height:250mm}thead{display:table-header-group}"
    "tr{break-inside:avoid}h2,h3{break-after:avoid}}";

/* Sorting by a click on a header: only an enhancement, the tables read as they are. */
static const char sort_script[] =
    "document.querySelectorAll('table.sortable').forEach(function(t){"
    "var hs=t.tHead.rows[0].cells;[].forEach.call(hs,function(th,i){th.tabIndex=0;"
    "th.addEventListener('click',function(){var b=t.tBodies[0],rs=[].slice.call(b.rows),"
    "asc=th.getAttribute('aria-sort')!=='ascending';"
    "[].forEach.call(hs,function(h){h.removeAttribute('aria-sort')});"
    "th.setAttribute('aria-sort',asc?'ascending':'descending');"
    "function v(r){var c=r.cells[i];return c.hasAttribute('data-v')?"
    "parseFloat(c.getAttribute('data-v')):c.textContent}"
    "rs.sort(function(x,y){var a=v(x),c=v(y),d=typeof a==='number'?a-c:a.localeCompare(c);"
    "return asc?d:-d});rs.forEach(function(r){b.appendChild(r)})})})});";

static void esc(FILE *f, const char *s)
{
    svgm_escape(f, s);
}

static const char *status_label(report_lang lang, int s)
{
    switch (s) {
    case STATUS_SIGNED: return TR("signée", "signed");
    case STATUS_PROJECT: return TR("en projet", "in project");
    default: return TR("lettre d'intention", "letter of intent");
    }
}

/* A number cell with its raw value for sorting. */
static void int_cell(FILE *f, report_lang lang, int64_t v)
{
    char b[48];
    fprintf(f, "<td class=\"n\" data-v=\"%lld\">%s</td>", (long long)v, nfmt_int(lang, v, b, sizeof b));
}

static void pct_cell(FILE *f, report_lang lang, const coverage_figures *fig)
{
    char b[48];
    if (fig->population <= 0) {          /* nobody lives there: no share */
        fputs("<td class=\"n\" data-v=\"-1\">—</td>", f);
        return;
    }
    fprintf(f, "<td class=\"n\" data-v=\"%.4f\">%s</td>", cov_pct(fig),
            nfmt_pct(lang, cov_pct(fig), 1, b, sizeof b));
}

/* With --scope, the scope's figures, a second line like the national one (which stays, for
 * reference). */
static void write_scope_headline(FILE *f, const run_results *r)
{
    if (!r->scope)
        return;
    report_lang lang = r->lang;
    const coverage_figures *s = &r->coverage->scope;
    char pct[48], cov[48], pop[48];
    fputs("<div class=\"headline\"><div class=\"big\">", f);
    fputs(nfmt_pct(lang, cov_pct(s), 1, pct, sizeof pct), f);
    fputs("</div><div>", f);
    esc(f, r->scope->label);
    fprintf(f, TR(" : <b>%s</b> habitants couverts sur %s", ": <b>%s</b> of %s inhabitants "
                  "covered"),
            nfmt_int(lang, s->covered_population, cov, sizeof cov),
            nfmt_int(lang, s->population, pop, sizeof pop));
    fputs("</div></div>\n", f);
}

static void write_headline(FILE *f, const run_results *r)
{
    report_lang lang = r->lang;
    const coverage_report *c = r->coverage;
    const coverage_figures *n = &c->nation;
    char pct[48], cov[48], pop[48], date[64];
    fprintf(f, "<section class=\"first\" id=\"headline\"><h1>%s</h1>\n",
            TR("Couverture de la population par les CPTS", "Population covered by CPTS"));
    fprintf(f, "<nav><a href=\"#maps\">%s</a><a href=\"#table\">%s</a><a href=\"#zones\">%s</a>"
               "<a href=\"#timeline\">%s</a><a href=\"#join\">%s</a></nav>\n",
            TR("Cartes", "Maps"), TR("Régions et départements", "Regions and departments"),
            TR("Zones non couvertes", "Uncovered zones"), TR("Chronologie", "Timeline"),
            TR("Jointure", "Join"));
    fprintf(f, "<div class=\"headline\"><div class=\"big\">%s</div><div>",
            nfmt_pct(lang, cov_pct(n), 1, pct, sizeof pct));
    fprintf(f, TR("de la population couverte : <b>%s</b> habitants sur %s",
                  "of the population covered: <b>%s</b> of %s inhabitants"),
            nfmt_int(lang, n->covered_population, cov, sizeof cov),
            nfmt_int(lang, n->population, pop, sizeof pop));
    char a[48], b[48], d[48], e[48], z[48];
    fprintf(f, TR("<br>%s communes couvertes sur %s · %s CPTS comptées sur %s · %s zones non "
                  "couvertes", "<br>%s of %s communes covered · %s of %s CPTS counted · %s "
                  "uncovered zones"),
            nfmt_int(lang, n->covered_communes, a, sizeof a), nfmt_int(lang, n->communes, b, sizeof b),
            nfmt_int(lang, c->cpts_counting, d, sizeof d), nfmt_int(lang, r->table->ncpts, e, sizeof e),
            nfmt_int(lang, r->zones->n, z, sizeof z));
    fputs("</div></div>\n", f);
    write_scope_headline(f, r);
    fprintf(f, "<p class=\"rule\">%s ", TR("CPTS comptées : statut", "CPTS counted: status"));
    int k = 0;
    for (int s = STATUS_COUNT - 1; s >= 0; s--)
        if (c->rule.status[s])
            fprintf(f, "%s%s", k++ ? TR(" ou ", " or ") : "", status_label(lang, s));
    if (c->rule.as_of)
        fprintf(f, TR(", signées au plus tard le %s.", ", signed on or before %s."),
                nfmt_date(lang, c->rule.as_of, date, sizeof date));
    else
        fputs(TR(", quelle que soit leur date de signature.", ", whatever their date of signing."), f);
    fprintf(f, " %s</p>\n</section>\n",
            TR("Une commune est couverte quand une CPTS comptée la compte parmi ses communes ; "
               "sa population compte une fois.",
               "A commune is covered when a counted CPTS lists it; its population counts once."));
}

static void write_map(FILE *f, const report_map *m)
{
    fputs("<figure>\n", f);
    fwrite(m->svg, 1, m->len, f);
    fputs("</figure>\n", f);
}

static void write_maps_section(FILE *f, const run_results *r, const report_maps *maps)
{
    report_lang lang = r->lang;
    fprintf(f, "<section id=\"maps\"><h2>%s</h2>\n", TR("Cartes", "Maps"));
    fprintf(f, "<p class=\"note\">%s</p>\n",
            TR("Survoler un territoire affiche ses chiffres. Chaque carte est aussi dans "
               "maps/ en SVG, pour les présentations.",
               "Hover a territory to see its figures. Each map is also in maps/ as SVG, for "
               "slides."));
    for (int i = 0; i < maps->n; i++)
        if (maps->maps[i].region < 0)
            write_map(f, &maps->maps[i]);
    fputs("</section>\n", f);
    fprintf(f, "<section id=\"regions\"><h2>%s</h2>\n", TR("Cartes des régions", "Region maps"));
    for (int i = 0; i < maps->n; i++)
        if (maps->maps[i].region >= 0)
            write_map(f, &maps->maps[i]);
    fputs("</section>\n", f);
}

static void figures_cells(FILE *f, report_lang lang, const coverage_figures *fig)
{
    int_cell(f, lang, fig->population);
    int_cell(f, lang, fig->covered_population);
    pct_cell(f, lang, fig);
    int_cell(f, lang, fig->communes);
    int_cell(f, lang, fig->covered_communes);
}

static void figures_header(FILE *f, report_lang lang)
{
    fprintf(f, "<th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
               "<th class=\"n\">%s</th><th class=\"n\">%s</th>",
            TR("Population", "Population"), TR("Couverte", "Covered"), TR("Part", "Share"),
            TR("Communes", "Communes"), TR("Couvertes", "Covered"));
}

static void write_tables_section(FILE *f, const run_results *r)
{
    report_lang lang = r->lang;
    const coverage_report *c = r->coverage;
    fprintf(f, "<section id=\"table\"><h2>%s</h2>\n",
            TR("Régions et départements", "Regions and departments"));
    fprintf(f, "<p class=\"note\">%s</p>\n",
            TR("Cliquer sur un en-tête trie le tableau.", "Click a header to sort the table."));
    fprintf(f, "<h3>%s</h3>\n<table class=\"sortable\"><thead><tr><th>%s</th><th>%s</th>",
            TR("Régions", "Regions"), TR("Code", "Code"), TR("Région", "Region"));
    figures_header(f, lang);
    fputs("</tr></thead><tbody>\n", f);
    for (int i = 0; i < c->nregions; i++) {
        const coverage_area *a = &c->regions[i];
        if (!scope_has_region(r->scope, a->code))
            continue;
        fputs("<tr><td>", f);
        esc(f, a->code);
        fputs("</td><td>", f);
        esc(f, a->name);
        fputs("</td>", f);
        figures_cells(f, lang, &a->fig);
        fputs("</tr>\n", f);
    }
    fputs("</tbody><tfoot><tr><td></td><td>", f);
    fputs(TR("France entière", "Whole country"), f);
    fputs("</td>", f);
    figures_cells(f, lang, &c->nation);
    fputs("</tr></tfoot></table>\n", f);
    fprintf(f, "<h3>%s</h3>\n<table class=\"sortable\"><thead><tr><th>%s</th><th>%s</th>"
               "<th>%s</th>", TR("Départements", "Departments"), TR("Code", "Code"),
            TR("Département", "Department"), TR("Région", "Region"));
    figures_header(f, lang);
    fputs("</tr></thead><tbody>\n", f);
    for (int i = 0; i < c->ndepartments; i++) {
        const coverage_area *a = &c->departments[i];
        if (!scope_has_department(r->scope, a->code))
            continue;
        const coverage_area *reg = cov_find_region(c, a->reg);
        fputs("<tr><td>", f);
        esc(f, a->code);
        fputs("</td><td>", f);
        esc(f, a->name);
        fputs("</td><td>", f);
        esc(f, reg ? reg->name : a->reg);
        fputs("</td>", f);
        figures_cells(f, lang, &a->fig);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n</section>\n", f);
}

/* A list of CPTS by name, bounded. */
static void cpts_list(FILE *f, report_lang lang, const commune_table *t, const int *idx, int n)
{
    for (int i = 0; i < n && i < ZONE_CPTS; i++) {
        const cpts *p = &t->cpts[idx[i]];
        if (i)
            fputs(", ", f);
        esc(f, p->name && p->name[0] ? p->name : p->id);
    }
    char b[64];
    if (n > ZONE_CPTS)
        fprintf(f, " %s", nfmt_and_more(lang, n - ZONE_CPTS, b, sizeof b));
}

/* Communes by population, the largest first, then by code (qsort_r, t the table). */
static int by_population(const void *a, const void *b, void *arg)
{
    const commune_table *t = arg;
    const commune *x = &t->communes[*(const int *)a], *y = &t->communes[*(const int *)b];
    if (x->population != y->population)
        return x->population > y->population ? -1 : 1;
    return strcmp(x->code, y->code);
}

static void write_zones_section(FILE *f, const run_results *r)
{
    report_lang lang = r->lang;
    const commune_table *t = r->table;
    const zone_list *zl = r->zones;
    char b[48];
    fprintf(f, "<section id=\"zones\"><h2>%s</h2>\n", TR("Zones non couvertes", "Uncovered zones"));
    fprintf(f, "<p class=\"note\">%s</p>\n",
            TR("Groupes de communes non couvertes d'un seul tenant, la plus peuplée d'abord, "
               "avec les CPTS qui les bordent (les candidates naturelles à s'étendre) et celles "
               "en projet qui en listent des communes.",
               "Connected groups of uncovered communes, the most populated first, with the "
               "CPTS that border them (the natural candidates to extend) and those in project "
               "that list some of their communes."));
    fprintf(f, "<p class=\"note\">%s</p>\n",
            TR("Les communes de chaque zone sont nommées de la plus peuplée à la moins peuplée "
               "(population entre parenthèses) ; toutes sont dans uncovered.geojson.",
               "The communes of each zone are named from the most to the least populated "
               "(population in brackets); all are in uncovered.geojson."));
    int shown = 0; /* with --scope, the zones with a commune in scope */
    for (int z = 0; z < zl->n; z++)
        shown += scope_has_zone(r->scope, &zl->zones[z]);
    if (shown == 0) {
        fprintf(f, "<p>%s</p></section>\n", TR("Aucune.", "None."));
        return;
    }
    fprintf(f, "<table class=\"sortable\"><thead><tr><th class=\"n\">%s</th><th class=\"n\">%s"
               "</th><th class=\"n\">%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
               "</thead><tbody>\n",
            TR("N°", "No."), TR("Population", "Population"), TR("km²", "km²"),
            TR("Départements", "Departments"), TR("CPTS voisines", "Bordering CPTS"),
            TR("CPTS en projet", "CPTS in project"), TR("Communes", "Communes"));
    int rank = 0;
    for (int z = 0; z < zl->n; z++) {
        const uncovered_zone *u = &zl->zones[z];
        if (!scope_has_zone(r->scope, u))
            continue;
        rank++;
        fprintf(f, "<tr><td class=\"n\" data-v=\"%d\">%d</td>", rank, rank);
        int_cell(f, lang, u->population);
        fprintf(f, "<td class=\"n\" data-v=\"%.1f\">%s</td><td>", u->area_km2,
                nfmt_real(lang, u->area_km2, 1, b, sizeof b));
        for (int d = 0; d < u->ndepartments; d++) {
            const char *name = ctab_area_name(t, 0, u->departments[d]);
            fputs(d ? ", <span title=\"" : "<span title=\"", f);
            esc(f, name ? name : u->departments[d]);
            fputs("\">", f);
            esc(f, u->departments[d]);
            fputs("</span>", f);
        }
        fputs("</td><td>", f);
        cpts_list(f, lang, t, u->bordering_cpts, u->nbordering);
        fputs("</td><td>", f);
        cpts_list(f, lang, t, u->pending_cpts, u->npending);
        fprintf(f, "</td><td class=\"communes\" data-v=\"%d\">", u->ncommunes);
        int *order = xmalloc((size_t)(u->ncommunes ? u->ncommunes : 1) * sizeof *order);
        memcpy(order, u->communes, (size_t)u->ncommunes * sizeof *order);
        qsort_r(order, (size_t)u->ncommunes, sizeof *order, by_population, (void *)t);
        for (int i = 0; i < u->ncommunes && i < ZONE_COMMUNES; i++) {
            const commune *cm = &t->communes[order[i]];
            fputs(i ? ", " : "", f);
            esc(f, cm->name && cm->name[0] ? cm->name : cm->code);
            fprintf(f, " (%s)", nfmt_int(lang, cm->population, b, sizeof b));
        }
        free(order);
        if (u->ncommunes > ZONE_COMMUNES)
            fprintf(f, " %s", nfmt_and_more(lang, u->ncommunes - ZONE_COMMUNES, b, sizeof b));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n</section>\n", f);
}

/* Months since year 0, for the horizontal axis of the timeline. */
static double months(int yyyymmdd)
{
    return (yyyymmdd / 10000) * 12.0 + (yyyymmdd / 100 % 100 - 1) + (yyyymmdd % 100) / 31.0;
}

/* One chart of the covered share through time: national (big) or of region ri. */
static void write_chart(FILE *f, const run_results *r, int ri, int big)
{
    report_lang lang = r->lang;
    const coverage_timeline *tl = r->timeline;
    double w = big ? 800 : 260, h = big ? 300 : 150, left = big ? 48 : 36, right = 12,
           top = big ? 12 : 22, bottom = 24;
    double pw = w - left - right, ph = h - top - bottom;
    double x0 = months(tl->points[0].date), x1 = months(tl->points[tl->n - 1].date);
    if (x1 - x0 < 1)
        x1 = x0 + 1;
    char b[64];
    fprintf(f, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
               "role=\"img\"><title>", w, h);
    if (ri < 0)
        fputs(TR("Part de la population couverte, France entière",
                 "Share of the population covered, whole country"), f);
    else
        esc(f, r->coverage->regions[ri].name);
    fputs("</title>\n", f);
    if (!big) {
        fputs("<text x=\"4\" y=\"14\" style=\"font-weight:bold;fill:#222\">", f);
        esc(f, r->coverage->regions[ri].name);
        fputs("</text>\n", f);
    }
    for (int p = 0; p <= 100; p += big ? 25 : 50) {
        double y = top + ph * (1 - p / 100.0);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                left, w - right, y, y, left - 4, y + 4, nfmt_pct(lang, p, 0, b, sizeof b));
    }
    int y_first = tl->points[0].date / 10000, y_last = tl->points[tl->n - 1].date / 10000;
    int step = (y_last - y_first) > (big ? 12 : 4) ? (big ? 2 : 3) : 1;
    for (int y = y_first + 1; y <= y_last; y += step) {
        double x = left + pw * (y * 12.0 - x0) / (x1 - x0);
        if (x < left || x > w - right)
            continue;
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
                x, x, top, top + ph, x, h - 8, y);
    }
    fputs("<path class=\"line\" d=\"", f);
    for (int i = 0; i < tl->n; i++) {
        const coverage_figures *fig = ri < 0 ? &tl->points[i].nation : &tl->points[i].regions[ri];
        double x = left + pw * (months(tl->points[i].date) - x0) / (x1 - x0);
        double y = top + ph * (1 - cov_pct(fig) / 100.0);
        fprintf(f, "%s%.1f %.1f", i ? "L" : "M", x, y);
    }
    fputs("\"/>\n", f);
    for (int i = 0; i < tl->n; i++) {
        const coverage_figures *fig = ri < 0 ? &tl->points[i].nation : &tl->points[i].regions[ri];
        double x = left + pw * (months(tl->points[i].date) - x0) / (x1 - x0);
        double y = top + ph * (1 - cov_pct(fig) / 100.0);
        char date[64], pct[48];
        fprintf(f, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\"><title>%s : %s",
                x, y, big ? "3" : "1.8", nfmt_date(lang, tl->points[i].date, date, sizeof date),
                nfmt_pct(lang, cov_pct(fig), 1, pct, sizeof pct));
        if (ri < 0)
            fprintf(f, TR(", %d CPTS", ", %d CPTS"), tl->points[i].cpts_counting);
        fputs("</title></circle>\n", f);
    }
    fputs("</svg>\n", f);
}

static void write_timeline_section(FILE *f, const run_results *r)
{
    report_lang lang = r->lang;
    const coverage_timeline *tl = r->timeline;
    fprintf(f, "<section id=\"timeline\"><h2>%s</h2>\n",
            TR("Chronologie de la couverture", "Coverage through time"));
    if (!tl || tl->n == 0) {
        fprintf(f, "<p>%s</p></section>\n",
                TR("Aucune CPTS comptée n'a de date de signature : pas de chronologie.",
                   "No counted CPTS has a date of signing: no timeline."));
        return;
    }
    fprintf(f, "<p class=\"note\">%s <a href=\"coverage_timeline.csv\">coverage_timeline.csv</a>.</p>\n",
            TR("Part de la population couverte à la fin de chaque trimestre, en comptant les CPTS "
               "signées à cette date. Les chiffres sont dans",
               "Share of the population covered at the end of each quarter, counting the CPTS "
               "signed by then. The figures are in"));
    fputs("<figure>\n", f);
    write_chart(f, r, -1, 1);
    fputs("</figure>\n<div class=\"charts\">\n", f);
    int never = 0;
    for (int i = 0; i < r->coverage->nregions && i < tl->nregions; i++) {
        if (!scope_has_region(r->scope, r->coverage->regions[i].code))
            continue;
        if (tl->points[tl->n - 1].regions[i].covered_population > 0)
            write_chart(f, r, i, 0);
        else
            never++;
    }
    fputs("</div>\n", f);
    if (never) {
        /* A flat line at zero says nothing: those regions are named instead. */
        fprintf(f, "<p class=\"note\">%s ", TR("Aucune population couverte à aucune date :",
                                                "No population covered at any date:"));
        int k = 0;
        for (int i = 0; i < r->coverage->nregions && i < tl->nregions; i++)
            if (scope_has_region(r->scope, r->coverage->regions[i].code) &&
                tl->points[tl->n - 1].regions[i].covered_population <= 0) {
                fputs(k++ ? ", " : "", f);
                esc(f, r->coverage->regions[i].name);
            }
        fputs(".</p>\n", f);
    }
    fputs("</section>\n", f);
}

static void write_join_section(FILE *f, const run_results *r)
{
    report_lang lang = r->lang;
    const join_issues *ji = r->issues;
    fprintf(f, "<section id=\"join\"><h2>%s</h2>\n", TR("Ce que la jointure a rencontré",
                                                          "What the join met"));
    fputs("<p>", f);
    fprintf(f, TR("Fichiers lus : ", "Files read: "));
    for (int i = 0; i < r->ninputs; i++) {
        char b[48];
        fputs(i ? ", " : "", f);
        const char *base = strrchr(r->inputs[i].path, '/');
        esc(f, r->inputs[i].kind);
        fputs(" <code>", f);
        esc(f, base ? base + 1 : r->inputs[i].path);
        fprintf(f, "</code> (%s)", nfmt_int(lang, r->inputs[i].rows, b, sizeof b));
    }
    fputs(".</p>\n", f);
    if (!ji || ji->n == 0) {
        fprintf(f, "<p>%s</p></section>\n", TR("Aucun problème de jointure.", "No join issue."));
        return;
    }
    int nk;
    jis_kind *kinds = jis_count_kinds(ji, &nk); /* in order of first appearance */
    char b[48];
    fprintf(f, TR("<p>%s problèmes, tous listés avec leur fichier et leur ligne dans ",
                  "<p>%s issues, each listed with its file and line in "),
            nfmt_int(lang, ji->n, b, sizeof b));
    fprintf(f, "<a href=\"join_issues.csv\">join_issues.csv</a>.</p>\n<table><thead><tr><th>%s"
               "</th><th class=\"n\">%s</th></tr></thead><tbody>\n", TR("Nature", "Kind"),
            TR("Nombre", "Count"));
    for (int k = 0; k < nk; k++) {
        fputs("<tr><td><code>", f);
        esc(f, kinds[k].kind);
        fputs("</code></td>", f);
        int_cell(f, lang, kinds[k].count);
        fputs("</tr>\n", f);
    }
    free(kinds);
    fprintf(f, "</tbody></table>\n<h3>%s</h3>\n<table><thead><tr><th>%s</th><th class=\"n\">%s"
               "</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
            TR("Les premiers", "The first ones"), TR("Fichier", "File"), TR("Ligne", "Line"),
            TR("Code", "Code"), TR("Nature", "Kind"), TR("Message", "Message"));
    for (int i = 0; i < ji->n && i < ISSUE_EXAMPLES; i++) {
        const join_issue *it = &ji->items[i];
        const char *base = strrchr(it->file, '/');
        fputs("<tr><td>", f);
        esc(f, base ? base + 1 : it->file);
        if (it->line > 0)
            fprintf(f, "</td><td class=\"n\">%ld</td><td>", it->line);
        else
            fputs("</td><td></td><td>", f);     /* no line: a whole layer, say */
        esc(f, it->code);
        fputs("</td><td><code>", f);
        esc(f, it->kind);
        fputs("</code></td><td>", f);
        esc(f, it->message);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n</section>\n", f);
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return diag_error(path, 0, "cannot create: %s; check the permissions of --out",
                          strerror(errno));
    size_t w = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || w != len)
        return diag_error(path, 0, "cannot write: %s; check the space left on the disk",
                          strerror(errno));
    return 0;
}

static int write_svg_files(const char *dir, const report_maps *maps)
{
    char *sub = xasprintf("%s/maps", dir);
    if (mkdir(sub, 0777) != 0 && errno != EEXIST) {
        int rc = diag_error(sub, 0, "cannot create: %s; check the permissions of --out",
                            strerror(errno));
        free(sub);
        return rc;
    }
    int rc = 0;
    for (int i = 0; i < maps->n && rc == 0; i++) {
        char *path = xasprintf("%s/%s.svg", sub, maps->maps[i].name);
        static const char prolog[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        char *doc = xasprintf("%s%s", prolog, maps->maps[i].svg);
        rc = write_file(path, doc, strlen(doc));
        free(doc);
        free(path);
    }
    free(sub);
    return rc;
}

int write_report_html(const char *dir, const run_results *r, const report_geometry *g)
{
    report_lang lang = r->lang;
    report_maps maps = {0};
    if (rmap_draw_all(r, g, &maps) < 0 || write_svg_files(dir, &maps) < 0) {
        rmap_free(&maps);
        return -1;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        rmap_free(&maps);
        return diag_error(NULL, 0, "cannot build report.html: out of memory");
    }
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>%s</title>\n<style>%s\n%s</style>\n</head>\n<body>\n",
            TR("fr", "en"), TR("Couverture de la population par les CPTS",
                               "Population covered by CPTS"), page_css, rmap_css);
    write_headline(f, r);
    write_maps_section(f, r, &maps);
    write_tables_section(f, r);
    write_zones_section(f, r);
    write_timeline_section(f, r);
    write_join_section(f, r);
    fprintf(f, "<script>%s</script>\n</body>\n</html>\n", sort_script);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(buf);
        rmap_free(&maps);
        return diag_error(NULL, 0, "cannot build report.html: out of memory");
    }
    char *path = xasprintf("%s/report.html", dir);
    int rc = write_file(path, buf, len);
    free(path);
    free(buf);
    rmap_free(&maps);
    return rc;
}
