import { isIP } from 'node:net';
import { ChromaHttpError } from './chroma-error';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$/;

/** Chroma's collection name rules, each with Chroma's own message. */
export function validateCollectionName(name: string): void {
  const prefix = 'Validation error: name: ';
  if (!NAME.test(name)) {
    throw ChromaHttpError.invalidArgument(
      `${prefix}Expected a name containing 3-512 characters from [a-zA-Z0-9._-], starting and ending with a character in [a-zA-Z0-9]. Got: ${name}`,
    );
  }
  if (name.includes('..'))
    throw ChromaHttpError.invalidArgument(
      `${prefix}Expected a name that does not contains two consecutive periods (..). Got ${name}`,
    );
  if (isIP(name))
    throw ChromaHttpError.invalidArgument(`${prefix}Expected a name that is not a valid ip address. Got ${name}`);
}

/** Tenant and database names: at least 3 characters, as Chroma checks them. */
export function validateLength(field: string, name: string): void {
  if ([...name].length < 3) {
    throw ChromaHttpError.invalidArgument(
      `Validation error: ${field}: Validation error: length [{"min": Number(3), "value": String(${JSON.stringify(name)})}]`,
    );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validateCollectionId(id: string): string {
  if (!UUID.test(id)) throw ChromaHttpError.invalidArgument('Collection ID is not a valid UUIDv4');
  return id.toLowerCase();
}
