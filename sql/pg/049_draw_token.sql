-- 049 on PostgreSQL: sql/049_draw_token.sql (insured persons as salted per-draw tokens), with the
-- append-only rules as triggers calling the baseline's sc_refuse.
CREATE TABLE draw_salt(
  draw_id BIGINT PRIMARY KEY REFERENCES draw(id),
  scheme TEXT NOT NULL,
  salt TEXT NOT NULL,
  pairs TEXT NOT NULL
);
CREATE TABLE draw_token(
  draw_id BIGINT NOT NULL REFERENCES draw(id),
  token TEXT NOT NULL,
  target_code TEXT NOT NULL,
  PRIMARY KEY (draw_id, token)
);
CREATE UNIQUE INDEX draw_token_target ON draw_token(draw_id, target_code);
CREATE TRIGGER draw_salt_no_update BEFORE UPDATE ON draw_salt FOR EACH ROW
EXECUTE FUNCTION sc_refuse('冻结时的参保人编码盐值不能修改');
CREATE TRIGGER draw_salt_no_delete BEFORE DELETE ON draw_salt FOR EACH ROW
EXECUTE FUNCTION sc_refuse('冻结时的参保人编码盐值不能删除');
CREATE TRIGGER draw_token_no_update BEFORE UPDATE ON draw_token FOR EACH ROW
EXECUTE FUNCTION sc_refuse('冻结时的参保人编码对照不能修改');
CREATE TRIGGER draw_token_no_delete BEFORE DELETE ON draw_token FOR EACH ROW
EXECUTE FUNCTION sc_refuse('冻结时的参保人编码对照不能删除');
