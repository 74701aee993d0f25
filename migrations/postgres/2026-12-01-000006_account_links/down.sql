ALTER TABLE users
    DROP CONSTRAINT users_role_staff,
    DROP CONSTRAINT users_helper_id_key,
    DROP CONSTRAINT users_client_id_key,
    ADD COLUMN relative_id BIGINT REFERENCES relatives(id),
    ADD COLUMN invite_token_hash TEXT UNIQUE,
    ADD COLUMN invite_expires_at TIMESTAMP,
    DROP COLUMN token_generation;
UPDATE users u SET relative_id = (SELECT r.id FROM relatives r WHERE r.user_id = u.id ORDER BY r.id LIMIT 1);
UPDATE users u SET client_id = (SELECT r.client_id FROM relatives r WHERE r.id = u.relative_id)
    WHERE u.relative_id IS NOT NULL;
UPDATE users SET role = CASE WHEN helper_id IS NOT NULL THEN 'helper' ELSE 'client' END WHERE role IS NULL;
ALTER TABLE users ALTER COLUMN role SET NOT NULL;
UPDATE users u SET invite_token_hash = t.token_hash, invite_expires_at = t.expires_at
    FROM password_tokens t
    WHERE t.user_id = u.id AND t.purpose = 'invitation' AND t.used_at IS NULL;
DROP TABLE password_tokens;
DROP INDEX relatives_user;
ALTER TABLE relatives DROP COLUMN user_id;
