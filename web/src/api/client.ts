import axios, { isAxiosError, type AxiosInstance } from 'axios';

/** Where the API lives: `VITE_API_URL`, else the same origin in builds (the binary serves the
 *  SPA) and the default address of `make run` in dev (`npm run dev`, CORS admits :5173). */
export function apiBaseUrl(env: { VITE_API_URL?: string; DEV?: boolean } = import.meta.env): string {
  const url = env.VITE_API_URL ?? (env.DEV ? 'http://127.0.0.1:8000' : '');
  return url.replace(/\/+$/, '');
}

export const API_PREFIX = '/api/v1';

export function createHttp(baseURL = apiBaseUrl() + API_PREFIX): AxiosInstance {
  return axios.create({
    baseURL,
    timeout: 20_000,
    // X-Requested-With on every request: the API refuses a cookie-authenticated request that
    // changes state without it (a cross-site form cannot send it, so CSRF cannot either).
    headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    // The session is the HttpOnly cookie `solicitudes_sesion`, which page scripts never see;
    // the browser sends it. Needed for `npm run dev`, where the API is on another origin.
    withCredentials: true,
    // Repeatable filters go as `estado=a&estado=b` (what the API reads), not `estado[]=a`.
    paramsSerializer: { indexes: null },
  });
}

export const http = createHttp();

/** Query parameters without the empty ones: the API answers `?q=` with a 422. */
export function cleanParams<T extends object>(params: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out as Partial<T>;
}

/** Requests whose 401 is handled where they are made: a failed login, the check at start-up
 *  that finds nobody logged in, and logging out of a session that had already ended. */
const OWN_401 = ['/auth/cookie', '/auth/me', '/auth/token', '/auth/logout'];

/**
 * Calls `onUnauthorized` when a request answers 401 (the session expired, was closed from
 * another device, or the account was deactivated), then lets the error through as usual.
 * Returns a function that removes the interceptor.
 */
export function onUnauthorized(instance: AxiosInstance, handler: () => void): () => void {
  const id = instance.interceptors.response.use(undefined, (error: unknown) => {
    if (isAxiosError(error) && error.response?.status === 401) {
      const url = error.config?.url ?? '';
      if (!OWN_401.some((path) => url === path || url.endsWith(path))) handler();
    }
    return Promise.reject(error);
  });
  return () => instance.interceptors.response.eject(id);
}
