//! The console over plain HTTP, as a browser without JavaScript uses it: a cookie jar, forms
//! posted with the page's CSRF token, redirects not followed (so each 303 can be checked).

use reqwest::StatusCode;

use super::TestApp;

/// A signed-in (or not yet signed-in) console user.
pub struct ConsoleUser {
    /// HTTP client with its own cookie jar.
    pub client: reqwest::Client,
    /// `http://127.0.0.1:<port>`.
    pub address: String,
}

/// A page as the browser got it.
pub struct Page {
    /// Status.
    pub status: StatusCode,
    /// `Location`, for a redirect.
    pub location: Option<String>,
    /// The HTML.
    pub html: String,
}

impl Page {
    /// The value of the first `<input name="csrf" value="…">` on the page.
    pub fn csrf(&self) -> String {
        field_value(&self.html, "csrf").expect("the page has a form with a CSRF token")
    }

    /// Asserts the page contains `text` (HTML-escaped as the page shows it).
    pub fn assert_shows(&self, text: &str) {
        assert!(
            self.html.contains(text),
            "the page ({}) does not show {text:?}:\n{}",
            self.status,
            self.html
        );
    }
}

/// The `value` of the input named `name`.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_string())
}

impl ConsoleUser {
    /// A browser with an empty cookie jar; `language` becomes its `Accept-Language`.
    pub fn new(app: &TestApp, language: &str) -> ConsoleUser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            language.parse().expect("a header value"),
        );
        ConsoleUser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
                .build()
                .expect("client"),
            address: app.address.clone(),
        }
    }

    /// Signs in with the sign-in form; panics unless the console accepts the password.
    pub async fn signed_in(app: &TestApp, email: &str, password: &str) -> ConsoleUser {
        let user = ConsoleUser::new(app, "da");
        let answer = user.sign_in(email, password).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.html);
        user
    }

    /// Opens the sign-in page and posts the form.
    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        let form = self.get("/console/login").await;
        assert_eq!(form.status, StatusCode::OK);
        self.post(
            "/console/login",
            &[
                ("csrf", &form.csrf()),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent");
        read(response).await
    }

    /// Posts `fields` as a form, exactly as given (include `csrf` yourself, or leave it out).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish(),
            )
            .send()
            .await
            .expect("request sent");
        read(response).await
    }

    /// Opens `form_page`, then posts `fields` to `path` with that page's CSRF token.
    pub async fn submit(&self, form_page: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(form_page).await;
        assert_eq!(page.status, StatusCode::OK, "{form_page}: {}", page.html);
        let csrf = page.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }
}

async fn read(response: reqwest::Response) -> Page {
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Page {
        status,
        location,
        html: response.text().await.expect("body"),
    }
}
