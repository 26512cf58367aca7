//! Mapping of the domain enums to the PostgreSQL enum types `estado`, `prioridad` and `rol`.
//!
//! Newtypes rather than impls on the domain enums: the domain crate knows nothing of diesel,
//! and diesel's derives need a local type.

use std::io::Write;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use solicitudes_domain::{Estado, Prioridad, Rol};

use crate::schema::sql_types;

/// A [`Estado`] as stored in the `estado` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = sql_types::Estado)]
pub struct EstadoDb(pub Estado);

/// A [`Prioridad`] as stored in the `prioridad` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = sql_types::Prioridad)]
pub struct PrioridadDb(pub Prioridad);

/// A [`Rol`] as stored in the `rol` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = sql_types::Rol)]
pub struct RolDb(pub Rol);

impl ToSql<sql_types::Rol, Pg> for RolDb {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(self.0.as_str().as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<sql_types::Rol, Pg> for RolDb {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        Ok(RolDb(std::str::from_utf8(bytes.as_bytes())?.parse()?))
    }
}

impl ToSql<sql_types::Estado, Pg> for EstadoDb {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(self.0.as_str().as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<sql_types::Estado, Pg> for EstadoDb {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        Ok(EstadoDb(std::str::from_utf8(bytes.as_bytes())?.parse()?))
    }
}

impl ToSql<sql_types::Prioridad, Pg> for PrioridadDb {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(self.0.as_str().as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<sql_types::Prioridad, Pg> for PrioridadDb {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        Ok(PrioridadDb(std::str::from_utf8(bytes.as_bytes())?.parse()?))
    }
}
