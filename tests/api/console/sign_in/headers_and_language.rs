//! sign in: headers and language.

use super::*;

async fn pages_carry_a_strict_content_security_policy_and_escape_what_people_typed(
    backend: TestBackend,
) {
    let (app, admin, branch) = aarhus(backend).await;
    let mut body = crate::support::fixtures::client(branch, "x@example.dk");
    body["name"] = json!("<script>alert(1)</script>");
    app.post_ok("/api/v1/clients", Some(&admin), body, 201)
        .await;
    let user = ConsoleUser::signed_in(&app, "lone@example.dk", PASSWORD).await;

    let response = user
        .client
        .get(format!("{}/console/branches/{branch}/board", app.address))
        .send()
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "the name is escaped"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "the name shows as text in the short-of-helpers list: {html}"
    );
    // No script but the service's own files.
    for (at, _) in html.match_indices("<script") {
        let tag = html[at..at + html[at..].find('>').unwrap()].replace("&#x2f;", "/");
        assert!(tag.contains("src=\"/console/static/"), "{tag}");
    }
    let htmx = app.get("/console/static/htmx-2.0.11.min.js").await;
    assert_eq!(htmx.status(), 200);
    assert!(htmx.text().await.unwrap().contains("htmx"));
}

async fn the_language_follows_the_browser_and_the_switch_sticks(backend: TestBackend) {
    let (app, _, branch) = aarhus(backend).await;
    let board = format!("/console/branches/{branch}/board");
    let english = ConsoleUser::new(&app, "en-GB,en;q=0.9");
    english.sign_in("lone@example.dk", PASSWORD).await;
    let page = english.get(&board).await;
    page.assert_shows("<html lang=\"en\">");
    page.assert_shows("Week board");

    let switched = english
        .get(&format!(
            "/console/language?to=da&back={}",
            urlencode(&board)
        ))
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location.as_deref(), Some(board.as_str()));
    let page = english.get(&board).await;
    page.assert_shows("<html lang=\"da\">");
    page.assert_shows("Ugeoversigt");
    // Nowhere but the console: a switch cannot send the browser to another site.
    let elsewhere = english
        .get("/console/language?to=en&back=https%3A%2F%2Fevil.example")
        .await;
    assert_eq!(elsewhere.location.as_deref(), Some("/console/"));
    let unknown = english.get("/console/language?to=xx").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    unknown.assert_shows("<html lang=\"en\">");
    // After sign-in only console pages are a place to come back to.
    let user = ConsoleUser::new(&app, "da");
    let form = user
        .get("/console/login?next=https%3A%2F%2Fevil.example")
        .await;
    form.assert_shows("name=\"next\" value=\"&#x2f;console&#x2f;\"");
}

on_both_backends!(
    pages_carry_a_strict_content_security_policy_and_escape_what_people_typed,
    the_language_follows_the_browser_and_the_switch_sticks,
);
