//! validation: refusals.

use super::*;

async fn a_consent_date_in_the_future_is_refused_and_no_relative_is_stored(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    let relative = |consent: String| {
        json!({"name": "Mette Nielsen", "email": "mette@example.dk", "relation": "daughter",
               "can_view": true, "consent_given_on": consent, "create_account": true})
    };

    let refused = assert_problem(
        app.call(
            Method::POST,
            &format!("/api/v1/clients/{karen}/relatives"),
            Some(&admin),
            Some(relative(date_in(2))),
        )
        .await,
        422,
    )
    .await;

    assert_eq!(fields(&refused), ["consent_given_on"], "{refused}");
    let shown = app
        .get_ok(&format!("/api/v1/clients/{karen}"), &admin)
        .await;
    assert_eq!(shown["relatives"], json!([]), "no relative was stored");
    let mails = app.get_ok("/api/v1/outbox", &admin).await;
    assert!(
        mails["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["recipient"] != "mette@example.dk"),
        "no invitation was mailed: {mails}"
    );
    // Consent given today has happened: the same relative is accepted.
    app.post_ok(
        &format!("/api/v1/clients/{karen}/relatives"),
        Some(&admin),
        relative(date_in(0)),
        201,
    )
    .await;
}

async fn a_criminal_record_check_dated_in_the_future_is_refused_and_the_helper_stays(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let helper = app.apply(branch, "anna@example.dk").await["helper_id"]
        .as_i64()
        .unwrap();
    for to in ["screened", "interview_1", "interview_2"] {
        assert_eq!(
            app.transition(&admin, helper, json!({"to": to}))
                .await
                .status(),
            200
        );
    }

    let refused = assert_problem(
        app.transition(
            &admin,
            helper,
            json!({"to": "interview_3", "criminal_record": {"checked_on": date_in(3), "outcome": "clear"}}),
        )
        .await,
        422,
    )
    .await;

    assert_eq!(
        fields(&refused),
        ["criminal_record.checked_on"],
        "{refused}"
    );
    let shown = app
        .get_ok(&format!("/api/v1/helpers/{helper}"), &admin)
        .await;
    assert_eq!(shown["status"], "interview_2");
    assert_eq!(shown["criminal_record_checked_on"], Value::Null);
}

async fn a_danish_branch_with_oslo_time_and_kroner_is_refused_naming_both(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;

    let refused = assert_problem(
        app.call(
            Method::POST,
            "/api/v1/branches",
            Some(&admin),
            Some(branch("Aarhus", "DK", "Europe/Oslo", "NOK")),
        )
        .await,
        422,
    )
    .await;

    let named = fields(&refused);
    assert!(named.contains(&"time_zone".to_string()), "{refused}");
    assert!(named.contains(&"currency".to_string()), "{refused}");
    assert!(!named.contains(&"country".to_string()), "{refused}");
    assert_eq!(
        app.get_ok("/api/v1/branches", &admin).await["items"],
        json!([])
    );
}

async fn a_norwegian_branch_with_oslo_time_and_kroner_is_created(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;

    let created = app
        .post_ok(
            "/api/v1/branches",
            Some(&admin),
            branch("Oslo", "NO", "Europe/Oslo", "NOK"),
            201,
        )
        .await;

    let shown = app
        .get_ok(&format!("/api/v1/branches/{}", created["id"]), &admin)
        .await;
    assert_eq!(shown["country"], "NO");
    assert_eq!(shown["time_zone"], "Europe/Oslo");
    assert_eq!(shown["currency"], "NOK");
}

async fn a_patch_is_judged_against_the_whole_branch_it_would_leave(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let aarhus = app.create_branch(&admin, "Aarhus").await;
    let path = format!("/api/v1/branches/{aarhus}");

    let currency = assert_problem(
        app.call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"currency": "NOK"})),
        )
        .await,
        422,
    )
    .await;
    let country = assert_problem(
        app.call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"country": "NO"})),
        )
        .await,
        422,
    )
    .await;

    assert_eq!(fields(&currency), ["currency"], "{currency}");
    assert_eq!(fields(&country), ["time_zone", "currency"], "{country}");
    let shown = app.get_ok(&path, &admin).await;
    assert_eq!(
        (&shown["country"], &shown["currency"]),
        (&json!("DK"), &json!("DKK"))
    );
    // Moving the whole branch to Norway at once fits.
    let moved = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"country": "NO", "time_zone": "Europe/Oslo", "currency": "NOK"})),
        )
        .await;
    assert_eq!(moved.status(), 200);
}

async fn a_branch_in_a_country_without_branches_is_refused(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;

    let refused = assert_problem(
        app.call(
            Method::POST,
            "/api/v1/branches",
            Some(&admin),
            Some(branch("Malmö", "SE", "Europe/Stockholm", "SEK")),
        )
        .await,
        422,
    )
    .await;

    assert_eq!(fields(&refused), ["country"], "{refused}");
    assert_eq!(
        app.get_ok("/api/v1/branches", &admin).await["items"],
        json!([])
    );
}

async fn a_body_with_two_type_errors_names_both_fields(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut body = client(branch, "karen@example.dk");
    body["wanted"] = json!("two");
    body["position"] = json!("here");

    let client_problem = assert_problem(
        app.call(Method::POST, "/api/v1/clients", Some(&admin), Some(body))
            .await,
        422,
    )
    .await;
    let visit_problem = assert_problem(
        app.call(
            Method::POST,
            "/api/v1/visits",
            Some(&admin),
            Some(json!({"client_id": "x", "helper_id": 1, "starts_at": "2027-01-12T10:00:00+01:00", "segments": 5})),
        )
        .await,
        422,
    )
    .await;

    let mut named = fields(&client_problem);
    named.sort();
    assert_eq!(named, ["position", "wanted"], "{client_problem}");
    let mut named = fields(&visit_problem);
    named.sort();
    assert_eq!(named, ["client_id", "segments"], "{visit_problem}");
    assert!(
        !client_problem.to_string().contains("__Impl"),
        "messages name the types callers know: {client_problem}"
    );
    assert_eq!(
        app.get_ok("/api/v1/clients", &admin).await["items"],
        json!([])
    );
}

async fn unknown_query_parameters_are_refused_on_every_list_naming_each(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    let lists = [
        "/api/v1/clients".to_string(),
        "/api/v1/helpers".to_string(),
        "/api/v1/branches".to_string(),
        "/api/v1/assignments".to_string(),
        "/api/v1/audit".to_string(),
        "/api/v1/outbox".to_string(),
        "/api/v1/users".to_string(),
        "/api/v1/visits".to_string(),
        format!("/api/v1/clients/{karen}/ledger"),
        format!("/api/v1/clients/{karen}/clip-cards"),
    ];

    let doc = app.get_ok("/api/v1/openapi.json", &admin).await;
    for list in &lists {
        // Documented, so clients generated from the document expect it.
        let documented = list.replace(&format!("/{karen}/"), "/{id}/");
        assert!(
            doc["paths"][&documented]["get"]["responses"]["400"].is_object(),
            "GET {documented} documents its 400"
        );
        // A known parameter is read; only the unknown ones are refused.
        app.get_ok(&format!("{list}?limit=5"), &admin).await;
        let problem = assert_problem(
            app.call(
                Method::GET,
                &format!("{list}?limit=5&colour=red&sort=name"),
                Some(&admin),
                None,
            )
            .await,
            400,
        )
        .await;
        assert_eq!(fields(&problem), ["colour", "sort"], "{list}: {problem}");
    }
}

async fn the_client_search_finds_names_in_any_case(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    named_client(&app, &admin, branch, "Ib Hansen", "municipality").await;
    named_client(&app, &admin, branch, "Karen Nielsen", "municipality").await;

    let lower = names(&app, "/api/v1/clients?q=ib", &admin).await;
    let upper = names(&app, "/api/v1/clients?q=IB", &admin).await;

    assert_eq!(lower, ["Ib Hansen"]);
    assert_eq!(upper, ["Ib Hansen"]);
    assert_eq!(
        names(&app, "/api/v1/clients", &admin).await.len(),
        2,
        "without q everyone is listed"
    );
}

async fn the_client_search_folds_danish_letters(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    named_client(&app, &admin, branch, "Hans Christian Ørsted", "outreach").await;
    named_client(&app, &admin, branch, "Karen Nielsen", "outreach").await;

    let lower = names(&app, "/api/v1/clients?q=ørsted", &admin).await;
    let upper = names(&app, "/api/v1/clients?q=%C3%98RSTED", &admin).await;

    assert_eq!(lower, ["Hans Christian Ørsted"]);
    assert_eq!(upper, ["Hans Christian Ørsted"]);
}

async fn wildcards_in_the_client_search_match_only_themselves(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    named_client(&app, &admin, branch, "Ib Hansen", "outreach").await;
    named_client(&app, &admin, branch, "Karen Nielsen", "outreach").await;

    let percent = names(&app, "/api/v1/clients?q=%25", &admin).await;
    let underscore = names(&app, "/api/v1/clients?q=_", &admin).await;
    let backslash = names(&app, "/api/v1/clients?q=%5C", &admin).await;

    assert_eq!(percent, Vec::<String>::new(), "nobody's name has a %");
    assert_eq!(underscore, Vec::<String>::new(), "nobody's name has a _");
    assert_eq!(backslash, Vec::<String>::new(), "nobody's name has a \\");
    named_client(&app, &admin, branch, "Hansen_100%", "outreach").await;
    assert_eq!(
        names(&app, "/api/v1/clients?q=n_100%25", &admin).await,
        ["Hansen_100%"]
    );
}

async fn clients_are_filtered_by_source(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    named_client(&app, &admin, branch, "Ib Hansen", "municipality").await;
    named_client(
        &app,
        &admin,
        branch,
        "Karen Nielsen",
        "partner_organisation",
    )
    .await;

    let municipal = names(&app, "/api/v1/clients?source=municipality", &admin).await;
    let partners = names(&app, "/api/v1/clients?source=partner_organisation", &admin).await;
    let bad = assert_problem(
        app.call(
            Method::GET,
            "/api/v1/clients?source=newspaper",
            Some(&admin),
            None,
        )
        .await,
        422,
    )
    .await;

    assert_eq!(municipal, ["Ib Hansen"]);
    assert_eq!(partners, ["Karen Nielsen"]);
    assert_eq!(fields(&bad), ["source"], "{bad}");
}

on_both_backends!(
    a_consent_date_in_the_future_is_refused_and_no_relative_is_stored,
    a_criminal_record_check_dated_in_the_future_is_refused_and_the_helper_stays,
    a_danish_branch_with_oslo_time_and_kroner_is_refused_naming_both,
    a_norwegian_branch_with_oslo_time_and_kroner_is_created,
    a_patch_is_judged_against_the_whole_branch_it_would_leave,
    a_branch_in_a_country_without_branches_is_refused,
    a_body_with_two_type_errors_names_both_fields,
    unknown_query_parameters_are_refused_on_every_list_naming_each,
    the_client_search_finds_names_in_any_case,
    the_client_search_folds_danish_letters,
    wildcards_in_the_client_search_match_only_themselves,
    clients_are_filtered_by_source,
);
