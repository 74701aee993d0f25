//! Rows as structs, with the queries that read and write them. Each takes a connection.

pub mod assignment;
pub mod audit;
pub mod availability;
pub mod branch;
pub mod client;
pub mod console_session;
pub mod feedback;
pub mod helper;
pub mod idempotency;
pub mod job_run;
pub mod ledger;
pub mod outbox;
pub mod password_token;
pub mod proposal;
pub mod relative;
pub mod report;
pub mod session;
pub mod term_period;
pub mod throttle;
pub mod user;
pub mod visit;

/// Current time in UTC without offset, as stored in `Timestamp` columns.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// A JSON array of strings stored as text (portable across both backends).
pub fn to_json_list<S: AsRef<str>>(items: &[S]) -> String {
    serde_json::to_string(&items.iter().map(|s| s.as_ref()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

/// Reads a list stored by `to_json_list`; a damaged value reads as empty rather than failing a page.
pub fn from_json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// A `LIKE … ESCAPE '\\'` pattern that finds `part` anywhere, literally (`%`, `_`, `\\` escaped).
pub fn contains_pattern(part: &str) -> String {
    let mut out = String::with_capacity(part.len() + 2);
    out.push('%');
    for ch in part.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// Serializes a stored UTC timestamp as RFC 3339 with `Z`, as the API promises.
pub fn utc<S: serde::Serializer>(
    at: &chrono::NaiveDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(
        &at.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// `utc` for optional timestamps.
pub fn utc_opt<S: serde::Serializer>(
    at: &Option<chrono::NaiveDateTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => utc(at, serializer),
        None => serializer.serialize_none(),
    }
}
