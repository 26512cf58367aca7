DROP INDEX solicitudes_estado_created_at_id_idx;
DROP INDEX solicitudes_persona_id_created_at_id_idx;
CREATE INDEX solicitudes_persona_id_idx ON solicitudes (persona_id);
DROP INDEX solicitudes_prioridad_id_idx;
DROP INDEX solicitudes_updated_at_id_idx;
DROP INDEX personas_email_trgm_idx;
DROP INDEX personas_nombre_trgm_idx;
DROP INDEX solicitudes_descripcion_trgm_idx;
DROP INDEX solicitudes_titulo_trgm_idx;
DROP TABLE solicitud_eventos;
-- pg_trgm stays: other objects may use it.
