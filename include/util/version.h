/* version.h -- the version of cptscov, as printed by --version and written into summary.json.
 * One definition, so that the program and its outputs never disagree on it. */
#ifndef CPTSCOV_VERSION_H
#define CPTSCOV_VERSION_H

#define CPTSCOV_VERSION "0.1.0"

#endif
