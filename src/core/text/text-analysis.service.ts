import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import { InvalidArgumentError } from '../errors';
import { checkAnalyzer, type TextAnalyzer } from './text-field';
import { TextFieldsRepository } from './text-fields.repository';

/** How many texts one call analyses at most (a request's Documents are bounded before this). */
export const MAX_ANALYZED_TEXTS = 10_000;

/**
 * Texts analysed into tokens outside any collection, by the same SQL as text fields' values: what a
 * protocol's own lexical model (Qdrant's local BM25) counts, so that it and a text index agree on
 * what a word is.
 */
@Injectable()
export class TextAnalysisService {
  constructor(
    private readonly db: Database,
    private readonly repository: TextFieldsRepository,
  ) {}

  /** Each text's tokens, in order; `query` as a query's words are made (a prefix query's are cut, not expanded). */
  async tokens(analyzer: TextAnalyzer, texts: string[], query: boolean): Promise<string[][]> {
    if (analyzer.tokenizer === undefined) throw new InvalidArgumentError('Only a token-by-token analyser lists tokens');
    checkAnalyzer(analyzer);
    if (texts.length > MAX_ANALYZED_TEXTS)
      throw new InvalidArgumentError(`At most ${MAX_ANALYZED_TEXTS} texts are analysed at once, got ${texts.length}`);
    return this.repository.tokenize(this.db.reads, analyzer, texts, query);
  }
}
