-- Rule 4 of matching: what a home has (pets, smoking) and what a helper cannot work with.
-- JSON lists of the vocabulary's names, like needs and skills.
ALTER TABLE clients ADD COLUMN home_traits TEXT NOT NULL DEFAULT '[]';
ALTER TABLE helpers ADD COLUMN avoids TEXT NOT NULL DEFAULT '[]';
