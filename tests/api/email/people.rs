//! email: people.

use super::*;

async fn an_application_is_confirmed_by_mail_in_danish_by_default(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;

    app.apply(branch, "anna@example.dk").await;

    let mails = smtp.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.to, "anna@example.dk");
    assert_eq!(
        mail.subject,
        "Vi har modtaget din ansøgning – helpmatch Aarhus"
    );
    for body in [&mail.text, &mail.html] {
        assert!(body.contains("Anna Jensen"), "{body}");
        assert!(body.contains("Tak for din ansøgning"), "{body}");
        assert!(body.contains("helpmatch Aarhus"), "{body}");
        assert!(body.contains("+45 70 20 30 40"), "{body}");
    }
    assert!(mail.html.contains("font-size:20px"), "large print");
    assert!(mail.ics.is_none());
    let listed = wait_all_sent(&app, &admin).await;
    assert_eq!(kinds(&listed), ["application_received"]);
    assert_eq!(listed[0]["language"], "da");
    assert_eq!(
        mail.message_id,
        format!("<outbox-{}@helpmatch.local>", listed[0]["id"])
    );
}

async fn an_applicant_without_danish_gets_english(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut body = application(branch, "sam@example.dk");
    body["languages"] = json!(["en"]);

    app.post_ok("/api/v1/applications", None, body, 201).await;

    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(
        mail.subject,
        "We have received your application – helpmatch Aarhus"
    );
    assert!(
        mail.text.contains("Thank you for applying"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("Phone: +45 70 20 30 40"),
        "{}",
        mail.text
    );
}

async fn a_client_of_a_norwegian_branch_gets_a_bokmal_receipt_with_the_phone_written_the_norwegian_way(
    backend: TestBackend,
) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = create_norwegian_branch(&app, &admin, "Oslo").await;
    let price = json!({"product": "clip_card_8h", "amount_minor": 156000});
    let prices = format!("/api/v1/branches/{branch}/prices");
    app.post_ok(&prices, Some(&admin), price, 201).await;
    let mut body = client(branch, "kari@example.no");
    body["name"] = json!("Kari Nordmann");
    body["address"] = json!("Karl Johans gate 1, 0154 Oslo");
    assert!(body.get("preferred_language").is_none());
    let created = app
        .post_ok("/api/v1/clients", Some(&admin), body, 201)
        .await;
    let client_id = created["id"].as_i64().expect("id");

    let card = app.buy(&admin, client_id, "clip_card_8h").await["clip_card"]["id"]
        .as_i64()
        .expect("card id");

    assert_eq!(created["preferred_language"], "nb", "the branch's language");
    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(mail.to, "kari@example.no");
    assert_eq!(
        mail.subject,
        format!("Kvittering for klippekort nr. {card}")
    );
    for body in [&mail.text, &mail.html] {
        assert!(body.contains("Kjære Kari Nordmann"), "{body}");
        assert!(body.contains("Takk for kjøpet"), "{body}");
        assert!(
            body.contains("1\u{a0}560,00 kr"),
            "NOK as written in Norway: {body}"
        );
        assert!(body.contains("Vennlig hilsen"), "{body}");
        assert!(body.contains("Telefon: "), "{body}");
        assert!(
            body.contains("+47 412 34 567"),
            "a mobile number 3-2-3: {body}"
        );
        assert!(!body.contains("Tak for dit køb"), "not Danish: {body}");
    }
    assert!(
        mail.html.contains("href=\"tel:+4741234567\""),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("<html lang=\"nb\">"));
    let listed = wait_all_sent(&app, &admin).await;
    assert_eq!(kinds(&listed), ["clip_card_purchased"]);
    assert_eq!(listed[0]["language"], "nb");
}

async fn a_norwegian_speaking_applicant_at_a_norwegian_branch_gets_bokmal(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = create_norwegian_branch(&app, &admin, "Bergen").await;
    let mut body = application(branch, "ola@example.no");
    body["languages"] = json!(["da", "en", "nb"]);

    app.post_ok("/api/v1/applications", None, body, 201).await;

    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(
        mail.subject,
        "Vi har mottatt søknaden din – helpmatch Bergen"
    );
    assert!(
        mail.text.contains("Takk for at du har søkt"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("Telefon: +47 412 34 567"),
        "{}",
        mail.text
    );
}

async fn every_stage_change_is_mailed_and_activation_carries_a_working_set_password_link(
    backend: TestBackend,
) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let helper = app.apply(branch, "anna@example.dk").await["helper_id"]
        .as_i64()
        .unwrap();

    for to in ["screened", "interview_1", "interview_2"] {
        let response = app.transition(&admin, helper, json!({"to": to})).await;
        assert_eq!(response.status().as_u16(), 200);
    }
    let check = json!({"to": "interview_3", "criminal_record": {"checked_on": "2026-11-20", "outcome": "clear"}});
    assert_eq!(app.transition(&admin, helper, check).await.status(), 200);
    assert_eq!(
        app.transition(&admin, helper, json!({"to": "active"}))
            .await
            .status(),
        200
    );

    let mails = smtp.wait_for(6).await;
    let listed = wait_all_sent(&app, &admin).await;
    assert_eq!(
        kinds(&listed),
        [
            "application_received",
            "stage_changed",
            "stage_changed",
            "stage_changed",
            "stage_changed",
            "helper_activated"
        ]
    );
    let interview_2 = mails
        .iter()
        .find(|m| m.text.contains("anden samtale"))
        .expect("interview 2 mail");
    assert_eq!(
        interview_2.subject,
        "Nyt om din ansøgning – helpmatch Aarhus"
    );
    let welcome = mails
        .iter()
        .find(|m| m.subject.starts_with("Velkommen"))
        .expect("activation mail");
    let link = welcome
        .text
        .split_whitespace()
        .find(|w| w.starts_with("https://app.helpmatch.test/set-password?token="))
        .expect("set-password link");
    let token = link.rsplit('=').next().unwrap();
    assert!(
        welcome.html.contains("href=\"https://app.helpmatch.test") && welcome.html.contains(token),
        "the HTML has the same link: {}",
        welcome.html
    );
    app.post_ok(
        "/api/v1/auth/accept-invitation",
        None,
        json!({"token": token, "password": PASSWORD}),
        204,
    )
    .await;
    app.token_for("anna@example.dk", PASSWORD).await;
}

async fn a_committed_match_mails_the_client_and_each_new_helper(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    for n in 0..2 {
        app.activate_helper(&admin, branch, &format!("helper{n}@example.dk"))
            .await;
    }
    let with_email = app.create_client(&admin, branch, "karen@example.dk").await;
    let mut no_email = client(branch, "x@example.dk");
    no_email["email"] = Value::Null;
    no_email["name"] = json!("Poul Hansen");
    app.post_ok("/api/v1/clients", Some(&admin), no_email, 201)
        .await;
    let before = wait_all_sent(&app, &admin).await.len();
    let path = format!("/api/v1/branches/{branch}/matching/preview");
    let proposal = app.post_ok(&path, Some(&admin), json!({}), 200).await;

    let commit = format!("/api/v1/branches/{branch}/matching/commit");
    let body = json!({"proposal_id": proposal["proposal_id"]});
    app.post_ok(&commit, Some(&admin), body, 200).await;

    let listed = wait_all_sent(&app, &admin).await;
    let new: Vec<String> = kinds(&listed[before..]);
    assert_eq!(
        new.iter().filter(|k| *k == "match_client").count(),
        1,
        "only the client with an address: {new:?}"
    );
    assert_eq!(
        new.iter().filter(|k| *k == "match_helper").count(),
        4,
        "{new:?}"
    );
    let mails = smtp.wait_for(before + 5).await;
    let to_client = mails
        .iter()
        .find(|m| m.to == "karen@example.dk")
        .expect("client mail");
    assert_eq!(to_client.subject, "Dine nye hjælpere – helpmatch Aarhus");
    assert!(
        to_client.text.contains("Anna Jensen og Anna Jensen"),
        "{}",
        to_client.text
    );
    let _ = with_email;
}

async fn mails_queued_while_smtp_is_down_are_all_delivered_exactly_once_when_it_returns(
    backend: TestBackend,
) {
    let mut smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    smtp.proxy.stop().await;

    for n in 0..5 {
        app.apply(branch, &format!("student{n}@example.dk")).await;
    }
    // Wait until every mail has failed at least twice: the outage is really seen and retried.
    for _ in 0..400 {
        let mails = outbox(&app, &admin, "").await;
        if mails.len() == 5 && mails.iter().all(|m| m["attempts"].as_i64() >= Some(2)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let waiting = outbox(&app, &admin, "").await;
    assert!(waiting.iter().all(|m| m["status"] != "sent"), "{waiting:?}");
    assert!(
        waiting.iter().all(|m| m["attempts"].as_i64() >= Some(2)),
        "{waiting:?}"
    );
    assert!(waiting[0]["last_error"].is_string());
    assert_eq!(smtp.count(), 0);

    smtp.proxy.resume().await;

    smtp.wait_for(5).await;
    wait_all_sent(&app, &admin).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = smtp.wait_for(5).await;
    assert_eq!(received.len(), 5, "no mail twice");
    let mut recipients: Vec<&str> = received.iter().map(|m| m.to.as_str()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 5, "every student got one mail");
}

async fn two_service_instances_deliver_every_mail_exactly_once(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(backend, |s| {
        smtp_settings(s, &smtp);
        s.email.batch_size = 2;
    })
    .await;
    spawn_second_instance(&app, &smtp, 2).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;

    // All 40 become due in one commit, so both workers race for them.
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    conn.transaction::<_, helpmatch::error::ApiError, _>(|conn| {
        for n in 0..40 {
            email::enqueue(conn, plain_mail(&format!("r{n}@example.dk"), branch))?;
        }
        Ok(())
    })
    .expect("enqueued");

    smtp.wait_for(40).await;
    wait_all_sent(&app, &admin).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = smtp.wait_for(40).await;
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for mail in &received {
        *per_id.entry(mail.message_id.clone()).or_default() += 1;
    }
    assert_eq!(received.len(), 40, "no mail sent twice");
    assert_eq!(per_id.len(), 40);
}

async fn a_rolled_back_change_leaves_no_mail_and_a_dedupe_key_queues_once(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let mut conn = DbConnection::open(&app.database.url).expect("database");

    let rolled_back = conn.transaction::<(), helpmatch::error::ApiError, _>(|conn| {
        email::enqueue(conn, plain_mail("gone@example.dk", 1))?;
        Err(helpmatch::error::ApiError::Conflict(
            "changed my mind".into(),
        ))
    });
    assert!(rolled_back.is_err());
    let mut keyed = plain_mail("once@example.dk", 1);
    keyed.dedupe_key = Some("reminder:1".into());
    assert!(email::enqueue(&mut conn, keyed.clone()).unwrap().is_some());
    assert!(email::enqueue(&mut conn, keyed).unwrap().is_none());

    let received = smtp.wait_for(1).await;
    let listed = wait_all_sent(&app, &admin).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(received[0].to, "once@example.dk");
}

on_both_backends!(
    an_application_is_confirmed_by_mail_in_danish_by_default,
    an_applicant_without_danish_gets_english,
    a_client_of_a_norwegian_branch_gets_a_bokmal_receipt_with_the_phone_written_the_norwegian_way,
    a_norwegian_speaking_applicant_at_a_norwegian_branch_gets_bokmal,
    every_stage_change_is_mailed_and_activation_carries_a_working_set_password_link,
    a_committed_match_mails_the_client_and_each_new_helper,
    mails_queued_while_smtp_is_down_are_all_delivered_exactly_once_when_it_returns,
    two_service_instances_deliver_every_mail_exactly_once,
    a_rolled_back_change_leaves_no_mail_and_a_dedupe_key_queues_once,
);
