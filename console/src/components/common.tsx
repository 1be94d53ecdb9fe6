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

export function IndexState({ index }: { index: CollectionSummary['index'] }) {
  return (
    <span className="index-state" data-testid="index-state" data-state={index.state} title={index.detail}>
      <span className={`badge index-${index.state}`}>{index.state}</span>
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
