// Setup: the snippet with this workspace's site key and the server-side userHash, both following
// the workspace's identity-verification setting. Surveys are edited on the Surveys page.

import { h, mount } from './dom.js';
import { codeBlock } from './ui.js';

export const title = 'Setup';

/** The snippet a vendor pastes: the widget's loader line with this server's URL, then init (userHash only when verification is on). */
export function snippet(siteKey, origin, requireUserHash = true) {
  const hash = requireUserHash
    ? `,
  userHash: '…'                         // HMAC-SHA256 of the id, computed on your server (below)`
    : '';
  return `<script>
!function(w,d,s){w.pulse=w.pulse||function(){(w.pulse.q=w.pulse.q||[]).push(arguments)};s=d.createElement('script');s.async=1;s.src='${origin}/widget/v1/pulse.js';d.head.appendChild(s)}(window,document);
pulse('init', {
  siteKey: '${siteKey}',
  user: {
    id: 'u-123',                        // your id for the signed-in user
    email: 'ada@example.com',           // optional
    createdAt: '2026-01-02T00:00:00Z',  // sign-up: the first survey waits 30 days after it
    traits: { plan: 'premium', role: 'admin', csm: 'Dana', accountId: 'acme', accountName: 'Acme', arr: 48000 }
  }${hash}
});
</script>`;
}

const HASH_EXAMPLES = [
  ['C#', `using System.Security.Cryptography;
using System.Text;

static string UserHash(string identitySecret, string userId) =>
    Convert.ToHexStringLower(HMACSHA256.HashData(
        Encoding.UTF8.GetBytes(identitySecret), Encoding.UTF8.GetBytes(userId)));`],
  ['Node.js', `import { createHmac } from 'node:crypto';

const userHash = (identitySecret, userId) =>
  createHmac('sha256', identitySecret).update(userId).digest('hex');`],
  ['Python', `import hashlib, hmac

def user_hash(identity_secret: str, user_id: str) -> str:
    return hmac.new(identity_secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()`],
  ['Shell', `printf '%s' "$USER_ID" | openssl dgst -sha256 -hmac "$IDENTITY_SECRET" | cut -d' ' -f2`],
];

function hashExamples() {
  const tabs = HASH_EXAMPLES.map(([lang, code]) => h('details', { class: 'example' },
    h('summary', { text: lang }), codeBlock(code, `userHash example in ${lang}`)));
  tabs[0].open = true;
  return tabs;
}

export async function render(ctx, root) {
  const ws = ctx.workspace;
  const origins = ws.allowedOrigins.length ? ws.allowedOrigins.join(', ') : 'none yet';
  mount(root,
    h('h1', { tabindex: -1, text: 'Setup' }),
    h('section', { class: 'card', 'aria-labelledby': 'snippet-title' },
      h('h2', { id: 'snippet-title', text: 'Paste the snippet' }),
      h('p', { text: `Put this before </body> on every page of ${ws.productName} where signed-in users should be asked. Your site key is filled in; it is public and only works from your allowed origins.` }),
      codeBlock(snippet(ws.siteKey, location.origin, ws.requireUserHash), 'the snippet', { id: 'setup-snippet' }),
      h('p', { class: 'muted' }, `Allowed origins: ${origins}. `, h('a', { href: '#/settings', text: 'Change them in Settings' }), '.')),
    h('section', { class: 'card', 'aria-labelledby': 'hash-title' },
      h('h2', { id: 'hash-title', text: 'Sign user ids on your server' }),
      ws.requireUserHash
        ? [
          h('p', { id: 'hash-status', text: 'Identity verification is on: calls without a valid userHash are refused. '
            + 'userHash = lowercase hex HMAC-SHA256(identity secret, user id). Compute it on your server and render it into the page; never ship the identity secret to the browser. '
            + 'The identity secret is rotated on the Keys page.' }),
          hashExamples(),
        ]
        : h('p', { class: 'notice warn', id: 'hash-status' },
          'Identity verification is off: anyone could answer as any user id, so the snippet above has no userHash. Turn it on in ',
          h('a', { href: '#/settings', text: 'Settings' }), ' before going live; this page then shows how to compute userHash.')));
  ctx.announce('Setup loaded.');
}
