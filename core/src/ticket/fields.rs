//! The ticket's form fields, in the order of `docs/policy.md` §4.2.

use core::fmt;

use super::Ticket;
use crate::Error;
use crate::wire::Sink;

/// A form-field name: a fixed prefix and a part that may come from the spec (meta, `x:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldName<'t> {
    /// Fixed part, e.g. `x-oss-meta-` (empty for plain names).
    pub prefix: &'static str,
    /// The rest, e.g. `key` or a meta name.
    pub name: &'t str,
}

impl<'t> FieldName<'t> {
    pub(crate) const fn plain(name: &'t str) -> Self {
        FieldName { prefix: "", name }
    }

    /// Writes the full name.
    pub fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), Error> {
        sink.put(self.prefix.as_bytes())?;
        sink.put(self.name.as_bytes())
    }

    /// Whether the full name equals `other`.
    pub fn is(&self, other: &str) -> bool {
        other
            .strip_prefix(self.prefix)
            .is_some_and(|rest| rest == self.name)
    }
}

impl fmt::Display for FieldName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix)?;
        f.write_str(self.name)
    }
}

/// One form field of a ticket. Values are UTF-8; they are bytes because most of them point
/// into the signer's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormField<'f> {
    /// The field name.
    pub name: FieldName<'f>,
    /// The field value.
    pub value: &'f [u8],
    verbatim: bool,
}

impl<'f> FormField<'f> {
    /// A field whose value comes from the caller (any UTF-8).
    pub(crate) const fn new(name: FieldName<'f>, value: &'f [u8]) -> Self {
        FormField {
            name,
            value,
            verbatim: false,
        }
    }

    /// A field whose value the signer made from a safe alphabet (base64, hex, dates, validated
    /// ids, constants): it never needs JSON escaping.
    pub(crate) const fn verbatim(name: FieldName<'f>, value: &'f [u8]) -> Self {
        FormField {
            name,
            value,
            verbatim: true,
        }
    }

    /// Whether the value can be written into JSON without escaping.
    pub const fn is_verbatim(&self) -> bool {
        self.verbatim
    }
}

/// Where the walk over a ticket's fields stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Key,
    Signed(usize),
    ContentType,
    CacheControl,
    ContentDisposition,
    Status,
    Redirect,
    Meta(usize),
    ForbidOverwrite,
    Callback,
    Var(usize),
    Done,
}

/// Iterator over a ticket's form fields, in order.
#[derive(Clone, Debug)]
pub struct Fields<'f, 't> {
    ticket: &'f Ticket<'t>,
    slot: Slot,
}

impl<'f, 't> Fields<'f, 't> {
    pub(crate) fn new(ticket: &'f Ticket<'t>) -> Self {
        Fields {
            ticket,
            slot: Slot::Key,
        }
    }

    /// The field at `slot` (if the ticket has one there) and the slot after it.
    fn at(&self, slot: Slot) -> (Option<FormField<'f>>, Slot) {
        let t: &'f Ticket<'t> = self.ticket;
        let spec = t.spec;
        let signed = &t.signed;
        let scheme = signed.scheme();
        let field = |name: FieldName<'f>, value: &'f [u8]| Some(FormField::new(name, value));
        let safe = |name: FieldName<'f>, value: &'f [u8]| Some(FormField::verbatim(name, value));
        let spec_field = |name: &'static str, value: Option<crate::policy::FieldSpec<'t>>| {
            value.and_then(|v| field(FieldName::plain(name), v.value.as_bytes()))
        };
        match slot {
            Slot::Key => (
                field(FieldName::plain("key"), spec.key.value.as_bytes()),
                Slot::Signed(0),
            ),
            Slot::Signed(i) => match signed.field(i) {
                Some(f) => (Some(f), Slot::Signed(i.saturating_add(1))),
                None => (None, Slot::ContentType),
            },
            Slot::ContentType => (
                spec_field("Content-Type", spec.content_type),
                Slot::CacheControl,
            ),
            Slot::CacheControl => (
                spec_field("Cache-Control", spec.cache_control),
                Slot::ContentDisposition,
            ),
            Slot::ContentDisposition => (
                spec_field("Content-Disposition", spec.content_disposition),
                Slot::Status,
            ),
            Slot::Status => (
                spec.success_action_status.and_then(|s| {
                    safe(
                        FieldName::plain("success_action_status"),
                        s.as_str().as_bytes(),
                    )
                }),
                Slot::Redirect,
            ),
            Slot::Redirect => (
                spec_field("success_action_redirect", spec.success_action_redirect),
                Slot::Meta(0),
            ),
            Slot::Meta(i) => match spec.meta.get(i) {
                Some(m) => {
                    let meta_prefix = if scheme.is_oss() {
                        "x-oss-meta-"
                    } else {
                        "x-amz-meta-"
                    };
                    (
                        field(
                            FieldName {
                                prefix: meta_prefix,
                                name: m.name,
                            },
                            m.value.value.as_bytes(),
                        ),
                        Slot::Meta(i.saturating_add(1)),
                    )
                }
                None => (None, Slot::ForbidOverwrite),
            },
            Slot::ForbidOverwrite => (
                if spec.forbid_overwrite {
                    safe(FieldName::plain("x-oss-forbid-overwrite"), b"true")
                } else {
                    None
                },
                Slot::Callback,
            ),
            Slot::Callback => (
                spec.callback
                    .and_then(|_| safe(FieldName::plain("callback"), t.callback_b64())),
                Slot::Var(0),
            ),
            Slot::Var(i) => match spec.vars.get(i) {
                Some(v) => (
                    field(
                        FieldName {
                            prefix: "x:",
                            name: v.name,
                        },
                        v.value.as_bytes(),
                    ),
                    Slot::Var(i.saturating_add(1)),
                ),
                None => (None, Slot::Done),
            },
            Slot::Done => (None, Slot::Done),
        }
    }
}

impl<'f> Iterator for Fields<'f, '_> {
    type Item = FormField<'f>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.slot != Slot::Done {
            let (field, next) = self.at(self.slot);
            self.slot = next;
            if field.is_some() {
                return field;
            }
        }
        None
    }
}
