const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The sign-in page: a token in, a session cookie out, for the Web UI to send with its decode requests. */
export function loginPage(state: { signedInAs?: string; error?: string }): string {
  const body = state.signedInAs
    ? `<p>Signed in as <strong>${escape(state.signedInAs)}</strong>. The Temporal Web UI now decodes payloads when
       its codec server setting includes cross-origin credentials (see docs/OPERATIONS.md).</p>
       <form method="post" action="logout" onsubmit="fetch('logout',{method:'POST'}).then(()=>location.reload());return false">
       <button type="submit">Sign out</button></form>`
    : `${state.error ? `<p role="alert">${escape(state.error)}</p>` : ''}
       <form method="post" action="login">
       <label>Codec token <input type="password" name="token" autocomplete="current-password" autofocus></label>
       <button type="submit">Sign in</button></form>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>sagaflow codec server</title></head>
<body><h1>sagaflow codec server</h1>${body}</body></html>`;
}
