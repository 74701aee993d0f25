ALTER TABLE helpers DROP COLUMN visits_per_week;
DROP TABLE availability_exceptions;
DROP TABLE availability_windows;
DROP TABLE idempotency_keys;
DROP TABLE ledger_entries;
DROP TABLE visits;
DROP TABLE clip_cards;
DROP TABLE prices;
