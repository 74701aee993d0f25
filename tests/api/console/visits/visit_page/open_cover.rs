//! visit page: an open visit shows that it is open and why the helper cannot come (issue 15).

use super::*;

async fn an_open_visit_shows_its_cover_and_the_helpers_reason_as_text(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let covered = user.get(&page_path(&b)).await;
    assert_eq!(covered.status, StatusCode::OK);
    assert!(
        !covered.html.contains("id=\"visit-cover\""),
        "a covered visit has no badge"
    );
    assert!(!covered.html.contains("id=\"visit-open-reason\""));
    let anna = b.app.token_for("anna@example.dk", PASSWORD).await;
    b.app
        .post_ok(
            &format!("/api/v1/visits/{}/open", b.visit),
            Some(&anna),
            serde_json::json!({"reason": "Exam <b>moved</b>"}),
            200,
        )
        .await;

    let open = user.get(&page_path(&b)).await;

    assert_eq!(open.status, StatusCode::OK);
    assert!(open.html.contains("data-cover=\"open\""), "{}", open.html);
    open.assert_shows("åbent: tilbudt andre hjælpere");
    assert!(
        open.html.contains("Exam &lt;b&gt;moved&lt;&#x2f;b&gt;")
            || open.html.contains("Exam &lt;b&gt;moved&lt;/b&gt;"),
        "the reason, as text: {}",
        open.html
    );
    assert_eq!(api_visit(&b).await["cover"], "open");
}

on_both_backends!(an_open_visit_shows_its_cover_and_the_helpers_reason_as_text);
