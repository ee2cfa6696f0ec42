-- 0010_file_identity: a file is known by its path relative to its job's
-- source folder and by its content, not by where the tree sits nor by its
-- modification time (files are copied, moved and re-sent).
--   rel_path  path relative to the job's source folder ("62/ase_mesures_20250630.csv");
--             NULL for files registered before this migration (path then identifies them)
--   name_key  what the file's name says of the date it speaks for and of its revision
--             ("20250630.0000", see pipelines/extract DateKey), NULL when it says nothing;
--             files of a job rank by it, else by the order the warehouse first saw them (file_id)
-- A file whose content is already loaded under another name is registered
-- with status 'duplicate' and loads nothing.
ALTER TABLE meta.files ADD COLUMN rel_path VARCHAR;
ALTER TABLE meta.files ADD COLUMN name_key VARCHAR;
