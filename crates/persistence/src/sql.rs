//! Small SQL helpers shared by the query modules.

use diesel::QueryResult;
use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};

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
