/* money.h - amounts of money as typed by staff (in yuan) and as stored (integer fen). One parser
 * for every form that takes an amount: violations on a record, fines and refunds of a follow-up.
 * Pure; no locale. */
#ifndef SPOTCHECK_MONEY_H
#define SPOTCHECK_MONEY_H

#include <stdint.h>

/* Largest accepted amount: 10^11 yuan (10^13 fen), far above any fine, far below INT64_MAX. */
#define MONEY_MAX_YUAN 100000000000LL

/* Parses an amount in yuan as typed: spaces around it ignored; digits, optionally grouped by
 * thousands separators ',' or the full-width '，' (first group 1-3 digits, every later one 3);
 * an optional '.' with one or two decimals; an optional "元" suffix. No sign, no full-width
 * digits, no exponent. "12,345.60" → 1234560. Returns 0 with *fen set, or -1 (*fen untouched). */
int money_parse_yuan(const char *s, int64_t *fen);
/* Formats fen as yuan with thousands separators and two decimals ("12,345.60"); negative → 0. */
void money_format_yuan(int64_t fen, char out[32]);

#endif
