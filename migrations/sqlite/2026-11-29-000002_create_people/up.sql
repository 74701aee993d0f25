-- Students through their recruitment pipeline. Skills and languages are JSON arrays as text.
CREATE TABLE helpers (
    id INTEGER PRIMARY KEY NOT NULL,
    branch_id BIGINT NOT NULL REFERENCES branches(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    study_programme TEXT NOT NULL,
    skills TEXT NOT NULL,
    languages TEXT NOT NULL,
    home_lat DOUBLE NOT NULL,
    home_lon DOUBLE NOT NULL,
    capacity INTEGER NOT NULL,
    hours_per_week INTEGER NOT NULL,
    status TEXT NOT NULL,
    resume_status TEXT,
    status_changed_at TIMESTAMP NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    criminal_record_checked_on DATE,
    criminal_record_outcome TEXT,
    status_token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX helpers_branch_status ON helpers(branch_id, status, applied_at);

-- Every move through the pipeline: who, when, why. The criminal-record check keeps only date and outcome.
CREATE TABLE helper_transitions (
    id INTEGER PRIMARY KEY NOT NULL,
    helper_id BIGINT NOT NULL REFERENCES helpers(id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor_user_id BIGINT,
    note TEXT NOT NULL,
    criminal_record_checked_on DATE,
    criminal_record_outcome TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX helper_transitions_helper ON helper_transitions(helper_id, id);

-- Elderly clients. care_notes are for the branch and the client's own helpers only.
CREATE TABLE clients (
    id INTEGER PRIMARY KEY NOT NULL,
    branch_id BIGINT NOT NULL REFERENCES branches(id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    address TEXT NOT NULL,
    lat DOUBLE NOT NULL,
    lon DOUBLE NOT NULL,
    needs TEXT NOT NULL,
    languages TEXT NOT NULL,
    preferred_language TEXT NOT NULL,
    wanted INTEGER NOT NULL,
    source TEXT NOT NULL,
    source_detail TEXT,
    municipal_home_care BOOLEAN NOT NULL,
    care_notes TEXT NOT NULL,
    deleted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX clients_branch ON clients(branch_id, id);

-- Relatives act for a client with the rights the client consented to.
CREATE TABLE relatives (
    id INTEGER PRIMARY KEY NOT NULL,
    client_id BIGINT NOT NULL REFERENCES clients(id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    relation TEXT NOT NULL,
    can_view BOOLEAN NOT NULL,
    can_book BOOLEAN NOT NULL,
    can_pay BOOLEAN NOT NULL,
    consent_given_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX relatives_client ON relatives(client_id);

-- Accounts. A helper or client account points at its person; a relative's account also at the relative.
CREATE TABLE users (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    role TEXT NOT NULL,
    branch_id BIGINT REFERENCES branches(id),
    helper_id BIGINT REFERENCES helpers(id),
    client_id BIGINT REFERENCES clients(id),
    relative_id BIGINT REFERENCES relatives(id),
    active BOOLEAN NOT NULL,
    invite_token_hash TEXT UNIQUE,
    invite_expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Refresh tokens are stored hashed so a database leak does not leak sessions.
CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

-- Failed logins, for rate limiting across every instance of the service.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY NOT NULL,
    account_key TEXT NOT NULL,
    address_key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_account ON login_failures(account_key, at);
CREATE INDEX login_failures_address ON login_failures(address_key, at);

-- Helper–client pairs. Ended, never deleted: the history of who visited whom stays.
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY NOT NULL,
    client_id BIGINT NOT NULL REFERENCES clients(id),
    helper_id BIGINT NOT NULL REFERENCES helpers(id),
    started_at TIMESTAMP NOT NULL,
    started_by BIGINT REFERENCES users(id),
    ended_at TIMESTAMP,
    ended_by BIGINT REFERENCES users(id),
    end_reason TEXT
);
CREATE UNIQUE INDEX assignments_one_open_pair ON assignments(client_id, helper_id) WHERE ended_at IS NULL;
CREATE INDEX assignments_helper ON assignments(helper_id) WHERE ended_at IS NULL;

-- Who read or changed personal data, when, and which fields (GDPR).
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_user_id BIGINT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    fields TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events(entity, entity_id);
