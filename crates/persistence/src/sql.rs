//! Small SQL helpers shared by the query modules.

use std::marker::PhantomData;

use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Bool, HasSqlType, Text, Timestamptz, Untyped, Uuid as SqlUuid};
use diesel::{QueryResult, result::Error};
use time::OffsetDateTime;
use uuid::Uuid;

/// A statement written in this crate as one `&'static str` with `$1 … $n` placeholders, whose
/// prepared statement every connection keeps and reuses.
///
/// `diesel::sql_query` is never cached: its text may be built at run time, so diesel prepares
/// it anew at every execution (Parse and Describe, a round trip of its own, then Bind/Execute,
/// then Close), and PostgreSQL plans it every time. This is the same raw SQL, but the text is
/// static, so diesel's statement cache keys it by the text and its bind types: the first
/// execution on a connection prepares it, every later one only binds and executes.
///
/// Each `$n` in the text becomes a bind of the `n`-th value given with [`bind`](Self::bind);
/// a placeholder written twice is sent twice (PostgreSQL numbers them anew).
#[derive(Debug, Clone, Copy)]
#[must_use = "a statement does nothing until it is executed"]
pub(crate) struct CachedSql<B> {
    sql: &'static str,
    binds: B,
}

/// One bind value of a [`CachedSql`] statement, with its SQL type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bound<ST, V> {
    value: V,
    sql_type: PhantomData<ST>,
}

/// A statement of this crate's own SQL; see [`CachedSql`].
pub(crate) fn cached_sql(sql: &'static str) -> CachedSql<()> {
    CachedSql { sql, binds: () }
}

impl<B> CachedSql<B> {
    /// Adds the value of the next placeholder (`$1` first).
    pub(crate) fn bind<ST, V>(self, value: V) -> CachedSql<(B, Bound<ST, V>)> {
        CachedSql {
            sql: self.sql,
            binds: (
                self.binds,
                Bound {
                    value,
                    sql_type: PhantomData,
                },
            ),
        }
    }
}

/// The bind values of a [`CachedSql`], `((((), $1), $2), …)`.
pub(crate) trait BindList {
    /// How many values.
    const LEN: usize;

    /// Pushes the `n`-th value (1-based) as a bind parameter.
    fn push_nth<'b>(&'b self, n: usize, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

impl BindList for () {
    const LEN: usize = 0;

    fn push_nth<'b>(&'b self, n: usize, _: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        Err(Error::QueryBuilderError(
            format!("placeholder ${n} has no bound value").into(),
        ))
    }
}

impl<P: BindList, ST, V: ToSql<ST, Pg>> BindList for (P, Bound<ST, V>)
where
    Pg: HasSqlType<ST>,
{
    const LEN: usize = P::LEN + 1;

    fn push_nth<'b>(&'b self, n: usize, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if n == Self::LEN {
            out.push_bind_param::<ST, V>(&self.1.value)
        } else {
            self.0.push_nth(n, out)
        }
    }
}

impl<B: BindList> QueryFragment<Pg> for CachedSql<B> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = self.sql;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let after = &rest[at + 1..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                out.push_sql("$");
            } else {
                let n = after[..digits].parse().map_err(|_| {
                    Error::QueryBuilderError(format!("bad placeholder in {:?}", self.sql).into())
                })?;
                self.binds.push_nth(n, &mut out)?;
            }
            rest = &after[digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

/// Keyed by its text (not by type: every statement has the same type).
impl<B> QueryId for CachedSql<B> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// Rows come back by column name, as with `sql_query` (`QueryableByName`).
impl<B> Query for CachedSql<B> {
    type SqlType = Untyped;
}

/// `(lower(a) LIKE p OR lower(b) LIKE p …)` with `p = lower($pattern COLLATE "und-x-icu")`:
/// a case-insensitive substring match (`%`, `_` literal) that folds the pattern with the same
/// ICU rules as the columns and their trigram indexes on `lower(column)` (see the migrations).
#[derive(Debug, Clone)]
pub(crate) struct ContainsIcu {
    /// Qualified column names written in this crate, never input.
    columns: &'static [&'static str],
    pattern: String,
}

impl ContainsIcu {
    /// Matches `q` anywhere in any of `columns`.
    pub(crate) fn new(columns: &'static [&'static str], q: &str) -> Self {
        Self {
            columns,
            pattern: crate::like::contains_pattern(q),
        }
    }
}

impl Expression for ContainsIcu {
    type SqlType = Bool;
}

impl<QS> SelectableExpression<QS> for ContainsIcu {}

impl<QS> AppearsOnTable<QS> for ContainsIcu {}

impl<GB> ValidGrouping<GB> for ContainsIcu {
    type IsAggregate = is_aggregate::Never;
}

impl QueryFragment<Pg> for ContainsIcu {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("(");
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push_sql(" OR ");
            }
            out.push_sql("lower(");
            out.push_sql(column);
            out.push_sql(") LIKE lower(");
            out.push_bind_param::<Text, _>(&self.pattern)?;
            out.push_sql(" COLLATE \"und-x-icu\")");
        }
        out.push_sql(")");
        Ok(())
    }
}

impl QueryId for ContainsIcu {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// Keyset position in a newest-first list (`created_at DESC, id DESC`): the `(created_at, id)`
/// of the last row already seen.
pub type NewestFirstKey = (OffsetDateTime, Uuid);

/// `(key, id) < ($value, $id)` (`>` when ascending): the rows strictly beyond the last one
/// seen in a list ordered by `(key, id)`. A row comparison, so PostgreSQL walks the list's
/// `(key, id)` index from the cursor on: a deep page costs what the first one does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Beyond<ST, V> {
    /// `(table.key, table.id)`, written in this crate, never input.
    columns: &'static str,
    descending: bool,
    value: V,
    id: Uuid,
    sql_type: PhantomData<ST>,
}

impl<ST, V> Beyond<ST, V> {
    /// The rows after `(value, id)` in the order of `columns`, largest first if `descending`.
    pub(crate) fn new(columns: &'static str, descending: bool, value: V, id: Uuid) -> Self {
        Self {
            columns,
            descending,
            value,
            id,
            sql_type: PhantomData,
        }
    }
}

impl Beyond<Timestamptz, OffsetDateTime> {
    /// The rows after `key` in a newest-first list; `columns` is `(table.created_at, table.id)`.
    pub(crate) fn newest_first(columns: &'static str, (created_at, id): NewestFirstKey) -> Self {
        Self::new(columns, true, created_at, id)
    }
}

impl<ST, V> Expression for Beyond<ST, V> {
    type SqlType = Bool;
}

impl<ST, V, QS> SelectableExpression<QS> for Beyond<ST, V> {}

impl<ST, V, QS> AppearsOnTable<QS> for Beyond<ST, V> {}

impl<ST, V, GB> ValidGrouping<GB> for Beyond<ST, V> {
    type IsAggregate = is_aggregate::Never;
}

impl<ST, V: ToSql<ST, Pg>> QueryFragment<Pg> for Beyond<ST, V>
where
    Pg: HasSqlType<ST>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(self.columns);
        out.push_sql(if self.descending { " < (" } else { " > (" });
        out.push_bind_param::<ST, V>(&self.value)?;
        out.push_sql(", ");
        out.push_bind_param::<SqlUuid, Uuid>(&self.id)?;
        out.push_sql(")");
        Ok(())
    }
}

impl<ST, V> QueryId for Beyond<ST, V> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// `EXPLAIN (FORMAT JSON) <query>`: how PostgreSQL would run one of this crate's queries.
/// Used by the tests that prove lists read an index instead of sorting the table.
#[derive(Debug, Clone, Copy)]
pub struct Explain<Q>(pub Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("EXPLAIN (FORMAT JSON) ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Explain<Q> {
    type SqlType = Text;
}
