/* codes.h - validators for the identifiers on the target and officer directories, and masking
 * of personal data for public pages. Pure functions, no I/O, thread-safe.
 *
 * Each check returns NULL when the code is valid, otherwise a static Chinese reason suitable for
 * "第N行 列名: 原因" (e.g. "校验码错误，应为 L"): for those the reason is written into the
 * caller's buffer `why` of CODE_WHY_MAX bytes and `why` is returned. */
#ifndef SPOTCHECK_CODES_H
#define SPOTCHECK_CODES_H

#include <stddef.h>

#define CODE_WHY_MAX 160

/* Upper-cases ASCII letters and removes spaces, hyphens and full-width spaces, in place.
 * Also folds full-width ASCII (Ｈ１２…) to half-width and drops tabs and the dashes
 * U+2010..U+2015. Other characters are kept unchanged. Returns s (NULL stays NULL).
 * Each check below applies the same normalisation to a private copy before checking, so
 * callers should store the normalised form. */
char *code_normalize(char *s);

/* 统一社会信用代码, GB 32100-2015: 18 characters, charset without I O S V Z, check character. */
const char *code_check_uscc(const char *s, char why[CODE_WHY_MAX]);
/* 居民身份证号码, GB 11643-1999: 17 digits + check (digit or X), valid birth date, ISO 7064 MOD
 * 11-2. */
const char *code_check_id_number(const char *s, char why[CODE_WHY_MAX]);
/* 医保 codes: kind 'H' (定点医疗机构) or 'P' (定点零售药店) followed by 11 digits. */
const char *code_check_mi(const char *s, char kind, char why[CODE_WHY_MAX]);
/* 行政区划代码: 6 digits, not all-zero province. */
const char *code_check_region(const char *s, char why[CODE_WHY_MAX]);

/* Check characters, for generators and tests: `first17` holds (at least) the first 17
 * characters of a normalised code. Returns the 18th character, or 0 when one of the 17 is
 * outside the code's character set (USCC: 0-9 A-Z without I O S V Z; ID: digits). */
char code_uscc_check_char(const char *first17);
char code_id_check_char(const char *first17);
/* The 6-digit region embedded in a valid H/P 医保 code, written to out[7]. Returns 0, or -1
 * (out untouched) when the code does not pass code_check_mi for its own first letter. The
 * region is the one at assignment time: compare with today's regions only to warn. */
int code_mi_region(const char *s, char out[7]);

/* Masks a natural person's name for public pages: surname + one '*' per remaining character;
 * compound surnames (欧阳, 司马, 诸葛, 上官, ...) keep two characters. Returns a new string. */
char *mask_person_name(const char *name);
/* Internal lists: region + "********" + last 4 ("110105********1234"). Returns a new string. */
char *mask_id_number(const char *id);
/* A phone number for lists, pages and exports: the first 3 and last 4 characters ("138****0000")
 * of a number with 11 or more digits; anything shorter or unusual becomes "（已隐藏）". Returns a
 * new string. */
char *mask_phone(const char *phone);

#endif
