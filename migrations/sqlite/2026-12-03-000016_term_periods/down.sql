DROP TABLE term_periods;
ALTER TABLE helpers DROP COLUMN institution;
ALTER TABLE helpers DROP COLUMN term_opt_out;
