import type { Database } from 'better-sqlite3';

/** Schema 2: a review status per image (to do, labeled, reviewed); existing images start as to do. */
export function updateToSchemaVersion2(db: Database): void {
  db.exec(`
    ALTER TABLE images ADD COLUMN status TEXT NOT NULL DEFAULT 'todo'
      CHECK (status IN ('todo', 'labeled', 'reviewed'));
    CREATE INDEX images_status ON images (status);
  `);
}
