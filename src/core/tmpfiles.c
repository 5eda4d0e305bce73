/* tmpfiles.c - sweeping spotcheck's old temporary files (see tmpfiles.h). */
#include "tmpfiles.h"

#include "clock.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int tmpfiles_sweep(const char *prefix, int max_age) {
    static const char *const ours[] = {"spotcheck-upload-", "spotcheck-file-", "spotcheck-export-",
                                       "spotcheck-figures-", "spotcheck-errors-"};
    DIR *d = opendir("/tmp");
    if (!d) return 0;
    int removed = 0;
    time_t cutoff =
        (time_t)clock_wall_epoch() - max_age; /* wall time: file ages, not a business date */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int match = 0;
        for (size_t i = 0; i < ARRAY_LEN(ours); i++)
            match |= (!prefix || !strcmp(prefix, ours[i])) &&
                     !strncmp(e->d_name, ours[i], strlen(ours[i]));
        if (!match) continue;
        char path[300];
        snprintf(path, sizeof path, "/tmp/%s", e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == getuid() &&
            st.st_mtime < cutoff && unlink(path) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
