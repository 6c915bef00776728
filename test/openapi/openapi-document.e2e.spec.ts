import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validate } from '@readme/openapi-parser';
import { Document, Spectral } from '@stoplight/spectral-core';
import Parsers from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import openapiTS, { astToString } from 'openapi-typescript';
import type { OpenAPIV3 } from 'openapi-types';
import { startApi, type ApiHarness } from '../support/api-app.js';

// The served document, as a third party's tools read it: a validator, a linter, a typed client.
// The responses the other e2e tests receive are checked against it by the harness (api-app.ts).

const ROOT = join(import.meta.dirname, '..', '..');
const CLIENT = join(import.meta.dirname, 'typed-client');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

let api: ApiHarness;
let document: OpenAPIV3.Document;

beforeAll(async () => {
  api = await startApi({ runProjector: false });
  document = (await api.anonymous().get('/docs-json').expect(200)).body;
}, 30_000);
afterAll(() => api?.close(), 30_000);

const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item?.[method]).map((method) => ({ path, method, operation: item![method]! })),
  );

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.0 document (@readme/openapi-parser, its schemas and references resolved)', async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(document.openapi).toMatch(/^3\.0\./);
  });

  it("passes Spectral's spectral:oas ruleset with no error, warning or hint", async () => {
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [[oas as never, 'recommended']] });
    const results = await spectral.run(new Document(JSON.stringify(document, null, 2), Parsers.Json));
    expect(results.map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`)).toEqual([]);
  });

  it('describes a body or a problem for every status of every operation, and problems as application/problem+json', () => {
    const missing: string[] = [];
    for (const { path, method, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const content = (response as OpenAPIV3.ResponseObject).content ?? {};
        const where = `${method.toUpperCase()} ${path} ${status}`;
        if (Object.keys(content).length === 0 && status !== '204' && status !== '304') missing.push(`${where}: no content`);
        for (const [type, media] of Object.entries(content)) if (!media.schema) missing.push(`${where} ${type}: no schema`);
        if (Number(status) >= 400 && path.startsWith('/api/') && Object.keys(content).join() !== 'application/problem+json') {
          missing.push(`${where}: ${Object.keys(content).join()} instead of application/problem+json`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('types integer parameters as bounded integers, dates with their format, and refuses extra body members', () => {
    const loose: string[] = [];
    for (const { path, method, operation } of operations()) {
      for (const parameter of (operation.parameters ?? []) as OpenAPIV3.ParameterObject[]) {
        const schema = parameter.schema as OpenAPIV3.SchemaObject;
        const where = `${method.toUpperCase()} ${path} ${parameter.name}`;
        if (schema.type === 'number') loose.push(`${where}: number, not integer`);
        if (schema.type === 'integer' && (schema.minimum === undefined || schema.maximum === undefined)) loose.push(`${where}: unbounded`);
        if (/^(at|from|to|effectiveFrom)$/.test(parameter.name) && schema.format !== 'date') loose.push(`${where}: no date format`);
        if (parameter.name === 'knownAt' && schema.format !== 'date-time') loose.push(`${where}: no date-time format`);
      }
      // Swagger UI's "Try it out" sends examples and defaults: a position only means something when a
      // reply gave it, and knownAt beside asOfPosition is refused.
      const prefilled = ((operation.parameters ?? []) as OpenAPIV3.ParameterObject[])
        .filter((p) => p.example !== undefined || (p.schema as OpenAPIV3.SchemaObject).example !== undefined || (p.schema as OpenAPIV3.SchemaObject).default !== undefined)
        .map((p) => p.name);
      const names = ((operation.parameters ?? []) as OpenAPIV3.ParameterObject[]).map((p) => p.name);
      for (const name of prefilled) {
        if (name === 'afterPosition' || name === 'asOfPosition' || (name === 'knownAt' && names.includes('asOfPosition'))) {
          loose.push(`${method.toUpperCase()} ${path} ${name}: an example or default Try it out would send`);
        }
      }
      const body = operation.requestBody as OpenAPIV3.RequestBodyObject | undefined;
      for (const media of Object.values(body?.content ?? {})) {
        const schema = media.schema as OpenAPIV3.SchemaObject & Partial<OpenAPIV3.ReferenceObject>;
        for (const { $ref } of [schema, ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])] as Partial<OpenAPIV3.ReferenceObject>[]) {
          if (!$ref) continue;
          const object = document.components!.schemas![$ref.split('/').pop()!] as OpenAPIV3.SchemaObject;
          if (object.additionalProperties !== false) loose.push(`${method.toUpperCase()} ${path}: its body ${$ref} allows other members`);
        }
      }
    }
    const movement = document.paths['/api/authorities/{authorityCode}/movement']!.get!.parameters as OpenAPIV3.ParameterObject[];
    expect(movement.filter((p) => p.in === 'query' && p.required).map((p) => p.name).sort()).toEqual(['from', 'to']);
    expect(loose).toEqual([]);
  });

  it('never says nullable without a type (OpenAPI 3.0 ignores it there)', () => {
    const untyped: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      if (schema.nullable === true && schema.type === undefined) untyped.push(at);
      for (const [key, child] of Object.entries(schema)) if (key !== 'example') walk(child, `${at}/${key}`);
    };
    walk(document, '#');
    expect(untyped).toEqual([]);
  });

  it('gives a typed client (openapi-typescript + openapi-fetch) that compiles against a call to every endpoint', async () => {
    const client = await readFile(join(CLIENT, 'client.ts'), 'utf8');
    const called = new Set([...client.matchAll(/\bapi\.(GET|POST|PUT|PATCH|DELETE)\('([^']+)'/g)].map(([, method, path]) => `${method} ${path}`));
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(documented.filter((operation) => !called.has(operation))).toEqual([]);

    const dir = await mkdtemp(join(tmpdir(), 'tthc-typed-client-'));
    try {
      await writeFile(join(dir, 'schema.d.ts'), astToString(await openapiTS(structuredClone(document) as never)));
      await copyFile(join(CLIENT, 'client.ts'), join(dir, 'client.ts'));
      await copyFile(join(CLIENT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
      await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      // An answer the document gives no schema is typed `never`: the client's use of its fields would not compile.
      const tsc = await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')]).then(
        () => '',
        (error: { stdout?: string; message: string }) => error.stdout || error.message,
      );
      expect(tsc).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
