//! The tables of visits, hours, availability and mail (the rest are in `schema.rs`).

diesel::table! {
    visits (id) {
        id -> BigInt,
        branch_id -> BigInt,
        client_id -> BigInt,
        helper_id -> BigInt,
        series_id -> Nullable<BigInt>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        minutes -> Integer,
        segments -> Text,
        status -> Text,
        substitute -> Bool,
        sequence -> Integer,
        booked_by -> Nullable<BigInt>,
        cancelled_at -> Nullable<Timestamp>,
        late_cancellation -> Bool,
        checked_in_at -> Nullable<Timestamp>,
        check_in_distance_m -> Nullable<BigInt>,
        checked_out_at -> Nullable<Timestamp>,
        check_out_distance_m -> Nullable<BigInt>,
        position_flagged -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        attention -> Nullable<Text>,
        attention_since -> Nullable<Timestamp>,
        free_cancellation_until -> Nullable<Timestamp>,
        consumed_minutes -> Nullable<Integer>,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
        open_reason -> Nullable<Text>,
        offered_branch_at -> Nullable<Timestamp>,
        uncovered_at -> Nullable<Timestamp>,
        synced_late -> Bool,
    }
}

diesel::table! {
    joint_visits (visit_id) {
        visit_id -> BigInt,
        helper_id -> BigInt,
    }
}

diesel::table! {
    visit_reports (visit_id) {
        visit_id -> BigInt,
        helper_id -> BigInt,
        tasks -> Text,
        concern -> Bool,
        concern_note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    visit_feedback (id) {
        id -> BigInt,
        visit_id -> BigInt,
        side -> Text,
        rating -> Integer,
        comment -> Nullable<Text>,
        dont_pair_again -> Bool,
        given_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    client_exclusions (client_id, helper_id) {
        client_id -> BigInt,
        helper_id -> BigInt,
        source -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    visit_offers (id) {
        id -> BigInt,
        visit_id -> BigInt,
        helper_id -> BigInt,
        offered_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> BigInt,
        client_id -> BigInt,
        kind -> Text,
        minutes -> Integer,
        visit_id -> Nullable<BigInt>,
        clip_card_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        user_id -> BigInt,
        endpoint -> Text,
        idempotency_key -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
        request_hash -> Text,
    }
}

diesel::table! {
    availability_windows (id) {
        id -> BigInt,
        helper_id -> BigInt,
        weekday -> Integer,
        start_minute -> Integer,
        end_minute -> Integer,
    }
}

diesel::table! {
    availability_exceptions (id) {
        id -> BigInt,
        helper_id -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        reason -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        recipient -> Text,
        language -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        ics -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> Timestamp,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        dedupe_key -> Nullable<Text>,
    }
}
