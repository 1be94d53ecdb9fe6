import type { Path } from './api';

export function humanBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n < 10 ? n.toFixed(2) : n.toFixed(1);
}

export function vectorPreview(vector: number[], dimension: number | null): string {
  if (vector.length === 0) return '';
  const shown = vector.map((v) => (typeof v === 'number' ? v.toFixed(3) : String(v))).join(', ');
  const more = dimension === null || dimension > vector.length;
  return `[${shown}${more ? ', …' : ''}]`;
}

/** JSON text of a value, for display in a text node. */
export function jsonText(value: unknown): string {
  if (value === null || value === undefined) return '';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export function pathLabel(path: Path): string {
  switch (path.kind) {
    case 'exact':
      return 'exact scan';
    case 'scan':
      return 'filter scan';
    case 'hnsw': {
      let label = 'HNSW walk';
      if (path.efSearch !== null) label += `, ef_search ${path.efSearch}`;
      if (path.iterativeScan) label += `, iterative scan ${path.iterativeScan}`;
      return label;
    }
  }
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
