//! Buying a clip card on a client's behalf, paid by invoice: the branch's prices in force, then
//! the same service as `POST /api/v1/clients/{id}/clip-cards`. The form carries a one-time
//! `form_id` used as the purchase's idempotency key, so a double click or a resent form buys once.

use crate::domain::Product;
use crate::domain::ids::{BranchId, ClientId};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::of_branch;
use crate::auth::secret;
use crate::console::refusal::Refusal;
use crate::console::render::{ConsolePage, see_other};
use crate::console::{Posted, Session};
use crate::db;
use crate::error::ApiError;
use crate::services::board;
use crate::services::clip_cards::{self, PurchaseInput};
use crate::services::idempotency::{Keyed, respond_once};
use crate::state::AppState;

/// The idempotency endpoint of console purchases (apart from the API's keys).
const ENDPOINT: &str = "console: buy a clip card";

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/branches/{branch}/clients/{id}/clip-cards",
        web::get().to(buy_form),
    )
    .route(
        "/branches/{branch}/clients/{id}/clip-cards",
        web::post().to(buy),
    );
}

/// The purchase form (payment by invoice, with the invoice's reference).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct BuyForm {
    #[serde(default)]
    product: String,
    #[serde(default)]
    payment_reference: String,
    #[serde(default)]
    form_id: String,
}

async fn buy_form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(BranchId, ClientId)>,
) -> Result<HttpResponse, ApiError> {
    let (branch_id, client_id) = path.into_inner();
    let form = BuyForm {
        product: Product::ClipCard8h.as_str().into(),
        ..Default::default()
    };
    page(&state, &session, (branch_id, client_id), form, None).await
}

async fn page(
    state: &web::Data<AppState>,
    session: &Session,
    (branch_id, client_id): (BranchId, ClientId),
    mut form: BuyForm,
    refused: Option<Refusal>,
) -> Result<HttpResponse, ApiError> {
    let caller = session.caller.clone();
    let (branch, client, prices) = db::run(&state.pool, move |conn| {
        let branch = board::managed(conn, &caller, branch_id)?;
        let client = of_branch(conn, &caller, branch_id, client_id)?;
        let prices = clip_cards::prices(conn, &caller, branch_id)?;
        Ok::<_, ApiError>((branch, client, prices))
    })
    .await?;
    let lang = session.lang;
    // A refused form keeps its id: nothing was bought, so sending it again is still one purchase.
    if form.form_id.is_empty() {
        form.form_id = secret::new_token()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    }
    let offers: Vec<_> = prices
        .in_force
        .iter()
        .map(|p| {
            json!({
                "product": p.product,
                "minutes": p.minutes,
                "price": crate::email::money(p.amount_minor, &p.currency, lang.code()),
            })
        })
        .collect();
    let status = refused.as_ref().map_or(StatusCode::OK, |r| r.status);
    ConsolePage::new(
        "clients_clip_card.html",
        json!({
            "title": format!("{} – {}", lang.text("cl_buy_clip_card"), client.name),
            "me": session.layout(),
            "branch": {"id": branch.id, "name": branch.name},
            "nav": "clients",
            "here": format!("/console/branches/{branch_id}/clients/{client_id}/clip-cards"),
            "client": {"id": client.id, "name": client.name},
            "offers": offers,
            "form": form,
            "error": refused.map(|r| r.values(lang, "cl")),
        }),
    )
    .status(status)
    .render(lang)
}

async fn buy(
    state: web::Data<AppState>,
    posted: Posted<BuyForm>,
    path: web::Path<(BranchId, ClientId)>,
) -> Result<HttpResponse, ApiError> {
    let (branch_id, client_id) = path.into_inner();
    let Posted { session, form } = posted;
    let key = form.form_id.trim().to_string();
    if !(1..=200).contains(&key.len()) {
        return Err(ApiError::BadRequest(
            "the form is not one this console sent: it has no form_id".into(),
        ));
    }
    let keyed = Keyed {
        user_id: session.caller.user_id,
        endpoint: ENDPOINT,
        key: Some(key),
        // The same form id for another client or product is another purchase, refused.
        fingerprint: secret::hash_token(&format!(
            "{client_id}\n{}\n{}",
            form.product, form.payment_reference
        )),
    };
    let input = PurchaseInput {
        product: form.product.clone(),
        payment_method: "invoice".into(),
        payment_reference: Some(form.payment_reference.trim().to_string())
            .filter(|r| !r.is_empty()),
    };
    let caller = session.caller.clone();
    let bought = db::run(&state.pool, move |conn| {
        of_branch(conn, &caller, branch_id, client_id)?;
        respond_once(conn, &keyed, 201, |conn| {
            clip_cards::buy(conn, &caller, client_id, input)
        })
    })
    .await;
    match bought {
        // The first answer or its replay: either way one card, and the client's page shows it.
        Ok(_) => Ok(see_other(&format!(
            "/console/branches/{branch_id}/clients/{client_id}?done=bought"
        ))),
        Err(error) => {
            let refused = Refusal::of(error)?;
            page(
                &state,
                &session,
                (branch_id, client_id),
                form,
                Some(refused),
            )
            .await
        }
    }
}
