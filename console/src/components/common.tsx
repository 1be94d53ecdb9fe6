import type { CollectionSummary, Path } from '../api';
import { pathLabel } from '../format';

export function ErrorBox({ message, testId = 'page-error' }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <div className="error" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}

export function ProtocolBadge({ protocol }: { protocol: string | null }) {
  return (
    <span className={`badge protocol-${protocol ?? 'none'}`} data-testid="protocol-badge">
      {protocol ?? 'none'}
    </span>
  );
}

/** An HNSW index's state in words (the raw state stays in data-state). */
export function indexStateWords(index: CollectionSummary['index']): string {
  switch (index.state) {
    case 'built':
      return 'built';
    case 'building':
      return 'being built';
    case 'not-needed':
      return index.detail === 'no vectors yet' ? 'no vectors yet' : 'not needed yet';
    case 'none':
      return index.detail.startsWith('due') ? 'due' : 'none: exact search';
  }
}

export function IndexState({ index }: { index: CollectionSummary['index'] }) {
  return (
    <span className="index-state" data-testid="index-state" data-state={index.state} title={index.detail}>
      <span className={`badge index-${index.state}`}>{indexStateWords(index)}</span>
      {index.state === 'building' && (
        <progress
          max={1}
          value={index.progress ?? undefined}
          data-testid="index-progress"
          aria-label="index build progress"
        />
      )}
      {index.state === 'building' && index.progress !== null && (
        <span className="muted"> {Math.round(index.progress * 100)}%</span>
      )}
    </span>
  );
}

export function PathBadge({ path, testId }: { path: Path; testId: string }) {
  return (
    <div className="path">
      <span className={`badge path-${path.kind}`} data-testid={testId} data-kind={path.kind}>
        {pathLabel(path)}
      </span>
      {path.reason && (
        <span className="muted" data-testid={`${testId}-reason`}>
          {' '}
          {path.reason}
        </span>
      )}
    </div>
  );
}

/** A metadata key noted for a range index: built (ready) or not yet, told apart by look and words. */
export function RangeIndexChip({ range }: { range: CollectionSummary['rangeIndexes'][number] }) {
  return (
    <span
      className={`chip ${range.ready ? 'range-ready' : 'range-pending'}`}
      data-testid="range-index"
      data-key={range.key}
      data-ready={range.ready ? 'true' : 'false'}
      title={
        range.ready
          ? `A ${range.kind} index on ${range.key}: range filters on it read the index`
          : `${range.key} is noted for a ${range.kind} index, not built yet: the builder makes it once writes pause and the collection reaches VECGATE_INDEX_MIN_ROWS records`
      }
    >
      {range.ready ? '✓ ' : ''}
      {range.key}
      <span className="muted"> {range.kind}</span>
      {range.ready ? '' : <span className="muted"> · not built yet</span>}
    </span>
  );
}

/** One vector of a collection in a phrase: its name, kind, dimension, metric and whether it has an index. */
export function vectorWords(v: CollectionSummary['vectors'][number]): string {
  const name = v.name || '(default)';
  const size = v.kind === 'dense' ? `${v.dimension} dims, ` : `${v.kind}, `;
  return `${name}: ${size}${v.metric}${v.indexed ? ', indexed' : ''}`;
}
