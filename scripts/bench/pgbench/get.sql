-- GET /api/v1/solicitudes/{id}: persistence::solicitudes::find (diesel's text, as logged by
-- pg_stat_statements). The id is a random seeded row: bench_ids maps 1..nids to the ids
-- (one extra primary-key lookup per transaction, evaluated once as an InitPlan).
\set n random(1, :nids)
SELECT "solicitudes"."id", "solicitudes"."persona_id", "solicitudes"."titulo", "solicitudes"."descripcion", "solicitudes"."prioridad", "solicitudes"."estado", "solicitudes"."version", "solicitudes"."created_at", "solicitudes"."updated_at" FROM "solicitudes" WHERE ("solicitudes"."id" = (SELECT id FROM bench_ids WHERE n = :n)) LIMIT :one;
