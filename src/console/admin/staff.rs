//! Staff accounts: the list with roles, a new branch leader or admin (who gets an invitation
//! mail; no password is ever shown or set here), deactivating and reactivating (which ends
//! the account's sessions, the console's too), and a new invitation for an account that has
//! no password yet. The services `/api/v1/users` calls.

use crate::domain::ids::{BranchId, UserId};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, AdminPosted, page};
use crate::console::ConsolePage;
use crate::console::forms::{DoneQuery, EmptyForm};
use crate::console::refusal::Refusal;
use crate::console::render::see_other;
use crate::console::session::Session;
use crate::db::{self, Page};
use crate::domain::Role;
use crate::error::ApiError;
use crate::routes::QueryParams;
use crate::services::accounts::{self, UserInput, UserPatch};
use crate::services::{branches, invitations};
use crate::state::AppState;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users", web::get().to(list))
        .route("/admin/users", web::post().to(create))
        .route("/admin/users/{id}/active", web::post().to(set_active))
        .route("/admin/users/{id}/invitation", web::post().to(reinvite));
}

/// A new staff account as typed.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct StaffForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    /// Empty for an admin.
    #[serde(default)]
    branch_id: String,
}

impl StaffForm {
    /// The service's input; always without a password, so the service mails an invitation.
    fn input(&self) -> Result<UserInput, ApiError> {
        let role = Role::parse(self.role.trim())
            .map_err(|_| ApiError::field("role", "must be branch_leader or admin"))?;
        let branch_id = match self.branch_id.trim() {
            "" => None,
            id => Some(
                id.parse()
                    .map_err(|_| ApiError::field("branch_id", "no such branch"))?,
            ),
        };
        Ok(UserInput {
            email: self.email.clone(),
            name: self.name.clone(),
            role,
            branch_id,
            password: None,
        })
    }
}

/// Deactivate (`false`) or reactivate (`true`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveForm {
    active: bool,
}

async fn list(
    state: web::Data<AppState>,
    Admin(session): Admin,
    QueryParams(query): QueryParams<DoneQuery>,
) -> Result<HttpResponse, ApiError> {
    users_page(
        &state,
        &session,
        StaffForm::default(),
        None,
        query.done,
        true,
    )
    .await
}

async fn users_page(
    state: &AppState,
    session: &Session,
    form: StaffForm,
    refused: Option<Refusal>,
    done: Option<String>,
    at_form: bool,
) -> Result<HttpResponse, ApiError> {
    let caller = session.caller.clone();
    let everything = Page {
        after: 0,
        limit: i64::MAX,
    };
    let (users, all_branches) = db::run(&state.pool, move |conn| {
        let users = accounts::list(conn, &caller, everything)?;
        let all = branches::list(conn, &caller, everything)?;
        Ok::<_, ApiError>((users, all))
    })
    .await?;
    let branch_name = |id: Option<BranchId>| -> Value {
        id.and_then(|id| all_branches.iter().find(|b| b.id == id))
            .map(|b| json!(b.name))
            .unwrap_or(Value::Null)
    };
    let rows: Vec<Value> = users
        .iter()
        .map(|u| {
            let mut row = json!(u);
            row["branch_name"] = branch_name(u.branch_id);
            row
        })
        .collect();
    let status = refused.as_ref().map(|r| r.status);
    let values = page(
        session,
        "admin_users",
        "/console/admin/users",
        json!({
            "users": rows,
            "branches": all_branches.iter().map(|b| json!({"id": b.id, "name": b.name})).collect::<Vec<_>>(),
            "form": form,
            "errors": refused.as_ref().filter(|_| at_form).map(|r| r.by_field()).unwrap_or(json!({})),
            "error": refused.as_ref().filter(|_| at_form).map(|r| r.summary()),
            // A refused row button (deactivate, invite): its reason above the list.
            "row_error": refused.as_ref().filter(|_| !at_form).map(|r| r.summary()),
            "done": done,
        }),
    );
    let page = ConsolePage::new("admin_users.html", values);
    match status {
        Some(status) => page.status(status),
        None => page,
    }
    .render(session.lang)
}

async fn create(
    state: web::Data<AppState>,
    posted: AdminPosted<StaffForm>,
) -> Result<HttpResponse, ApiError> {
    let AdminPosted { session, form } = posted;
    let caller = session.caller.clone();
    let created = match form.input() {
        Ok(input) => {
            db::run(&state.pool, move |conn| {
                accounts::create(conn, &caller, input)
            })
            .await
        }
        Err(error) => Err(error),
    };
    match created {
        Ok(_) => Ok(see_other("/console/admin/users?done=invited")),
        Err(error) => {
            let refused = Refusal::of(error)?;
            users_page(&state, &session, form, Some(refused), None, true).await
        }
    }
}

async fn set_active(
    state: web::Data<AppState>,
    posted: AdminPosted<ActiveForm>,
    path: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let AdminPosted { session, form } = posted;
    let (id, active) = (path.into_inner(), form.active);
    let caller = session.caller.clone();
    let patch = UserPatch {
        active: Some(active),
        ..UserPatch::default()
    };
    let changed = db::run(&state.pool, move |conn| {
        accounts::update(conn, &caller, id, patch)
    })
    .await;
    match changed {
        Ok(_) if active => Ok(see_other("/console/admin/users?done=reactivated")),
        Ok(_) => Ok(see_other("/console/admin/users?done=deactivated")),
        Err(error) => refused_row(&state, &session, error).await,
    }
}

async fn reinvite(
    state: web::Data<AppState>,
    posted: AdminPosted<EmptyForm>,
    path: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let AdminPosted { session, .. } = posted;
    let id = path.into_inner();
    let caller = session.caller.clone();
    let sent = db::run(&state.pool, move |conn| {
        invitations::reinvite(conn, &caller, id)
    })
    .await;
    match sent {
        Ok(()) => Ok(see_other("/console/admin/users?done=reinvited")),
        Err(error) => refused_row(&state, &session, error).await,
    }
}

/// A refused row action: the list again, the service's reason above it.
async fn refused_row(
    state: &AppState,
    session: &Session,
    error: ApiError,
) -> Result<HttpResponse, ApiError> {
    let refused = Refusal::of(error)?;
    users_page(
        state,
        session,
        StaffForm::default(),
        Some(refused),
        None,
        false,
    )
    .await
}
