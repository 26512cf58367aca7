import { describe, expect, it } from 'vitest';
import { MSG_INVALID, MSG_NETWORK, MSG_UNAVAILABLE, mapValidationErrors, toApiError } from '../src/api/errors';
import { conflictOnEmail } from '../src/lib/personaErrors';
import { httpError, networkError } from './helpers';

describe('mapValidationErrors (422 → form fields)', () => {
  it('puts each body entry beside its field, loc[1]', () => {
    const r = mapValidationErrors([
      { loc: ['body', 'titulo'], msg: 'Debe tener al menos 3 caracteres', type: 'string_too_short' },
      { loc: ['body', 'persona_id'], msg: 'Campo obligatorio', type: 'missing' },
    ]);
    expect(r.fields).toEqual({ titulo: 'Debe tener al menos 3 caracteres', persona_id: 'Campo obligatorio' });
    expect(r.general).toEqual([]);
  });

  it('joins several messages for one field', () => {
    const r = mapValidationErrors([
      { loc: ['body', 'email'], msg: 'Uno.', type: 'a' },
      { loc: ['body', 'email'], msg: 'Dos.', type: 'b' },
    ]);
    expect(r.fields.email).toBe('Uno. Dos.');
  });

  it('sends other locations to the general box', () => {
    const r = mapValidationErrors(
      [
        { loc: ['body'], msg: 'JSON mal formado: línea 1', type: 'json_invalid' },
        { loc: ['header', 'if-match'], msg: 'If-Match debe ser * o …', type: 'value_error' },
        { loc: ['query', 'cursor'], msg: 'Cursor no válido', type: 'cursor_invalid' },
        { loc: ['path', 'id'], msg: 'Debe ser un UUID válido', type: 'uuid_parsing' },
        { loc: ['body', 'estado'], msg: 'Campo no permitido', type: 'extra_forbidden' },
        { loc: ['body', 'titulo'], msg: 'Campo obligatorio', type: 'missing' },
      ],
      ['titulo', 'descripcion'],
    );
    expect(r.fields).toEqual({ titulo: 'Campo obligatorio' });
    expect(r.general).toEqual([
      'JSON mal formado: línea 1',
      'cabecera «if-match»: If-Match debe ser * o …',
      'parámetro «cursor»: Cursor no válido',
      'ruta «id»: Debe ser un UUID válido',
      'campo «estado»: Campo no permitido',
    ]);
  });

  it('copes with numeric loc parts', () => {
    const r = mapValidationErrors([{ loc: ['body', 'items', 0], msg: 'x', type: 't' }]);
    expect(r.fields).toEqual({ items: 'x' });
  });
});

describe('toApiError', () => {
  it('422 → fields + general, with a short message', () => {
    const e = toApiError(
      httpError(422, { detail: [{ loc: ['body', 'nombre'], msg: 'Debe tener al menos 1 carácter', type: 'string_too_short' }] }),
    );
    expect(e.status).toBe(422);
    expect(e.message).toBe(MSG_INVALID);
    expect(e.fields).toEqual({ nombre: 'Debe tener al menos 1 carácter' });
    expect(e.retryable).toBe(false);
  });

  it('503 → "el servicio no está disponible, reintenta", retryable', () => {
    const e = toApiError(httpError(503, { detail: 'El servicio no puede acceder a la base de datos…' }));
    expect(e.message).toBe(MSG_UNAVAILABLE);
    expect(e.message.toLowerCase()).toContain('el servicio no está disponible, reintenta');
    expect(e.retryable).toBe(true);
  });

  it('no answer → network message, retryable', () => {
    const e = toApiError(networkError());
    expect(e.status).toBe(0);
    expect(e.message).toBe(MSG_NETWORK);
    expect(e.retryable).toBe(true);
  });

  it('409 on a transition carries permitidos', () => {
    const e = toApiError(
      httpError(409, { detail: 'No se puede pasar de «pendiente» a «aprobada»', permitidos: ['en_revision', 'cancelada'] }),
    );
    expect(e.message).toBe('No se puede pasar de «pendiente» a «aprobada»');
    expect(e.permitidos).toEqual(['en_revision', 'cancelada']);
  });

  it('other errors show the server detail; 500 quotes the request id', () => {
    expect(toApiError(httpError(404, { detail: 'No existe la solicitud x' })).message).toBe('No existe la solicitud x');
    const e = toApiError(httpError(500, { detail: 'Internal Server Error' }, { 'x-request-id': 'abc-123' }));
    expect(e.message).toContain('abc-123');
    expect(e.requestId).toBe('abc-123');
  });

  it('a 409 on a persona is shown on the email field', () => {
    const e = conflictOnEmail(toApiError(httpError(409, { detail: 'Ese email ya está registrado para otra persona' })));
    expect(e.fields.email).toBe('Ese email ya está registrado para otra persona');
  });
});
