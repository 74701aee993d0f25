//! Recruitment in the console: the stage columns with days in stage and the waitlist in
//! order; a student moved from applied to active through the forms (with the criminal-record
//! check), the invitation in the outbox; refusals that change nothing; the wrong branch and a
//! missing CSRF token — over HTTP on both databases and in Chromium.

use chrono::{Duration, Utc};

use reqwest::StatusCode;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::browser::{Driver, mails};
use crate::support::console::ConsoleUser;
use crate::support::fixtures::{PASSWORD, application};
use crate::support::{TestApp, TestBackend, spawn_app};

mod moves;

/// A branch (Aarhus) with its leader, and a second branch (Odense) with its own leader.
struct Recruiting {
    app: TestApp,
    branch: i64,
    leader: String,
    other_branch: i64,
}

async fn recruiting(backend: TestBackend) -> Recruiting {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let leader = app.leader_token(&admin, branch, "lone@example.dk").await;
    let other_branch = app.create_branch(&admin, "Odense").await;
    app.leader_token(&admin, other_branch, "olga@example.dk")
        .await;
    Recruiting {
        app,
        branch,
        leader,
        other_branch,
    }
}

impl Recruiting {
    /// A student applies under `name`; returns the helper id.
    async fn applicant(&self, name: &str, email: &str) -> i64 {
        let mut body = application(self.branch, email);
        body["name"] = json!(name);
        self.app
            .post_ok("/api/v1/applications", None, body, 201)
            .await["helper_id"]
            .as_i64()
            .unwrap()
    }

    async fn move_by_api(&self, helper: i64, to: &str) {
        let moved = self
            .app
            .transition(&self.leader, helper, json!({"to": to}))
            .await;
        assert_eq!(moved.status(), 200, "{to}");
    }

    async fn helper(&self, helper: i64) -> Value {
        self.app
            .get_ok(&format!("/api/v1/helpers/{helper}"), &self.leader)
            .await
    }

    async fn history_len(&self, helper: i64) -> usize {
        self.app
            .get_ok(&format!("/api/v1/helpers/{helper}/history"), &self.leader)
            .await
            .as_array()
            .unwrap()
            .len()
    }

    fn student_page(&self, helper: i64) -> String {
        format!("/console/branches/{}/recruitment/{helper}", self.branch)
    }

    /// Time travel: the helper entered their stage `days` ago.
    fn backdate_stage(&self, helper: i64, days: i64) {
        use diesel::prelude::*;
        use helpmatch::db::DbConnection;
        use helpmatch::db::schema::helpers;
        let mut conn = DbConnection::open(&self.app.database.url).expect("database");
        diesel::update(helpers::table.find(helper))
            .set(helpers::status_changed_at.eq(Utc::now().naive_utc() - Duration::days(days)))
            .execute(&mut conn)
            .expect("backdated");
    }
}

/// The HTML of the element opened by `start`, up to the first `end` after it.
fn section<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not on the page:\n{html}"));
    let stop = html[at..].find(end).map_or(html.len(), |e| at + e);
    &html[at..stop]
}

/// A check date a few days back (the service refuses one in the future).
fn last_week() -> String {
    (Utc::now().date_naive() - Duration::days(7)).to_string()
}

/// In Chromium: open the columns, follow a student, move them stage by stage to active.
async fn moving_a_student_from_applied_to_active_in_the_browser(backend: TestBackend) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let r = recruiting(backend).await;
    let bo = r.applicant("Bo Berg", "bo@example.dk").await;
    let cille = r.applicant("Cille Dam", "cille@example.dk").await;
    r.move_by_api(cille, "screened").await;
    r.backdate_stage(cille, 4);
    let waiting = r.applicant("Dina Eriksen", "dina@example.dk").await;
    r.move_by_api(waiting, "waitlisted").await;
    let browser = driver.browser("da").await;
    // A laptop's window, so the screenshot shows the page as a leader sees it.
    browser
        .client
        .set_window_size(1400, 1000)
        .await
        .expect("window size");
    browser
        .open(&format!(
            "{}/console/branches/{}/recruitment",
            r.app.address, r.branch
        ))
        .await;
    browser.type_into("email", "lone@example.dk").await;
    browser.type_into("password", PASSWORD).await;
    browser
        .wait_css("form[action='/console/login'] button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for("stage-applied").await;
    browser.screenshot("recruitment").await;

    browser
        .wait_css(&format!("li[data-helper-id='{bo}'] a"))
        .await
        .click()
        .await
        .unwrap();
    for to in [
        "screened",
        "interview_1",
        "interview_2",
        "interview_3",
        "active",
    ] {
        browser.select("to", to).await;
        browser.type_into("note", &format!("on to {to}")).await;
        if to == "interview_3" {
            // A date field's typing order depends on the locale; set its value as a picker does.
            browser
                .client
                .execute(
                    "document.getElementById('checked_on').value = arguments[0];",
                    vec![json!(last_week())],
                )
                .await
                .expect("date set");
            browser.select("outcome", "clear").await;
        }
        browser.click("move").await;
        browser
            .wait_css(&format!("#status[data-status='{to}']"))
            .await;
    }
    let told = browser.text("moved").await;
    assert!(told.contains("Invitationen"), "{told}");
    assert_eq!(r.helper(bo).await["status"], "active");
    assert_eq!(mails(&r.app, "helper_activated", "bo@example.dk"), 1);
    browser.close().await;
}

mod in_browser {
    crate::on_both_backends!(moving_a_student_from_applied_to_active_in_the_browser);
    use super::moving_a_student_from_applied_to_active_in_the_browser;
}
