/* dashboard.js - 数据看板: 响应率, 解决率, 满意率 and 一线解决率 of a region
 * over a period, the last days (or months) as a line, and its towns or
 * villages as bars and a table, each drilling down county → town → village;
 * CSV and XLSX export links. The only page that loads Apache ECharts: app.js
 * imports this module when the dashboard opens. Figures come from
 * GET /api/v1/stats, which also decides the region scope. */
import { useEffect, useRef, useState } from '../vendor/hooks.mjs';
import * as echarts from '../vendor/echarts.mjs';
import { api, serverNow, chinaDay, pct, num, dayLabel } from './api.js';
import { html, Page, Loaded, useLoad, useSession, regionOf, SUPERVISOR_ROLES, query } from './ui.js';

const RATES = [['response', '响应率'], ['resolution', '解决率'], ['satisfaction', '满意率'], ['first_line', '一线解决率']];
const PERIODS = [['today', '今日'], ['7d', '近 7 天'], ['month', '本月']];
const DAY = 86400000;
const dayMs = (d) => Date.parse(d + 'T00:00:00+08:00');
const addDays = (d, n) => chinaDay(dayMs(d) + n * DAY);
const byFor = (region) => (region.length === 6 ? 'town' : region.length === 9 ? 'village' : '');

/* from/to (to exclusive) of a preset, and the points of its trend line. */
function period(p) {
  const today = chinaDay(serverNow());
  if (p === 'month') {
    const m = today.slice(0, 7);
    const months = [];
    let y = Number(m.slice(0, 4)), mo = Number(m.slice(5));
    for (let i = 0; i < 6; i++) {
      months.unshift(y + '-' + String(mo).padStart(2, '0'));
      if (--mo === 0) { mo = 12; y--; }
    }
    return { from: m, to: '', points: months.map((x) => ({ from: x, label: Number(x.slice(5)) + '月' })) };
  }
  const days = [];
  for (let i = 6; i >= 0; i--) { const d = addDays(today, -i); days.push({ from: d, label: dayLabel(new Date(dayMs(d))) }); }
  return { from: p === '7d' ? addDays(today, -6) : today, to: p === '7d' ? addDays(today, 1) : '', points: days };
}

function Chart({ option, label, onClick }) {
  const el = useRef(null);
  useEffect(() => {
    const c = echarts.init(el.current, null, { renderer: 'canvas' });
    c.setOption(option);
    if (onClick) c.on('click', onClick);
    const resize = () => c.resize();
    window.addEventListener('resize', resize);
    return () => { window.removeEventListener('resize', resize); c.dispose(); };
  }, [JSON.stringify(option)]);
  return html`<div class="chart" ref=${el} role="img" aria-label=${label}></div>`;
}

const pctAxis = { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v) => Math.round(v * 100) + '%' } };
const tooltip = { trigger: 'axis', valueFormatter: (v) => (v == null ? '无数据' : pct(v)) };

export function DashboardPage() {
  const me = useSession();
  const q = query();
  const asked = q.get('region') || '';
  /* a region code from the address goes into API queries: digits only */
  const region = (/^\d+$/.test(asked) && asked) || regionOf(me, SUPERVISOR_ROLES) || regionOf(me);
  const p = q.get('p') || 'today';
  const go = (r, pp) => { location.hash = '#/dashboard?region=' + r + '&p=' + (pp || p); };
  const st = useLoad(async () => {
    const per = period(p);
    const by = byFor(region);
    const args = 'region=' + region + '&from=' + per.from + (per.to ? '&to=' + per.to : '');
    const [stats, place, trend] = await Promise.all([
      api('GET', '/api/v1/stats?' + args + (by ? '&by=' + by : '')),
      api('GET', '/api/v1/regions/' + region),
      Promise.all(per.points.map((x) => api('GET', '/api/v1/stats?region=' + region + '&from=' + x.from).then((s) => ({ ...x, s: s.total }))))
    ]);
    return { stats, place, trend, args, by };
  }, [region, p]);
  return html`<${Page} title="数据看板">
    <div class="row toolbar" role="group" aria-label="统计时段">
      ${PERIODS.map(([k, t]) => html`<button type="button" class=${'btn' + (k === p ? ' on' : '')} aria-pressed=${k === p} onClick=${() => go(region, k)}>${t}</button>`)}
    </div>
    <${Loaded} state=${st}>${({ stats, place, trend, args, by }) => {
      const t = stats.total;
      const units = stats.units || [];
      const crumbs = place.parents.filter((x) => x.code.length >= 6);
      return html`
      <nav aria-label="区划层级"><ol class="crumbs">
        ${crumbs.map((x) => html`<li><a href=${'#/dashboard?region=' + x.code + '&p=' + p}>${x.name}</a></li>`)}
        <li aria-current="page">${place.name}</li></ol></nav>
      <ul class="kpis" aria-label=${place.name + '的主要指标'}>
        <li><span>诉求数</span><b data-kpi="demands">${num(t.demands)}</b></li>
        ${RATES.map(([k, label]) => html`<li><span>${label}</span><b data-kpi=${k}>${pct(t.rates[k])}</b>
          <small>${k === 'response' ? t.counts.responded + '/' + t.counts.demands : k === 'resolution' ? t.counts.resolved + '/' + t.counts.demands
            : k === 'satisfaction' ? t.counts.satisfied + '/' + t.counts.rated : t.counts.first_line + '/' + t.counts.resolved}</small></li>`)}
      </ul>
      <div class="card"><h3>走势</h3>
        <${Chart} label=${place.name + '各项比率走势'} option=${{
          tooltip, legend: { top: 0 }, grid: { left: 44, right: 12, top: 64, bottom: 28 },
          xAxis: { type: 'category', data: trend.map((x) => x.label) }, yAxis: pctAxis,
          series: RATES.map(([k, name]) => ({ name, type: 'line', connectNulls: true, symbolSize: 8, data: trend.map((x) => x.s.rates[k]) }))
        }} /></div>
      ${units.length ? html`<div class="card"><h3>${by === 'town' ? '各乡镇' : '各村（社区）'}（点击下钻）</h3>
        <${Chart} label=${'各' + (by === 'town' ? '乡镇' : '村') + '比率对比'} onClick=${(e) => go(units[e.dataIndex].region)} option=${{
          tooltip, legend: { top: 0 }, grid: { left: 44, right: 12, top: 64, bottom: 60 },
          xAxis: { type: 'category', data: units.map((u) => u.name), axisLabel: { rotate: 40, interval: 0 } }, yAxis: pctAxis,
          series: RATES.map(([k, name]) => ({ name, type: 'bar', data: units.map((u) => u.rates[k]) }))
        }} />
        <div class="scroll"><table class="stats">
          <caption class="sr">${place.name}下级单位的统计</caption>
          <thead><tr><th scope="col">地区</th><th scope="col">诉求数</th>${RATES.map(([, l]) => html`<th scope="col">${l}</th>`)}</tr></thead>
          <tbody>${units.filter((u) => u.demands > 0 || units.length <= 30).map((u) => html`<tr data-region=${u.region}>
            <th scope="row"><a href=${'#/dashboard?region=' + u.region + '&p=' + p}>${u.name}</a></th><td>${num(u.demands)}</td>
            ${RATES.map(([k]) => html`<td>${pct(u.rates[k])}</td>`)}</tr>`)}</tbody>
        </table></div>
        ${units.length > 30 ? html`<p class="small">只列出有诉求的单位（共 ${units.length} 个）；图中为全部。</p>` : null}
      </div>` : null}
      <p class="exports">导出：<a href=${'/api/v1/stats/export.csv?' + args + (by ? '&by=' + by : '')} download>CSV 表格</a> ·
        <a href=${'/api/v1/stats/export.xlsx?' + args + (by ? '&by=' + by : '')} download>Excel（XLSX）</a></p>`;
    }}<//>
  </${Page}>`;
}
