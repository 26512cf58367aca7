import axios, { type AxiosInstance } from 'axios';

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
    headers: { Accept: 'application/json' },
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
