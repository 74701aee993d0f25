-- The transactional outbox: a mail is written in the same transaction as the change that owes it
-- (no commit, no mail) and sent later by the delivery worker (docs/email.md).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    ics TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    dedupe_key TEXT UNIQUE
);
-- The worker's claim: due mails in id order.
CREATE INDEX outbox_due ON outbox(status, next_attempt_at, id);
