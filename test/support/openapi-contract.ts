import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { OpenAPIV3 } from 'openapi-types';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** What the contract needs to know of a response: supertest's Response has all of it. */
export interface ObservedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as supertest parsed it: an object for JSON, or a custom parser's result. */
  body?: unknown;
  /** The body as text, when supertest buffered it as text. */
  text?: string;
}

/** Paths the server serves that the document does not describe: the document itself and Swagger UI. */
const UNDESCRIBED_PATHS = [/^\/docs(?:-json)?(?:\/.*)?$/];

/** Statuses the framework gives for a route or method it does not have: answered, but not an operation. */
const NO_SUCH_ROUTE_STATUSES = new Set([404, 405]);

/** Media types whose body is one JSON value per line, each matching the documented schema (OpenAPI 3.2's itemSchema). */
const LINE_DELIMITED = new Set(['application/x-ndjson', 'application/jsonl']);

const CONTRACTS = new Map<string, OpenApiContract>();

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Route {
  template: string;
  pattern: RegExp;
  /** Templated segments: the route with fewer wins when two match (`/a/b` before `/a/{x}`). */
  parameters: number;
  item: OpenAPIV3.PathItemObject;
}

/**
 * The served OpenAPI document as a checker of real responses: for a request's method and path and the
 * response that came back, whether the status is documented for that operation, the content type is
 * one of that status's media types, and the body matches its schema (ajv, with the document's
 * formats). Response schemas are checked closed: a member the document does not list fails the check,
 * so that the document stays a complete description of the answers, not only of a part of them.
 *
 * @example
 *   const contract = OpenApiContract.from(document);
 *   const problems = contract.check('GET', '/api/authorities/74/summary?at=2023-06-01', res);
 *   // [] when the response is what the document says; otherwise one sentence per discrepancy.
 */
export class OpenApiContract {
  private readonly routes: Route[];
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(readonly document: OpenAPIV3.Document) {
    this.routes = Object.entries(document.paths ?? {}).map(([template, item]) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}/]+\\?\}/g, '[^/]+')}$`),
      parameters: (template.match(/\{[^}]+\}/g) ?? []).length,
      item: item as OpenAPIV3.PathItemObject,
    }));
    // OpenAPI 3.0's schema dialect: `nullable` (ajv's own keyword, refused without `type`), and
    // annotations ajv does not know, which strict mode would otherwise reject.
    // The document's own validity is openapi-document.e2e.spec.ts's to prove: no meta-schema check here.
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, discriminator: true, validateSchema: false });
    this.ajv.addVocabulary(['example', 'externalDocs', 'xml']);
    addFormats(this.ajv);
    const schemas = closeObjects(document.components?.schemas ?? {}) as Record<string, unknown>;
    this.ajv.addSchema({ $id: 'openapi.json', definitions: absoluteRefs(schemas) });
  }

  /** The contract of `document`; one per distinct document, so that its compiled schemas are reused by every app of a test file. */
  static from(document: OpenAPIV3.Document): OpenApiContract {
    const key = JSON.stringify(document);
    let contract = CONTRACTS.get(key);
    if (!contract) {
      contract = new OpenApiContract(document);
      CONTRACTS.set(key, contract);
    }
    return contract;
  }

  /** The documented operation a request reaches, or undefined. */
  operation(method: string, url: string): { template: string; operation: OpenAPIV3.OperationObject } | undefined {
    const route = this.route(url);
    const operation = route?.item[method.toLowerCase() as (typeof METHODS)[number]] as OpenAPIV3.OperationObject | undefined;
    return route && operation ? { template: route.template, operation } : undefined;
  }

  /** Every discrepancy between the response and the document, one sentence each; [] when none. */
  check(method: string, url: string, res: ObservedResponse): string[] {
    const path = pathOf(url);
    const where = `${method.toUpperCase()} ${path} answered ${res.status}`;
    const found = this.operation(method, url);
    if (!found) return this.checkUndescribed(method, path, where, res);

    const responses = found.operation.responses ?? {};
    const documented = responses[String(res.status)] ?? responses[`${String(res.status)[0]}XX`] ?? responses.default;
    if (!documented) return [`${where}, a status ${found.template} does not document (it documents ${Object.keys(responses).join(', ')})`];
    const response = this.resolve(documented) as OpenAPIV3.ResponseObject;
    return this.checkBody(where, method, res, response.content ?? {}, `#/paths/${pointer(found.template)}/${method.toLowerCase()}/responses/${res.status}`);
  }

  private checkUndescribed(method: string, path: string, where: string, res: ObservedResponse): string[] {
    if (UNDESCRIBED_PATHS.some((pattern) => pattern.test(path))) return [];
    // CORS preflight is the cors middleware's, before any route.
    if (method.toUpperCase() === 'OPTIONS') return [];
    if (!NO_SUCH_ROUTE_STATUSES.has(res.status)) {
      const route = this.route(path);
      return [`${where}, but the document has no ${route ? `${method.toUpperCase()} operation on ${route.template}` : `path matching ${path}`}`];
    }
    // "No such route" is still a problem document: the one every error is.
    const problem = this.document.components?.schemas?.ProblemResponse;
    if (!problem) return [];
    return this.checkBody(where, method, res, { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } }, '#/problem');
  }

  private checkBody(where: string, method: string, res: ObservedResponse, content: Record<string, OpenAPIV3.MediaTypeObject>, key: string): string[] {
    const contentType = header(res.headers, 'content-type');
    const text = textOf(res);
    const empty = method.toUpperCase() === 'HEAD' || res.status === 204 || res.status === 304 || (contentType === undefined && !text);
    if (empty) return [];
    const mediaType = contentType?.split(';')[0].trim().toLowerCase();
    const documentedTypes = Object.keys(content);
    if (!mediaType || !(mediaType in content)) {
      return [`${where} with ${contentType ?? 'no Content-Type'}, a media type not documented for it (${documentedTypes.join(', ') || 'no body'})`];
    }
    const schema = content[mediaType].schema;
    if (!schema) return [];
    const validate = this.validator(`${key}/${mediaType}`, schema);
    if (LINE_DELIMITED.has(mediaType)) {
      if (text === undefined) return [`${where} with ${mediaType}, whose text the test did not buffer`];
      return text
        .split('\n')
        .filter((line) => line !== '')
        .flatMap((line, index) => {
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch {
            return [`${where}: line ${index + 1} of the ${mediaType} body is not JSON`];
          }
          return validate(value) ? [] : [`${where}: line ${index + 1} of the ${mediaType} body ${this.ajv.errorsText(validate.errors, { dataVar: 'line' })}`];
        });
    }
    const isJson = /^application\/(?:[\w.-]+\+)?json$/.test(mediaType);
    const value = isJson ? (typeof res.body === 'string' ? safeParse(res.body) : res.body) : text;
    return validate(value) ? [] : [`${where} with a ${mediaType} body that does not match its schema: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`];
  }

  private validator(key: string, schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(absoluteRefs(closeObjects(schema)) as object);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private route(url: string): Route | undefined {
    const path = pathOf(url);
    return this.routes.filter((route) => route.pattern.test(path)).sort((a, b) => a.parameters - b.parameters)[0];
  }

  private resolve<T>(value: T | OpenAPIV3.ReferenceObject): T {
    if (!value || typeof value !== 'object' || !('$ref' in value)) return value as T;
    const target = value.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')], this.document);
    return this.resolve(target as T);
  }
}

/** Every object schema with listed properties and no say on others, closed: extras then fail. */
function closeObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(closeObjects);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([key, child]) => [key, key === 'example' ? child : closeObjects(child)]);
  const schema = Object.fromEntries(entries) as Record<string, unknown>;
  if (schema.properties && typeof schema.properties === 'object' && !('additionalProperties' in schema) && !('allOf' in schema)) {
    schema.additionalProperties = false;
  }
  return schema;
}

/** `#/components/schemas/X` → the schema registered as `openapi.json`, whose definitions hold them. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === '$ref' && typeof child === 'string' ? child.replace(/^#\/components\/schemas\//, 'openapi.json#/definitions/') : key === 'example' ? child : absoluteRefs(child),
    ]),
  );
}

/** The path as sent, dot segments and all (URL would resolve them; the server does not). */
function pathOf(url: string): string {
  return url.replace(/^[a-z]+:\/\/[^/]+/i, '').split(/[?#]/)[0];
}

function header(headers: ObservedResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function textOf(res: ObservedResponse): string | undefined {
  if (typeof res.text === 'string') return res.text;
  if (typeof res.body === 'string') return res.body;
  if (Buffer.isBuffer(res.body)) return res.body.toString('utf8');
  return undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function pointer(template: string): string {
  return template.replace(/~/g, '~0').replace(/\//g, '~1');
}
