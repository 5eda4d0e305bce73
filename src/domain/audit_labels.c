/* audit_labels.c - Chinese words for audit actions and entities (see audit_labels.h). */
#include "audit_labels.h"

#include <stdio.h>
#include <string.h>

static const char *const actions[][2] = {
    {"login", "登录"},
    {"login.failed", "登录失败"},
    {"logout", "退出"},
    {"user.create", "新建账号"},
    {"user.link", "关联执法证号或部门"},
    {"user.disable", "停用账号"},
    {"user.enable", "启用账号"},
    {"user.password.reset", "重设密码"},
    {"user.password.change", "修改本人密码"},
    {"user.pii", "变更个人信息导出权限"},
    {"plan.create", "新建年度抽查计划"},
    {"plan.update", "修改计划信息"},
    {"plan.import", "导入年度抽查计划"},
    {"plan.task.create", "新增抽查任务"},
    {"plan.task.update", "修改抽查任务"},
    {"plan.task.remove", "删除抽查任务"},
    {"plan.submit", "提交计划审批"},
    {"plan.approve", "批准计划"},
    {"plan.return", "退回计划"},
    {"plan.publish", "公开计划"},
    {"plan.revise", "调整计划（新版本）"},
    {"plan.adhoc.create", "申请临时任务"},
    {"plan.adhoc.approve", "批准临时任务"},
    {"plan.adhoc.return", "退回临时任务"},
    {"plan.adhoc.resubmit", "重新提交临时任务"},
    {"task.start", "开始实施抽查任务"},
    {"task.scheme.save", "保存实施方案"},
    {"task.scheme.submit", "提交实施方案审批"},
    {"task.scheme.approve", "批准实施方案"},
    {"task.scheme.return", "退回实施方案"},
    {"task.scheme.publish", "公开实施方案"},
    {"task.joint.confirm", "联合部门确认参加"},
    {"task.conflict.declare", "登记回避"},
    {"task.draw.freeze", "冻结抽取名单"},
    {"task.draw.dice", "录入骰子点数"},
    {"task.draw.run", "抽取"},
    {"task.draw.substitute.request", "申请递补"},
    {"task.draw.substitute", "批准递补"},
    {"task.draw.substitute.reject", "驳回递补申请"},
    {"task.redraw.request", "申请重新抽取"},
    {"task.redraw.approve", "批准重新抽取"},
    {"record.sync", "生成检查记录"},
    {"record.save", "保存检查记录"},
    {"record.submit", "提交检查记录"},
    {"record.file.add", "上传照片或视频"},
    {"record.file.withdraw", "撤销照片或视频"},
    {"record.signature", "当事人签名"},
    {"record.return", "退回检查记录"},
    {"record.approve", "审核通过"},
    {"record.publish", "公示检查结果"},
    {"record.revisit", "登记回访"},
    {"result.exchange", "导出信用信息交换数据"},
    {"followup.open", "新建后续处置"},
    {"followup.update", "修改后续处置"},
    {"followup.publish_penalty", "公示行政处罚决定"},
    {"followup.close", "完结后续处置"},
    {"transfer.create", "登记移送"},
    {"transfer.feedback", "登记移送反馈"},
    {"credit.grade", "调整信用风险等级"},
    {"credit.confirm", "确认建议的信用风险等级"},
    {"notice.issue", "出具检查通知书"},
    {"notice.reissue", "重新出具检查通知书"},
    {"notice.issue_all", "出具任务的全部检查通知书"},
    {"export.figures", "导出年度指标"},
    {"export.transfers", "导出移送台账"},
    {"refdata.holidays", "载入节假日数据"},
    {"anchor.record", "登记下级机构的审计日志锚点"},
};

/* The directory kinds: table name (in target.update), kind name (in import.targets), label. */
static const char *const kinds[][3] = {
    {"org", "orgs", "行政区划与机构"},
    {"dept", "depts", "科室与部门"},
    {"tag", "tags", "标签"},
    {"item", "items", "抽查事项"},
    {"target", "targets", "检查对象"},
    {"officer", "officers", "执法人员"},
    {"expert", "experts", "专家与第三方机构"},
};

static const char *const entities[][2] = {
    {"user", "账号"},
    {"plan_version", "计划版本"},
    {"plan_task", "计划中的抽查任务"},
    {"plan_adhoc", "临时任务"},
    {"task", "抽查任务"},
    {"record", "检查记录"},
    {"followup", "后续处置"},
    {"transfer", "移送记录"},
    {"figures", "年度指标"},
    {"refdata", "参考数据"},
    {"anchor_head", "下级机构的审计日志锚点"},
};

static const char *kind_label(const char *name, int col) {
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i][col], name)) return kinds[i][2];
    return NULL;
}

void audit_action_label(const char *action, char *out, size_t n) {
    snprintf(out, n, "%s", action ? action : "");
    if (!action) return;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (!strcmp(actions[i][0], action)) {
            snprintf(out, n, "%s", actions[i][1]);
            return;
        }
    /* the directory engine's actions: KIND.create / .update / .status / .create.refused,
     * import.KINDS, export.KINDS */
    const char *dot = strchr(action, '.');
    if (!dot) return;
    char head[32];
    snprintf(head, sizeof head, "%.*s", (int)(dot - action), action);
    const char *rest = dot + 1, *label;
    if (!strcmp(head, "import") && (label = kind_label(rest, 1)))
        snprintf(out, n, "导入%s", label);
    else if (!strcmp(head, "export") && (label = kind_label(rest, 1)))
        snprintf(out, n, "导出%s", label);
    else if ((label = kind_label(head, 0))) {
        const char *verb = !strcmp(rest, "create")           ? "新建"
                           : !strcmp(rest, "update")         ? "修改"
                           : !strcmp(rest, "status")         ? "变更状态："
                           : !strcmp(rest, "create.refused") ? "新建被拒绝："
                                                             : NULL;
        if (verb) snprintf(out, n, "%s%s", verb, label);
    }
}

const char *audit_entity_label(const char *entity) {
    if (!entity) return NULL;
    const char *k = kind_label(entity, 0);
    if (k) return k;
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
        if (!strcmp(entities[i][0], entity)) return entities[i][1];
    return entity;
}
