/* audit_labels.h - the Chinese words for what an audit row records: its action (plan.import →
 * 导入年度 抽查计划) and its entity (target → 检查对象), so the log reads as a clerk speaks; the
 * code stays beside it for the technically minded and for filtering. Pure. */
#ifndef SPOTCHECK_AUDIT_LABELS_H
#define SPOTCHECK_AUDIT_LABELS_H

#include <stddef.h>

/* The label of an action into out (always NUL-terminated); the code itself when it is unknown. */
void audit_action_label(const char *action, char *out, size_t n);
/* The label of an entity (a table or "figures"), or the code itself when unknown; NULL stays NULL.
 */
const char *audit_entity_label(const char *entity);

#endif
