//! Staff accounts and failed mails in the console: a leader invited by mail, invited again,
//! deactivated (their console session ends) and reactivated; a failed mail resent.

use reqwest::StatusCode;

use super::{admin, fail_mails_to, mail_status, user_by_email};
use crate::on_both_backends;
use crate::support::TestBackend;
use crate::support::browser::{Driver, mails};
use crate::support::console::ConsoleUser;
use crate::support::fixtures::{ADMIN_EMAIL, PASSWORD};

async fn an_admin_invites_a_leader_and_deactivating_them_ends_their_session(backend: TestBackend) {
    let a = admin(backend).await;
    let users = "/console/admin/users";
    let branch = a.branch.to_string();
    let mette = [
        ("name", "Mette Leder"),
        ("email", "mette@example.dk"),
        ("role", "branch_leader"),
        ("branch_id", branch.as_str()),
    ];

    let created = a.user.submit(users, users, &mette).await;

    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let page = a.user.get(&created.location.unwrap()).await;
    page.assert_shows("invitationen er sendt");
    assert!(
        !page.html.contains("type=\"password\""),
        "no password is shown or asked for"
    );
    assert_eq!(mails(&a.app, "account_invitation", "mette@example.dk"), 1);
    let id = user_by_email(&a, "mette@example.dk").await["id"]
        .as_i64()
        .unwrap();
    page.assert_shows(&format!("id=\"reinvite-{id}\""));
    let again = a
        .user
        .submit(users, &format!("{users}/{id}/invitation"), &[])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(mails(&a.app, "account_invitation", "mette@example.dk"), 2);
    // The same address twice, or an admin with a branch, is refused at the form.
    let twice = a.user.submit(users, users, &mette).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    twice.assert_shows("already exists");
    let admin_in_branch = a
        .user
        .submit(
            users,
            users,
            &[
                ("name", "Ib"),
                ("email", "ib@example.dk"),
                ("role", "admin"),
                ("branch_id", branch.as_str()),
            ],
        )
        .await;
    assert_eq!(admin_in_branch.status, StatusCode::UNPROCESSABLE_ENTITY);
    admin_in_branch.assert_shows("id=\"user-branch-error\">an admin belongs to no branch");
    // lone has a password: no invitation for her.
    let lone = user_by_email(&a, "lone@example.dk").await["id"]
        .as_i64()
        .unwrap();
    let has_password = a
        .user
        .submit(users, &format!("{users}/{lone}/invitation"), &[])
        .await;
    assert_eq!(has_password.status, StatusCode::CONFLICT);
    has_password.assert_shows("id=\"row-error\">the account has a password");

    // Mette sets her password and signs in; closing her account ends that session.
    let token = a.app.mailed_token("mette@example.dk");
    a.app
        .post_ok(
            "/api/v1/auth/accept-invitation",
            None,
            serde_json::json!({"token": token, "password": PASSWORD}),
            204,
        )
        .await;
    let her = ConsoleUser::signed_in(&a.app, "mette@example.dk", PASSWORD).await;
    let board = format!("/console/branches/{}/board", a.branch);
    assert_eq!(her.get(&board).await.status, StatusCode::OK);
    let closed = a
        .user
        .submit(
            users,
            &format!("{users}/{id}/active"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(
        closed.location.as_deref(),
        Some("/console/admin/users?done=deactivated")
    );
    let away = her.get(&board).await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert!(away.location.unwrap().starts_with("/console/login"));
    assert_eq!(user_by_email(&a, "mette@example.dk").await["active"], false);
    a.user
        .get(users)
        .await
        .assert_shows(&format!("id=\"reactivate-{id}\""));
    let reopened = a
        .user
        .submit(
            users,
            &format!("{users}/{id}/active"),
            &[("active", "true")],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    assert_eq!(user_by_email(&a, "mette@example.dk").await["active"], true);
}

async fn a_failed_mail_is_listed_and_resent(backend: TestBackend) {
    let a = admin(backend).await;
    let users = "/console/admin/users";
    let branch = a.branch.to_string();
    a.user
        .submit(
            users,
            users,
            &[
                ("name", "Mette Leder"),
                ("email", "mette@example.dk"),
                ("role", "branch_leader"),
                ("branch_id", branch.as_str()),
            ],
        )
        .await;
    let id = fail_mails_to(&a.app, "mette@example.dk");
    let mails_page = "/console/admin/mails";

    let list = a.user.get(mails_page).await;
    list.assert_shows(&format!("<tr data-mail-id=\"{id}\">"));
    list.assert_shows("550 mailbox unavailable");
    list.assert_shows("mette@example.dk");
    let resent = a
        .user
        .submit(mails_page, &format!("{mails_page}/{id}/resend"), &[])
        .await;

    assert_eq!(
        resent.location.as_deref(),
        Some("/console/admin/mails?done=resent")
    );
    assert_ne!(mail_status(&a.app, id), "failed");
    let after = a.user.get("/console/admin/mails?done=resent").await;
    after.assert_shows("Mailen er lagt i kø igen.");
    assert!(!after.html.contains(&format!("data-mail-id=\"{id}\"")));
    let twice = a
        .user
        .submit(mails_page, &format!("{mails_page}/{id}/resend"), &[])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    twice.assert_shows("only failed mails can be resent");
}

on_both_backends!(
    an_admin_invites_a_leader_and_deactivating_them_ends_their_session,
    a_failed_mail_is_listed_and_resent,
);

/// In Chromium: an admin opens the staff accounts and invites a leader.
async fn an_admin_invites_a_leader_in_the_browser(backend: TestBackend) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let a = admin(backend).await;
    let browser = driver.browser("da").await;
    browser
        .open(&format!("{}/console/admin/users", a.app.address))
        .await;
    browser.type_into("email", ADMIN_EMAIL).await;
    browser.type_into("password", PASSWORD).await;
    browser
        .wait_css("form[action='/console/login'] button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    browser.type_into("user-name", "Mette Leder").await;
    browser.type_into("user-email", "mette@example.dk").await;
    browser.select("user-role", "branch_leader").await;
    browser.select("user-branch", &a.branch.to_string()).await;
    browser.click("create-user").await;

    assert!(browser.text("done").await.contains("invitationen er sendt"));
    assert_eq!(mails(&a.app, "account_invitation", "mette@example.dk"), 1);
    // A laptop-sized window, so the picture shows the whole of what matters.
    browser.client.set_window_size(1280, 1000).await.unwrap();
    browser.screenshot("admin").await;
    browser.close().await;
}

mod in_browser {
    crate::on_both_backends!(an_admin_invites_a_leader_in_the_browser);
    use super::an_admin_invites_a_leader_in_the_browser;
}
