// Spans, B-channels and calls, pushed by the gateway over a WebSocket
// whenever they change; reconnects when the socket drops.
import { api, element, showBanner } from './api.js';

function duration(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

export class LiveView {
  constructor() {
    this.socket = null;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.socket) this.socket.close();
  }

  connect() {
    const socket = new WebSocket(`wss://${window.location.host}/api/live`);
    this.socket = socket;
    const state = document.getElementById('live-state');
    socket.addEventListener('open', () => { state.textContent = 'live'; });
    socket.addEventListener('message', (event) => this.show(JSON.parse(event.data)));
    socket.addEventListener('close', () => {
      state.textContent = 'disconnected; reconnecting…';
      if (!this.stopped) window.setTimeout(() => this.connect(), 2000);
    });
  }

  show(view) {
    this.showSpans(view.spans);
    this.showCalls(view.calls);
    const registrations = Object.entries(view.registrations);
    document.getElementById('registrations').replaceChildren(...(registrations.length
      ? registrations.map(([name, state]) => element('li', {}, `${name}: ${state}`))
      : [element('li', { class: 'hint' }, 'none')]));
    if (view.trust) this.showTrust(view.trust);
    if (view.restart_needed) {
      showBanner(`Restart the gateway to apply the changes to trunks ${view.restart_needed}.`, 'warning');
    }
  }

  // Whom the gateway takes calls from, and who was refused lately: an
  // operator who forgot a peer sees here why its calls fail.
  showTrust(trust) {
    document.getElementById('trust').textContent =
      `Calls are taken from: ${trust.peers}. Other sources: ${trust.untrusted === 'drop'
        ? 'dropped (no answer at all)' : 'refused 403 (cause 21)'}.`;
    document.getElementById('trust-filter').textContent = `Socket filter: ${trust.filter}`;
    if (trust.migrated_plan) {
      showBanner('This plan comes from a release without a trust list: only the peers it already '
        + 'named are trusted and calls from any other source are refused. Add your proxies to '
        + 'trust.peers (README: Trusted peers).', 'warning');
    }
    const body = document.querySelector('#untrusted tbody');
    body.replaceChildren(...(trust.untrusted_sources.length
      ? trust.untrusted_sources.map((source) => element('tr', { 'data-source': source.address },
        element('td', {}, source.address), element('td', {}, String(source.count)),
        element('td', {}, source.last_request), element('td', {}, source.last_action),
        element('td', {}, new Date(source.last_seen * 1000).toLocaleString()),
        element('td', { class: 'actions' }, trust.peers.includes(`${source.address} (`)
          ? element('span', { class: 'hint' }, 'trusted now')
          : element('button', { class: 'link', onclick: () => this.trustSource(source.address) }, 'trust'))))
      : [element('tr', {}, element('td', { colspan: 6, class: 'hint' },
        'none refused since the gateway started'))]));
  }

  // A forgotten peer, trusted from where its refusals show: its address is
  // added to the plan's trust.peers.
  async trustSource(address) {
    if (!window.confirm(`Take calls from ${address}? It is added to the trusted peers.`)) return;
    try {
      const { trust } = await api('GET', '/api/plan');
      await api('PUT', '/api/trust', { ...trust, peers: [...trust.peers, address] });
      showBanner(`${address} is trusted now.`, 'info');
    } catch (error) {
      showBanner(`${error.field ? `${error.field}: ` : ''}${error.message}`, 'error');
    }
  }

  showSpans(spans) {
    document.getElementById('spans').replaceChildren(...spans.map((span) => element('div',
      { class: 'card span', 'data-span': span.name },
      element('h3', {}, span.name, element('small', {}, span.trunk ? ` trunk ${span.trunk}` : '')),
      element('p', {},
        element('span', { class: `pill ${span.d_channel === 'up' ? 'good' : 'bad'}` }, `D-channel ${span.d_channel}`),
        ' ',
        element('span', { class: `pill ${span.alarms === 'OK' ? 'good' : 'bad'}` }, `alarms ${span.alarms}`),
        span.restarting ? element('span', { class: 'pill' }, 'restarting') : null),
      element('div', { class: 'channels' }, span.channels.map((channel) => element('button', {
        class: `ch ${channel.state}`,
        title: `B${channel.timeslot}: ${channel.state}`,
        'data-timeslot': channel.timeslot,
        onclick: () => this.toggleService(span.name, channel),
      }, channel.timeslot))))));
  }

  showCalls(calls) {
    document.getElementById('call-count').textContent = `(${calls.length})`;
    const body = document.querySelector('#calls tbody');
    body.replaceChildren(...(calls.length ? calls.map((call) => element('tr', { 'data-leg': call.leg },
      element('td', {}, call.leg),
      element('td', {}, call.direction === 'from-pstn' ? 'PSTN → SIP' : 'SIP → PSTN'),
      element('td', {}, call.from),
      element('td', { title: call.request_uri }, call.called || call.request_uri),
      element('td', {}, call.state),
      element('td', {}, call.span ? `${call.span}/B${call.timeslot}` : ''),
      element('td', {}, call.codec),
      element('td', { title: 'RTP packets received, lost (sequence gaps), interarrival jitter' },
        call.codec ? `${call.rtp_received} / ${call.rtp_lost} lost / ${call.rtp_jitter_ms} ms` : ''),
      element('td', {}, duration(call.seconds)),
      element('td', {}, element('button', { class: 'link danger', onclick: () => this.hangUp(call) }, 'hang up'))))
      : [element('tr', {}, element('td', { colspan: 10, class: 'hint' }, 'no calls'))]));
  }

  async toggleService(span, channel) {
    const out = channel.state !== 'out-of-service';
    if (!window.confirm(`${out ? 'Take' : 'Put'} ${span} B${channel.timeslot} ${out ? 'out of' : 'back in'} service?`)) return;
    try {
      await api('POST', `/api/spans/${encodeURIComponent(span)}/channels/${channel.timeslot}/service`, { in_service: !out });
    } catch (error) {
      showBanner(error.message, 'error');
    }
  }

  async hangUp(call) {
    if (!window.confirm(`Hang up call ${call.leg} (${call.from} → ${call.called})?`)) return;
    try {
      await api('POST', `/api/calls/${call.leg}/hangup`);
    } catch (error) {
      showBanner(error.message, 'error');
    }
  }
}
