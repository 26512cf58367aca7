ALTER TABLE solicitud_eventos DROP COLUMN actor_id;
DROP TABLE login_fallos;
DROP TABLE sesiones;
DROP TABLE usuarios;
DROP TYPE rol;
