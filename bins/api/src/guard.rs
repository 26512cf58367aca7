//! Every handler runs inside a guard: a panic becomes a 500 in the contract's shape (logged
//! with the request id, the worker keeps serving) and a handler that takes longer than the
//! request timeout is abandoned with a 503.
//!
//! A guard around the handler rather than a middleware around the app: a middleware that
//! wants to build a response after the inner service consumed the request needs a clone of
//! the request taken before routing, and actix's router requires the request unshared.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use actix_web::body::BoxBody;
use actix_web::http::header;
use actix_web::{FromRequest, Handler, HttpRequest, HttpResponse, Responder};
use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use solicitudes_schemas::{ErrorCode, ErrorMessage};

use crate::error::INTERNAL;

/// A handler wrapped by [`guarded`].
#[derive(Clone)]
pub struct Guarded<F> {
    handler: F,
    timeout: Duration,
}

/// Wraps `handler`: panics → 500, longer than `timeout` → 503.
pub fn guarded<F>(handler: F, timeout: Duration) -> Guarded<F> {
    Guarded { handler, timeout }
}

/// What a guarded handler answers: the handler's own response, or the guard's.
pub enum Outcome<R> {
    /// The handler finished.
    Done(R),
    /// The handler panicked or ran out of time.
    Failed(HttpResponse),
}

impl<R: Responder> Responder for Outcome<R> {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse<BoxBody> {
        match self {
            Outcome::Done(r) => r.respond_to(req).map_into_boxed_body(),
            Outcome::Failed(res) => res,
        }
    }
}

impl<F, Args> Handler<Args> for Guarded<F>
where
    F: Handler<Args>,
    F::Future: 'static,
    F::Output: Responder + 'static,
    Args: FromRequest + 'static,
{
    type Output = Outcome<F::Output>;
    type Future = LocalBoxFuture<'static, Self::Output>;

    fn call(&self, args: Args) -> Self::Future {
        let work = AssertUnwindSafe(self.handler.call(args)).catch_unwind();
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, work).await {
                Ok(Ok(output)) => Outcome::Done(output),
                Ok(Err(panic)) => {
                    tracing::error!(panic = %panic_message(&*panic), "handler panicked");
                    Outcome::Failed(
                        HttpResponse::InternalServerError()
                            .json(ErrorMessage::new(ErrorCode::Internal, INTERNAL)),
                    )
                }
                Err(_) => {
                    tracing::warn!(timeout_ms = timeout.as_millis(), "request timed out");
                    Outcome::Failed(
                        HttpResponse::ServiceUnavailable()
                            .insert_header((header::RETRY_AFTER, "1"))
                            .json(ErrorMessage::new(
                                ErrorCode::Timeout,
                                "La petición tardó demasiado y se canceló; reinténtalo",
                            )),
                    )
                }
            }
        })
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(non-string panic payload)")
}
