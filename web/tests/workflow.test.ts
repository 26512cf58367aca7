import { describe, expect, it } from 'vitest';
import type { Estado } from '../src/api/types';
import { ACCION_LABEL, ESTADOS, esFinal, requiereComentario, siguientesEstados } from '../src/lib/workflow';

describe('allowed next estados', () => {
  it.each<[Estado, Estado[]]>([
    ['pendiente', ['en_revision', 'cancelada']],
    ['en_revision', ['aprobada', 'rechazada', 'pendiente', 'cancelada']],
    ['aprobada', []],
    ['rechazada', []],
    ['cancelada', []],
  ])('%s → %j', (estado, expected) => {
    expect(siguientesEstados(estado)).toEqual(expected);
    expect(esFinal(estado)).toBe(expected.length === 0);
  });

  it("the server's permitidos (409) win over the table", () => {
    expect(siguientesEstados('pendiente', ['aprobada', 'rechazada', 'pendiente', 'cancelada'])).toEqual([
      'aprobada',
      'rechazada',
      'pendiente',
      'cancelada',
    ]);
    expect(siguientesEstados('pendiente', [])).toEqual([]);
  });

  it('ignores estados it does not know', () => {
    expect(siguientesEstados('pendiente', ['en_revision', 'archivada', 3])).toEqual(['en_revision']);
  });

  it('never offers the current estado or a final one as a source', () => {
    for (const e of ESTADOS) expect(siguientesEstados(e)).not.toContain(e);
  });

  it('only rejecting needs a comentario', () => {
    expect(ESTADOS.filter(requiereComentario)).toEqual(['rechazada']);
  });

  it('has a Spanish button for every estado', () => {
    for (const e of ESTADOS) expect(ACCION_LABEL[e]).toBeTruthy();
  });
});
