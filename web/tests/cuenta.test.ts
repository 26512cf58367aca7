import { enableAutoUnmount, flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../src/api';
import { setUsuario } from '../src/lib/session';
import CuentaView from '../src/views/CuentaView.vue';
import { httpError, routerAt, usuarioDe } from './helpers';

vi.mock('../src/api', () => ({
  listSesiones: vi.fn(),
  deleteSesion: vi.fn(),
  changePassword: vi.fn(),
  getMe: vi.fn(),
}));

const m = vi.mocked(api);
enableAutoUnmount(afterEach);

const sesion = (id: string, actual = false) => ({
  id,
  created_at: '2026-11-22T10:15:30.123456Z',
  last_used_at: actual ? '2026-11-22T11:00:00Z' : null,
  expires_at: '2026-12-22T10:15:30.123456Z',
  user_agent: actual ? 'Chromium en Linux' : `Firefox ${id}`,
  actual,
});

beforeEach(() => {
  vi.resetAllMocks();
  setUsuario(usuarioDe('solicitante'));
  m.deleteSesion.mockResolvedValue(undefined);
});

async function mountCuenta() {
  const router = await routerAt('/cuenta');
  const w = mount(CuentaView, { global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return w;
}

const rows = (w: VueWrapper) => w.findAll('[data-testid="sesiones"] tbody tr');
const byText = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text)!;

describe('mis sesiones', () => {
  it('lists the sessions, marks this one, and offers to close only the others', async () => {
    m.listSesiones.mockResolvedValueOnce([sesion('a', true), sesion('b'), sesion('c')]);
    const w = await mountCuenta();
    expect(w.get('[data-testid="cuenta-email"]').text()).toBe('solicitante@example.com');
    expect(rows(w)).toHaveLength(3);
    expect(rows(w)[0]!.text()).toContain('Esta sesión');
    expect(rows(w)[0]!.text()).toContain('Chromium en Linux');
    expect(rows(w)[0]!.findAll('button')).toHaveLength(0);
    expect(rows(w)[1]!.text()).toContain('—'); // never used since
    expect(rows(w)[1]!.get('button').text()).toBe('Cerrar');
  });

  it('closes one session', async () => {
    m.listSesiones.mockResolvedValueOnce([sesion('a', true), sesion('b'), sesion('c')]).mockResolvedValueOnce([sesion('a', true), sesion('c')]);
    const w = await mountCuenta();
    await rows(w)[1]!.get('button').trigger('click');
    await flushPromises();
    expect(m.deleteSesion).toHaveBeenCalledExactlyOnceWith('b');
    expect(w.get('.notice').text()).toBe('Sesión cerrada.');
    expect(rows(w)).toHaveLength(2);
  });

  it('closes all the others, never this one', async () => {
    m.listSesiones.mockResolvedValueOnce([sesion('a', true), sesion('b'), sesion('c')]).mockResolvedValueOnce([sesion('a', true)]);
    const w = await mountCuenta();
    await byText(w, 'Cerrar todas las demás').trigger('click');
    await flushPromises();
    expect(m.deleteSesion.mock.calls).toEqual([['b'], ['c']]);
    expect(w.get('.notice').text()).toBe('2 sesiones cerradas.');
    expect(byText(w, 'Cerrar todas las demás').attributes('disabled')).toBeDefined();
  });
});

describe('cambiar la contraseña', () => {
  beforeEach(() => {
    m.listSesiones.mockResolvedValue([sesion('a', true)]);
  });

  it('sends actual and nueva, then says the other sessions were closed', async () => {
    m.changePassword.mockResolvedValueOnce(undefined);
    const w = await mountCuenta();
    await w.get('#actual').setValue('la de antes');
    await w.get('#nueva').setValue('la nueva, larga');
    await w.get('#repetida').setValue('la nueva, larga');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(m.changePassword).toHaveBeenCalledWith({ actual: 'la de antes', nueva: 'la nueva, larga' });
    expect(w.text()).toContain('Contraseña cambiada. Tus otras sesiones se han cerrado.');
    expect((w.get('#actual').element as HTMLInputElement).value).toBe('');
  });

  it('a repeated password that does not match is caught before sending', async () => {
    const w = await mountCuenta();
    await w.get('#actual').setValue('la de antes');
    await w.get('#nueva').setValue('la nueva, larga');
    await w.get('#repetida').setValue('otra cosa');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(m.changePassword).not.toHaveBeenCalled();
    expect(w.get('#repetida-error').text()).toBe('No coincide con la nueva contraseña.');
  });

  it('a wrong actual (422 on body.actual) goes beside that field', async () => {
    m.changePassword.mockRejectedValueOnce(
      httpError(422, { detail: [{ loc: ['body', 'actual'], msg: 'La contraseña actual no es correcta', type: 'value_error' }] }),
    );
    const w = await mountCuenta();
    await w.get('#actual').setValue('equivocada');
    await w.get('#nueva').setValue('la nueva, larga');
    await w.get('#repetida').setValue('la nueva, larga');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('#actual-error').text()).toBe('La contraseña actual no es correcta');
    expect(w.get('#actual').attributes('aria-invalid')).toBe('true');
    expect(document.activeElement?.id).toBe('actual');
  });
});
