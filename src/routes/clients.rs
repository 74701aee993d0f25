//! `/api/v1/clients`.

use crate::domain::ids::{BranchId, ClientId, RelativeId};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::extract::{JsonBody, ListResponse, PageQuery};
use super::query::{Instant, QueryParams};
use super::reply;
use crate::auth::Caller;
use crate::db;
use crate::domain::ClientSource;
use crate::error::{ApiError, Problem};
use crate::services::clients::{
    self, AccountOpened, ClientHelper, ClientInput, ClientPatch, ClientSearch, ClientShown,
    ClientView, RelativeCreated, RelativeInput,
};
use crate::services::erasure;
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/clients")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/api/v1/clients/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/api/v1/clients/{id}/helpers").route(web::get().to(helpers)))
    .service(web::resource("/api/v1/clients/{id}/relatives").route(web::post().to(add_relative)))
    .service(
        web::resource("/api/v1/clients/{id}/relatives/{relative_id}")
            .route(web::delete().to(remove_relative)),
    )
    .service(web::resource("/api/v1/clients/{id}/account").route(web::post().to(open_account)))
    .service(web::resource("/api/v1/me/clients").route(web::get().to(my_clients)));
}

/// Filters of `GET /api/v1/clients`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    /// Only this branch.
    pub branch: Option<BranchId>,
    /// `true`: only clients with fewer than two current helpers.
    pub short_of_helpers: Option<bool>,
    /// Only names containing this text (any case), e.g. `ib`.
    pub q: Option<String>,
    /// Only clients who came through this source.
    #[param(inline)]
    pub source: Option<ClientSource>,
    /// Only clients whose record changed at or after this instant (RFC 3339), for an app syncing
    /// what changed since it last looked: their details, relatives or team. An erased client
    /// leaves the list; compare ids on a full read now and then.
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
    /// Items per page, 1–200.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// The caller's own clients: a helper's (limited fields: what a visit needs), and those they act
/// for as the client or a relative (in full); empty for staff.
#[utoipa::path(get, path = "/api/v1/me/clients", tag = "clients", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = ListResponse<ClientShown>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn my_clients(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page()?;
    reply::page(
        &state,
        page,
        move |conn| clients::mine(conn, &caller, page),
        ClientShown::id,
    )
    .await
}

/// Clients the caller may see (a helper: their own clients, limited fields).
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])), params(ClientQuery),
    responses((status = 200, body = ListResponse<ClientShown>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<ClientQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page()?;
    let search = ClientSearch {
        branch: query.branch,
        short_of_helpers: query.short_of_helpers.unwrap_or(false),
        name: query.q,
        source: query.source,
        updated_since: query.updated_since.map(|Instant(at)| at),
    };
    reply::page(
        &state,
        page,
        move |conn| clients::list(conn, &caller, search, page),
        ClientShown::id,
    )
    .await
}

/// Creates a client (branch staff).
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])), request_body = ClientInput,
    responses((status = 201, body = ClientView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<ClientInput>,
) -> Result<HttpResponse, ApiError> {
    reply::created(&state, move |conn| clients::create(conn, &caller, input)).await
}

/// One client, in the shape the caller may see.
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path), ("If-None-Match" = Option<String>, Header, description = "the ETag of the copy you have")),
    responses((status = 304, description = "the copy named in If-None-Match is current"), (status = 200, body = ClientShown), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::record(&req, &state, move |conn| clients::get(conn, &caller, id)).await
}

/// Changes a client (branch staff).
#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ClientPatch,
    responses((status = 200, body = ClientView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
    JsonBody(input): JsonBody<ClientPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        clients::update(conn, &caller, id, input)
    })
    .await
}

/// Erases a client: personal data gone, upcoming visits cancelled free, pairs ended, relatives
/// removed, logins closed unless they serve someone else; hours and ledger kept anonymised.
#[utoipa::path(delete, path = "/api/v1/clients/{id}", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204, description = "erased"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        erasure::erase_client(conn, &caller, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The client's current helpers.
#[utoipa::path(get, path = "/api/v1/clients/{id}/helpers", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ClientHelper>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn helpers(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        clients::current_helpers(conn, &caller, id)
    })
    .await
}

/// Adds a relative with the rights the client consented to.
#[utoipa::path(post, path = "/api/v1/clients/{id}/relatives", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RelativeInput,
    responses((status = 201, body = RelativeCreated), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_relative(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
    JsonBody(input): JsonBody<RelativeInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::created(&state, move |conn| {
        clients::add_relative(conn, &caller, id, input)
    })
    .await
}

/// Removes a relative: their rights end at once; their login closes unless it serves someone else.
#[utoipa::path(delete, path = "/api/v1/clients/{id}/relatives/{relative_id}", tag = "clients", security(("bearer" = [])),
    params(("id" = i64, Path), ("relative_id" = i64, Path)),
    responses((status = 204, description = "removed"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_relative(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ClientId, RelativeId)>,
) -> Result<HttpResponse, ApiError> {
    let (id, relative_id) = path.into_inner();
    db::run(&state.pool, move |conn| {
        clients::remove_relative(conn, &caller, id, relative_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Opens a login for the client themself; the set-password link is mailed to them.
#[utoipa::path(post, path = "/api/v1/clients/{id}/account", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = AccountOpened), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::created(&state, move |conn| clients::open_account(conn, &caller, id)).await
}
