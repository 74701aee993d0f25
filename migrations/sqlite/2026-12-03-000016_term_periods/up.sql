-- Exam and holiday periods of the institutions a branch's students attend. A helper who names
-- their institution is unavailable in its periods (unless they opt out): the availability
-- check reads the periods, so a period added, changed or removed counts at once.
CREATE TABLE term_periods (
    id INTEGER PRIMARY KEY NOT NULL,
    branch_id BIGINT NOT NULL REFERENCES branches(id),
    institution TEXT NOT NULL,
    name TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    CHECK (starts_on <= ends_on)
);
CREATE INDEX term_periods_branch_institution ON term_periods (branch_id, institution);

-- The institution a helper attends (matched to term_periods.institution without regard to
-- case), and whether they work through its periods anyway.
ALTER TABLE helpers ADD COLUMN institution TEXT;
ALTER TABLE helpers ADD COLUMN term_opt_out BOOLEAN NOT NULL DEFAULT FALSE;
