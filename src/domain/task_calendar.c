/* task_calendar.c - the working-day calendar the task module counts on (task.h): the holidays
 * set of the refdata table, else the file built into the binary, extended with provisional
 * years from the built-in lunar table. Callers: the joint confirmation deadlines (task_joint.c),
 * the deadline collector, the pages and `spotcheck remind`. */
#include "task.h"

#include "jsonkit.h"

#include "../core/embed.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

char *task_holidays_text(Db *db, size_t *len, int *in_db) {
    *in_db = 0;
    Stmt *st = db ? db_prepare(db, "SELECT code, label, attrs FROM refdata "
                                   "WHERE set_name = 'holidays' ORDER BY position")
                  : NULL;
    if (st) {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "date\tkind\tname\n");
        size_t n = 0;
        while (db_step(st) == DB_ROW) {
            char *name = jk_attr(db_col_text(st, 2), "name");
            buf_printf(&b, "%s\t%s\t%s\n", db_col_text(st, 0), db_col_text(st, 1),
                       name ? name : "");
            free(name);
            n++;
        }
        db_finalize(st);
        if (n) {
            *in_db = 1;
            *len = b.len;
            return buf_steal(&b);
        }
        buf_free(&b);
    }
    const EmbeddedFile *f = embed_find("data/holidays.tsv");
    if (!f) return NULL;
    *len = f->len;
    char *text = xmalloc(f->len + 1);
    memcpy(text, f->data, f->len);
    text[f->len] = 0;
    return text;
}

Calendar *task_calendar_load(Db *db, char **err) {
    size_t len = 0;
    int in_db = 0;
    char *text = task_holidays_text(db, &len, &in_db);
    if (!text) {
        set_err(err, "缺少节假日数据 data/holidays.tsv");
        return NULL;
    }
    Calendar *cal = calendar_parse(text, len, err);
    free(text);
    /* the years after the notices, provisionally (the lunar dates are astronomy: built in) */
    const EmbeddedFile *lunar = embed_find("data/lunar.tsv");
    if (cal && lunar &&
        calendar_extend_statutory(cal, (const char *)lunar->data, lunar->len, err) != CAL_OK) {
        calendar_free(cal);
        return NULL;
    }
    return cal;
}
