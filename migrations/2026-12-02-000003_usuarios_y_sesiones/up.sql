-- Identity and access (v1.1): accounts, sessions, login throttling, and the actor of each
-- historial event. Existing rows stay valid: historial events written before accounts
-- existed keep a NULL actor.

CREATE TYPE rol AS ENUM ('solicitante', 'revisor', 'admin');

CREATE TABLE usuarios (
    id            uuid        PRIMARY KEY,
    -- The login name, stored as sent; unique case-insensitively (index below).
    email         text        COLLATE "und-x-icu" NOT NULL,
    rol           rol         NOT NULL,
    -- The persona this account files as. RESTRICT: a persona with an account is never
    -- deleted behind the account's back.
    persona_id    uuid,
    -- Accounts are deactivated, never deleted, so the historial keeps its actors.
    activo        boolean     NOT NULL DEFAULT true,
    -- Argon2id, as a PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT usuarios_persona_id_fkey FOREIGN KEY (persona_id) REFERENCES personas (id) ON DELETE RESTRICT,
    CONSTRAINT usuarios_email_check CHECK (char_length(email) BETWEEN 3 AND 254 AND strpos(email, '@') > 1),
    -- A solicitante always has the persona they file as.
    CONSTRAINT usuarios_solicitante_persona_check CHECK (rol <> 'solicitante' OR persona_id IS NOT NULL),
    CONSTRAINT usuarios_password_hash_check CHECK (password_hash LIKE '$argon2id$%')
);

-- The service maps a violation of this index (by its name) to a 409.
CREATE UNIQUE INDEX usuarios_email_key ON usuarios (lower(email));
-- The list of usuarios: newest first, ties by id (keyset pagination).
CREATE INDEX usuarios_created_at_id_idx ON usuarios (created_at DESC, id DESC);
-- Deleting a persona checks the foreign key above by persona_id.
CREATE INDEX usuarios_persona_id_idx ON usuarios (persona_id);
-- `q` on the list of usuarios (as for personas' e-mail).
CREATE INDEX usuarios_email_trgm_idx ON usuarios USING gin (lower(email) gin_trgm_ops);

-- One row per login. The token itself is never stored: only its SHA-256, so a copy of this
-- table opens no session.
CREATE TABLE sesiones (
    id           uuid        PRIMARY KEY,
    usuario_id   uuid        NOT NULL,
    token_hash   bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Written at most once a minute per session, off the request path.
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    user_agent   text        COLLATE "und-x-icu",
    revoked_at   timestamptz,
    CONSTRAINT sesiones_usuario_id_fkey FOREIGN KEY (usuario_id) REFERENCES usuarios (id) ON DELETE CASCADE,
    CONSTRAINT sesiones_token_hash_check CHECK (octet_length(token_hash) = 32),
    CONSTRAINT sesiones_user_agent_check CHECK (user_agent IS NULL OR char_length(user_agent) <= 512),
    CONSTRAINT sesiones_expires_at_check CHECK (expires_at > created_at)
);

-- Authentication looks a session up by the hash of the presented token.
CREATE UNIQUE INDEX sesiones_token_hash_key ON sesiones (token_hash);
-- An account's sessions (GET /auth/sesiones, revoking the others on a password change).
CREATE INDEX sesiones_usuario_id_idx ON sesiones (usuario_id, created_at);

-- Failed logins, shared by every replica. One row per key: `cuenta:<lower(email)>` or
-- `ip:<client address>` (IPv6 by /64). `fallos` counts the failures of the current run, which
-- ends when `ultimo_fallo` is older than the window; from the threshold on, each failure
-- blocks the key until `bloqueado_hasta`, for a time that doubles up to a ceiling.
CREATE TABLE login_fallos (
    clave           text        COLLATE "C" PRIMARY KEY,
    fallos          integer     NOT NULL,
    ventana_inicio  timestamptz NOT NULL,
    ultimo_fallo    timestamptz NOT NULL,
    bloqueado_hasta timestamptz,
    CONSTRAINT login_fallos_fallos_check CHECK (fallos >= 1),
    CONSTRAINT login_fallos_clave_check CHECK (char_length(clave) <= 300)
);

-- Who made each change. NULL for events written before accounts existed (seeded data).
-- No index: accounts are never deleted, so the foreign key is never checked from this side.
ALTER TABLE solicitud_eventos ADD COLUMN actor_id uuid
    CONSTRAINT solicitud_eventos_actor_id_fkey REFERENCES usuarios (id) ON DELETE RESTRICT;
