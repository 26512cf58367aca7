//! Mapping of the domain enums to the PostgreSQL enum types `estado`, `prioridad` and `rol`.
//!
//! Newtypes rather than impls on the domain enums: the domain crate knows nothing of diesel,
//! and diesel's derives need a local type. Each is stored as its domain label (`as_str`) and
//! read back with the domain's `FromStr`, so the labels are written once, in the domain.

use std::io::Write;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use solicitudes_domain::{Estado, Prioridad, Rol};

use crate::schema::sql_types;

/// `pg_enum!(#[doc] Name(DomainEnum) as sql_types::Type)`: a newtype of a domain enum stored
/// in a PostgreSQL enum column by its label.
macro_rules! pg_enum {
    ($(#[$doc:meta])* $name:ident($domain:ty) as $sql:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
        #[diesel(sql_type = $sql)]
        pub struct $name(pub $domain);

        impl ToSql<$sql, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.0.as_str().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                Ok($name(std::str::from_utf8(bytes.as_bytes())?.parse()?))
            }
        }
    };
}

pg_enum!(
    /// A [`Estado`] as stored in the `estado` column.
    EstadoDb(Estado) as sql_types::Estado
);
pg_enum!(
    /// A [`Prioridad`] as stored in the `prioridad` column.
    PrioridadDb(Prioridad) as sql_types::Prioridad
);
pg_enum!(
    /// A [`Rol`] as stored in the `rol` column.
    RolDb(Rol) as sql_types::Rol
);
