//! authorization: the admin-only routes.

use super::*;

/// The admin-only routes take an `AdminCaller`: a leader is refused before the values of a
/// well-formed body are judged (a body that is not even JSON of the right shape is refused by
/// the JSON reader first, as before), and nothing changes.
async fn a_leader_is_refused_an_admin_route_before_its_values_are_judged(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let branches = |token: &str| {
        let (app, token) = (&app, token.to_string());
        async move {
            app.get_ok("/api/v1/branches", &token).await["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    let before = branches(&w.admin).await;

    let mars = json!({"name": "Mars", "country": "DK", "time_zone": "Mars/Olympus",
                      "currency": "DKK", "centre": {"lat": 56.1, "lon": 10.2}});
    let bad_body = status(
        &app,
        Method::POST,
        "/api/v1/branches",
        &w.leader_a,
        Some(mars.clone()),
    )
    .await;
    let bad_patch = status(
        &app,
        Method::PATCH,
        &format!("/api/v1/branches/{}", w.branch_a),
        &w.leader_a,
        Some(json!({"time_zone": "Mars/Olympus"})),
    )
    .await;
    let audit = status(
        &app,
        Method::GET,
        "/api/v1/audit?limit=0",
        &w.leader_a,
        None,
    )
    .await;

    assert_eq!((bad_body, bad_patch, audit), (403, 403, 403));
    assert_eq!(branches(&w.admin).await, before);
    // The same bodies from the admin are judged: the checks run, only later.
    let judged = status(&app, Method::POST, "/api/v1/branches", &w.admin, Some(mars)).await;
    assert_eq!(judged, 422);
    assert_eq!(
        status(&app, Method::GET, "/api/v1/audit?limit=0", &w.admin, None).await,
        422
    );
}

on_both_backends!(a_leader_is_refused_an_admin_route_before_its_values_are_judged);
