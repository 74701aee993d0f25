DROP TABLE visit_offers;
ALTER TABLE visits DROP COLUMN uncovered_at;
ALTER TABLE visits DROP COLUMN offered_branch_at;
ALTER TABLE visits DROP COLUMN open_reason;
