import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemResponse } from './http/problem.response.js';

/** Swagger UI at /docs and the OpenAPI document at /docs-json (outside the /api prefix). */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('tthc-ledger')
    .setDescription(
      "An event-sourced record of how Vietnam's administrative procedures are offered online, per province. " +
        'Errors are application/problem+json (RFC 9457). Every endpoint under /api needs a bearer JWT whose roles ' +
        'admit it: administrator (commands and everything), auditor (queries and audit), viewer (queries).',
    )
    .setVersion('0.1.0')
    .addTag('procedures', 'Commands on a procedure, and its current state')
    .addTag('audit', "A procedure's events with their metadata")
    .addTag('operations', 'Health')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemResponse] });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
