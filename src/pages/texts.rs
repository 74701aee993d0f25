//! What the public pages say, in Danish (the default), Norwegian bokmål and English, chosen by
//! the browser's `Accept-Language`.

use actix_web::HttpRequest;
use actix_web::http::header;
use serde::Serialize;

/// A language the public pages speak: Danish, Norwegian bokmål or English (the console speaks
/// two, `console::Lang`, and reads a cookie first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageLang {
    /// Danish.
    Da,
    /// Norwegian bokmål.
    Nb,
    /// English.
    En,
}

impl PageLang {
    /// The first language of `Accept-Language` that the pages speak; Danish otherwise.
    pub fn of(req: &HttpRequest) -> PageLang {
        let wanted = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        wanted
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find_map(|tag| match tag.split('-').next().unwrap_or_default() {
                "da" => Some(PageLang::Da),
                "nb" | "no" | "nn" => Some(PageLang::Nb),
                "en" => Some(PageLang::En),
                _ => None,
            })
            .unwrap_or(PageLang::Da)
    }

    /// The `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            PageLang::Da => "da",
            PageLang::Nb => "nb",
            PageLang::En => "en",
        }
    }
}

/// Every text of the pages.
#[derive(Debug, Serialize)]
pub(crate) struct Texts {
    pub(crate) set_title: &'static str,
    pub(crate) password: &'static str,
    pub(crate) password_hint: &'static str,
    pub(crate) repeat: &'static str,
    pub(crate) save: &'static str,
    pub(crate) mismatch: &'static str,
    pub(crate) too_short: &'static str,
    pub(crate) done_title: &'static str,
    pub(crate) done_staff: &'static str,
    pub(crate) to_console: &'static str,
    pub(crate) done: &'static str,
    pub(crate) expired_title: &'static str,
    pub(crate) expired: &'static str,
    pub(crate) ask_again: &'static str,
    pub(crate) forgot_title: &'static str,
    pub(crate) forgot_intro: &'static str,
    pub(crate) email: &'static str,
    pub(crate) send: &'static str,
    pub(crate) sent: &'static str,
    pub(crate) slow_down: &'static str,
    pub(crate) application_title: &'static str,
    pub(crate) branch: &'static str,
    pub(crate) stage: &'static str,
    pub(crate) days: &'static str,
    pub(crate) waitlist: &'static str,
    pub(crate) unknown_application: &'static str,
    pub(crate) home_intro: &'static str,
}

const DA: Texts = Texts {
    set_title: "Vælg din adgangskode",
    password: "Ny adgangskode",
    password_hint: "Mindst 10 tegn. En sætning, du kan huske, er god.",
    repeat: "Skriv den igen",
    save: "Gem adgangskode",
    mismatch: "De to adgangskoder er ikke ens. Prøv igen.",
    too_short: "Adgangskoden skal have mindst 10 tegn.",
    done_title: "Adgangskoden er gemt",
    done_staff: "Din adgangskode er gemt. Du kan nu logge ind i konsollen.",
    to_console: "Log ind i konsollen",
    done: "Din adgangskode er gemt. Du kan nu logge ind i helpmatch-appen.",
    expired_title: "Linket virker ikke længere",
    expired: "Linket er brugt eller udløbet. Bed om et nyt, så sender vi det med det samme.",
    ask_again: "Få et nyt link",
    forgot_title: "Glemt adgangskode",
    forgot_intro: "Skriv din e-mail, så sender vi et link, hvor du kan vælge en ny adgangskode.",
    email: "E-mail",
    send: "Send link",
    sent: "Hvis e-mailen har en konto hos os, er et link på vej. Det virker i en time.",
    slow_down: "Der er bedt om mange links herfra. Vent lidt, og prøv så igen.",
    application_title: "Din ansøgning",
    branch: "Afdeling",
    stage: "Hvor du er nu",
    days: "Dage i dette trin",
    waitlist: "Din plads på ventelisten",
    unknown_application: "Vi kender ikke denne ansøgning. Tjek linket i din mail.",
    home_intro: "Log ind i helpmatch-appen med din e-mail og adgangskode. Spørgsmål? Ring til din afdeling.",
};

const NB: Texts = Texts {
    set_title: "Velg passordet ditt",
    password: "Nytt passord",
    password_hint: "Minst 10 tegn. En setning du husker, er fint.",
    repeat: "Skriv det igjen",
    save: "Lagre passord",
    mismatch: "De to passordene er ikke like. Prøv igjen.",
    too_short: "Passordet må ha minst 10 tegn.",
    done_title: "Passordet er lagret",
    done_staff: "Passordet ditt er lagret. Du kan nå logge inn i konsollen.",
    to_console: "Logg inn i konsollen",
    done: "Passordet ditt er lagret. Du kan nå logge inn i helpmatch-appen.",
    expired_title: "Lenken virker ikke lenger",
    expired: "Lenken er brukt eller utløpt. Be om en ny, så sender vi den med en gang.",
    ask_again: "Få en ny lenke",
    forgot_title: "Glemt passord",
    forgot_intro: "Skriv e-posten din, så sender vi en lenke der du kan velge et nytt passord.",
    email: "E-post",
    send: "Send lenke",
    sent: "Hvis e-posten har en konto hos oss, er en lenke på vei. Den virker i en time.",
    slow_down: "Det er bedt om mange lenker herfra. Vent litt, og prøv igjen.",
    application_title: "Søknaden din",
    branch: "Avdeling",
    stage: "Hvor du er nå",
    days: "Dager i dette trinnet",
    waitlist: "Plassen din på ventelisten",
    unknown_application: "Vi kjenner ikke denne søknaden. Sjekk lenken i e-posten.",
    home_intro: "Logg inn i helpmatch-appen med e-post og passord. Spørsmål? Ring avdelingen din.",
};

const EN: Texts = Texts {
    set_title: "Choose your password",
    password: "New password",
    password_hint: "At least 10 characters. A sentence you remember works well.",
    repeat: "Type it again",
    save: "Save password",
    mismatch: "The two passwords differ. Please try again.",
    too_short: "The password needs at least 10 characters.",
    done_title: "Password saved",
    done_staff: "Your password is saved. You can now sign in to the console.",
    to_console: "Sign in to the console",
    done: "Your password is saved. You can now log in to the helpmatch app.",
    expired_title: "This link no longer works",
    expired: "The link was used or has expired. Ask for a new one and we send it right away.",
    ask_again: "Get a new link",
    forgot_title: "Forgotten password",
    forgot_intro: "Enter your email and we send a link where you can choose a new password.",
    email: "Email",
    send: "Send link",
    sent: "If the email has an account with us, a link is on its way. It works for an hour.",
    slow_down: "Many links were asked for from here. Please wait a little and try again.",
    application_title: "Your application",
    branch: "Branch",
    stage: "Where you are now",
    days: "Days at this step",
    waitlist: "Your place on the waiting list",
    unknown_application: "We do not know this application. Please check the link in your mail.",
    home_intro: "Log in to the helpmatch app with your email and password. Questions? Call your branch.",
};

impl Texts {
    /// The texts of a language.
    pub fn of(lang: PageLang) -> &'static Texts {
        match lang {
            PageLang::Da => &DA,
            PageLang::Nb => &NB,
            PageLang::En => &EN,
        }
    }
}

/// A pipeline stage as an applicant reads it.
pub fn stage(status: &str, lang: PageLang) -> &'static str {
    let names: [(&str, [&str; 3]); 10] = [
        (
            "applied",
            [
                "Ansøgning modtaget",
                "Søknad mottatt",
                "Application received",
            ],
        ),
        (
            "screened",
            [
                "Ansøgningen er læst",
                "Søknaden er lest",
                "Application read",
            ],
        ),
        (
            "interview_1",
            ["1. samtale", "1. intervju", "1st interview"],
        ),
        (
            "interview_2",
            ["2. samtale", "2. intervju", "2nd interview"],
        ),
        (
            "interview_3",
            ["3. samtale", "3. intervju", "3rd interview"],
        ),
        ("active", ["Ansat", "Ansatt", "Hired"]),
        (
            "rejected",
            ["Ikke gået videre", "Ikke gått videre", "Not taken further"],
        ),
        (
            "waitlisted",
            ["På ventelisten", "På ventelisten", "On the waiting list"],
        ),
        ("paused", ["Pause", "Pause", "On a break"]),
        ("left", ["Stoppet", "Sluttet", "Left"]),
    ];
    let column = match lang {
        PageLang::Da => 0,
        PageLang::Nb => 1,
        PageLang::En => 2,
    };
    names
        .iter()
        .find(|(name, _)| *name == status)
        .map(|(_, texts)| texts[column])
        .unwrap_or("")
}
