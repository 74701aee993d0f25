-- Work done once per day and scope across every instance (the branch digest; later the
-- retention jobs): the first instance to insert its row does the work in the same
-- transaction, the others find the row and skip.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    day DATE NOT NULL,
    done_at TIMESTAMP NOT NULL,
    PRIMARY KEY (job, scope_id, day)
);
