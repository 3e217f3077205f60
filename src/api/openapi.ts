import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { LICENSE, VERSION } from '../version.js';

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A producer key (`hrp_…`, with scopes), the admin token (ADMIN_TOKEN, every scope) or a tenant API key (`hr_…`).',
  });
  return registry;
}

type Document = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/**
 * Each request body is written into its operation rather than referred to in `components/schemas`. A field
 * with a default is optional to the caller; generators (openapi-typescript among them) read a named
 * component's `default` as "always present", which is true of an answer and false of a request.
 * A component that only a request body referred to goes with it.
 */
function inlineRequestBodies(document: Document): Document {
  const schemas = document.components?.schemas ?? {};
  const inlined = new Set<string>();
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const media = (operation as { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }).requestBody?.content;
      for (const content of Object.values(media ?? {})) {
        const name = content.schema?.$ref?.replace('#/components/schemas/', '');
        if (name === undefined || !schemas[name]) continue;
        content.schema = structuredClone(schemas[name]) as typeof content.schema;
        inlined.add(name);
      }
    }
  }
  for (const name of inlined) {
    const others = JSON.stringify({ ...document, components: { ...document.components, schemas: { ...schemas, [name]: undefined } } });
    if (!others.includes(`"#/components/schemas/${name}"`)) delete schemas[name];
  }
  return document;
}

export function generateDocument(registry: OpenAPIRegistry): Document {
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'hookrelay',
      version: VERSION,
      description: 'Multi-tenant outgoing webhooks on Temporal. Errors have the shape `{error: {code, message, details}}`.',
      // An SPDX expression; npm's UNLICENSED (no licence granted) is not an SPDX id, so it is named as a LicenseRef.
      license: { name: LICENSE, identifier: LICENSE === 'UNLICENSED' ? 'LicenseRef-UNLICENSED' : LICENSE },
    },
    // The API's own origin: paths are absolute from the host that serves this document.
    servers: [{ url: '/', description: 'The hookrelay API that serves this document' }],
  });
  return inlineRequestBodies(document);
}
