/* ui.js - what every page shares: the html`` template tag (htm over Preact,
 * which escapes every value: no innerHTML anywhere), loading and error
 * states in Chinese (a 403 shows 无权访问, never a blank page), form fields
 * with labels, the demand clock and state badges, and who the signed-in
 * person is (roles → what they see). */
import { h, createContext } from '../vendor/preact.mjs';
import { useState, useEffect, useContext, useCallback, useRef } from '../vendor/hooks.mjs';
import htm from '../vendor/htm.mjs';
import { ApiError, remaining } from './api.js';

export const html = htm.bind(h);
export const Session = createContext(null);
export const useSession = () => useContext(Session);

/* Roles (docs/security.md) as the pages group them. */
const CADRE = ['village_admin', 'key_person', 'agency_operator', 'system_admin'];
const SUPERVISOR = ['town_supervisor', 'county_supervisor', 'system_admin'];
export function kinds(me) {
  const roles = (me && me.roles) || [];
  const has = (list) => roles.some((r) => list.includes(r.role));
  return {
    resident: roles.some((r) => r.role === 'resident'),
    cadre: has(CADRE),
    supervisor: has(SUPERVISOR)
  };
}
/* The region of the first grant of one of the roles given (else the person's). */
export function regionOf(me, list) {
  const r = ((me && me.roles) || []).find((x) => !list || list.includes(x.role));
  return r ? r.region : me && me.region;
}
export const SUPERVISOR_ROLES = SUPERVISOR;

/* useLoad(fn, deps): {data, error, loading, reload, set} of an async loader. */
export function useLoad(fn, deps) {
  const [st, setSt] = useState({ loading: true, data: null, error: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setSt((s) => ({ ...s, loading: true }));
    fn().then((data) => live && setSt({ loading: false, data, error: null }),
      (error) => live && setSt({ loading: false, data: null, error }));
    return () => { live = false; };
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  /* set(data) or set(old => data): replace what was loaded (after an action). */
  const set = useCallback((d) => setSt((s) => ({ loading: false, data: typeof d === 'function' ? d(s.data) : d, error: null })), []);
  return { ...st, reload, set };
}

/* An error as a person reads it; 403 and 404 get their own plain words. */
export function Problem({ error, onRetry }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'client', String(error.message || error));
  let title = e.message;
  let more = '';
  if (e.status === 403) { title = '无权访问'; more = '您的账号没有查看或办理此项的权限。如需办理，请联系上级或系统管理员。'; }
  else if (e.status === 404) { title = '未找到'; more = '内容不存在，或不在您的管辖范围内。'; }
  else if (e.status === 401) { more = '登录已过期，请重新登录。'; }
  return html`<div class="error" role="alert">
    <strong>${title}</strong>${more ? html`<p>${more}</p>` : null}
    ${e.detail || e.requestId ? html`<p class="small">${e.detail}${e.requestId ? '（请求编号 ' + e.requestId + '）' : ''}</p>` : null}
    ${onRetry ? html`<button type="button" class="btn" onClick=${onRetry}>重试</button>` : null}
  </div>`;
}

/* Loaded({state, children(data)}): 正在加载…, the problem, or the content. */
export function Loaded({ state, children }) {
  if (state.error) return html`<${Problem} error=${state.error} onRetry=${state.reload} />`;
  if (state.loading && !state.data) return html`<p class="meta" role="status">正在加载…</p>`;
  return children(state.data);
}

/* A page: its title as the focus target when the route changes. */
export function Page({ title, children, actions }) {
  useEffect(() => { document.title = title + ' · 便民'; }, [title]);
  return html`<section class="page" aria-labelledby="page-title">
    <div class="page-head"><h2 id="page-title" tabindex="-1">${title}</h2>${actions}</div>
    ${children}
  </section>`;
}

let fieldSeq = 0;
/* A labelled input, select or textarea; extra props go to the control. */
export function Field({ label, as = 'input', hint, children, ...props }) {
  const [id] = useState(() => 'f' + ++fieldSeq);
  const Tag = as;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <${Tag} id=${id} aria-describedby=${hint ? id + '-h' : undefined} ...${props}>${children}<//>
    ${hint ? html`<p class="hint" id=${id + '-h'}>${hint}</p>` : null}
  </div>`;
}

/* A status line that screen readers announce. */
export function Note({ text, kind = 'ok' }) {
  return text ? html`<p class=${'note ' + kind} role="status">${text}</p>` : null;
}

const CLOCKS = { ack: '受理时限', resolve: '办结时限', arrive: '报到时限', followup: '回访时限' };
const CLOCK_DONE = { met: '按时完成', missed: '已超时', paused: '已暂停' };

/* One clock of a demand: its remaining time (server clock) or how it ended. */
export function Clock({ c }) {
  const name = CLOCKS[c.name] || c.name;
  if (c.status !== 'running') {
    return html`<li class=${'clock ' + c.status}><span>${name}</span> <b>${CLOCK_DONE[c.status] || c.status}</b></li>`;
  }
  const r = remaining(c.due);
  return html`<li class=${'clock ' + (r.late ? 'late' : c.warned ? 'warn' : 'running')}>
    <span>${name}</span> <b class="left">${r.text}</b></li>`;
}

/* The running clock that falls due first (null when none runs). */
export function nextClock(d) {
  const run = (d.clocks || []).filter((c) => c.status === 'running');
  run.sort((a, b) => Date.parse(a.due) - Date.parse(b.due));
  return run[0] || null;
}

export function StateBadge({ d }) {
  return html`<span class=${'badge s-' + d.state}>${d.state_label}</span>`;
}

/* The steps a demand goes through, the current one marked (看得见的进度). */
const STEPS = [['received', '已接收'], ['acknowledged', '已受理'], ['in_progress', '办理中'],
  ['resolved', '已办结'], ['followed_up', '已回访'], ['closed', '已关闭']];
export function Progress({ d }) {
  const at = STEPS.findIndex(([s]) => s === d.state);
  if (at < 0) return html`<p class="meta">当前状态：${d.state_label}</p>`;
  return html`<ol class="steps" aria-label="办理进度">
    ${STEPS.map(([s, label], i) => html`<li class=${i < at ? 'done' : i === at ? 'now' : ''}
      aria-current=${i === at ? 'step' : undefined}>${label}</li>`)}
  </ol>`;
}

/* Re-render every `ms` so that remaining times count down. */
export function useTick(ms) {
  const [, set] = useState(0);
  useEffect(() => { const t = setInterval(() => set((x) => x + 1), ms); return () => clearInterval(t); }, [ms]);
}

/* useEvents(url, handlers): an EventSource on url while the page shows it
 * (none while url is null). The latest handlers are called, and re-rendering
 * never reopens the stream: a new one would start at the newest event and
 * miss those in between. */
export function useEvents(url, handlers) {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!url) return undefined;
    const es = new EventSource(url);
    Object.keys(latest.current).forEach((k) => es.addEventListener(k, (e) => latest.current[k] && latest.current[k](e)));
    return () => es.close();
  }, [url]);
}

/* The parameters after '?' in the hash (#/dashboard?region=990101). */
export function query() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}
