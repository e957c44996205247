/*
 * dpkg_version.h - Debian's version ordering ([epoch:]upstream[-revision]),
 * as dpkg --compare-versions orders them.  Pure: no I/O.
 */
#ifndef DPKG_VERSION_H
#define DPKG_VERSION_H

/* <0, 0 or >0 as version a sorts before, with or after version b. */
int dpkg_version_compare(const char *a, const char *b);

#endif /* DPKG_VERSION_H */
