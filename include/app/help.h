/* help.h -- the help of cptscov's two commands and their man page.
 * Both are made from the options table (options.c) and the writers' own lists of outputs. */
#ifndef CPTSCOV_HELP_H
#define CPTSCOV_HELP_H

#include <stdio.h>

/* The help of both commands (--help), from the options table. */
void help_print(FILE *f);
/* Their man page (--man), in troff. */
void help_print_man(FILE *f);

#endif
