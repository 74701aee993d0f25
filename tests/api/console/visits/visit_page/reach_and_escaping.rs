//! visit page: reach and escaping.

use super::*;

async fn another_branchs_leader_gets_404_and_a_post_without_csrf_is_refused(backend: TestBackend) {
    let b = booked(backend).await;
    let admin = b.app.token_for("admin@example.dk", PASSWORD).await;
    let odense = b.app.create_branch(&admin, "Odense").await;
    b.app.leader_token(&admin, odense, "ole@example.dk").await;
    let stranger = ConsoleUser::signed_in(&b.app, "ole@example.dk", PASSWORD).await;
    let own = stranger
        .get(&format!("/console/branches/{odense}/board"))
        .await;
    let csrf = own.csrf();
    let before = stored(&b).await;

    let there = stranger.get(&page_path(&b)).await;
    let via_own = stranger
        .get(&format!("/console/branches/{odense}/visits/{}", b.visit))
        .await;
    let mut posts = vec![];
    for (action, fields) in [
        ("cancel", vec![("confirm_late", "1")]),
        ("no-show", vec![]),
        ("helper", vec![("helper_id", "1")]),
        (
            "reschedule",
            vec![("date", "2030-01-01"), ("time", "10:00")],
        ),
    ] {
        for branch in [b.branch, odense] {
            let mut all = vec![("csrf", csrf.as_str())];
            all.extend(fields.iter().copied());
            let path = format!("/console/branches/{branch}/visits/{}/{action}", b.visit);
            posts.push((path.clone(), stranger.post(&path, &all).await.status));
        }
    }
    let leader = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let without_token = leader
        .post(
            &format!("{}/cancel", page_path(&b)),
            &[("confirm_late", "1")],
        )
        .await;

    assert_eq!(there.status, StatusCode::NOT_FOUND);
    assert_eq!(via_own.status, StatusCode::NOT_FOUND);
    for (path, status) in posts {
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(without_token.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&b).await, before, "nothing changed");
}

async fn names_typed_by_people_are_shown_as_text(backend: TestBackend) {
    let b = booked(backend).await;
    let leader = leader_token(&b).await;
    let renamed = b
        .app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/clients/{}", b.client),
            Some(&leader),
            Some(serde_json::json!({"name": "<script>alert(1)</script>"})),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;

    let visit = user.get(&page_path(&b)).await;
    let form = user
        .get(&format!(
            "/console/branches/{}/visits/new?helper={}&date={}",
            b.branch, b.helper, b.tuesday
        ))
        .await;
    // The board's grid is written in Rust, not by the template engine: it escapes the same.
    let board = user
        .get(&format!(
            "/console/branches/{}/board?week={}",
            b.branch, b.tuesday
        ))
        .await;
    board.assert_shows(&format!("data-visit-id=\"{}\"", b.visit));

    for page in [visit, form, board] {
        assert_eq!(page.status, StatusCode::OK);
        page.assert_shows("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;");
        assert!(!page.html.contains("<script>alert"), "{}", page.html);
    }
}

on_both_backends!(
    another_branchs_leader_gets_404_and_a_post_without_csrf_is_refused,
    names_typed_by_people_are_shown_as_text,
);
