//! What an enrollment record is, shared by the station and the receiver: the payload and the
//! statement the card signs, and the comparison of the card's text with its signing
//! certificate. Below `backend`, `flow` and `app`; depends only on `card`, `time`, `wareki`.

pub mod canonical;
pub mod card_data;
pub mod check;
pub mod payload;
pub mod receipt;
