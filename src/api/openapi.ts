import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { VERSION } from '../version.js';

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A producer key (`hrp_…`, with scopes), the admin token (ADMIN_TOKEN, every scope) or a tenant API key (`hr_…`).',
  });
  return registry;
}

export function generateDocument(registry: OpenAPIRegistry) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'hookrelay',
      version: VERSION,
      description: 'Multi-tenant outgoing webhooks on Temporal. Errors have the shape `{error: {code, message, details}}`.',
    },
  });
}
