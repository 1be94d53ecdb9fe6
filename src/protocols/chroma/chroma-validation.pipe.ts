import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ChromaHttpError } from './chroma-error';

function describe(error: ValidationError, path = ''): string {
  const here = path ? `${path}.${error.property}` : error.property;
  if (error.children && error.children.length > 0) return describe(error.children[0], here);
  if (error.value === undefined) return `missing field \`${error.property}\``;
  return `${here}: invalid type: ${Object.values(error.constraints ?? {})[0] ?? 'unexpected value'}`;
}

/** DTO validation at the edge, failing the way Chroma's deserializer does: 422 ChromaError. */
export const chromaValidationPipe = new ValidationPipe({
  exceptionFactory: (errors) => ChromaHttpError.unprocessable(describe(errors[0])),
});
