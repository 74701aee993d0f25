//! visit mail: rolled back.

use super::*;

async fn a_booking_that_fails_sends_nothing(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let s = setup(&app).await;
    let before = wait_all_sent(&app, &s.admin).await.len();

    let whole_card = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            480,
        )
        .await;
    assert_eq!(whole_card.status().as_u16(), 201, "the whole card");
    let over_balance = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-13T10:00:00+01:00",
            60,
        )
        .await;
    assert_problem(over_balance, 409).await;
    // A weekly series whose third week the balance does not cover: the mails the first two
    // weeks queued roll back with them.
    app.buy(&s.admin, s.client, "clip_card_8h").await;
    let body = json!({"client_id": s.client, "helper_id": s.helper,
                      "starts_at": "2027-01-20T10:00:00+01:00", "repeat_weeks": 3,
                      "segments": [{"task": "cleaning", "minutes": 240}]});
    let series = app
        .call(Method::POST, "/api/v1/visits", Some(&s.admin), Some(body))
        .await;
    assert_problem(series, 409).await;

    let listed = outbox(&app, &s.admin, "").await;
    let new = kinds(&listed[before..]);
    assert_eq!(
        new.iter().filter(|k| *k == "visit_booked").count(),
        3,
        "only the one booking that succeeded (Karen, Mette, Anna): {new:?}"
    );
    assert_eq!(
        new.iter().filter(|k| *k == "low_balance").count(),
        2,
        "the booking that emptied the card (Karen, Ole); none from the failed ones: {new:?}"
    );
}

on_both_backends!(a_booking_that_fails_sends_nothing,);
