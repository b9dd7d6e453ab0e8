/**
 * Versioned schema migrations, applied in order inside one transaction each. `PRAGMA user_version` records the
 * last one applied. Never edit a migration that has shipped: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: datasets, content-addressed images, pairs with their split, and the problems of the last import.
  `
  CREATE TABLE datasets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    root        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    imported_at TEXT NOT NULL
  );
  CREATE TABLE images (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL UNIQUE,
    path       TEXT NOT NULL,
    width      INTEGER NOT NULL CHECK (width > 0),
    height     INTEGER NOT NULL CHECK (height > 0),
    format     TEXT NOT NULL,
    bytes      INTEGER NOT NULL CHECK (bytes > 0),
    thumbnail  BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE pairs (
    id             INTEGER PRIMARY KEY,
    dataset_id     INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    left_image_id  INTEGER NOT NULL REFERENCES images(id),
    right_image_id INTEGER NOT NULL REFERENCES images(id),
    split          TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
    left_path      TEXT NOT NULL,
    right_path     TEXT NOT NULL,
    UNIQUE (dataset_id, name)
  );
  CREATE INDEX pairs_left ON pairs(left_image_id);
  CREATE INDEX pairs_right ON pairs(right_image_id);
  CREATE TABLE import_problems (
    id         INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    side       TEXT NOT NULL CHECK (side IN ('left', 'right')),
    file       TEXT NOT NULL,
    code       TEXT NOT NULL,
    reason     TEXT NOT NULL
  );
  CREATE INDEX import_problems_dataset ON import_problems(dataset_id);
  `,
  // 2: training runs, one row per epoch, the latest checkpoint of each run, and cached backbone features.
  `
  CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    dataset_id     INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    config         TEXT NOT NULL,
    backend        TEXT NOT NULL,
    weights_source TEXT NOT NULL,
    epochs_done    INTEGER NOT NULL DEFAULT 0,
    error          TEXT,
    pid            INTEGER,
    host           TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    finished_at    TEXT
  );
  CREATE TABLE run_epochs (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch    INTEGER NOT NULL,
    loss     REAL NOT NULL,
    val_loss REAL,
    seconds  REAL NOT NULL,
    metrics  TEXT,
    PRIMARY KEY (run_id, epoch)
  );
  CREATE TABLE run_checkpoints (
    run_id          INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    epoch           INTEGER NOT NULL,
    model_topology  TEXT NOT NULL,
    weight_specs    TEXT NOT NULL,
    weight_data     BLOB NOT NULL,
    optimizer_specs TEXT,
    optimizer_data  BLOB,
    saved_at        TEXT NOT NULL
  );
  CREATE TABLE feature_cache (
    sha256    TEXT NOT NULL,
    extractor TEXT NOT NULL,
    shape     TEXT NOT NULL,
    features  BLOB NOT NULL,
    PRIMARY KEY (sha256, extractor)
  );
  `,
  // 3: what a finished run measured, catalog embeddings per embedder, and users' marks on query results.
  `
  ALTER TABLE runs ADD COLUMN metrics TEXT;
  CREATE TABLE embeddings (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    embedder TEXT NOT NULL,
    vector   BLOB NOT NULL,
    PRIMARY KEY (embedder, image_id)
  );
  CREATE TABLE feedback (
    id              INTEGER PRIMARY KEY,
    query_sha256    TEXT NOT NULL,
    result_image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    verdict         TEXT NOT NULL CHECK (verdict IN ('match', 'not-a-match')),
    run_id          INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (query_sha256, result_image_id)
  );
  `,
  // 4: a run lease instead of trusting pids: the owner renews heartbeat_at (ms since the epoch) while it trains;
  // a running run whose heartbeat is older than the lease is interrupted. lease_owner names the claim, so an
  // owner that was taken over (resume --force) notices and stops writing. Rows from before have no heartbeat:
  // a run still "running" from then is interrupted, which is what the pid check would eventually have said.
  `
  ALTER TABLE runs ADD COLUMN heartbeat_at INTEGER;
  ALTER TABLE runs ADD COLUMN lease_owner TEXT;
  `,
  // 5: a name the user gives a run ("resnet, 8 look-alikes"). NULL for every run until renamed: a catalog of
  // schema 4 keeps its runs as they were, shown by number as before.
  `
  ALTER TABLE runs ADD COLUMN name TEXT;
  `,
];
