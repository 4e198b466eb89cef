// Create or edit an endpoint: URL, event types from the grouped catalog, auth, headers, retry
// policy and its repeats, timeout, limits, health check URL and ordering.
import { api, tenantPath } from '../lib/api.js';
import { appContext } from '../lib/app-context.js';
import { errorBox, h, show, toast } from '../lib/dom.js';
import { endpointRequestBody } from '../lib/endpoint-request.js';
import { field, parseJson } from '../lib/forms.js';
import { pretty } from '../lib/format.js';
import { isCurrent } from '../lib/router.js';

/** Catalog groups as checkboxes; "*" subscribes to everything. Returns { all, typeBoxes, groups }. */
function eventTypePicker(catalog, selected) {
  const all = h('input', { type: 'checkbox', value: '*', checked: selected.has('*') });
  const typeBoxes = [];
  const groups = catalog.groups.map((group) =>
    h(
      'div',
      { class: 'group' },
      h('strong', {}, group.group || 'Other'),
      group.eventTypes.map((typeName) => {
        const box = h('input', { type: 'checkbox', value: typeName, checked: selected.has(typeName), dataset: { eventType: typeName } });
        typeBoxes.push(box);
        const described = catalog.data.find((t) => t.name === typeName);
        return h('label', { title: described?.description ?? '' }, box, typeName);
      }),
    ),
  );
  return { all, typeBoxes, groups };
}

export async function endpointFormScreen(id, token) {
  if (!appContext.canWrite) {
    show(h('div', { class: 'empty', id: 'read-only-notice' }, 'This session is read-only: endpoints cannot be added or changed here.'));
    return;
  }
  const [catalog, endpoint] = await Promise.all([api('GET', '/v1/event-types'), id ? api('GET', tenantPath(`/endpoints/${id}`)) : null]);
  if (!isCurrent(token)) return;
  const name = h('input', { type: 'text', id: 'ep-name', required: true, value: endpoint?.name ?? '' });
  const url = h('input', {
    type: 'url',
    id: 'ep-url',
    required: true,
    value: endpoint?.url ?? '',
    placeholder: 'https://example.com/webhooks',
  });
  const description = h('input', { type: 'text', id: 'ep-description', value: endpoint?.description ?? '' });
  const healthCheckUrl = h('input', {
    type: 'url',
    id: 'ep-health-check-url',
    value: endpoint?.healthCheckUrl ?? '',
    placeholder: 'https://example.com/health',
  });
  const { all, typeBoxes, groups } = eventTypePicker(catalog, new Set(endpoint?.eventTypes ?? []));

  const authType = h(
    'select',
    { id: 'ep-auth' },
    [
      ['none', 'None'],
      ['basic', 'Basic (username + password)'],
      ['bearer', 'Bearer token'],
      ['header', 'Custom header'],
    ].map(([value, label]) => h('option', { value, selected: (endpoint?.auth.type ?? 'none') === value }, label)),
  );
  const authA = h('input', { type: 'text', id: 'ep-auth-a' });
  const authB = h('input', { type: 'password', id: 'ep-auth-b', autocomplete: 'new-password' });
  const authFields = h('div');
  const renderAuth = () => {
    const type = authType.value;
    const keep = endpoint && endpoint.auth.type === type ? ' (leave empty to keep the stored one)' : '';
    authFields.replaceChildren(
      ...(type === 'basic'
        ? [field('Username', authA), field('Password', authB, keep)]
        : type === 'bearer'
          ? [field('Token', authB, keep)]
          : type === 'header'
            ? [field('Header name', authA), field('Header value', authB, keep)]
            : []),
    );
    if (endpoint && endpoint.auth.type === type) authA.value = endpoint.auth.username ?? endpoint.auth.name ?? '';
  };
  authType.addEventListener('change', renderAuth);
  renderAuth();

  const headers = h(
    'textarea',
    { id: 'ep-headers', placeholder: '{ "x-team": "billing" }' },
    endpoint && Object.keys(endpoint.headers).length ? pretty(endpoint.headers) : '',
  );
  // The sequence as JSON; its repeats in fields of their own (merged into the policy on save).
  const { repeatCount: storedRepeats, repeatAfterSeconds: storedPause, ...storedSequence } = endpoint?.retryPolicy ?? {};
  const retry = h(
    'textarea',
    { id: 'ep-retry', placeholder: '{ "strategy": "schedule", "delaysSeconds": [300, 600] }' },
    endpoint?.retryPolicy ? pretty(storedSequence) : '',
  );
  const repeatCount = h('input', {
    type: 'number',
    id: 'ep-repeat-count',
    min: 0,
    max: 10,
    step: 1,
    value: storedRepeats ?? '',
    placeholder: '0',
  });
  const repeatAfter = h('input', {
    type: 'number',
    id: 'ep-repeat-after',
    min: 60,
    max: 604800,
    step: 1,
    value: storedPause ?? '',
    placeholder: '3600',
  });
  const timeout = h('input', { type: 'text', id: 'ep-timeout', value: endpoint?.timeoutMs ?? '', placeholder: '15000' });
  const rateLimit = h('input', { type: 'text', id: 'ep-rate-limit', value: endpoint?.rateLimitPerSecond ?? '', placeholder: '10' });
  const maxConcurrent = h('input', {
    type: 'text',
    id: 'ep-max-concurrent',
    value: endpoint?.maxConcurrentRequests ?? '',
    placeholder: '4',
  });
  const orderingChoice = endpoint?.ordering ? (endpoint.ordering.key === 'resourceId' ? 'fifo-resource' : 'fifo') : 'none';
  const ordering = h(
    'select',
    { id: 'ep-ordering' },
    h('option', { value: 'none', selected: orderingChoice === 'none' }, 'Unordered (concurrent)'),
    h('option', { value: 'fifo', selected: orderingChoice === 'fifo' }, 'FIFO: one at a time, in publish order'),
    h('option', { value: 'fifo-resource', selected: orderingChoice === 'fifo-resource' }, 'FIFO per resource id'),
  );
  const enabled = h('input', { type: 'checkbox', id: 'ep-enabled', checked: true });
  const message = h('div');

  const form = h(
    'form',
    {
      class: 'panel',
      onsubmit: async (event) => {
        event.preventDefault();
        message.replaceChildren();
        try {
          const eventTypes = all.checked ? ['*'] : typeBoxes.filter((box) => box.checked).map((box) => box.value);
          if (!eventTypes.length) throw new Error('Pick at least one event type (or all of them).');
          const body = endpointRequestBody(
            {
              name: name.value,
              url: url.value,
              description: description.value,
              eventTypes,
              authType: authType.value,
              authA: authA.value,
              authB: authB.value,
              headers: parseJson(headers.value, 'Custom headers'),
              retryPolicy: parseJson(retry.value, 'Retry policy'),
              repeatCount: repeatCount.value,
              repeatAfter: repeatAfter.value,
              timeout: timeout.value,
              rateLimit: rateLimit.value,
              maxConcurrent: maxConcurrent.value,
              healthCheckUrl: healthCheckUrl.value,
              ordering: ordering.value,
              orderingChoice,
            },
            endpoint,
          );
          let saved;
          if (endpoint) saved = await api('PATCH', tenantPath(`/endpoints/${endpoint.id}`), body);
          else saved = await api('POST', tenantPath('/endpoints'), { ...body, enabled: enabled.checked });
          toast(endpoint ? 'Endpoint saved' : 'Endpoint created');
          appContext.notify(endpoint ? 'endpoint.updated' : 'endpoint.created', { endpointId: saved.id });
          location.hash = `#/endpoints/${saved.id}`;
        } catch (error) {
          message.replaceChildren(errorBox(error));
        }
      },
    },
    field('Name', name),
    field('URL', url, 'https:// (http:// only where the deployment allows it)'),
    field('Description', description),
    h('label', {}, 'Event types'),
    appContext.canSubscribeToAll ? h('div', { class: 'group' }, h('label', {}, all, h('strong', {}, 'All event types (*)'))) : null,
    groups.length ? groups : h('p', { class: 'hint' }, 'The catalog is empty: the admin adds event types with POST /v1/event-types.'),
    field('Authentication', authType),
    authFields,
    field('Custom headers', headers, 'JSON object of header names to values'),
    field('Retry policy', retry, 'JSON; empty for the default schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)'),
    field('Repeat the whole sequence', repeatCount, 'times, 0 to 10, once it is exhausted (empty or 0: it runs once)'),
    field('Pause before each repeat (s)', repeatAfter, '60 to 604800 (7 days); needed when it repeats'),
    field('Timeout (ms)', timeout, 'empty for the deployment default'),
    field('Rate limit (POSTs per second)', rateLimit, 'empty for no limit; a short burst above it is allowed (see README)'),
    field('Max concurrent requests', maxConcurrent, 'POSTs in flight at once, across all workers; empty for no limit'),
    field('Health check URL', healthCheckUrl, 'optional: half-open probes go here (a signed POST) instead of a real delivery'),
    field('Ordering', ordering, 'FIFO: each delivery waits until the one before it in its line has finished'),
    endpoint ? null : h('label', {}, enabled, ' Enabled on creation'),
    h(
      'p',
      { class: 'row' },
      h('button', { class: 'primary', type: 'submit', id: 'save-endpoint' }, endpoint ? 'Save changes' : 'Create endpoint'),
      h('a', { href: endpoint ? `#/endpoints/${endpoint.id}` : '#/endpoints' }, 'Cancel'),
    ),
    message,
  );
  show(h('h1', {}, endpoint ? `Edit ${endpoint.name}` : 'New endpoint'), form);
  name.focus();
}
