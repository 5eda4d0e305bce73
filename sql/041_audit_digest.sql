-- 041: each audit row also records the digest of the audited business row's state after the change
-- (docs/AUDIT.md, "The state digest"; src/domain/audit_state.c). NULL when the row's entity has no
-- digest, and in every row written before this migration: those rows keep the ten-field hash rule
-- and stay verifiable; a row with a digest hashes it as an eleventh field.
ALTER TABLE audit_log ADD COLUMN digest TEXT CHECK (digest IS NULL OR length(digest) = 64);
