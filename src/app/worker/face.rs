//! The card face's answers for the flow: 照合番号B's answers as replies, the pictures decoded.

use crate::card::face::{CardFace, FaceError};
use crate::card::{CardError, Malformed};
use crate::flow::{CardReply, FacePictures};
use crate::picture::decode;

/// 照合番号B's own answers as replies (a wrong or locked number is the flow's to say, not an
/// error of the card); a card face that does not parse as the card's malformed answer.
pub(super) fn reply(r: Result<CardReply, FaceError>) -> Result<CardReply, CardError> {
    match r {
        Ok(reply) => Ok(reply),
        Err(FaceError::WrongPinB { tries_left }) => Ok(CardReply::FaceWrong(tries_left)),
        Err(FaceError::PinBLocked) => Ok(CardReply::FaceLocked),
        Err(FaceError::Card(e)) => Err(e),
        Err(FaceError::Format(e)) => {
            tracing::warn!(error = %e, "the card face does not parse");
            Err(Malformed::CardFace.into())
        }
    }
}

/// The card face's pictures in zeroizing pixels, decoded here on the card thread (a JPEG 2000
/// decode is not for the thread that draws). One that does not decode is left out: the
/// confirm screen says so.
pub(super) fn pictures(face: &CardFace) -> FacePictures {
    let text = |png: &[u8]| match decode::text_png(png) {
        Ok(g) => Some(g),
        Err(e) => {
            tracing::warn!(error = %e, "a card face image does not decode");
            None
        }
    };
    FacePictures {
        photo: match decode::photo(face.photo_jp2()) {
            Ok(g) => Some(g),
            Err(e) => {
                tracing::warn!(error = %e, "the card face's photo does not decode");
                None
            }
        },
        name: text(face.name_png()),
        address: text(face.address_png()),
    }
}
