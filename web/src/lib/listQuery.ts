import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import type { Estado, Prioridad, Sort } from '../api/types';
import { DEFAULT_SORT, esEstado, esPrioridad, esSort } from './workflow';

/** The filters of the solicitudes list, kept in the URL so they survive reloads and links. */
export interface SolicitudFilters {
  estado: Estado[];
  prioridad: Prioridad[];
  persona_id: string;
  q: string;
  sort: Sort;
}

function all(value: LocationQuery[string] | undefined): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
}

function one(value: LocationQuery[string] | undefined): string {
  return all(value)[0] ?? '';
}

/** Reads the filters from the URL, ignoring values the API would refuse. */
export function filtersFromQuery(query: LocationQuery): SolicitudFilters {
  const sort = one(query.sort);
  return {
    estado: [...new Set(all(query.estado).filter(esEstado))],
    prioridad: [...new Set(all(query.prioridad).filter(esPrioridad))],
    persona_id: one(query.persona_id),
    q: one(query.q).slice(0, 200),
    sort: esSort(sort) ? sort : DEFAULT_SORT,
  };
}

/** The URL query for some filters: defaults and empty values are left out. */
export function filtersToQuery(f: SolicitudFilters): LocationQueryRaw {
  const query: LocationQueryRaw = {};
  if (f.estado.length) query.estado = [...f.estado];
  if (f.prioridad.length) query.prioridad = [...f.prioridad];
  if (f.persona_id) query.persona_id = f.persona_id;
  if (f.q.trim()) query.q = f.q.trim();
  if (f.sort !== DEFAULT_SORT) query.sort = f.sort;
  return query;
}
