ALTER TABLE relatives DROP COLUMN wants_reports;
DROP TABLE visit_reports;
