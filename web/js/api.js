/* api.js - talking to the bianmin JSON API from the pages: requests with the
 * session cookie and its CSRF token, errors turned into Chinese a person
 * understands, the server's clock (remaining times are counted by it, not by
 * the phone's), and zh-CN formatting of dates, numbers and rates.
 * No DOM here. */

/* Chinese for the API's stable error codes (docs/api.md#errors). */
const ERR = {
  invalid: '输入有误', not_found: '未找到（或不在您的管辖范围内）', conflict: '数据已变化或冲突',
  forbidden: '无权访问', unauthenticated: '请先登录', too_large: '内容过大',
  unsupported_media_type: '文件格式不支持', method_not_allowed: '不支持的操作',
  too_many_requests: '尝试次数过多，请 15 分钟后再试', database_error: '数据库出错',
  io_error: '读写出错', unavailable: '服务暂不可用', internal: '服务器内部错误'
};

/* Plainer words for messages the pages meet often (matched on the English text). */
const HINTS = [
  [/wrong phone number or password/, '手机号或密码不正确'],
  [/join link is not valid/, '入群链接无效或已更换，请向村干部索取新的链接'],
  [/changed meanwhile/, '该诉求刚刚有了变化（他人办理或时限到期），已重新载入，请再确认一次'],
  [/invitation/, '邀请码无效、已使用或已过期'],
  [/only PNG, JPEG/, '只能上传 JPG、PNG 或 WebP 图片'],
  [/needs its basis/, '退单需要填写依据（法规、政策或职责）'],
  [/needs a reason|'reason' is required/, '请填写理由或说明'],
  [/only the group's owner and admins/, '只有群主和管理员可以这样做'],
  [/a village group cannot broadcast/, '村级群不能广播，请在乡镇群或县级群中发送'],
  [/one-time password/, '请先修改初始密码'],
  [/sign in first|session/, '请先登录']
];

/* An error a page can show: .status (0 without an answer), .code, and
 * .message in Chinese; .detail is the server's own words. */
export class ApiError extends Error {
  constructor(status, code, message, detail, requestId) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail || '';
    this.requestId = requestId || '';
  }
}

function cookie(name) {
  const m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
  return m ? decodeURIComponent(m[1]) : '';
}

/* Listeners told when a request answers 401 (the session ended). */
const signedOut = new Set();
export function onSignedOut(fn) { signedOut.add(fn); }

/* api(method, path, body?): the answer's JSON, or throws ApiError. A File or
 * Blob body is sent as its bytes (photos, images); anything else as JSON. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const opts = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = cookie('bm_csrf');
  if (body instanceof Blob) {
    opts.body = body;
    headers['Content-Type'] = body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    opts.body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let r;
  try {
    r = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试。');
  }
  let data = null;
  try { data = await r.json(); } catch (e) { /* not JSON */ }
  if (r.ok) return data;
  const e = (data && data.error) || {};
  if (r.status === 401 && path !== '/api/v1/auth/login') signedOut.forEach((fn) => fn());
  let msg = ERR[e.code] || '请求失败（HTTP ' + r.status + '）';
  const hint = e.message && HINTS.find(([re]) => re.test(e.message));
  if (hint && e.code !== 'forbidden') msg = hint[1];
  else if (hint) msg += '：' + hint[1];
  throw new ApiError(r.status, e.code || 'http', msg, e.message, e.request_id);
}

/* ---- the server's clock ---- */
let skew = 0; /* server time minus this device's, in milliseconds */

/* Ask /healthz for the server's time once; the pages call serverNow(). */
export async function syncClock() {
  const t0 = Date.now();
  const h = await api('GET', '/healthz');
  if (h && h.time) skew = Date.parse(h.time) - (t0 + Date.now()) / 2;
  return h;
}
export function serverNow() { return Date.now() + skew; }

/* ---- zh-CN formatting, China time ---- */
const TZ = 'Asia/Shanghai';
const fmtFull = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
const fmtShort = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
const fmtDay = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, month: 'numeric', day: 'numeric' });
const fmtIso = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
const fmtPct = new Intl.NumberFormat('zh-CN', { style: 'percent', maximumFractionDigits: 1 });
const fmtNum = new Intl.NumberFormat('zh-CN');

export const when = (iso) => (iso ? fmtFull.format(new Date(iso)) : '');
export const whenShort = (iso) => (iso ? fmtShort.format(new Date(iso)) : '');
export const dayLabel = (d) => fmtDay.format(d);
export const pct = (v) => (v == null ? '—' : fmtPct.format(v));
export const num = (v) => (v == null ? '—' : fmtNum.format(v));
/* The China-time day (YYYY-MM-DD) of an instant in milliseconds. */
export const chinaDay = (ms) => fmtIso.format(new Date(ms));

/* "还剩 2 小时 5 分" / "已超时 3 分钟" for a due instant, by the server's clock. */
export function remaining(due) {
  const ms = Date.parse(due) - serverNow();
  const mins = Math.round(Math.abs(ms) / 60000);
  const d = Math.floor(mins / 1440), h = Math.floor((mins % 1440) / 60), m = mins % 60;
  const text = (d ? d + ' 天 ' : '') + (h ? h + ' 小时 ' : '') + (d ? '' : m + ' 分钟');
  return { late: ms < 0, ms, text: (ms < 0 ? '已超时 ' : '还剩 ') + text.trim() };
}
