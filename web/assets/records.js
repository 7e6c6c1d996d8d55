// Call records: filters, a table, and the same search as CSV.
import { api, element } from './api.js';

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
      document.getElementById('record-table').replaceChildren(
        element('thead', {}, element('tr', {}, found.columns.map((c) => element('th', {}, c)))),
        element('tbody', {}, found.rows.length
          ? found.rows.map((row) => element('tr', {}, row.map((value) => element('td', {}, value))))
          : element('tr', {}, element('td', { colspan: found.columns.length, class: 'hint' }, 'no calls found'))));
    } catch (failure) {
      error.textContent = failure.message;
    }
  }
}
