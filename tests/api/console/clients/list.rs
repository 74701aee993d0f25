//! The client list: search and filters, pages that keep them, and an audit entry for each
//! client shown (and only those).

use reqwest::StatusCode;
use serde_json::json;

use super::{LEADER, another_client, list, setting};
use crate::on_both_backends;
use crate::support::TestBackend;
use crate::support::console::ConsoleUser;
use crate::support::fixtures::PASSWORD;

fn names_in(html: &str) -> Vec<&str> {
    let table = &html[html.find("id=\"client-list\"").expect("the list")..];
    table
        .match_indices("<td><a href=\"/console/branches/")
        .filter_map(|(at, _)| {
            let rest = &table[at..];
            let start = rest.find("\">")? + 2;
            let end = rest.find("</a>")?;
            Some(&rest[start..end])
        })
        .collect()
}

async fn the_list_searches_by_name_and_filters_by_team_hours_and_source(backend: TestBackend) {
    let (b, leader) = setting(backend).await;
    // Ib: from the municipality, no helpers, no hours. Jens: a full team, no hours.
    let ib = another_client(
        &b,
        &leader,
        json!({"name": "Ib Hansen", "source": "municipality", "source_detail": null}),
    )
    .await;
    let jens = another_client(&b, &leader, json!({"name": "Jens Lund"})).await;
    let (bo, _) = b
        .app
        .activate_helper(&leader, b.branch, "bo@example.dk")
        .await;
    b.app.assign(&leader, jens, b.helper).await;
    b.app.assign(&leader, jens, bo).await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;

    let all = user.get(&list(&b, "")).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.html);
    assert_eq!(
        names_in(&all.html),
        ["Ib Hansen", "Jens Lund", "Karen Nielsen"]
    );
    all.assert_shows(&format!("/console/branches/{}/clients/{ib}\"", b.branch));
    let cases = [
        ("?q=ib", vec!["Ib Hansen"]),
        ("?q=KAR", vec!["Karen Nielsen"]),
        ("?source=municipality", vec!["Ib Hansen"]),
        ("?short=true", vec!["Ib Hansen", "Karen Nielsen"]),
        ("?low=true", vec!["Ib Hansen", "Jens Lund"]),
        ("?q=&source=&short=true&low=true", vec!["Ib Hansen"]),
        ("?q=nobody", vec![]),
    ];
    for (query, expected) in cases {
        let page = user.get(&list(&b, query)).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(names_in(&page.html), expected, "{query}");
    }
    let filtered = user.get(&list(&b, "?q=ib&short=true")).await;
    filtered.assert_shows("value=\"ib\"");
    filtered.assert_shows("id=\"short\" name=\"short\" type=\"checkbox\" value=\"true\" checked");
    let bad = user.get(&list(&b, "?source=rumour")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_list_pages_by_a_hundred_and_keeps_the_search_on_every_page(backend: TestBackend) {
    let (b, leader) = setting(backend).await;
    // Karen is there already: 101 "Test" clients and Karen make two pages of the search "test".
    for n in 0..101 {
        another_client(&b, &leader, json!({"name": format!("Test {n:03}")})).await;
    }
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;

    let first = user.get(&list(&b, "?q=test")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.html);
    let names = names_in(&first.html);
    assert_eq!(names.len(), 100);
    assert_eq!(names[0], "Test 000");
    assert_eq!(names[99], "Test 099");
    first.assert_shows("Side 1 af 2 · 101 borgere");
    assert!(!first.html.contains("id=\"previous-page\""));
    first.assert_shows("clients?q=test&amp;page=2\" rel=\"next\"");

    let second = user.get(&list(&b, "?q=test&page=2")).await;
    assert_eq!(names_in(&second.html), ["Test 100"]);
    second.assert_shows("Side 2 af 2 · 101 borgere");
    second.assert_shows("clients?q=test&amp;page=1\" rel=\"prev\"");
    assert!(!second.html.contains("id=\"next-page\""));
    // Past the end is the last page; the whole branch without a search has Karen too.
    let past = user.get(&list(&b, "?q=test&page=9")).await;
    assert_eq!(names_in(&past.html), ["Test 100"]);
    let all = user.get(&list(&b, "?page=2")).await;
    assert_eq!(names_in(&all.html), ["Test 099", "Test 100"]);
    all.assert_shows("102 borgere");
    let bad = user.get(&list(&b, "?page=first")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn each_client_shown_on_the_list_is_audited_and_no_other(backend: TestBackend) {
    let (b, leader) = setting(backend).await;
    let ib = another_client(&b, &leader, json!({"name": "Ib Hansen"})).await;
    let admin = b.app.token_for("admin@example.dk", PASSWORD).await;
    let reads = |id: i64| {
        let (app, admin) = (&b.app, &admin);
        async move {
            let audit = app
                .get_ok(
                    &format!("/api/v1/audit?entity=client&entity_id={id}"),
                    admin,
                )
                .await;
            audit["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["action"] == "read")
                .cloned()
                .collect::<Vec<_>>()
        }
    };
    let (ib_before, karen_before) = (reads(ib).await.len(), reads(b.client).await.len());
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;

    let page = user.get(&list(&b, "?q=ib")).await;

    assert_eq!(names_in(&page.html), ["Ib Hansen"]);
    let ib_reads = reads(ib).await;
    assert_eq!(ib_reads.len(), ib_before + 1);
    let fields: Vec<String> =
        serde_json::from_str(ib_reads[0]["fields"].as_str().unwrap()).unwrap();
    assert_eq!(fields, ["name", "address"]);
    assert!(ib_reads[0]["actor_user_id"].is_i64());
    assert_eq!(
        reads(b.client).await.len(),
        karen_before,
        "Karen was not shown"
    );
}

on_both_backends!(
    the_list_searches_by_name_and_filters_by_team_hours_and_source,
    the_list_pages_by_a_hundred_and_keeps_the_search_on_every_page,
    each_client_shown_on_the_list_is_audited_and_no_other,
);
