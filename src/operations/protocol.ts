import { chromaErrorRenderer } from '../protocols/chroma/chroma-errors.renderer';
import { pineconeErrorRenderer } from '../protocols/pinecone/pinecone-errors.renderer';
import { vectorizerErrorRenderer } from '../protocols/vectorizer/vectorizer-errors.renderer';

export type Protocol = 'chroma' | 'pinecone' | 'vectorizer' | 'other';

// The error renderers already say which paths each protocol owns: asking them keeps one answer.
const OWNERS = [chromaErrorRenderer, pineconeErrorRenderer, vectorizerErrorRenderer];

/** Which protocol a request path belongs to; probes, metrics and unknown paths are `other`. */
export function protocolOf(path: string): Protocol {
  return (OWNERS.find((r) => r.matches(path))?.name as Protocol | undefined) ?? 'other';
}
