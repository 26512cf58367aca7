import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import PersonaForm from '../src/components/PersonaForm.vue';
import SolicitudForm from '../src/components/SolicitudForm.vue';
import { persona } from './helpers';

vi.mock('../src/api', () => ({
  listPersonas: vi.fn(async () => ({ items: [persona()], next_cursor: null, total: 1 })),
  getPersona: vi.fn(async () => persona()),
}));

enableAutoUnmount(afterEach);

beforeEach(() => {
  document.body.innerHTML = '';
});

function draft() {
  return { titulo: '', descripcion: '', prioridad: 'media' as const, persona_id: '' };
}

describe('SolicitudForm', () => {
  it('shows each error beside its field, linked for assistive technology', async () => {
    const w = mount(SolicitudForm, {
      props: { modelValue: draft(), mode: 'crear' },
      attachTo: document.body,
    });
    await flushPromises();
    await w.setProps({ errors: { titulo: 'Debe tener al menos 3 caracteres', persona_id: 'Campo obligatorio' } });
    await flushPromises();

    const titulo = w.get('#titulo');
    expect(titulo.attributes('aria-invalid')).toBe('true');
    expect(titulo.attributes('aria-describedby')).toContain('titulo-error');
    expect(w.get('#titulo-error').text()).toBe('Debe tener al menos 3 caracteres');
    expect(w.get('#persona_id').attributes('aria-invalid')).toBe('true');
    expect(w.get('#persona_id-error').text()).toBe('Campo obligatorio');
    expect(w.find('#descripcion-error').exists()).toBe(false);
    expect(w.get('#descripcion').attributes('aria-invalid')).toBeUndefined();
    // the first field with an error gets the focus
    expect(document.activeElement?.id).toBe('titulo');
  });

  it('labels every control', async () => {
    const w = mount(SolicitudForm, { props: { modelValue: draft(), mode: 'crear' }, attachTo: document.body });
    await flushPromises();
    for (const id of ['titulo', 'descripcion', 'prioridad', 'persona_id']) {
      expect(w.find(`label[for="${id}"]`).exists(), id).toBe(true);
    }
    expect(w.get('#persona_id').findAll('option').map((o) => o.text())).toContain('Ana Pérez (ana@example.com)');
  });

  it('edits the model and submits; no persona when editing', async () => {
    const model = draft();
    const w = mount(SolicitudForm, {
      props: { modelValue: model, mode: 'editar', 'onUpdate:modelValue': () => undefined },
    });
    await w.get('#titulo').setValue('Nuevo título');
    await w.get('#prioridad').setValue('urgente');
    expect(model.titulo).toBe('Nuevo título');
    expect(model.prioridad).toBe('urgente');
    expect(w.find('#persona_id').exists()).toBe(false);
    await w.get('form').trigger('submit');
    expect(w.emitted('submit')).toHaveLength(1);
  });
});

describe('PersonaForm', () => {
  it('shows the 409 on the email field and the 422s on theirs', async () => {
    const w = mount(PersonaForm, {
      props: { modelValue: { nombre: '', edad: 'diez', email: 'ana@example.com' } },
      attachTo: document.body,
    });
    await w.setProps({
      errors: { edad: 'Debe ser un número entero', email: 'Ese email ya está registrado para otra persona' },
    });
    await flushPromises();
    expect(w.get('#edad-error').text()).toBe('Debe ser un número entero');
    expect(w.get('#email-error').text()).toBe('Ese email ya está registrado para otra persona');
    expect(w.get('#email').attributes('aria-describedby')).toContain('email-error');
    expect(w.find('#nombre-error').exists()).toBe(false);
    expect(document.activeElement?.id).toBe('edad');
  });
});
