-- What the helper recorded at check-out: per task whether it was done, with a short note, and
-- any worry about the client's wellbeing (the branch leaders are alerted at once).
CREATE TABLE visit_reports (
    visit_id BIGINT PRIMARY KEY REFERENCES visits(id) ON DELETE CASCADE,
    helper_id BIGINT NOT NULL REFERENCES helpers(id),
    tasks TEXT NOT NULL,
    concern BOOLEAN NOT NULL,
    concern_note TEXT,
    created_at TIMESTAMP NOT NULL
);

-- A relative who asked for each visit's report by mail (they need the view right as well).
ALTER TABLE relatives ADD COLUMN wants_reports BOOLEAN NOT NULL DEFAULT FALSE;
