-- 004: web sessions and login throttling.
-- A session is stored by the SHA-256 of its cookie token, so a copy of the database does not
-- hand out live sessions. Idle expiry is enforced on every request from last_seen.
CREATE TABLE session(
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES user(id),
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,   -- unix seconds
  last_seen INTEGER NOT NULL,
  remote TEXT
);
CREATE INDEX session_user ON session(user_id);

CREATE TABLE login_attempt(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  remote TEXT,
  at INTEGER NOT NULL,           -- unix seconds
  ok INTEGER NOT NULL
);
CREATE INDEX login_attempt_user ON login_attempt(username, at);
