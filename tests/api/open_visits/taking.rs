//! Taking an open visit: the first accept wins, everyone concerned hears it, nothing is charged twice.

use super::*;

async fn the_first_accept_takes_the_visit_and_everyone_concerned_hears_it(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 5 * 24).await;
    crate::visit_edges::relative(
        &app,
        &w.t.admin,
        w.t.client,
        ("Mette Nielsen", "mette@example.dk"),
        (true, false, false),
        false,
    )
    .await;
    assert_eq!(
        open(&app, &w.t.helper_token, id).await.status().as_u16(),
        200
    );
    // Sara would be offered it too once the offer widens; she is told it was taken.
    round_in(&app, 13);

    let taken = accept(&app, &w.bo_token, id).await;

    assert_eq!(taken.status().as_u16(), 200);
    let taken: Value = taken.json().await.unwrap();
    assert_eq!(taken["helper_id"], w.bo);
    assert_eq!(taken["substitute"], false, "Bo is on Karen's team");
    assert_eq!(
        (taken["cover"].clone(), taken["attention"].clone()),
        (json!("covered"), Value::Null)
    );
    assert_eq!(taken["sequence"], 1);
    let moved = mails_to(&app, "visit_rescheduled", "mette@example.dk");
    assert_eq!(
        moved.len(),
        1,
        "the relative who sees visits hears who is coming"
    );
    assert!(moved[0].text.contains("Bo Hansen"), "{}", moved[0].text);
    let invite = moved[0].ics.as_deref().expect("an updated invite");
    assert!(invite.contains(&format!("UID:visit-{id}@helpmatch")));
    assert!(invite.contains("SEQUENCE:1"), "{invite}");
    assert_eq!(
        mails_to(&app, "visit_cancelled", "anna@example.dk").len(),
        1
    );
    assert_eq!(mails_to(&app, "visit_booked", "bo@example.dk").len(), 1);
    assert_eq!(recipients(&app, "visit_taken"), vec!["sara@example.dk"]);
    assert_eq!(
        balance(&app, &w).await,
        (420, 60, 0),
        "reserved once, still"
    );

    assert_problem(accept(&app, &w.bo_token, id).await, 409).await;
    assert_problem(accept(&app, &w.sara_token, id).await, 409).await;
    assert!(offered(&app, &w.sara_token).await.is_empty());
    assert_eq!(
        round_in(&app, 14),
        OfferRound::default(),
        "a taken visit is not offered"
    );
}

async fn only_an_active_helper_of_the_branch_takes_an_open_visit(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 30).await;
    let karen = app
        .client_token(&w.t.admin, w.t.client, "karen@example.dk")
        .await;
    let other_branch = app.create_branch(&w.t.admin, "Odense").await;
    let (_, stranger) = app
        .activate_helper(&w.t.admin, other_branch, "far@example.dk")
        .await;
    assert_problem(accept(&app, &w.bo_token, id).await, 409).await;
    assert_eq!(
        open(&app, &w.t.helper_token, id).await.status().as_u16(),
        200
    );

    assert_problem(accept(&app, &karen, id).await, 403).await;
    assert_problem(accept(&app, &w.leader, id).await, 403).await;
    assert_problem(accept(&app, &stranger, id).await, 404).await;
    assert_problem(accept(&app, &w.t.helper_token, id).await, 409).await;
    assert_problem(accept(&app, &w.bo_token, 999_999).await, 404).await;
    let paused = app
        .transition(&w.leader, w.bo, json!({"to": "paused"}))
        .await;
    assert_eq!(paused.status().as_u16(), 200);
    assert_problem(accept(&app, &w.bo_token, id).await, 403).await;
    assert_problem(
        app.call(Method::GET, "/api/v1/me/open-visits", Some(&karen), None)
            .await,
        403,
    )
    .await;

    let seen = visit(&app, &w.t.admin, id).await;
    assert_eq!(
        (seen["helper_id"].clone(), seen["cover"].clone()),
        (json!(w.t.helper), json!("open"))
    );
    assert!(recipients(&app, "visit_taken").is_empty());
}

async fn twenty_helpers_accepting_at_once_one_takes_it(backend: TestBackend) {
    // Enough workers and connections for the accepts to really run side by side.
    let app = crate::support::spawn_app_with(backend, |s| {
        s.database.max_connections = 8;
        s.server.workers = 4;
    })
    .await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 30).await;
    let mut tokens = vec![];
    for n in 0..20 {
        let (_, token) = app
            .activate_helper(&w.t.admin, w.t.branch, &format!("h{n}@example.dk"))
            .await;
        tokens.push(token);
    }
    assert_eq!(
        open(&app, &w.t.helper_token, id).await.status().as_u16(),
        200
    );

    let answers = futures::future::join_all(tokens.iter().map(|t| accept(&app, t, id))).await;

    let codes: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 19, "{codes:?}");
    let seen = visit(&app, &w.t.admin, id).await;
    assert_eq!(seen["cover"], "covered");
    assert_eq!(seen["sequence"], 1, "changed once");
    assert_eq!(balance(&app, &w).await, (420, 60, 0));
    let winner = recipients(&app, "visit_booked")
        .into_iter()
        .filter(|to| to.starts_with('h'))
        .collect::<Vec<_>>();
    assert_eq!(
        winner.len(),
        1,
        "only the one who took it is booked: {winner:?}"
    );
    assert_eq!(
        recipients(&app, "visit_taken").len(),
        21,
        "Bo, Sara and the nineteen others who were offered it"
    );
}

on_both_backends!(
    the_first_accept_takes_the_visit_and_everyone_concerned_hears_it,
    only_an_active_helper_of_the_branch_takes_an_open_visit,
    twenty_helpers_accepting_at_once_one_takes_it,
);
