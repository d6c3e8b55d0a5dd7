import { z } from 'zod';
import { defineRoute, json } from '../route';

const DatastoreList = z
  .object({
    value: z.array(
      z.object({
        name: z.string(),
        container: z.string(),
        description: z.string().optional(),
        isDefault: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'DatastoreList' });

export const listDatastoresRoute = defineRoute({
  name: 'listDatastores',
  method: 'GET',
  path: 'datastores',
  access: 'Sluice.Read',
  tag: 'Datastores',
  summary: 'List datastores',
  responses: { 200: { description: 'Every datastore; workspaceblobstore is the default', schema: DatastoreList } },
  async handler({ deps }) {
    return json(200, { value: await deps.store.datastores.list() });
  },
});
