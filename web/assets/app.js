// The admin page: log in, then tabs for the live view, the dialplan and
// the call records. Plain modules, no build step, nothing from elsewhere.
import { api, element, setCsrf, showBanner } from './api.js';
import { LiveView } from './live.js';
import { PlanEditor } from './plan.js';
import { RecordsView } from './records.js';

const live = new LiveView();
const records = new RecordsView();
const editor = new PlanEditor(() => {});
const sections = ['login', 'overview', 'trunks', 'groups', 'routes', 'security', 'records'];

function showSection(name) {
  for (const section of sections) document.getElementById(section).hidden = section !== name;
  for (const button of document.querySelectorAll('#tabs button')) {
    button.classList.toggle('active', button.dataset.tab === name);
  }
  if (name === 'records') records.search();
  if (['trunks', 'groups', 'routes', 'security'].includes(name)) editor.load().catch((e) => showBanner(e.message, 'error'));
  if (name !== 'login') window.location.hash = name;
}

function loggedIn(session) {
  setCsrf(session.csrf);
  document.getElementById('user').textContent = session.user;
  document.getElementById('tabs').hidden = false;
  document.getElementById('who').hidden = false;
  live.start();
  const wanted = window.location.hash.slice(1);
  showSection(sections.includes(wanted) && wanted !== 'login' ? wanted : 'overview');
}

function loggedOut() {
  live.stop();
  document.getElementById('tabs').hidden = true;
  document.getElementById('who').hidden = true;
  showBanner('');
  showSection('login');
}

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById('login-error');
  error.textContent = '';
  try {
    loggedIn(await api('POST', '/api/login', { user: form.user.value, password: form.password.value }));
    form.reset();
  } catch (failure) {
    error.textContent = failure.message;
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  await api('POST', '/api/logout').catch(() => {});
  loggedOut();
});

for (const button of document.querySelectorAll('#tabs button')) {
  button.addEventListener('click', () => showSection(button.dataset.tab));
}

const passwordDialog = document.getElementById('password-dialog');
document.getElementById('password-button').addEventListener('click', () => passwordDialog.showModal());
document.getElementById('password-cancel').addEventListener('click', () => passwordDialog.close());
document.getElementById('password-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    await api('POST', '/api/password', { old: form.old.value, new: form.new.value });
    passwordDialog.close();
    form.reset();
    showBanner('Password changed.');
  } catch (failure) {
    document.getElementById('password-error').textContent = failure.message;
  }
});

document.getElementById('route-test').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById('route-test-error');
  const table = document.getElementById('route-test-result');
  error.textContent = '';
  table.replaceChildren();
  const uri = form.uri.value.trim();
  const body = uri ? { uri } : { span: form.span.value.trim(), number: form.number.value.trim() };
  if (form.from.value.trim()) body.from = form.from.value.trim();
  try {
    const decision = await api('POST', '/api/route-test', body);
    table.replaceChildren(...Object.entries(decision).map(([key, value]) =>
      element('tr', {}, element('th', {}, key), element('td', {}, [value].flat().join('\n')))));
  } catch (failure) {
    error.textContent = failure.message;
  }
});

api('GET', '/api/session').then(loggedIn, loggedOut);
