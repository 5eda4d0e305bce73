-- 049: insured persons as salted per-draw tokens in the published files (issue 17 item 5,
-- docs/DRAW.md §2a). At the freeze a random 32-byte salt is drawn for the draw and kept here,
-- never published; each insured person's line of the population file (and their id in the
-- exclusions and declared conflicts of the freeze) reads token = "P" + the first 24 hex digits of
-- HMAC-SHA256(salt, pseudonym) instead of the pseudonym. draw_salt keeps, beside the salt, every
-- pair of the freeze as one text (lines "token TAB pseudonym", sorted by token: one value, not a
-- row per insured person); draw_token holds the pairs the pages look up (the excluded and
-- conflicted persons at the freeze, the drawn ones at the run and each substitution), so the
-- pages, records and notices show the target as before and the public portal only the token.
-- Both append-only; `audit verify` recomputes every token from the salt.
CREATE TABLE draw_salt(
  draw_id INTEGER PRIMARY KEY REFERENCES draw(id),
  scheme TEXT NOT NULL,                 -- 'token-v1' (params.insured_ids of the freeze)
  salt TEXT NOT NULL,                   -- 64 lowercase hex digits
  pairs TEXT NOT NULL                   -- "token\tpseudonym\n" lines sorted by token
);
CREATE TABLE draw_token(
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  token TEXT NOT NULL,                  -- the id in the draw's files and record
  target_code TEXT NOT NULL,            -- the insured person's pseudonym (target.code)
  PRIMARY KEY (draw_id, token)
);
CREATE UNIQUE INDEX draw_token_target ON draw_token(draw_id, target_code);
CREATE TRIGGER draw_salt_no_update BEFORE UPDATE ON draw_salt
BEGIN SELECT RAISE(ABORT, '冻结时的参保人编码盐值不能修改'); END;
CREATE TRIGGER draw_salt_no_delete BEFORE DELETE ON draw_salt
BEGIN SELECT RAISE(ABORT, '冻结时的参保人编码盐值不能删除'); END;
CREATE TRIGGER draw_token_no_update BEFORE UPDATE ON draw_token
BEGIN SELECT RAISE(ABORT, '冻结时的参保人编码对照不能修改'); END;
CREATE TRIGGER draw_token_no_delete BEFORE DELETE ON draw_token
BEGIN SELECT RAISE(ABORT, '冻结时的参保人编码对照不能删除'); END;
