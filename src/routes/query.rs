//! `QueryParams<T>`: a query string read into `T`, where a parameter `T` does not have is a 400
//! naming every such parameter (`GET /visits?stauts=booked` must not quietly return everything),
//! and a value of the wrong type is a 422 naming the parameter.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

use crate::error::{ApiError, FieldError};

/// A validated query string.
pub struct QueryParams<T>(pub T);

/// An instant given in a query, RFC 3339 with an offset (`updated_since=2027-01-12T10:00:00Z`);
/// a `+` that arrived unencoded reads as a space and is put back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant(pub chrono::NaiveDateTime);

impl<'de> serde::Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Instant, D::Error> {
        let raw = String::deserialize(deserializer)?;
        chrono::DateTime::parse_from_rfc3339(&raw.trim().replace(' ', "+"))
            .map(|at| Instant(at.naive_utc()))
            .map_err(|_| {
                de::Error::custom(
                    "must be an instant, RFC 3339 with offset (2027-01-12T10:00:00Z; encode + as %2B)",
                )
            })
    }
}

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(QueryParams))
    }
}

/// Reads `query` into `T`, refusing unknown parameters.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let known = field_names::<T>();
    let mut unknown: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .map(|(name, _)| name.into_owned())
        .filter(|name| !known.contains(&name.as_str()))
        .collect();
    unknown.dedup();
    if !unknown.is_empty() {
        let accepted = if known.is_empty() {
            "this address takes no query parameters".to_string()
        } else {
            format!("accepted: {}", known.join(", "))
        };
        return Err(ApiError::UnknownParameters(
            unknown
                .into_iter()
                .map(|name| FieldError::new(name, format!("unknown query parameter; {accepted}")))
                .collect(),
        ));
    }
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." {
            "query".to_string()
        } else {
            path
        };
        ApiError::field(field, error.into_inner().to_string())
    })
}

/// The field names `T`'s derived `Deserialize` asks for: serde hands them to `deserialize_struct`,
/// so a deserializer that only records them learns the struct's parameters without a list kept
/// by hand beside it.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    match T::deserialize(FieldNames) {
        Err(Recorded(fields)) => fields,
        Ok(_) => &[],
    }
}

#[derive(Debug)]
struct Recorded(&'static [&'static str]);

impl std::fmt::Display for Recorded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fields {:?}", self.0)
    }
}

impl std::error::Error for Recorded {}

impl de::Error for Recorded {
    fn custom<M: std::fmt::Display>(_: M) -> Recorded {
        Recorded(&[])
    }
}

struct FieldNames;

impl<'de> Deserializer<'de> for FieldNames {
    type Error = Recorded;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Recorded> {
        Err(Recorded(&[]))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Recorded> {
        Err(Recorded(fields))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::BranchId;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Q {
        branch: Option<BranchId>,
        done: Option<bool>,
    }

    #[test]
    fn known_parameters_parse_and_unknown_ones_are_named() {
        assert_eq!(field_names::<Q>(), ["branch", "done"]);
        assert_eq!(
            parse::<Q>("branch=3&done=true").unwrap(),
            Q {
                branch: Some(BranchId(3)),
                done: Some(true)
            }
        );
        match parse::<Q>("branch=3&status=x&q=y") {
            Err(ApiError::UnknownParameters(errors)) => {
                let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(names, ["status", "q"]);
            }
            other => panic!("{other:?}"),
        }
        #[derive(Debug, Deserialize)]
        struct Since {
            updated_since: Option<Instant>,
        }
        let at =
            |raw: &str| parse::<Since>(&format!("updated_since={raw}")).map(|s| s.updated_since);
        let expected = chrono::NaiveDate::from_ymd_opt(2027, 1, 12)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .map(Instant);
        assert_eq!(
            at("2027-01-12T10:00:00+01:00").unwrap(),
            expected,
            "unencoded +"
        );
        assert_eq!(at("2027-01-12T10:00:00%2B01:00").unwrap(), expected);
        assert_eq!(at("2027-01-12T09:00:00Z").unwrap(), expected);
        for bad in ["2027-01-12", "yesterday", "2027-01-12T10:00:00"] {
            match at(bad) {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "updated_since"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        match parse::<Q>("branch=three") {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "branch"),
            other => panic!("{other:?}"),
        }
    }
}
