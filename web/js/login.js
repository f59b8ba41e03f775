/* login.js - the sign-in form, on the sign-in page and on a join page
 * (a resident who opens a group's link before signing in). */
import { useState } from '../vendor/hooks.mjs';
import { api } from './api.js';
import { html, Field, Problem } from './ui.js';

/* LoginForm({onDone(user), title}): signs in by phone and password; the
 * server sets the session cookie and its CSRF cookie. */
export function LoginForm({ onDone, title = '登录' }) {
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api('POST', '/api/v1/auth/login', { phone: phone.trim(), password });
      onDone(s.user);
    } catch (e) { setError(e); }
    setBusy(false);
  }
  return html`<form class="card form" onSubmit=${submit} aria-labelledby="login-title">
    <h3 id="login-title">${title}</h3>
    <${Field} label="手机号" type="tel" inputmode="numeric" autocomplete="username" required
      value=${phone} onInput=${(e) => setPhone(e.target.value)} />
    <${Field} label="密码" type="password" autocomplete="current-password" required
      value=${password} onInput=${(e) => setPassword(e.target.value)} />
    <${Problem} error=${error} />
    <button class="btn primary" type="submit" disabled=${busy}>${busy ? '正在登录…' : '登录'}</button>
    <p class="hint">演示账号：手机号 19900000001 至 19900000009，密码 demo-2026。</p>
  </form>`;
}
