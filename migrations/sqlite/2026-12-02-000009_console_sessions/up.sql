-- Signed-in browser sessions of the branch console. Only the token's hash is stored; the
-- account's token generation at sign-in is kept so a password change ends the session.
CREATE TABLE console_sessions (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    generation INTEGER NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions(user_id);
