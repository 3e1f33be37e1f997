/**
 * Ultralytics YOLO-seg: labels/**\/NAME.txt, one `class x1 y1 x2 y2 ...` line per polygon (normalized to
 * 0..1), filled at pixel centres by the even-odd rule (core/labelmap/polygon.ts: a cut to a hole encloses
 * nothing); class names from data.yaml's `names` (a list or `id: name` lines). A later line wins where
 * polygons overlap.
 */
import { AppError } from '../../core/ipc/errors';
import { createLabelMap } from '../../core/labelmap/types';
import { fillPolygon } from '../../core/labelmap/polygon';
import { findFiles, readLabelFile, readSmallFile } from './files';
import type { FileClass, LabelSource } from './types';

/** `names` of an Ultralytics data.yaml: `names: [a, b]`, or `names:` followed by `  0: a` lines. */
function parseYoloNames(yaml: string): Map<number, FileClass> {
  const names = new Map<number, FileClass>();
  const unquote = (s: string) => {
    const t = s.trim();
    if (/^".*"$/.test(t)) return JSON.parse(t) as string;
    return /^'.*'$/.test(t) ? t.slice(1, -1).replace(/''/g, "'") : t;
  };
  const lines = yaml.split(/\r?\n/);
  const at = lines.findIndex((l) => /^names\s*:/.test(l));
  if (at < 0) throw new AppError('INVALID_INPUT', 'data.yaml has no names');
  const inline = lines[at]!.replace(/^names\s*:/, '').trim();
  if (inline.startsWith('[')) {
    inline
      .replace(/^\[|\]$/g, '')
      .split(',')
      .forEach((n, i) => names.set(i, { name: unquote(n) }));
    return names;
  }
  for (const line of lines.slice(at + 1)) {
    if (!/^\s/.test(line) || !line.trim()) break;
    const m = /^\s+(?:(\d+)\s*:|-)\s*(.*)$/.exec(line);
    if (!m) break;
    names.set(m[1] !== undefined ? Number(m[1]) : names.size, { name: unquote(m[2]!) });
  }
  return names;
}

export async function readYolo(dir: string): Promise<LabelSource> {
  const [yamlFile] = await findFiles(dir, /(^|\/)(data|dataset)\.ya?ml$/);
  if (!yamlFile) throw new AppError('NOT_FOUND', `${dir} has no data.yaml with the class names`);
  const classes = parseYoloNames(await readSmallFile(dir, yamlFile));
  const files = await findFiles(dir, /(^|\/)labels\/.+\.txt$/);
  const items = files.map((rel) => ({
    source: rel,
    imageName: rel
      .split('/')
      .pop()!
      .replace(/\.txt$/, '.png'),
    async read(width: number, height: number) {
      const text = (await readLabelFile(dir, rel)).toString('utf8');
      const map = createLabelMap(width, height);
      text.split(/\r?\n/).forEach((line, n) => {
        if (!line.trim()) return;
        const where = `line ${n + 1}`;
        const [cls, ...coords] = line.trim().split(/\s+/).map(Number);
        if (!Number.isInteger(cls) || !classes.has(cls!))
          throw new AppError(
            'INVALID_INPUT',
            `${where}: class id ${line.trim().split(/\s+/)[0]} is not in ${yamlFile}`,
          );
        if (coords.length % 2)
          throw new AppError('INVALID_INPUT', `${where}: odd number of coordinates (${coords.length})`);
        if (coords.length < 6) throw new AppError('INVALID_INPUT', `${where}: a polygon needs at least 3 points`);
        if (coords.some((c) => !Number.isFinite(c) || c < 0 || c > 1))
          throw new AppError('INVALID_INPUT', `${where}: coordinates must be numbers from 0 to 1`);
        const points = coords.map((c, i) => c * (i % 2 ? height : width));
        fillPolygon(map, points, { value: cls!, rule: 'evenodd' });
      });
      return map.classes;
    },
  }));
  return { classes, items, errors: [] };
}
