-- 030: the fields of the public record (published_json) that the public portal searches, as
-- columns written with it at publication (issue 14 item 8): the search reads them with portable
-- SQL instead of SQLite's json_extract. Records published before are filled from their snapshot.
ALTER TABLE record ADD COLUMN public_name TEXT;     -- published_json.target_name
ALTER TABLE record ADD COLUMN public_code TEXT;     -- published_json.target_code
ALTER TABLE record ADD COLUMN public_uscc TEXT;     -- published_json.uscc
ALTER TABLE record ADD COLUMN public_mi_code TEXT;  -- published_json.mi_code
UPDATE record SET public_name = json_extract(published_json, '$.target_name'),
                  public_code = json_extract(published_json, '$.target_code'),
                  public_uscc = json_extract(published_json, '$.uscc'),
                  public_mi_code = json_extract(published_json, '$.mi_code')
WHERE published_json IS NOT NULL;
