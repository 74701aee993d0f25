//! clients: page and forms.

use super::*;

async fn the_client_page_shows_team_balance_relatives_and_visits(backend: TestBackend) {
    let (b, leader) = setting(backend).await;
    let relative = json!({"name": "Lene Nielsen", "email": "lene@example.dk", "relation": "datter",
        "can_view": true, "can_book": true, "can_pay": false, "consent_given_on": "2026-11-20"});
    b.app
        .post_ok(
            &format!("/api/v1/clients/{}/relatives", b.client),
            Some(&leader),
            relative,
            201,
        )
        .await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;

    let page = user
        .get(&format!(
            "/console/branches/{}/clients/{}",
            b.branch, b.client
        ))
        .await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    page.assert_shows("<h1 id=\"client-name\">Karen Nielsen</h1>");
    page.assert_shows("Vestergade 1, 8000 Aarhus C");
    page.assert_shows("Cat called Mis; key in the box");
    page.assert_shows("<dd id=\"needs\">IT, indkøb</dd>");
    let team: Value = b
        .app
        .get_ok(&format!("/api/v1/clients/{}/helpers", b.client), &leader)
        .await;
    let since = &team[0]["since"].as_str().unwrap()[..10];
    page.assert_shows(&format!(
        "<li data-helper-id=\"{}\">Anna Jensen – siden {since}</li>",
        b.helper
    ));
    page.assert_shows("Hjælpere (1/2)");
    page.assert_shows("id=\"short-notice\"");
    // 480 bought, 90 held by the booked visit.
    page.assert_shows("data-available-minutes=\"390\"");
    page.assert_shows("6 t 30 min");
    let relatives = &page.html[page.html.find("id=\"relatives\"").unwrap()..];
    let relatives = &relatives[..relatives.find("</table>").unwrap()];
    assert!(relatives.contains("Lene Nielsen"), "{relatives}");
    assert!(relatives.contains(">se</span>") && relatives.contains(">booke</span>"));
    assert!(!relatives.contains(">betale</span>"), "no right to pay");
    let upcoming = &page.html[page.html.find("id=\"upcoming\"").unwrap()..];
    assert!(
        upcoming[..upcoming.find("</table>").unwrap()].contains(&format!(
            "href=\"/console/branches/{}/visits/{}\"",
            b.branch, b.visit
        ))
    );
    page.assert_shows("<tr data-kind=\"purchase\">");
    page.assert_shows("<tr data-kind=\"reserve\">");
}

async fn creating_a_client_with_bad_input_shows_the_messages_and_stores_nothing(
    backend: TestBackend,
) {
    let (b, leader) = setting(backend).await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;
    let new = format!("/console/branches/{}/clients/new", b.branch);
    let before = client_count(&b, &leader).await;

    let not_a_number = user
        .submit(
            &new,
            &new,
            &[
                ("name", "Ole Olsen"),
                ("address", "Nørregade 2"),
                ("lat", "north"),
                ("lon", "10.2"),
                ("languages", "da"),
                ("wanted", "2"),
                ("source", "relative"),
            ],
        )
        .await;
    assert_eq!(not_a_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    not_a_number.assert_shows("Breddegrad: must be a number");
    not_a_number.assert_shows("value=\"Ole Olsen\"");
    let refused = user
        .submit(
            &new,
            &new,
            &[
                ("name", " "),
                ("address", "Nørregade 2"),
                ("lat", "56.15"),
                ("lon", "10.2"),
                ("needs", "cleaning"),
                ("needs", "flying"),
                ("languages", "da"),
                ("wanted", "2"),
                ("source", "relative"),
                ("care_notes", "ring twice"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    refused.assert_shows("id=\"form-error\"");
    refused.assert_shows("<li>Navn:");
    refused.assert_shows("<li>Behov:");
    refused.assert_shows("value=\"Nørregade 2\"");
    refused.assert_shows(">ring twice</textarea>");
    refused.assert_shows(
        "id=\"need-cleaning\" name=\"needs\" type=\"checkbox\" value=\"cleaning\" checked",
    );
    assert_eq!(client_count(&b, &leader).await, before);

    let created = user
        .submit(
            &new,
            &new,
            &[
                ("name", "Ole Olsen"),
                ("address", "Nørregade 2"),
                ("lat", "56,15"),
                ("lon", "10.2"),
                ("needs", "cleaning"),
                ("needs", "gardening"),
                ("languages", "da, en"),
                ("wanted", "3"),
                ("source", "relative"),
                ("municipal_home_care", "true"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let location = created.location.unwrap();
    assert!(location.ends_with("?done=created"), "{location}");
    let id: i64 = location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let stored = b
        .app
        .get_ok(&format!("/api/v1/clients/{id}"), &leader)
        .await;
    assert_eq!(stored["name"], "Ole Olsen");
    assert_eq!(stored["needs"], json!(["cleaning", "gardening"]));
    assert_eq!(stored["languages"], json!(["da", "en"]));
    assert_eq!(stored["position"]["lat"], 56.15);
    assert_eq!(stored["wanted"], 3);
    assert_eq!(stored["municipal_home_care"], true);
    assert_eq!(client_count(&b, &leader).await, before + 1);
    user.get(&location)
        .await
        .assert_shows("Borgeren er oprettet.");
}

async fn editing_a_client_saves_through_the_service_and_a_refusal_keeps_the_record(
    backend: TestBackend,
) {
    let (b, leader) = setting(backend).await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;
    let edit = format!("/console/branches/{}/clients/{}/edit", b.branch, b.client);
    let form = user.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert_eq!(
        field_value(&form.html, "name").as_deref(),
        Some("Karen Nielsen")
    );
    assert_eq!(field_value(&form.html, "lat").as_deref(), Some("56.157"));
    let fields = |name: &'static str, phone: &'static str| {
        vec![
            ("name", name),
            ("address", "Vestergade 1, 8000 Aarhus C"),
            ("phone", phone),
            ("lat", "56.157"),
            ("lon", "10.205"),
            ("needs", "it"),
            ("languages", "da"),
            ("wanted", "3"),
            ("source", "partner_organisation"),
            ("source_detail", "Ældresagen"),
            ("care_notes", "Cat called Mis"),
        ]
    };

    let refused = user
        .submit(&edit, &edit, &fields("", "+45 11 22 33 44"))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    refused.assert_shows("value=\"+45 11 22 33 44\"");
    let unchanged = b
        .app
        .get_ok(&format!("/api/v1/clients/{}", b.client), &leader)
        .await;
    assert_eq!(unchanged["wanted"], 2);

    let saved = user
        .submit(&edit, &edit, &fields("Karen Nielsen", "+45 11 22 33 44"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert!(saved.location.unwrap().ends_with("?done=saved"));
    let stored = b
        .app
        .get_ok(&format!("/api/v1/clients/{}", b.client), &leader)
        .await;
    assert_eq!(stored["wanted"], 3);
    assert_eq!(stored["needs"], json!(["it"]));
    assert_eq!(stored["care_notes"], "Cat called Mis");
    assert_ne!(stored["phone"], unchanged["phone"]);
}

crate::on_both_backends!(
    the_client_page_shows_team_balance_relatives_and_visits,
    creating_a_client_with_bad_input_shows_the_messages_and_stores_nothing,
    editing_a_client_saves_through_the_service_and_a_refusal_keeps_the_record,
);
