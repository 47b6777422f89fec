//! From step to step: what each screen's actions do (the consent and PIN screens have files
//! of their own), and where the flow goes once the data is confirmed — the representative,
//! the e-mail address, the signature, or the 利用者証明 challenge where the holder's age
//! allows a record without one.

use super::*;

impl Flow {
    pub(super) fn action(&mut self, a: Action, out: &mut Vec<Effect>) {
        match &self.screen {
            Screen::Consent { .. } => self.consent_action(a, out),
            Screen::Card { .. } => {
                if a == Action::Cancel {
                    self.reset(Some(Notice::Cancelled), out);
                }
            }
            Screen::Pin(_) | Screen::SignPin(_) | Screen::AuthPin(_) => self.pin_action(a, out),
            Screen::Face(_) => self.face_action(a, out),
            Screen::Reading | Screen::Signing | Screen::Proving | Screen::Storing | Screen::Sending { .. } => {
                self.working_action(a, out)
            }
            Screen::Confirm { .. } => self.confirm_action(a, out),
            Screen::Representative { .. } => self.representative_action(a, out),
            Screen::Contact { .. } => self.contact_action(a, out),
            Screen::Done { .. } | Screen::Stopped(_) => {
                if matches!(a, Action::Submit | Action::Cancel) {
                    self.reset(None, out);
                }
            }
        }
    }

    /// Work in flight. Cancel abandons a card request (never a store: once storing started,
    /// the record is the citizen's and must land). While sending, the record is already on
    /// disk: Cancel stops waiting for the verdict.
    fn working_action(&mut self, a: Action, out: &mut Vec<Effect>) {
        if a != Action::Cancel {
            return;
        }
        match &self.screen {
            Screen::Reading | Screen::Signing | Screen::Proving => self.reset(Some(Notice::Cancelled), out),
            Screen::Sending { enrollment_id, .. } => {
                let id = enrollment_id.clone();
                self.delivered(id, Verdict::Queued);
            }
            _ => {}
        }
    }

    fn confirm_action(&mut self, a: Action, out: &mut Vec<Effect>) {
        if self.photo_action(a, out) {
            return;
        }
        let Screen::Confirm { choice } = &mut self.screen else {
            return;
        };
        match a {
            Action::Previous => *choice = choice.moved(-1),
            Action::Following => *choice = choice.moved(1),
            Action::Reread => {
                self.person = None;
                self.after_confirm(ConfirmChoice::Reread, out);
            }
            Action::Submit => {
                let c = *choice;
                // Going on needs the clerk's word on the photo, when the card face is shown.
                if c == ConfirmChoice::Next && !self.face_allows_next() {
                    return;
                }
                self.after_confirm(c, out);
            }
            // Clerk key: a 法定代理人 applies for this holder (a 成年被後見人, say).
            Action::AskRepresentative => {
                if !self.face_allows_next() {
                    return;
                }
                self.representative_asked = true;
                self.after_confirm(ConfirmChoice::Next, out);
            }
            Action::Cancel => self.reset(Some(Notice::Cancelled), out),
            _ => {}
        }
    }

    fn representative_action(&mut self, a: Action, out: &mut Vec<Effect>) {
        let Screen::Representative { choice } = &mut self.screen else {
            return;
        };
        match a {
            Action::Representative(r) => *choice = Some(r),
            Action::Submit => {
                if let Some(c) = *choice {
                    self.declared.representative = Some(c);
                    self.after_data(out);
                }
            }
            Action::Cancel => self.reset(Some(Notice::Cancelled), out),
            _ => {}
        }
    }

    fn contact_action(&mut self, a: Action, out: &mut Vec<Effect>) {
        let Screen::Contact { input, first, error } = &mut self.screen else {
            return;
        };
        match a {
            Action::Type(c) => *error = input.push(c).err(),
            Action::Erase => {
                *error = None;
                input.pop();
            }
            Action::Submit => match contact::validate_email(input.as_str()) {
                Err(e) => *error = Some(e),
                // Typed twice, the same both times: a typo can't go unnoticed.
                Ok(()) => match first.take() {
                    None => {
                        *first = Some(PersonalText::new(input.as_str()));
                        *input = contact::ContactInput::new();
                    }
                    Some(f) if f.as_str() == input.as_str() => {
                        self.declared.email = Some(f);
                        self.after_data(out);
                    }
                    Some(_) => {
                        *input = contact::ContactInput::new();
                        *error = Some(contact::EmailError::Mismatch);
                    }
                },
            },
            // Only where the privacy notice calls the address optional.
            Action::Skip if self.cfg.email_optional => {
                self.email_skipped = true;
                self.after_data(out);
            }
            Action::Cancel => self.reset(Some(Notice::Cancelled), out),
            _ => {}
        }
    }

    fn after_confirm(&mut self, choice: ConfirmChoice, out: &mut Vec<Effect>) {
        match choice {
            ConfirmChoice::Reread => {
                self.person = None;
                self.face = None;
                if self.card_present {
                    self.enter_pin(PinKind::TextPin, out);
                } else {
                    self.screen = Screen::Card { notice: None };
                }
            }
            ConfirmChoice::Stop => self.reset(Some(Notice::Cancelled), out),
            ConfirmChoice::Next => {
                self.confirmed = true;
                self.after_data(out);
            }
        }
    }

    /// After the data is confirmed: the 法定代理人 (a minor's card, or the clerk said so), the
    /// contact e-mail when asked for, then the signature.
    fn after_data(&mut self, out: &mut Vec<Effect>) {
        if self.declared.representative.is_none() && (self.representative_asked || !self.holder_is_adult()) {
            self.screen = Screen::Representative { choice: None };
            return;
        }
        if self.cfg.email && self.declared.email.is_none() && !self.email_skipped {
            self.screen = Screen::Contact {
                input: contact::ContactInput::new(),
                first: None,
                error: None,
            };
            return;
        }
        self.toward_signature(out);
    }

    /// After the data (and contact) are confirmed: sign, or, for a citizen who does not, the
    /// 利用者証明 challenge.
    pub(super) fn toward_signature(&mut self, out: &mut Vec<Effect>) {
        let no_certificate = self.facts.is_some_and(|f| f.signing == Signing::Missing);
        if !self.cfg.signature || self.challenge {
            self.toward_challenge(out);
        } else if no_certificate && !self.recheck {
            // Known since the card step: no password is asked for a certificate that isn't there.
            self.without_signature(out);
        } else if self.card_present && self.recheck {
            // The card left the reader since it was read: read it again first.
            self.enter_pin(PinKind::TextPin, out);
        } else if self.card_present {
            self.enter_pin(PinKind::SignPassword, out);
        } else {
            self.screen = Screen::Card {
                notice: Some(Notice::CardRemoved),
            };
        }
    }

    /// Stores the four items with nothing that proves the card: only where the operator
    /// allows it (the backend refuses otherwise, too).
    pub(super) fn store_unauthenticated(&mut self, out: &mut Vec<Effect>) {
        if let Some(person) = self.person.clone() {
            let id = self.new_id();
            self.level = Assurance::Unauthenticated;
            self.screen = Screen::Storing;
            out.push(Effect::StoreUnauthenticated {
                id,
                person,
                declared: self.declared.clone(),
            });
        }
    }

    /// 15 or over on today's date, by the birth date read from the card. Unknown (no data, no
    /// date) counts as adult: the stricter rule.
    pub(super) fn holder_is_adult(&self) -> bool {
        match (&self.person, self.today) {
            (Some(p), today) if today > 0 => {
                let b = p.birth_date;
                let birth = u32::from(b.year()) * 10_000 + u32::from(b.month()) * 100 + u32::from(b.day());
                crate::time::age_on(birth, today) >= 15
            }
            _ => true,
        }
    }
}
