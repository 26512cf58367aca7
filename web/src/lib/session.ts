// Who is logged in, kept in memory only.
//
// The session itself is the HttpOnly cookie `solicitudes_sesion`: page scripts cannot read it
// and nothing here stores a token (no localStorage, no sessionStorage, no readable cookie).
// At start-up the SPA asks `GET /auth/me` who the cookie belongs to; a reload asks again.
import { isAxiosError } from 'axios';
import { readonly, ref } from 'vue';
import type { LocationQueryRaw, RouteLocationRaw } from 'vue-router';
import { getMe, login as apiLogin, logout as apiLogout } from '../api';
import type { LoginBody, Usuario } from '../api/types';

const current = ref<Usuario | null>(null);
let checked: Promise<Usuario | null> | null = null;

/** The logged-in usuario, or `null`. Read-only: change it through the functions below. */
export const usuario = readonly(current);

/** The API could not say who is logged in (no answer, 503): shown on the login page. */
export const sessionProblem = ref(false);

/**
 * Asks the API who is logged in, once (later calls share the answer): `null` on a 401.
 * Any other failure (network, 503) is thrown, and the next call asks again.
 */
export function loadSession(): Promise<Usuario | null> {
  checked ??= getMe().then(
    (u) => {
      current.value = u;
      return u;
    },
    (e: unknown) => {
      if (isAxiosError(e) && e.response?.status === 401) {
        current.value = null;
        return null;
      }
      checked = null;
      throw e;
    },
  );
  return checked;
}

/** Logs in with email and password; the API sets the cookie. Errors are the caller's to show. */
export async function login(body: LoginBody): Promise<Usuario> {
  const u = await apiLogin(body);
  current.value = u;
  checked = Promise.resolve(u);
  return u;
}

/** Logs out. The session is forgotten here even if the API cannot be reached. */
export async function logout(): Promise<void> {
  try {
    await apiLogout();
  } finally {
    forgetSession();
  }
}

/** After a 401: the session is gone (expired, closed elsewhere, account deactivated). */
export function forgetSession(): void {
  current.value = null;
  checked = Promise.resolve(null);
}

/** Forgets what the API said: the next `loadSession` asks it again. */
export function resetSession(): void {
  current.value = null;
  checked = null;
}

/** Replaces the usuario in memory (e.g. after the admin edits their own account). */
export function setUsuario(u: Usuario | null): void {
  current.value = u;
  checked = Promise.resolve(u);
}

/**
 * Where to go after logging in: `redirect` when it is a path of this application. Anything
 * else (`//evil.example`, `https://…`, `/\evil`) goes home, so a crafted link cannot send the
 * user elsewhere with their fresh session.
 */
export function safeRedirect(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  if (value.startsWith('//') || value.startsWith('/\\') || value.startsWith('/login')) return '/';
  return value;
}

/** The login page, remembering where to come back to. */
export function loginRoute(back?: string, extra: LocationQueryRaw = {}): RouteLocationRaw {
  const redirect = back ? safeRedirect(back) : '/';
  return { name: 'login', query: redirect === '/' ? { ...extra } : { redirect, ...extra } };
}
