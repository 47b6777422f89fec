//! Every sentence a person reads, in one place: the Fluent files under `i18n/<lang>/`,
//! embedded in the binary. Japanese is the default; the other languages have the same message
//! ids (a test checks). Each message says what happened and what to do next. None includes
//! card data or a PIN.
//!
//! Three rooms: `catalogue` loads the files and formats a message; `msg` names every message
//! (`Msg` for the fixed texts, `Text` for those with variables, with their values); `render`
//! holds the typed functions the rest of the program calls. The language rules live in the
//! files, not here: how a date is written, what joins a list, where a label's colon goes.

mod catalogue;
mod msg;
mod render;

pub use catalogue::msg;
pub use msg::Msg;
pub use render::{atr_interface, pin_wait_for_tries, status_station_gone};
pub use render::{
    birth_date, card_error, card_kind, card_state, crl_age, demo_secrets, diag_config_file_problem,
    diag_config_invalid, diag_config_unreadable, done_level, done_review_items, email_carrier_warning, enter_pin,
    era_name, health_counts, health_title, idle_warning, key_hint, labelled, last_try_warning, oldest_minutes,
    outbox_columns, pin_format, pin_full, pin_name, privacy_missing, queue_count, review_count, status_apdu,
    status_code, status_crl, status_errors, status_no_station, status_pcscd, status_queue, status_socket_failed,
    status_too_many, status_uptime, terms_missing, transport_error, tries_left, tries_short, write_labelled, yes_no,
};
pub use render::{demo_face, face_wrong};

#[cfg(test)]
mod tests;
