ALTER TABLE helpers DROP COLUMN avoids;
ALTER TABLE clients DROP COLUMN home_traits;
