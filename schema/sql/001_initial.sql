-- Runs, and observations aggregated per profile with per-run counts for provenance.
-- Strings (subject, object) are bound with explicit lengths and may hold any byte but NUL;
-- BINARY collation compares them as raw bytes, so ordering is the same on every machine.

CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  profile     TEXT NOT NULL,
  source      TEXT NOT NULL,
  target      TEXT NOT NULL,
  label       TEXT NOT NULL DEFAULT '',
  kernel      TEXT NOT NULL DEFAULT '',
  started_ms  INTEGER NOT NULL,
  ended_ms    INTEGER,                      -- NULL while the run is going
  status      TEXT NOT NULL DEFAULT 'running'
              CHECK (status IN ('running', 'complete', 'interrupted')),
  events      INTEGER NOT NULL DEFAULT 0,
  lost_events INTEGER NOT NULL DEFAULT 0,
  exit_status INTEGER                       -- NULL when the target's exit was not seen
);
CREATE INDEX runs_by_profile ON runs (profile, id);

CREATE TABLE observations (
  id            INTEGER PRIMARY KEY,
  profile       TEXT NOT NULL,
  kind          TEXT NOT NULL,
  subject       TEXT NOT NULL CHECK (typeof(subject) = 'text'),
  object        TEXT NOT NULL CHECK (typeof(object) = 'text'),
  access        INTEGER NOT NULL DEFAULT 0,
  flags         INTEGER NOT NULL DEFAULT 0,
  count         INTEGER NOT NULL DEFAULT 0,
  first_seen_ms INTEGER NOT NULL DEFAULT 0, -- 0 = unknown
  last_seen_ms  INTEGER NOT NULL DEFAULT 0,
  -- Also the index that serves observations(profile) in its documented order.
  UNIQUE (profile, kind, subject, object, access, flags)
);

CREATE TABLE observation_runs (
  observation_id INTEGER NOT NULL REFERENCES observations (id) ON DELETE CASCADE,
  run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  count          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (observation_id, run_id)
) WITHOUT ROWID;
-- Finds what one run contributed (explain, dropping a bad run).
CREATE INDEX observation_runs_by_run ON observation_runs (run_id);
