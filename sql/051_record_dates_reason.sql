-- 051: check dates within the task's period (issue 16 "Dates that make sense"). A record's 检查开始 /
-- 检查结束 lie within the task's 抽查时间 (task.month_from .. the last day of task.month_to) unless the
-- officer gives a reason (超期说明); the reason is a column of the record, so it is kept with each
-- record_version snapshot and audit row like the dates it explains. NULL when the dates need none.
ALTER TABLE record ADD COLUMN dates_reason TEXT;
-- The leader's to-do of grade proposals (credit_rules.c credit_pending) finds the published records
-- found to aim at defrauding the fund without reading every record.
CREATE INDEX record_fraud_target ON record(target_id) WHERE fraud_purpose = 1;
