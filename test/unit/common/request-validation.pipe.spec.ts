import { RequestShapeError, requestValidationPipe } from '../../../src/common/request-validation.pipe';
import { UpsertDto } from '../../../src/protocols/pinecone/dto/vectors.dto';

const asBody = (value: unknown) => requestValidationPipe.transform(value, { type: 'body', metatype: UpsertDto });

describe('request validation pipe', () => {
  it('keeps prototype-named keys below the top as data, and pollutes nothing', async () => {
    const body = JSON.parse(
      '{"vectors": [{"id": "a", "values": [1, 2], "metadata": {"__proto__": {"polluted": 1}, "constructor": "x", "prototype": "p", "k": [{"__proto__": {"deep": 1}}]}}]}',
    );
    const out = (await asBody(body)) as any;
    const metadata = out.vectors[0].metadata;
    expect(Object.hasOwn(metadata, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(metadata.constructor).toBe('x');
    expect(metadata.prototype).toBe('p');
    expect(Object.hasOwn(metadata.k[0], '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(metadata))).toEqual(body.vectors[0].metadata);
    expect(({} as any).polluted).toBeUndefined();
    expect(({} as any).deep).toBeUndefined();
  });

  it("strips them from the body's top, where they would reach the DTO instance's prototype and class", async () => {
    const body = JSON.parse(
      '{"__proto__": {"polluted": 1}, "constructor": {"name": "x"}, "prototype": 1, "vectors": [{"id": "a", "values": [1]}]}',
    );
    const out = (await asBody(body)) as any;
    expect(out).not.toBeInstanceOf(UpsertDto); // the pipe hands the handler the parsed body, not the instance
    for (const key of ['__proto__', 'constructor', 'prototype']) expect(Object.hasOwn(out, key)).toBe(false);
    expect(({} as any).polluted).toBeUndefined();
    // The DTO's rules still apply: a top-level `constructor` cannot hide the class whose rules they are.
    const bad = JSON.parse('{"constructor": {"name": "x"}, "vectors": "not an array"}');
    await expect(asBody(bad)).rejects.toBeInstanceOf(RequestShapeError);
    const poisoned = JSON.parse('{"__proto__": {"vectors": [{"id": "a", "values": [1]}]}, "vectors": 7}');
    await expect(asBody(poisoned)).rejects.toBeInstanceOf(RequestShapeError);
  });

  it('strips objects of an array body as Nest does, before class-transformer copies them', async () => {
    const body = JSON.parse('[{"vectors": [], "__proto__": {"polluted": 1}, "m": {"__proto__": {"deep": 1}}}]');
    await expect(asBody(body)).rejects.toBeInstanceOf(RequestShapeError);
    expect(Object.hasOwn(body[0], '__proto__')).toBe(false);
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
