/** Small display helpers. */

export const formatCount = (n: number) => n.toLocaleString('en-US');

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatPercent(fraction: number): string {
  if (fraction <= 0) return '0%';
  if (fraction < 0.01) return '<1%';
  return `${Math.round(fraction * 100)}%`;
}

/** The key that selects the class at `index` (0-based): 1..9, then 0 for the tenth; none after. */
export const shortcutFor = (index: number): string | null => (index < 9 ? String(index + 1) : index === 9 ? '0' : null);

export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString('en-US', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}
