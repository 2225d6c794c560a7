/* main.c -- the entry point: picks the command and prints the one error line.
 * Everything else is in run.c and the modules it calls. */
#include <cpl_error.h>
#include <gdal.h>
#include <geos_c.h>
#include <proj.h>
#include <stdio.h>
#include <string.h>

#include "app/batch.h"
#include "util/diag.h"
#include "app/help.h"
#include "app/options.h"
#include "app/run.h"
#include "util/version.h"

/* jemalloc's settings, read once at start (MALLOC_CONF in the environment overrides them).
 * The national job touches much memory in little time: in 4 KB pages, each
 * page fault zeroes a page and, on a virtual machine, often leaves it for the host, and the
 * kernel's share of the job's CPU is large. In 2 MB pages (thp:always: jemalloc asks the
 * kernel for transparent huge pages, which Debian's default "madvise" mode grants) there
 * are far fewer faults, and GEOS's pointer chasing misses the TLB less. One arena
 * (narenas:1) for every thread: an arena per thread would each hold a partly used huge page,
 * raising the peak. No arena of its own for allocations of 8 MB and more
 * (oversize_threshold:0): that arena gives freed memory back to the kernel at once, so that
 * the arcs' build (geom/arcs.c), whose large tables live one after the other, could not
 * reuse it (mem_hold). Where the kernel has THP off ("never"), thp:always changes nothing. */
const char *malloc_conf = "thp:always,narenas:1,oversize_threshold:0";

static void print_version(void)
{
    PJ_INFO pi = proj_info();
    printf("cptscov %s\nGDAL %s\nGEOS %s\nPROJ %s\n", CPTSCOV_VERSION, GDALVersionInfo("RELEASE_NAME"),
           GEOSversion(), pi.version);
}

int main(int argc, char **argv)
{
    /* GDAL and PROJ report through cptscov's own messages, never on their own. */
    CPLSetErrorHandler(CPLQuietErrorHandler);
    proj_log_level(PJ_DEFAULT_CTX, PJ_LOG_NONE);
    int is_batch = argc > 1 && strcmp(argv[1], "batch") == 0;
    int first = argc > 1 && (strcmp(argv[1], "run") == 0 || is_batch) ? 2 : 1;
    run_options o;
    int rc;
    if (opt_parse_for(&o, argc, argv, first, is_batch ? OPT_BATCH : OPT_RUN) < 0) {
        fprintf(stderr, "cptscov: %s\n", diag_message());
        opt_free(&o);
        return EXIT_USAGE;
    }
    if (o.help) {
        help_print(stdout);
        rc = EXIT_OK;
    } else if (o.version) {
        print_version();
        rc = EXIT_OK;
    } else if (o.man) {
        help_print_man(stdout);
        rc = EXIT_OK;
    } else if (first == 1) {
        fprintf(stderr, "cptscov: %s; see cptscov --help\n",
                argc > 1 ? "unknown command (the commands are \"run\" and \"batch\")"
                         : "no command given");
        rc = EXIT_USAGE;
    } else if (is_batch) {
        rc = batch_main(&o);
        if (rc == EXIT_USAGE || (rc != EXIT_OK && diag_message()))
            fprintf(stderr, "cptscov: %s\n", diag_message() ? diag_message() : "failed");
    } else {
        rc = run_job(&o);
        if (rc != EXIT_OK)
            fprintf(stderr, "cptscov: %s\n", diag_message() ? diag_message() : "failed");
    }
    opt_free(&o);
    return rc;
}
