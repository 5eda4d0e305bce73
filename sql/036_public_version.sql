-- The version of what the public portal (/public/) shows (issue 15 item 5): every change recorded in
-- the audit log that can change a public page sets it to a new random value in the same transaction
-- (audit_append → public_version_bump), so the web server can key its cache of public pages, their
-- ETag and Last-Modified by one cheap read, and several server processes on one database agree. A
-- random value rather than a counter: a database restored from a backup and then changed never
-- reaches a version some page was cached under before the restore. changed_epoch: seconds since the
-- epoch (wall clock) of the last change, for Last-Modified. One row.
CREATE TABLE public_version(
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    changed_epoch INTEGER NOT NULL
);
INSERT INTO public_version(id, version, changed_epoch) VALUES (1, random() & 4611686018427387903, 0);
