-- 002: the verifiable draw (摇号). See docs/DRAW.md.
--
-- A draw is frozen first (population file, officer file, parameters, secret commitment and the
-- announced source of public randomness are written and published), then run once the public
-- randomness is known. A task has one current draw; a re-draw supersedes it with a reason and an
-- approver, and the earlier draw stays here with status 已作废. Nothing is deleted.

CREATE TABLE draw(
  id INTEGER PRIMARY KEY,
  task_code TEXT NOT NULL,
  draw_no INTEGER NOT NULL,                 -- 1 for the first draw of a task, then 2, 3, … per re-draw
  status TEXT NOT NULL CHECK (status IN ('已冻结', '已抽取', '已作废')),
  draw_date TEXT NOT NULL,                  -- the day the draw is held (certificate validity)
  params TEXT NOT NULL,                     -- JSON, as in the record's freeze.params
  population_sha256 TEXT NOT NULL,
  population_count INTEGER NOT NULL,
  officers_sha256 TEXT NOT NULL,
  commitment TEXT NOT NULL,                 -- SHA-256 hex of the 32-byte secret
  secret TEXT NOT NULL,                     -- hex; published (revealed) only in the drawn record
  randomness_source TEXT NOT NULL,          -- announced before the draw
  public_randomness TEXT,                   -- entered at the draw
  seed TEXT,
  freeze_json TEXT NOT NULL,                -- the record's freeze object (canonical JSON)
  freeze_sha256 TEXT NOT NULL,
  record_json TEXT,                         -- the full record once drawn (canonical JSON)
  record_sha256 TEXT,
  redraw_reason TEXT,
  redraw_approver TEXT,
  previous_id INTEGER REFERENCES draw(id),  -- the draw this one supersedes
  superseded_reason TEXT,
  frozen_at TEXT NOT NULL,
  frozen_by TEXT,
  drawn_at TEXT,
  drawn_by TEXT,
  UNIQUE (task_code, draw_no)
);
-- One current (not superseded) draw per task.
CREATE UNIQUE INDEX draw_current ON draw(task_code) WHERE status <> '已作废';

-- The frozen input files, byte for byte as published.
CREATE TABLE draw_file(
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  kind TEXT NOT NULL CHECK (kind IN ('population', 'officers')),
  sha256 TEXT NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (draw_id, kind)
);

-- Targets left out of the population at freeze time, each with its reason.
CREATE TABLE draw_exclusion(
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  target_code TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (draw_id, target_code)
);

-- Drawn targets in draw order; replacements (递补) follow with origin '递补'.
CREATE TABLE draw_target(
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  position INTEGER NOT NULL,
  target_code TEXT NOT NULL,
  stratum TEXT NOT NULL,
  ticket TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('抽中', '递补')),
  status TEXT NOT NULL CHECK (status IN ('有效', '已替换')),
  PRIMARY KEY (draw_id, position),
  UNIQUE (draw_id, target_code)
);
CREATE INDEX draw_target_code ON draw_target(target_code);

-- Group members per target: officers (组长/组员) and experts (专家); removed members keep their
-- row with status 已替换 and the reason.
CREATE TABLE draw_member(
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  target_code TEXT NOT NULL,
  member_code TEXT NOT NULL,                -- officer certificate number or expert code
  role TEXT NOT NULL CHECK (role IN ('组长', '组员', '专家')),
  status TEXT NOT NULL CHECK (status IN ('在组', '已替换')),
  reason TEXT,
  PRIMARY KEY (draw_id, target_code, member_code)
);
CREATE INDEX draw_member_code ON draw_member(member_code);

-- Officers and experts passed over while forming a group, with the reason (回避 etc.).
CREATE TABLE draw_skip(
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  target_code TEXT NOT NULL,
  seq INTEGER NOT NULL,
  member_code TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (draw_id, target_code, seq)
);

-- Substitution requests after the draw (递补), in order, with what the rules gave.
CREATE TABLE draw_event(
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('target', 'officer')),
  target_code TEXT NOT NULL,
  member_code TEXT,
  reason TEXT NOT NULL,
  replacement TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  created_by TEXT,
  PRIMARY KEY (draw_id, seq)
);
