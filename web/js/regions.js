/* regions.js - 区划浏览: the public region browser (search by name, open a
 * region with its parents and children). Needs no sign-in. */
import { useState } from '../vendor/hooks.mjs';
import { api } from './api.js';
import { html, Page, Loaded, Problem, useLoad } from './ui.js';

const HOME = '990101';

function Search() {
  const [q, setQ] = useState('');
  const [res, setRes] = useState(null);
  const [error, setError] = useState(null);
  async function submit(ev) {
    ev.preventDefault();
    if (!q.trim()) { setError(new Error('请输入要搜索的名称。')); return; }
    try {
      setRes(await api('GET', '/api/v1/regions?limit=20&q=' + encodeURIComponent(q.trim())));
      setError(null);
    } catch (e) { setError(e); }
  }
  return html`<form class="search" role="search" onSubmit=${submit}>
    <label for="q">按名称搜索乡镇、村、社区</label>
    <div class="row"><input id="q" type="search" maxlength="50" placeholder="例如：丁集" value=${q}
      onInput=${(e) => setQ(e.target.value)} /><button class="btn primary" type="submit">搜索</button></div>
    <${Problem} error=${error} />
    ${res ? html`<div aria-live="polite"><h3>${res.results.length ? '搜索结果：' + res.results.length + ' 个' : '没有名称含“' + q + '”的区划'}</h3>
      <ul class="list">${res.results.map((r) => html`<li><a class="item" href=${'#/regions/' + r.code}>
        <span class="name">${r.name}</span> <span class="tag">${r.level_name}</span>
        <span class="sub">${r.parents.map((p) => p.name).join(' › ') || '（省级）'}</span></a></li>`)}</ul></div>` : null}
  </form>`;
}

export function RegionsPage({ code }) {
  const c = code || HOME;
  const st = useLoad(() => api('GET', '/api/v1/regions/' + encodeURIComponent(c)), [c]);
  return html`<${Page} title="区划浏览">
    <div class="card"><${Search} /></div>
    <${Loaded} state=${st}>${(r) => html`<div class="card">
      <nav aria-label="当前位置"><ol class="crumbs">
        ${r.parents.map((p) => html`<li><a href=${'#/regions/' + p.code}>${p.name}</a></li>`)}
        <li aria-current="page">${r.name}</li></ol></nav>
      <h3>${r.name}</h3>
      <p class="meta">${r.level_name} · 区划代码 ${r.code}${r.child_count ? ' · 下级区划 ' + r.child_count + ' 个' : ' · 没有下级区划'}</p>
      <ul class="list grid">${r.children.map((k) => html`<li><a class="item" href=${'#/regions/' + k.code}>
        <span class="name">${k.name}</span> <span class="tag">${k.level_name}</span></a></li>`)}</ul>
    </div>`}<//>
  </${Page}>`;
}
