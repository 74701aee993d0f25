//! Creating and editing a client through the same services as `POST /api/v1/clients` and
//! `PATCH /api/v1/clients/{id}`. The console only reads the form: checkboxes for needs, a
//! comma-separated list of languages, the position as two numbers; everything else is the
//! service's to check, and a refusal comes back at the form with the typed values kept.

use crate::domain::ids::{BranchId, ClientId};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::json;

use super::of_branch;
use crate::console::refusal::Refusal;
use crate::console::render::{ConsolePage, see_other};
use crate::console::{Posted, Session};
use crate::db;
use crate::domain::{ClientSource, HomeTrait, Position, Skill};
use crate::error::{ApiError, FieldError};
use crate::services::board;
use crate::services::clients::{self, ClientInput, ClientPatch, ClientView};
use crate::state::AppState;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/branches/{branch}/clients/new", web::get().to(new_form))
        .route("/branches/{branch}/clients/new", web::post().to(create))
        .route(
            "/branches/{branch}/clients/{id}/edit",
            web::get().to(edit_form),
        )
        .route(
            "/branches/{branch}/clients/{id}/edit",
            web::post().to(update),
        );
}

/// The form's fields as typed.
#[derive(Debug, Default, Serialize)]
struct Fields {
    name: String,
    email: String,
    phone: String,
    address: String,
    lat: String,
    lon: String,
    needs: Vec<String>,
    languages: String,
    preferred_language: String,
    wanted: String,
    source: String,
    source_detail: String,
    municipal_home_care: bool,
    care_notes: String,
    home_traits: Vec<String>,
}

impl Fields {
    /// Reads the posted pairs (a field the form does not have is a form this console did not send).
    fn read(pairs: Vec<(String, String)>) -> Result<Fields, ApiError> {
        let mut f = Fields::default();
        for (key, value) in pairs {
            match key.as_str() {
                "name" => f.name = value,
                "email" => f.email = value,
                "phone" => f.phone = value,
                "address" => f.address = value,
                "lat" => f.lat = value,
                "lon" => f.lon = value,
                "needs" => f.needs.push(value),
                "languages" => f.languages = value,
                "preferred_language" => f.preferred_language = value,
                "wanted" => f.wanted = value,
                "source" => f.source = value,
                "source_detail" => f.source_detail = value,
                "municipal_home_care" => f.municipal_home_care = true,
                "care_notes" => f.care_notes = value,
                "home_traits" => f.home_traits.push(value),
                other => {
                    return Err(ApiError::BadRequest(format!(
                        "the form is not one this console sent: unknown field {other}"
                    )));
                }
            }
        }
        Ok(f)
    }

    /// The record as it stands, to edit.
    fn of(c: &ClientView) -> Fields {
        Fields {
            name: c.name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            address: c.address.clone(),
            lat: c.position.lat.to_string(),
            lon: c.position.lon.to_string(),
            needs: c.needs.clone(),
            languages: c.languages.join(", "),
            preferred_language: c.preferred_language.clone(),
            wanted: c.wanted.to_string(),
            source: c.source.as_str().into(),
            source_detail: c.source_detail.clone().unwrap_or_default(),
            municipal_home_care: c.municipal_home_care,
            care_notes: c.care_notes.clone(),
            home_traits: c.home_traits.clone(),
        }
    }

    /// The numbers the service takes; text that is not a number is the console's to refuse.
    fn numbers(&self) -> Result<(Position, i32), Vec<FieldError>> {
        let mut errors = vec![];
        let mut number = |field: &str, raw: &str| match raw.trim().replace(',', ".").parse::<f64>()
        {
            Ok(n) if n.is_finite() => n,
            _ => {
                errors.push(FieldError::new(field, "must be a number"));
                0.0
            }
        };
        let position = Position {
            lat: number("position.lat", &self.lat),
            lon: number("position.lon", &self.lon),
        };
        let wanted = self.wanted.trim().parse::<i32>().unwrap_or_else(|_| {
            errors.push(FieldError::new("wanted", "must be 2 or 3"));
            0
        });
        if errors.is_empty() {
            Ok((position, wanted))
        } else {
            Err(errors)
        }
    }

    fn language_list(&self) -> Vec<String> {
        self.languages
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_lowercase)
            .collect()
    }

    fn input(&self, branch_id: BranchId) -> Result<ClientInput, Vec<FieldError>> {
        let (position, wanted) = self.numbers()?;
        Ok(ClientInput {
            branch_id,
            name: self.name.clone(),
            email: given(&self.email),
            phone: given(&self.phone),
            address: self.address.clone(),
            position,
            needs: self.needs.clone(),
            languages: self.language_list(),
            preferred_language: given(&self.preferred_language),
            wanted,
            source: self.source.clone(),
            source_detail: given(&self.source_detail),
            municipal_home_care: self.municipal_home_care,
            care_notes: self.care_notes.clone(),
            home_traits: self.home_traits.clone(),
        })
    }

    /// Every field as the form shows it; an empty email, phone or source detail is left as it is
    /// (the service has no way to clear them).
    fn patch(&self) -> Result<ClientPatch, Vec<FieldError>> {
        let (position, wanted) = self.numbers()?;
        Ok(ClientPatch {
            name: Some(self.name.clone()),
            email: given(&self.email),
            phone: given(&self.phone),
            address: Some(self.address.clone()),
            position: Some(position),
            needs: Some(self.needs.clone()),
            languages: Some(self.language_list()),
            preferred_language: given(&self.preferred_language),
            wanted: Some(wanted),
            source: Some(self.source.clone()),
            source_detail: given(&self.source_detail),
            municipal_home_care: Some(self.municipal_home_care),
            care_notes: Some(self.care_notes.clone()),
            home_traits: Some(self.home_traits.clone()),
        })
    }
}

fn given(raw: &str) -> Option<String> {
    Some(raw.trim().to_string()).filter(|s| !s.is_empty())
}

/// Which form: a new client, or an existing one to edit.
enum Target {
    New,
    Edit(ClientId, String),
}

async fn form_page(
    state: &web::Data<AppState>,
    session: &Session,
    branch_id: BranchId,
    target: Target,
    fields: &Fields,
    refused: Option<Refusal>,
) -> Result<HttpResponse, ApiError> {
    let caller = session.caller.clone();
    let branch = db::run(&state.pool, move |conn| {
        board::managed(conn, &caller, branch_id)
    })
    .await?;
    let lang = session.lang;
    let base = format!("/console/branches/{branch_id}/clients");
    let (title, action, back) = match &target {
        Target::New => (
            lang.text("cl_new_client"),
            format!("{base}/new"),
            base.clone(),
        ),
        Target::Edit(id, name) => (
            format!("{} – {name}", lang.text("cl_edit_client")),
            format!("{base}/{id}/edit"),
            format!("{base}/{id}"),
        ),
    };
    let status = refused.as_ref().map_or(StatusCode::OK, |r| r.status);
    ConsolePage::new(
        "clients_form.html",
        json!({
            "title": title,
            "me": session.layout(),
            "branch": {"id": branch.id, "name": branch.name},
            "nav": "clients",
            "here": action,
            "action": action,
            "back": back,
            "form": fields,
            "error": refused.map(|r| r.values(lang, "cl")),
            "skills": Skill::ALL,
            "home_traits": HomeTrait::ALL,
            "sources": ClientSource::ALL,
        }),
    )
    .status(status)
    .render(lang)
}

async fn new_form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields {
        wanted: "2".into(),
        languages: "da".into(),
        ..Default::default()
    };
    form_page(
        &state,
        &session,
        path.into_inner(),
        Target::New,
        &fields,
        None,
    )
    .await
}

async fn create(
    state: web::Data<AppState>,
    posted: Posted<Vec<(String, String)>>,
    path: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let branch_id = path.into_inner();
    let Posted { session, form } = posted;
    let fields = Fields::read(form)?;
    let input = match fields.input(branch_id) {
        Ok(input) => input,
        Err(errors) => {
            let refused = Refusal::fields(errors);
            return form_page(
                &state,
                &session,
                branch_id,
                Target::New,
                &fields,
                Some(refused),
            )
            .await;
        }
    };
    let caller = session.caller.clone();
    let created = db::run(&state.pool, move |conn| {
        board::managed(conn, &caller, branch_id)?;
        clients::create(conn, &caller, input)
    })
    .await;
    match created {
        Ok(client) => Ok(see_other(&format!(
            "/console/branches/{branch_id}/clients/{}?done=created",
            client.id
        ))),
        Err(error) => {
            let refused = Refusal::of(error)?;
            form_page(
                &state,
                &session,
                branch_id,
                Target::New,
                &fields,
                Some(refused),
            )
            .await
        }
    }
}

async fn edit_form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(BranchId, ClientId)>,
) -> Result<HttpResponse, ApiError> {
    let (branch_id, client_id) = path.into_inner();
    let caller = session.caller.clone();
    let client = db::run(&state.pool, move |conn| {
        of_branch(conn, &caller, branch_id, client_id)
    })
    .await?;
    let target = Target::Edit(client_id, client.name.clone());
    form_page(
        &state,
        &session,
        branch_id,
        target,
        &Fields::of(&client),
        None,
    )
    .await
}

async fn update(
    state: web::Data<AppState>,
    posted: Posted<Vec<(String, String)>>,
    path: web::Path<(BranchId, ClientId)>,
) -> Result<HttpResponse, ApiError> {
    let (branch_id, client_id) = path.into_inner();
    let Posted { session, form } = posted;
    let caller = session.caller.clone();
    // The record's own name heads the form, also when the typed one is refused.
    let current = db::run(&state.pool, move |conn| {
        of_branch(conn, &caller, branch_id, client_id)
    })
    .await?;
    let target = || Target::Edit(client_id, current.name.clone());
    let fields = Fields::read(form)?;
    let patch = match fields.patch() {
        Ok(patch) => patch,
        Err(errors) => {
            let refused = Refusal::fields(errors);
            return form_page(
                &state,
                &session,
                branch_id,
                target(),
                &fields,
                Some(refused),
            )
            .await;
        }
    };
    let caller = session.caller.clone();
    let saved = db::run(&state.pool, move |conn| {
        of_branch(conn, &caller, branch_id, client_id)?;
        clients::update(conn, &caller, client_id, patch)
    })
    .await;
    match saved {
        Ok(_) => Ok(see_other(&format!(
            "/console/branches/{branch_id}/clients/{client_id}?done=saved"
        ))),
        Err(error) => {
            let refused = Refusal::of(error)?;
            form_page(
                &state,
                &session,
                branch_id,
                target(),
                &fields,
                Some(refused),
            )
            .await
        }
    }
}
