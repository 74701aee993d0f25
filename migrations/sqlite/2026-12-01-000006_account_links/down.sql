PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_old (
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
INSERT INTO users_old (id, email, name, password_hash, role, branch_id, helper_id, client_id,
                       relative_id, active, invite_token_hash, invite_expires_at, created_at, updated_at)
    SELECT u.id, u.email, u.name, u.password_hash,
           COALESCE(u.role, CASE WHEN u.helper_id IS NOT NULL THEN 'helper' ELSE 'client' END),
           u.branch_id, u.helper_id,
           COALESCE(u.client_id, (SELECT r.client_id FROM relatives r WHERE r.user_id = u.id ORDER BY r.id LIMIT 1)),
           (SELECT r.id FROM relatives r WHERE r.user_id = u.id ORDER BY r.id LIMIT 1),
           u.active,
           (SELECT t.token_hash FROM password_tokens t WHERE t.user_id = u.id AND t.purpose = 'invitation' AND t.used_at IS NULL ORDER BY t.id DESC LIMIT 1),
           (SELECT t.expires_at FROM password_tokens t WHERE t.user_id = u.id AND t.purpose = 'invitation' AND t.used_at IS NULL ORDER BY t.id DESC LIMIT 1),
           u.created_at, u.updated_at
    FROM users u;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;
DROP TABLE password_tokens;
DROP INDEX relatives_user;
CREATE TABLE relatives_old (
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
INSERT INTO relatives_old SELECT id, client_id, name, email, phone, relation, can_view, can_book,
    can_pay, consent_given_on, created_at FROM relatives;
DROP TABLE relatives;
ALTER TABLE relatives_old RENAME TO relatives;
CREATE INDEX relatives_client ON relatives(client_id);
COMMIT;
PRAGMA foreign_keys = ON;
