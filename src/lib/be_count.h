/*
 * be_count.h - settings that count something (beadm:apt-keep,
 * beadm:kernel-keep).  Pure: the unit tests link it alone.
 */
#ifndef BE_COUNT_H
#define BE_COUNT_H

#include <stdbool.h>

/* "" (or NULL) is deflt; else digits only, from 1 to max.  False for
 * anything else ("0", "-1", " 5", "5x", too big). */
bool be_parse_count(const char *value, unsigned deflt, unsigned max,
    unsigned *out);

#endif /* BE_COUNT_H */
