// Trunks, trunk groups and routes: a table of each and a form to add or
// edit one. The gateway validates every change against the whole plan and
// names the field at fault, which the form marks.
import { api, element, showBanner } from './api.js';

const TON = ['unknown', 'international', 'national', 'network-specific', 'subscriber', 'abbreviated'];
const NPI = ['unknown', 'isdn', 'data', 'telex', 'national', 'private'];
const optional = (values) => ['', ...values];

const SCHEMAS = {
  trunks: {
    title: 'Trunks', noun: 'trunk', key: 'name',
    columns: ['name', 'backend', 'spans', 'switchtype', 'side', 'law', 'channels'],
    template: {
      name: '', backend: 'loopback', spans: [], switchtype: 'euroisdn_e1', side: 'cpe', law: 'alaw',
      channels: '', called_ton: 'unknown', calling_ton: 'unknown', calling_npi: 'unknown',
      sip_peers: [], private_context: '', public_context: '',
    },
    fields: [
      { key: 'name', label: 'Name' },
      { key: 'backend', label: 'Backend', type: 'select', options: ['loopback', 'dahdi'],
        hint: 'loopback: a span wired to the built-in simulated PSTN; dahdi: a span of the card' },
      { key: 'spans', label: 'Spans', type: 'list',
        hint: 'comma-separated: span names (loopback) or DAHDI span numbers' },
      { key: 'switchtype', label: 'Switch type', type: 'select',
        options: ['euroisdn_e1', 'euroisdn_t1', 'qsig', 'national', 'ni1', 'dms100', '5ess', '4ess'] },
      { key: 'side', label: 'Side', type: 'select', options: ['cpe', 'net'],
        hint: 'cpe: the telco is the network side' },
      { key: 'law', label: 'Law', type: 'select', options: ['alaw', 'ulaw'] },
      { key: 'channels', label: 'B-channels in service', hint: 'e.g. 1-15,17-31; empty: all' },
      { key: 'called_ton', label: 'Called TON default', type: 'select', options: TON },
      { key: 'calling_ton', label: 'Calling TON default', type: 'select', options: TON },
      { key: 'calling_npi', label: 'Calling NPI default', type: 'select', options: NPI },
      { key: 'sip_peers', label: 'SIP peers for calls from the PSTN', type: 'list',
        hint: 'host, host:port or sips:host:port (TLS), tried in order' },
      { key: 'private_context', label: 'Private phone-context', hint: 'e.g. p1234' },
      { key: 'public_context', label: 'Public phone-context', hint: 'e.g. +1212' },
    ],
  },
  trunk_groups: {
    title: 'Trunk groups', noun: 'trunk group', key: 'name',
    columns: ['name', 'trunks', 'hunting', 'channel_limit'],
    template: { name: '', trunks: [], hunting: 'ascending', channel_limit: 0 },
    fields: [
      { key: 'name', label: 'Name' },
      { key: 'trunks', label: 'Trunks', type: 'list', hint: 'comma-separated, in hunting order' },
      { key: 'hunting', label: 'Hunting', type: 'select',
        options: ['ascending', 'descending', 'round-robin', 'least-recent'] },
      { key: 'channel_limit', label: 'Channel limit', type: 'number', hint: '0: no limit' },
    ],
  },
  routes: {
    title: 'Routes', noun: 'route', key: 'name',
    columns: ['name', 'match.phone_context', 'match.number_prefix', 'trunk_groups', 'sip_peers',
      'called.strip', 'called.prepend'],
    template: {
      name: '',
      match: { phone_context: '', number_prefix: '', number_length: null, number_regex: '',
        caller_prefix: '', source: '', priority: 0 },
      trunk_groups: [], sip_peers: [], failover_causes: [34, 38, 41, 42, 44],
      called: { strip: 0, prepend: '', replace: '', with: '', ton: null, npi: null },
      calling: { strip: 0, prepend: '', replace: '', with: '', ton: null, npi: null },
      presentation: 'from-sip',
    },
    fields: [
      { key: 'name', label: 'Name' },
      { key: 'match.phone_context', label: 'Phone-context', hint: 'p1234, +1 (local numbers), + (global); empty: any' },
      { key: 'match.number_prefix', label: 'Number prefix' },
      { key: 'match.number_length', label: 'Number length', type: 'optional-number' },
      { key: 'match.number_regex', label: 'Number regex' },
      { key: 'match.caller_prefix', label: 'Caller prefix' },
      { key: 'match.source', label: 'Source', hint: 'sip:ADDRESS or span:NAME; empty: any' },
      { key: 'match.account', label: 'Account', hint: 'only calls authenticated as this account; empty: any' },
      { key: 'match.priority', label: 'Priority', type: 'number' },
      { key: 'trunk_groups', label: 'Trunk groups (to the PSTN)', type: 'list' },
      { key: 'sip_peers', label: 'SIP peers (from the PSTN)', type: 'list' },
      { key: 'failover_causes', label: 'Fail-over causes', type: 'numbers' },
      { key: 'called.strip', label: 'Called: strip digits', type: 'number' },
      { key: 'called.prepend', label: 'Called: prepend' },
      { key: 'called.replace', label: 'Called: replace (regex)' },
      { key: 'called.with', label: 'Called: with' },
      { key: 'called.ton', label: 'Called TON', type: 'select', options: optional(TON) },
      { key: 'called.npi', label: 'Called NPI', type: 'select', options: optional(NPI) },
      { key: 'calling.strip', label: 'Calling: strip digits', type: 'number' },
      { key: 'calling.prepend', label: 'Calling: prepend' },
      { key: 'calling.ton', label: 'Calling TON', type: 'select', options: optional(TON) },
      { key: 'calling.npi', label: 'Calling NPI', type: 'select', options: optional(NPI) },
      { key: 'presentation', label: 'Presentation', type: 'select',
        options: ['from-sip', 'allowed', 'restricted'] },
    ],
  },
};

// Accounts are stored as digests: a password typed here is sent once, hashed
// by the gateway at once, and never shown again.
SCHEMAS.accounts = {
  title: 'Accounts', noun: 'account', key: 'name',
  columns: ['name', 'realm'],
  template: { name: '' },
  fields: [
    { key: 'name', label: 'User name', hint: 'what the PBX puts in its Authorization header' },
    { key: 'password', label: 'Password', type: 'password',
      hint: 'stored only as digests (MD5, SHA-256); empty when editing: unchanged' },
  ],
};

const get = (object, path) => path.split('.').reduce((value, key) => value?.[key], object);
function set(object, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  keys.reduce((value, key) => (value[key] ??= {}), object)[last] = value;
}

function shown(value) {
  if (Array.isArray(value)) return value.join(', ');
  if (value === null || value === undefined) return '';
  return String(value);
}

function input(field, value) {
  const id = `field-${field.key.replace(/\./g, '-')}`;
  let control;
  if (field.type === 'select') {
    control = element('select', { id, name: field.key },
      field.options.map((option) => element('option', { value: option, selected: option === (value ?? '') },
        option === '' ? '(from the number)' : option)));
  } else if (field.type === 'password') {
    control = element('input', { id, name: field.key, type: 'password', autocomplete: 'new-password', size: 28 });
  } else {
    control = element('input', { id, name: field.key, value: shown(value), size: 28 });
  }
  return element('label', { for: id, 'data-field': field.key }, field.label, control,
    field.hint ? element('small', {}, field.hint) : null);
}

function read(field, form) {
  const text = form.elements[field.key].value.trim();
  switch (field.type) {
    case 'list': return text ? text.split(',').map((item) => item.trim()).filter(Boolean) : [];
    case 'numbers': return text ? text.split(',').map((item) => Number(item.trim())) : [];
    case 'number': return text === '' ? 0 : Number(text);
    case 'optional-number': return text === '' ? null : Number(text);
    case 'select': return text === '' ? null : text;
    default: return text;
  }
}

// "routes[p1234].called.strip" -> "called.strip"
function fieldOf(path) {
  const bracket = path.indexOf('].');
  return bracket >= 0 ? path.slice(bracket + 2) : path;
}

export class PlanEditor {
  constructor(onChange) {
    this.plan = null;
    this.onChange = onChange;
    this.dialog = document.getElementById('editor');
    this.form = document.getElementById('editor-form');
    document.getElementById('editor-cancel').addEventListener('click', () => this.dialog.close());
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.save(); });
  }

  async load() {
    this.plan = await api('GET', '/api/plan');
    this.render('trunks', document.getElementById('trunks'));
    this.render('trunk_groups', document.getElementById('groups'));
    this.render('routes', document.getElementById('route-list'));
    this.render('accounts', document.getElementById('accounts'));
    this.renderTrust(document.getElementById('trust-settings'));
  }

  // Whom calls are taken from: the plan's trust object, edited whole.
  renderTrust(container) {
    const trust = this.plan.trust;
    const form = element('form', { class: 'card', id: 'trust-form' },
      element('h2', {}, 'Trusted peers'),
      element('p', { class: 'hint' }, 'Calls reach the PSTN only from these sources or from an '
        + 'account below. The SIP peers of routes and trunks, the outbound proxy and the registrars '
        + 'are trusted too.'),
      element('label', { 'data-field': 'peers' }, 'Peers',
        element('input', { name: 'peers', size: 60, value: trust.peers.join(', '),
          placeholder: '192.0.2.10, 198.51.100.0/24, 2001:db8::/32, proxy.example.com' }),
        element('small', {}, 'comma-separated: addresses, CIDR blocks, host names')),
      element('label', { 'data-field': 'untrusted' }, 'Requests from anyone else',
        element('select', { name: 'untrusted' },
          element('option', { value: 'drop', selected: trust.untrusted === 'drop' },
            'drop: no answer at all (a scanner sees nothing)'),
          element('option', { value: 'reject', selected: trust.untrusted === 'reject' },
            'reject: 403 Forbidden, Q.850 cause 21'))),
      element('label', { 'data-field': 'realm' }, 'Realm of the accounts',
        element('input', { name: 'realm', size: 28, value: trust.realm })),
      element('button', { type: 'submit' }, 'Save'),
      element('p', { class: 'error', id: 'trust-error' }));
    form.addEventListener('submit', (event) => { event.preventDefault(); this.saveTrust(form); });
    container.replaceChildren(form);
  }

  async saveTrust(form) {
    const peers = form.elements.peers.value.split(',').map((peer) => peer.trim()).filter(Boolean);
    const value = { peers, untrusted: form.elements.untrusted.value, realm: form.elements.realm.value.trim() };
    try {
      this.report(await api('PUT', '/api/trust', value));
      await this.load();
      this.onChange();
    } catch (error) {
      document.getElementById('trust-error').textContent =
        (error.field ? `${error.field}: ` : '') + error.message;
    }
  }

  render(collection, container) {
    const schema = SCHEMAS[collection];
    const items = this.plan[collection] || [];
    const rows = items.map((item) => element('tr', { 'data-name': item[schema.key] },
      schema.columns.map((column) => element('td', {}, shown(get(item, column)))),
      element('td', { class: 'actions' },
        element('button', { class: 'link', onclick: () => this.edit(collection, item) }, 'edit'),
        element('button', { class: 'link danger', onclick: () => this.remove(collection, item) }, 'delete'))));
    container.replaceChildren(
      element('div', { class: 'title-row' }, element('h2', {}, schema.title),
        element('button', { onclick: () => this.edit(collection, null) }, `Add ${schema.noun}`)),
      element('table', { class: 'plan', id: `${collection}-table` },
        element('thead', {}, element('tr', {}, schema.columns.map((c) => element('th', {}, c.replace('match.', ''))), element('th'))),
        element('tbody', {}, rows.length ? rows : element('tr', {}, element('td', { colspan: schema.columns.length + 1, class: 'hint' }, 'none yet')))));
  }

  edit(collection, item) {
    const schema = SCHEMAS[collection];
    this.editing = { collection, original: item, value: structuredClone(item ?? schema.template) };
    document.getElementById('editor-title').textContent =
      item ? `Edit ${schema.noun} ${item[schema.key]}` : `Add a ${schema.noun}`;
    document.getElementById('editor-fields').replaceChildren(
      ...schema.fields.map((field) => input(field, get(this.editing.value, field.key))));
    document.getElementById('editor-error').textContent = '';
    this.dialog.showModal();
  }

  async save() {
    const { collection, original, value } = this.editing;
    const schema = SCHEMAS[collection];
    for (const field of schema.fields) set(value, field.key, read(field, this.form));
    for (const label of this.form.querySelectorAll('label.invalid')) label.classList.remove('invalid');
    if (collection === 'accounts' && !this.accountReady(original, value)) return;
    try {
      const answer = original
        ? await api('PUT', `/api/${collection}/${encodeURIComponent(original[schema.key])}`, value)
        : await api('POST', `/api/${collection}`, value);
      this.dialog.close();
      this.report(answer);
      await this.load();
      this.onChange();
    } catch (error) {
      this.showError(error);
    }
  }

  // A new password replaces the stored digests; without one they stay, which
  // holds only while the name does (the digests are of name, realm and
  // password).
  accountReady(original, value) {
    if (value.password) {
      delete value.ha1_md5;
      delete value.ha1_sha256;
      return true;
    }
    delete value.password;
    if (original && original.name === value.name) return true;
    this.showError({ field: 'password', message: original
      ? 'a renamed account needs its password again' : 'an account needs a password', problems: [] });
    return false;
  }

  showError(error) {
    const field = fieldOf(error.field || '');
    const label = this.form.querySelector(`label[data-field="${CSS.escape(field)}"]`);
    if (label) label.classList.add('invalid');
    document.getElementById('editor-error').textContent =
      (field ? `${field}: ` : '') + error.message +
      (error.problems.length > 1 ? ` (and ${error.problems.length - 1} more)` : '');
  }

  async remove(collection, item) {
    const schema = SCHEMAS[collection];
    if (!window.confirm(`Delete ${schema.noun} ${item[schema.key]}?`)) return;
    try {
      this.report(await api('DELETE', `/api/${collection}/${encodeURIComponent(item[schema.key])}`));
      await this.load();
      this.onChange();
    } catch (error) {
      showBanner(`${error.field ? `${error.field}: ` : ''}${error.message}`, 'error');
    }
  }

  report(answer) {
    showBanner(answer.restart_needed
      ? `Saved. Restart the gateway to apply the changes to trunks ${answer.restart_needed} (systemctl restart sipgw).`
      : `Saved and applied: ${answer.result.replace(/^ok /, '')}.`,
    answer.restart_needed ? 'warning' : 'info');
  }
}
