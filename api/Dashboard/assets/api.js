// The API as the dashboard uses it: with the member's session cookie (HttpOnly, so no script can
// read it), and on every write the session's CSRF token in X-Pulse-CSRF. Nothing is kept in
// storage: the page asks /dashboard/api/session who is signed in.

/** An answer other than 2xx: status, and the problem+json document when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  /** Field errors of a validation problem: { "samplePercent": ["…"] }. */
  get fieldErrors() {
    return this.problem.errors || {};
  }
}

/**
 * Query string from the dashboard's filters. `where` is an object of trait → value and becomes
 * where[trait]=value; null, undefined and '' are left out.
 */
export function query(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (name === 'where') {
      for (const [trait, v] of Object.entries(value || {})) if (v !== '') q.append(`where[${trait}]`, v);
    } else if (value !== null && value !== undefined && value !== '') {
      q.append(name, String(value));
    }
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

export class Api {
  /** onUnauthorized runs when a call answers 401 (the session ended): the app shows the sign-in. */
  constructor(csrfToken = null, onUnauthorized = () => {}) {
    this.csrfToken = csrfToken;
    this.onUnauthorized = onUnauthorized;
  }

  async request(method, path, { params, body, accept = 'application/json', extra = {} } = {}) {
    const headers = { Accept: accept, ...extra };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['X-Pulse-CSRF'] = this.csrfToken;
    const response = await fetch(path + query(params), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (response.status === 401 && this.csrfToken) this.onUnauthorized(response);
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch {
        // not JSON: the status says enough
      }
      throw new ApiError(response.status, problem);
    }
    return response;
  }

  async get(path, params) {
    return (await this.request('GET', path, { params })).json();
  }

  async put(path, body) {
    return (await this.request('PUT', path, { body })).json();
  }

  /** POST with a JSON body (or none); the JSON answer, or null for an empty one (204). */
  async post(path, body) {
    const response = await this.request('POST', path, { body });
    return response.status === 204 ? null : response.json();
  }

  /** PATCH with a JSON body; `ifMatch` (an ETag) makes a stale edit answer 412. */
  async patch(path, body, ifMatch) {
    return (await this.request('PATCH', path, { body, extra: ifMatch ? { 'If-Match': ifMatch } : {} })).json();
  }

  async delete(path) {
    await this.request('DELETE', path);
  }

  /** The body as a Blob plus the file name the server suggests (Content-Disposition). */
  async download(path, params, accept) {
    const response = await this.request('GET', path, { params, accept });
    const disposition = response.headers.get('Content-Disposition') || '';
    const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    return { blob: await response.blob(), fileName: match ? decodeURIComponent(match[1]) : null };
  }
}
