-- A booked visit whose helper can no longer come as booked (paused, left, pair ended,
-- unavailable): why, and since when. The branch sees these; rebooking or reassigning clears it.
ALTER TABLE visits ADD COLUMN attention TEXT;
ALTER TABLE visits ADD COLUMN attention_since TIMESTAMP;
CREATE INDEX visits_attention ON visits(branch_id, starts_at) WHERE attention IS NOT NULL;

-- Erased helpers keep an anonymised row so hours and payroll still add up.
ALTER TABLE helpers ADD COLUMN deleted_at TIMESTAMP;

-- What the first request with an Idempotency-Key asked for: the same key with another request is refused.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';

-- Names folded to lower case by the service (Unicode-aware, unlike SQLite's LOWER), for search.
ALTER TABLE clients ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
UPDATE clients SET search_name = LOWER(name);
ALTER TABLE helpers ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
UPDATE helpers SET search_name = LOWER(name);

-- After this moment a cancellation uses the hours. Set at booking; a visit moved from inside the
-- notice period keeps its passed deadline, so moving and then cancelling is not a free cancellation.
ALTER TABLE visits ADD COLUMN free_cancellation_until TIMESTAMP;
-- The minutes taken from the clip card and paid to the helper, once attendance is verified
-- (at check-out, or by the branch's review of a visit whose attendance was not).
ALTER TABLE visits ADD COLUMN consumed_minutes INTEGER;
ALTER TABLE visits ADD COLUMN reviewed_by BIGINT REFERENCES users(id);
ALTER TABLE visits ADD COLUMN reviewed_at TIMESTAMP;
UPDATE visits SET consumed_minutes = minutes WHERE status = 'completed';
UPDATE visits SET free_cancellation_until = datetime(starts_at, '-24 hours');
