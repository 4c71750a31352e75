//! Checks a [`PolicySpec`] against the rules of `docs/policy.md` §1 for one scheme.
//!
//! Order: key, Content-Type, Cache-Control, Content-Disposition, redirect, meta fields,
//! forbid-overwrite, callback, variables; within a field: value, then rule.

use crate::target::Scheme;
use crate::validate::{self, Limit};
use crate::{Error, Field, MAX_LIST_ITEMS, MAX_META_FIELDS, MAX_VARS};

use super::{FieldSpec, PolicySpec, Rule};

/// Which rules a field accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rules {
    /// exact and starts-with
    Basic,
    /// also `in` and `not-in` (OSS schemes only)
    WithLists,
}

/// Checks every condition of `spec` for `scheme`.
pub(crate) fn check(spec: &PolicySpec<'_>, scheme: Scheme) -> Result<(), Error> {
    validate::key(spec.key.value, Field::Key)?;
    match spec.key.rule {
        Rule::Exact => {}
        Rule::StartsWith(prefix) => {
            validate::length(prefix.as_bytes(), Field::KeyPrefix, Limit::KEY)?;
            validate::value(prefix, Field::KeyPrefix, Limit::KEY)?;
            if !spec.key.value.starts_with(prefix) {
                return Err(Error::OutsideCondition(Field::Key));
            }
        }
        Rule::In(_) | Rule::NotIn(_) => return Err(Error::Unsupported(Field::Key)),
    }
    let optional = [
        (spec.content_type, Field::ContentType, Rules::WithLists),
        (spec.cache_control, Field::CacheControl, Rules::WithLists),
        (
            spec.content_disposition,
            Field::ContentDisposition,
            Rules::Basic,
        ),
        (
            spec.success_action_redirect,
            Field::SuccessActionRedirect,
            Rules::Basic,
        ),
    ];
    for (value, field, rules) in optional {
        if let Some(value) = value {
            field_spec(&value, field, rules, scheme)?;
        }
    }
    meta(spec)?;
    if spec.forbid_overwrite && !scheme.is_oss() {
        return Err(Error::Unsupported(Field::ForbidOverwrite));
    }
    if let Some(callback) = &spec.callback {
        if !scheme.is_oss() {
            return Err(Error::Unsupported(Field::Callback));
        }
        callback.check()?;
    }
    vars(spec, scheme)
}

fn field_spec(
    spec: &FieldSpec<'_>,
    field: Field,
    rules: Rules,
    scheme: Scheme,
) -> Result<(), Error> {
    validate::value(spec.value, field, Limit::VALUE)?;
    let satisfied = match spec.rule {
        Rule::Exact => true,
        Rule::StartsWith(prefix) => {
            validate::value(prefix, field, Limit::VALUE)?;
            spec.value.starts_with(prefix)
        }
        Rule::In(list) | Rule::NotIn(list) => {
            if rules != Rules::WithLists || !scheme.is_oss() {
                return Err(Error::Unsupported(field));
            }
            if list.is_empty() {
                return Err(Error::Empty(field));
            }
            if list.len() > MAX_LIST_ITEMS {
                return Err(Error::TooMany(field));
            }
            for item in list {
                validate::value(item, field, Limit::VALUE)?;
            }
            let listed = list.contains(&spec.value);
            listed == matches!(spec.rule, Rule::In(_))
        }
    };
    if satisfied {
        Ok(())
    } else {
        Err(Error::OutsideCondition(field))
    }
}

fn meta(spec: &PolicySpec<'_>) -> Result<(), Error> {
    if spec.meta.len() > MAX_META_FIELDS {
        return Err(Error::TooMany(Field::MetaName));
    }
    for (i, meta) in spec.meta.iter().enumerate() {
        validate::charset(meta.name, Field::MetaName, Limit::META_NAME, |b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
        })?;
        if spec.meta.iter().take(i).any(|m| m.name == meta.name) {
            return Err(Error::Duplicate(Field::MetaName));
        }
        validate::value(meta.value.value, Field::MetaValue, Limit::VALUE)?;
        match meta.value.rule {
            Rule::Exact => {}
            Rule::StartsWith(prefix) => {
                validate::value(prefix, Field::MetaValue, Limit::VALUE)?;
                if !meta.value.value.starts_with(prefix) {
                    return Err(Error::OutsideCondition(Field::MetaValue));
                }
            }
            Rule::In(_) | Rule::NotIn(_) => return Err(Error::Unsupported(Field::MetaValue)),
        }
    }
    Ok(())
}

fn vars(spec: &PolicySpec<'_>, scheme: Scheme) -> Result<(), Error> {
    if spec.vars.is_empty() {
        return Ok(());
    }
    if !scheme.is_oss() {
        return Err(Error::Unsupported(Field::VarName));
    }
    if spec.vars.len() > MAX_VARS {
        return Err(Error::TooMany(Field::VarName));
    }
    for (i, var) in spec.vars.iter().enumerate() {
        validate::charset(var.name, Field::VarName, Limit::VAR_NAME, |b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
        })?;
        if !var
            .name
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_lowercase)
        {
            return Err(Error::InvalidCharacter(Field::VarName));
        }
        if spec.vars.iter().take(i).any(|v| v.name == var.name) {
            return Err(Error::Duplicate(Field::VarName));
        }
        validate::value(var.value, Field::VarValue, Limit::VALUE)?;
    }
    Ok(())
}
