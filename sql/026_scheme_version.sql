-- Optimistic lock of the 实施方案 (issue 17): every save and every state change bumps the version;
-- a save names the version it was made on, so two people editing the same draft cannot silently
-- overwrite each other (the second save is refused with the current version).
ALTER TABLE task_scheme ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
