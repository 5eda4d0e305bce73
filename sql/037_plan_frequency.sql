-- 037: 抽查频次 on the plan's task rows (002 二(二)1: the plan states 抽查事项、检查对象范围、抽查比例、
-- 抽查频次和抽查时间). Free text as bureaus write it ("每年1次", "每半年1次"); in 附件2 files an extra
-- column 抽查频次 after 备注, read when present and written when a row has one.
ALTER TABLE plan_task ADD COLUMN frequency TEXT NOT NULL DEFAULT '';
