/* france.h -- names of the departments and regions of the 2025 COG.
 * The inputs carry codes only; maps and tables want names people read. */
#ifndef CPTSCOV_FRANCE_H
#define CPTSCOV_FRANCE_H

/* The name of department "35" / "2A" / "971", or NULL when unknown. */
const char *fr_department_name(const char *dep);
/* The name of region "53", or NULL when unknown. */
const char *fr_region_name(const char *reg);

#endif
