-- 038: a task whose plan row (or ad-hoc task) gave 抽查对象范围 only in words starts with an empty
-- filter, and a draw over an empty filter takes every kind of target, 参保人 included (issue 16).
-- Such a task's structured scope is set in its implementation scheme, which the leader approves:
-- scope_in_scheme marks the tasks whose scope the scheme owns, and their scheme cannot be submitted
-- nor their draw frozen until the filter names the kinds of target (参保人 only when chosen).
ALTER TABLE task ADD COLUMN scope_in_scheme INTEGER NOT NULL DEFAULT 0 CHECK (scope_in_scheme IN (0, 1));
UPDATE task SET scope_in_scheme = 1 WHERE scope_json IN ('', '{}');
