import { describe, expect, it } from 'vitest';
import { apiBaseUrl, cleanParams, createHttp } from '../src/api/client';
import { filtersFromQuery, filtersToQuery } from '../src/lib/listQuery';

describe('apiBaseUrl', () => {
  it('is the same origin in builds and the API of `make run` in dev', () => {
    expect(apiBaseUrl({ DEV: false })).toBe('');
    expect(apiBaseUrl({ DEV: true })).toBe('http://127.0.0.1:8000');
  });
  it('VITE_API_URL wins, even empty', () => {
    expect(apiBaseUrl({ DEV: true, VITE_API_URL: 'http://localhost:9000/' })).toBe('http://localhost:9000');
    expect(apiBaseUrl({ DEV: true, VITE_API_URL: '' })).toBe('');
  });
});

describe('query strings', () => {
  const http = createHttp('http://api.test/api/v1');

  it('repeats array parameters without brackets and drops empty ones', () => {
    const params = cleanParams({
      estado: ['pendiente', 'en_revision'],
      prioridad: [],
      q: '',
      persona_id: undefined,
      sort: '-prioridad',
      limit: 20,
      count: true,
    });
    expect(http.getUri({ url: '/solicitudes', params })).toBe(
      'http://api.test/api/v1/solicitudes?estado=pendiente&estado=en_revision&sort=-prioridad&limit=20&count=true',
    );
  });

  it('encodes the search text and the cursor', () => {
    const uri = http.getUri({ url: '/solicitudes', params: cleanParams({ q: 'josé & 50%', cursor: 'ab+c/=' }) });
    expect(uri).toContain('q=jos%C3%A9+%26+50%25');
    expect(uri).toContain('cursor=ab%2Bc%2F%3D');
  });
});

describe('list filters in the URL', () => {
  it('round-trips and drops defaults', () => {
    const f = filtersFromQuery({ estado: ['pendiente', 'aprobada'], prioridad: 'alta', q: ' turno ', sort: 'prioridad' });
    expect(f).toEqual({ estado: ['pendiente', 'aprobada'], prioridad: ['alta'], persona_id: '', q: ' turno ', sort: 'prioridad' });
    expect(filtersToQuery(f)).toEqual({ estado: ['pendiente', 'aprobada'], prioridad: ['alta'], q: 'turno', sort: 'prioridad' });
    expect(filtersToQuery(filtersFromQuery({}))).toEqual({});
  });

  it('ignores values the API would refuse', () => {
    const f = filtersFromQuery({ estado: ['nada', 'pendiente', 'pendiente'], sort: 'titulo', q: '' });
    expect(f.estado).toEqual(['pendiente']);
    expect(f.sort).toBe('-created_at');
  });
});
