-- GET /api/v1/solicitudes?cursor=… ~90 % deep: the keyset position (cur_ts, cur_id) is the
-- one the benchmark's cursor encodes.
SELECT "solicitudes"."id", "solicitudes"."persona_id", "solicitudes"."titulo", "solicitudes"."descripcion", "solicitudes"."prioridad", "solicitudes"."estado", "solicitudes"."version", "solicitudes"."created_at", "solicitudes"."updated_at" FROM "solicitudes" WHERE (solicitudes.created_at, solicitudes.id) < (:cur_ts, :cur_id) ORDER BY "solicitudes"."created_at" DESC, "solicitudes"."id" DESC LIMIT :lim;
