import {
  MAX_WORD_CAP,
  SNOWBALL_LANGUAGES,
  type NewTextField,
  type TextAnalyzer,
  type Tokenizer,
} from '../../core/text/text-field';
import { isObject, type JsonObject } from '../json-guards';
import { onlyFields } from './body';
import { QdrantHttpError } from './qdrant-error';
import { INDEX_PARAMS_FIELDS } from './qdrant-fields';
import { qdrantLanguage, stopWordsOf, type QdrantLanguage } from './qdrant-stop-words';

/**
 * A Qdrant `text` payload index (TextIndexParams) as a core text field's analyser, and its params
 * as Qdrant shows them back in payload_schema: re-serialized as serde does, unset fields left out
 * (defaults are not filled in), language codes as names, stop-word sets sorted.
 */
export interface QdrantTextIndex {
  /** The params to show (payload_schema), or null for the bare `"text"`, which Qdrant shows without params. */
  shown: JsonObject | null;
  analyzer: TextAnalyzer;
  /** Whether `match.phrase` finds anything: Qdrant keeps positions for phrases only when asked. */
  phraseMatching: boolean;
}

const TOKENIZERS: readonly Tokenizer[] = ['prefix', 'whitespace', 'word', 'multilingual'];

/** Qdrant's SnowballLanguage: the name or its code, as PostgreSQL's stemmer names it (armenian: none here). */
const STEMMER_CODES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.values(SNOWBALL_LANGUAGES).map((name) => [name, name])),
  ...SNOWBALL_LANGUAGES,
};
const STEMMER_LANGUAGES = [
  'arabic',
  'armenian',
  'danish',
  'dutch',
  'english',
  'finnish',
  'french',
  'german',
  'greek',
  'hungarian',
  'italian',
  'norwegian',
  'portuguese',
  'romanian',
  'russian',
  'spanish',
  'swedish',
  'tamil',
  'turkish',
];

/** Rust's order of strings (a BTreeSet's): by UTF-8 bytes, which is code points, not UTF-16 units. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function optionalBool(params: JsonObject, field: string, at: string): boolean | undefined {
  const v = params[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw QdrantHttpError.format(`${at}.${field}: invalid type, expected a boolean`);
  return v;
}

export function optionalUint(params: JsonObject, field: string, at: string): number | undefined {
  const v = params[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 2 ** 64)
    throw QdrantHttpError.format(`${at}.${field}: invalid value: ${JSON.stringify(v)}, expected usize`);
  // Past any text's length: as good as no bound, and what the database's integer holds.
  return Math.min(v, 2 ** 31 - 1);
}

function language(value: unknown, at: string): QdrantLanguage {
  const found = qdrantLanguage(value);
  if (!found)
    throw QdrantHttpError.format(`${at}: unknown stop-word language ${JSON.stringify(value)}: see Qdrant's Language`);
  return found;
}

/** `stopwords`: a language, or `{languages, custom}`; the words to drop and the value to show. */
export function stopwords(value: unknown, lowercase: boolean, at: string): { words: string[]; shown: unknown } {
  if (value === undefined || value === null) return { words: [], shown: undefined };
  if (typeof value === 'string') {
    const lang = language(value, at);
    return { words: stopWordsOf(lang), shown: lang };
  }
  if (!isObject(value))
    throw QdrantHttpError.format(`${at}: data did not match any variant of untagged enum StopwordsInterface`);
  onlyFields(value, ['languages', 'custom'], at);
  const shown: JsonObject = {};
  const words: string[] = [];
  if (value.languages !== undefined && value.languages !== null) {
    if (!Array.isArray(value.languages)) throw QdrantHttpError.format(`${at}.languages must be a list of languages`);
    const langs = [...new Set(value.languages.map((l, i) => language(l, `${at}.languages[${i}]`)))].sort();
    for (const l of langs) words.push(...stopWordsOf(l));
    shown.languages = langs;
  }
  if (value.custom !== undefined && value.custom !== null) {
    if (!Array.isArray(value.custom) || !value.custom.every((w) => typeof w === 'string'))
      throw QdrantHttpError.format(`${at}.custom must be a list of strings`);
    const custom = [...new Set(value.custom as string[])].sort(byBytes);
    words.push(...custom);
    shown.custom = custom;
  }
  // Qdrant lowercases every stop word (a language's and the custom ones) when it lowercases tokens.
  return { words: [...new Set(lowercase ? words.map((w) => w.toLowerCase()) : words)].sort(byBytes), shown };
}

/** `stemmer`: Snowball in a language, or none. */
export function stemmer(value: unknown, at: string): { language: string | null; shown: unknown } {
  if (value === undefined || value === null) return { language: null, shown: undefined };
  if (!isObject(value) || (value.type !== 'snowball' && value.type !== 'none'))
    throw QdrantHttpError.format(`${at}: data did not match any variant of untagged enum StemmingAlgorithm`);
  if (value.type === 'none') {
    onlyFields(value, ['type'], at);
    return { language: null, shown: { type: 'none' } };
  }
  onlyFields(value, ['type', 'language'], at);
  const given = value.language;
  const name =
    typeof given !== 'string'
      ? ''
      : given === 'hy'
        ? 'armenian'
        : Object.hasOwn(STEMMER_CODES, given)
          ? STEMMER_CODES[given]
          : given;
  if (!STEMMER_LANGUAGES.includes(name))
    throw QdrantHttpError.format(
      `${at}.language: unknown variant ${JSON.stringify(given)}, expected one of ${STEMMER_LANGUAGES.map((l) => `\`${l}\``).join(', ')}`,
    );
  if (!Object.hasOwn(STEMMER_CODES, name))
    throw QdrantHttpError.badRequest(`vecgate has no ${name} stemmer (PostgreSQL's Snowball stemmers lack it)`);
  return { language: name, shown: { type: 'snowball', language: name } };
}

/** A `text` field schema: the bare name, or TextIndexParams (its fields already checked by name). */
export function textIndexOf(schema: unknown, at = 'field_schema'): QdrantTextIndex {
  const params: JsonObject = isObject(schema) ? schema : { type: 'text' };
  onlyFields(params, INDEX_PARAMS_FIELDS.text, at);
  const tokenizer = params.tokenizer ?? 'word';
  if (typeof tokenizer !== 'string' || !TOKENIZERS.includes(tokenizer as Tokenizer))
    throw QdrantHttpError.format(
      `${at}.tokenizer: unknown variant ${JSON.stringify(tokenizer)}, expected one of ${TOKENIZERS.map((t) => `\`${t}\``).join(', ')}`,
    );
  const minLength = optionalUint(params, 'min_token_len', at);
  const maxLength = optionalUint(params, 'max_token_len', at);
  const lowercase = optionalBool(params, 'lowercase', at);
  const asciiFolding = optionalBool(params, 'ascii_folding', at);
  const phraseMatching = optionalBool(params, 'phrase_matching', at);
  const onDisk = optionalBool(params, 'on_disk', at);
  const enableHnsw = optionalBool(params, 'enable_hnsw', at);
  const memory = params.memory ?? undefined;
  if (memory !== undefined && memory !== 'cold' && memory !== 'cached' && memory !== 'pinned')
    throw QdrantHttpError.format(
      `${at}.memory: unknown variant ${JSON.stringify(memory)}, expected one of \`cold\`, \`cached\`, \`pinned\``,
    );
  const stop = stopwords(params.stopwords, lowercase ?? true, `${at}.stopwords`);
  const stem = stemmer(params.stemmer, `${at}.stemmer`);
  // TextIndexParams' fields in serde's order, unset ones left out.
  const shown: JsonObject = { type: 'text', tokenizer };
  const set = (field: string, value: unknown) => {
    if (value !== undefined) shown[field] = value as JsonObject[string];
  };
  set('min_token_len', minLength === undefined ? undefined : params.min_token_len);
  set('max_token_len', maxLength === undefined ? undefined : params.max_token_len);
  set('lowercase', lowercase);
  set('ascii_folding', asciiFolding);
  set('phrase_matching', phraseMatching);
  set('stopwords', stop.shown);
  set('on_disk', onDisk);
  set('memory', memory);
  set('stemmer', stem.shown);
  set('enable_hnsw', enableHnsw);
  return {
    shown: isObject(schema) ? shown : null,
    phraseMatching: phraseMatching ?? false,
    analyzer: {
      language: stem.language,
      stemming: stem.language !== null,
      stopWords: false,
      cap: MAX_WORD_CAP,
      ngram: null,
      tokenizer: tokenizer as Tokenizer,
      lowercase: lowercase ?? true,
      asciiFolding: asciiFolding ?? false,
      minLength: minLength ?? null,
      maxLength: maxLength ?? null,
      stopList: stop.words,
    },
  };
}

/** The core text fields of a payload schema's text indexes (a snapshot's, recovered). */
export function textFieldsOf(payloadIndexes: Record<string, unknown>): NewTextField[] {
  return Object.entries(payloadIndexes)
    .filter(([, schema]) => schema === 'text' || (isObject(schema) && schema.type === 'text'))
    .map(([name, schema]) => ({
      path: name.split('.'),
      analyzer: textIndexOf(schema, `payload_schema.${name}`).analyzer,
    }));
}
