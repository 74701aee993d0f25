-- Feedback on a completed visit, once from each side: the client's (the client or a relative)
-- and the helper's; 1–5 and an optional comment.
CREATE TABLE visit_feedback (
    id INTEGER PRIMARY KEY NOT NULL,
    visit_id BIGINT NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    side TEXT NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT,
    dont_pair_again BOOLEAN NOT NULL,
    given_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (visit_id, side)
);

-- Helpers a client must not be paired with ("don't pair us again" from either side, or the
-- branch's decision): matching and open-visit offers leave them out.
CREATE TABLE client_exclusions (
    client_id BIGINT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    helper_id BIGINT NOT NULL REFERENCES helpers(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (client_id, helper_id)
);
