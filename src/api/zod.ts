// zod with `.openapi()`: every schema is at once validator, TypeScript type and OpenAPI source.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);
export { z };
