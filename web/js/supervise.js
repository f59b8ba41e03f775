/* supervise.js - a supervisor's pages: the smart patrol's alerts, live
 * (Server-Sent Events of the alerts addressed to their region), with
 * acknowledge, close and 督办; and the month's 通报 with its acknowledgement
 * by the supervised. The API decides whose alerts and notices these are. */
import { useState } from '../vendor/hooks.mjs';
import { api, when, serverNow, chinaDay } from './api.js';
import { html, Page, Loaded, Problem, Field, Note, useLoad, useEvents } from './ui.js';

const SEVERITY = { 1: '提示', 2: '警告', 3: '紧急' };
const ALERT_STATE = { open: '待处理', acknowledged: '已确认', closed: '已关闭' };

function AlertItem({ a, onChange }) {
  const [remind, setRemind] = useState(false);
  const [note, setNote] = useState('');
  const [msg, setMsg] = useState('');
  const [error, setError] = useState(null);
  async function act(what) {
    try { onChange(await api('POST', '/api/v1/alerts/' + a.id + '/' + what)); setError(null); } catch (e) { setError(e); }
  }
  async function supervise(ev) {
    ev.preventDefault();
    try {
      const r = await api('POST', '/api/v1/supervision', { object: 'alert:' + a.id, note: note.trim() });
      setMsg('已督办，期限 ' + when(r.deadline) + '。');
      setRemind(false);
    } catch (e) { setError(e); }
  }
  return html`<li class=${'card alert sev' + a.severity + ' a-' + a.state} data-id=${a.id}>
    <p><span class="badge">${SEVERITY[a.severity] || a.severity}</span> <b>${a.kind_name}</b>
      <span class="meta"> · ${when(a.found_at)} · ${ALERT_STATE[a.state] || a.state}</span></p>
    <p class="text">${a.summary}</p>
    ${a.group_id ? html`<p class="small"><a href=${'#/group/' + a.group_id}>打开所在群</a>${/^demand:(\d+)/.test(a.object) ? html` · <a href=${'#/demand/' + a.object.split(':')[1]}>打开诉求</a>` : null}</p>` : null}
    <div class="row">
      ${a.state === 'open' ? html`<button class="btn" type="button" onClick=${() => act('acknowledge')}>确认</button>` : null}
      ${a.state !== 'closed' ? html`<button class="btn" type="button" onClick=${() => act('close')}>关闭</button>
        <button class="btn" type="button" aria-expanded=${remind} onClick=${() => setRemind(!remind)}>督办</button>` : null}
    </div>
    ${remind ? html`<form class="form" onSubmit=${supervise}>
      <${Field} as="textarea" rows="2" label="督办要求" required maxlength="500" value=${note} onInput=${(e) => setNote(e.target.value)} />
      <button class="btn primary" type="submit">发出督办（5 个工作日）</button></form>` : null}
    <${Note} text=${msg} /><${Problem} error=${error} />
  </li>`;
}

/* The most severe first, then the newest. */
const urgentFirst = (x, y) => y.severity - x.severity || y.id - x.id;

export function AlertsPage() {
  const [state, setState] = useState('open');
  const st = useLoad(() => api('GET', '/api/v1/alerts?limit=100' + (state ? '&state=' + state : '')), [state]);
  const [live, setLive] = useState(false);
  const upsert = (a) => st.set((data) => {
    const items = (data ? data.items : []).filter((x) => x.id !== a.id);
    const keep = !state || a.state === state;
    return { ...data, items: keep ? [a, ...items] : items };
  });
  const onAlert = (e) => upsert(JSON.parse(e.data));
  useEvents(st.data ? '/api/v1/alerts/events' : null, {
    open: () => setLive(true), error: () => setLive(false),
    'alert.raised': onAlert, 'alert.acknowledged': onAlert, 'alert.closed': onAlert
  });
  return html`<${Page} title="巡群预警">
    <div class="row toolbar">
      <${Field} as="select" label="状态" value=${state} onChange=${(e) => setState(e.target.value)}>
        <option value="open">待处理</option><option value="acknowledged">已确认</option><option value="">全部</option><//>
      <span class=${'live ' + (live ? 'on' : '')} role="status">${live ? '● 实时更新中' : '○ 未连接实时更新'}</span>
    </div>
    <${Loaded} state=${st}>${(r) => r.items.length ? html`<ul class="list alerts">${r.items.slice().sort(urgentFirst).map((a) => html`<${AlertItem} key=${a.id} a=${a} onChange=${upsert} />`)}</ul>`
      : html`<p class="meta">没有${state ? ALERT_STATE[state] : ''}的预警。</p>`}<//>
  </${Page}>`;
}

function NoticeItem({ n, onChange }) {
  const [error, setError] = useState(null);
  async function ack() {
    try { onChange(await api('POST', '/api/v1/supervision/notices/' + n.id + '/acknowledge')); } catch (e) { setError(e); }
  }
  const [kind, oid] = n.object.split(':');
  return html`<li class="card">
    <p><b>${kind === 'case' ? html`<a href=${'#/demand/' + oid}>诉求 ${oid}</a>` : '预警 ' + oid}</b>
      <span class="meta"> · 期限 ${when(n.deadline)} · 超期 ${n.days_overdue} 天</span></p>
    <p class="text">${n.note}</p>
    ${n.notice_acknowledged_at ? html`<p class="meta">已于 ${when(n.notice_acknowledged_at)} 确认</p>`
      : html`<button class="btn" type="button" onClick=${ack}>确认通报</button>`}
    <${Problem} error=${error} />
  </li>`;
}

export function SupervisionPage() {
  const [period, setPeriod] = useState(chinaDay(serverNow()).slice(0, 7));
  const st = useLoad(() => api('GET', '/api/v1/supervision/notices?period=' + encodeURIComponent(period)), [period]);
  const replace = (n) => st.set({ ...st.data, items: st.data.items.map((x) => (x.id === n.id ? n : x)) });
  return html`<${Page} title="督办与通报">
    <p class="meta">督办在诉求页或预警页发出；到期仍未办结的督办列入当月通报。</p>
    <div class="row toolbar"><${Field} label="通报月份" type="month" value=${period} onChange=${(e) => e.target.value && setPeriod(e.target.value)} /></div>
    <${Loaded} state=${st}>${(r) => r.items.length ? html`<ul class="list">${r.items.map((n) => html`<${NoticeItem} key=${n.id} n=${n} onChange=${replace} />`)}</ul>`
      : html`<p class="meta">${period} 没有通报。</p>`}<//>
  </${Page}>`;
}
