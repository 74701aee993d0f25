//! Branches (list, create, edit) and the page of one branch with its prices (the form for a
//! new price is in `prices`): the branches and clip-cards services, as `/api/v1/branches…`
//! calls them.

use crate::domain::ids::BranchId;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, AdminPosted, page};
use crate::console::ConsolePage;
use crate::console::forms::DoneQuery;
use crate::console::refusal::Refusal;
use crate::console::render::see_other;
use crate::console::session::Session;
use crate::db::{self, Page};
use crate::domain::Position;
use crate::error::{ApiError, FieldError};
use crate::routes::QueryParams;
use crate::services::branches::{self, BranchInput, BranchPatch, BranchView};
use crate::services::clip_cards::{self, PriceView};
use crate::state::AppState;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/branches", web::get().to(list))
        .route("/admin/branches", web::post().to(create))
        .route("/admin/branches/{id}", web::get().to(show))
        .route("/admin/branches/{id}", web::post().to(update));
}

/// A price as typed: the amount in the currency's main unit (`1560` or `1560,50`).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceForm {
    #[serde(default)]
    pub(super) product: String,
    #[serde(default)]
    pub(super) amount: String,
    /// A day in the branch's time zone; empty for now.
    #[serde(default)]
    pub(super) valid_from: String,
}

/// A branch as typed into the form.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct BranchForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    #[serde(default)]
    phone: String,
    /// The checkbox: present when ticked.
    #[serde(default)]
    active: Option<String>,
}

impl BranchForm {
    /// The centre as numbers; the service checks their range.
    fn centre(&self, errors: &mut Vec<FieldError>) -> Position {
        let number = |raw: &str| raw.trim().replace(',', ".").parse::<f64>().ok();
        match (number(&self.lat), number(&self.lon)) {
            (Some(lat), Some(lon)) => Position { lat, lon },
            _ => {
                errors.push(FieldError::new(
                    "centre",
                    "must be a latitude and a longitude in decimal degrees",
                ));
                // Any valid place, so the service still reports every other field at once.
                Position { lat: 0.0, lon: 0.0 }
            }
        }
    }

    fn phone(&self) -> Option<String> {
        Some(self.phone.trim().to_string()).filter(|p| !p.is_empty())
    }

    fn input(&self) -> Result<BranchInput, ApiError> {
        let mut errors = vec![];
        let centre = self.centre(&mut errors);
        let input = BranchInput {
            name: self.name.clone(),
            country: self.country.clone(),
            time_zone: self.time_zone.clone(),
            currency: self.currency.clone(),
            centre,
            phone: self.phone(),
            active: Some(true),
        };
        checked(errors, input)
    }

    fn patch(&self) -> Result<BranchPatch, ApiError> {
        let mut errors = vec![];
        let centre = self.centre(&mut errors);
        let patch = BranchPatch {
            name: Some(self.name.clone()),
            country: Some(self.country.clone()),
            time_zone: Some(self.time_zone.clone()),
            currency: Some(self.currency.clone()),
            centre: Some(centre),
            phone: self.phone(),
            active: Some(self.active.is_some()),
        };
        checked(errors, patch)
    }

    fn of(branch: &BranchView) -> BranchForm {
        BranchForm {
            name: branch.name.clone(),
            country: branch.country.as_str().into(),
            time_zone: branch.time_zone.clone(),
            currency: branch.currency.clone(),
            lat: branch.centre_lat.to_string(),
            lon: branch.centre_lon.to_string(),
            phone: branch.phone.clone().unwrap_or_default(),
            active: branch.active.then(|| "on".to_string()),
        }
    }

    fn blank() -> BranchForm {
        BranchForm {
            country: "DK".into(),
            time_zone: "Europe/Copenhagen".into(),
            currency: "DKK".into(),
            ..BranchForm::default()
        }
    }
}

/// `value`, unless the form's own reading found errors.
pub(super) fn checked<T>(errors: Vec<FieldError>, value: T) -> Result<T, ApiError> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The field errors of the form's own reading and of the service's validation, together.
fn both(mine: ApiError, service: Result<(), ApiError>) -> ApiError {
    match (mine, service) {
        (ApiError::Validation(mut a), Err(ApiError::Validation(b))) => {
            a.extend(b.into_iter().filter(|e| e.field != "centre"));
            ApiError::Validation(a)
        }
        (mine, _) => mine,
    }
}

async fn list(
    state: web::Data<AppState>,
    Admin(session): Admin,
    QueryParams(query): QueryParams<DoneQuery>,
) -> Result<HttpResponse, ApiError> {
    list_page(&state, &session, BranchForm::blank(), None, query.done).await
}

async fn list_page(
    state: &AppState,
    session: &Session,
    form: BranchForm,
    refused: Option<Refusal>,
    done: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = session.caller.clone();
    let all = db::run(&state.pool, move |conn| {
        branches::list(
            conn,
            &caller,
            Page {
                after: 0,
                limit: i64::MAX,
            },
        )
    })
    .await?;
    let status = refused.as_ref().map(|r| r.status);
    let values = page(
        session,
        "admin_branches",
        "/console/admin/branches",
        json!({
            "branches": all,
            "form": form,
            "errors": refused.as_ref().map(|r| r.by_field()).unwrap_or(json!({})),
            "error": refused.map(|r| r.summary()),
            "done": done,
        }),
    );
    let page = ConsolePage::new("admin_branches.html", values);
    match status {
        Some(status) => page.status(status),
        None => page,
    }
    .render(session.lang)
}

async fn create(
    state: web::Data<AppState>,
    posted: AdminPosted<BranchForm>,
) -> Result<HttpResponse, ApiError> {
    let AdminPosted { session, form } = posted;
    let input = match form.input() {
        Ok(input) => input,
        Err(mine) => {
            let service = BranchForm {
                lat: "0".into(),
                lon: "0".into(),
                ..form.clone()
            }
            .input()
            .and_then(branches::validate_new)
            .map(|_| ());
            let refused = Refusal::of(both(mine, service))?;
            return list_page(&state, &session, form, Some(refused), None).await;
        }
    };
    let caller = session.caller.clone();
    let created = db::run(&state.pool, move |conn| {
        let new = branches::validate_new(input)?;
        branches::create(conn, &caller, new)
    })
    .await;
    match created {
        Ok(branch) => Ok(see_other(&format!(
            "/console/admin/branches/{}?done=created",
            branch.id
        ))),
        Err(error) => {
            let refused = Refusal::of(error)?;
            list_page(&state, &session, form, Some(refused), None).await
        }
    }
}

/// The branch page's values that are the same whatever the forms show.
pub(super) async fn branch_page(
    state: &AppState,
    session: &Session,
    id: BranchId,
    forms: Value,
    refused: Option<Refusal>,
    done: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = session.caller.clone();
    let (branch, prices) = db::run(&state.pool, move |conn| {
        let branch = branches::get(conn, &caller, id)?;
        let prices = clip_cards::prices(conn, &caller, id)?;
        Ok::<_, ApiError>((branch, prices))
    })
    .await?;
    let money = |minor: i64| format!("{}.{:02}", minor / 100, minor % 100);
    let show = |p: &PriceView| {
        let mut v = json!(p);
        v["amount"] = json!(money(p.amount_minor));
        v
    };
    let mut values = page(
        session,
        "admin_branch",
        &format!("/console/admin/branches/{id}"),
        json!({
            "edited": {"id": branch.id, "name": branch.name},
            "currency": prices.currency,
            "in_force": prices.in_force.iter().map(show).collect::<Vec<_>>(),
            "history": prices.history.iter().map(show).collect::<Vec<_>>(),
            "form": BranchForm::of(&branch),
            "price": PriceForm::default(),
            "failed_form": null,
            "done": done,
        }),
    );
    let status = refused.as_ref().map(|r| r.status);
    values["price_errors"] = json!({});
    if let Some(r) = refused {
        let key = if forms["failed_form"] == "price" {
            "price_errors"
        } else {
            "errors"
        };
        values[key] = r.by_field();
        values["error"] = json!(r.summary());
    }
    if let (Value::Object(base), Value::Object(forms)) = (&mut values, forms) {
        base.extend(forms);
    }
    let page = ConsolePage::new("admin_branch.html", values);
    match status {
        Some(status) => page.status(status),
        None => page,
    }
    .render(session.lang)
}

async fn show(
    state: web::Data<AppState>,
    Admin(session): Admin,
    path: web::Path<BranchId>,
    QueryParams(query): QueryParams<DoneQuery>,
) -> Result<HttpResponse, ApiError> {
    branch_page(
        &state,
        &session,
        path.into_inner(),
        json!({}),
        None,
        query.done,
    )
    .await
}

async fn update(
    state: web::Data<AppState>,
    posted: AdminPosted<BranchForm>,
    path: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let AdminPosted { session, form } = posted;
    let id = path.into_inner();
    let caller = session.caller.clone();
    let patch = form.patch();
    let saved = match patch {
        Ok(patch) => {
            db::run(&state.pool, move |conn| {
                let changes = branches::validate_patch(patch)?;
                branches::update(conn, &caller, id, changes)
            })
            .await
        }
        Err(error) => Err(error),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!(
            "/console/admin/branches/{id}?done=saved"
        ))),
        Err(error) => {
            let refused = Refusal::of(error)?;
            let forms = json!({"form": form, "failed_form": "branch"});
            branch_page(&state, &session, id, forms, Some(refused), None).await
        }
    }
}
