//! PIN and password entry: tries shown first, the format checked locally, exactly one
//! VERIFY-carrying request per Enter on a well-formed PIN, an explicit yes at the last try.

use super::*;

impl Flow {
    pub(super) fn pin_screen(kind: PinKind) -> PinScreen {
        PinScreen {
            kind,
            tries: None,
            input: SecretInput::new(kind),
            reveal: false,
            confirming_last: false,
            message: None,
            busy: true,
        }
    }

    pub(super) fn enter_pin(&mut self, kind: PinKind, out: &mut Vec<Effect>) {
        let screen = Flow::pin_screen(kind);
        self.screen = match kind {
            PinKind::TextPin => Screen::Pin(screen),
            PinKind::SignPassword => Screen::SignPin(screen),
            // The 利用者証明 step (#22) is not in the flow yet: nothing asks for it.
            PinKind::AuthPin => Screen::Pin(screen),
        };
        self.request(CardRequest::QueryTries(kind), out);
    }

    pub(super) fn pin_key(&mut self, k: Key, out: &mut Vec<Effect>) {
        let (Screen::Pin(p) | Screen::SignPin(p)) = &mut self.screen else {
            return;
        };
        if k == Key::Esc {
            if p.confirming_last {
                p.confirming_last = false;
                p.message = Some(PinMessage::LastTryWarning);
                return;
            }
            self.reset(Some(Notice::Cancelled), out);
            return;
        }
        // Tries must be on screen before anything can be typed.
        if p.busy || p.tries.is_none_or(|t| t == 0) {
            return;
        }
        if p.confirming_last {
            match k {
                Key::Char('y') | Key::Char('Y') => self.send_pin(out),
                Key::Char('n') | Key::Char('N') => {
                    p.confirming_last = false;
                    p.message = Some(PinMessage::LastTryWarning);
                }
                _ => {}
            }
            return;
        }
        match k {
            Key::Char(c) => {
                p.message = if p.input.push(c) {
                    None
                } else {
                    Some(PinMessage::CharNotAllowed)
                };
            }
            Key::Backspace => {
                p.input.pop();
                p.message = None;
            }
            Key::Tab | Key::F(2) => p.reveal = !p.reveal,
            Key::Enter => match p.input.validate() {
                Err(e) => p.message = Some(PinMessage::Format(e)),
                Ok(secret) => {
                    drop(secret);
                    if p.tries == Some(1) {
                        p.confirming_last = true;
                    } else {
                        self.send_pin(out);
                    }
                }
            },
            _ => {}
        }
    }

    /// Sends the typed PIN: exactly one VERIFY-carrying request, input wiped.
    pub(super) fn send_pin(&mut self, out: &mut Vec<Effect>) {
        let (Screen::Pin(p) | Screen::SignPin(p)) = &mut self.screen else {
            return;
        };
        let Ok(secret) = p.input.validate() else { return };
        p.input.clear();
        let kind = p.kind;
        match kind {
            PinKind::TextPin => {
                self.screen = Screen::Reading;
                self.request(CardRequest::VerifyAndRead(secret), out);
            }
            PinKind::SignPassword => {
                let Some(person) = self.person.clone() else {
                    self.screen = Screen::Card { notice: None };
                    return;
                };
                self.screen = Screen::Signing;
                let declared = self.declared.clone();
                self.request(
                    CardRequest::VerifyAndSign {
                        password: secret,
                        person,
                        declared,
                    },
                    out,
                );
            }
            // Not asked for yet (#22): the typed PIN is dropped (wiped), nothing is sent.
            PinKind::AuthPin => drop(secret),
        }
    }
}
