// A finished call's ladder: its SIP messages (between the SIP peer and the
// gateway) and its Q.931 messages (between the gateway and the PSTN) side
// by side in time order; a click shows a message whole. The pcap link
// downloads the same messages for Wireshark.
import { api, element } from './api.js';

function offset(us, startUs) {
  return `+${((us - startUs) / 1000).toFixed(1)} ms`;
}

// SIP: peer <-> gateway on the left; Q.931: gateway <-> PSTN on the right.
// An arrow points right when it goes from the left end to the right end.
function arrow(message) {
  const pointsRight = message.protocol === 'sip' ? message.direction === 'received' : message.direction === 'sent';
  return element('div', { class: `arrow ${pointsRight ? 'right' : 'left'}` },
    element('span', { class: 'label' }, message.summary));
}

export class LadderView {
  constructor() {
    this.dialog = document.getElementById('ladder');
    document.getElementById('ladder-close').addEventListener('click', () => this.dialog.close());
  }

  async show(callId) {
    const trace = await api('GET', `/api/calls/ladder?call_id=${encodeURIComponent(callId)}`);
    document.getElementById('ladder-title').textContent = `Call ${callId}`;
    document.getElementById('ladder-pcap').href = `/api/calls/pcap?call_id=${encodeURIComponent(callId)}`;
    const first = trace.messages.length ? trace.messages[0].time_us : trace.start_us;
    const peer = trace.messages.find((m) => m.protocol === 'sip')?.peer || 'SIP peer';
    const detail = element('pre', { id: 'ladder-detail', class: 'detail' }, 'Click a message to see it whole.');
    const rows = trace.messages.map((message) => element('div', {
      class: `ladder-row ${message.protocol}`,
      onclick: () => { detail.textContent = `${message.summary} (${message.direction}, ${message.peer})\n\n${message.content}`; },
    },
    element('span', { class: 'time' }, offset(message.time_us, first)),
    element('div', { class: 'lane' }, message.protocol === 'sip' ? arrow(message) : null),
    element('div', { class: 'pole' }),
    element('div', { class: 'lane' }, message.protocol === 'q931' ? arrow(message) : null)));
    document.getElementById('ladder-body').replaceChildren(
      element('div', { class: 'ladder-row heads' }, element('span', { class: 'time' }),
        element('div', { class: 'lane head' }, `${peer}  ⟷  sipgw`),
        element('div', { class: 'pole' }),
        element('div', { class: 'lane head' }, `sipgw  ⟷  PSTN ${trace.span}`)),
      ...rows, detail);
    this.dialog.showModal();
  }
}
