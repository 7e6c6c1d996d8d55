// The JSON API: the session's CSRF token goes with every change.
let csrf = '';

export class ApiError extends Error {
  constructor(status, body) {
    super(body.error || `HTTP ${status}`);
    this.status = status;
    this.field = body.field || '';
    this.problems = body.problems || [];
  }
}

export function setCsrf(token) { csrf = token; }

export async function api(method, path, body) {
  const options = { method, headers: {} };
  if (method !== 'GET') options.headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  let parsed = {};
  try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = { error: text }; }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

// Small DOM helpers: element(tag, {attributes}, ...children).
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

export function showBanner(text, kind = 'info') {
  const banner = document.getElementById('banner');
  banner.textContent = text;
  banner.className = kind;
  banner.hidden = !text;
}
