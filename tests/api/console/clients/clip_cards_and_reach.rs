//! clients: clip cards and reach.

use super::*;

async fn a_clip_card_bought_on_the_clients_behalf_is_bought_once_when_the_form_is_sent_twice(
    backend: TestBackend,
) {
    let (b, leader) = setting(backend).await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;
    let buy = format!(
        "/console/branches/{}/clients/{}/clip-cards",
        b.branch, b.client
    );
    let balance = || async {
        b.app
            .get_ok(&format!("/api/v1/clients/{}/balance", b.client), &leader)
            .await["purchased_minutes"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(balance().await, 480);
    let form = user.get(&buy).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    form.assert_shows("Klippekort, 8 timer – 1.560,00 DKK");
    let (csrf, form_id) = (form.csrf(), field_value(&form.html, "form_id").unwrap());
    let fields = [
        ("csrf", csrf.as_str()),
        ("form_id", form_id.as_str()),
        ("product", "clip_card_8h"),
        ("payment_reference", "INV-77"),
    ];

    let first = user.post(&buy, &fields).await;
    let again = user.post(&buy, &fields).await;

    for answer in [&first, &again] {
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.html);
        assert!(
            answer
                .location
                .as_deref()
                .unwrap()
                .ends_with("?done=bought")
        );
    }
    assert_eq!(balance().await, 960, "one card, not two");
    let cards = b
        .app
        .get_ok(&format!("/api/v1/clients/{}/clip-cards", b.client), &leader)
        .await;
    let cards = cards["items"].as_array().unwrap();
    assert_eq!(cards.len(), 2);
    assert_eq!(cards[1]["payment_method"], "invoice");
    assert_eq!(cards[1]["payment_reference"], "INV-77");
    // The same form id for another purchase is refused; a fresh form buys again.
    let other = user
        .post(
            &buy,
            &[
                ("csrf", csrf.as_str()),
                ("form_id", form_id.as_str()),
                ("product", "single_hour"),
                ("payment_reference", "INV-78"),
            ],
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        other.html
    );
    other.assert_shows("id=\"buy-error\"");
    let fresh = user
        .submit(
            &buy,
            &buy,
            &[("form_id", "a-new-form"), ("product", "single_hour")],
        )
        .await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER, "{}", fresh.html);
    assert_eq!(balance().await, 1020);
    let unknown = user
        .submit(
            &buy,
            &buy,
            &[("form_id", "yet-another"), ("product", "gold_card")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(balance().await, 1020);
    let no_token = user
        .post(&buy, &[("form_id", "third"), ("product", "single_hour")])
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert_eq!(balance().await, 1020);
}

async fn a_client_named_like_a_script_is_shown_as_text(backend: TestBackend) {
    let (b, leader) = setting(backend).await;
    let id = another_client(&b, &leader, json!({"name": "<script>alert(1)</script>"})).await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;

    let on_list = user.get(&list(&b, "")).await;
    let on_page = user
        .get(&format!("/console/branches/{}/clients/{id}", b.branch))
        .await;
    let on_edit = user
        .get(&format!("/console/branches/{}/clients/{id}/edit", b.branch))
        .await;

    for page in [&on_list, &on_page, &on_edit] {
        assert_eq!(page.status, StatusCode::OK);
        page.assert_shows("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;");
        assert!(!page.html.contains("<script>alert(1)"), "{}", page.html);
    }
}

async fn a_leader_of_another_branch_gets_404_for_client_pages_and_posts(backend: TestBackend) {
    let (b, leader) = setting(backend).await;
    let olga = ConsoleUser::signed_in(&b.app, "olga@example.dk", PASSWORD).await;
    let own = olga.get("/console/branches").await;
    let csrf = match own.location.as_deref() {
        Some(board) => olga.get(board).await.csrf(),
        None => own.csrf(),
    };
    let base = format!("/console/branches/{}/clients", b.branch);
    let client_page = format!("{base}/{}", b.client);

    for path in [
        base.clone(),
        client_page.clone(),
        format!("{client_page}/edit"),
        format!("{client_page}/clip-cards"),
        format!("{base}/new"),
    ] {
        let page = olga.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.html.contains("Karen Nielsen"), "{path}");
    }
    let edit = olga
        .post(
            &format!("{client_page}/edit"),
            &[
                ("csrf", &csrf),
                ("name", "Taken Over"),
                ("address", "x"),
                ("lat", "56"),
                ("lon", "10"),
                ("languages", "da"),
                ("wanted", "2"),
                ("source", "relative"),
            ],
        )
        .await;
    let bought = olga
        .post(
            &format!("{client_page}/clip-cards"),
            &[
                ("csrf", &csrf),
                ("form_id", "f1"),
                ("product", "clip_card_8h"),
                ("payment_reference", ""),
            ],
        )
        .await;
    let created = olga
        .post(
            &format!("{base}/new"),
            &[
                ("csrf", &csrf),
                ("name", "Sneaky"),
                ("address", "x"),
                ("lat", "56"),
                ("lon", "10"),
                ("languages", "da"),
                ("wanted", "2"),
                ("source", "relative"),
            ],
        )
        .await;
    for answer in [&edit, &bought, &created] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.html);
    }
    let karen = b
        .app
        .get_ok(&format!("/api/v1/clients/{}", b.client), &leader)
        .await;
    assert_eq!(karen["name"], "Karen Nielsen");
    let balance = b
        .app
        .get_ok(&format!("/api/v1/clients/{}/balance", b.client), &leader)
        .await;
    assert_eq!(balance["purchased_minutes"], 480);
    assert_eq!(client_count(&b, &leader).await, 1);
}

crate::on_both_backends!(
    a_clip_card_bought_on_the_clients_behalf_is_bought_once_when_the_form_is_sent_twice,
    a_client_named_like_a_script_is_shown_as_text,
    a_leader_of_another_branch_gets_404_for_client_pages_and_posts,
);
