//! Errors the store answers with: an HTTP status, a service error code and a message, rendered as
//! the XML `<Error>` document OSS and S3 send.

use std::fmt;

/// A rejected request, as the client sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError {
    /// HTTP status (400, 403, 404, 409, ...).
    pub status: u16,
    /// Service error code (`AccessDenied`, `SignatureDoesNotMatch`, ...).
    pub code: &'static str,
    /// Human-readable message, worded like the real services where they are known.
    pub message: String,
}

impl StoreError {
    /// An error with the given status, code and message.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 403 `AccessDenied` "Invalid according to Policy: REASON".
    pub fn policy(reason: impl fmt::Display) -> Self {
        Self::new(
            403,
            "AccessDenied",
            format!("Invalid according to Policy: {reason}"),
        )
    }

    /// 400 `InvalidPolicyDocument`.
    pub fn invalid_policy(detail: impl fmt::Display) -> Self {
        Self::new(
            400,
            "InvalidPolicyDocument",
            format!("Invalid Policy: {detail}"),
        )
    }

    /// 400 `InvalidArgument`.
    pub fn invalid_argument(detail: impl Into<String>) -> Self {
        Self::new(400, "InvalidArgument", detail)
    }

    /// 400 `MalformedPOSTRequest`.
    pub fn malformed(detail: impl fmt::Display) -> Self {
        Self::new(
            400,
            "MalformedPOSTRequest",
            format!(
                "The body of your POST request is not well-formed multipart/form-data: {detail}"
            ),
        )
    }

    /// 403 `SignatureDoesNotMatch`.
    pub fn signature() -> Self {
        Self::new(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. \
             Check your key and signing method.",
        )
    }

    /// 403 `InvalidAccessKeyId`.
    pub fn access_key() -> Self {
        Self::new(
            403,
            "InvalidAccessKeyId",
            "The access key Id you provided does not exist in our records.",
        )
    }

    /// The XML body: `<Error><Code>…</Code><Message>…</Message><Resource>…</Resource>
    /// <RequestId>…</RequestId></Error>`.
    pub fn to_xml(&self, resource: &str, request_id: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>\
             <Resource>{}</Resource><RequestId>{}</RequestId><HostId>upticket-sim</HostId></Error>",
            xml_escape(self.code),
            xml_escape(&self.message),
            xml_escape(resource),
            xml_escape(request_id)
        )
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for StoreError {}

/// Escapes text for an XML element.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    out
}
