/* actor.h - who acts in a unit of work: the account (a real user name, or "cli" / "system" for the
 * console and the installer), its org and, from the web, the client address. Every domain function
 * that changes data takes one and writes it into the audit row. */
#ifndef SPOTCHECK_ACTOR_H
#define SPOTCHECK_ACTOR_H

#include <stdint.h>

typedef struct Actor {
    const char *username;
    int64_t org_id;     /* 0 for the console: no jurisdiction limit */
    const char *remote; /* NULL from the command line */
} Actor;

#endif
