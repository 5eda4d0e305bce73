-- 006: tasks (抽查任务实施), their implementation schemes (实施方案), joint departments (联合抽查)
-- and the draw ceremony. See src/domain/task.h.
--
-- A task is started from a task row of a published plan version in force, or from an approved
-- ad-hoc task (004 第六条: no check outside the plan). Its code is the draw's task code. The
-- scheme goes 草稿 → 待审批 → 已批准 → 已公开 (待审批 → 草稿 on return with the leader's
-- opinion); the draw may be frozen and held only once the scheme is 已公开 (004 第十二条).
-- Joint departments confirm within 2 working days (003 四(一)); only confirmed departments'
-- officers enter the draw. Nothing is deleted.

CREATE TABLE task(
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES org(id),
  code TEXT NOT NULL UNIQUE,              -- draw task code: <plan number>-<task no>, or the ad-hoc code
  plan_task_id INTEGER REFERENCES plan_task(id),
  adhoc_id INTEGER REFERENCES plan_adhoc(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('定向', '不定向', '临时')),
  ratio TEXT NOT NULL,                    -- exact decimal percentage from the plan row
  item_codes TEXT NOT NULL DEFAULT '',    -- the plan row's items, ',' list
  scope_json TEXT NOT NULL DEFAULT '{}',  -- the plan row's target filter
  scope_text TEXT NOT NULL DEFAULT '',
  lead_dept_id INTEGER REFERENCES dept(id),
  month_from TEXT NOT NULL,
  month_to TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  created_by TEXT,
  CHECK ((plan_task_id IS NULL) <> (adhoc_id IS NULL))
);
CREATE UNIQUE INDEX task_plan_row ON task(plan_task_id) WHERE plan_task_id IS NOT NULL;
CREATE UNIQUE INDEX task_adhoc ON task(adhoc_id) WHERE adhoc_id IS NOT NULL;

-- The implementation scheme, one per task.
CREATE TABLE task_scheme(
  task_id INTEGER PRIMARY KEY REFERENCES task(id),
  status TEXT NOT NULL DEFAULT '草稿' CHECK (status IN ('草稿', '待审批', '已批准', '已公开')),
  purpose TEXT NOT NULL DEFAULT '',       -- 检查目的
  period TEXT NOT NULL DEFAULT '',        -- 检查时间 (free text, e.g. 2025年6月1日至6月30日)
  group_size INTEGER NOT NULL DEFAULT 2 CHECK (group_size >= 2),  -- 每组执法人员数 (004 第十四条)
  method TEXT NOT NULL DEFAULT '',        -- 检查方式
  confidentiality TEXT NOT NULL DEFAULT '', -- 保密要求
  use_of_results TEXT NOT NULL DEFAULT '',  -- 结果运用
  materials TEXT NOT NULL DEFAULT '',     -- 被检查单位需准备的材料 (检查通知书)
  contact TEXT NOT NULL DEFAULT '',       -- 联系人及电话 (检查通知书)
  observers TEXT NOT NULL DEFAULT '{}',   -- invited observers: {"律师":[..],"人大代表":[..],"政协委员":[..],"媒体":[..]}
  randomness_source TEXT NOT NULL DEFAULT '', -- announced source of public randomness
  opinion TEXT,                           -- the leader's last return opinion
  submitted_at TEXT, submitted_by TEXT,
  approved_at TEXT, approved_by TEXT,
  published_at TEXT, published_by TEXT,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);

-- Joint departments named by the lead dept; each confirms within 2 working days of named_on.
CREATE TABLE task_joint(
  task_id INTEGER NOT NULL REFERENCES task(id),
  dept_id INTEGER NOT NULL REFERENCES dept(id),
  named_on TEXT NOT NULL,                 -- YYYY-MM-DD
  deadline TEXT,                          -- named_on + 2 working days; NULL = beyond the calendar data
  status TEXT NOT NULL DEFAULT '待确认' CHECK (status IN ('待确认', '已确认')),
  confirmed_on TEXT,
  confirmed_by TEXT,
  items_text TEXT NOT NULL DEFAULT '',    -- the dept's own items (一企一表 carries them)
  PRIMARY KEY (task_id, dept_id)
);

-- The draw ceremony: observers present, per draw of the task.
CREATE TABLE task_ceremony(
  task_id INTEGER NOT NULL REFERENCES task(id),
  draw_no INTEGER NOT NULL,
  observers_present TEXT NOT NULL DEFAULT '',
  held_at TEXT NOT NULL DEFAULT (datetime('now')),
  held_by TEXT,
  PRIMARY KEY (task_id, draw_no)
);

-- A requested re-draw waiting for the 分管领导's approval.
CREATE TABLE task_redraw(
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES task(id),
  reason TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT '待审批' CHECK (status IN ('待审批', '已批准', '已退回')),
  requested_at TEXT NOT NULL DEFAULT (datetime('now')),
  requested_by TEXT,
  decided_at TEXT,
  decided_by TEXT,
  opinion TEXT
);
