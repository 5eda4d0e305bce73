/* tmpfiles.h - spotcheck's temporary files in /tmp: uploads, exports, reports and import error
 * lists, all named spotcheck-<kind>-<random>. A server killed mid-request leaves them behind, and
 * an error list nobody downloads stays; the sweep removes the old ones. */
#ifndef SPOTCHECK_TMPFILES_H
#define SPOTCHECK_TMPFILES_H

/* Removes this account's regular files in /tmp named with `prefix` (NULL: any of spotcheck's
 * prefixes) untouched for max_age seconds, so another server's files in use are spared. Returns how
 * many were removed. */
int tmpfiles_sweep(const char *prefix, int max_age);

#endif
