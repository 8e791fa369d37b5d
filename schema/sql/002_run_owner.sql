-- Which process is recording a run, so that a run whose recorder died (kill -9, power loss)
-- can be told from one still going: the next read-write open marks it 'interrupted'.
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;            -- NULL for runs of schema 1
ALTER TABLE runs ADD COLUMN owner_boot TEXT NOT NULL DEFAULT '';  -- /proc/sys/kernel/random/boot_id
