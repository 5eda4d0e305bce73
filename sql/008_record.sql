-- 008: from inspection to closure (issue 6). One record form per drawn target (一企一表) with
-- every department's items, violations, files and signature; its review and publication; the
-- follow-up of findings (后续处置) with the transfer ledger (转办、移送台账); the target's credit
-- record and grade adjustments. Nothing is deleted: contents are versioned (record_version,
-- followup_version), status changes are events (record_event), files and violations are
-- withdrawn by status with a reason.
--
-- Deadlines (working days, src/domain/calendar.h) are computed from the dates stored here, not
-- stored: result entry and publication = checked_on (or, before the check, the last day of the
-- task's month_to) + 20; penalty publication = decision_on + 7; follow-up outcome = opened_on
-- + 20; rectification = rectify_deadline as set.

-- 一企一表: one per drawn target of a task's current draw (draw_target status 有效).
CREATE TABLE record(
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES task(id),
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  org_id INTEGER NOT NULL REFERENCES org(id),       -- the task's org (谁检查、谁录入、谁公开)
  target_code TEXT NOT NULL,                        -- draw code of the target
  target_id INTEGER REFERENCES target(id),
  status TEXT NOT NULL DEFAULT '待录入'
    CHECK (status IN ('待录入', '待审核', '退回', '审核通过', '已公示')),
  checked_from TEXT,                                -- first day of the inspection (YYYY-MM-DD)
  checked_on TEXT,                                  -- the day the check ended: starts the 20-day clock
  result_codes TEXT NOT NULL DEFAULT '',            -- overall result, refdata result_categories codes, ',' list
  remarks TEXT NOT NULL DEFAULT '',                 -- 备注, published with the result
  notes TEXT NOT NULL DEFAULT '',                   -- internal notes, never published
  officers TEXT NOT NULL DEFAULT '',                -- officers who inspected: cert numbers, ',' list (>= 2)
  signer_name TEXT,                                 -- the target's representative who signed
  signature_file_id INTEGER,                        -- record_file of kind signature
  refusal_reason TEXT,                              -- written when the representative refuses to sign
  fraud_purpose INTEGER NOT NULL DEFAULT 0 CHECK (fraud_purpose IN (0, 1)),    -- 条例第四十条第二款
  police_transfer INTEGER NOT NULL DEFAULT 0 CHECK (police_transfer IN (0, 1)), -- 移送公安
  version INTEGER NOT NULL DEFAULT 1,               -- bumped by every content save (optimistic lock)
  submitted_at TEXT, submitted_by TEXT,
  reviewed_at TEXT, reviewed_by TEXT,
  review_opinion TEXT,                              -- the reviewer's last return opinion
  published_at TEXT, published_by TEXT,
  published_json TEXT,                              -- the public record as published (snapshot)
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT,
  UNIQUE (draw_id, target_code)
);
CREATE INDEX record_task ON record(task_id);
CREATE INDEX record_status ON record(org_id, status);
CREATE INDEX record_target ON record(target_id);

-- The items of a record: the task's items (lead dept) and each confirmed joint dept's items.
CREATE TABLE record_item(
  record_id INTEGER NOT NULL REFERENCES record(id),
  position INTEGER NOT NULL,                        -- 1, 2, … in form order
  dept_id INTEGER REFERENCES dept(id),
  dept_name TEXT NOT NULL,
  item_code TEXT,                                   -- item list code; NULL for a joint dept's free-text item
  item_name TEXT NOT NULL,
  methods TEXT NOT NULL DEFAULT '',                 -- refdata inspection_methods codes, ',' list
  result TEXT NOT NULL DEFAULT '',                  -- refdata result_categories codes, ',' list
  notes TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (record_id, position)
);

-- Violations found (条例 38–41), with the amount involved.
CREATE TABLE record_violation(
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES record(id),
  item_position INTEGER,                            -- the record_item it belongs to, if any
  category TEXT NOT NULL,                           -- refdata violation_categories code, e.g. 38(1)
  amount_cents INTEGER NOT NULL DEFAULT 0 CHECK (amount_cents >= 0), -- 涉及金额 in fen
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '有效' CHECK (status IN ('有效', '已撤销')),
  status_reason TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  created_by TEXT
);
CREATE INDEX record_violation_record ON record_violation(record_id);

-- Photos, videos and the signature image. Bytes live on disk under the files directory, named
-- by their SHA-256; never served to the public.
CREATE TABLE record_file(
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES record(id),
  kind TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'signature')),
  mime TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  sha256 TEXT NOT NULL,
  original_name TEXT,
  status TEXT NOT NULL DEFAULT '有效' CHECK (status IN ('有效', '已撤销')),
  status_reason TEXT,
  uploaded_at TEXT NOT NULL DEFAULT (datetime('now')),
  uploaded_by TEXT
);
CREATE INDEX record_file_record ON record_file(record_id);

-- Every earlier version of a record's contents (record + items + violations as JSON).
CREATE TABLE record_version(
  record_id INTEGER NOT NULL REFERENCES record(id),
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  changed_at TEXT NOT NULL DEFAULT (datetime('now')),
  changed_by TEXT,
  PRIMARY KEY (record_id, version)
);

-- Status history of a record: 提交, 退回, 审核通过, 公示, 撤回公示.
CREATE TABLE record_event(
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES record(id),
  action TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  opinion TEXT,
  at TEXT NOT NULL DEFAULT (datetime('now')),
  on_day TEXT NOT NULL,                             -- the working-day date of the action (YYYY-MM-DD)
  by_user TEXT
);
CREATE INDEX record_event_record ON record_event(record_id);

-- 后续处置: one row per disposal of a published record with findings. A finding is closed when
-- every follow-up of its record is 已完结 and there is at least one.
CREATE TABLE followup(
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES record(id),
  org_id INTEGER NOT NULL REFERENCES org(id),
  option TEXT NOT NULL,                             -- refdata disposal_options code
  status TEXT NOT NULL DEFAULT '未完结' CHECK (status IN ('未完结', '已完结')),
  opened_on TEXT NOT NULL,                          -- starts the 20-working-day outcome clock
  rectify_deadline TEXT,                            -- 整改期限 (rectify)
  recheck_on TEXT, recheck_result TEXT,             -- 复查 (rectify)
  decision_no TEXT, decision_on TEXT,               -- 处罚决定书文号, 决定日期 (penalty)
  amount_cents INTEGER CHECK (amount_cents IS NULL OR amount_cents >= 0), -- 罚没/退回金额
  penalty_published_on TEXT,                        -- decision published (within 7 working days)
  receiver TEXT,                                    -- receiving dept or organ (transfers)
  outcome TEXT NOT NULL DEFAULT '',                 -- 处置结果
  outcome_on TEXT,                                  -- outcome entered
  closed_on TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  created_by TEXT,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);
CREATE INDEX followup_record ON followup(record_id);
CREATE INDEX followup_org ON followup(org_id, status);

CREATE TABLE followup_version(
  followup_id INTEGER NOT NULL REFERENCES followup(id),
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  changed_at TEXT NOT NULL DEFAULT (datetime('now')),
  changed_by TEXT,
  PRIMARY KEY (followup_id, version)
);

-- 转办、移送台账: every transfer of a case to another department or organ, to its feedback.
CREATE TABLE transfer(
  id INTEGER PRIMARY KEY,
  followup_id INTEGER NOT NULL REFERENCES followup(id),
  org_id INTEGER NOT NULL REFERENCES org(id),
  kind TEXT NOT NULL CHECK (kind IN ('转办', '移送', '移送司法机关', '抄告')),
  receiver TEXT NOT NULL,
  sent_on TEXT NOT NULL,
  doc_no TEXT NOT NULL DEFAULT '',                  -- 移送函文号
  summary TEXT NOT NULL DEFAULT '',
  feedback TEXT NOT NULL DEFAULT '',
  feedback_on TEXT,
  status TEXT NOT NULL DEFAULT '已移送' CHECK (status IN ('已移送', '已反馈', '已办结')),
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  created_by TEXT,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);
CREATE INDEX transfer_org ON transfer(org_id, status);

-- The target's credit record: findings, penalties and grade adjustments (with the reason).
CREATE TABLE credit_event(
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES target(id),
  record_id INTEGER REFERENCES record(id),
  followup_id INTEGER REFERENCES followup(id),
  kind TEXT NOT NULL CHECK (kind IN ('检查发现', '行政处罚', '等级调整')),
  grade_before TEXT CHECK (grade_before IS NULL OR grade_before IN ('A', 'B', 'C', 'D')),
  grade_after TEXT CHECK (grade_after IS NULL OR grade_after IN ('A', 'B', 'C', 'D')),
  summary TEXT NOT NULL DEFAULT '',
  reason TEXT,
  on_day TEXT NOT NULL,
  at TEXT NOT NULL DEFAULT (datetime('now')),
  by_user TEXT
);
CREATE INDEX credit_event_target ON credit_event(target_id);
