import { enableAutoUnmount, flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../src/api';
import { setUsuario } from '../src/lib/session';
import UsuarioEdit from '../src/views/UsuarioEdit.vue';
import UsuarioNew from '../src/views/UsuarioNew.vue';
import UsuariosList from '../src/views/UsuariosList.vue';
import { httpError, persona, routerAt, usuarioDe } from './helpers';

vi.mock('../src/api', () => ({
  listUsuarios: vi.fn(),
  getUsuario: vi.fn(),
  createUsuario: vi.fn(),
  updateUsuario: vi.fn(),
  listPersonas: vi.fn(),
  getPersona: vi.fn(),
  getMe: vi.fn(),
}));

const m = vi.mocked(api);
enableAutoUnmount(afterEach);
const REV = usuarioDe('revisor', { id: 'u-rev', email: 'rita@example.com', persona_id: null });

beforeEach(() => {
  vi.resetAllMocks();
  setUsuario(usuarioDe('admin'));
  m.listPersonas.mockResolvedValue({ items: [persona()], next_cursor: null, total: 1 });
  m.getPersona.mockResolvedValue(persona());
});

async function mountAt(component: unknown, path: string, props: Record<string, unknown> = {}) {
  const router = await routerAt(path);
  const w = mount(component as any, { props, global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return { w: w as VueWrapper, router };
}
const byText = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text)!;

describe('usuarios: list', () => {
  it('filters by email, rol and activo from the URL, with the total', async () => {
    m.listUsuarios.mockResolvedValueOnce({ items: [REV], next_cursor: null, total: 1 });
    const { w } = await mountAt(UsuariosList, '/usuarios?q=rita&rol=revisor&activo=true');
    expect(m.listUsuarios).toHaveBeenCalledWith(
      { q: 'rita', rol: 'revisor', activo: true, limit: 20, count: true, cursor: undefined },
      expect.anything(),
    );
    expect(w.get('[data-testid="resumen"]').text()).toBe('(1 usuario · página 1)');
    expect(w.get('tbody tr').text()).toContain('rita@example.com');
    expect(w.get('tbody tr').text()).toContain('Revisor');
    expect(w.get('tbody tr').text()).toContain('Activo');
  });
});

describe('usuarios: create', () => {
  it('creates a revisor account without a persona', async () => {
    m.createUsuario.mockResolvedValueOnce(REV);
    const { w, router } = await mountAt(UsuarioNew, '/usuarios/nuevo');
    await w.get('#email').setValue('rita@example.com');
    await w.get('#rol').setValue('revisor');
    await w.get('#password').setValue('contraseña inicial');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(m.createUsuario).toHaveBeenCalledWith({ email: 'rita@example.com', password: 'contraseña inicial', rol: 'revisor' });
    expect(router.currentRoute.value.path).toBe('/usuarios/u-rev');
  });

  it('a solicitante gets a persona; a taken email (409) shows on the email field', async () => {
    m.createUsuario.mockRejectedValueOnce(httpError(409, { detail: 'Ese email ya tiene una cuenta' }));
    const { w } = await mountAt(UsuarioNew, '/usuarios/nuevo');
    await w.get('#email').setValue('ana@example.com');
    await w.get('#persona_id').setValue(persona().id);
    await w.get('#password').setValue('contraseña inicial');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(m.createUsuario).toHaveBeenCalledWith({
      email: 'ana@example.com',
      password: 'contraseña inicial',
      rol: 'solicitante',
      persona_id: persona().id,
    });
    expect(w.get('#email-error').text()).toBe('Ese email ya tiene una cuenta');
  });
});

describe('usuarios: edit', () => {
  it('changes the rol, sending only what changed', async () => {
    m.getUsuario.mockResolvedValueOnce(REV);
    m.updateUsuario.mockResolvedValueOnce({ ...REV, rol: 'admin' });
    const { w } = await mountAt(UsuarioEdit, '/usuarios/u-rev', { id: 'u-rev' });
    await w.get('#rol').setValue('admin');
    await w.findAll('form')[0]!.trigger('submit');
    await flushPromises();
    expect(m.updateUsuario).toHaveBeenCalledWith('u-rev', { rol: 'admin' });
    expect(w.get('[data-testid="usuario-rol"]').text()).toBe('Administrador');
    expect(w.get('.notice').text()).toBe('Cambios guardados.');
  });

  it('deactivates after a confirmation', async () => {
    m.getUsuario.mockResolvedValueOnce(REV);
    m.updateUsuario.mockResolvedValueOnce({ ...REV, activo: false });
    const { w } = await mountAt(UsuarioEdit, '/usuarios/u-rev', { id: 'u-rev' });
    await byText(w, 'Desactivar cuenta').trigger('click');
    expect(m.updateUsuario).not.toHaveBeenCalled();
    await byText(w, 'Sí, desactivar').trigger('click');
    await flushPromises();
    expect(m.updateUsuario).toHaveBeenCalledWith('u-rev', { activo: false });
    expect(w.get('[data-testid="usuario-activo"]').text()).toBe('Desactivado');
    expect(byText(w, 'Reactivar cuenta').exists()).toBe(true);
  });

  it('the last admin (409) is explained, not hidden', async () => {
    const admin = usuarioDe('admin');
    m.getUsuario.mockResolvedValueOnce(admin);
    m.updateUsuario.mockRejectedValueOnce(httpError(409, { detail: 'Es el último administrador activo' }));
    const { w } = await mountAt(UsuarioEdit, `/usuarios/${admin.id}`, { id: admin.id });
    expect(w.text()).toContain('Es tu propia cuenta.');
    await byText(w, 'Desactivar cuenta').trigger('click');
    await byText(w, 'Sí, desactivar').trigger('click');
    await flushPromises();
    expect(w.get('.error-box').text()).toContain('Es el último administrador activo');
    expect(w.get('[data-testid="usuario-activo"]').text()).toBe('Activo');
  });
});
