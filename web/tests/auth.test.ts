// The auth flow end to end inside the SPA, with HTTP faked at axios' adapter: the real api/,
// session, router guard and 401 interceptor.
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { http } from '../src/api/client';
import App from '../src/App.vue';
import { installAuthGuard, installUnauthorizedRedirect } from '../src/lib/authGuard';
import { flash, flashNavigated } from '../src/lib/flash';
import { resetSession, safeRedirect, sessionProblem, usuario } from '../src/lib/session';
import { routes } from '../src/router';
import { fakeServer, persona, solicitud, usuarioDe, type SeenRequest } from './helpers';

const originalAdapter = http.defaults.adapter;
let removeInterceptor: () => void = () => {};
enableAutoUnmount(afterEach);
afterAll(() => {
  http.defaults.adapter = originalAdapter;
});

/** The API's answers: who the cookie belongs to (`me`), and what else the pages ask. */
function server(state: { me: ReturnType<typeof usuarioDe> | null; meStatus?: number }, extra?: (r: SeenRequest) => ReturnType<Parameters<typeof fakeServer>[0]>) {
  return fakeServer((req) => {
    const own = extra?.(req);
    if (own) return own;
    if (req.url === '/auth/me') {
      if (state.meStatus) return { status: state.meStatus, data: { detail: 'Servicio no disponible' } };
      return state.me ? { status: 200, data: state.me } : { status: 401, data: { detail: 'No has iniciado sesión' } };
    }
    if (req.url === '/auth/logout') {
      state.me = null;
      return { status: 204 };
    }
    if (req.url === '/solicitudes') return { status: 200, data: { items: [solicitud()], next_cursor: null, total: 1 } };
    if (req.url === '/personas') return { status: 200, data: { items: [persona()], next_cursor: null, total: 1 } };
    if (req.url.startsWith('/personas/')) return { status: 200, data: persona() };
    if (req.url === '/usuarios') return { status: 200, data: { items: [], next_cursor: null, total: 0 } };
    return undefined;
  });
}

async function start(path: string, fake: ReturnType<typeof fakeServer>) {
  http.defaults.adapter = fake.adapter;
  const router = createRouter({ history: createMemoryHistory(), routes });
  installAuthGuard(router);
  removeInterceptor = installUnauthorizedRedirect(router, http);
  router.afterEach((_to, _from, failure) => {
    if (!failure) flashNavigated();
  });
  await router.push(path);
  await router.isReady();
  const w = mount(App, { global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return { w, router };
}

beforeEach(() => {
  resetSession();
  sessionProblem.value = false;
  flash.value = null;
  localStorage.clear();
  sessionStorage.clear();
});
afterEach(() => removeInterceptor());

describe('every request', () => {
  it('carries X-Requested-With (CSRF) and the cookie (withCredentials), and nothing readable', async () => {
    const fake = server({ me: usuarioDe('admin') });
    await start('/solicitudes', fake);
    expect(fake.seen.length).toBeGreaterThan(1);
    for (const req of fake.seen) {
      expect(req.headers['X-Requested-With']).toBe('XMLHttpRequest');
      expect(req.withCredentials).toBe(true);
      expect(req.headers.Authorization).toBeUndefined();
    }
  });
});

describe('logging in', () => {
  it('a page without a session sends to the login, and logging in comes back to it', async () => {
    const state = { me: null as ReturnType<typeof usuarioDe> | null };
    const fake = server(state, (req) => {
      if (req.url !== '/auth/cookie') return undefined;
      state.me = usuarioDe('solicitante');
      // The token travels only in an HttpOnly Set-Cookie, which scripts never see.
      return { status: 200, data: state.me };
    });
    const { w, router } = await start('/solicitudes?estado=pendiente', fake);
    expect(router.currentRoute.value.name).toBe('login');
    expect(router.currentRoute.value.query.redirect).toBe('/solicitudes?estado=pendiente');
    expect(w.find('nav[aria-label="Principal"]').exists()).toBe(false);
    expect(w.text()).toContain('Entra para continuar donde estabas.');

    await w.get('#email').setValue(' sol@example.com ');
    await w.get('#password').setValue('una contraseña larga');
    await w.get('form').trigger('submit');
    await flushPromises();

    const loginReq = fake.seen.find((r) => r.url === '/auth/cookie')!;
    expect(loginReq.method).toBe('POST');
    expect(loginReq.data).toEqual({ username: 'sol@example.com', password: 'una contraseña larga' });
    expect(router.currentRoute.value.fullPath).toBe('/solicitudes?estado=pendiente');
    expect(usuario.value?.email).toBe('solicitante@example.com');
    expect(w.get('[data-testid="usuario-actual"]').text()).toContain('solicitante@example.com');
    expect(w.get('h1').text()).toBe('Mis solicitudes');
    // Nothing about the session is kept where page scripts could read it.
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    expect(document.cookie).not.toContain('solicitudes_sesion');
  });

  it('a wrong password (401) is said on the form, without leaving the login', async () => {
    const fake = server({ me: null }, (req) =>
      req.url === '/auth/cookie' ? { status: 401, data: { detail: 'Credenciales incorrectas' } } : undefined,
    );
    const { w, router } = await start('/login', fake);
    await w.get('#email').setValue('sol@example.com');
    await w.get('#password').setValue('equivocada');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(router.currentRoute.value.name).toBe('login');
    expect(w.get('[data-testid="login-error"]').text()).toContain('Email o contraseña incorrectos.');
    expect((w.get('#password').element as HTMLInputElement).value).toBe('');
    expect(document.activeElement?.id).toBe('password');
  });

  it('a 422 goes beside its field (the API calls the email `username`)', async () => {
    const fake = server({ me: null }, (req) =>
      req.url === '/auth/cookie'
        ? {
            status: 422,
            data: {
              detail: [
                { loc: ['body', 'username'], msg: 'No es una dirección de email válida', type: 'value_error' },
                { loc: ['body', 'password'], msg: 'Campo obligatorio', type: 'missing' },
              ],
            },
          }
        : undefined,
    );
    const { w } = await start('/login', fake);
    await w.get('#email').setValue('no-es-email');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('#email-error').text()).toBe('No es una dirección de email válida');
    expect(w.get('#email').attributes('aria-invalid')).toBe('true');
    expect(w.get('#password-error').text()).toBe('Campo obligatorio');
    expect(document.activeElement?.id).toBe('email');
  });

  it('a 429 says how long to wait (Retry-After) and holds the button until then', async () => {
    const fake = server({ me: null }, (req) =>
      req.url === '/auth/cookie'
        ? { status: 429, data: { detail: 'Demasiados intentos' }, headers: { 'retry-after': '90' } }
        : undefined,
    );
    const { w } = await start('/login', fake);
    await w.get('#email').setValue('sol@example.com');
    await w.get('#password').setValue('lo que sea');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid="login-error"]').text()).toContain('Demasiados intentos. Espera 2 minutos antes de volver a intentarlo.');
    const submit = w.get('button[type="submit"]');
    expect(submit.attributes('disabled')).toBeDefined();
    expect(submit.text()).toBe('Espera 90 s');
    await w.get('form').trigger('submit');
    expect(fake.seen.filter((r) => r.url === '/auth/cookie')).toHaveLength(1);
  });

  it('a logged-in usuario opening /login goes to their start page (a revisor: the review queue)', async () => {
    const { router } = await start('/login', server({ me: usuarioDe('revisor') }));
    expect(router.currentRoute.value.path).toBe('/revision');
  });

  it('the API not answering at start-up is said on the login page, with a retry', async () => {
    const state = { me: usuarioDe('admin'), meStatus: 503 as number | undefined };
    const { w, router } = await start('/personas', server(state));
    expect(router.currentRoute.value.name).toBe('login');
    expect(w.text()).toContain('El servicio no está disponible, reintenta.');
    state.meStatus = undefined;
    await w.findAll('button').find((b) => b.text() === 'Reintentar')!.trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/personas');
  });
});

describe('a 401 anywhere', () => {
  it('forgets the usuario and sends to the login, then back to the same page', async () => {
    const state = { me: usuarioDe('admin') as ReturnType<typeof usuarioDe> | null };
    let expired = false;
    const fake = server(state, (req) => {
      if (expired && req.url !== '/auth/cookie' && req.url !== '/auth/me') return { status: 401, data: { detail: 'Sesión caducada' } };
      if (req.url === '/auth/cookie') return { status: 200, data: usuarioDe('admin') };
      return undefined;
    });
    const { w, router } = await start('/personas', fake);
    expect(router.currentRoute.value.path).toBe('/personas');

    expired = true; // e.g. closed from another device
    await router.push('/personas?q=ana');
    await flushPromises();
    expect(usuario.value).toBeNull();
    expect(router.currentRoute.value.name).toBe('login');
    expect(router.currentRoute.value.query.redirect).toBe('/personas?q=ana');
    expect(w.get('.flash').text()).toBe('Tu sesión ha terminado. Vuelve a iniciar sesión.');

    expired = false;
    await w.get('#email').setValue('admin@example.com');
    await w.get('#password').setValue('contraseña larga');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(router.currentRoute.value.fullPath).toBe('/personas?q=ana');
  });
});

describe('roles and pages', () => {
  it('a page the rol may not open sends to the start page, saying why', async () => {
    const { w, router } = await start('/usuarios', server({ me: usuarioDe('solicitante') }));
    expect(router.currentRoute.value.path).toBe('/solicitudes');
    expect(w.get('.flash').text()).toBe('No tienes permiso para ver esa página.');
  });

  it('the navigation shows what the rol may open', async () => {
    const links = async (rol: 'solicitante' | 'revisor' | 'admin') => {
      resetSession();
      const { w } = await start('/estadisticas-no', server({ me: usuarioDe(rol) }));
      const names = w.get('nav[aria-label="Principal"]').findAll('a').map((a) => a.text());
      w.unmount();
      return names;
    };
    expect(await links('solicitante')).toEqual(['Mis solicitudes', 'Nueva solicitud', 'Estadísticas']);
    expect(await links('revisor')).toEqual(['Revisión', 'Solicitudes', 'Nueva solicitud', 'Personas', 'Estadísticas']);
    expect(await links('admin')).toEqual(['Revisión', 'Solicitudes', 'Nueva solicitud', 'Personas', 'Usuarios', 'Estadísticas']);
  });
});

describe('logging out', () => {
  it('ends the session at the API, forgets the usuario and shows the login', async () => {
    const fake = server({ me: usuarioDe('revisor') });
    const { w, router } = await start('/solicitudes', fake);
    await w.findAll('button').find((b) => b.text() === 'Cerrar sesión')!.trigger('click');
    await flushPromises();
    expect(fake.seen.some((r) => r.method === 'POST' && r.url === '/auth/logout')).toBe(true);
    expect(usuario.value).toBeNull();
    expect(router.currentRoute.value.name).toBe('login');
    expect(w.get('.flash').text()).toBe('Has cerrado la sesión.');
    // Going back to a page asks for the login again.
    await router.push('/solicitudes');
    await flushPromises();
    expect(router.currentRoute.value.name).toBe('login');
  });
});

describe('safeRedirect', () => {
  it('keeps paths of this application and nothing else', () => {
    expect(safeRedirect('/solicitudes/1?x=2#h')).toBe('/solicitudes/1?x=2#h');
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)', '', undefined, ['/a'], '/login?redirect=/x']) {
      expect(safeRedirect(bad)).toBe('/');
    }
  });
});
