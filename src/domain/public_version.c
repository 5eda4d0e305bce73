/* public_version.c - the version of what the public portal shows (see public_version.h). */
#include "public_version.h"

#include "../core/clock.h"
#include "../core/util.h"

#include <sodium.h>
#include <string.h>

int public_version_get(Db *db, PublicVersion *out) {
    memset(out, 0, sizeof *out);
    Stmt *st = db_prepare(db, "SELECT version, changed_epoch FROM public_version WHERE id = 1");
    if (!st) return DB_ERR;
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->version = db_col_int(st, 0);
        out->changed_epoch = db_col_int(st, 1);
    }
    db_finalize(st);
    return rc == DB_ROW ? DB_OK : DB_ERR;
}

int public_version_affected(const char *action) {
    /* whole actions, and prefixes ending in '.' */
    static const char *const private_actions[] = {"login",   "login.failed",    "logout", "user.",
                                                  "export.", "result.exchange", "anchor."};
    for (size_t i = 0; i < ARRAY_LEN(private_actions); i++) {
        const char *p = private_actions[i];
        size_t n = strlen(p);
        if (p[n - 1] == '.' ? !strncmp(action, p, n) : !strcmp(action, p)) return 0;
    }
    return 1;
}

int public_version_bump(Db *db) {
    uint64_t r = 0;
    while (!r) { /* 62 bits: positive in any signed 64-bit column */
        randombytes_buf(&r, sizeof r);
        r &= (UINT64_C(1) << 62) - 1;
    }
    return db_exec(db, "UPDATE public_version SET version = ?, changed_epoch = ? WHERE id = 1",
                   "ii", (int64_t)r, (int64_t)clock_wall_epoch());
}
