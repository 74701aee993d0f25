-- A matching preview kept until a branch leader commits it. The fingerprint is a hash of the
-- input (helpers, clients, current pairs, params): a commit is refused if it no longer matches.
CREATE TABLE matching_proposals (
    id INTEGER PRIMARY KEY NOT NULL,
    branch_id BIGINT NOT NULL REFERENCES branches(id),
    fingerprint TEXT NOT NULL,
    params TEXT NOT NULL,
    new_pairs TEXT NOT NULL,
    ended_assignments TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    committed_by BIGINT REFERENCES users(id),
    committed_at TIMESTAMP
);
CREATE INDEX matching_proposals_branch ON matching_proposals(branch_id, id);
