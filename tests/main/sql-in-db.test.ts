// All SQL lives in db/: the lint rule refuses statements on the database anywhere else.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const CODE = `import type { ProjectDb } from '../../db/open';
export const a = (db: ProjectDb) => db.prepare('SELECT 1').get();
export const b = (p: { db: ProjectDb }) => p.db.exec('DELETE FROM images');
export const c = (db: ProjectDb) => db.pragma('query_only = ON');
export const d = (db: ProjectDb) => db.transaction(() => 1)();
export const e = (s: string) => /a/.exec(s);
`;

async function sqlErrors(filePath: string): Promise<number[]> {
  const [result] = await new ESLint({ cwd: process.cwd() }).lintText(CODE, { filePath });
  return result!.messages.filter((m) => m.message.startsWith('SQL belongs in db/')).map((m) => m.line);
}

describe('the SQL-in-db lint rule', () => {
  it('refuses prepare, exec on the database, pragma and transaction outside db/ (not RegExp exec)', async () => {
    for (const dir of ['services', 'cli', 'trainer']) {
      expect(await sqlErrors(`${dir}/sql-probe.ts`)).toEqual([2, 3, 4, 5]);
    }
  });

  it('allows them in db/', async () => {
    expect(await sqlErrors('db/sql-probe.ts')).toEqual([]);
  });
});
