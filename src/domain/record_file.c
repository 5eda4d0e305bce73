/* record_file.c - a record's files (record.h): photos, videos and the signature, checked by their
 * bytes and size, stored on disk under the files directory by their SHA-256 (written before the
 * row), withdrawn by status with a reason, never deleted. Runs inside the caller's transaction. */
#include "../core/clock.h"
#include "record_impl.h"

#include "../core/util.h"
#include "draw_sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *record_files_dir(const char *db_path) {
    if (db_path && db_url_is_pg(db_path)) return xstrdup("files"); /* no file to sit beside */
    if (db_path && db_url_sqlite_file(db_path)) db_path = db_url_sqlite_file(db_path);
    const char *slash = db_path ? strrchr(db_path, '/') : NULL;
    if (!slash) return xstrdup("files");
    return xasprintf("%.*s/files", (int)(slash - db_path), db_path);
}

char *record_files_dir_configured(const char *db_path) {
    const char *env = getenv("SPOTCHECK_FILES");
    return env && *env ? xstrdup(env) : record_files_dir(db_path);
}

char *record_file_path(const char *files_dir, const char *sha256) {
    return xasprintf("%s/%.2s/%s", files_dir, sha256, sha256);
}

/* Writes the bytes to <dir>/ab/<sha> through a temporary file and a rename. */
static int store_bytes(const char *dir, const char *sha, const unsigned char *data, size_t len,
                       char **err) {
    char *sub = xasprintf("%s/%.2s", dir, sha), *path = record_file_path(dir, sha);
    int rc = REC_ERR;
    struct stat sb;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        set_err(err, "无法创建文件目录");
    else if (mkdir(sub, 0750) != 0 && errno != EEXIST)
        set_err(err, "无法创建文件目录");
    else if (stat(path, &sb) == 0 && (size_t)sb.st_size == len)
        rc = REC_OK; /* same name: same bytes */
    else {
        char *tmp = xasprintf("%s.tmp-XXXXXX", path);
        int fd = mkstemp(tmp);
        if (fd < 0)
            set_err(err, "无法写入文件");
        else {
            size_t off = 0;
            while (off < len) {
                ssize_t w = write(fd, data + off, len - off);
                if (w <= 0) break;
                off += (size_t)w;
            }
            int ok = off == len && fsync(fd) == 0;
            close(fd);
            if (ok && rename(tmp, path) == 0)
                rc = REC_OK;
            else {
                unlink(tmp);
                set_err(err, "无法写入文件");
            }
        }
        free(tmp);
    }
    free(sub);
    free(path);
    return rc;
}

int record_file_copy(const char *from_dir, const char *to_dir, const char *sha256, int64_t size,
                     int64_t *bytes, char **err) {
    *bytes = 0;
    if (!sha256 || strlen(sha256) != 64 || strspn(sha256, "0123456789abcdef") != 64)
        return set_err(err, "文件摘要格式不对: %s", sha256 ? sha256 : ""), REC_INVALID;
    char *path = record_file_path(from_dir, sha256);
    size_t len = 0;
    char *data = file_read_all(path, &len, NULL);
    int rc = REC_OK;
    if (!data) {
        rc = REC_NOT_FOUND;
        set_err(err, "源文件缺失: %s", path);
    } else {
        char calc[65];
        draw_sha256_hex(data, len, calc);
        *bytes = (int64_t)len;
        if ((int64_t)len != size || strcmp(calc, sha256))
            rc = REC_INVALID,
            set_err(err, "源文件内容与记录的摘要不符（%zu 字节，SHA-256 %s）: %s", len, calc, path);
        else
            rc = store_bytes(to_dir, sha256, (const unsigned char *)data, len, err);
    }
    free(data);
    free(path);
    return rc;
}

int record_file_add(Db *db, int64_t id, const char *files_dir, const char *kind,
                    const unsigned char *data, size_t len, const char *original_name,
                    const char *actor, int64_t *file_id, char **err) {
    int rc = rec_load_editable(db, id, NULL, err);
    if (rc != REC_OK) return rc;
    const char *mime = NULL;
    if (!kind || str_eq(kind, "auto")) {
        if ((mime = record_sniff("photo", data, len)))
            kind = "photo";
        else if ((mime = record_sniff("video", data, len)))
            kind = "video";
    } else {
        mime = record_sniff(kind, data, len);
    }
    if (!len) return set_err(err, "文件为空"), REC_INVALID;
    if (!mime || !record_file_limit(kind)) {
        set_err(err, str_eq(kind, "signature")
                         ? "签名须为 PNG 图片"
                         : "文件类型不符：照片须为 JPEG、PNG 或 WebP，视频须为 MP4、MOV 或 "
                           "WebM（按文件内容判断，不看扩展名）");
        return REC_INVALID;
    }
    if (len > record_file_limit(kind)) {
        set_err(err, "文件过大：%s不能超过 %zu MiB",
                str_eq(kind, "photo")   ? "照片"
                : str_eq(kind, "video") ? "视频"
                                        : "签名图片",
                record_file_limit(kind) >> 20);
        return REC_INVALID;
    }
    char sha[65];
    draw_sha256_hex(data, len, sha);
    if (store_bytes(files_dir, sha, data, len, err) != REC_OK) return REC_ERR;
    if (db_exec(db,
                "INSERT INTO record_file(record_id, kind, mime, size, sha256, original_name, "
                "uploaded_by, uploaded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "ittitttt", id, kind, mime, (int64_t)len, sha, original_name, actor,
                clock_stamp().s) != DB_OK)
        return rec_fail_db(db, err);
    if (file_id) *file_id = db_last_id(db);
    return REC_OK;
}

int record_file_withdraw(Db *db, int64_t id, int64_t fid, const char *reason, const char *actor,
                         char **err) {
    (void)actor;
    int rc = rec_load_editable(db, id, NULL, err);
    if (rc != REC_OK) return rc;
    int64_t ok = 0;
    if (db_query_int(
            db, &ok,
            "SELECT count(*) FROM record_file WHERE id = ? AND record_id = ? AND status = '有效'",
            "ii", fid, id) != DB_OK)
        return rec_fail_db(db, err);
    if (!ok) return set_err(err, "文件不存在或已撤销"), REC_NOT_FOUND;
    char *r = str_trim(xstrdup(reason ? reason : ""));
    if (!*r) {
        free(r);
        return set_err(err, "请填写撤销理由"), REC_INVALID;
    }
    rc = db_exec(db, "UPDATE record_file SET status = '已撤销', status_reason = ? WHERE id = ?",
                 "ti", r, fid) == DB_OK &&
                 db_exec(db,
                         "UPDATE record SET signature_file_id = NULL WHERE id = ? AND "
                         "signature_file_id = ?",
                         "ii", id, fid) == DB_OK
             ? REC_OK
             : rec_fail_db(db, err);
    free(r);
    return rc;
}

int record_signature_set(Db *db, int64_t id, const char *files_dir, const unsigned char *png,
                         size_t len, const char *signer_name, const char *actor, int64_t *file_id,
                         char **err) {
    char *name = str_trim(xstrdup(signer_name ? signer_name : ""));
    int rc = REC_OK;
    if (!*name) rc = REC_INVALID, set_err(err, "请填写签名人姓名");
    int64_t fid = 0;
    if (rc == REC_OK)
        rc = record_file_add(db, id, files_dir, "signature", png, len, "signature.png", actor, &fid,
                             err);
    if (rc == REC_OK) {
        /* the earlier signature, if any, is withdrawn: one signature per record */
        if (db_exec(db,
                    "UPDATE record_file SET status = '已撤销', status_reason = '重新签名' WHERE "
                    "record_id = ? AND kind = 'signature' "
                    "AND status = '有效' AND id <> ?",
                    "ii", id, fid) != DB_OK ||
            db_exec(db,
                    "UPDATE record SET signature_file_id = ?, signer_name = ?, updated_at = ?, "
                    "updated_by = ? WHERE id = ?",
                    "ittti", fid, name, clock_stamp().s, actor, id) != DB_OK)
            rc = rec_fail_db(db, err);
    }
    if (file_id) *file_id = fid;
    free(name);
    return rc;
}
