/* groups.js - the service network's pages: my groups, a group's live chat
 * (Server-Sent Events, images, hiding with a reason for its managers, the
 * join QR code), joining by a group's link or an invitation code, who is on
 * duty, policy broadcasts to the groups below and the notices a resident
 * received. What a group shows is what the API lets the caller see. */
import { useState, useEffect, useRef } from '../vendor/hooks.mjs';
import { api, whenShort, when } from './api.js';
import { html, Page, Loaded, Problem, Field, Note, useLoad, useEvents, useSession } from './ui.js';
import { LoginForm } from './login.js';

const myGroups = () => api('GET', '/api/v1/me/groups').then((r) => r.groups);
const ROLE = { owner: '群主', admin: '管理员', key_person: '关键人员', resident: '居民' };

/* 今日值班: who answers now in each group where the person is a manager. */
export function DutyCard() {
  const st = useLoad(async () => {
    const gs = (await myGroups()).filter((g) => g.membership.state === 'active' && g.membership.role !== 'resident');
    return Promise.all(gs.map(async (g) => ({ g: g.group, duty: await api('GET', '/api/v1/groups/' + g.group.id + '/duty') })));
  }, []);
  return html`<div class="card duty" aria-labelledby="duty-title"><h3 id="duty-title">今日值班</h3>
    <${Loaded} state=${st}>${(list) => list.length ? html`<ul class="plain">${list.map(({ g, duty }) => html`<li>
      <a href=${'#/group/' + g.id}>${g.name}</a>：
      <b class="on-duty">${duty.now && duty.now.user ? duty.now.user.name : '无人值班'}</b>
      <span class="meta"> ${duty.in_duty_hours ? '值班中' : '值班时间外'}（${g.duty_hours.start}–${g.duty_hours.end}）
      ${duty.next && duty.next.user ? ' · 下一班 ' + duty.next.user.name : ''}</span></li>`)}</ul>`
      : html`<p class="meta">您不是任何群的群主或管理员。</p>`}<//>
  </div>`;
}

export function GroupsPage() {
  const st = useLoad(myGroups, []);
  return html`<${Page} title="我的群">
    <${Loaded} state=${st}>${(gs) => gs.length ? html`<ul class="list">${gs.map(({ group: g, membership: m }) => html`<li>
      <a class="item" href=${'#/group/' + g.id}><span class="name">${g.name}</span> <span class="tag">${g.kind_name}</span>
        <span class="sub">${ROLE[m.role] || m.role} · ${m.state === 'active' ? g.members + ' 人' : m.state === 'pending' ? '等待审核' : '已退出'}</span></a></li>`)}</ul>`
      : html`<p>您还没有加入任何群。请扫描村里的入群二维码，或 <a href="#/join">输入入群链接</a>。</p>`}<//>
  </${Page}>`;
}

function Message({ m, manager, onHide }) {
  const [hiding, setHiding] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const gone = m.state !== 'visible';
  async function hide(ev) {
    ev.preventDefault();
    try { onHide(await api('POST', '/api/v1/messages/' + m.id + '/hide', { reason: reason.trim() })); setHiding(false); }
    catch (e) { setError(e); }
  }
  return html`<li class=${'msg' + (m.kind === 'broadcast' ? ' bc' : '') + (gone ? ' gone' : '')} data-id=${m.id}>
    <div class="msg-head"><b>${m.author.name || '（外部）'}</b> <time datetime=${m.at}>${whenShort(m.at)}</time>
      ${m.kind === 'broadcast' ? html` <span class="tag">广播</span>` : null}</div>
    ${gone && !m.text ? html`<p class="notice">${m.notice || (m.state === 'recalled' ? '消息已撤回' : '该消息已被管理员隐藏')}</p>` : null}
    ${m.text ? html`<p class="text">${m.text}</p>` : null}
    ${m.image ? html`<img class="photo" alt="群里发送的图片" loading="lazy" src=${'/api/v1/groups/' + m.group + '/images/' + m.image} />` : null}
    ${gone && m.text ? html`<p class="notice">${m.state === 'hidden' ? '已隐藏' + (m.reason ? '：' + m.reason : '') : '已撤回'}（仅管理员可见原文）</p>` : null}
    ${manager && !gone ? (hiding ? html`<form class="inline" onSubmit=${hide}>
        <${Field} label="隐藏理由" required maxlength="100" value=${reason} onInput=${(e) => setReason(e.target.value)} />
        <button class="btn" type="submit">确认隐藏</button> <button class="btn ghost" type="button" onClick=${() => setHiding(false)}>取消</button>
        <${Problem} error=${error} /></form>`
      : html`<button class="linkbtn small" type="button" onClick=${() => setHiding(true)}>隐藏</button>`) : null}
  </li>`;
}

export function ChatPage({ id }) {
  const gst = useLoad(() => Promise.all([api('GET', '/api/v1/groups/' + id), api('GET', '/api/v1/groups/' + id + '/duty')]), [id]);
  const [msgs, setMsgs] = useState(null);
  const [error, setError] = useState(null);
  const [text, setText] = useState('');
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [sendError, setSendError] = useState(null);
  const list = useRef(null);
  const fileInput = useRef(null);

  const merge = (items) => setMsgs((old) => {
    const byId = new Map((old || []).map((m) => [m.id, m]));
    items.forEach((m) => byId.set(m.id, { ...byId.get(m.id), ...m }));
    return [...byId.values()].sort((a, b) => a.id - b.id);
  });
  useEffect(() => {
    setMsgs(null);
    api('GET', '/api/v1/groups/' + id + '/messages?limit=50').then((r) => merge(r.messages), setError);
  }, [id]);
  useEvents(gst.data ? '/api/v1/groups/' + id + '/events' : null, {
    open: () => setMsgs((old) => {
      const last = old && old.length ? old[old.length - 1].id : 0;
      if (last) api('GET', '/api/v1/groups/' + id + '/messages?after=' + last + '&limit=200').then((r) => merge(r.messages), () => {});
      return old;
    }),
    message: (e) => merge([JSON.parse(e.data)]),
    'message.changed': (e) => api('GET', '/api/v1/messages/' + JSON.parse(e.data).id).then((m) => merge([m]), () => {})
  });
  useEffect(() => { if (list.current) list.current.scrollTop = list.current.scrollHeight; }, [msgs && msgs.length]);

  async function send(ev) {
    ev.preventDefault();
    if (!text.trim() && !file) { setSendError(new Error('请输入消息内容或选择图片。')); return; }
    setBusy(true);
    setSendError(null);
    try {
      const body = {};
      if (text.trim()) body.text = text.trim();
      if (file) body.image = (await api('POST', '/api/v1/groups/' + id + '/images', file)).image;
      merge([await api('POST', '/api/v1/groups/' + id + '/messages', body)]);
      setText('');
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
    } catch (e) { setSendError(e); }
    setBusy(false);
  }

  if (gst.error) return html`<${Page} title="服务群"><${Problem} error=${gst.error} /></${Page}>`;
  if (!gst.data) return html`<${Page} title="服务群"><p class="meta" role="status">正在加载…</p></${Page}>`;
  const [g, duty] = gst.data;
  const manager = !!g.join_url;
  const code = manager ? g.join_url.split('/').pop() : '';
  return html`<${Page} title=${g.name}>
    <p class="meta">${g.kind_name} · ${g.members} 人 · 值班：<b class="on-duty">${duty.now && duty.now.user ? duty.now.user.name : '无人值班'}</b>
      （${g.duty_hours.start}–${g.duty_hours.end}${duty.in_duty_hours ? '，值班中' : '，值班时间外'}）</p>
    ${manager ? html`<details class="card"><summary>入群二维码和链接</summary>
      <img class="qr" alt=${g.name + '的入群二维码'} src=${'/api/v1/groups/' + g.id + '/qr'} width="200" height="200" />
      <p class="small">入群链接：<code>${location.origin + '/join/' + code}</code></p></details>` : null}
    ${error ? html`<${Problem} error=${error} />` : null}
    <ol class="chat" ref=${list} aria-live="polite" aria-label="聊天记录">
      ${msgs === null ? html`<li class="meta">正在加载消息…</li>` : msgs.length === 0 ? html`<li class="meta">还没有消息。</li>` : null}
      ${(msgs || []).map((m) => html`<${Message} key=${m.id} m=${m} manager=${manager} onHide=${(x) => merge([x])} />`)}
    </ol>
    <form class="composer" onSubmit=${send}>
      <${Field} as="textarea" label="消息" rows="2" maxlength="2000" placeholder="说点什么…" value=${text}
        onInput=${(e) => setText(e.target.value)} />
      <div class="row">
        <label class="btn ghost file">图片<input type="file" accept="image/*" ref=${fileInput} onChange=${(e) => setFile(e.target.files[0] || null)} /></label>
        ${file ? html`<span class="small">${file.name}</span>` : null}
        <button class="btn primary" type="submit" disabled=${busy}>${busy ? '正在发送…' : '发送'}</button>
      </div>
      <${Problem} error=${sendError} />
    </form>
  </${Page}>`;
}

/* The code of a pasted link (…/join/CODE, …#/join/CODE) or the code itself. */
function codeOf(s) {
  const t = s.trim();
  const m = /\/join\/([^/?#\s]+)\s*$/.exec(t);
  return m ? m[1] : t.replace(/\s+/g, '');
}

function Register({ code, setMe }) {
  const [f, setF] = useState({ name: '', phone: '', password: '' });
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  async function submit(ev) {
    ev.preventDefault();
    try {
      const s = await api('POST', '/api/v1/invites/accept', { code, name: f.name.trim(), phone: f.phone.trim(), password: f.password });
      setMe(s.user);
      location.hash = '#/';
    } catch (e) { setError(e); }
  }
  return html`<form class="card form" onSubmit=${submit}>
    <h3>用邀请码注册</h3>
    <p class="meta">邀请码：<code>${code}</code></p>
    <${Field} label="姓名" required maxlength="30" autocomplete="name" value=${f.name} onInput=${set('name')} />
    <${Field} label="手机号" type="tel" inputmode="numeric" required autocomplete="tel" value=${f.phone} onInput=${set('phone')} />
    <${Field} label="设置密码" type="password" required autocomplete="new-password" value=${f.password} onInput=${set('password')}
      hint="至少 8 位，含字母、数字和符号，不要包含手机号。" />
    <${Problem} error=${error} />
    <button class="btn primary" type="submit">注册并登录</button>
  </form>`;
}

export function JoinPage({ code, me, setMe }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const st = useLoad(() => (code ? api('GET', '/api/v1/join/' + encodeURIComponent(code)).catch((e) => {
    if (e.status === 404) return { invitation: true };
    throw e;
  }) : Promise.resolve(null)), [code]);
  async function join() {
    try {
      const r = await api('POST', '/api/v1/join/' + encodeURIComponent(code));
      if (r.membership.state === 'active') location.hash = '#/group/' + r.membership.group;
      else setDone('已申请加入，等待群管理员审核。');
    } catch (e) { setError(e); }
  }
  if (!code) {
    return html`<${Page} title="加入群 / 邀请注册">
      <form class="card form" onSubmit=${(e) => { e.preventDefault(); if (typed.trim()) location.hash = '#/join/' + encodeURIComponent(codeOf(typed)); }}>
        <${Field} label="入群链接或邀请码" value=${typed} onInput=${(e) => setTyped(e.target.value)}
          hint="扫描二维码会直接打开入群页面；也可以把链接或邀请码粘贴在这里。" />
        <button class="btn primary" type="submit">下一步</button>
      </form></${Page}>`;
  }
  return html`<${Page} title="加入服务群">
    <${Loaded} state=${st}>${(g) => g.invitation
      ? (me ? html`<p>这是一个邀请码，您已登录为 ${me.name}，无需再注册。<a href="#/">回到首页</a></p>` : html`<${Register} code=${code} setMe=${setMe} />`)
      : html`<div class="card">
        <h3>${g.name}</h3><p class="meta">${g.kind_name || g.kind}${g.approval ? ' · 需群管理员审核' : ''}</p>
        ${me ? html`<button class="btn primary" type="button" onClick=${join}>加入本群</button>`
          : html`<p>请先登录，再加入本群。</p><${LoginForm} title="登录后加入" onDone=${setMe} />`}
        <${Note} text=${done} /><${Problem} error=${error} />
      </div>`}<//>
  </${Page}>`;
}

export function BroadcastPage() {
  const st = useLoad(async () => (await myGroups()).filter(({ group: g, membership: m }) =>
    m.state === 'active' && (m.role === 'owner' || m.role === 'admin') && (g.kind === 'town' || g.kind === 'county')), []);
  const [gid, setGid] = useState('');
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  async function send(ev) {
    ev.preventDefault();
    setError(null);
    try {
      const r = await api('POST', '/api/v1/groups/' + (gid || st.data[0].group.id) + '/broadcasts', { text: text.trim() });
      setNote('已发送到 ' + r.groups + ' 个群。');
      setText('');
    } catch (e) { setError(e); }
  }
  return html`<${Page} title="政策广播">
    <${Loaded} state=${st}>${(gs) => gs.length ? html`<form class="card form" onSubmit=${send}>
      <${Field} as="select" label="从哪个群发出" value=${gid} onChange=${(e) => setGid(e.target.value)}>
        ${gs.map(({ group: g }) => html`<option value=${g.id}>${g.name}（${g.kind_name}）</option>`)}<//>
      <${Field} as="textarea" label="广播内容" rows="4" required maxlength="2000" value=${text} onInput=${(e) => setText(e.target.value)}
        hint="发到本群和下级所有村、社区的服务群。" />
      <button class="btn primary" type="submit">发送广播</button>
      <${Note} text=${note} /><${Problem} error=${error} />
    </form>` : html`<p>只有乡镇群或县级群的群主、管理员可以发送广播。</p>`}<//>
  </${Page}>`;
}

export function NoticesPage() {
  const me = useSession();
  const st = useLoad(async () => {
    const gs = (await myGroups()).filter((g) => g.membership.state === 'active');
    const lists = await Promise.all(gs.map((g) => api('GET', '/api/v1/groups/' + g.group.id + '/messages?limit=200')
      .then((r) => r.messages.filter((m) => m.kind === 'broadcast' && m.state === 'visible').map((m) => ({ ...m, groupName: g.group.name })))));
    return lists.flat().sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  }, [me && me.id]);
  return html`<${Page} title="通知公告">
    <${Loaded} state=${st}>${(ms) => ms.length ? html`<ul class="list">${ms.map((m) => html`<li class="card notice-item">
      <p class="text">${m.text}</p><p class="meta">${m.groupName} · <time datetime=${m.at}>${when(m.at)}</time></p></li>`)}</ul>`
      : html`<p class="meta">暂时没有通知。</p>`}<//>
  </${Page}>`;
}
