//! A new price of a branch, from a day or from now (the clip-cards service, as
//! `POST /api/v1/branches/{id}/prices`); earlier purchases keep the price they paid.

use crate::domain::ids::BranchId;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde_json::json;

use super::AdminPosted;
use super::branches::{PriceForm, branch_page, checked};
use crate::console::refusal::Refusal;
use crate::console::render::see_other;
use crate::db;
use crate::error::{ApiError, FieldError};
use crate::services::clip_cards::{self, PriceInput};
use crate::services::{board, branches};
use crate::state::AppState;

/// `1560`, `1560.5`, `1560,50` → minor units; anything else is `None`.
fn minor_units(raw: &str) -> Option<i64> {
    let text = raw.trim().replace(' ', "").replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = format!("{fraction:0<2}").parse::<i64>().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

pub(super) async fn add_price(
    state: web::Data<AppState>,
    posted: AdminPosted<PriceForm>,
    path: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let AdminPosted { session, form } = posted;
    let id = path.into_inner();
    let caller = session.caller.clone();
    let typed = form.clone();
    let added = db::run(&state.pool, move |conn| {
        let branch = branches::get(conn, &caller, id)?;
        let mut errors = vec![];
        let amount_minor = minor_units(&typed.amount).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "amount_minor",
                "must be an amount such as 1560 or 1560.50",
            ));
            0
        });
        let valid_from = match typed.valid_from.trim() {
            "" => None,
            day => match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
                Ok(day) => Some(board::local_midnight(&branch.time_zone, day).and_utc()),
                Err(_) => {
                    errors.push(FieldError::new("valid_from", "must be a date (YYYY-MM-DD)"));
                    None
                }
            },
        };
        let input = checked(
            errors,
            PriceInput {
                product: typed.product.clone(),
                amount_minor,
                valid_from,
            },
        )?;
        clip_cards::add_price(conn, &caller, id, input)
    })
    .await;
    match added {
        Ok(_) => Ok(see_other(&format!(
            "/console/admin/branches/{id}?done=price"
        ))),
        Err(error) => {
            let refused = Refusal::of(error)?;
            let forms = json!({"price": form, "failed_form": "price"});
            branch_page(&state, &session, id, forms, Some(refused), None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::minor_units;

    #[test]
    fn amounts_are_read_in_the_main_unit() {
        assert_eq!(minor_units("1560"), Some(156_000));
        assert_eq!(minor_units("1560,5"), Some(156_050));
        assert_eq!(minor_units(" 1 560.05 "), Some(156_005));
        for bad in ["", "abc", "12.345", "-5", "1.2.3", ",50"] {
            assert_eq!(minor_units(bad), None, "{bad}");
        }
    }
}
