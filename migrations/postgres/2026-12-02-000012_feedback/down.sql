DROP TABLE client_exclusions;
DROP TABLE visit_feedback;
