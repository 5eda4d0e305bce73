-- 014: whether a published record shows findings (发现问题), decided once at publication by
-- result.c (result categories at or below 发现问题…, 不配合检查情节严重, or any valid violation) and
-- frozen with the published snapshot, so that follow-up (待处置, closure) and the year's figures
-- all count the same records.
ALTER TABLE record ADD COLUMN findings INTEGER NOT NULL DEFAULT 0 CHECK (findings IN (0, 1));
