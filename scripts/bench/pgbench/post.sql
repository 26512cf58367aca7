-- POST /api/v1/solicitudes: persistence::solicitudes::insert. The API binds a UUIDv7 made in
-- Rust and the persona's id; here bench_uuid_v7() makes the same kind of id and the persona is
-- a random seeded one (bench_personas maps 1..npersonas to their ids). The historial's actor is
-- the benchmark's admin (the variable actor), as for the API's requests.
\set p random(1, :npersonas)
WITH s AS ( INSERT INTO solicitudes (id, persona_id, titulo, descripcion, prioridad) VALUES (bench_uuid_v7(), (SELECT id FROM bench_personas WHERE n = :p), :titulo, :descripcion, :prioridad) RETURNING id, persona_id, titulo, descripcion, prioridad, estado, version, created_at, updated_at), e AS ( INSERT INTO solicitud_eventos (solicitud_id, estado_anterior, estado_nuevo, created_at, actor_id) SELECT id, NULL, estado, created_at, :actor::uuid FROM s) SELECT * FROM s;
