// The catalog of event types, grouped: each with its description, the JSON Schema of its data
// and an example of the payload a receiver gets.
import { api, tenantId } from '../lib/api.js';
import { h, show } from '../lib/dom.js';
import { pretty } from '../lib/format.js';
import { isCurrent } from '../lib/router.js';
import { exampleEnvelope } from '../lib/schema-example.js';

function eventTypeEntry(eventType) {
  return h(
    'details',
    { class: 'event-type', dataset: { eventType: eventType.name } },
    h('summary', {}, h('strong', { class: 'mono' }, eventType.name), ' ', h('span', { class: 'hint' }, eventType.description)),
    h('h3', {}, 'Example payload'),
    h('pre', { class: 'example-payload' }, pretty(exampleEnvelope(eventType, tenantId()))),
    h('h3', {}, 'Schema of data'),
    eventType.schema ? h('pre', { class: 'schema' }, pretty(eventType.schema)) : h('p', { class: 'hint' }, 'No schema: any JSON object.'),
  );
}

export async function catalogScreen(token) {
  const catalog = await api('GET', '/v1/event-types');
  if (!isCurrent(token)) return;
  const byName = new Map(catalog.data.map((eventType) => [eventType.name, eventType]));
  show(
    h('h1', {}, 'Event types'),
    h('p', { class: 'sub' }, 'What endpoints can subscribe to. Open one for its schema and an example of what your endpoint receives.'),
    h(
      'div',
      { id: 'catalog' },
      catalog.groups.length
        ? catalog.groups.map((group) =>
            h(
              'section',
              { class: 'panel catalog-group', dataset: { group: group.group || 'Other' } },
              h('h2', {}, group.group || 'Other'),
              group.eventTypes
                .map((name) => byName.get(name))
                .filter(Boolean)
                .map(eventTypeEntry),
            ),
          )
        : h('div', { class: 'empty' }, 'No event types yet.'),
    ),
  );
}
