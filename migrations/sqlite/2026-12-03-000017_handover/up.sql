-- A helper's announced last day (graduation, moving): from it they are unavailable, and on it
-- their pairs end by themselves.
ALTER TABLE helpers ADD COLUMN leaves_on DATE;
-- A joint handover visit: the leaving helper (the visit's helper_id) and their successor, who
-- comes too. The client's hours are charged once; both helpers' minutes count for payroll.
-- A table of its own: the visits table is at diesel's 32 columns.
CREATE TABLE joint_visits (
    visit_id BIGINT PRIMARY KEY NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    helper_id BIGINT NOT NULL REFERENCES helpers(id)
);
CREATE INDEX joint_visits_helper ON joint_visits (helper_id);
