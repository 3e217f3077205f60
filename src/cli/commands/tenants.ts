import type { Command } from 'commander';
import { defineCommand } from '../command-table.js';
import { printFields } from '../format.js';
import { safe } from '../output.js';
import type { RequestBody } from '../../client/index.js';
import { context } from './context.js';

interface PortalLinkOptions {
  environment?: string;
  ttl?: string;
  returnUrl?: string;
  brandName?: string;
  brandLogoUrl?: string;
  brandAccentColor?: string;
}

export function tenantCommands(program: Command): void {
  defineCommand(program, 'tenants create')
    .argument('<name>', "the tenant's name")
    .action(async (name: string, _options: unknown, command: Command) => {
      const { client, out } = context(command);
      const tenant = await client.ok((api) => api.POST('/v1/tenants', { body: { name } }));
      if (out.json) return out.printJson(tenant);
      out.line(`id:      ${safe(tenant.id)}`);
      out.line(`api_key: ${safe(tenant.api_key)}`);
      out.warn('the API key is shown only this once; store it now (only its hash is kept)');
    });

  defineCommand(program, 'tenants delete')
    .argument('<id>', 'the tenant id (ten_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, out } = context(command);
      const accepted = await client.ok((api) => api.DELETE('/v1/tenants/{id}', { params: { path: { id } } }));
      printFields(out, accepted);
    });

  defineCommand(program, 'tenants portal-link')
    .argument('<id>', 'the tenant id (ten_…)')
    .option('--environment <environment>', 'scope the portal to sandbox or production (default: both)')
    .option('--ttl <duration>', 'how long the link can be opened and the session lasts, 1m-24h (default: 1h)')
    .option('--return-url <url>', 'where the ended-session page and sign-out send the user back to (an http or https URL)')
    .option('--brand-name <name>', "the platform's name in the portal's header and page titles (default: Webhooks)")
    .option('--brand-logo-url <url>', "the platform's logo in the header: a path on the portal's own origin (/…) or a data:image/…;base64, URL")
    .option('--brand-accent-color <#rrggbb>', 'the colour of buttons and links, dark enough for white text on it')
    .action(async (id: string, options: PortalLinkOptions, command: Command) => {
      const body: Record<string, unknown> = {};
      if (options.environment !== undefined) body.environment = options.environment;
      if (options.ttl !== undefined) body.ttl = options.ttl;
      if (options.returnUrl !== undefined) body.return_url = options.returnUrl;
      const branding: Record<string, string> = {};
      if (options.brandName !== undefined) branding.name = options.brandName;
      if (options.brandLogoUrl !== undefined) branding.logo_url = options.brandLogoUrl;
      if (options.brandAccentColor !== undefined) branding.accent_color = options.brandAccentColor;
      if (Object.keys(branding).length > 0) body.branding = branding;
      const { client, out } = context(command);
      const session = await client.ok((api) =>
        api.POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id } }, body: body as RequestBody<'createPortalSession'> }),
      );
      if (out.json) return out.printJson(session);
      out.line(`url:        ${safe(session.url)}`);
      out.line(`expires_at: ${safe(session.expires_at)}`);
      out.warn('the link opens the portal once, as this tenant: hand it only to that tenant');
    });
}
