//! validation: searches and shapes.

use super::*;

async fn helpers_are_searched_by_name_and_filtered_by_pipeline_status(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut ids = vec![];
    for (name, email) in [
        ("Ib Hansen", "ib@example.dk"),
        ("Ibrahim Æbelø", "ibrahim@example.dk"),
        ("Karen Nielsen", "karen@example.dk"),
    ] {
        let mut body = application(branch, email);
        body["name"] = json!(name);
        ids.push(
            app.post_ok("/api/v1/applications", None, body, 201).await["helper_id"]
                .as_i64()
                .unwrap(),
        );
    }
    // Ib and Karen reach the second interview; Ibrahim stays at applied.
    for helper in [ids[0], ids[2]] {
        for to in ["screened", "interview_1", "interview_2"] {
            assert_eq!(
                app.transition(&admin, helper, json!({"to": to}))
                    .await
                    .status(),
                200
            );
        }
    }

    let ib_at_interview = names(&app, "/api/v1/helpers?q=ib&status=interview_2", &admin).await;
    let at_interview = names(&app, "/api/v1/helpers?status=interview_2", &admin).await;
    let ib_applied = names(&app, "/api/v1/helpers?q=IB&status=applied", &admin).await;
    let folded = names(&app, "/api/v1/helpers?q=%C3%86BEL%C3%98", &admin).await;

    assert_eq!(ib_at_interview, ["Ib Hansen"]);
    assert_eq!(at_interview, ["Ib Hansen", "Karen Nielsen"]);
    assert_eq!(ib_applied, ["Ibrahim Æbelø"]);
    assert_eq!(folded, ["Ibrahim Æbelø"]);
}

async fn a_helper_status_outside_the_pipeline_is_a_422_naming_status(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;

    let squashed = assert_problem(
        app.call(
            Method::GET,
            "/api/v1/helpers?status=interview2",
            Some(&admin),
            None,
        )
        .await,
        422,
    )
    .await;
    let made_up = assert_problem(
        app.call(
            Method::GET,
            "/api/v1/helpers?status=hired",
            Some(&admin),
            None,
        )
        .await,
        422,
    )
    .await;

    assert_eq!(fields(&squashed), ["status"], "{squashed}");
    assert_eq!(fields(&made_up), ["status"], "{made_up}");
}

async fn a_client_answer_fits_exactly_one_documented_shape(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    let (helper, helper_token) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    app.assign(&admin, karen, helper).await;

    let full = app
        .get_ok(&format!("/api/v1/clients/{karen}"), &admin)
        .await;
    let for_helper = app
        .get_ok(&format!("/api/v1/clients/{karen}"), &helper_token)
        .await;

    let doc = app.get_ok("/api/v1/openapi.json", &admin).await;
    let shapes: Vec<&Value> = doc["components"]["schemas"]["ClientShown"]["oneOf"]
        .as_array()
        .expect("ClientShown is a oneOf")
        .iter()
        .map(|shape| {
            let name = shape["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
            &doc["components"]["schemas"][name]
        })
        .collect();
    assert!(for_helper.get("care_notes").is_some() && for_helper.get("email").is_none());
    for answer in [&full, &for_helper] {
        let fitting = shapes.iter().filter(|shape| fits(shape, answer)).count();
        assert_eq!(fitting, 1, "oneOf needs exactly one shape to fit {answer}");
    }
}

on_both_backends!(
    helpers_are_searched_by_name_and_filtered_by_pipeline_status,
    a_helper_status_outside_the_pipeline_is_a_422_naming_status,
    a_client_answer_fits_exactly_one_documented_shape,
);
