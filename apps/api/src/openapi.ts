import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ProblemResponse } from './http/problem.response.js';

/**
 * The OpenAPI 3.0 document of the app: Nest's, from the controllers' decorators, with every request
 * body's schema closed (the global ValidationPipe refuses members a body class does not declare).
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('tthc-ledger')
    .setDescription(
      "An event-sourced record of how Vietnam's administrative procedures are offered online, per province. " +
        'Errors are application/problem+json (RFC 9457). Every endpoint under /api needs a bearer JWT whose roles ' +
        'admit it: administrator (commands and everything), auditor (queries and audit), viewer (queries).',
    )
    .setVersion('0.1.0')
    .addServer('.', 'The server that serves this document')
    .addTag('procedures', 'Commands on a procedure, and its current state')
    .addTag('queries', "Dashboards' queries, from the read models; every answer states its log position")
    .addTag('authorities', 'The provincial-level units and their lineage: reorganisations (mergers) of units')
    .addTag('decisions', 'Decisions that change many procedures at once, all or nothing')
    .addTag('national-facts', "The national facts beside the catalogues: agencies' procedure-handling systems assessed against Circular 21/2023/TT-BTTTT, and their National Population Database connections")
    .addTag('audit', 'The record as recorded: streams, the global log, time travel and verifications')
    .addTag('operations', 'Health and metrics')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemResponse] });
  closeRequestBodies(document);
  return document;
}

/** Swagger UI at /docs and the OpenAPI document at /docs-json (outside the /api prefix). */
export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}

/**
 * `additionalProperties: false` on every schema a request body refers to, and on the schemas they
 * refer to in turn: whitelist and forbidNonWhitelisted refuse any other member, nested ones too.
 */
function closeRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const closed = new Set<string>();
  const close = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(close);
    if (!node || typeof node !== 'object') return;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length);
      if (closed.has(name) || !schemas[name]) return;
      closed.add(name);
      return close(schemas[name]);
    }
    const schema = node as Record<string, unknown>;
    if (schema.type === 'object' && schema.properties && !('additionalProperties' in schema)) schema.additionalProperties = false;
    Object.values(schema).forEach(close);
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      const body = (operation as { requestBody?: { content?: Record<string, { schema?: unknown }> } } | undefined)?.requestBody;
      for (const media of Object.values(body?.content ?? {})) close(media.schema);
    }
  }
}
