//! Tickets for the e2e suites, issued by `upticket` (core) and taken the way a camera takes
//! them: from the gateway's JSON (`Shape::Upticket`: `url`, `key`, `fields` in order).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use upticket::{
    Credentials, PolicySpec, Protocol, Scheme, Secret, Shape, Signer, Target, UnixTime, UrlStyle,
};

/// Where and how a ticket is issued.
#[derive(Clone, Copy, Debug)]
pub struct Issue<'a> {
    /// Signature scheme.
    pub scheme: Scheme,
    /// Bucket.
    pub bucket: &'a str,
    /// Endpoint `host:port` (`127.0.0.1:PORT` path-style, `s3.test:PORT` virtual-hosted).
    pub endpoint: &'a str,
    /// Region of the credential scope.
    pub region: &'a str,
    /// URL style (OSS schemes are always virtual-hosted).
    pub style: UrlStyle,
    /// Access key id.
    pub access_key: &'a str,
    /// Secret.
    pub secret: &'a str,
    /// STS token.
    pub token: Option<&'a str>,
    /// Unix seconds the ticket is issued at.
    pub now: u64,
    /// Lifetime in seconds.
    pub lifetime: u64,
}

/// The host's current Unix time in seconds.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A ticket as the camera receives it, editable so that suites can tamper with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedTicket {
    /// URL to POST to.
    pub url: String,
    /// Object key.
    pub key: String,
    /// Form fields in order (the client appends `file`).
    pub fields: Vec<(String, String)>,
    /// The policy JSON exactly as signed.
    pub policy_json: String,
}

impl IssuedTicket {
    /// The value of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Replaces the value of field `name`.
    ///
    /// # Panics
    ///
    /// When the ticket has no such field.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let slot = self
            .fields
            .iter_mut()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("ticket has no field {name}"));
        slot.1 = value.into();
    }

    /// Renames field `from` to `to`, keeping its place and value.
    ///
    /// # Panics
    ///
    /// When the ticket has no such field.
    pub fn rename(&mut self, from: &str, to: &str) {
        let slot = self
            .fields
            .iter_mut()
            .find(|(n, _)| n == from)
            .unwrap_or_else(|| panic!("ticket has no field {from}"));
        slot.0 = to.to_owned();
    }

    /// Removes field `name`.
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|(n, _)| n != name);
    }

    /// Appends a field (it still goes before `file`).
    pub fn push(&mut self, name: &str, value: &str) {
        self.fields.push((name.to_owned(), value.to_owned()));
    }
}

/// Issues a ticket with `upticket` for `spec` and reads it back from its `Shape::Upticket` JSON.
///
/// # Panics
///
/// When core refuses the inputs or writes JSON that is not the documented shape.
pub fn issue(at: &Issue<'_>, spec: &PolicySpec<'_>) -> IssuedTicket {
    let target = Target {
        scheme: at.scheme,
        bucket: at.bucket,
        endpoint: at.endpoint,
        region: at.region,
        style: at.style,
        protocol: Protocol::Http,
    };
    let secret = Secret::new(at.secret.as_bytes()).expect("secret");
    let credentials = Credentials::new(at.access_key, secret, at.token).expect("credentials");
    let mut signer = Signer::new(target, credentials).expect("signer");
    let mut scratch = vec![0u8; signer.scratch_len(spec).expect("scratch length")];
    let now = UnixTime::from_secs(at.now).expect("now");
    let ticket = signer
        .issue(spec, now, at.lifetime, &mut scratch)
        .expect("upticket issues the ticket");
    let mut out = vec![0u8; ticket.json_len(Shape::Upticket).expect("JSON length")];
    let json = ticket
        .write_json(Shape::Upticket, &mut out)
        .expect("ticket JSON");
    let doc: Value = serde_json::from_slice(json).expect("ticket JSON parses");
    let text = |v: &Value| v.as_str().expect("a JSON string").to_owned();
    let fields = doc["fields"]
        .as_array()
        .expect("fields array")
        .iter()
        .map(|pair| (text(&pair[0]), text(&pair[1])))
        .collect();
    IssuedTicket {
        url: text(&doc["url"]),
        key: text(&doc["key"]),
        fields,
        policy_json: String::from_utf8(ticket.policy_json().to_vec()).expect("UTF-8 policy"),
    }
}
