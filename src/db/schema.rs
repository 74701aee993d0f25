//! Table definitions shared by both backends (portable column types only).
// Written to match migrations/postgres and migrations/sqlite, which keep identical names.

mod visit_tables;
pub use visit_tables::*;

diesel::table! {
    branches (id) {
        id -> BigInt,
        name -> Text,
        country -> Text,
        time_zone -> Text,
        currency -> Text,
        centre_lat -> Double,
        centre_lon -> Double,
        phone -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    helpers (id) {
        id -> BigInt,
        branch_id -> BigInt,
        name -> Text,
        email -> Text,
        phone -> Text,
        study_programme -> Text,
        skills -> Text,
        languages -> Text,
        home_lat -> Double,
        home_lon -> Double,
        capacity -> Integer,
        hours_per_week -> Integer,
        status -> Text,
        resume_status -> Nullable<Text>,
        status_changed_at -> Timestamp,
        applied_at -> Timestamp,
        criminal_record_checked_on -> Nullable<Date>,
        criminal_record_outcome -> Nullable<Text>,
        status_token_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        visits_per_week -> Nullable<Integer>,
        deleted_at -> Nullable<Timestamp>,
        search_name -> Text,
        avoids -> Text,
        institution -> Nullable<Text>,
        term_opt_out -> Bool,
        leaves_on -> Nullable<Date>,
    }
}

diesel::table! {
    helper_transitions (id) {
        id -> BigInt,
        helper_id -> BigInt,
        from_status -> Text,
        to_status -> Text,
        actor_user_id -> Nullable<BigInt>,
        note -> Text,
        criminal_record_checked_on -> Nullable<Date>,
        criminal_record_outcome -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    clients (id) {
        id -> BigInt,
        branch_id -> BigInt,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        address -> Text,
        lat -> Double,
        lon -> Double,
        needs -> Text,
        languages -> Text,
        preferred_language -> Text,
        wanted -> Integer,
        source -> Text,
        source_detail -> Nullable<Text>,
        municipal_home_care -> Bool,
        care_notes -> Text,
        deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_name -> Text,
        home_traits -> Text,
    }
}

diesel::table! {
    relatives (id) {
        id -> BigInt,
        client_id -> BigInt,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        relation -> Text,
        can_view -> Bool,
        can_book -> Bool,
        can_pay -> Bool,
        consent_given_on -> Date,
        created_at -> Timestamp,
        user_id -> Nullable<BigInt>,
        wants_reports -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        role -> Nullable<Text>,
        branch_id -> Nullable<BigInt>,
        helper_id -> Nullable<BigInt>,
        client_id -> Nullable<BigInt>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        token_generation -> Integer,
    }
}

diesel::table! {
    password_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    console_sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        csrf_token -> Text,
        generation -> Integer,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    throttle_events (id) {
        id -> BigInt,
        bucket -> Text,
        key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    assignments (id) {
        id -> BigInt,
        client_id -> BigInt,
        helper_id -> BigInt,
        started_at -> Timestamp,
        started_by -> Nullable<BigInt>,
        ended_at -> Nullable<Timestamp>,
        ended_by -> Nullable<BigInt>,
        end_reason -> Nullable<Text>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        action -> Text,
        entity -> Text,
        entity_id -> BigInt,
        fields -> Text,
    }
}

diesel::table! {
    matching_proposals (id) {
        id -> BigInt,
        branch_id -> BigInt,
        fingerprint -> Text,
        params -> Text,
        new_pairs -> Text,
        ended_assignments -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        committed_by -> Nullable<BigInt>,
        committed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    prices (id) {
        id -> BigInt,
        branch_id -> BigInt,
        product -> Text,
        minutes -> Integer,
        amount_minor -> BigInt,
        currency -> Text,
        valid_from -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    clip_cards (id) {
        id -> BigInt,
        client_id -> BigInt,
        price_id -> BigInt,
        product -> Text,
        minutes -> Integer,
        amount_minor -> BigInt,
        currency -> Text,
        payment_method -> Text,
        payment_reference -> Nullable<Text>,
        purchased_by -> Nullable<BigInt>,
        purchased_at -> Timestamp,
    }
}

diesel::table! {
    job_runs (job, scope_id, day) {
        job -> Text,
        scope_id -> BigInt,
        day -> Date,
        done_at -> Timestamp,
    }
}

diesel::table! {
    term_periods (id) {
        id -> BigInt,
        branch_id -> BigInt,
        institution -> Text,
        name -> Text,
        starts_on -> Date,
        ends_on -> Date,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(helpers -> branches (branch_id));
diesel::joinable!(matching_proposals -> branches (branch_id));
diesel::joinable!(clients -> branches (branch_id));
diesel::joinable!(helper_transitions -> helpers (helper_id));
diesel::joinable!(relatives -> clients (client_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(console_sessions -> users (user_id));
diesel::joinable!(ledger_entries -> clients (client_id));
diesel::joinable!(password_tokens -> users (user_id));
diesel::joinable!(relatives -> users (user_id));
diesel::joinable!(assignments -> clients (client_id));
diesel::joinable!(assignments -> helpers (helper_id));
diesel::joinable!(visit_offers -> visits (visit_id));
diesel::joinable!(visit_reports -> visits (visit_id));
diesel::joinable!(visit_feedback -> visits (visit_id));
diesel::joinable!(visit_offers -> helpers (helper_id));

diesel::allow_tables_to_appear_in_same_query!(
    branches,
    helpers,
    helper_transitions,
    clients,
    relatives,
    users,
    refresh_tokens,
    console_sessions,
    throttle_events,
    password_tokens,
    assignments,
    audit_events,
    matching_proposals,
    prices,
    clip_cards,
    visits,
    visit_offers,
    visit_reports,
    visit_feedback,
    client_exclusions,
    ledger_entries,
    idempotency_keys,
    availability_windows,
    availability_exceptions,
    outbox,
    job_runs,
    term_periods,
    joint_visits,
);
