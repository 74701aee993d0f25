-- Prices per branch with history: a new price gets a new row; purchases point at the row they paid.
CREATE TABLE prices (
    id INTEGER PRIMARY KEY NOT NULL,
    branch_id BIGINT NOT NULL REFERENCES branches(id),
    product TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX prices_branch_product ON prices(branch_id, product, valid_from);

-- Clip cards bought; payment is recorded as a method and a reference (the seam for a provider).
CREATE TABLE clip_cards (
    id INTEGER PRIMARY KEY NOT NULL,
    client_id BIGINT NOT NULL REFERENCES clients(id),
    price_id BIGINT NOT NULL REFERENCES prices(id),
    product TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    payment_reference TEXT,
    purchased_by BIGINT REFERENCES users(id),
    purchased_at TIMESTAMP NOT NULL
);
CREATE INDEX clip_cards_client ON clip_cards(client_id);

-- Visits (shifts). Times are UTC; the branch's time zone turns them into local times.
CREATE TABLE visits (
    id INTEGER PRIMARY KEY NOT NULL,
    branch_id BIGINT NOT NULL REFERENCES branches(id),
    client_id BIGINT NOT NULL REFERENCES clients(id),
    helper_id BIGINT NOT NULL REFERENCES helpers(id),
    series_id BIGINT,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    minutes INTEGER NOT NULL,
    segments TEXT NOT NULL,
    status TEXT NOT NULL,
    substitute BOOLEAN NOT NULL,
    sequence INTEGER NOT NULL,
    booked_by BIGINT REFERENCES users(id),
    cancelled_at TIMESTAMP,
    late_cancellation BOOLEAN NOT NULL,
    checked_in_at TIMESTAMP,
    check_in_distance_m BIGINT,
    checked_out_at TIMESTAMP,
    check_out_distance_m BIGINT,
    position_flagged BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (minutes > 0)
);
CREATE INDEX visits_helper_time ON visits(helper_id, starts_at);
CREATE INDEX visits_client_time ON visits(client_id, starts_at);
CREATE INDEX visits_branch_time ON visits(branch_id, starts_at);

-- The append-only ledger in minutes. Balances are sums over it, per kind.
CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY NOT NULL,
    client_id BIGINT NOT NULL REFERENCES clients(id),
    kind TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    visit_id BIGINT REFERENCES visits(id),
    clip_card_id BIGINT REFERENCES clip_cards(id),
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    CHECK (minutes > 0)
);
CREATE INDEX ledger_entries_client ON ledger_entries(client_id, id);

-- A retried POST with the same Idempotency-Key gets the first answer.
CREATE TABLE idempotency_keys (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL,
    endpoint TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, endpoint, idempotency_key)
);

-- When a student can work: weekly windows in the branch's local time, and exceptions.
CREATE TABLE availability_windows (
    id INTEGER PRIMARY KEY NOT NULL,
    helper_id BIGINT NOT NULL REFERENCES helpers(id),
    weekday INTEGER NOT NULL,
    start_minute INTEGER NOT NULL,
    end_minute INTEGER NOT NULL
);
CREATE INDEX availability_windows_helper ON availability_windows(helper_id);
CREATE TABLE availability_exceptions (
    id INTEGER PRIMARY KEY NOT NULL,
    helper_id BIGINT NOT NULL REFERENCES helpers(id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX availability_exceptions_helper ON availability_exceptions(helper_id);
ALTER TABLE helpers ADD COLUMN visits_per_week INTEGER;
