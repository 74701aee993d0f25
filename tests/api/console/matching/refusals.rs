//! Matching refused: a proposal the data has outrun (a helper paused, a pair made through the
//! API), a double commit, another branch's leader, and forms without their token.

use reqwest::StatusCode;
use serde_json::json;

use super::{
    DEFAULTS, commit_fields, count, matching_page, open_assignments, people, post_owned, preview,
};
use crate::on_both_backends;
use crate::support::TestBackend;
use crate::support::console::{ConsoleUser, field_value};
use crate::support::fixtures::PASSWORD;

async fn a_proposal_the_data_has_outrun_is_refused_with_the_reason_and_a_fresh_preview(
    backend: TestBackend,
) {
    let p = people(backend).await;
    let user = ConsoleUser::signed_in(&p.app, "lone@example.dk", PASSWORD).await;
    let page = preview(&user, p.branch).await;
    // Between preview and commit, Bo pauses for his exams.
    let paused = p
        .app
        .transition(
            &p.leader,
            p.helpers[1],
            json!({"to": "paused", "note": "exams"}),
        )
        .await;
    assert_eq!(paused.status(), 200);

    let refused = post_owned(
        &user,
        &format!("{}/commit", matching_page(p.branch)),
        &commit_fields(&page),
    )
    .await;

    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    refused.assert_shows("changed since this preview");
    refused.assert_shows("Afdelingens hjælpere, borgere eller par er ændret");
    refused.assert_shows(&format!(
        "<form method=\"post\" action=\"{}/preview\" id=\"fresh-preview-form\">",
        matching_page(p.branch)
    ));
    assert!(open_assignments(&p.app, &p.leader).await.is_empty());
    // The fresh preview, with the same parameters, sees two helpers only.
    let fields: Vec<(String, String)> = [
        "csrf",
        "mode",
        "max_distance_m",
        "missing_skill_penalty_m",
        "change_penalty_m",
    ]
    .into_iter()
    .map(|n| (n.to_string(), field_value(&refused.html, n).unwrap()))
    .collect();
    let fresh = post_owned(
        &user,
        &format!("{}/preview", matching_page(p.branch)),
        &fields,
    )
    .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.html);
    assert_eq!(
        count(&fresh.html, "<circle class=\"helper\" data-helper-id="),
        2
    );
    // A pair made through the API meanwhile outdates a proposal too; a second click on a
    // committed proposal is refused and commits nothing twice.
    p.app.assign(&p.leader, p.clients[0], p.helpers[0]).await;
    let outrun = post_owned(
        &user,
        &format!("{}/commit", matching_page(p.branch)),
        &commit_fields(&fresh),
    )
    .await;
    assert_eq!(outrun.status, StatusCode::CONFLICT);
    assert_eq!(open_assignments(&p.app, &p.leader).await.len(), 1);
    let current = preview(&user, p.branch).await;
    let fields = commit_fields(&current);
    let path = format!("{}/commit", matching_page(p.branch));
    assert_eq!(
        post_owned(&user, &path, &fields).await.status,
        StatusCode::SEE_OTHER
    );
    let after = open_assignments(&p.app, &p.leader).await.len();
    let twice = post_owned(&user, &path, &fields).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    twice.assert_shows("already committed");
    assert_eq!(open_assignments(&p.app, &p.leader).await.len(), after);
}

async fn another_branchs_leader_gets_404_and_a_form_without_its_token_403(backend: TestBackend) {
    let p = people(backend).await;
    let other = p.app.create_branch(&p.admin, "Aalborg").await;
    p.app
        .leader_token(&p.admin, other, "other@example.dk")
        .await;
    let lone = ConsoleUser::signed_in(&p.app, "lone@example.dk", PASSWORD).await;
    let page = preview(&lone, p.branch).await;
    let fields = commit_fields(&page);
    let commit = format!("{}/commit", matching_page(p.branch));

    let stranger = ConsoleUser::signed_in(&p.app, "other@example.dk", PASSWORD).await;
    assert_eq!(
        stranger.get(&matching_page(p.branch)).await.status,
        StatusCode::NOT_FOUND
    );
    let own = stranger.get(&matching_page(other)).await;
    assert_eq!(own.status, StatusCode::OK);
    let mut theirs = fields.clone();
    theirs[0].1 = own.csrf();
    assert_eq!(
        post_owned(&stranger, &commit, &theirs).await.status,
        StatusCode::NOT_FOUND
    );
    let preview_path = format!("{}/preview", matching_page(p.branch));
    assert_eq!(
        post_owned(&stranger, &preview_path, &theirs[..1])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let no_token = post_owned(&lone, &commit, &fields[1..]).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let forged: Vec<(String, String)> = std::iter::once(("csrf".to_string(), "forged".to_string()))
        .chain(fields[1..].iter().cloned())
        .collect();
    assert_eq!(
        post_owned(&lone, &commit, &forged).await.status,
        StatusCode::FORBIDDEN
    );
    let no_token_preview = lone.post(&preview_path, &DEFAULTS).await;
    assert_eq!(no_token_preview.status, StatusCode::FORBIDDEN);
    assert!(open_assignments(&p.app, &p.leader).await.is_empty());
}

on_both_backends!(
    a_proposal_the_data_has_outrun_is_refused_with_the_reason_and_a_fresh_preview,
    another_branchs_leader_gets_404_and_a_form_without_its_token_403,
);
