ALTER TABLE visits DROP COLUMN synced_late;
