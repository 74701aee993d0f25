DROP TABLE joint_visits;
ALTER TABLE helpers DROP COLUMN leaves_on;
