import type { QueryTarget } from '../vectorInput';

interface Props {
  /** Prefix of the fields' ids and test ids: `search` gives `search-id`, `search-vector`, `search-k`. */
  prefix: string;
  value: QueryTarget;
  onChange: (value: QueryTarget) => void;
  /** The vector in a textarea on a line of its own (Search) rather than an input between id and k (Explain). */
  stacked?: boolean;
  idPlaceholder?: string;
  vectorPlaceholder?: string;
  maxK?: number;
}

/** The record id or vector a nearest-neighbour query starts from, and k: the Search and Explain tabs ask alike. */
export function QueryTargetFields({ prefix, value, onChange, stacked, idPlaceholder, vectorPlaceholder, maxK }: Props) {
  const idField = (
    <div className="field">
      <label htmlFor={`${prefix}-id`}>Record id</label>
      <input
        id={`${prefix}-id`}
        data-testid={`${prefix}-id`}
        value={value.idText}
        onChange={(e) => onChange({ ...value, idText: e.target.value })}
        placeholder={idPlaceholder}
        autoComplete="off"
      />
    </div>
  );
  const vectorLabel = <label htmlFor={`${prefix}-vector`}>or a vector (JSON array)</label>;
  const kField = (
    <div className="field narrow">
      <label htmlFor={`${prefix}-k`}>k</label>
      <input
        id={`${prefix}-k`}
        data-testid={`${prefix}-k`}
        type="number"
        min={1}
        max={maxK}
        value={value.k}
        onChange={(e) => onChange({ ...value, k: Math.max(1, Number(e.target.value) || 1) })}
      />
    </div>
  );
  if (stacked) {
    return (
      <>
        <div className="row">
          {idField}
          {kField}
        </div>
        <div className="field">
          {vectorLabel}
          <textarea
            id={`${prefix}-vector`}
            data-testid={`${prefix}-vector`}
            rows={2}
            spellCheck={false}
            placeholder={vectorPlaceholder}
            value={value.vectorText}
            onChange={(e) => onChange({ ...value, vectorText: e.target.value })}
          />
        </div>
      </>
    );
  }
  return (
    <div className="row">
      {idField}
      <div className="field grow">
        {vectorLabel}
        <input
          id={`${prefix}-vector`}
          data-testid={`${prefix}-vector`}
          value={value.vectorText}
          placeholder={vectorPlaceholder}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => onChange({ ...value, vectorText: e.target.value })}
        />
      </div>
      {kField}
    </div>
  );
}
