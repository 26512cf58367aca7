// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "estado"))]
    pub struct Estado;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "prioridad"))]
    pub struct Prioridad;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "rol"))]
    pub struct Rol;
}

diesel::table! {
    login_fallos (clave) {
        clave -> Text,
        fallos -> Int4,
        ventana_inicio -> Timestamptz,
        ultimo_fallo -> Timestamptz,
        bloqueado_hasta -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    personas (id) {
        id -> Uuid,
        nombre -> Text,
        edad -> Int2,
        email -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sesiones (id) {
        id -> Uuid,
        usuario_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        last_used_at -> Timestamptz,
        expires_at -> Timestamptz,
        user_agent -> Nullable<Text>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Estado;

    solicitud_eventos (id) {
        id -> Int8,
        solicitud_id -> Uuid,
        estado_anterior -> Nullable<Estado>,
        estado_nuevo -> Estado,
        comentario -> Nullable<Text>,
        created_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Prioridad;
    use super::sql_types::Estado;

    solicitudes (id) {
        id -> Uuid,
        persona_id -> Uuid,
        titulo -> Text,
        descripcion -> Text,
        prioridad -> Prioridad,
        estado -> Estado,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Rol;

    usuarios (id) {
        id -> Uuid,
        email -> Text,
        rol -> Rol,
        persona_id -> Nullable<Uuid>,
        activo -> Bool,
        password_hash -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(sesiones -> usuarios (usuario_id));
diesel::joinable!(solicitud_eventos -> solicitudes (solicitud_id));
diesel::joinable!(solicitud_eventos -> usuarios (actor_id));
diesel::joinable!(solicitudes -> personas (persona_id));
diesel::joinable!(usuarios -> personas (persona_id));

diesel::allow_tables_to_appear_in_same_query!(
    login_fallos,
    personas,
    sesiones,
    solicitud_eventos,
    solicitudes,
    usuarios,
);
