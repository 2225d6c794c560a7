/* test_layers.c -- scripts/check-layers, which make check runs: the tree passes, and a copy of
 * it with an include planted against the rules, or a circle, fails with the file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli_run.h"

/* Runs check-layers on root; returns its exit status and its stderr in *err (to free). */
static int check_layers(const char *root, char **err)
{
    char *out = cli_fmt("%s/check-layers.err", root);
    char *cmd = cli_fmt("scripts/check-layers '%s' >/dev/null 2>'%s'", root, out);
    int status = system(cmd);
    *err = cli_slurp(out, NULL);
    remove(out);
    free(out);
    free(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A copy of src/ and include/ in a fresh directory of its own, for planting. */
static char *copy_tree(const char *name)
{
    char dir[512];
    assert_int_equal(cli_make_root(dir, sizeof dir, name), 0);
    char *cmd = cli_fmt("cp -r src include '%s'/", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return strdup(dir);
}

/* Appends line to the file rel of root. */
static void plant(const char *root, const char *rel, const char *line)
{
    char *path = cli_fmt("%s/%s", root, rel);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fprintf(f, "%s\n", line);
    fclose(f);
    free(path);
}

static void test_the_tree_follows_the_rules(void **state)
{
    (void)state;
    char *err = NULL;
    assert_int_equal(check_layers(".", &err), 0);
    free(err);
}

/* Plants nplants lines in a copy of the tree (plants: file, line, file, line...) and expects
 * check-layers to fail saying each of want[0..nwant-1]. */
static void expect_fault(const char *name, const char *const *plants, int nplants,
                         const char *const *want, int nwant)
{
    char *root = copy_tree(name);
    for (int i = 0; i < 2 * nplants; i += 2)
        plant(root, plants[i], plants[i + 1]);
    char *err = NULL;
    assert_int_equal(check_layers(root, &err), 1);
    for (int i = 0; i < nwant; i++)
        assert_non_null(strstr(err, want[i]));
    free(err);
    cli_rm_tree(root);
    free(root);
}

static void test_an_include_up_fails(void **state)
{
    (void)state;
    const char *plants[] = {"src/util/numfmt.c", "#include \"app/options.h\""};
    const char *want[] = {"src/util/numfmt.c:", "util/ may not include \"app/options.h\""};
    expect_fault("layers-up", plants, 1, want, 2);
}

static void test_read_and_analyse_never_include_each_other(void **state)
{
    (void)state;
    const char *plants[] = {"include/analyse/zones.h", "#include \"read/readers.h\""};
    const char *want[] = {"include/analyse/zones.h:",
                          "analyse/ may not include \"read/readers.h\""};
    expect_fault("layers-side", plants, 1, want, 2);
}

static void test_a_private_header_of_another_folder_fails(void **state)
{
    (void)state;
    const char *plants[] = {"src/write/csv_write.c", "#include \"arcs_layout.h\""};
    const char *want[] = {"\"arcs_layout.h\" is not beside src/write/csv_write.c"};
    expect_fault("layers-private", plants, 1, want, 1);
}

static void test_a_circle_fails(void **state)
{
    (void)state;
    /* hash.h and strmap.h naming each other close a circle of headers; strmap.c and
     * numfmt.c each including the other's header, one of code. */
    const char *plants[] = {"include/util/hash.h", "#include \"util/strmap.h\"",
                            "include/util/strmap.h", "#include \"util/hash.h\"",
                            "src/util/strmap.c", "#include \"util/numfmt.h\"",
                            "src/util/numfmt.c", "#include \"util/strmap.h\""};
    const char *want[] = {"headers include one another in a circle",
                          "sources use one another's code in a circle"};
    expect_fault("layers-circle", plants, 4, want, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_tree_follows_the_rules),
        cmocka_unit_test(test_an_include_up_fails),
        cmocka_unit_test(test_read_and_analyse_never_include_each_other),
        cmocka_unit_test(test_a_private_header_of_another_folder_fails),
        cmocka_unit_test(test_a_circle_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
