// The endpoint page's payload filter panel (registered with registerEndpointPanel by the operator
// console and the portal): edit the filter as JSON, try it with Test (POST …/filter/test) on a
// pasted event or the newest one the endpoint subscribes to, see why it matched or not, and save
// it (PATCH …/endpoints/:id) where the session may write. Problems come back as the API's field
// errors, each shown at its place in the filter.
import { api, tenantPath } from '../lib/api.js';
import { appContext } from '../lib/app-context.js';
import { h, toast } from '../lib/dom.js';
import { field } from '../lib/forms.js';
import { pretty } from '../lib/format.js';

const OPERATORS = [
  ['"field": value', 'equal (a value: string, number, true/false, null)'],
  ['$eq, $ne', 'equal, not equal'],
  ['$gt, $gte, $lt, $lte', 'compare numbers with numbers, strings with strings'],
  ['$in, $nin', 'one of a list of values, none of them'],
  ['$exists', 'the field is there (true) or not (false)'],
  ['$and, $or', 'all of, any of a list of conditions'],
  ['$not', 'the condition does not hold'],
];

const EXAMPLES = [
  ['Large amounts', { 'data.amount': { $gt: 100 } }],
  [
    'Inserts and updates of EU customers',
    { operation: { $in: ['INSERT', 'UPDATE'] }, 'data.customer.country': { $in: ['DE', 'FR', 'NL'] } },
  ],
  ['Status changed', { $not: { 'data.status': { $exists: false } }, 'previous.status': { $ne: null } }],
  ['Either of two plans', { $or: [{ 'data.plan': 'pro' }, { 'data.plan': 'enterprise' }] }],
];

/** The text as JSON; { ok: false, message } when it is not (empty text is `undefined`). */
function readJson(text, what) {
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `${what} is not JSON: ${error.message}` };
  }
}

/** One problem per line: where in the filter (body.filter.data.amount.$gt → data.amount.$gt) and what. */
function problemList(error, prefix) {
  const fields = (error.errors ?? []).filter((item) => String(item.path).startsWith(prefix));
  if (!fields.length) return [h('li', {}, error.message)];
  return fields.map((item) => {
    const place = String(item.path).slice(prefix.length).replace(/^\./, '');
    return h('li', {}, place ? h('code', {}, place) : null, place ? ': ' : null, item.message);
  });
}

/** The API's explanation as a nested list: each condition, whether it held (in words, not only colour), and why. */
function explanationTree(node) {
  return h(
    'li',
    { class: node.matched ? 'held' : 'failed' },
    h('span', { class: 'verdict' }, node.matched ? '✓ holds' : '✗ fails'),
    ' ',
    h('code', {}, node.condition),
    node.clauses ? null : h('span', { class: 'hint' }, ` — ${node.reason}`),
    node.clauses?.length ? h('ul', {}, node.clauses.map(explanationTree)) : null,
  );
}

function verdict(result) {
  const delivered = result.matched && result.subscribed;
  const source =
    result.eventSource === 'given'
      ? 'the event you pasted'
      : `${result.eventSource === 'newest' ? 'the newest event it subscribes to' : 'event'} ${result.event.id} (${result.event.type})`;
  return [
    h(
      'p',
      { class: `filter-verdict ${result.matched ? 'matched' : 'not-matched'}`, id: 'payload-filter-verdict' },
      h('strong', {}, result.matched ? 'Matched' : 'Not matched'),
      ` — ${result.reason}`,
    ),
    h(
      'p',
      { class: 'hint', id: 'payload-filter-outcome' },
      `Tested on ${source}: `,
      delivered
        ? 'it would get a delivery.'
        : result.subscribed
          ? 'no delivery would be created.'
          : `no delivery: the endpoint does not subscribe to ${result.event.type}, whatever the filter says.`,
    ),
    result.explanation
      ? h('ul', { class: 'payload-filter-explanation', id: 'payload-filter-explanation' }, explanationTree(result.explanation))
      : null,
    h('details', { class: 'filter-event' }, h('summary', {}, 'The event as the filter saw it'), h('pre', {}, pretty(result.event))),
  ];
}

export function endpointFilterPanel({ endpoint }) {
  let stored = endpoint.filter ?? null;
  const status = h('p', { class: 'sub', id: 'payload-filter-status' });
  const showStatus = () => {
    status.textContent = stored
      ? 'Only events this filter matches get a delivery to this endpoint.'
      : 'No filter: every event of a subscribed type gets a delivery.';
  };
  showStatus();

  const editor = h(
    'textarea',
    {
      id: 'payload-filter-editor',
      rows: 8,
      spellcheck: false,
      placeholder: '{ "data.amount": { "$gt": 100 } }',
      'aria-describedby': 'payload-filter-problems',
    },
    stored ? pretty(stored) : '',
  );
  const sample = h('textarea', {
    id: 'payload-filter-sample',
    rows: 6,
    spellcheck: false,
    placeholder: '{ "type": "invoice.paid", "data": { "amount": 250 } }',
  });
  const problems = h('ul', { class: 'payload-filter-problems', id: 'payload-filter-problems', role: 'alert' });
  const result = h('div', { class: 'payload-filter-result', id: 'payload-filter-result', 'aria-live': 'polite' });
  const clear = () => {
    problems.replaceChildren();
    editor.removeAttribute('aria-invalid');
  };
  const complain = (items) => {
    problems.replaceChildren(...items);
    editor.setAttribute('aria-invalid', 'true');
  };

  const test = async () => {
    clear();
    result.replaceChildren();
    const filter = readJson(editor.value, 'The filter');
    const event = readJson(sample.value, 'The event');
    if (!filter.ok) return complain([h('li', {}, filter.message)]);
    if (!event.ok) return result.replaceChildren(h('p', { class: 'error-box', role: 'alert' }, event.message));
    const body = {};
    // An empty editor tries "no filter" (an empty filter passes every event), not the stored one:
    // what saving it would do.
    if (filter.value !== undefined) body.filter = filter.value;
    else if (stored) body.filter = {};
    if (event.value !== undefined) body.event = event.value;
    testButton.disabled = true;
    try {
      const answer = await api('POST', tenantPath(`/endpoints/${encodeURIComponent(endpoint.id)}/filter/test`), body);
      result.replaceChildren(...verdict(answer));
    } catch (error) {
      if ((error.errors ?? []).some((item) => String(item.path).startsWith('body.filter'))) complain(problemList(error, 'body.filter'));
      else result.replaceChildren(h('p', { class: 'error-box', role: 'alert' }, error.message));
    } finally {
      testButton.disabled = false;
    }
  };

  const save = async (filter) => {
    clear();
    saveButton.disabled = true;
    try {
      const saved = await api('PATCH', tenantPath(`/endpoints/${encodeURIComponent(endpoint.id)}`), { filter });
      stored = saved.filter ?? null;
      editor.value = stored ? pretty(stored) : '';
      showStatus();
      removeButton.hidden = !stored;
      toast(stored ? 'Filter saved' : 'Filter removed');
      appContext.notify('endpoint.updated', { endpointId: endpoint.id });
    } catch (error) {
      complain(problemList(error, 'body.filter'));
    } finally {
      saveButton.disabled = false;
    }
  };

  const testButton = h('button', { type: 'button', id: 'test-payload-filter', onclick: test }, 'Test');
  const saveButton = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      id: 'save-payload-filter',
      onclick: () => {
        const filter = readJson(editor.value, 'The filter');
        if (!filter.ok) return complain([h('li', {}, filter.message)]);
        return save(filter.value ?? null);
      },
    },
    'Save filter',
  );
  const removeButton = h(
    'button',
    { type: 'button', class: 'danger', id: 'remove-payload-filter', hidden: !stored, onclick: () => save(null) },
    'Remove filter',
  );
  // Ctrl+Enter (⌘+Enter) in either box runs Test.
  for (const box of [editor, sample]) {
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void test();
      }
    });
  }

  const reference = h(
    'details',
    { class: 'payload-filter-reference', id: 'payload-filter-reference' },
    h('summary', {}, 'Operators and examples'),
    h(
      'p',
      { class: 'hint' },
      'Keys are fields of the event envelope: id, type, timestamp, tenantId, resourceId, operation, triggeredBy, and dotted paths into data and previous (data.customer.id, data.lines.0.sku). Keys of one object must all hold. No conversions: 150 is not "150".',
    ),
    h(
      'table',
      { class: 'filter-operators' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Operator'), h('th', {}, 'Holds when'))),
      h(
        'tbody',
        {},
        OPERATORS.map(([operator, meaning]) => h('tr', {}, h('td', {}, h('code', {}, operator)), h('td', {}, meaning))),
      ),
    ),
    h(
      'ul',
      { class: 'filter-examples' },
      EXAMPLES.map(([label, example]) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'link-button',
              'aria-label': `Put the example "${label}" in the editor`,
              onclick: () => {
                editor.value = pretty(example);
                clear();
                editor.focus();
              },
            },
            label,
          ),
          h('code', {}, JSON.stringify(example)),
        ),
      ),
    ),
  );

  return h(
    'div',
    { class: 'panel filter-panel', id: 'endpoint-filter-panel' },
    h('h2', {}, 'Payload filter'),
    status,
    field('Filter', editor, 'JSON; empty for none'),
    problems,
    field('Event to test', sample, 'a publish body ({ "type", "data", … }); empty: the newest event this endpoint subscribes to'),
    h(
      'p',
      { class: 'row' },
      testButton,
      appContext.canWrite
        ? [saveButton, removeButton]
        : h('span', { class: 'hint', id: 'payload-filter-read-only' }, 'Read-only: filters can be tried here, not saved.'),
      h('span', { class: 'hint' }, 'Ctrl+Enter tests'),
    ),
    result,
    reference,
  );
}
