-- 024: accounts a 系统管理员 can run (issue 13). User names are unique without regard to case
-- (Admin is admin); an administrator's password reset makes the account choose a new password at
-- its next login; the permission to export unmasked personal data (个人信息导出) is granted per
-- account, never by a role. Failed logins are kept (the throttle counts those after the last
-- success) with the browser's device cookie when it had a valid one (OWASP: a browser that logged
-- in before is not locked out by others' failures).
CREATE UNIQUE INDEX user_username_nocase ON user(lower(username));
ALTER TABLE user ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
ALTER TABLE user ADD COLUMN pii_export INTEGER NOT NULL DEFAULT 0 CHECK (pii_export IN (0, 1));
ALTER TABLE user ADD COLUMN status_reason TEXT;
ALTER TABLE login_attempt ADD COLUMN device TEXT;   -- SHA-256 of the device cookie's nonce, or NULL
CREATE INDEX login_attempt_device ON login_attempt(device, at);
INSERT INTO meta(key, value) VALUES ('device_key', lower(hex(randomblob(32))));
CREATE INDEX login_attempt_user_nocase ON login_attempt(lower(username), id);
