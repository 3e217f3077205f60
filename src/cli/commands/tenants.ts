import type { Command } from 'commander';
import { safe } from '../output.js';
import { context } from './context.js';

export function tenantCommands(program: Command): void {
  const tenants = program.command('tenants').description('manage tenants (admin token)');

  tenants
    .command('create')
    .description('create a tenant; prints its id and its API key, which is shown only once')
    .argument('<name>', "the tenant's name")
    .action(async (name: string, _options: unknown, command: Command) => {
      const { client, out } = context(command, 'admin');
      const tenant = await client.ok((api) => api.POST('/v1/tenants', { body: { name } }));
      if (out.json) return out.printJson(tenant);
      out.line(`id:      ${safe(tenant.id)}`);
      out.line(`api_key: ${safe(tenant.api_key)}`);
      out.warn('the API key is shown only this once; store it now (only its hash is kept)');
    });
}
