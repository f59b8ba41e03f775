/* 便民 front page: service status and the region browser (区划浏览).
 * No dependencies; text is set with textContent only (never innerHTML). */
'use strict';
(function () {
  var HOME = '990101';
  var ERR = {
    invalid: '输入有误', not_found: '未找到', conflict: '数据冲突', forbidden: '无权访问',
    unauthenticated: '请先登录', too_large: '内容过大', unsupported_media_type: '格式不支持',
    method_not_allowed: '不支持的操作', database_error: '数据库出错', io_error: '读写出错',
    unavailable: '服务暂不可用', internal: '服务器内部错误'
  };
  var $ = function (id) { return document.getElementById(id); };
  var seq = { region: 0, search: 0 };
  var moved = false;

  /* Empty node, then append the others (replaceChildren is too new for older Android WebViews). */
  function fill(node) {
    node.textContent = '';
    for (var i = 1; i < arguments.length; i++) node.append(arguments[i]);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /* GET a JSON document; rejects with a Chinese message that quotes the server's. */
  async function api(path) {
    var r;
    try {
      r = await fetch(path, { headers: { Accept: 'application/json' } });
    } catch (e) {
      throw new Error('无法连接服务器，请检查网络后重试。');
    }
    var body = null;
    try { body = await r.json(); } catch (e) { /* not JSON */ }
    if (r.ok && body) return body;
    var e = body && body.error;
    var msg = (e && ERR[e.code] || '请求失败') + '（HTTP ' + r.status + '）';
    if (e && e.message) msg += '：' + e.message;
    if (e && e.request_id) msg += '（请求编号 ' + e.request_id + '）';
    throw new Error(msg);
  }

  function showError(id, msg) {
    var p = $(id);
    p.textContent = msg || '';
    p.hidden = !msg;
  }

  function path(parents) {
    return parents.map(function (p) { return p.name; }).join(' › ');
  }

  /* A region as a button that opens it; extra is shown after (cls 'cnt') or below ('sub'). */
  function regionButton(r, extra, cls) {
    var b = el('button', 'item');
    b.type = 'button';
    b.append(el('span', 'name', r.name), el('span', 'tag', r.level_name));
    if (extra) b.append(el('span', cls, extra));
    b.addEventListener('click', function () { go(r.code); });
    return b;
  }

  function go(code) {
    moved = true;
    if (location.hash === '#/' + code) show(code);
    else location.hash = '#/' + code;
  }

  async function status() {
    var box = $('status'), text = $('status-text');
    try {
      var h = await api('/healthz');
      box.className = 'status ok';
      text.textContent = '服务正常 · 数据库 ' + h.db + ' · 结构版本 ' + h.schema;
    } catch (e) {
      box.className = 'status bad';
      text.textContent = '服务异常：' + e.message;
    }
  }

  async function show(code) {
    var n = ++seq.region;
    var here = $('here'), meta = $('here-meta'), kids = $('children'), crumbs = $('crumbs');
    here.textContent = '正在加载…';
    $('browser').setAttribute('aria-busy', 'true');
    try {
      var r = await api('/api/v1/regions/' + encodeURIComponent(code));
      if (n !== seq.region) return;
      showError('region-error', '');
      fill(crumbs);
      r.parents.forEach(function (p) {
        var li = el('li');
        var b = el('button', 'link', p.name);
        b.type = 'button';
        b.addEventListener('click', function () { go(p.code); });
        li.append(b);
        crumbs.append(li);
      });
      var cur = el('li', null, r.name);
      cur.setAttribute('aria-current', 'page');
      crumbs.append(cur);
      here.textContent = r.name;
      meta.textContent = r.level_name + ' · 区划代码 ' + r.code +
        (r.child_count ? ' · 下级区划 ' + r.child_count + ' 个' : ' · 没有下级区划');
      fill(kids);
      r.children.forEach(function (c) {
        var li = el('li');
        li.append(regionButton(c, c.child_count ? c.child_count + ' 个下级' : '', 'cnt'));
        kids.append(li);
      });
      document.title = r.name + ' · 便民';
      if (moved) here.focus();
    } catch (e) {
      if (n !== seq.region) return;
      here.textContent = '无法显示该区划';
      meta.textContent = code === HOME ? '可以用上面的搜索框查找区划。' : '';
      fill(crumbs);
      fill(kids);
      if (code !== HOME) {
        var li = el('li', 'wide'), b = el('button', 'item', '回到便民县（演示）');
        b.type = 'button';
        b.addEventListener('click', function () { go(HOME); });
        li.append(b);
        kids.append(li);
      }
      showError('region-error', e.message);
    } finally {
      if (n === seq.region) $('browser').removeAttribute('aria-busy');
    }
  }

  async function search(ev) {
    ev.preventDefault();
    var q = $('q').value.trim(), out = $('results');
    if (!q) {
      showError('search-error', '请输入要搜索的名称。');
      $('q').focus();
      return;
    }
    var n = ++seq.search;
    fill(out, el('p', 'meta', '正在搜索…'));
    try {
      var res = await api('/api/v1/regions?limit=20&q=' + encodeURIComponent(q));
      if (n !== seq.search) return;
      showError('search-error', '');
      var hits = res.results;
      var head = el('h3', null, hits.length ? '搜索结果：' + hits.length + ' 个' +
        (hits.length === 20 ? '（只显示前 20 个）' : '') : '没有名称含“' + q + '”的区划');
      var ul = el('ul', 'list');
      hits.forEach(function (h) {
        var li = el('li');
        li.append(regionButton(h, path(h.parents) || '（省级）', 'sub'));
        ul.append(li);
      });
      fill(out, head, ul);
    } catch (e) {
      if (n !== seq.search) return;
      fill(out);
      showError('search-error', e.message);
    }
  }

  function route() {
    var m = /^#\/(\d{1,12})$/.exec(location.hash);
    show(m ? m[1] : HOME);
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('search').addEventListener('submit', search);
    window.addEventListener('hashchange', function () { moved = true; route(); });
    status();
    setInterval(status, 60000);
    route();
  });
})();
