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
];
