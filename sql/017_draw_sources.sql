-- 017: spotcheck-draw/2 (docs/DRAW.md). The implementation scheme declares its sources of public
-- randomness as data (a JSON array: lottery issues, a drand round, observers' dice), fixed at the
-- freeze before any of them exists; the free-text randomness_source stays as an optional note.
-- A /2 draw row has no secret: commitment and secret are '' and public_randomness holds the JSON
-- array of the canonical values entered at the draw.
ALTER TABLE task_scheme ADD COLUMN randomness_sources TEXT NOT NULL DEFAULT '[]';
ALTER TABLE draw ADD COLUMN sources TEXT;
