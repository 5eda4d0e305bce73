-- 013: credit-risk differentiation of a task's implementation scheme (差异化抽查, 001 二(五),
-- 004 第十一条). grade_rules holds the scheme's per-grade ratios and minimums as JSON:
-- {"ratios": {"D": "30%", ...}, "minimum": {"D": 2, ...}}; a grade absent from "ratios" is drawn
-- at the task's (plan row's) ratio, one absent from "minimum" has none. Edited with the scheme
-- (草稿 only) and passed to the draw as params.ratios / params.minimum (docs/DRAW.md §4, §6).
ALTER TABLE task_scheme ADD COLUMN grade_rules TEXT NOT NULL DEFAULT '{}';
