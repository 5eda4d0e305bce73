/* xlsx_impl.h - what the two files of the XLSX reader share: the reader's state, the XML helpers
 * and the worksheet stream's entry points. xlsx_read.c opens the zip, parses the workbook, its rels
 * and the shared strings; xlsx_sheet.c streams the worksheet. Private to the reader: nothing else
 * includes it. */
#ifndef SPOTCHECK_XLSX_IMPL_H
#define SPOTCHECK_XLSX_IMPL_H

#include "table_impl.h"

#include "../core/util.h"

#include <expat.h>
#include <stdint.h>
#include <string.h>
#include <zip.h>

#define NS_SEP '|'
#define XLSX_CHUNK (64u << 10)
#define CAP_SMALL (16u << 20)     /* workbook.xml, rels */
#define CAP_SST (256u << 20)      /* sharedStrings.xml, held in memory */
#define CAP_SHEET (2048ull << 20) /* the worksheet, streamed */
#define RATIO_FREE (32u << 20)    /* entries up to this size may compress arbitrarily well */
#define RATIO_MAX 250             /* beyond it, at most this inflation factor */
#define MAX_SHEETS 1024
#define MAX_RELS 4096
#define MAX_DEPTH                                                                                  \
    64 /* OOXML nests about 8 deep; expat keeps every open element, so a deep file is a memory     \
          bomb */

/* The worksheet stream's parser state (XlsxReader.xstate). */
enum { X_NEED_DATA = 0, X_SUSPENDED, X_DONE };

typedef struct Rel {
    char *id, *type, *target;
} Rel;

typedef struct XlsxReader {
    TableReader base;
    zip_t *za;
    XML_Parser cur; /* parser running now (for XML_StopParser from handlers) */
    XML_StartElementHandler
        on_start; /* the handlers of the entry being parsed, behind the depth guard */
    XML_EndElementHandler on_end;
    int depth;
    char *hmsg;      /* error raised by a handler */
    const char *doc; /* entry being parsed, for messages */
    int date1904;
    unsigned char datecol[TABLE_MAX_COLS];

    /* workbook.xml */
    char *sheet_rid[MAX_SHEETS];
    int sheet_hidden[MAX_SHEETS];
    size_t nsheets;
    /* workbook.xml.rels */
    Rel rels[MAX_RELS];
    size_t nrels;

    /* shared strings: NUL-terminated strings back to back in sst, starting at sst_off[i] */
    Buf sst;
    uint32_t *sst_off;
    size_t sst_n, sst_cap;
    int in_si, in_t, rph_depth;
    size_t si_start;

    /* worksheet stream */
    zip_file_t *zf;
    uint64_t sheet_read, sheet_cap;
    XML_Parser xp;
    int xstate, last_final, sheet_done, row_ready;
    int in_sheetdata, in_row, in_c, in_v, in_is;
    long row_r, last_row;
    int col, next_col, ctype;
    Buf text; /* the current cell's raw text */
    Buf row;  /* the current row's cell values, NUL-terminated */
    size_t slot[TABLE_MAX_COLS];
    int maxcol, nonempty;
    char *cells[TABLE_MAX_COLS];
    char empties[TABLE_MAX_COLS]; /* writable "" for cells absent from the row */
    char *failed;
} XlsxReader;

/* The local name of an element or attribute (after the namespace separator). */
static inline const char *lname(const char *n) {
    const char *s = strrchr(n, NS_SEP);
    return s ? s + 1 : n;
}

/* Attribute by local name; `qualified` asks for one with a namespace (r:id) or without (r). */
static inline const char *attr(const XML_Char **atts, const char *name, int qualified) {
    for (size_t i = 0; atts[i]; i += 2) {
        const char *s = strrchr(atts[i], NS_SEP);
        if (qualified ? (s && strcmp(s + 1, name) == 0) : (!s && strcmp(atts[i], name) == 0))
            return atts[i + 1];
    }
    return NULL;
}

/* Stops the running parser with an error message (the first one wins), for a handler. */
void xlsx_xml_error(XlsxReader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads up to n bytes of an entry; enforces the cap on the bytes actually inflated. Returns the
 * bytes read, or -1 with *err set. */
zip_int64_t xlsx_entry_read(zip_file_t *zf, void *buf, size_t n, uint64_t *total, uint64_t cap,
                            const char *name, char **err);
/* Decodes Excel's _xHHHH_ escapes in place (s[0..n)); returns the new length. */
size_t xlsx_unescape_x(char *s, size_t n);

/* xlsx_sheet.c: the worksheet parser's handlers and the reader's next and date_columns. */
void XMLCALL xlsx_sheet_start(void *ud, const XML_Char *name, const XML_Char **atts);
void XMLCALL xlsx_sheet_end(void *ud, const XML_Char *name);
void XMLCALL xlsx_sheet_chars(void *ud, const XML_Char *s, int len);
int xlsx_next(TableReader *tr, char ***cells, size_t *ncells, long *row_no, char **err);
void xlsx_date_columns(TableReader *tr, const int *cols, size_t ncols);

#endif
