DROP TABLE throttle_events;
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY NOT NULL,
    account_key TEXT NOT NULL,
    address_key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_account ON login_failures(account_key, at);
CREATE INDEX login_failures_address ON login_failures(address_key, at);
