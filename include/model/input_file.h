/* input_file.h -- the record of one input file as read: its kind, its path, what it held.
 * The readers make one per file; summary.json and a batch's digest list them. */
#ifndef CPTSCOV_INPUT_FILE_H
#define CPTSCOV_INPUT_FILE_H

/* An input file as read, for summary.json. */
typedef struct input_file {
    const char *kind;   /* "communes", "population", "passage", "members", "epci" */
    const char *path;
    long rows;          /* rows or features read */
} input_file;

#endif
