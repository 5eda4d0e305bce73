-- Optimistic lock of a draft plan version (issue 17): `rev` moves on with every change to the
-- version (its header, a task row added, changed or removed, a state change); an edit of the header
-- or of a task row names the rev it was made on, so two people editing the same draft cannot
-- silently overwrite each other. (`version` is the plan's version number, 第N版; `rev` is the lock.)
ALTER TABLE plan_version ADD COLUMN rev INTEGER NOT NULL DEFAULT 1;
