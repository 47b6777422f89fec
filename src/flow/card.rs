//! What the card tells: a card placed or gone, and each reply to a card request — the probe
//! before any PIN, the tries, the four items read, the signature checked — or the error that
//! stops the flow, said in words for the citizen.

use super::*;

impl Flow {
    /// A card is on the chosen reader: the PIN step, where the card was waited for.
    pub(super) fn card_placed(&mut self, out: &mut Vec<Effect>) {
        self.card_present = true;
        if let Screen::Card { .. } = self.screen {
            if self.confirmed && !self.recheck {
                self.toward_signature(out);
            } else {
                self.enter_pin(PinKind::TextPin, out);
            }
        }
    }

    /// The card left the reader (or the reader went away).
    pub(super) fn card_gone(&mut self, out: &mut Vec<Effect>) {
        self.card_present = false;
        // The next card may be another: probed again before its first PIN.
        self.facts = None;
        if self.person.is_some() {
            self.recheck = true;
        }
        match &self.screen {
            Screen::Pin(_) | Screen::Reading | Screen::Face(_) => {
                self.pending = None;
                if !self.confirmed {
                    self.person = None;
                }
                self.screen = Screen::Card {
                    notice: Some(Notice::CardRemoved),
                };
                out.push(Effect::ReleaseCard);
            }
            Screen::SignPin(_) | Screen::Signing | Screen::AuthPin(_) | Screen::Proving => {
                // The confirmed data stays: the card that comes back is read again and compared
                // before anything is signed, so another card can't slip in.
                self.pending = None;
                self.screen = Screen::Card {
                    notice: Some(Notice::CardRemoved),
                };
                out.push(Effect::ReleaseCard);
            }
            _ => {}
        }
    }

    /// The card thread's answer to the request the flow waited for.
    pub(super) fn card_reply(&mut self, result: Result<CardReply, CardError>, out: &mut Vec<Effect>) {
        let kind = match &self.screen {
            Screen::Pin(_) | Screen::Reading | Screen::Face(_) => PinKind::TextPin,
            Screen::AuthPin(_) | Screen::Proving => PinKind::AuthPin,
            _ => PinKind::SignPassword,
        };
        match result {
            Ok(
                r @ (CardReply::FaceTries(_) | CardReply::FaceLocked | CardReply::FaceWrong(_) | CardReply::Face(_)),
            ) => self.face_reply(r, out),
            Ok(CardReply::Probed(facts)) => self.probed(facts, out),
            Ok(CardReply::Tries(n)) => self.tries(n, out),
            Ok(CardReply::Read(person)) => self.read(person, out),
            Ok(CardReply::Signed(record)) => {
                let id = self.new_id();
                self.level = record.payload().level();
                self.review = match record.check() {
                    Some(c) if c.outcome() == Outcome::Differs => c.differing(),
                    _ => Vec::new(),
                };
                self.screen = Screen::Storing;
                out.push(Effect::StoreSigned { id, record });
            }
            Ok(CardReply::CertificateRefused(p)) => {
                self.screen = Screen::Stopped(Stop::Refused(match p {
                    CertificateProblem::Revoked => Verdict::CertificateRevoked,
                    CertificateProblem::Expired => Verdict::CertificateExpired,
                    CertificateProblem::Unreadable => Verdict::UnsupportedCertificate,
                }));
                out.push(Effect::ReleaseCard);
            }
            Ok(CardReply::SignatureInvalid) => {
                self.screen = Screen::Stopped(Stop::SignatureInvalid);
                out.push(Effect::ReleaseCard);
            }
            // Nothing was stored: the same words as a store that failed, for the same reason.
            Ok(CardReply::BackendFailed(e)) => {
                self.screen = Screen::Stopped(Stop::StoreFailed(e));
                out.push(Effect::ReleaseCard);
            }
            Ok(CardReply::Unbound) => self.unbound(out),
            Err(CardError::WrongPin { kind, tries_left }) => self.wrong_pin(kind, tries_left),
            Err(CardError::FileNotFound(crate::card::files::Ef::AuthCert)) if kind == PinKind::AuthPin => {
                self.no_auth_certificate(out)
            }
            Err(CardError::NoSigningCertificate) if self.person.is_some() => self.without_signature(out),
            Err(e) => self.stop_for(e, kind, out),
        }
    }

    /// The tries left on the PIN on screen: input is taken from now on; none left: locked.
    fn tries(&mut self, n: u8, out: &mut Vec<Effect>) {
        if let Screen::Pin(p) | Screen::SignPin(p) | Screen::AuthPin(p) = &mut self.screen {
            p.busy = false;
            p.tries = Some(n);
            // What was said about keys typed while waiting stays; the last try outranks it.
            if n == 1 {
                p.message = Some(PinMessage::LastTryWarning);
            }
            if n == 0 {
                let k = p.kind;
                self.screen = Screen::Stopped(Stop::Locked(k));
                out.push(Effect::ReleaseCard);
            }
        }
    }

    /// The four items, read after the PIN: to the confirm screen — or, read again after a
    /// removal, the same card goes on to the signature and another card stops here (its data
    /// was never confirmed).
    fn read(&mut self, person: BasicFour, out: &mut Vec<Effect>) {
        let again = self.recheck && self.confirmed;
        self.recheck = false;
        if !again {
            self.person = Some(person);
            if self.cfg.card_face == FaceStep::Off {
                self.screen = Screen::Confirm {
                    choice: ConfirmChoice::Next,
                };
            } else {
                // In the same card session: the clerk's card-face step.
                self.enter_face(out);
            }
        } else if self.person.as_ref() == Some(&person) {
            // The same card, read again in this card session: on to its proof.
            self.toward_signature(out);
        } else {
            self.person = None;
            self.declared = Declared::default();
            self.confirmed = false;
            out.push(Effect::Wipe);
            self.screen = Screen::Stopped(Stop::DifferentCard);
            out.push(Effect::ReleaseCard);
        }
    }

    /// A wrong PIN: the same PIN screen again, empty, with the tries the card has left.
    fn wrong_pin(&mut self, kind: PinKind, tries_left: u8) {
        let mut p = Flow::pin_screen(kind);
        p.busy = false;
        p.tries = Some(tries_left);
        p.message = Some(PinMessage::Wrong(tries_left));
        self.screen = match kind {
            PinKind::TextPin => Screen::Pin(p),
            PinKind::SignPassword => Screen::SignPin(p),
            PinKind::AuthPin => Screen::AuthPin(p),
        };
    }

    /// What the card told before any PIN: a finding that rules the card out stops here, at
    /// the card step, before a PIN is typed; otherwise the text PIN's tries are asked for.
    fn probed(&mut self, facts: CardFacts, out: &mut Vec<Effect>) {
        self.facts = Some(facts);
        let unsigned_ok = self.cfg.allow_unsigned_minors || self.cfg.allow_unsigned_adults;
        let finding = if facts.certificate_expired {
            Some(Finding::CertificateExpired)
        } else if facts.signing == Signing::Tries(0) {
            Some(Finding::SignPasswordLocked)
        } else if facts.signing == Signing::Missing && !unsigned_ok {
            Some(Finding::NoSigningCertificate)
        } else {
            None
        };
        match finding {
            Some(f) => {
                self.screen = Screen::Stopped(Stop::Finding(f));
                out.push(Effect::ReleaseCard);
            }
            None => self.request(CardRequest::QueryTries(PinKind::TextPin), out),
        }
    }

    /// The card holds no signing certificate: the 利用者証明 challenge where the holder's age
    /// allows a record without a signature, else the stop that says where to get one.
    pub(super) fn without_signature(&mut self, out: &mut Vec<Effect>) {
        let allowed = if self.holder_is_adult() {
            self.cfg.allow_unsigned_adults
        } else {
            self.cfg.allow_unsigned_minors
        };
        if allowed {
            self.toward_challenge(out);
        } else {
            self.stop_for(CardError::NoSigningCertificate, PinKind::SignPassword, out);
        }
    }

    pub(super) fn stop_for(&mut self, e: CardError, kind: PinKind, out: &mut Vec<Effect>) {
        if is_card_gone(&e) {
            // Whatever comes back may be another card: probed again.
            self.facts = None;
            if kind == PinKind::TextPin && !self.confirmed {
                self.person = None;
            }
            // Whatever is on the reader now may not be the card that was read.
            if self.person.is_some() {
                self.recheck = true;
            }
            out.push(Effect::ReleaseCard);
            let reset_in_place = matches!(e, CardError::Transport(crate::card::TransportError::CardReset));
            if reset_in_place && self.card_present {
                // Reset without a removal: no "card present" event will follow.
                self.enter_pin(PinKind::TextPin, out);
            } else {
                self.screen = Screen::Card {
                    notice: Some(Notice::CardRemoved),
                };
            }
            return;
        }
        self.screen = Screen::Stopped(match e {
            CardError::Locked { kind } => Stop::Locked(kind),
            CardError::NotMyNumberCard => Stop::NotMyNumberCard,
            CardError::NoSigningCertificate if self.holder_is_adult() => Stop::NoSigningCertificateAdult,
            CardError::NoSigningCertificate => Stop::NoSigningCertificate,
            other => Stop::Card(other),
        });
        out.push(Effect::ReleaseCard);
    }
}

fn is_card_gone(e: &CardError) -> bool {
    e.is_card_gone() || matches!(e, CardError::Transport(crate::card::TransportError::CardReset))
}
