//! A stop: why, where to go (the counter's own reset, a コンビニ reset, the national line),
//! and the key that starts again.

use super::pane::{key_line, para, show, styled_lines};
use crate::card::CardError;
use crate::flow::{Action as F, FaceStop, Finding, Stop};
use crate::i18n::{self, msg, Msg};
use crate::lang::Lang;
use crate::seam::BackendError;
use crate::seam::Verdict;
use crate::secret::PinKind;
use crate::ui::station::View;
use crate::ui::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

pub fn draw(f: &mut Frame, v: &View, area: Rect, stop: &Stop) {
    let iw = area.width.saturating_sub(2);
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let mut lines = vec![
        Line::raw(""),
        Line::styled(msg(l, Msg::StoppedHeading), th.error()),
        Line::raw(""),
    ];
    for text in texts(l, stop, v.flow.proves()) {
        lines.extend(styled_lines(wrap(&text, iw as usize), th.text()));
    }
    let locked = match stop {
        Stop::Locked(kind) => Some(*kind),
        Stop::Finding(Finding::SignPasswordLocked) => Some(PinKind::SignPassword),
        _ => None,
    };
    if let Some(kind) = locked {
        if kind == PinKind::SignPassword && v.counter.konbini_reset {
            lines.extend(para(v, Msg::KonbiniReset, iw, th.text()));
        }
        if v.counter.reset_here {
            lines.extend(para(v, Msg::ResetHere, iw, th.accent()));
        }
    }
    if needs_hotline(stop) {
        for c in &v.counter.contact {
            lines.extend(styled_lines(wrap(c, iw as usize), th.muted()));
        }
        lines.extend(para(v, Msg::Hotline, iw, th.muted()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(key_line(v, F::Submit).unwrap_or_default(), th.highlight()));
    show(f, v, area, lines);
}

/// Lock, expiry and revocation send the citizen elsewhere: the national line says where.
fn needs_hotline(stop: &Stop) -> bool {
    matches!(
        stop,
        Stop::Locked(_)
            | Stop::Face(FaceStop::Locked)
            | Stop::NoAuthCertificate
            | Stop::Finding(Finding::CertificateExpired | Finding::SignPasswordLocked)
            | Stop::Verdict(Verdict::CertificateExpired | Verdict::CertificateRevoked)
            | Stop::Refused(Verdict::CertificateExpired | Verdict::CertificateRevoked)
    )
}

/// The words for a verdict. `proves`: the record rests on the 利用者証明 challenge, so the
/// certificate in question is the 利用者証明用 one, not the signing one.
fn verdict_msg(v: &Verdict, proves: bool) -> Msg {
    match v {
        Verdict::CertificateExpired if proves => Msg::VerdictAuthExpired,
        Verdict::CertificateRevoked if proves => Msg::VerdictAuthRevoked,
        Verdict::CertificateExpired => Msg::VerdictExpired,
        Verdict::CertificateRevoked => Msg::VerdictRevoked,
        Verdict::AssuranceNotProven => Msg::VerdictAssurance,
        Verdict::RecordTime => Msg::VerdictRecordTime,
        Verdict::SignatureMismatch => Msg::VerdictSignature,
        Verdict::UnsupportedCertificate => Msg::VerdictUnsupported,
        Verdict::CardDataMismatch => Msg::VerdictDataMismatch,
        _ => Msg::VerdictInvalid,
    }
}

/// Why it stopped, a sentence or two. (An exhaustive match over `Stop`: one arm a reason.)
fn texts(l: Lang, stop: &Stop, proves: bool) -> Vec<String> {
    let m = |m: Msg| vec![msg(l, m).to_string()];
    let card = |e: CardError| vec![i18n::card_error(l, &e)];
    match stop {
        Stop::Locked(kind) => card(CardError::Locked { kind: *kind }),
        Stop::NotMyNumberCard => card(CardError::NotMyNumberCard),
        Stop::NoSigningCertificate => card(CardError::NoSigningCertificate),
        Stop::NoSigningCertificateAdult => m(Msg::NoCertificateAdult),
        Stop::SignatureInvalid => m(Msg::SignatureInvalid),
        Stop::StoreFailed(e) => m(match e {
            BackendError::QueueFull => Msg::StoreFailedFull,
            BackendError::Storage(_) => Msg::StoreFailedDisk,
            BackendError::Seal(_) => Msg::StoreFailedSeal,
            BackendError::Encode => Msg::StoreFailed,
        }),
        Stop::Card(e) => vec![i18n::card_error(l, e)],
        Stop::DifferentCard => m(Msg::DifferentCard),
        Stop::Verdict(v) => vec![
            msg(l, verdict_msg(v, proves)).to_string(),
            msg(l, Msg::VerdictReview).to_string(),
        ],
        Stop::Refused(v) => m(verdict_msg(v, proves)),
        Stop::NoAuthCertificate => m(Msg::NoAuthCertificate),
        Stop::Finding(Finding::CertificateExpired) => m(Msg::FindingExpired),
        Stop::Finding(Finding::SignPasswordLocked) => card(CardError::Locked {
            kind: PinKind::SignPassword,
        }),
        Stop::Finding(Finding::NoSigningCertificate) => card(CardError::NoSigningCertificate),
        Stop::Face(why) => m(match why {
            FaceStop::Disagrees => Msg::StopFaceDisagrees,
            FaceStop::NotGenuine => Msg::StopFaceNotGenuine,
            FaceStop::PhotoMismatch => Msg::StopPhotoMismatch,
            FaceStop::Locked => Msg::StopFaceLocked,
            FaceStop::PhotoNotShown => Msg::StopPhotoNotShown,
        }),
    }
}
