-- A check-in or check-out the phone recorded without signal and sent later (accepted within
-- visits.offline_sync_hours; marked when it arrived more than visits.offline_late_minutes late).
ALTER TABLE visits ADD COLUMN synced_late BOOLEAN NOT NULL DEFAULT 0;
