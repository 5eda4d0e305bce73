/* record_web.h - the web handlers of record forms 一企一表 (page_record.c: lists, read-only view,
 * internal file route, JSON view; page_record_fill.c: the officer's phone form, save, files,
 * signature, submit, and the JSON save used by the offline draft; their routes: routes.c).
 *
 * Scope: every route checks the record's org against the user's org scope; the /my routes also
 * need the officer to be a current member (在组) of the record's group. Anything else is 404. */
#ifndef SPOTCHECK_RECORD_WEB_H
#define SPOTCHECK_RECORD_WEB_H

#include "../domain/calendar.h"
#include "web.h"

void page_record_list(Req *r);
void page_record_view(Req *r);
void page_record_file(Req *r);
void page_my_records(Req *r);
void page_my_record_form(Req *r);
void page_my_record_save(Req *r);
void page_my_record_upload(Req *r);
void page_my_record_signature(Req *r);
void page_my_record_withdraw(Req *r);
void page_my_record_submit(Req *r);
void page_my_record_file(Req *r);
void api_record_get(Req *r);
void api_my_record_put(Req *r);

/* Shared by page_record.c and page_record_fill.c. */
/* record_json of record id with today's deadlines on the request's calendar; NULL when absent. */
json_t *record_web_json(Req *r, long long id);

/* The record of the :id parameter when it lies in the user's org scope and, with `mine`, in a
 * group the officer is a current member of; else sends 404 and returns 0. */
long long record_web_id(Req *r, int mine);
/* Sends file :fid of record rid (Content-Type from its row, attachment for videos); 404 when
 * the file is not the record's. */
void record_web_send_file(Req *r, long long rid);
/* The files directory next to the database. New string. */
char *record_web_files_dir(Req *r);
/* Renders the read-only view of record id; file links start with base ("/records" or
 * "/my/records"). */
void record_web_render_view(Req *r, long long id, const char *base);

#endif
