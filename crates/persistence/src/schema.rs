// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "estado"))]
    pub struct Estado;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "prioridad"))]
    pub struct Prioridad;
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
    use super::sql_types::Estado;

    solicitud_eventos (id) {
        id -> Int8,
        solicitud_id -> Uuid,
        estado_anterior -> Nullable<Estado>,
        estado_nuevo -> Estado,
        comentario -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(solicitud_eventos -> solicitudes (solicitud_id));
diesel::joinable!(solicitudes -> personas (persona_id));

diesel::allow_tables_to_appear_in_same_query!(personas, solicitud_eventos, solicitudes,);
