//! Booked visits no longer outlive what makes them possible (issue 12): when a helper pauses,
//! leaves, loses the pair, has an exception or narrows their hours, their booked visits are
//! marked, listed for the branch, and the family and the branch leaders are told once; the cause
//! going away or a new helper clears it; such a visit is free to cancel and no no-show; and a
//! substitute booked on a visit sees the client for as long as the visit needs it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::on_both_backends;
use crate::visit_edges::{
    Team, act, home, mails_to, named_client, named_helper, relative, reschedule, starts_in_hours,
    team, visit, written,
};

/// The team of `visit_edges::team` plus what the attention rules touch: a branch leader, a second
/// team helper (Bo), a helper outside the team (Sara), and Karen's relatives Mette (sees visits)
/// and Ole (only pays).
struct World {
    t: Team,
    leader: String,
    bo: i64,
    sara: i64,
    sara_token: String,
}

const LEADER: &str = "leader@example.dk";

async fn world(app: &TestApp) -> World {
    let t = team(app).await;
    let leader = app.leader_token(&t.admin, t.branch, LEADER).await;
    let (bo, _) = named_helper(app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    app.assign(&t.admin, t.client, bo).await;
    let (sara, sara_token) =
        named_helper(app, &t.admin, t.branch, "Sara Holm", "sara@example.dk").await;
    let mette = ("Mette Nielsen", "mette@example.dk");
    relative(app, &t.admin, t.client, mette, (true, true, false), false).await;
    let ole = ("Ole Nielsen", "ole@example.dk");
    relative(app, &t.admin, t.client, ole, (false, false, true), false).await;
    World {
        t,
        leader,
        bo,
        sara,
        sara_token,
    }
}

async fn book(app: &TestApp, token: &str, client: i64, helper: i64, start: &str) -> i64 {
    app.book_id(token, client, helper, start, 60).await
}

async fn book_substitute(app: &TestApp, admin: &str, client: i64, helper: i64, start: &str) -> i64 {
    let body = json!({"client_id": client, "helper_id": helper, "starts_at": start,
                      "segments": [{"task": "companionship", "minutes": 60}], "substitute": true});
    app.post_ok("/api/v1/visits", Some(admin), body, 201).await["visits"][0]["id"]
        .as_i64()
        .expect("visit id")
}

/// Moves a helper in the pipeline, expecting 200; returns the transition answer.
async fn move_helper(app: &TestApp, token: &str, helper: i64, to: &str) -> Value {
    let response = app.transition(token, helper, json!({ "to": to })).await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "{to}: {body}");
    body
}

/// Ids of the visits listed by `GET /api/v1/visits?needs_attention=…`, in start order.
async fn listed(app: &TestApp, token: &str, needs_attention: bool) -> Vec<i64> {
    app.get_ok(
        &format!("/api/v1/visits?needs_attention={needs_attention}"),
        token,
    )
    .await["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["id"].as_i64().expect("id"))
        .collect()
}

async fn attention(app: &TestApp, token: &str, id: i64) -> Value {
    visit(app, token, id).await["attention"].clone()
}

/// `POST /api/v1/visits/{id}/cancel`, expecting 200.
async fn cancel(app: &TestApp, token: &str, id: i64) -> Value {
    app.post_ok(
        &format!("/api/v1/visits/{id}/cancel"),
        Some(token),
        json!({}),
        200,
    )
    .await
}

fn balance_of(balance: &Value) -> (i64, i64, i64) {
    (
        balance["available_minutes"].as_i64().expect("available"),
        balance["reserved_minutes"].as_i64().expect("reserved"),
        balance["used_minutes"].as_i64().expect("used"),
    )
}

async fn pausing_a_helper_marks_their_visits_and_tells_each_family_and_the_branch_once(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    app.assign(&t.admin, jens, t.helper).await;
    let karen_1 = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let karen_2 = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-13T10:00:00+01:00",
    )
    .await;
    let with_bo = book(&app, &t.admin, t.client, w.bo, "2027-01-14T10:00:00+01:00").await;
    let jens_1 = book(&app, &t.admin, jens, t.helper, "2027-01-15T10:00:00+01:00").await;

    let paused = move_helper(&app, &w.leader, t.helper, "paused").await;

    assert_eq!(paused["visits_affected"], 3, "{paused}");
    assert_eq!(
        listed(&app, &w.leader, true).await,
        [karen_1, karen_2, jens_1]
    );
    for id in [karen_1, karen_2, jens_1] {
        let seen = visit(&app, &t.admin, id).await;
        assert_eq!(seen["attention"], "helper_paused", "{seen}");
        assert!(seen["attention_since"].is_string(), "{seen}");
        assert_eq!(seen["status"], "booked");
    }
    assert_eq!(
        attention(&app, &t.admin, with_bo).await,
        Value::Null,
        "Bo's visit is untouched"
    );
    assert_eq!(listed(&app, &w.leader, false).await, [with_bo]);

    let whens: Vec<String> = {
        let mut out = vec![];
        for id in [karen_1, karen_2, with_bo, jens_1] {
            out.push(written(&visit(&app, &t.admin, id).await));
        }
        out
    };
    for family in ["karen@example.dk", "mette@example.dk"] {
        let told = mails_to(&app, "visits_need_attention", family);
        assert_eq!(told.len(), 1, "one mail to {family} for both visits");
        let text = &told[0].text;
        assert!(
            text.contains(&whens[0]) && text.contains(&whens[1]),
            "{text}"
        );
        assert!(
            !text.contains(&whens[2]) && !text.contains(&whens[3]),
            "{text}"
        );
        assert!(text.contains("hjælperen holder pause"), "{text}");
    }
    assert!(
        mails_to(&app, "visits_need_attention", "ole@example.dk").is_empty(),
        "the relative who only pays is not told"
    );
    let told_jens = mails_to(&app, "visits_need_attention", "jens@example.dk");
    assert_eq!(told_jens.len(), 1);
    assert!(
        told_jens[0].text.contains(&whens[3]),
        "{}",
        told_jens[0].text
    );
    assert!(!told_jens[0].text.contains(&whens[0]), "only his own visit");
    let branch = mails_to(&app, "visits_need_attention_branch", LEADER);
    assert_eq!(branch.len(), 1, "one mail to the leader listing all three");
    let text = &branch[0].text;
    for when in [&whens[0], &whens[1], &whens[3]] {
        assert!(text.contains(when.as_str()), "{text}");
    }
    assert!(!text.contains(&whens[2]), "not Bo's visit: {text}");
    assert!(
        text.contains("Karen Nielsen") && text.contains("Jens Madsen"),
        "{text}"
    );
}

async fn leaving_marks_the_helpers_visits_helper_left(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let id = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;

    let left = move_helper(&app, &w.leader, t.helper, "left").await;

    assert_eq!(left["visits_affected"], 1);
    assert_eq!(attention(&app, &t.admin, id).await, "helper_left");
    assert_eq!(listed(&app, &w.leader, true).await, [id]);
    let told = mails_to(&app, "visits_need_attention", "karen@example.dk");
    assert_eq!(told.len(), 1);
    assert!(
        told[0].text.contains("hjælperen er stoppet"),
        "{}",
        told[0].text
    );
    assert_eq!(
        mails_to(&app, "visits_need_attention_branch", LEADER).len(),
        1
    );
}

async fn ending_an_assignment_marks_only_that_pairs_visits(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    app.assign(&t.admin, jens, t.helper).await;
    let karens = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let jens_visit = book(&app, &t.admin, jens, t.helper, "2027-01-13T10:00:00+01:00").await;
    let pairs = app
        .get_ok(
            &format!(
                "/api/v1/assignments?client_id={}&helper_id={}&open=true",
                t.client, t.helper
            ),
            &t.admin,
        )
        .await;
    let pair = pairs["items"][0]["id"].as_i64().expect("assignment id");

    let ended = app
        .call(
            Method::DELETE,
            &format!("/api/v1/assignments/{pair}"),
            Some(&w.leader),
            None,
        )
        .await;

    assert_eq!(ended.status().as_u16(), 204);
    assert_eq!(attention(&app, &t.admin, karens).await, "assignment_ended");
    assert_eq!(attention(&app, &t.admin, jens_visit).await, Value::Null);
    let told = mails_to(&app, "visits_need_attention", "karen@example.dk");
    assert_eq!(told.len(), 1);
    assert!(
        told[0]
            .text
            .contains("hjælperen besøger ikke længere denne borger"),
        "{}",
        told[0].text
    );
    assert!(mails_to(&app, "visits_need_attention", "jens@example.dk").is_empty());
    // The helper who no longer visits Karen cannot check in to that visit either.
    app.move_visit_start(karens, 5);
    let check_in = act(&app, &t.helper_token, karens, "check-in", home()).await;
    assert_problem(check_in, 409).await;
}

async fn an_availability_exception_marks_the_visits_it_covers_helper_unavailable(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let before = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let during = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-19T10:00:00+01:00",
    )
    .await;
    let exams = json!({"starts_at": "2027-01-19T00:00:00Z", "ends_at": "2027-01-20T00:00:00Z", "reason": "exams"});

    app.post_ok(
        &format!("/api/v1/helpers/{}/availability/exceptions", t.helper),
        Some(&t.helper_token),
        exams,
        201,
    )
    .await;

    assert_eq!(
        attention(&app, &t.admin, during).await,
        "helper_unavailable"
    );
    assert_eq!(attention(&app, &t.admin, before).await, Value::Null);
    let told = mails_to(&app, "visits_need_attention", "karen@example.dk");
    assert_eq!(told.len(), 1);
    let during_when = written(&visit(&app, &t.admin, during).await);
    let before_when = written(&visit(&app, &t.admin, before).await);
    assert!(told[0].text.contains(&during_when), "{}", told[0].text);
    assert!(!told[0].text.contains(&before_when), "{}", told[0].text);
    assert_eq!(
        mails_to(&app, "visits_need_attention_branch", LEADER).len(),
        1
    );
}

async fn narrowed_hours_mark_the_visits_outside_them_and_widening_clears_it(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    // 12 January 2027 is a Tuesday (weekday 2), the 13th a Wednesday (3).
    let tuesday = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let wednesday = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-13T10:00:00+01:00",
    )
    .await;
    let path = format!("/api/v1/helpers/{}/availability", t.helper);
    let put = |windows: Value| {
        app.call(
            Method::PUT,
            &path,
            Some(&t.helper_token),
            Some(json!({ "windows": windows, "visits_per_week": 3 })),
        )
    };

    let narrowed = put(json!([{"weekday": 2, "start": "09:00", "end": "13:00"}])).await;
    assert_eq!(narrowed.status().as_u16(), 200);
    let after_narrowing = (
        attention(&app, &t.admin, tuesday).await,
        attention(&app, &t.admin, wednesday).await,
        listed(&app, &w.leader, true).await,
    );
    let widened = put(json!([{"weekday": 2, "start": "09:00", "end": "13:00"},
                              {"weekday": 3, "start": "08:00", "end": "16:00"}]))
    .await;
    assert_eq!(widened.status().as_u16(), 200);

    assert_eq!(
        after_narrowing,
        (Value::Null, json!("outside_availability"), vec![wednesday])
    );
    let cleared = visit(&app, &t.admin, wednesday).await;
    assert_eq!(cleared["attention"], Value::Null, "{cleared}");
    assert_eq!(cleared["attention_since"], Value::Null, "{cleared}");
    assert!(listed(&app, &w.leader, true).await.is_empty());
    assert_eq!(
        mails_to(&app, "visits_need_attention", "karen@example.dk").len(),
        1,
        "told when it became affected, not again when it was cleared"
    );
}

async fn reactivating_a_paused_helper_clears_helper_paused(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    // Sara's visit is a substitute booking: no pair to lose, only her pause stands in the way.
    let saras = book_substitute(
        &app,
        &t.admin,
        t.client,
        w.sara,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let annas = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-13T10:00:00+01:00",
    )
    .await;
    move_helper(&app, &w.leader, w.sara, "paused").await;
    move_helper(&app, &w.leader, t.helper, "paused").await;
    let while_paused = (
        attention(&app, &t.admin, saras).await,
        attention(&app, &t.admin, annas).await,
    );

    move_helper(&app, &w.leader, w.sara, "active").await;
    move_helper(&app, &w.leader, t.helper, "active").await;

    assert_eq!(
        while_paused,
        (json!("helper_paused"), json!("helper_paused"))
    );
    assert_eq!(attention(&app, &t.admin, saras).await, Value::Null);
    assert_eq!(
        attention(&app, &t.admin, annas).await,
        "assignment_ended",
        "the pause ended Anna's pair with Karen; back from the pause she is not in the team yet"
    );
    app.assign(&w.leader, t.client, t.helper).await;
    assert_eq!(attention(&app, &t.admin, annas).await, Value::Null);
    assert!(listed(&app, &w.leader, true).await.is_empty());
}

async fn a_visit_whose_helper_cannot_come_is_cancelled_free_inside_the_notice_period(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let annas = book(&app, &t.admin, t.client, t.helper, &starts_in_hours(3)).await;
    let bos = book(&app, &t.admin, t.client, w.bo, &starts_in_hours(6)).await;
    move_helper(&app, &w.leader, t.helper, "paused").await;

    let annas_cancelled = cancel(&app, &t.admin, annas).await;
    let bos_cancelled = cancel(&app, &t.admin, bos).await;

    assert_eq!(
        annas_cancelled["late_cancellation"], false,
        "nobody could come"
    );
    assert_eq!(
        bos_cancelled["late_cancellation"], true,
        "Bo could come: the notice period applies"
    );
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 0, 60),
        "only Bo's visit used the hours"
    );
}

async fn a_no_show_is_refused_while_the_visits_helper_cannot_come(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let id = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    move_helper(&app, &w.leader, t.helper, "paused").await;
    app.move_visit_start(id, -10);

    let no_show = act(&app, &t.admin, id, "no-show", json!({})).await;

    assert_problem(no_show, 409).await;
    assert_eq!(visit(&app, &t.admin, id).await["status"], "booked");
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0),
        "nothing charged"
    );
}

async fn giving_the_visit_to_another_team_helper_clears_it_with_a_fresh_deadline(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    // Booked inside the notice period: its own deadline has passed.
    let id = book(&app, &t.admin, t.client, t.helper, &starts_in_hours(3)).await;
    move_helper(&app, &w.leader, t.helper, "paused").await;

    let moved = reschedule(
        &app,
        &w.leader,
        id,
        json!({"helper_id": w.bo, "starts_at": "2027-02-02T10:00:00+01:00"}),
    )
    .await;

    assert_eq!(moved.status().as_u16(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["helper_id"], w.bo);
    assert_eq!(moved["substitute"], false);
    assert_eq!(moved["attention"], Value::Null);
    assert_eq!(moved["attention_since"], Value::Null);
    assert_eq!(moved["free_cancellation_until"], "2027-02-01T09:00:00Z");
    assert!(listed(&app, &w.leader, true).await.is_empty());
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&t.admin),
            json!({}),
            200,
        )
        .await;
    assert_eq!(cancelled["late_cancellation"], false);
}

async fn the_branch_can_give_the_visit_to_a_substitute_and_that_clears_it(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let id = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    move_helper(&app, &w.leader, t.helper, "paused").await;

    let by_the_client = reschedule(&app, &karen, id, json!({ "helper_id": w.sara })).await;
    let by_the_branch = reschedule(&app, &w.leader, id, json!({ "helper_id": w.sara })).await;

    assert_problem(by_the_client, 422).await;
    assert_eq!(by_the_branch.status().as_u16(), 200);
    let moved: Value = by_the_branch.json().await.unwrap();
    assert_eq!(
        (
            &moved["helper_id"],
            &moved["substitute"],
            &moved["attention"]
        ),
        (&json!(w.sara), &json!(true), &Value::Null)
    );
    assert!(listed(&app, &w.leader, true).await.is_empty());
}

async fn a_helper_paused_again_later_is_told_again(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    move_helper(&app, &w.leader, t.helper, "paused").await;
    move_helper(&app, &w.leader, t.helper, "active").await;
    app.assign(&w.leader, t.client, t.helper).await;
    assert!(listed(&app, &w.leader, true).await.is_empty(), "cleared");

    let again = move_helper(&app, &w.leader, t.helper, "paused").await;

    assert_eq!(again["visits_affected"], 1);
    assert_eq!(
        mails_to(&app, "visits_need_attention", "karen@example.dk").len(),
        2,
        "a new pause is a new change: Karen is told again"
    );
    assert_eq!(
        mails_to(&app, "visits_need_attention_branch", LEADER).len(),
        2
    );
}

async fn a_norwegian_branch_leader_is_told_in_bokmal(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let body = json!({"name": "Oslo", "country": "NO", "time_zone": "Europe/Oslo", "currency": "NOK",
                      "centre": {"lat": 59.9139, "lon": 10.7522}, "phone": "+47 41 23 45 67"});
    let branch = app
        .post_ok("/api/v1/branches", Some(&admin), body, 201)
        .await["id"]
        .as_i64()
        .unwrap();
    let price = json!({"product": "clip_card_8h", "amount_minor": 156000});
    app.post_ok(
        &format!("/api/v1/branches/{branch}/prices"),
        Some(&admin),
        price,
        201,
    )
    .await;
    let leader = app.leader_token(&admin, branch, "leder@example.no").await;
    let (helper, _) = app.activate_helper(&admin, branch, "ola@example.no").await;
    let kari = named_client(&app, &admin, branch, "Kari Nordmann", "kari@example.no").await;
    app.assign(&admin, kari, helper).await;
    book(&app, &admin, kari, helper, "2027-01-12T10:00:00+01:00").await;

    move_helper(&app, &leader, helper, "paused").await;

    let to_leader = mails_to(&app, "visits_need_attention_branch", "leder@example.no");
    assert_eq!(to_leader.len(), 1);
    assert_eq!(to_leader[0].subject, "1 besøk krever handling");
    assert!(
        to_leader[0].text.contains("hjelperen har pause"),
        "bokmål, as the branch writes: {}",
        to_leader[0].text
    );
    let to_kari = mails_to(&app, "visits_need_attention", "kari@example.no");
    assert_eq!(to_kari.len(), 1);
    assert!(
        to_kari[0].text.contains("hjelperen har pause"),
        "{}",
        to_kari[0].text
    );
}

async fn a_substitute_sees_the_client_from_booking_until_the_visit_is_completed(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let path = format!("/api/v1/clients/{}", t.client);
    let before = app
        .call(Method::GET, &path, Some(&w.sara_token), None)
        .await;
    let id = book_substitute(
        &app,
        &t.admin,
        t.client,
        w.sara,
        "2027-01-12T10:00:00+01:00",
    )
    .await;

    let while_booked = app.get_ok(&path, &w.sara_token).await;
    app.complete_visit(&w.sara_token, id).await;
    let after = app
        .call(Method::GET, &path, Some(&w.sara_token), None)
        .await;

    assert_problem(before, 404).await;
    assert_eq!(while_booked["name"], "Karen Nielsen");
    assert_eq!(while_booked["address"], "Vestergade 1, 8000 Aarhus C");
    assert_eq!(while_booked["care_notes"], "Cat called Mis; key in the box");
    assert!(
        while_booked.get("email").is_none() && while_booked.get("relatives").is_none(),
        "only what the visit needs: {while_booked}"
    );
    assert_eq!(visit(&app, &t.admin, id).await["status"], "completed");
    assert_problem(after, 404).await;
    assert_eq!(
        app.get_ok(&path, &t.helper_token).await["name"],
        "Karen Nielsen",
        "the team helper still sees her"
    );
}

on_both_backends!(
    pausing_a_helper_marks_their_visits_and_tells_each_family_and_the_branch_once,
    leaving_marks_the_helpers_visits_helper_left,
    ending_an_assignment_marks_only_that_pairs_visits,
    an_availability_exception_marks_the_visits_it_covers_helper_unavailable,
    narrowed_hours_mark_the_visits_outside_them_and_widening_clears_it,
    reactivating_a_paused_helper_clears_helper_paused,
    a_visit_whose_helper_cannot_come_is_cancelled_free_inside_the_notice_period,
    a_no_show_is_refused_while_the_visits_helper_cannot_come,
    giving_the_visit_to_another_team_helper_clears_it_with_a_fresh_deadline,
    the_branch_can_give_the_visit_to_a_substitute_and_that_clears_it,
    a_helper_paused_again_later_is_told_again,
    a_norwegian_branch_leader_is_told_in_bokmal,
    a_substitute_sees_the_client_from_booking_until_the_visit_is_completed,
);
