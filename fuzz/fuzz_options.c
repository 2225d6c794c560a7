/* fuzz_options.c -- libFuzzer target for options.c, the one configuration cptscov reads: the
 * command line. Each line of the input is one argument, the first one picking the command as
 * main() does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "app/options.h"
#include "util/util.h"

#define MAX_ARGS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    argv[argc++] = "cptscov";
    for (char *a = s, *end; a && argc < MAX_ARGS; a = end) {
        end = strchr(a, '\n');
        if (end)
            *end++ = '\0';
        argv[argc++] = a;
    }
    argv[argc] = NULL;
    int first = argc > 1 && strcmp(argv[1], "run") == 0 ? 2 : 1;
    run_options o;
    int r = opt_parse(&o, argc, argv, first);
    if (r == 0) {
        FZ_CHECK(o.threads >= 0 && o.threads <= 1024);
        for (int i = 0; i < o.status.n; i++)
            FZ_CHECK(o.status.items[i][0] && !strchr(o.status.items[i], ','));
        for (int i = 0; i < o.formats.n; i++)
            FZ_CHECK(o.formats.items[i][0] && !strchr(o.formats.items[i], ','));
        for (int i = 0; i < o.communes.n; i++)
            FZ_CHECK(o.communes.items[i][0]);
    }
    opt_free(&o);
    fz_after(r);
    free(s);
    return 0;
}
