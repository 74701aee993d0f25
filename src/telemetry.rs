//! Structured logs: human-readable on a developer's machine, JSON lines in production.
//! Every line inside a request carries the request's span, and with it its `request_id`.

use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber once; later calls (tests) are ignored.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Span close events give one access-log line per request with its duration.
    let builder = fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE);
    let result = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
    // A second initialisation only happens in tests, where the first one wins.
    drop(result);
}
