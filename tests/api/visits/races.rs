//! visits: races.

use super::*;

async fn racing_bookings_never_overdraw_a_balance_and_the_ledger_adds_up(backend: TestBackend) {
    let app = racing_app(backend).await;
    let s = setup(&app).await;
    let mut helpers = vec![s.helper];
    for n in 0..2 {
        let (h, _) = app
            .activate_helper(&s.admin, s.branch, &format!("h{n}@example.dk"))
            .await;
        app.assign(&s.admin, s.client, h).await;
        helpers.push(h);
    }

    // 12 two-hour visits on different days (no slot clash) against 8 hours: at most 4 can win.
    let (app_ref, admin) = (&app, s.admin.as_str());
    let attempts = (0..12).map(|n| {
        let helper = helpers[n % helpers.len()];
        let start = format!("2027-02-{:02}T10:00:00+01:00", n + 1);
        async move { app_ref.book(admin, s.client, helper, &start, 120).await }
    });
    let statuses: Vec<u16> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();

    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        4,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let balance = app.balance(&s.admin, s.client).await;
    assert_eq!(
        (
            balance["available_minutes"].as_i64(),
            balance["reserved_minutes"].as_i64()
        ),
        (Some(0), Some(480))
    );
    let ledger = app
        .get_ok(
            &format!("/api/v1/clients/{}/ledger?limit=200", s.client),
            &s.admin,
        )
        .await;
    let sum = |kind: &str| -> i64 {
        ledger["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| e["minutes"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(sum("purchase") - sum("reserve"), 0);
    assert_eq!(sum("reserve"), 480);
}

on_both_backends!(racing_bookings_never_overdraw_a_balance_and_the_ledger_adds_up,);
