import { ValidationError, ValidationPipe } from '@nestjs/common';

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

/** DTO validation at the edge, for every route. */
export const requestValidationPipe = new ValidationPipe({
  exceptionFactory: (errors) => new RequestShapeError(describe(errors[0])),
});
