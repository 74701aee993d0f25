//! Collects every invalid field of a request before answering, so a caller fixes all at once.

use chrono::NaiveDate;

use crate::error::{ApiError, FieldError};

/// A date that has happened (a consent given, a check made): today or earlier, in UTC.
pub fn not_in_future(date: NaiveDate) -> Result<NaiveDate, String> {
    if date <= chrono::Utc::now().date_naive() {
        Ok(date)
    } else {
        Err("cannot be in the future".into())
    }
}

/// Gathers field errors while parsing a request into domain values.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// Keeps the value, or records the message under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.errors.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// Like `check` for an optional input: absent stays absent.
    pub fn check_opt<T, I>(
        &mut self,
        field: &str,
        input: Option<I>,
        parse: impl FnOnce(I) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match input {
            None => Some(None),
            Some(raw) => self.check(field, parse(raw)).map(Some),
        }
    }

    /// Records a rule that spans fields.
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Ok when no field failed; otherwise a 422 listing them all.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }

    /// Finishes and returns the value built from the checked fields.
    /// `build` returns `None` only if a check failed, and then `finish` has already answered 422.
    pub fn into_value<T>(self, build: Option<T>) -> Result<T, ApiError> {
        self.finish()?;
        build.ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "validated value missing although no field failed"
            ))
        })
    }
}
