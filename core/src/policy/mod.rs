//! The POST policy: a typed spec, its checks and its exact JSON.
//!
//! A [`PolicySpec`] says what the camera may upload; the emitter writes it as the JSON of
//! `docs/policy.md` §2, and the same function run into a [`Counter`](crate::wire::Counter)
//! gives its exact length.

mod callback;
mod check;
mod emit;
mod spec;

pub use callback::{Callback, CallbackBodyType};
pub(crate) use check::check;
pub(crate) use emit::{AuthConditions, Spans, credential as write_credential, emit};
pub use spec::{ContentLengthRange, FieldSpec, Meta, PolicySpec, Rule, SuccessStatus, Var};
