-- How each run was recorded: every kind of fact with the attach path that recorded it on the
-- run's kernel ('exec=tp_btf file=tp_btf ... capability=fexit'; 'audit' for complain-mode logs),
-- and the kinds nothing recorded, comma-separated ('capability'), so that `emit` can warn when a
-- profile rests on runs that could not see a kind. Empty for runs of earlier schemas: unknown.
ALTER TABLE runs ADD COLUMN recorded_with TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN missing_kinds TEXT NOT NULL DEFAULT '';
