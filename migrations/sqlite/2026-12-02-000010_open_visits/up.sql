-- Open visits: a booked visit whose helper cannot come is offered to the client's other
-- helpers, later (or at once, close to the start) to the branch's other free helpers; the first
-- to accept takes it. Not taken by a deadline before the start, it is uncovered: the branch
-- leaders are alerted.
-- What the helper said when they opened it themself ("I can't come").
ALTER TABLE visits ADD COLUMN open_reason TEXT;
-- When the offer widened from the team to the branch's other helpers.
ALTER TABLE visits ADD COLUMN offered_branch_at TIMESTAMP;
-- When the visit was found uncovered (nobody took it by the deadline) and the leaders alerted.
ALTER TABLE visits ADD COLUMN uncovered_at TIMESTAMP;

-- Who was told about an open visit, once each: so the ones who did not take it hear it is taken.
CREATE TABLE visit_offers (
    id INTEGER PRIMARY KEY NOT NULL,
    visit_id BIGINT NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    helper_id BIGINT NOT NULL REFERENCES helpers(id) ON DELETE CASCADE,
    offered_at TIMESTAMP NOT NULL,
    UNIQUE (visit_id, helper_id)
);
