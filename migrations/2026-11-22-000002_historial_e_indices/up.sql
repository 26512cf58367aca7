-- The review workflow's historial, and the indexes that let every list of the contract read
-- a page without scanning or sorting the table.

-- One row per change of estado; creation is the first (estado_anterior NULL). Written in the
-- same statement as the change it records.
CREATE TABLE solicitud_eventos (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    solicitud_id    uuid        NOT NULL,
    estado_anterior estado,
    estado_nuevo    estado      NOT NULL,
    comentario      text        COLLATE "und-x-icu",
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT solicitud_eventos_solicitud_id_fkey FOREIGN KEY (solicitud_id)
        REFERENCES solicitudes (id) ON DELETE CASCADE,
    CONSTRAINT solicitud_eventos_comentario_check CHECK (comentario IS NULL OR char_length(comentario) <= 2000),
    CONSTRAINT solicitud_eventos_rechazo_check CHECK (
        estado_nuevo <> 'rechazada' OR (comentario IS NOT NULL AND btrim(comentario) <> ''))
);
-- historial reads a solicitud's events in order.
CREATE INDEX solicitud_eventos_solicitud_id_idx ON solicitud_eventos (solicitud_id, id);

-- Substring search (`q`): trigram indexes on lower(text), so `lower(col) LIKE '%…%'` is an
-- index lookup. lower() here and in the query use the column's ICU collation, so the index
-- and the recheck fold case identically whatever the database's locale is.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX solicitudes_titulo_trgm_idx ON solicitudes USING gin (lower(titulo) gin_trgm_ops);
CREATE INDEX solicitudes_descripcion_trgm_idx ON solicitudes USING gin (lower(descripcion) gin_trgm_ops);
CREATE INDEX personas_nombre_trgm_idx ON personas USING gin (lower(nombre) gin_trgm_ops);
CREATE INDEX personas_email_trgm_idx ON personas USING gin (lower(email) gin_trgm_ops);

-- Keyset pagination on (sort key, id) for every sort of the contract. A B-tree is read in
-- either direction, so one index serves `x` and `-x`. created_at already has one.
CREATE INDEX solicitudes_updated_at_id_idx ON solicitudes (updated_at, id);
CREATE INDEX solicitudes_prioridad_id_idx ON solicitudes (prioridad, id);
-- Filters that usually come with a sort: a persona's solicitudes and an estado's queue,
-- newest first (replaces the plain persona_id index).
DROP INDEX solicitudes_persona_id_idx;
CREATE INDEX solicitudes_persona_id_created_at_id_idx ON solicitudes (persona_id, created_at, id);
CREATE INDEX solicitudes_estado_created_at_id_idx ON solicitudes (estado, created_at, id);
