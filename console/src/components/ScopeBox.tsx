// The filter part of every collection query: dialect, filter, where_document (Chroma) and
// namespace (Pinecone). Shared by the Records, Search, Explain and Delete tabs.
import { type ReactNode, useId } from 'react';
import { ApiError, type CollectionSummary, DIALECTS, errorMessage, type Protocol, type Scope } from '../api';

export interface ScopeState {
  dialect: Protocol;
  filter: string;
  whereDocument: string;
  namespace: string;
}

const PLACEHOLDERS: Record<Protocol, string> = {
  chroma: '{"genre": {"$eq": "jazz"}}',
  pinecone: '{"genre": {"$eq": "jazz"}}',
  vectorizer: '{"must": [{"key": "genre", "match": {"value": "jazz"}}]}',
  qdrant: '{"must": [{"key": "genre", "match": {"value": "jazz"}}]}',
};

const HINTS: Record<Protocol, string> = {
  chroma: 'Chroma "where": one key per object; $and / $or to combine.',
  pinecone: 'Pinecone metadata filter: several keys and operators per object.',
  vectorizer: 'Vectorizer filter: flat {"genre": "jazz"}, tagged conditions, or the Qdrant shape.',
  qdrant: 'Qdrant filter: must / should / must_not conditions.',
};

export function initialScope(summary: CollectionSummary): ScopeState {
  const names = summary.namespaces.map((n) => n.name);
  return {
    dialect: summary.protocol ?? 'chroma',
    filter: '',
    whereDocument: '',
    namespace: names.includes('') || names.length === 0 ? '' : names[0],
  };
}

/** A failed action: a filter that did not parse goes under the filter box, the rest above. */
export interface Failure {
  message: string;
  dialect?: string;
  filter: boolean;
}

export function failure(err: unknown): Failure {
  if (err instanceof ApiError && err.status === 400 && err.dialect)
    return { message: err.message, dialect: err.dialect, filter: true };
  return { message: errorMessage(err), filter: false };
}

/** The message for the error box above the form: any failure but a filter's. */
export function outsideFilter(failure: Failure | null): string | null {
  return failure && !failure.filter ? failure.message : null;
}

export function isPinecone(summary: CollectionSummary): boolean {
  return summary.protocol === 'pinecone';
}

/** The request fields for a scope; empty text is no filter. */
export function toScope(state: ScopeState, summary: CollectionSummary): Scope {
  const scope: Scope = { dialect: state.dialect };
  if (state.filter.trim()) scope.filter = state.filter;
  if (state.dialect === 'chroma' && state.whereDocument.trim()) scope.whereDocument = state.whereDocument;
  if (isPinecone(summary)) scope.namespace = state.namespace;
  return scope;
}

interface Props {
  summary: CollectionSummary;
  scope: ScopeState;
  onChange: (scope: ScopeState) => void;
  /** A failed action; a filter's failure shows under the filter box. */
  failure?: Failure | null;
  /** Only the namespace select (the projection). */
  namespaceOnly?: boolean;
  children?: ReactNode;
}

export function NamespaceSelect({ summary, scope, onChange }: Pick<Props, 'summary' | 'scope' | 'onChange'>) {
  const id = useId();
  if (!isPinecone(summary)) return null;
  const names = summary.namespaces.map((n) => n.name);
  if (!names.includes(scope.namespace)) names.unshift(scope.namespace);
  return (
    <div className="field">
      <label htmlFor={id}>Namespace</label>
      <select
        id={id}
        data-testid="namespace"
        value={scope.namespace}
        onChange={(e) => onChange({ ...scope, namespace: e.target.value })}
      >
        {names.map((name) => {
          const records = summary.namespaces.find((n) => n.name === name)?.records;
          return (
            <option key={name} value={name}>
              {name === '' ? '(default)' : name}
              {records !== undefined ? ` (${records.toLocaleString('en-US')})` : ''}
            </option>
          );
        })}
      </select>
    </div>
  );
}

export function ScopeBox({ summary, scope, onChange, failure, namespaceOnly, children }: Props) {
  const base = useId();
  const error = failure?.filter ? failure.message : null;
  const errorDialect = failure?.dialect;
  if (namespaceOnly) return <NamespaceSelect summary={summary} scope={scope} onChange={onChange} />;
  return (
    <div className="scope">
      <div className="row">
        <div className="field">
          <label htmlFor={`${base}-dialect`}>Dialect</label>
          <select
            id={`${base}-dialect`}
            data-testid="dialect"
            value={scope.dialect}
            onChange={(e) => onChange({ ...scope, dialect: e.target.value as Protocol })}
          >
            {DIALECTS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <NamespaceSelect summary={summary} scope={scope} onChange={onChange} />
      </div>
      <div className="field">
        <label htmlFor={`${base}-filter`}>Filter</label>
        <textarea
          id={`${base}-filter`}
          data-testid="filter"
          rows={3}
          spellCheck={false}
          placeholder={PLACEHOLDERS[scope.dialect]}
          value={scope.filter}
          onChange={(e) => onChange({ ...scope, filter: e.target.value })}
        />
        <div className="hint">{HINTS[scope.dialect]}</div>
      </div>
      {scope.dialect === 'chroma' && (
        <div className="field">
          <label htmlFor={`${base}-wd`}>where_document</label>
          <textarea
            id={`${base}-wd`}
            data-testid="where-document"
            rows={2}
            spellCheck={false}
            placeholder='{"$contains": "jazz"}'
            value={scope.whereDocument}
            onChange={(e) => onChange({ ...scope, whereDocument: e.target.value })}
          />
        </div>
      )}
      {error && (
        <div className="error" role="alert" data-testid="filter-error" data-dialect={errorDialect ?? ''}>
          {errorDialect && <span className="badge">{errorDialect}</span>} {error}
        </div>
      )}
      {children}
    </div>
  );
}
