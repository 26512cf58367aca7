// Names for the generated API types (src/api/schema.d.ts, from the OpenAPI document).
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Estado = Schemas['Estado'];
export type Prioridad = Schemas['Prioridad'];
export type Persona = Schemas['PersonaResponse'];
export type PersonaCreate = Schemas['PersonaCreate'];
export type PersonaUpdate = Schemas['PersonaUpdate'];
export type Solicitud = Schemas['SolicitudResponse'];
export type SolicitudCreate = Schemas['SolicitudCreate'];
export type SolicitudUpdate = Schemas['SolicitudUpdate'];
export type TransicionCreate = Schemas['TransicionCreate'];
export type TransicionConflict = Schemas['TransicionConflict'];
export type Evento = Schemas['EventoResponse'];
export type Estadisticas = Schemas['Estadisticas'];
export type ErrorEntry = Schemas['ErrorEntry'];
export type HttpValidationError = Schemas['HttpValidationError'];
export type ErrorMessage = Schemas['ErrorMessage'];
export type PageSolicitudes = Schemas['Page_SolicitudResponse'];
export type PagePersonas = Schemas['Page_PersonaResponse'];

export type SolicitudesQuery = NonNullable<paths['/api/v1/solicitudes']['get']['parameters']['query']>;
export type PersonasQuery = NonNullable<paths['/api/v1/personas']['get']['parameters']['query']>;
export type Sort = NonNullable<SolicitudesQuery['sort']>;
