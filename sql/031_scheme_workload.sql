-- The scheme sets the draw's workload rules (issue 16): how many groups one officer may be given at most
-- (0: no cap), how often a target may be drawn in a year (at least 1), and how recently checked targets
-- are left out (months; 0: none). Frozen with the draw's parameters; until now only the command line
-- could set them (the yearly cap was fixed at 1).
ALTER TABLE task_scheme ADD COLUMN workload_cap INTEGER NOT NULL DEFAULT 0 CHECK (workload_cap >= 0);
ALTER TABLE task_scheme ADD COLUMN yearly_cap INTEGER NOT NULL DEFAULT 1 CHECK (yearly_cap >= 1);
ALTER TABLE task_scheme ADD COLUMN checked_within_months INTEGER NOT NULL DEFAULT 0 CHECK (checked_within_months >= 0);
