-- Personas and solicitudes. The contract's rules are enforced here as well as in the
-- service, so no other writer (psql, a future service) can store what the API would refuse.
--
-- Text columns use the ICU root collation: lower() and ILIKE then fold case for all of
-- Unicode ('JOSÉ' finds 'josé') whatever the database's default locale is.

CREATE TYPE estado AS ENUM ('pendiente', 'en_revision', 'aprobada', 'rechazada', 'cancelada');
-- Declared in rank order: ORDER BY prioridad sorts baja < media < alta < urgente.
CREATE TYPE prioridad AS ENUM ('baja', 'media', 'alta', 'urgente');

CREATE TABLE personas (
    id          uuid        PRIMARY KEY,
    nombre      text        COLLATE "und-x-icu" NOT NULL,
    edad        smallint    NOT NULL,
    email       text        COLLATE "und-x-icu",
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT personas_nombre_check CHECK (char_length(nombre) BETWEEN 1 AND 100 AND nombre = btrim(nombre)),
    CONSTRAINT personas_edad_check CHECK (edad BETWEEN 0 AND 150),
    CONSTRAINT personas_email_check CHECK (email IS NULL OR (char_length(email) BETWEEN 3 AND 254 AND strpos(email, '@') > 1))
);

-- E-mail is unique case-insensitively; the service maps a violation of this index (by its
-- name) to a 409 instead of checking first and racing.
CREATE UNIQUE INDEX personas_email_key ON personas (lower(email));
-- Lists are newest first with ties broken by id (keyset pagination).
CREATE INDEX personas_created_at_id_idx ON personas (created_at DESC, id DESC);

CREATE TABLE solicitudes (
    id          uuid        PRIMARY KEY,
    persona_id  uuid        NOT NULL,
    titulo      text        COLLATE "und-x-icu" NOT NULL,
    descripcion text        COLLATE "und-x-icu" NOT NULL DEFAULT '',
    prioridad   prioridad   NOT NULL DEFAULT 'media',
    estado      estado      NOT NULL DEFAULT 'pendiente',
    version     integer     NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- RESTRICT: a persona with solicitudes is never deleted behind the caller's back.
    CONSTRAINT solicitudes_persona_id_fkey FOREIGN KEY (persona_id) REFERENCES personas (id) ON DELETE RESTRICT,
    CONSTRAINT solicitudes_titulo_check CHECK (char_length(titulo) BETWEEN 3 AND 200 AND titulo = btrim(titulo)),
    CONSTRAINT solicitudes_descripcion_check CHECK (char_length(descripcion) <= 5000),
    CONSTRAINT solicitudes_version_check CHECK (version >= 1)
);

CREATE INDEX solicitudes_persona_id_idx ON solicitudes (persona_id);
CREATE INDEX solicitudes_created_at_id_idx ON solicitudes (created_at DESC, id DESC);
