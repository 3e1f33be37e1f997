import type { Database } from 'better-sqlite3';

/** Schema 1: classes, images (+ blobs), label maps, training runs, per-epoch metrics, checkpoints. */
export function updateToSchemaVersion1(db: Database): void {
  db.exec(`
    CREATE TABLE meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE classes (
      id INTEGER PRIMARY KEY,
      value INTEGER NOT NULL UNIQUE CHECK (value BETWEEN 0 AND 254),
      name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 200),
      color TEXT NOT NULL CHECK (color GLOB '#[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]'),
      position INTEGER NOT NULL,
      weight_override REAL CHECK (weight_override IS NULL OR weight_override >= 0),
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;

    CREATE TABLE images (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
      format TEXT NOT NULL,
      width INTEGER NOT NULL CHECK (width > 0),
      height INTEGER NOT NULL CHECK (height > 0),
      orientation INTEGER NOT NULL DEFAULT 1 CHECK (orientation BETWEEN 1 AND 8),
      byte_size INTEGER NOT NULL CHECK (byte_size > 0),
      split TEXT NOT NULL DEFAULT 'unassigned' CHECK (split IN ('train', 'val', 'unassigned')),
      sample_weight REAL NOT NULL DEFAULT 1 CHECK (sample_weight >= 0),
      imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;
    CREATE INDEX images_split ON images (split);

    -- Large bytes live apart from the rows that lists read.
    CREATE TABLE image_blobs (
      image_id INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
      original BLOB NOT NULL,
      thumbnail BLOB NOT NULL,
      thumbnail_mime TEXT NOT NULL
    ) STRICT;

    -- One label map per image: class value per pixel (255 = unlabeled) and where each label came from
    -- (0 none, 1 painted, 2 propagated, 3 predicted, 4 imported), both planes deflate-compressed.
    CREATE TABLE label_maps (
      image_id INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
      width INTEGER NOT NULL CHECK (width > 0),
      height INTEGER NOT NULL CHECK (height > 0),
      encoding TEXT NOT NULL,
      classes BLOB NOT NULL,
      provenance BLOB NOT NULL,
      labeled_pixels INTEGER NOT NULL CHECK (labeled_pixels >= 0),
      -- JSON object: class value -> pixel count, so statistics need no decompression.
      class_counts TEXT NOT NULL DEFAULT '{}',
      revision INTEGER NOT NULL DEFAULT 1,
      updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;

    CREATE TABLE training_runs (
      id INTEGER PRIMARY KEY,
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'stopped', 'failed')),
      settings TEXT NOT NULL,
      backend TEXT,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      started_at TEXT,
      finished_at TEXT,
      message TEXT
    ) STRICT;

    CREATE TABLE epoch_metrics (
      run_id INTEGER NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL CHECK (epoch >= 0),
      train_loss REAL,
      val_loss REAL,
      metrics TEXT NOT NULL,
      recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      PRIMARY KEY (run_id, epoch)
    ) STRICT;

    CREATE TABLE checkpoints (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL CHECK (epoch >= 0),
      model_topology TEXT NOT NULL,
      weights BLOB NOT NULL,
      metadata TEXT NOT NULL,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      UNIQUE (run_id, epoch)
    ) STRICT;
    CREATE INDEX checkpoints_run ON checkpoints (run_id);
  `);
}
