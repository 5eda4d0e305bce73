/* listcell.h - the one rule for a list typed into one cell of a spreadsheet or one form field:
 * "D1、D2", "市场监管局；卫健委", "S-MED, S-PHA", one per line. Plans, tasks, directories and
 * imports all split here, so the same cell means the same list everywhere.
 *
 * Separators by kind of list:
 *   LIST_CODES   codes and tags:        、 ， , ； ; line breaks, spaces, tabs
 *   LIST_NAMES   names (depts, orgs):   、 ， , ； ; line breaks       (a name may hold a space)
 *   LIST_PHRASES sentences (抽查事项):  ； ; line breaks                (a phrase holds 、 and ，)
 * Parts are trimmed (ASCII white space and the ideographic space U+3000); empty parts are
 * dropped; order and duplicates are kept (the caller decides what a duplicate means). libc only. */
#ifndef SPOTCHECK_LISTCELL_H
#define SPOTCHECK_LISTCELL_H

#include <stddef.h>

typedef enum { LIST_CODES = 0, LIST_NAMES, LIST_PHRASES } ListKind;

/* Splits text (NULL is empty) into *out, a newly allocated array of newly allocated strings;
 * returns how many (0: *out is NULL). Free with list_free. */
size_t list_split(const char *text, ListKind kind, char ***out);
void list_free(char **parts, size_t n);

#endif
