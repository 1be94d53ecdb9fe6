import { QUOTED_CHARS, reasonOf } from '../../../src/inference/providers/error-reason';
import { redactor } from '../../../src/inference/providers/redact';

const KEY = 'sk-proj-Zx81Qm4tVb92LkPq7RsWn3Yc5Hd';
const OTHER = 'spare-7Hq2Lw9Xk4Pz6Rt1Vm8Nb3Yc';
const redact = redactor([KEY, OTHER]);
const escaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('the reason quoted from a provider’s error', () => {
  it.each([
    [
      'OpenAI’s error.message with the Authorization header',
      JSON.stringify({ error: { message: `Invalid authorization: Bearer ${KEY}`, type: 'invalid_request_error' } }),
      'Invalid authorization: [redacted]',
    ],
    [
      'a JSON message with the key, and the header in another field',
      JSON.stringify({ message: `The key ${KEY} is not valid`, received: { authorization: `Bearer ${KEY}` } }),
      'The key [redacted] is not valid',
    ],
    [
      'a plain-text echo of the headers',
      `Unauthorized. Headers seen: Authorization: Bearer ${KEY}; x-api-key: ${KEY}`,
      'Unauthorized. Headers seen: Authorization: [redacted]; x-api-key: [redacted]',
    ],
    [
      'the key split across JSON-escaped whitespace',
      JSON.stringify({ error: `key rejected: ${KEY.slice(0, 14)}\n      ${KEY.slice(14)}` }),
      'key rejected: [redacted]',
    ],
    [
      'the key split in short pieces by spaces and a tab',
      `rejected: ${KEY.slice(0, 5)} ${KEY.slice(5, 9)}\t${KEY.slice(9, 16)} ${KEY.slice(16)}`,
      'rejected: [redacted]',
    ],
    ['the key JSON-escaped', `{"detail":"bad key ${escaped(KEY)}"}`, 'bad key [redacted]'],
    [
      'the key escaped twice, in text that is not JSON',
      `upstream said "${escaped(KEY).replace(/\\/g, '\\\\')}"`,
      'upstream said "[redacted]"',
    ],
    [
      'a key= in an address',
      `proxy error for https://upstream.invalid/v1?key=${KEY}&x=1`,
      'proxy error for https://upstream.invalid/v1?key=[redacted]&x=1',
    ],
    [
      'a key’s start and end',
      JSON.stringify({ error: { message: `start ${KEY.slice(0, 12)}... end ...${KEY.slice(-12)}` } }),
      'start [redacted] end [redacted]',
    ],
    [
      'the key in capitals, and in a basic credential',
      `case: ${KEY.toUpperCase()}, basic: Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`,
      'case: [redacted], basic: Basic [redacted]',
    ],
    [
      'another provider’s key',
      JSON.stringify({ error: { message: `the other provider's ${OTHER}` } }),
      "the other provider's [redacted]",
    ],
    [
      'FastAPI’s detail list',
      JSON.stringify({ detail: [{ loc: ['body', 'input'], msg: 'field required', type: 'missing' }] }),
      'field required',
    ],
    [
      'TEI’s error, with nothing to take out',
      JSON.stringify({ error: 'Input validation error: `inputs` must have less than 512 tokens. Given: 600' }),
      'Input validation error: `inputs` must have less than 512 tokens. Given: 600',
    ],
    [
      'an opaque token of some other system',
      'rate limit for org-abc123, request id req_8f1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d',
      'rate limit for org-abc123, request id [redacted]',
    ],
    [
      'credentials named in text, an unescaped path kept',
      'C:\\models\\bert failed; token: abc; password=hunter2, secret: "s3cr3t value"',
      'C:\\models\\bert failed; token: [redacted]; password=[redacted], secret: [redacted]',
    ],
    ['HTML on one line', '<html>\n  <body>Bad   Gateway</body>\n</html>', '<html> <body>Bad Gateway</body> </html>'],
  ])('%s', (_what, body, reason) => {
    expect(reasonOf(body, redact)).toBe(reason);
  });

  it('takes a key out before cutting the text short, so no part of it is left at the end', () => {
    const reason = reasonOf(`${'x'.repeat(QUOTED_CHARS - 5)} ${KEY} and more`, redact);
    expect(reason).toBe(`${'x'.repeat(QUOTED_CHARS - 5)} [red...`);
  });

  it('takes out a configured key of any length, and credentials with no key configured', () => {
    expect(reasonOf('the key abc was refused', redactor(['abc']))).toBe('the key [redacted] was refused');
    expect(reasonOf('Authorization: Bearer xyz', redactor([]))).toBe('Authorization: [redacted]');
    expect(reasonOf('model not found', redactor([]))).toBe('model not found');
  });
});
