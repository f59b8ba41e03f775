/* demands.js - residents' demands (诉求): raising one with photos, a
 * resident's list, the cadres' queue ordered by clock with the remaining time
 * in view, and one demand with its progress, clocks, photos and timeline, the
 * actions the API offers the caller (受理, 指派, 办结, 上报, 吹哨, 退单 …), the
 * resident's follow-up (resolved? satisfied?) and a supervisor's 督办.
 * Which actions show comes from the demand's own `actions` list. */
import { useState } from '../vendor/hooks.mjs';
import { api, when, whenShort, remaining } from './api.js';
import { html, Page, Loaded, Problem, Field, Note, Clock, StateBadge, Progress, nextClock, kinds,
  useLoad, useTick, useEvents, useSession } from './ui.js';

export function NewDemandPage() {
  const cats = useLoad(() => api('GET', '/api/v1/demands/categories'), []);
  const [f, setF] = useState({ category: '', description: '', address: '' });
  const [photos, setPhotos] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  function pick(e) {
    const files = [...e.target.files].slice(0, 9);
    Promise.all(files.map((file) => new Promise((ok) => {
      const r = new FileReader();
      r.onload = () => ok({ file, preview: r.result });
      r.readAsDataURL(file);
    }))).then(setPhotos);
  }
  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    let d = null;
    try {
      const body = { category: f.category, description: f.description.trim() };
      if (f.address.trim()) body.address = f.address.trim();
      d = await api('POST', '/api/v1/demands', body);
      for (const p of photos) await api('POST', '/api/v1/demands/' + d.id + '/photos', p.file);
      location.hash = '#/demand/' + d.id;
    } catch (e) {
      if (d) e.message = '诉求已提交（编号 ' + d.id + '），但照片上传失败：' + e.message;
      setError(e);
    }
    setBusy(false);
  }
  return html`<${Page} title="我要提诉求">
    <${Loaded} state=${cats}>${(c) => {
      const names = new Map(c.items.map((i) => [i.code, i.name]));
      return html`<form class="card form" onSubmit=${submit}>
        <${Field} as="select" label="问题类别" required value=${f.category} onChange=${set('category')}>
          <option value="">请选择</option>
          ${c.items.filter((i) => i.active).map((i) => html`<option value=${i.code}>${i.parent ? names.get(i.parent) + ' › ' + i.name : i.name}</option>`)}<//>
        <${Field} as="textarea" label="问题描述" rows="4" required maxlength="4000" value=${f.description} onInput=${set('description')}
          hint="说清楚什么问题、在哪里、持续多久。" />
        <${Field} label="地点（可不填）" maxlength="60" value=${f.address} onInput=${set('address')} />
        <${Field} label="照片（最多 9 张）" type="file" accept="image/jpeg,image/png,image/webp" multiple onChange=${pick} />
        ${photos.length ? html`<ul class="thumbs">${photos.map((p) => html`<li><img src=${p.preview} alt=${'待上传的照片 ' + p.file.name} /></li>`)}</ul>` : null}
        <${Problem} error=${error} />
        <button class="btn primary" type="submit" disabled=${busy}>${busy ? '正在提交…' : '提交诉求'}</button>
      </form>`;
    }}<//>
  </${Page}>`;
}

function DemandItem({ d }) {
  const c = nextClock(d);
  const r = c && remaining(c.due);
  return html`<li><a class="item demand" href=${'#/demand/' + d.id}>
    <span class="name">${d.title}</span> <${StateBadge} d=${d} />
    <span class="sub">编号 ${d.id} · ${d.category_name} · ${whenShort(d.created_at)}
      ${r ? html` · <b class=${r.late ? 'late' : 'left'}>${(c.name === 'ack' ? '受理' : c.name === 'resolve' ? '办结' : '') + r.text}</b>` : null}</span></a></li>`;
}

export function DemandsPage() {
  const st = useLoad(() => api('GET', '/api/v1/demands?limit=100'), []);
  useEvents('/api/v1/me/events', { 'case.changed': st.reload });
  return html`<${Page} title="我的诉求" actions=${html`<a class="btn primary" href="#/demand/new">我要提诉求</a>`}>
    <${Loaded} state=${st}>${(r) => r.items.length ? html`<ul class="list">${r.items.map((d) => html`<${DemandItem} key=${d.id} d=${d} />`)}</ul>`
      : html`<p class="meta">您还没有提过诉求。</p>`}<//>
  </${Page}>`;
}

/* A live stream of one group's demands (cases:<group>): any event reloads. */
function CaseStream({ gid, onEvent }) {
  const on = () => onEvent();
  useEvents('/api/v1/groups/' + gid + '/cases/events', { 'case.new': on, 'case.changed': on, 'case.escalated': on, 'case.warning': on, 'case.overdue': on });
  return null;
}

export function QueuePage() {
  useTick(30000);
  const st = useLoad(async () => {
    const [list, groups] = await Promise.all([api('GET', '/api/v1/demands?state=open&limit=200'),
      api('GET', '/api/v1/me/groups').catch(() => ({ groups: [] }))]);
    const due = (d) => { const c = nextClock(d); return c ? Date.parse(c.due) : Infinity; };
    const items = list.items.slice().sort((a, b) => due(a) - due(b));
    const gids = groups.groups.filter((g) => g.membership.state === 'active' && g.membership.role !== 'resident').map((g) => g.group.id);
    return { waiting: items.filter((d) => d.state === 'received'), doing: items.filter((d) => d.state !== 'received'), gids };
  }, []);
  return html`<${Page} title="待办诉求">
    <${Loaded} state=${st}>${(q) => html`
      ${q.gids.map((g) => html`<${CaseStream} key=${g} gid=${g} onEvent=${st.reload} />`)}
      <h3>待受理 <span class="count">${q.waiting.length}</span></h3>
      ${q.waiting.length ? html`<ul class="list queue">${q.waiting.map((d) => html`<${DemandItem} key=${d.id} d=${d} />`)}</ul>` : html`<p class="meta">没有待受理的诉求。</p>`}
      <h3>办理中 <span class="count">${q.doing.length}</span></h3>
      ${q.doing.length ? html`<ul class="list queue">${q.doing.map((d) => html`<${DemandItem} key=${d.id} d=${d} />`)}</ul>` : html`<p class="meta">没有办理中的诉求。</p>`}`}<//>
  </${Page}>`;
}

/* What each action asks for beyond the version (docs/api.md, the table of actions). */
const NEEDS = {
  assign: ['assignee'], transfer: ['assignee', 'reason'], redispatch: ['assignee'], escalate: ['reason'],
  return: ['reason', 'basis'], reject_return: ['reason'], whistle: ['unit', 'reason?'], suspend: ['reason'],
  resolve: ['reason'], reopen: ['reason'], merge: ['merge_into', 'reason'], note: ['reason']
};
const REASON = { resolve: '办理结果（做了什么）', return: '退单理由', escalate: '上报理由', note: '备注内容', whistle: '吹哨说明（可不填）',
  suspend: '挂起原因', reopen: '重新办理的原因', transfer: '转办理由', reject_return: '驳回理由', merge: '合并说明' };

/* 交给谁: the cadres and key persons of the group holding the demand. */
function Assignee({ d, value, onChange }) {
  const st = useLoad(() => (d.assignee_group ? api('GET', '/api/v1/groups/' + d.assignee_group + '/members?limit=500')
    .then((r) => r.members.filter((m) => m.role !== 'resident')) : Promise.resolve([])), [d.assignee_group]);
  return html`<${Field} as="select" label="交给谁" value=${value} onChange=${onChange}>
    <option value="">（不指定个人）</option>
    ${(st.data || []).map((m) => html`<option value=${m.user}>${m.name}（${m.role_name}${m.function ? '，' + m.function : ''}）</option>`)}<//>`;
}

function ActionForm({ d, a, onDone, onCancel }) {
  const [f, setF] = useState({});
  const [error, setError] = useState(null);
  const needs = NEEDS[a.action] || [];
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  async function submit(ev) {
    if (ev) ev.preventDefault();
    const body = { action: a.action, version: d.version };
    if (f.reason && f.reason.trim()) body.reason = f.reason.trim();
    if (f.basis) body.basis = f.basis.trim();
    if (f.unit) body.unit = f.unit.trim();
    if (f.user) body.assignee_user = Number(f.user);
    if (f.merge_into) body.merge_into = Number(f.merge_into);
    try { onDone(await api('POST', '/api/v1/demands/' + d.id + '/actions', body)); }
    catch (e) { setError(e); if (e.status === 409) onDone(null); }
  }
  if (!needs.length) {
    return html`<button class="btn primary" type="button" onClick=${() => submit()}>${a.label}</button><${Problem} error=${error} />`;
  }
  return html`<form class="card form action" onSubmit=${submit} aria-label=${a.label}>
    <h4>${a.label}</h4>
    ${needs.includes('assignee') ? html`<${Assignee} d=${d} value=${f.user || ''} onChange=${set('user')} />
      <${Field} label="或交给部门、单位" value=${f.unit || ''} onInput=${set('unit')} />` : null}
    ${needs.includes('unit') ? html`<${Field} label="呼叫的部门（吹哨）" required value=${f.unit || ''} onInput=${set('unit')} />` : null}
    ${needs.includes('merge_into') ? html`<${Field} label="与哪个诉求重复（编号）" type="number" min="1" required value=${f.merge_into || ''} onInput=${set('merge_into')} />` : null}
    ${needs.some((n) => n.startsWith('reason')) ? html`<${Field} as="textarea" rows="2" label=${REASON[a.action] || '说明'}
      required=${needs.includes('reason')} value=${f.reason || ''} onInput=${set('reason')} />` : null}
    ${needs.includes('basis') ? html`<${Field} label="依据（法规、政策或职责）" required value=${f.basis || ''} onInput=${set('basis')} />` : null}
    <${Problem} error=${error} />
    <div class="row"><button class="btn primary" type="submit">确认${a.label}</button>
      <button class="btn ghost" type="button" onClick=${onCancel}>取消</button></div>
  </form>`;
}

function FollowUp({ d, onDone }) {
  const [resolved, setResolved] = useState('true');
  const [rating, setRating] = useState('satisfied');
  const [error, setError] = useState(null);
  async function submit(ev) {
    ev.preventDefault();
    const body = { action: 'follow_up', version: d.version, resolved: resolved === 'true' };
    if (body.resolved) body.rating = rating;
    try { onDone(await api('POST', '/api/v1/demands/' + d.id + '/actions', body)); }
    catch (e) { setError(e); if (e.status === 409) onDone(null); }
  }
  const radio = (name, value, label, cur, set) => html`<label class="choice"><input type="radio" name=${name} value=${value}
    checked=${cur === value} onChange=${() => set(value)} /> ${label}</label>`;
  return html`<form class="card form followup" onSubmit=${submit}>
    <h3>回访：请评价办理结果</h3>
    <fieldset><legend>问题解决了吗？</legend>
      ${radio('resolved', 'true', '已解决', resolved, setResolved)}${radio('resolved', 'false', '没有解决', resolved, setResolved)}</fieldset>
    ${resolved === 'true' ? html`<fieldset><legend>您满意吗？</legend>
      ${radio('rating', 'satisfied', '满意', rating, setRating)}${radio('rating', 'fair', '基本满意', rating, setRating)}${radio('rating', 'dissatisfied', '不满意', rating, setRating)}</fieldset>` : null}
    <${Problem} error=${error} />
    <button class="btn primary" type="submit">提交评价</button>
  </form>`;
}

function Supervise({ d }) {
  const [note, setNote] = useState('');
  const [days, setDays] = useState('5');
  const [done, setDone] = useState('');
  const [error, setError] = useState(null);
  async function submit(ev) {
    ev.preventDefault();
    try {
      const r = await api('POST', '/api/v1/supervision', { object: 'case:' + d.id, note: note.trim(), days: Number(days) });
      setDone('已督办，期限 ' + when(r.deadline) + '。');
      setError(null);
    } catch (e) { setError(e); }
  }
  return html`<details class="card"><summary>督办此诉求</summary><form class="form" onSubmit=${submit}>
    <${Field} as="textarea" rows="2" label="督办要求" required maxlength="500" value=${note} onInput=${(e) => setNote(e.target.value)} />
    <${Field} label="期限（工作日）" type="number" min="1" max="30" value=${days} onInput=${(e) => setDays(e.target.value)} />
    <button class="btn primary" type="submit">发出督办</button><${Note} text=${done} /><${Problem} error=${error} />
  </form></details>`;
}

const STEP = { open: '提交诉求', raise: '提交诉求', acknowledge: '受理', start: '开始办理', assign: '指派', transfer: '转办', escalate: '上报',
  escalated: '升级', return: '退单', redispatch: '改派', reject_return: '驳回退单', whistle: '吹哨', arrive: '报到', suspend: '挂起',
  resume: '恢复办理', resolve: '办结', follow_up: '回访', confirm: '回访确认已解决', reopen: '重新办理', close: '关闭', merge: '合并',
  merged: '被合并', note: '备注', photo: '添加照片', supervise: '督办', 'clock.warning': '时限预警', 'clock.missed': '超时' };
const STATES = { received: '已接收', acknowledged: '已受理', in_progress: '办理中', suspended: '已挂起', returned: '退单待审',
  resolved: '已办结待回访', followed_up: '已回访', closed: '已关闭', merged: '已合并' };

export function DemandPage({ id }) {
  const me = useSession();
  useTick(30000);
  const st = useLoad(() => api('GET', '/api/v1/demands/' + encodeURIComponent(id)), [id]);
  const [open, setOpen] = useState(null);
  const [note, setNote] = useState('');
  useEvents('/api/v1/me/events', { 'case.changed': (e) => { if (JSON.parse(e.data).id === Number(id)) st.reload(); } });
  function done(d) {
    setOpen(null);
    if (d) { st.set(d); setNote('已完成：' + d.state_label); } else st.reload();
  }
  return html`<${Page} title=${'诉求 ' + id}>
    <${Loaded} state=${st}>${(d) => {
      const acts = d.actions.filter((a) => a.action !== 'follow_up' && a.action !== 'confirm');
      const follow = d.actions.some((a) => a.action === 'follow_up') && d.resident_id === me.id;
      return html`<div class="card">
        <h3 class="dtitle">${d.title} <${StateBadge} d=${d} /></h3>
        <${Progress} d=${d} />
        <p class="meta">${d.category_name} · 提交于 ${when(d.created_at)}${d.address ? ' · ' + d.address : ''}${d.unit ? ' · 承办：' + d.unit : ''}
          ${d.rating ? ' · 评价：' + { satisfied: '满意', fair: '基本满意', dissatisfied: '不满意' }[d.rating] : ''}</p>
        <p class="text">${d.description}</p>
        ${d.clocks.length ? html`<ul class="clocks" aria-label="办理时限">${d.clocks.map((c) => html`<${Clock} c=${c} />`)}</ul>` : null}
        ${d.photos && d.photos.length ? html`<ul class="thumbs">${d.photos.map((p, i) => html`<li><a href=${p.url}><img src=${p.url} alt=${'诉求照片 ' + (i + 1)} /></a></li>`)}</ul>` : null}
      </div>
      <${Note} text=${note} />
      ${follow ? html`<${FollowUp} d=${d} onDone=${done} />` : null}
      ${acts.length ? html`<div class="card"><h3>办理</h3><div class="actions">
        ${acts.map((a) => (NEEDS[a.action] ? html`<button type="button" class=${'btn' + (open === a.action ? ' on' : '')}
          aria-expanded=${open === a.action} onClick=${() => setOpen(open === a.action ? null : a.action)}>${a.label}</button>`
          : html`<${ActionForm} key=${a.action} d=${d} a=${a} onDone=${done} />`))}</div>
        ${open ? html`<${ActionForm} key=${open} d=${d} a=${acts.find((a) => a.action === open) || { action: open, label: open }}
          onDone=${done} onCancel=${() => setOpen(null)} />` : null}</div>` : null}
      ${kinds(me).supervisor && !['closed', 'merged'].includes(d.state) ? html`<${Supervise} d=${d} />` : null}
      <div class="card"><h3>办理记录</h3><ol class="timeline">
        ${(d.timeline || []).map((t) => html`<li><time datetime=${t.at}>${whenShort(t.at)}</time>
          <b>${STEP[t.action] || t.action}</b>${t.to && t.to !== t.from ? ' → ' + (STATES[t.to] || t.to) : ''}${t.detail && t.action !== 'photo' ? html`<span class="detail">${t.detail}</span>` : null}</li>`)}
      </ol></div>`;
    }}<//>
  </${Page}>`;
}
