import { RequestShapeError, requestValidationPipe } from '../../../src/common/request-validation.pipe';
import { UpsertDto } from '../../../src/protocols/pinecone/dto/vectors.dto';

const asBody = (value: unknown) => requestValidationPipe.transform(value, { type: 'body', metatype: UpsertDto });

describe('request validation pipe', () => {
  it('strips prototype keys from objects nested in arrays, as Nest does, and pollutes nothing', async () => {
    const body = JSON.parse(
      '{"vectors": [{"id": "a", "values": [1, 2], "metadata": {"__proto__": {"polluted": 1}, "constructor": "x", "k": [{"__proto__": {"deep": 1}}]}}]}',
    );
    const out = (await asBody(body)) as any;
    const metadata = out.vectors[0].metadata;
    expect(Object.prototype.hasOwnProperty.call(metadata, '__proto__')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(metadata, 'constructor')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(metadata.k[0], '__proto__')).toBe(false);
    expect(({} as any).polluted).toBeUndefined();
    expect(({} as any).deep).toBeUndefined();
  });

  it('passes vectors through as the same arrays, not copies', async () => {
    const values = Array.from({ length: 384 }, (_, i) => i / 384);
    const body = { vectors: [{ id: 'a', values }], namespace: 'ns' };
    const out = (await asBody(body)) as any;
    expect(out.vectors[0].values).toBe(values);
  });

  it('still refuses a body that breaks a rule of the DTO', async () => {
    await expect(asBody({ vectors: [], namespace: 7 })).rejects.toBeInstanceOf(RequestShapeError);
    await expect(asBody([{ vectors: [] }])).rejects.toBeInstanceOf(RequestShapeError);
  });
});
