//! The recruitment pipeline as an explicit state machine: only the listed moves exist.

use crate::vocabulary;

vocabulary! {
    /// Where a student stands, from application to leaving.
    pub enum HelperStatus {
        /// Applied; the application is not read yet.
        Applied = "applied",
        /// The application was read and looks promising.
        Screened = "screened",
        /// 1st interview: social competence, responsibility.
        Interview1 = "interview_1",
        /// 2nd interview, with the criminal-record check.
        Interview2 = "interview_2",
        /// 3rd and final interview.
        Interview3 = "interview_3",
        /// Hired and taking clients.
        Active = "active",
        /// Turned down (final).
        Rejected = "rejected",
        /// Waiting for demand in their city; resumes where they stood.
        Waitlisted = "waitlisted",
        /// Hired, taking a break (exams, travel).
        Paused = "paused",
        /// Gone: withdrew or stopped working (final).
        Left = "left",
    }
}

/// Why a move is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The pipeline has no such move.
    #[error("a helper cannot move from {from} to {to}")]
    NotAllowed {
        /// Current status.
        from: &'static str,
        /// Requested status.
        to: &'static str,
    },
    /// Leaving interview_2 forward needs the criminal-record check recorded as clear.
    #[error(
        "moving on from interview_2 needs a criminal-record check recorded with outcome \"clear\""
    )]
    CriminalRecordCheckMissing,
}

vocabulary! {
    /// The outcome of a criminal-record check (only this and the date are kept).
    pub enum CheckOutcome {
        /// Nothing on record.
        Clear = "clear",
        /// Something on record.
        NotClear = "not_clear",
    }
}

impl HelperStatus {
    /// The next interview stage, for the stages that have one.
    fn forward(self) -> Option<HelperStatus> {
        use HelperStatus::*;
        match self {
            Applied => Some(Screened),
            Screened => Some(Interview1),
            Interview1 => Some(Interview2),
            Interview2 => Some(Interview3),
            Interview3 => Some(Active),
            _ => None,
        }
    }

    /// True while the student is still being recruited.
    pub fn in_recruitment(self) -> bool {
        self.forward().is_some()
    }

    /// True when no move leads out.
    pub fn is_final(self) -> bool {
        matches!(self, HelperStatus::Rejected | HelperStatus::Left)
    }

    /// True for the stage whose moves carry the criminal-record check (its date and outcome).
    pub fn records_criminal_check(self) -> bool {
        self == HelperStatus::Interview2
    }

    /// Every stage the pipeline allows from here, in pipeline order (see `check_move`).
    pub fn moves(
        self,
        resume: Option<HelperStatus>,
        record: Option<CheckOutcome>,
    ) -> Vec<HelperStatus> {
        HelperStatus::ALL
            .iter()
            .copied()
            .filter(|to| self.check_move(*to, resume, record).is_ok())
            .collect()
    }

    /// Checks a move. `resume` is where a waitlisted student stood; `record` is the
    /// criminal-record check on file, or the one that comes with this move.
    pub fn check_move(
        self,
        to: HelperStatus,
        resume: Option<HelperStatus>,
        record: Option<CheckOutcome>,
    ) -> Result<(), TransitionError> {
        use HelperStatus::*;
        let allowed = match (self, to) {
            (from, to) if from.forward() == Some(to) => true,
            (from, Rejected | Waitlisted) if from.in_recruitment() => true,
            (Waitlisted, to) if Some(to) == resume => true,
            (Waitlisted, Rejected) => true,
            (Active, Paused) | (Paused, Active) => true,
            (from, Left) => !from.is_final(),
            _ => false,
        };
        if !allowed {
            return Err(TransitionError::NotAllowed {
                from: self.as_str(),
                to: to.as_str(),
            });
        }
        let passes_interview_2 = (self == Interview2 && to == Interview3)
            || (self == Waitlisted && to == Interview3 && resume == Some(Interview3));
        if passes_interview_2 && record != Some(CheckOutcome::Clear) {
            return Err(TransitionError::CriminalRecordCheckMissing);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::HelperStatus::*;
    use super::*;

    const CLEAR: Option<CheckOutcome> = Some(CheckOutcome::Clear);

    #[test]
    fn the_happy_path_is_allowed_step_by_step() {
        let path = [
            Applied, Screened, Interview1, Interview2, Interview3, Active,
        ];
        for pair in path.windows(2) {
            pair[0].check_move(pair[1], None, CLEAR).unwrap();
        }
    }

    #[test]
    fn skipping_a_stage_is_refused() {
        assert!(Applied.check_move(Interview1, None, CLEAR).is_err());
        assert!(Screened.check_move(Active, None, CLEAR).is_err());
        assert!(Interview1.check_move(Interview3, None, CLEAR).is_err());
    }

    #[test]
    fn interview_2_needs_a_clear_criminal_record_check() {
        assert_eq!(
            Interview2.check_move(Interview3, None, None),
            Err(TransitionError::CriminalRecordCheckMissing)
        );
        Interview2.check_move(Rejected, None, None).unwrap();
    }

    #[test]
    fn waitlisted_resumes_only_where_it_stood() {
        Waitlisted
            .check_move(Interview1, Some(Interview1), CLEAR)
            .unwrap();
        assert!(
            Waitlisted
                .check_move(Active, Some(Interview1), CLEAR)
                .is_err()
        );
    }

    #[test]
    fn the_moves_offered_are_the_ones_check_move_allows() {
        assert_eq!(
            Applied.moves(None, None),
            vec![Screened, Rejected, Waitlisted, Left]
        );
        assert_eq!(
            Interview2.moves(None, CLEAR),
            vec![Interview3, Rejected, Waitlisted, Left]
        );
        assert!(!Interview2.moves(None, None).contains(&Interview3));
        assert_eq!(Active.moves(None, CLEAR), vec![Paused, Left]);
        assert_eq!(
            Waitlisted.moves(Some(Interview1), CLEAR),
            vec![Interview1, Rejected, Left]
        );
        assert!(Left.moves(None, CLEAR).is_empty());
        assert!(Interview2.records_criminal_check());
        assert!(!Interview3.records_criminal_check());
    }

    #[test]
    fn final_states_have_no_way_out() {
        for &to in HelperStatus::ALL {
            assert!(Rejected.check_move(to, None, CLEAR).is_err());
            assert!(Left.check_move(to, None, CLEAR).is_err());
        }
    }

    #[test]
    fn every_status_round_trips_through_its_name() {
        for &status in HelperStatus::ALL {
            assert_eq!(HelperStatus::parse(status.as_str()).unwrap(), status);
        }
    }
}
