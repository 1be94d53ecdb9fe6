import { ValidationPipe, type ValidationError, type ValidationPipeOptions } from '@nestjs/common';
import { classToPlain, instanceToPlain, plainToInstance, type ClassTransformOptions } from 'class-transformer';

/** A body that parsed as JSON but does not fit the route's DTO; each protocol words it its own way. */
export class RequestShapeError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

function describe(error: ValidationError, path = ''): string {
  const here = path ? `${path}.${error.property}` : error.property;
  if (error.children && error.children.length > 0) return describe(error.children[0], here);
  if (error.value === undefined) return `missing field \`${here}\``;
  return `${here}: invalid type: ${Object.values(error.constraints ?? {})[0] ?? 'unexpected value'}`;
}

/**
 * class-transformer's plainToInstance copies every nested value to build the instance it validates:
 * every number of every vector in a write (docs/hot-path.md).
 * vecgate's DTOs declare rules on their own properties only (no nested classes), so an instance
 * holding the body's values as they are validates the same, without the copy. Anything else (an
 * array, a primitive) goes to class-transformer as before.
 */
const shallowTransformer = {
  plainToInstance(metatype: new () => object, plain: unknown, options?: ClassTransformOptions): unknown {
    if (plain === null || typeof plain !== 'object' || Array.isArray(plain) || Buffer.isBuffer(plain))
      return plainToInstance(metatype, plain, options);
    return Object.assign(new metatype(), plain);
  },
  plainToClass(metatype: new () => object, plain: unknown, options?: ClassTransformOptions): unknown {
    return shallowTransformer.plainToInstance(metatype, plain, options);
  },
  classToPlain,
  instanceToPlain,
};

/** The keys Nest's ValidationPipe strips (prototype pollution), here from a body's top only. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Nest's ValidationPipe, minus two whole-body walks that cost more than the SQL of a large write:
 * closing the gaps of sparse arrays (a JSON body, or a query string from parseQueryString, has
 * none) and stripping prototype keys at every depth.
 *
 * Prototype keys (`__proto__`, `constructor`, `prototype`) are stripped from the top of an object
 * body only: that object is copied onto the DTO instance (Object.assign, where `__proto__` would
 * set the instance's prototype and `constructor` hide the class whose rules apply), and its keys
 * are the protocol's field names. Below it, values reach the handler as they were parsed (JSON.parse
 * makes every key an own data property) and nothing copies them by assignment, so a key there is
 * data: a metadata key, a filter key, a payload key, which Chroma, Pinecone and Qdrant store and
 * match like any other (removing it lost it without a word). An array body goes to
 * class-transformer, which does copy nested values by assignment: its objects are stripped as
 * Nest strips them (a DTO route refuses an array body in any case).
 */
class RequestValidationPipe extends ValidationPipe {
  /** class-validator's rules by DTO class: fixed once the classes are loaded, so looked up once, not per request. */
  private readonly rulesByClass = new Map<unknown, unknown[]>();

  protected override closeArrayGaps(): void {}

  protected override findNestedBinaryValues(object: unknown, metadataCache = this.rulesByClass): ValidationError[] {
    return super.findNestedBinaryValues(object, metadataCache as Map<unknown, never[]>);
  }

  protected override stripProtoKeys(value: Record<string, unknown> | unknown[]): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (item !== null && typeof item === 'object') super.stripProtoKeys(item as Record<string, unknown>);
      }
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const key of PROTOTYPE_KEYS) if (Object.hasOwn(value, key)) delete value[key];
  }
}

/** DTO validation at the edge, for every route. */
export const requestValidationPipe = new RequestValidationPipe({
  transformerPackage: shallowTransformer as ValidationPipeOptions['transformerPackage'],
  exceptionFactory: (errors) => new RequestShapeError(describe(errors[0])),
});
