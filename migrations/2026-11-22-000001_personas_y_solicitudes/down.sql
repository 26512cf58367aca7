DROP TABLE solicitudes;
DROP TABLE personas;
DROP TYPE prioridad;
DROP TYPE estado;
