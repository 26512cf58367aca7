import type { ApiError } from '../api/errors';

/** The one 409 of creating or editing a persona is a taken email: show it on that field. */
export function conflictOnEmail(error: ApiError): ApiError {
  if (error.status !== 409) return error;
  return { ...error, message: 'Revisa los datos marcados.', fields: { ...error.fields, email: error.message } };
}
