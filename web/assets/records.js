// Call records: filters, a table, and the same search as CSV.
import { api, element } from './api.js';
import { LadderView } from './ladder.js';

function query(form) {
  const parameters = new URLSearchParams();
  for (const name of ['since', 'until', 'number', 'trunk_group', 'cause', 'limit']) {
    let value = form.elements[name].value.trim();
    // datetime-local is local time; records are kept in UTC.
    if (value && (name === 'since' || name === 'until')) value = new Date(value).toISOString().slice(0, 19);
    if (value) parameters.set(name, value);
  }
  return parameters;
}

export class RecordsView {
  constructor() {
    this.form = document.getElementById('record-filter');
    this.ladder = new LadderView();
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.search(); });
  }

  async search() {
    const parameters = query(this.form);
    const csv = new URLSearchParams(parameters);
    csv.set('format', 'csv');
    document.getElementById('csv-link').href = `/api/calls?${csv}`;
    const error = document.getElementById('record-error');
    error.textContent = '';
    try {
      const found = await api('GET', `/api/calls?${parameters}`);
      const callId = found.columns.indexOf('call-id');
      document.getElementById('record-table').replaceChildren(
        element('thead', {}, element('tr', {}, element('th'), found.columns.map((c) => element('th', {}, c)))),
        element('tbody', {}, found.rows.length
          ? found.rows.map((row) => element('tr', {},
            element('td', {}, element('button', { class: 'link', onclick: () => this.showLadder(row[callId]) }, 'ladder')),
            row.map((value) => element('td', {}, value))))
          : element('tr', {}, element('td', { colspan: found.columns.length + 1, class: 'hint' }, 'no calls found'))));
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  async showLadder(callId) {
    try {
      await this.ladder.show(callId);
    } catch (failure) {
      document.getElementById('record-error').textContent = failure.message;
    }
  }
}
