import type { Command } from 'commander';
import { defineCommand } from '../command-table.js';
import { safe } from '../output.js';
import { addPageOptions, pageQuery, printNextPage, type PageOptions } from '../pages.js';
import { AUDIT_ACTIONS, AUDIT_OBJECT_TYPES } from '../../domain/audit.js';
import type { operations } from '../../client/index.js';
import { context } from './context.js';

type AuditQuery = NonNullable<operations['listAuditEntries']['parameters']['query']>;

interface AuditOptions extends PageOptions {
  tenant?: string;
  actor?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  since?: string;
  until?: string;
}

export function auditCommands(program: Command): void {
  addPageOptions(defineCommand(program, 'audit list'))
    .option('--tenant <id>', "one tenant's entries (a tenant API key sees only its own)")
    .option('--actor <id>', 'a producer key id, admin-token, a tenant key id or a portal session id')
    .option('--action <action>', AUDIT_ACTIONS.join(', '))
    .option('--object-type <type>', AUDIT_OBJECT_TYPES.join(', '))
    .option('--object-id <id>', 'the id of the object changed')
    .option('--since <time>', 'entries at or after this time')
    .option('--until <time>', 'entries before this time')
    .action(async (options: AuditOptions, command: Command) => {
      // Values as given: the API names one it does not take.
      const query = {
        ...pageQuery(options),
        tenant_id: options.tenant,
        actor_id: options.actor,
        action: options.action,
        object_type: options.objectType,
        object_id: options.objectId,
        since: options.since,
        until: options.until,
      } as AuditQuery;
      const { client, out } = context(command);
      const page = await client.ok((api) => api.GET('/v1/audit', { params: { query } }));
      if (out.json) return out.printJson(page);
      if (page.data.length === 0) out.line('no audit entries');
      for (const entry of page.data) {
        const actor = `${entry.actor.type}${entry.actor.id ? `:${entry.actor.id}` : ''}`;
        const where = entry.tenant_id ? `tenant ${entry.tenant_id}` : '';
        out.line(safe([entry.at, entry.action, `${entry.object.type} ${entry.object.id}`, `by ${actor}`, where].filter(Boolean).join('  ')));
      }
      printNextPage(out, page.next_cursor);
    });
}
