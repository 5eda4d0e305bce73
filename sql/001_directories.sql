-- 001: orgs, depts, tags, items (事项清单), targets (检查对象名录库), officers (执法人员名录库),
-- experts, users, and the version history shared by every versioned table.
--
-- Versioning: each versioned table holds the current row with a `version` number; before a
-- change the whole old row is written to entity_version as JSON, so every earlier version stays
-- readable. A removal is a status change with status_reason, never a DELETE.

CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE org(
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE CHECK (length(code) = 6),     -- 行政区划代码
  name TEXT NOT NULL,
  parent_id INTEGER REFERENCES org(id),
  status TEXT NOT NULL DEFAULT '启用',
  status_reason TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);

CREATE TABLE dept(
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES org(id),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('本局科室', '外部门')),
  status TEXT NOT NULL DEFAULT '启用',
  status_reason TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);

CREATE TABLE tag(
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  parent_id INTEGER REFERENCES tag(id),
  applies_to TEXT NOT NULL DEFAULT '通用',   -- 通用 / 检查对象 / 执法人员
  status TEXT NOT NULL DEFAULT '启用',
  status_reason TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);

CREATE TABLE item(
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES org(id),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,                 -- 抽查事项名称
  basis TEXT NOT NULL,                -- 抽查依据
  dept_id INTEGER NOT NULL REFERENCES dept(id),   -- 抽查主体
  target_kinds TEXT NOT NULL,         -- 抽查对象: comma list of target kinds
  content TEXT NOT NULL,              -- 抽查内容
  ratio TEXT,                         -- 抽查比例, exact decimal text such as "3%"
  frequency TEXT,                     -- 抽查频次
  methods TEXT NOT NULL,              -- 抽查方式: '、'-joined multi-choice
  class TEXT NOT NULL CHECK (class IN ('一般', '重点')),
  required_tags TEXT,                 -- officer tag codes an item needs, comma list
  status TEXT NOT NULL DEFAULT '启用',
  status_reason TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);

CREATE TABLE target(
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES org(id),
  -- CHECKs on the hot import path are ORs of equalities: SQLite builds a temporary index for an
  -- IN list each time an INSERT statement runs (a quarter of a bulk import's insert work).
  kind TEXT NOT NULL CHECK (kind = 'institution' OR kind = 'pharmacy' OR kind = 'employer' OR kind = 'insured'),
  code TEXT NOT NULL UNIQUE,          -- draw id: 医保编码, 统一社会信用代码, or an insured pseudonym
  name TEXT NOT NULL,
  uscc TEXT,                          -- 统一社会信用代码
  mi_code TEXT,                       -- 医保编码 (H/P + 11 digits)
  id_number TEXT,                     -- 居民身份证号 (insured only; never public)
  code_override TEXT,                 -- reason a failing code was accepted
  region TEXT NOT NULL CHECK (length(region) = 6),
  address TEXT,
  grade TEXT NOT NULL DEFAULT 'B' CHECK (grade = 'A' OR grade = 'B' OR grade = 'C' OR grade = 'D'),
  tags TEXT,                          -- tag codes, comma list (denormalised copy of target_tag)
  registered_on TEXT,
  complaints INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT '正常',
  status_reason TEXT,
  last_checked_on TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);
CREATE INDEX target_org_kind ON target(org_id, kind, id);
CREATE INDEX target_region ON target(region);
CREATE INDEX target_name ON target(name);
CREATE UNIQUE INDEX target_insured_id ON target(id_number) WHERE kind = 'insured';

CREATE TABLE target_tag(
  target_id INTEGER NOT NULL REFERENCES target(id),
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  PRIMARY KEY (target_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX target_tag_tag ON target_tag(tag_id, target_id);

CREATE TABLE officer(
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES org(id),
  dept_id INTEGER NOT NULL REFERENCES dept(id),
  name TEXT NOT NULL,
  cert_no TEXT NOT NULL UNIQUE,       -- 执法证号
  cert_valid_from TEXT NOT NULL,
  cert_valid_to TEXT NOT NULL,
  tags TEXT,                          -- expertise tag codes, comma list
  region TEXT NOT NULL CHECK (length(region) = 6),   -- 执法区域
  status TEXT NOT NULL DEFAULT '在岗' CHECK (status IN ('在岗', '休假', '借调', '离岗')),
  may_lead INTEGER NOT NULL DEFAULT 0,
  phone TEXT,
  status_reason TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);

CREATE TABLE officer_tag(
  officer_id INTEGER NOT NULL REFERENCES officer(id),
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  PRIMARY KEY (officer_id, tag_id)
) WITHOUT ROWID;

CREATE TABLE expert(
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES org(id),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('专家', '第三方机构')),
  specialty TEXT,                     -- tag codes, comma list
  employer TEXT,                      -- 工作单位
  phone TEXT,
  status TEXT NOT NULL DEFAULT '启用',
  status_reason TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_by TEXT
);

-- Old versions of every versioned row, as the JSON of the row before the change.
CREATE TABLE entity_version(
  id INTEGER PRIMARY KEY,
  entity TEXT NOT NULL,               -- table name
  entity_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  replaced_at TEXT NOT NULL DEFAULT (datetime('now')),
  replaced_by TEXT,
  UNIQUE (entity, entity_id, version)
);

CREATE TABLE user(
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES org(id),
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'leader', 'officer', 'joint', 'supervisor')),
  password_hash TEXT NOT NULL,        -- argon2id, libsodium's encoded string
  officer_id INTEGER REFERENCES officer(id),
  dept_id INTEGER REFERENCES dept(id),
  status TEXT NOT NULL DEFAULT '启用',
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  password_changed_at TEXT NOT NULL DEFAULT (datetime('now'))
);

-- Per-installation key for insured persons' pseudonymous draw codes (HMAC-SHA256 of the ID
-- number). SQLite's randomblob draws from the OS's randomness source.
INSERT INTO meta(key, value) VALUES ('pseudonym_key', lower(hex(randomblob(32))));
