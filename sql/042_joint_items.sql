-- 042: a joint department's items picked from the item list (一业一查: the department checks its
-- own entries of the random-check item list, not free text). item_codes: ',' list of the item
-- codes of that department, chosen when it confirms; items_text stays for what the list lacks.
ALTER TABLE task_joint ADD COLUMN item_codes TEXT NOT NULL DEFAULT '';
