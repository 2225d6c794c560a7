/* timeline.c -- coverage through time: the share covered at the end of each quarter.
 * An analysis: it reads the commune table and the rule of a coverage report, writes nothing.
 *
 * Coverage only grows with time under one rule (a CPTS that counts at D counts at every later
 * date), so each commune has one date from which it is covered: the earliest signed_on among
 * the CPTS of a counted status that list it. Each commune's population is put once into the
 * bucket of the first point on or after that date, and running sums over the points give every
 * figure: O(memberships + communes log points + points x regions), never one coverage pass
 * per quarter. A CPTS without a date cannot be placed in time and is left out; so are those
 * signed after as_of, as cov_compute leaves them out. With as_of set, the last point is as_of
 * and its figures are those of the coverage report (the tests check it on the national data).
 * The constant parts of the figures (population, communes, area) are the report's own. */
#include "analyse/timeline.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* The last day of the quarter of ymd. */
static int quarter_end(int ymd)
{
    int y = ymd / 10000, m = ymd / 100 % 100;
    int end = ((m - 1) / 3 + 1) * 3;
    return y * 10000 + end * 100 + (end == 3 || end == 12 ? 31 : 30);
}

/* The last day of the quarter after the one that ends on qend. */
static int next_quarter_end(int qend)
{
    int y = qend / 10000, m = qend / 100 % 100;
    return m == 12 ? (y + 1) * 10000 + 331 : quarter_end(y * 10000 + (m + 3) * 100 + 1);
}

/* Whether CPTS p enters the timeline under rule: a counted status, a date, not after as_of. */
static int dated_and_counted(const cpts *p, const coverage_rule *rule)
{
    return rule->status[p->status] && p->signed_on > 0 &&
           (rule->as_of == 0 || p->signed_on <= rule->as_of);
}

/* The index of the first of dates[0..n-1] (ascending) on or after d; n when none. */
static int first_point_on_or_after(const int *dates, int n, int d)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (dates[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The dates of the points: quarter ends from the quarter of first, then last. */
static int *point_dates(int first, int last, int *n)
{
    int cap = 0, *dates = NULL;
    *n = 0;
    for (int d = quarter_end(first); d < last; d = next_quarter_end(d)) {
        GROW(dates, cap, *n + 1);
        dates[(*n)++] = d;
    }
    GROW(dates, cap, *n + 1);
    dates[(*n)++] = last;
    return dates;
}

/* Adds the covered part of commune c to f. */
static void add_covered(coverage_figures *f, const commune *c)
{
    f->covered_population += c->population;
    f->covered_communes++;
    f->covered_area_km2 += c->area_km2;
}

static void accumulate(coverage_figures *f, const coverage_figures *prev)
{
    f->covered_population += prev->covered_population;
    f->covered_communes += prev->covered_communes;
    f->covered_area_km2 += prev->covered_area_km2;
}

/* The constant part of the figures: what the coverage report says of the whole area. */
static coverage_figures base_figures(const coverage_figures *f)
{
    coverage_figures b = *f;
    b.covered_population = 0;
    b.covered_communes = 0;
    b.covered_area_km2 = 0;
    return b;
}

void tl_compute(const commune_table *t, const coverage_report *cov, coverage_timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    tl->nregions = cov->nregions;
    const coverage_rule *rule = &cov->rule;
    int first = 0, last = 0;
    for (int k = 0; k < t->ncpts; k++) {
        const cpts *p = &t->cpts[k];
        if (!dated_and_counted(p, rule))
            continue;
        if (first == 0 || p->signed_on < first)
            first = p->signed_on;
        if (p->signed_on > last)
            last = p->signed_on;
    }
    if (first == 0)
        return; /* no dated CPTS counts: nothing to draw */
    last = rule->as_of ? rule->as_of : quarter_end(last);
    int n, *dates = point_dates(first, last, &n);

    /* Each commune's first covered date, and its region. */
    int *since = xcalloc((size_t)(t->ncommunes ? t->ncommunes : 1), sizeof *since);
    for (int k = 0; k < t->ncpts; k++) {
        const cpts *p = &t->cpts[k];
        if (!dated_and_counted(p, rule))
            continue;
        for (int j = 0; j < p->ncommunes; j++) {
            int c = p->communes[j];
            if (since[c] == 0 || p->signed_on < since[c])
                since[c] = p->signed_on;
        }
    }
    int *region_of = xmalloc((size_t)(t->ncommunes ? t->ncommunes : 1) * sizeof *region_of);
    for (int i = 0; i < t->ncommunes; i++)
        region_of[i] = -1;
    for (int r = 0; r < cov->nregions; r++)
        for (int j = 0; j < cov->regions[r].ncommunes; j++)
            region_of[cov->regions[r].communes[j]] = r;

    /* Buckets: what each point adds to the one before. */
    tl->n = n;
    tl->points = xcalloc((size_t)n, sizeof *tl->points);
    int nreg = cov->nregions;
    for (int i = 0; i < n; i++) {
        timeline_point *pt = &tl->points[i];
        pt->date = dates[i];
        pt->regions = xcalloc((size_t)(nreg ? nreg : 1), sizeof *pt->regions);
        pt->region_cpts_counting = xcalloc((size_t)(nreg ? nreg : 1), sizeof(int));
    }
    for (int c = 0; c < t->ncommunes; c++) {
        if (since[c] == 0)
            continue;
        timeline_point *pt = &tl->points[first_point_on_or_after(dates, n, since[c])];
        add_covered(&pt->nation, &t->communes[c]);
        if (region_of[c] >= 0)
            add_covered(&pt->regions[region_of[c]], &t->communes[c]);
    }
    /* The CPTS counted by each point, nationally and in each region one of its communes is in
     * (seen[r] == k + 1 when CPTS k was already counted in region r). */
    int *seen = xcalloc((size_t)(nreg ? nreg : 1), sizeof *seen);
    for (int k = 0; k < t->ncpts; k++) {
        const cpts *p = &t->cpts[k];
        if (!dated_and_counted(p, rule))
            continue;
        timeline_point *pt = &tl->points[first_point_on_or_after(dates, n, p->signed_on)];
        pt->cpts_counting++;
        for (int j = 0; j < p->ncommunes; j++) {
            int r = region_of[p->communes[j]];
            if (r >= 0 && seen[r] != k + 1) {
                seen[r] = k + 1;
                pt->region_cpts_counting[r]++;
            }
        }
    }

    /* Running sums, on the constant figures of each area. */
    for (int i = 0; i < n; i++) {
        timeline_point *pt = &tl->points[i], *prev = i > 0 ? &tl->points[i - 1] : NULL;
        coverage_figures add = pt->nation;
        pt->nation = base_figures(&cov->nation);
        accumulate(&pt->nation, &add);
        if (prev) {
            accumulate(&pt->nation, &prev->nation);
            pt->cpts_counting += prev->cpts_counting;
        }
        for (int r = 0; r < nreg; r++) {
            add = pt->regions[r];
            pt->regions[r] = base_figures(&cov->regions[r].fig);
            accumulate(&pt->regions[r], &add);
            if (prev) {
                accumulate(&pt->regions[r], &prev->regions[r]);
                pt->region_cpts_counting[r] += prev->region_cpts_counting[r];
            }
        }
    }
    free(seen);
    free(region_of);
    free(since);
    free(dates);
}

void tl_free(coverage_timeline *tl)
{
    for (int i = 0; i < tl->n; i++) {
        free(tl->points[i].regions);
        free(tl->points[i].region_cpts_counting);
    }
    free(tl->points);
    memset(tl, 0, sizeof *tl);
}
