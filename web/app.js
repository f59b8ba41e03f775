/* app.js - the 便民 web front end's entry: who is signed in, the hash routes
 * (#/...) and the page shell (header, navigation by role, sign-in). A group's
 * join link /join/CODE is served this same page, which reads the code from
 * its address. Pages live in js/*.js; the dashboard loads ECharts only when
 * it opens. Text is rendered through htm/Preact templates, which escape. */
import { render } from './vendor/preact.mjs';
import { useState, useEffect } from './vendor/hooks.mjs';
import { api, syncClock, onSignedOut } from './js/api.js';
import { html, Session, kinds, Page, Problem } from './js/ui.js';
import { LoginForm } from './js/login.js';
import { RegionsPage } from './js/regions.js';
import { GroupsPage, ChatPage, JoinPage, BroadcastPage, NoticesPage, DutyCard } from './js/groups.js';
import { NewDemandPage, DemandsPage, QueuePage, DemandPage } from './js/demands.js';
import { AlertsPage, SupervisionPage } from './js/supervise.js';

/* The route: the hash's parts, or ['join', CODE] for /join/CODE. */
function parseRoute() {
  const m = /^\/join\/([^/]+)$/.exec(location.pathname);
  if (m && !location.hash) return ['join', decodeURIComponent(m[1])];
  const parts = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean);
  return parts.map(decodeURIComponent);
}


function Home({ me }) {
  const k = kinds(me);
  const tiles = [];
  if (k.resident) {
    tiles.push(['#/demand/new', '我要提诉求', '拍照反映问题，村里及时办理'], ['#/demands', '我的诉求', '查看进度和办理记录'],
      ['#/groups', '我的群', '在群里和村干部交流'], ['#/notices', '通知公告', '政策和通知']);
  }
  if (k.cadre) {
    tiles.push(['#/queue', '待办诉求', '按时限排序，先办最急的'], ['#/groups', '服务群', '值班答复、管理群消息'],
      ['#/broadcast', '政策广播', '发到下级所有群'], ['#/supervision', '督办通报', '查看并确认督办'],
      ['#/dashboard', '数据看板', '本村的响应率、解决率、满意率']);
  }
  if (k.supervisor) {
    tiles.push(['#/dashboard', '数据看板', '响应率、解决率、满意率'], ['#/alerts', '巡群预警', '实时预警'],
      ['#/supervision', '督办通报', '督办和月度通报']);
  }
  const seen = new Set();
  return html`<${Page} title=${'您好，' + me.name}>
    <p class="meta">${me.roles.map((r) => r.role_name).join('、')}</p>
    ${k.cadre ? html`<${DutyCard} />` : null}
    <ul class="tiles">${tiles.filter(([href]) => !seen.has(href) && seen.add(href)).map(([href, t, s]) =>
      html`<li><a class="tile" href=${href}><b>${t}</b><span>${s}</span></a></li>`)}</ul>
  </${Page}>`;
}

function Nav({ me, onLogout }) {
  const k = kinds(me);
  const links = [['#/', '首页']];
  if (k.resident) links.push(['#/demands', '我的诉求'], ['#/notices', '通知']);
  links.push(['#/groups', '群']);
  if (k.cadre) links.push(['#/queue', '待办']);
  if (k.supervisor || k.cadre) links.push(['#/dashboard', '看板']);
  if (k.supervisor) links.push(['#/alerts', '预警']);
  if (k.cadre || k.supervisor) links.push(['#/supervision', '督办']);
  const here = '#/' + (parseRoute()[0] || '');
  return html`<nav class="nav" aria-label="主菜单"><ul>
    ${links.map(([href, t]) => html`<li><a href=${href} aria-current=${href === here ? 'page' : undefined}>${t}</a></li>`)}
    <li><button type="button" class="linkbtn" onClick=${onLogout}>退出</button></li>
  </ul></nav>`;
}

/* Ids from the address go into API paths: digits only, or no such page. */
const isId = (x) => /^\d+$/.test(x || '');

function NotFound() {
  return html`<${Page} title="页面不存在"><p>没有这个页面。<a href="#/">回到首页</a></p></${Page}>`;
}

function Routes({ route, me, setMe }) {
  const [a, b] = route;
  if (a === 'join') return html`<${JoinPage} code=${b} me=${me} setMe=${setMe} />`;
  if (a === 'regions') return html`<${RegionsPage} code=${b} />`;
  if (!me) {
    return html`<${Page} title="登录">
      <${LoginForm} onDone=${setMe} />
      <p class="meta">没有账号？请用村干部给您的邀请链接注册，或 <a href="#/join">输入邀请码</a>。也可以先 <a href="#/regions">浏览区划</a>。</p>
    </${Page}>`;
  }
  switch (a) {
    case undefined: case 'login': return html`<${Home} me=${me} />`;
    case 'groups': return html`<${GroupsPage} />`;
    case 'group': return isId(b) ? html`<${ChatPage} id=${b} />` : html`<${NotFound} />`;
    case 'notices': return html`<${NoticesPage} />`;
    case 'broadcast': return html`<${BroadcastPage} />`;
    case 'demands': return html`<${DemandsPage} />`;
    case 'queue': return html`<${QueuePage} />`;
    case 'demand':
      if (b === 'new') return html`<${NewDemandPage} />`;
      return isId(b) ? html`<${DemandPage} id=${b} />` : html`<${NotFound} />`;
    case 'alerts': return html`<${AlertsPage} />`;
    case 'supervision': return html`<${SupervisionPage} />`;
    case 'dashboard': return html`<${DashboardLazy} />`;
    default: return html`<${NotFound} />`;
  }
}

/* The dashboard's module (and ECharts with it) is fetched only when opened. */
function DashboardLazy() {
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { import('./js/dashboard.js').then(setMod, setError); }, []);
  if (error) return html`<${Problem} error=${new Error('看板加载失败，请刷新重试')} />`;
  return mod ? html`<${mod.DashboardPage} />` : html`<p class="meta" role="status">正在加载看板…</p>`;
}

function App() {
  const [me, setMe] = useState(undefined);
  const [route, setRoute] = useState(parseRoute());
  const [health, setHealth] = useState(null);
  useEffect(() => {
    const on = () => {
      setRoute(parseRoute());
      const t = document.getElementById('page-title');
      if (t) setTimeout(() => { const n = document.getElementById('page-title'); if (n) n.focus(); }, 0);
    };
    window.addEventListener('hashchange', on);
    onSignedOut(() => setMe(null));
    syncClock().then(setHealth, (e) => setHealth({ error: e.message }));
    api('GET', '/api/v1/me').then(setMe, () => setMe(null));
    return () => window.removeEventListener('hashchange', on);
  }, []);
  async function logout() {
    try { await api('POST', '/api/v1/auth/logout'); } catch (e) { /* signed out anyway */ }
    setMe(null);
    location.hash = '#/';
  }
  return html`<${Session.Provider} value=${me}>
    <header class="top"><div class="wrap bar">
      <h1><a href="#/">便民</a> <span class="sub">· 县域便民服务平台</span></h1>
      ${me ? html`<span class="who">${me.name}</span>` : null}
    </div>
    ${me ? html`<div class="wrap"><${Nav} me=${me} onLogout=${logout} /></div>` : null}
    </header>
    <main id="main" class="wrap">
      ${me === undefined ? html`<p class="meta" role="status">正在加载…</p>` : html`<${Routes} route=${route} me=${me} setMe=${setMe} />`}
    </main>
    <footer class="wrap foot">
      <p>${health && health.error ? html`<span class="bad">服务异常：${health.error}</span>` : health ? '服务正常' : ''}
        · 演示数据：便民县（演示），区划代码 990101，并非真实区划 · <a href="#/regions">区划浏览</a> · <a href="/api/v1/openapi.json">接口文档</a></p>
    </footer>
  </${Session.Provider}>`;
}

render(html`<${App} />`, document.getElementById('app'));
