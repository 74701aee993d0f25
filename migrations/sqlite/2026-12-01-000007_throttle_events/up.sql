-- Every throttled attempt (failed logins, public applications, password-reset requests), so all
-- instances of the service share one count. Replaces login_failures.
DROP TABLE login_failures;
CREATE TABLE throttle_events (
    id INTEGER PRIMARY KEY NOT NULL,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX throttle_events_key ON throttle_events(bucket, key, at);
