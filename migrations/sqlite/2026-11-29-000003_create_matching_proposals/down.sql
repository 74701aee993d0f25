DROP TABLE matching_proposals;
