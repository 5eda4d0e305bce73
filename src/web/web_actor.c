/* web_actor.c - the signed-in account as the actor of a domain unit of work: the domain writes the
 * audit row with it (uow.h), so a page never does. */
#include "web.h"

Actor web_actor(Req *r) {
    return (Actor){.username = r->sess ? r->sess->username : "anonymous",
                   .org_id = r->sess ? r->sess->org_id : 0,
                   .remote = r->http->remote[0] ? r->http->remote : NULL};
}
