/**
 * Child process for the fault suite: another program (a database browser, say) holding a project open.
 * Mode `write` takes the write lock (`BEGIN IMMEDIATE`, as a browser with unsaved edits does); mode `read`
 * keeps a read transaction open. Prints `held` once it holds it, releases after `holdMs`, prints `released`.
 *
 * argv: project path, mode (read | write), hold time in ms.
 */
import Database from 'better-sqlite3';

const [path, mode, holdArg] = process.argv.slice(2) as [string, 'read' | 'write', string];
const db = new Database(path, { timeout: 0 });
if (mode === 'write') db.exec('BEGIN IMMEDIATE');
else {
  db.exec('BEGIN');
  db.prepare('SELECT count(*) FROM label_maps').get();
}
process.stdout.write('held\n');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\n');
}, Number(holdArg));
