-- One login, several capacities: a staff role (admin, branch_leader), a helper, the client
-- themself, and relative of any number of clients (relatives.user_id). Password tokens
-- (invitations and resets) move to their own table; token_generation revokes access tokens.
PRAGMA foreign_keys = OFF;
BEGIN;

ALTER TABLE relatives ADD COLUMN user_id BIGINT REFERENCES users(id);
UPDATE relatives SET user_id = (SELECT u.id FROM users u WHERE u.relative_id = relatives.id);
CREATE INDEX relatives_user ON relatives(user_id);

-- Single-use tokens that let a person set a password: an invitation or a reset. Stored hashed.
CREATE TABLE password_tokens (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX password_tokens_user ON password_tokens(user_id);
INSERT INTO password_tokens (user_id, purpose, token_hash, expires_at, created_at)
    SELECT id, 'invitation', invite_token_hash, invite_expires_at, updated_at
    FROM users WHERE invite_token_hash IS NOT NULL AND invite_expires_at IS NOT NULL;

CREATE TABLE users_new (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    -- The staff role (admin, branch_leader); NULL for helpers, clients and relatives, whose
    -- capacities come from helper_id, client_id and relatives.user_id.
    role TEXT CHECK (role IN ('admin', 'branch_leader')),
    branch_id BIGINT REFERENCES branches(id),
    helper_id BIGINT UNIQUE REFERENCES helpers(id),
    client_id BIGINT UNIQUE REFERENCES clients(id),
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- Raised on password change, deactivation and loss of a capacity: older access tokens stop.
    token_generation INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_new (id, email, name, password_hash, role, branch_id, helper_id, client_id,
                       active, created_at, updated_at, token_generation)
    SELECT id, email, name, password_hash,
           CASE WHEN role IN ('admin', 'branch_leader') THEN role END,
           CASE WHEN role = 'branch_leader' THEN branch_id END,
           helper_id,
           CASE WHEN relative_id IS NULL THEN client_id END,
           active, created_at, updated_at, 0
    FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

COMMIT;
PRAGMA foreign_keys = ON;
