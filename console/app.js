// hookrelay console: a small single-page app over the public /v1 API. The API key lives in
// sessionStorage (gone when the tab closes) and goes out as a Bearer token; every screen is
// built with DOM calls (no innerHTML), so nothing from the API is ever parsed as markup.

const KEY = 'hookrelay.key';
const TENANT = 'hookrelay.tenant';
const ROLE = 'hookrelay.role';
/** SPEC §5's default schedule, written out when the console adds repeats to it. */
const DEFAULT_RETRY_POLICY = { strategy: 'schedule', delaysSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000], jitter: 0.2 };
const main = document.getElementById('main');
const nav = document.getElementById('nav');
let consoleConfig = { temporalUiUrl: null, namespace: 'default' };
let renderToken = 0;

// ---------- small helpers ----------

/** h('div', { class: 'x', onclick }, child, 'text', [more]) → an element. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function show(...nodes) {
  main.replaceChildren(...nodes);
}

function toast(message, bad = false) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = bad ? 'bad' : '';
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 3500);
}

function formatDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

function statusBadge(status) {
  return h('span', { class: `badge ${status}` }, status);
}

/** The endpoint's circuit: healthy, or backing-off / open with since, why and the next probe. */
function healthInfo(health) {
  if (!health || health.state === 'healthy') return [statusBadge('healthy')];
  return [
    statusBadge(health.state),
    h(
      'div',
      { class: 'hint', dataset: { health: health.state } },
      `${health.reason ?? ''} (since ${formatDate(health.since)}; next probe ${formatDate(health.nextProbeAt)})`,
    ),
  ];
}

function codeBadge(code, errorKind) {
  if (code === null || code === undefined) return errorKind ? h('span', { class: 'badge error' }, errorKind) : '—';
  return h('span', { class: `badge s${String(code)[0]}` }, String(code));
}

// What the attempt log knows about a response body: its length, whether only its start is
// stored, and whether it is shown as text or (binary, compressed, invalid UTF-8) as base64.
function responseBodyInfo(response) {
  const length = response.bodyLength === null ? 'length unknown' : `${response.bodyLength.toLocaleString('en')} bytes`;
  const parts = [length];
  if (response.bodyTruncated) parts.push('truncated: the first 64 KiB are stored');
  if (response.bodyEncoding === 'base64') parts.push('not text: shown as base64');
  return `Body: ${parts.join(' · ')}`;
}

function loading(text = 'Loading…') {
  return h('p', { class: 'loading' }, text);
}

function errorBox(error) {
  return h('div', { class: 'error-box', role: 'alert' }, h('strong', {}, 'Something went wrong. '), error.message);
}

function pretty(value) {
  return JSON.stringify(value, null, 2);
}

// ---------- API ----------

class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem?.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
    super([problem?.detail ?? problem?.title ?? `HTTP ${status}`, fields].filter(Boolean).join(' — '));
    this.status = status;
  }
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${sessionStorage.getItem(KEY) ?? ''}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401) {
      signOut('Your API key was not accepted. Sign in again.');
    }
    throw new ApiError(response.status, payload);
  }
  return payload;
}

const tenantId = () => sessionStorage.getItem(TENANT);
const tenantPath = (rest = '') => `/v1/tenants/${encodeURIComponent(tenantId())}${rest}`;

function signOut(message) {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(TENANT);
  sessionStorage.removeItem(ROLE);
  location.hash = '#/login';
  if (message) setTimeout(() => toast(message, true), 0);
}

// ---------- navigation ----------

function renderNav() {
  const signedIn = sessionStorage.getItem(KEY);
  const items = [];
  if (signedIn && tenantId()) items.push(h('a', { href: '#/endpoints' }, 'Endpoints'));
  if (signedIn && sessionStorage.getItem(ROLE) === 'admin') items.push(h('a', { href: '#/tenants' }, 'Tenants'));
  items.push(h('span', { class: 'spacer' }));
  if (signedIn && tenantId()) items.push(h('span', { class: 'mono', title: 'Current tenant' }, tenantId()));
  if (signedIn) items.push(h('button', { type: 'button', onclick: () => signOut() }, 'Sign out'));
  nav.replaceChildren(...items);
}

const routes = [
  // Each screen gets the path's captures, then the render token (a newer render makes it stale).
  [/^#\/login$/, loginScreen],
  [/^#\/tenants$/, tenantsScreen],
  [/^#\/endpoints$/, endpointsScreen],
  [/^#\/endpoints\/new$/, (token) => endpointFormScreen(null, token)],
  [/^#\/endpoints\/(\w+)\/edit$/, endpointFormScreen],
  [/^#\/endpoints\/(\w+)$/, endpointScreen],
  [/^#\/deliveries\/(\w+)$/, deliveryScreen],
];

async function route() {
  const token = ++renderToken;
  renderNav();
  let hash = location.hash || '#/';
  if (!sessionStorage.getItem(KEY) && hash !== '#/login') hash = '#/login';
  else if (sessionStorage.getItem(KEY) && !tenantId() && hash !== '#/tenants' && hash !== '#/login') hash = '#/tenants';
  else if (hash === '#/' || hash === '#') hash = '#/endpoints';
  if (hash !== location.hash) {
    history.replaceState(null, '', hash);
  }
  for (const [pattern, screen] of routes) {
    const match = pattern.exec(hash);
    if (match) {
      show(loading());
      try {
        await screen(...match.slice(1), token);
      } catch (error) {
        if (token === renderToken) show(errorBox(error));
      }
      return;
    }
  }
  show(h('div', { class: 'empty' }, 'No such page. ', h('a', { href: '#/endpoints' }, 'Back to endpoints')));
}

// ---------- screens ----------

function loginScreen() {
  const keyInput = h('input', {
    type: 'password',
    id: 'api-key',
    name: 'api-key',
    autocomplete: 'off',
    required: true,
    placeholder: 'hr_…',
  });
  const tenantInput = h('input', { type: 'text', id: 'tenant-id', name: 'tenant-id', placeholder: 'ten_… (tenant keys only)' });
  const message = h('p', { class: 'hint' });
  const form = h(
    'form',
    {
      class: 'panel login',
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = 'Checking the key…';
        sessionStorage.setItem(KEY, keyInput.value.trim());
        try {
          // The admin key may list tenants; a tenant key gets 403 there and names its tenant.
          const response = await fetch('/v1/tenants?limit=1', { headers: { authorization: `Bearer ${keyInput.value.trim()}` } });
          if (response.status === 401) throw new Error('This API key is not valid.');
          if (response.ok) {
            sessionStorage.setItem(ROLE, 'admin');
            if (tenantInput.value.trim()) sessionStorage.setItem(TENANT, tenantInput.value.trim());
            location.hash = tenantInput.value.trim() ? '#/endpoints' : '#/tenants';
            return;
          }
          const id = tenantInput.value.trim();
          if (!id) throw new Error('A tenant key needs its tenant id (ten_…).');
          sessionStorage.setItem(ROLE, 'tenant');
          sessionStorage.setItem(TENANT, id);
          await api('GET', tenantPath());
          location.hash = '#/endpoints';
        } catch (error) {
          sessionStorage.removeItem(KEY);
          sessionStorage.removeItem(TENANT);
          message.textContent = error.message;
          message.className = 'error-box';
        }
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'sub' }, 'Use the admin key or a tenant API key. It stays in this tab only.'),
    h('div', { class: 'field' }, h('label', { for: 'api-key' }, 'API key'), keyInput),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'tenant-id' }, 'Tenant ', h('span', { class: 'hint' }, '(required for a tenant key; the admin picks one next)')),
      tenantInput,
    ),
    h('p', {}, h('button', { class: 'primary', type: 'submit', id: 'sign-in' }, 'Sign in')),
    message,
  );
  show(form);
  keyInput.focus();
}

async function tenantsScreen(token) {
  if (sessionStorage.getItem(ROLE) !== 'admin') {
    location.hash = '#/endpoints';
    return;
  }
  const page = await api('GET', '/v1/tenants?limit=100');
  if (token !== renderToken) return;
  const body = page.data.length
    ? h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Tenant'), h('th', {}, 'Id'), h('th', {}, 'Created'))),
        h(
          'tbody',
          {},
          page.data.map((tenant) =>
            h(
              'tr',
              {
                class: 'clickable',
                dataset: { tenant: tenant.id },
                onclick: () => {
                  sessionStorage.setItem(TENANT, tenant.id);
                  location.hash = '#/endpoints';
                },
              },
              h('td', {}, h('strong', {}, tenant.name)),
              h('td', { class: 'mono' }, tenant.id),
              h('td', {}, formatDate(tenant.createdAt)),
            ),
          ),
        ),
      )
    : h('div', { class: 'empty' }, 'No tenants yet. Create one with POST /v1/tenants.');
  show(h('h1', {}, 'Choose a tenant'), h('p', { class: 'sub' }, 'The admin key sees every tenant; pick the one to work on.'), body);
}

async function endpointsScreen(token) {
  const page = await api('GET', tenantPath('/endpoints?limit=250'));
  if (token !== renderToken) return;
  const header = h(
    'div',
    { class: 'row between' },
    h('div', {}, h('h1', {}, 'Endpoints'), h('p', { class: 'sub' }, 'Where this tenant’s webhooks go.')),
    h('a', { class: 'button primary', href: '#/endpoints/new', id: 'new-endpoint' }, 'New endpoint'),
  );
  if (!page.data.length) {
    show(header, h('div', { class: 'empty' }, 'No endpoints yet. ', h('a', { href: '#/endpoints/new' }, 'Add the first one'), '.'));
    return;
  }
  const rows = page.data.map((endpoint) => {
    const toggle = enabledToggle(endpoint, () => route());
    return h(
      'tr',
      { dataset: { endpoint: endpoint.id } },
      h('td', {}, toggle),
      h(
        'td',
        {},
        h('a', { href: `#/endpoints/${endpoint.id}` }, h('strong', {}, endpoint.name)),
        h('div', { class: 'hint' }, endpoint.description),
      ),
      h('td', { class: 'mono' }, endpoint.url),
      h('td', {}, endpoint.eventTypes.join(', ')),
      h(
        'td',
        {},
        statusBadge(endpoint.enabled ? 'enabled' : 'disabled'),
        endpoint.disabledReason ? h('div', { class: 'hint' }, endpoint.disabledReason) : null,
      ),
      h('td', { class: 'health' }, ...healthInfo(endpoint.health)),
    );
  });
  show(
    header,
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Enabled', 'Name', 'URL', 'Event types', 'Status', 'Health'].map((t) => h('th', {}, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

function enabledToggle(endpoint, after) {
  const input = h('input', {
    type: 'checkbox',
    checked: endpoint.enabled,
    'aria-label': `${endpoint.enabled ? 'Disable' : 'Enable'} ${endpoint.name}`,
    class: 'enabled-toggle',
    onchange: async () => {
      input.disabled = true;
      try {
        await api(
          'POST',
          tenantPath(`/endpoints/${endpoint.id}/${input.checked ? 'enable' : 'disable'}`),
          input.checked ? undefined : { reason: 'disabled from the console' },
        );
        toast(`${endpoint.name} ${input.checked ? 'enabled' : 'disabled'}`);
        await after();
      } catch (error) {
        input.checked = !input.checked;
        input.disabled = false;
        toast(error.message, true);
      }
    },
  });
  return h('label', { class: 'switch' }, input, h('span'));
}

// ----- create / edit -----

async function endpointFormScreen(id, token) {
  const [catalog, endpoint] = await Promise.all([api('GET', '/v1/event-types'), id ? api('GET', tenantPath(`/endpoints/${id}`)) : null]);
  if (token !== renderToken) return;
  const field = (label, input, hint) =>
    h('div', { class: 'field' }, h('label', { for: input.id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null), input);
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

  // Event types from the catalog, grouped; "*" subscribes to everything.
  const selected = new Set(endpoint?.eventTypes ?? []);
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

  const parseJson = (text, what) => {
    if (!text.trim()) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${what} must be JSON`);
    }
  };

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
          const body = { name: name.value.trim(), url: url.value.trim(), description: description.value.trim(), eventTypes };
          const type = authType.value;
          const secretGiven = authB.value !== '';
          const authUnchanged =
            endpoint &&
            endpoint.auth.type === type &&
            !secretGiven &&
            (type === 'none' || authA.value === (endpoint.auth.username ?? endpoint.auth.name ?? ''));
          if (!authUnchanged) {
            if (type === 'none') body.auth = { type: 'none' };
            else if (type === 'basic') body.auth = { type, username: authA.value, password: authB.value };
            else if (type === 'bearer') body.auth = { type, token: authB.value };
            else body.auth = { type, name: authA.value, value: authB.value };
          }
          const customHeaders = parseJson(headers.value, 'Custom headers');
          if (customHeaders !== undefined || endpoint) body.headers = customHeaders ?? {};
          let retryPolicy = parseJson(retry.value, 'Retry policy');
          const repeats = repeatCount.value.trim();
          const pause = repeatAfter.value.trim();
          if (repeats !== '' || pause !== '') {
            // Repeats of the default schedule spell it out: the API repeats only a policy it is given.
            retryPolicy = { ...(retryPolicy ?? DEFAULT_RETRY_POLICY) };
            delete retryPolicy.repeatCount;
            delete retryPolicy.repeatAfterSeconds;
            // As typed: the API answers out-of-bounds values with field errors.
            if (repeats !== '') retryPolicy.repeatCount = Number(repeats);
            if (pause !== '') retryPolicy.repeatAfterSeconds = Number(pause);
          }
          if (retryPolicy !== undefined) body.retryPolicy = retryPolicy;
          else if (endpoint?.retryPolicy) body.retryPolicy = null;
          if (timeout.value.trim()) body.timeoutMs = Number(timeout.value.trim());
          else if (endpoint?.timeoutMs) body.timeoutMs = null;
          if (rateLimit.value.trim()) body.rateLimitPerSecond = Number(rateLimit.value.trim());
          else if (endpoint?.rateLimitPerSecond) body.rateLimitPerSecond = null;
          if (maxConcurrent.value.trim()) body.maxConcurrentRequests = Number(maxConcurrent.value.trim());
          else if (endpoint?.maxConcurrentRequests) body.maxConcurrentRequests = null;
          if (healthCheckUrl.value.trim()) body.healthCheckUrl = healthCheckUrl.value.trim();
          else if (endpoint?.healthCheckUrl) body.healthCheckUrl = null;
          if (ordering.value !== orderingChoice) {
            body.ordering =
              ordering.value === 'none' ? null : { mode: 'fifo', key: ordering.value === 'fifo-resource' ? 'resourceId' : null };
          }
          let saved;
          if (endpoint) saved = await api('PATCH', tenantPath(`/endpoints/${endpoint.id}`), body);
          else saved = await api('POST', tenantPath('/endpoints'), { ...body, enabled: enabled.checked });
          toast(endpoint ? 'Endpoint saved' : 'Endpoint created');
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
    h('div', { class: 'group' }, h('label', {}, all, h('strong', {}, 'All event types (*)'))),
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
}

// ----- endpoint detail + log -----

async function endpointScreen(id, token) {
  const [endpoint, catalog] = await Promise.all([api('GET', tenantPath(`/endpoints/${id}`)), api('GET', '/v1/event-types')]);
  if (token !== renderToken) return;
  const secretBox = h('div', { id: 'secret' }, h('span', { class: 'hint' }, 'Hidden'));
  const revealSecret = async () => {
    const secrets = await api('GET', tenantPath(`/endpoints/${id}/secret`));
    secretBox.replaceChildren(
      h('span', { class: 'secret', id: 'secret-value' }, secrets.secret),
      ...secrets.previousSecrets.map((previous) =>
        h(
          'div',
          { class: 'hint' },
          'Previous secret, still signing until ',
          formatDate(previous.expiresAt),
          ': ',
          h('span', { class: 'secret' }, previous.secret),
        ),
      ),
    );
  };
  const actions = h(
    'div',
    { class: 'row' },
    enabledToggle(endpoint, () => route()),
    h('span', {}, endpoint.enabled ? 'Enabled' : 'Disabled'),
    h('a', { class: 'button', href: `#/endpoints/${id}/edit`, id: 'edit-endpoint' }, 'Edit'),
    h(
      'button',
      {
        type: 'button',
        id: 'send-test',
        onclick: async (event) => {
          event.target.disabled = true;
          try {
            await api('POST', tenantPath(`/endpoints/${id}/test`));
            toast('Test event sent');
            setTimeout(() => void refreshLog(), 800);
          } catch (error) {
            toast(error.message, true);
          } finally {
            event.target.disabled = false;
          }
        },
      },
      'Send test event',
    ),
  );
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Id'),
    h('dd', { class: 'mono' }, endpoint.id),
    h('dt', {}, 'URL'),
    h('dd', { class: 'mono' }, endpoint.url),
    h('dt', {}, 'Status'),
    h('dd', {}, statusBadge(endpoint.enabled ? 'enabled' : 'disabled'), endpoint.disabledReason ? ` ${endpoint.disabledReason}` : ''),
    h('dt', {}, 'Health'),
    h('dd', { id: 'endpoint-health' }, ...healthInfo(endpoint.health)),
    h('dt', {}, 'Health check URL'),
    h('dd', { class: 'mono' }, endpoint.healthCheckUrl ?? 'none: probes are real deliveries'),
    h('dt', {}, 'Event types'),
    h('dd', {}, endpoint.eventTypes.join(', ')),
    h('dt', {}, 'Authentication'),
    h('dd', {}, endpoint.auth.type),
    h('dt', {}, 'Retry policy'),
    h('dd', { class: 'mono' }, endpoint.retryPolicy ? JSON.stringify(endpoint.retryPolicy) : 'default schedule'),
    endpoint.retryPolicy?.repeatCount ? h('dt', {}, 'Repeats') : null,
    endpoint.retryPolicy?.repeatCount
      ? h(
          'dd',
          { id: 'retry-repeats' },
          `the sequence runs ${endpoint.retryPolicy.repeatCount + 1} times, ${endpoint.retryPolicy.repeatAfterSeconds} s apart; the delivery gives up after the last run`,
        )
      : null,
    h('dt', {}, 'Limits'),
    h(
      'dd',
      { id: 'endpoint-limits' },
      [
        endpoint.rateLimitPerSecond ? `${endpoint.rateLimitPerSecond} POSTs/s` : 'no rate limit',
        endpoint.maxConcurrentRequests ? `${endpoint.maxConcurrentRequests} in flight at most` : 'no concurrency limit',
      ].join(', '),
    ),
    h('dt', {}, 'Ordering'),
    h(
      'dd',
      { id: 'endpoint-ordering' },
      endpoint.ordering ? (endpoint.ordering.key === 'resourceId' ? 'FIFO per resource id' : 'FIFO (whole endpoint)') : 'unordered',
    ),
    h('dt', {}, 'Signing secret'),
    h(
      'dd',
      {},
      secretBox,
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', id: 'reveal-secret', onclick: () => revealSecret().catch((e) => toast(e.message, true)) }, 'Reveal'),
        h(
          'button',
          {
            type: 'button',
            id: 'rotate-secret',
            class: 'danger',
            onclick: async () => {
              if (!confirm('Rotate the signing secret? The current one keeps signing for 24 hours.')) return;
              try {
                await api('POST', tenantPath(`/endpoints/${id}/secret/rotate`));
                toast('Secret rotated');
                await revealSecret();
              } catch (error) {
                toast(error.message, true);
              }
            },
          },
          'Rotate',
        ),
      ),
    ),
  );

  // The log: filters map one to one onto GET /deliveries query parameters.
  const status = h(
    'select',
    { id: 'filter-status' },
    h('option', { value: '' }, 'Any status'),
    ['pending', 'retrying', 'waiting', 'succeeded', 'failed', 'cancelled'].map((s) => h('option', { value: s }, s)),
  );
  const eventType = h(
    'select',
    { id: 'filter-event-type' },
    h('option', { value: '' }, 'Any event type'),
    catalog.data.map((t) => h('option', { value: t.name }, t.name)),
    h('option', { value: 'webhook.test' }, 'webhook.test'),
  );
  const since = h('input', { type: 'datetime-local', id: 'filter-since' });
  const until = h('input', { type: 'datetime-local', id: 'filter-until' });
  const resource = h('input', { type: 'search', id: 'filter-resource', placeholder: 'Resource id, e.g. inv_123' });
  const logBox = h('div', { id: 'log' }, loading());
  let cursor = null;
  const query = () => {
    const params = new URLSearchParams({ endpointId: id, limit: '25' });
    if (status.value) params.set('status', status.value);
    if (eventType.value) params.set('eventType', eventType.value);
    if (resource.value.trim()) params.set('resourceId', resource.value.trim());
    if (since.value) params.set('since', new Date(since.value).toISOString());
    if (until.value) params.set('until', new Date(until.value).toISOString());
    return params;
  };
  const refreshLog = async (append = false) => {
    if (!append) {
      cursor = null;
      logBox.replaceChildren(loading());
    }
    try {
      const params = query();
      if (append && cursor) params.set('cursor', cursor);
      const page = await api('GET', tenantPath(`/deliveries?${params}`));
      cursor = page.nextCursor;
      const rows = page.data.map((d) =>
        h(
          'tr',
          { class: 'clickable', dataset: { delivery: d.id }, onclick: () => (location.hash = `#/deliveries/${d.id}`) },
          h('td', { class: 'mono' }, d.id),
          h('td', {}, formatDate(d.createdAt)),
          h('td', {}, d.eventType),
          h('td', { class: 'mono' }, endpoint.url),
          h('td', {}, statusBadge(d.status)),
          h('td', {}, codeBadge(d.lastResponseStatus)),
          h('td', {}, d.resourceId ?? ''),
        ),
      );
      const existing = append ? logBox.querySelector('tbody') : null;
      if (existing) existing.append(...rows);
      else if (!rows.length)
        logBox.replaceChildren(h('div', { class: 'empty' }, 'No deliveries match. Publish an event or send a test event.'));
      else
        logBox.replaceChildren(
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Delivery', 'Date', 'Event type', 'URL', 'Status', 'Response', 'Resource'].map((t) => h('th', {}, t)),
              ),
            ),
            h('tbody', {}, rows),
          ),
        );
      logBox.querySelector('.pager')?.remove();
      if (cursor)
        logBox.append(h('p', { class: 'pager' }, h('button', { type: 'button', onclick: () => void refreshLog(true) }, 'Load more')));
    } catch (error) {
      logBox.replaceChildren(errorBox(error));
    }
  };
  const filters = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        void refreshLog();
      },
    },
    ...[
      ['Status', status],
      ['Event type', eventType],
      ['From', since],
      ['To', until],
      ['Search', resource],
    ].map(([label, input]) => h('div', {}, h('label', { for: input.id }, label), input)),
    h('button', { class: 'primary', type: 'submit', id: 'apply-filters' }, 'Apply'),
    h('button', { type: 'button', id: 'refresh-log', onclick: () => void refreshLog() }, 'Refresh'),
  );
  show(
    h('p', {}, h('a', { href: '#/endpoints' }, '← Endpoints')),
    h(
      'div',
      { class: 'row between' },
      h('div', {}, h('h1', {}, endpoint.name), h('p', { class: 'sub' }, endpoint.description || endpoint.url)),
      actions,
    ),
    h('div', { class: 'panel' }, facts),
    h('h2', {}, 'Delivery log'),
    filters,
    logBox,
  );
  await refreshLog();
}

// ----- delivery detail -----

async function deliveryScreen(id, token) {
  const delivery = await api('GET', tenantPath(`/deliveries/${id}`));
  const [event, endpoint] = await Promise.all([
    api('GET', tenantPath(`/events/${delivery.eventId}`)),
    api('GET', tenantPath(`/endpoints/${delivery.endpointId}`)).catch(() => null),
  ]);
  if (token !== renderToken) return;
  const open = ['pending', 'retrying', 'waiting'].includes(delivery.status);
  const temporalLink = consoleConfig.temporalUiUrl
    ? h(
        'a',
        {
          id: 'temporal-link',
          target: '_blank',
          rel: 'noopener',
          href: `${consoleConfig.temporalUiUrl}/namespaces/${encodeURIComponent(consoleConfig.namespace)}/workflows/${encodeURIComponent(delivery.workflowId)}`,
        },
        'Open workflow in Temporal UI ↗',
      )
    : h('span', { class: 'hint' }, 'Temporal UI address not configured (TEMPORAL_UI_URL)');
  const act = (label, idAttr, path, enabled, done) =>
    h(
      'button',
      {
        type: 'button',
        id: idAttr,
        disabled: !enabled,
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            const result = await api('POST', tenantPath(path));
            toast(done(result));
            setTimeout(() => {
              location.hash = result?.mode === 'new' ? `#/deliveries/${result.deliveryId}` : location.hash;
              void route();
            }, 900);
          } catch (error) {
            toast(error.message, true);
            e.target.disabled = false;
          }
        },
      },
      label,
    );
  const attempts = delivery.attempts.length
    ? delivery.attempts.map((attempt, index) =>
        h(
          'details',
          { class: 'attempt', open: index === delivery.attempts.length - 1, dataset: { attempt: attempt.number } },
          h(
            'summary',
            {},
            h('strong', {}, `Attempt ${attempt.number}`),
            codeBadge(attempt.response?.status, attempt.error?.kind),
            h('span', {}, formatDate(attempt.startedAt)),
            h('span', { class: 'hint' }, `${attempt.durationMs} ms · ${attempt.trigger}`),
          ),
          h(
            'div',
            {},
            attempt.error ? h('p', { class: 'error-box' }, `${attempt.error.kind}: ${attempt.error.message}`) : null,
            h('h2', {}, 'Request'),
            h(
              'pre',
              {},
              `POST ${attempt.request.url}\n`,
              Object.entries(attempt.request.headers).map(([k, v]) => `${k}: ${v}\n`),
            ),
            attempt.response
              ? [
                  h('h2', {}, `Response ${attempt.response.status}`),
                  h(
                    'pre',
                    { class: 'response-headers' },
                    Object.entries(attempt.response.headers).map(([k, v]) => `${k}: ${v}\n`),
                  ),
                  h('p', { class: 'hint response-body-info' }, responseBodyInfo(attempt.response)),
                  h('pre', { class: 'response-body' }, attempt.response.body || '(empty body)'),
                ]
              : null,
          ),
        ),
      )
    : h('div', { class: 'empty' }, open ? 'No attempt yet: the first one is on its way.' : 'No attempts were made.');
  show(
    h('p', {}, h('a', { href: `#/endpoints/${delivery.endpointId}` }, `← ${endpoint?.name ?? 'Endpoint'}`)),
    h(
      'div',
      { class: 'row between' },
      h(
        'div',
        {},
        h('h1', { class: 'mono' }, delivery.id),
        h('p', { class: 'sub' }, `${delivery.eventType} → ${endpoint?.url ?? delivery.endpointId}`),
      ),
      h(
        'div',
        { class: 'row' },
        act('Resend', 'resend', `/deliveries/${id}/resend`, true, (r) =>
          r.mode === 'new' ? 'Resent as a new delivery' : 'Attempting now',
        ),
        act('Cancel', 'cancel', `/deliveries/${id}/cancel`, open, () => 'Cancelling…'),
      ),
    ),
    h(
      'div',
      { class: 'panel' },
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Status'),
        h('dd', { id: 'delivery-status' }, statusBadge(delivery.status), delivery.statusReason ? ` ${delivery.statusReason}` : ''),
        ...(delivery.waitReason
          ? [
              h('dt', {}, 'Waiting for'),
              h(
                'dd',
                { id: 'delivery-wait-reason' },
                h('span', { class: 'mono' }, delivery.waitReason),
                ' (no attempt is spent while it waits)',
              ),
            ]
          : []),
        h('dt', {}, 'Attempts'),
        h('dd', {}, String(delivery.attemptCount)),
        ...(delivery.orderingPosition !== null && delivery.orderingPosition !== undefined
          ? [h('dt', {}, 'Place in line'), h('dd', { id: 'delivery-ordering-position', class: 'mono' }, delivery.orderingPosition)]
          : []),
        h('dt', {}, 'Next attempt'),
        h('dd', {}, formatDate(delivery.nextAttemptAt)),
        h('dt', {}, 'Created'),
        h('dd', {}, formatDate(delivery.createdAt)),
        h('dt', {}, 'Event'),
        h('dd', { class: 'mono' }, delivery.eventId),
        h('dt', {}, 'Resent from'),
        h('dd', {}, delivery.retryOfId ? h('a', { href: `#/deliveries/${delivery.retryOfId}`, class: 'mono' }, delivery.retryOfId) : '—'),
        h('dt', {}, 'Workflow'),
        h('dd', {}, h('span', { class: 'mono' }, delivery.workflowId), ' ', temporalLink),
      ),
    ),
    h('h2', {}, 'Payload'),
    h(
      'pre',
      { id: 'payload' },
      pretty({ type: event.type, resourceId: event.resourceId, operation: event.operation, data: event.data, previous: event.previous }),
    ),
    h('h2', {}, `Attempts (${delivery.attempts.length})`),
    h('div', { id: 'attempts' }, attempts),
  );
}

// ---------- start ----------

window.addEventListener('hashchange', () => void route());
fetch('/console/config.json')
  .then((response) => (response.ok ? response.json() : consoleConfig))
  .then((config) => (consoleConfig = config))
  .catch(() => undefined)
  .finally(() => void route());
