/**
 * Structural checks of an OpenAPI 3.0 document: what a generator or a validator would trip over.
 * Returns one message per problem (an empty list for a valid document).
 */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'];
const PARAMETER_LOCATIONS = ['path', 'query', 'header', 'cookie'];

export function openApiProblems(doc: any): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string): void => {
    problems.push(`${where}: ${what}`);
  };

  if (typeof doc?.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi))
    fail('openapi', `not 3.0.x: ${doc?.openapi}`);
  if (typeof doc?.info?.title !== 'string' || typeof doc?.info?.version !== 'string')
    fail('info', 'needs title and version');
  if (typeof doc?.paths !== 'object' || doc.paths === null) return [...problems, 'paths: missing'];
  const schemas: Record<string, unknown> = doc.components?.schemas ?? {};
  const declaredTags = new Set<string>((doc.tags ?? []).map((t: any) => t.name));

  const resolve = (ref: string, where: string) => {
    const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
    if (!name || !(name in schemas)) fail(where, `unresolved $ref ${ref}`);
  };

  const schema = (s: any, where: string): void => {
    if (s === true || s === false) return;
    if (typeof s !== 'object' || s === null) return fail(where, 'schema is not an object');
    if (s.$ref !== undefined) return resolve(s.$ref, where);
    if (s.type !== undefined && !TYPES.includes(s.type))
      fail(where, `type ${JSON.stringify(s.type)} is not an OpenAPI 3.0 type`);
    if (s.type === 'array' && s.items === undefined) fail(where, 'array without items');
    if (s.nullable !== undefined && typeof s.nullable !== 'boolean') fail(where, 'nullable must be a boolean');
    if (s.required !== undefined) {
      if (!Array.isArray(s.required) || s.required.some((r: unknown) => typeof r !== 'string'))
        fail(where, 'required must be a list of names');
      else if (s.properties)
        for (const r of s.required) if (!(r in s.properties)) fail(where, `required ${r} is not a property`);
    }
    if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0))
      fail(where, 'enum must be a non-empty list');
    for (const k of [
      'minimum',
      'maximum',
      'minItems',
      'maxItems',
      'minLength',
      'maxLength',
      'minProperties',
      'maxProperties',
    ]) {
      if (s[k] !== undefined && typeof s[k] !== 'number') fail(where, `${k} must be a number`);
    }
    if (s.pattern !== undefined) {
      try {
        new RegExp(s.pattern);
      } catch {
        fail(where, `pattern ${s.pattern} is not a regular expression`);
      }
    }
    for (const [name, p] of Object.entries(s.properties ?? {})) schema(p, `${where}.${name}`);
    if (s.items !== undefined) schema(s.items, `${where}[]`);
    if (s.additionalProperties !== undefined) schema(s.additionalProperties, `${where}{}`);
    for (const k of ['oneOf', 'anyOf', 'allOf']) {
      if (s[k] === undefined) continue;
      if (!Array.isArray(s[k]) || s[k].length === 0) fail(where, `${k} must be a non-empty list`);
      else s[k].forEach((x: unknown, i: number) => schema(x, `${where}.${k}[${i}]`));
    }
  };

  for (const [name, s] of Object.entries(schemas)) schema(s, `#/components/schemas/${name}`);

  const templates = new Map<string, string>();
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    if (!path.startsWith('/')) fail(path, 'a path starts with /');
    const template = path.replace(/\{[^}]+\}/g, '{}');
    if (templates.has(template))
      fail(
        path,
        `same template as ${templates.get(template)} (OpenAPI forbids paths differing only in parameter names)`,
      );
    templates.set(template, path);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries<any>(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!HTTP_METHODS.includes(method)) {
        fail(where, `${method} is not an OpenAPI 3.0 method`);
        continue;
      }
      if (op.operationId !== undefined) {
        if (operationIds.has(op.operationId)) fail(where, `operationId ${op.operationId} is not unique`);
        operationIds.add(op.operationId);
      }
      const params: any[] = op.parameters ?? [];
      const keys = new Set<string>();
      for (const p of params) {
        if (typeof p.name !== 'string' || !PARAMETER_LOCATIONS.includes(p.in))
          fail(where, `bad parameter ${JSON.stringify(p)}`);
        const key = `${p.in}:${p.name}`;
        if (keys.has(key)) fail(where, `parameter ${key} twice`);
        keys.add(key);
        if (p.in === 'path' && p.required !== true) fail(where, `path parameter ${p.name} must be required`);
        if (p.in === 'path' && !templated.includes(p.name)) fail(where, `path parameter ${p.name} is not in the path`);
        if (p.schema === undefined && p.content === undefined) fail(where, `parameter ${p.name} has no schema`);
        if (p.schema !== undefined) schema(p.schema, `${where} parameter ${p.name}`);
      }
      for (const name of templated)
        if (!keys.has(`path:${name}`)) fail(where, `path parameter {${name}} is not declared`);
      if (op.requestBody !== undefined) {
        const content = op.requestBody.content ?? {};
        if (Object.keys(content).length === 0) fail(where, 'requestBody without content');
        for (const [type, media] of Object.entries<any>(content))
          if (media.schema !== undefined) schema(media.schema, `${where} body ${type}`);
      }
      const responses = Object.entries<any>(op.responses ?? {});
      if (responses.length === 0) fail(where, 'no responses');
      for (const [status, response] of responses) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(status)) fail(where, `response key ${status}`);
        if (typeof response.description !== 'string') fail(where, `response ${status} needs a description`);
        for (const [type, media] of Object.entries<any>(response.content ?? {}))
          if (media.schema !== undefined) schema(media.schema, `${where} ${status} ${type}`);
      }
      for (const tag of op.tags ?? []) if (!declaredTags.has(tag)) fail(where, `tag ${tag} is not declared`);
    }
  }
  return problems;
}
