/**
 * The dashboard: one page, no build step, no data of its own. It signs in with the admin key (typed, or
 * from the `#admin=` link the CLI prints for a generated key), then reads /api/stats, /api/events and
 * /api/questions with the session cookie.
 */
export function dashboardHtml(mode: 'replay' | 'live'): string {
  const banner =
    mode === 'replay'
      ? `<div id="mode" class="banner replay">Replay mode: answers are <b>recorded answers of real models</b> (TriviaQA; gpt-4o-mini → qwen2.5-72b → gpt-4o), replayed through the real cascade engine. Ask one of the recorded questions below, or set <code>OPENAI_API_KEY</code> and restart to go live. Data: Zellinger &amp; Thomson, arXiv:2501.09345.</div>`
      : `<div id="mode" class="banner live">Live mode: answers come from real models.</div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CascadeFlow demo</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1f2937}
header{background:#1d4ed8;color:#fff;padding:12px 20px;font-size:20px}
.banner{padding:10px 20px;font-size:14px}.replay{background:#fef3c7}.live{background:#dcfce7}
main{display:grid;grid-template-columns:1fr 1fr;gap:16px;padding:16px}
section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0002}
h2{font-size:15px;margin:0 0 8px}table{width:100%;border-collapse:collapse;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:4px;text-align:left}.bar{height:14px;background:#2563eb;border-radius:3px}
#chat-log{height:260px;overflow:auto;font-size:14px;border:1px solid #e5e7eb;border-radius:6px;padding:8px}
.draft{color:#6b7280}.retracted{text-decoration:line-through;color:#9ca3af}.decision{font-size:12px;color:#7c3aed}
.answer{color:#065f46;font-weight:600}.error{color:#b91c1c}
#chat-input{width:75%;padding:6px}.examples button{margin:2px;font-size:12px}
</style></head><body>
<header>CascadeFlow: cheap models first, strong models when it matters</header>
${banner}
<form id="signin" style="padding:16px;display:none"><label>Admin key <input id="admin-key" type="password" autocomplete="off" style="width:320px"></label> <button type="submit">Sign in</button> <span id="signin-error" class="error"></span></form>
<main id="app" style="display:none">
<section><h2>Chat</h2>
<div id="chat-log"></div>
<input id="chat-input" placeholder="Ask a question…"> <button id="chat-send">Send</button>
<div class="examples" id="examples"></div>
</section>
<section><h2>Cost</h2><div id="recorded"></div><div id="cost">no requests yet</div>
<h2 style="margin-top:12px">Share answered at each tier</h2><div id="tier-share"></div></section>
<section><h2>Live requests</h2><table id="requests-table"><thead><tr><th>user</th><th>question</th><th>answered by</th><th>tiers tried</th><th>cost</th></tr></thead><tbody></tbody></table></section>
<section><h2>Calibration</h2><div id="calibration"></div></section>
<section><h2>Users against their limits</h2><div id="users"></div>
<h2 style="margin-top:12px">Guardrail events</h2><ul id="guardrails"></ul></section>
<section style="grid-column:1/3"><h2>Eval: cost against quality on recorded real answers</h2><img id="eval-chart" src="/api/eval-chart" alt="eval chart" style="max-width:100%"></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const fmt = (x) => x == null ? '?' : '$' + Number(x).toFixed(6);
async function refresh() {
  const s = await (await fetch('/api/stats')).json();
  if (s.recorded) $('recorded').textContent = 'On all ' + s.recorded.questions + ' recorded test questions: ' + (100 * s.recorded.quality_ratio).toFixed(1) + '% of ' + s.recorded.strongest + "'s quality at " + (100 * s.recorded.cost_ratio).toFixed(1) + '% of its cost (' + (100 * s.recorded.escalation_rate).toFixed(1) + '% escalated).';
  const c = s.calibration;
  $('calibration').textContent = c
    ? 'Live calibration ' + c.file + ' (made ' + c.createdAt + ', loaded ' + c.loadedAt + '): ' + c.records + ' records labelled by ' + c.labelledBy + '; ladder ' + c.ladder.join(' → ') + ', thresholds ' + c.thresholds.map((t) => t.toFixed(3)).join(', ') + '. Expected quality ' + (100 * c.expected.quality).toFixed(1) + '% (≥ ' + (100 * c.expected.qualityLowerBound).toFixed(1) + '% with ' + Math.round(100 * c.expected.confidence) + '% confidence), cost ' + (100 * c.expected.cost).toFixed(1) + '% of the strongest model (≤ ' + (100 * c.expected.costUpperBound).toFixed(1) + '%).' + (c.noSaving ? ' No saving: ' + c.noSaving : '') + (c.reloadError ? ' The last change of the file was refused: ' + c.reloadError : '')
    : s.mode === 'live' ? 'No calibration file: every tier but the last accepts at the fixed threshold. Record traffic, run cascadeflow calibrate, and set "calibration" in the config.' : 'Calibrated at start on the recorded train split.';
  if (s.recording) $('calibration').textContent += ' Recording: ' + s.recording.written + ' records written, ' + Object.entries(s.recording.skipped).map(([k, v]) => v + ' ' + k).join(', ') + (Object.keys(s.recording.skipped).length ? ' skipped, ' : '') + '$' + s.recording.spentUsd.toFixed(4) + ' spent on shadow calls.';
  $('cost').textContent = s.requests === 0 ? 'Your requests: none yet' : 'Your requests: ' + s.requests + ' requests: ' + fmt(s.cost) + ' spent vs ' + fmt(s.baseline) + ' always on the strongest model (' + (s.baseline ? Math.round(100 * s.cost / s.baseline) : 0) + '%)';
  const total = Object.values(s.byModel).reduce((a, b) => a + b, 0) || 1;
  $('tier-share').innerHTML = s.ladder.map((m) => { const n = s.byModel[m] || 0; return '<div>' + m + ': ' + n + ' (' + Math.round(100 * n / total) + '%)<div class="bar" style="width:' + (100 * n / total) + '%"></div></div>'; }).join('');
  $('requests-table').querySelector('tbody').innerHTML = s.recent.map((r) => '<tr><td>' + esc(r.userId) + '</td><td>' + esc(String(r.query).slice(0, 50)) + '</td><td>' + (r.model ? esc(r.model) : '<span class=error>' + esc(r.error) + '</span>') + '</td><td>' + esc(r.tiersTried.join(' → ')) + '</td><td>' + fmt(r.cost) + '</td></tr>').join('');
  $('users').innerHTML = s.users.map((u) => '<div>' + u.id + ' (' + u.tier + '): ' + (u.used.requests_per_minute ?? 0) + ' / ' + (u.limits.requestsPerMinute ?? '∞') + ' requests this minute, ' + fmt(u.used.cost_per_day ?? 0) + ' / ' + (u.limits.costPerDay == null ? '∞' : '$' + u.limits.costPerDay) + ' today</div>').join('');
  $('guardrails').innerHTML = s.guardrails.map((g) => '<li>' + g.where + ': ' + g.what + '</li>').join('') || '<li>none</li>';
}
function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }
async function start() {
  $('signin').style.display = 'none'; $('app').style.display = '';
  const events = new EventSource('/api/events');
  for (const t of ['request', 'guardrail', 'limit']) events.addEventListener(t, refresh);
  const q = await (await fetch('/api/questions')).json();
  $('examples').innerHTML = q.questions.map((x) => '<button class="example" data-q="' + esc(x) + '">' + esc(x.slice(0, 60)) + '</button>').join('');
  for (const b of document.querySelectorAll('.example')) b.onclick = () => send(b.dataset.q);
  refresh();
}
async function signIn(key) {
  const res = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
  if (!res.ok) { $('signin-error').textContent = 'Wrong admin key.'; return false; }
  return true;
}
$('signin').onsubmit = async (e) => { e.preventDefault(); if (await signIn($('admin-key').value)) start(); };
(async () => {
  const fromLink = /^#admin=(.+)$/.exec(location.hash);
  if (fromLink) { history.replaceState(null, '', location.pathname); if (await signIn(decodeURIComponent(fromLink[1]))) return start(); }
  const probe = await fetch('/api/stats');
  if (probe.ok) start(); else $('signin').style.display = '';
})();
function line(cls, text) { const d = document.createElement('div'); d.className = cls; d.textContent = text; $('chat-log').appendChild(d); $('chat-log').scrollTop = 1e9; return d; }
async function send(q) {
  if (!q) return;
  line('', 'You: ' + q);
  const res = await fetch('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: q }) });
  if (!res.ok) { const e = await res.json(); line('error', e.error.message); return; }
  const reader = res.body.getReader(); const dec = new TextDecoder(); let buf = ''; let current = null;
  for (;;) {
    const { value, done } = await reader.read(); if (done) break;
    buf += dec.decode(value, { stream: true });
    let at;
    while ((at = buf.indexOf('\\n\\n')) >= 0) {
      const frame = buf.slice(0, at); buf = buf.slice(at + 2);
      const type = (/^event: (.*)$/m.exec(frame) || [])[1]; const data = JSON.parse((/^data: (.*)$/m.exec(frame) || [])[1] || '{}');
      if (type === 'attempt_start') current = line('draft', data.model + ': ');
      else if (type === 'text' && current) current.textContent += data.text;
      else if (type === 'decision') line('decision', (data.accepted ? 'accepted: ' : 'rejected: ') + data.model + ' (' + data.reason + ')');
      else if (type === 'retract' && current) current.className = 'retracted';
      else if (type === 'switch') line('decision', 'escalating ' + data.from.model + ' → ' + data.to.model);
      else if (type === 'finish') { line('answer', 'Answer (' + data.result.model + ', ' + fmt(data.result.totalCost) + '): ' + data.result.content); }
      else if (type === 'error') line('error', data.message);
    }
  }
}
$('chat-send').onclick = () => { const q = $('chat-input').value.trim(); $('chat-input').value = ''; send(q); };
$('chat-input').addEventListener('keydown', (e) => { if (e.key === 'Enter') $('chat-send').click(); });
</script></body></html>`;
}
