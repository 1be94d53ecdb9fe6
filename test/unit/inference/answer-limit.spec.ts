import { answerLimit, MAX_ANSWER_BYTES } from '../../../src/inference/providers/answer-limit';

/** Numbers as long as JSON writes them: 17 significant digits, a sign and an exponent. */
function longNumbers(count: number): number[] {
  return Array.from({ length: count }, (_, i) => -1.2345678901234566e-7 * (i + 1));
}

describe('the most of a provider answer read', () => {
  it('holds the largest answers a provider may legitimately send', () => {
    // OpenAI's shape for 32 inputs of 3,072 dimensions, pretty-printed with a deep indent (the limit grows as the batch).
    const inputs = 32;
    const dimension = 3072;
    const request = JSON.stringify({ model: 'm', input: new Array<string>(inputs).fill('a short text') });
    const answer = JSON.stringify(
      {
        object: 'list',
        data: Array.from({ length: inputs }, (_, index) => ({
          object: 'embedding',
          index,
          embedding: longNumbers(dimension),
        })),
        usage: { prompt_tokens: 768, total_tokens: 768 },
      },
      null,
      8,
    );
    expect(answer.length).toBeLessThan(answerLimit({ inputs, numbersPerInput: dimension }, Buffer.byteLength(request)));

    // Cohere echoes the texts: texts of 100,000 characters, every one escaped as \uXXXX.
    const texts = new Array<string>(8).fill('é'.repeat(100_000));
    const cohereRequest = JSON.stringify({ model: 'm', texts, input_type: 'search_document' });
    const escaped = JSON.stringify({ embeddings: { float: [] }, texts }).replace(/é/g, '\\u00e9');
    // And their embeddings, 25 characters a number at most.
    const echoed = escaped.length + 8 * 1024 * 25;
    expect(echoed).toBeLessThan(answerLimit({ inputs: 8, numbersPerInput: 1024 }, Buffer.byteLength(cohereRequest)));
  });

  it('is about a mebibyte for a small call, and never past 256 MiB', () => {
    const small = answerLimit({ inputs: 1, numbersPerInput: 8 }, 100);
    expect(small).toBeGreaterThan(1024 * 1024);
    expect(small).toBeLessThan(1.1 * 1024 * 1024);
    expect(answerLimit({ inputs: 10_000, numbersPerInput: 16_000 }, 0)).toBe(MAX_ANSWER_BYTES);
  });
});
